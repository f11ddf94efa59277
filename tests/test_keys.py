"""Key lifecycle through the boto3 client: CreateKey, DescribeKey, ListKeys, Enable/Disable, deletion, tags.

Rules: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html and
https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

import kmssim

from .conftest import error_code, error_message

ALL_SPECS = [
    ("SYMMETRIC_DEFAULT", None),
    ("RSA_2048", "ENCRYPT_DECRYPT"),
    ("RSA_3072", "SIGN_VERIFY"),
    ("RSA_4096", "ENCRYPT_DECRYPT"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", "SIGN_VERIFY"),
    ("ECC_NIST_P521", "SIGN_VERIFY"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
    ("HMAC_224", "GENERATE_VERIFY_MAC"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ("HMAC_384", "GENERATE_VERIFY_MAC"),
    ("HMAC_512", "GENERATE_VERIFY_MAC"),
]


@pytest.mark.parametrize(("spec", "usage"), ALL_SPECS)
def test_create_key_every_spec(kms: Any, spec: str, usage: str | None) -> None:
    args: dict[str, Any] = {"KeySpec": spec}
    if usage:
        args["KeyUsage"] = usage
    md = kms.create_key(**args)["KeyMetadata"]
    assert md["KeySpec"] == spec
    assert md["KeyUsage"] == (usage or "ENCRYPT_DECRYPT")
    assert md["KeyState"] == "Enabled" and md["Enabled"] is True
    assert md["KeyManager"] == "CUSTOMER" and md["Origin"] == "AWS_KMS"
    assert re.fullmatch(r"arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}", md["Arn"])
    if md["KeyUsage"] == "ENCRYPT_DECRYPT":
        assert "EncryptionAlgorithms" in md and "SigningAlgorithms" not in md
    elif md["KeyUsage"] == "SIGN_VERIFY":
        assert "SigningAlgorithms" in md and "EncryptionAlgorithms" not in md
    else:
        assert md["MacAlgorithms"] == [f"HMAC_SHA_{spec[5:]}"]


def test_key_usage_required_for_non_symmetric(kms: Any) -> None:
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec="HMAC_256")
    assert error_code(e) == "ValidationException"
    assert error_message(e) == (
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    )


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "KEY_AGREEMENT"),
        ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
        ("ECC_SECG_P256K1", "ENCRYPT_DECRYPT"),
    ],
)
def test_key_usage_checked_against_spec(kms: Any, spec: str, usage: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec=spec, KeyUsage=usage)
    assert error_code(e) == "ValidationException"
    assert error_message(e) == f"KeyUsage {usage} is not compatible with KeySpec {spec}"


def test_multi_region_key_id(kms: Any) -> None:
    md = kms.create_key(MultiRegion=True)["KeyMetadata"]
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", md["KeyId"])
    assert md["MultiRegion"] is True
    assert md["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"


def test_creation_date_is_simulated_time(sim: kmssim.Simulator, kms: Any) -> None:
    sim.advance(days=3, hours=2)
    md = kms.create_key()["KeyMetadata"]
    assert md["CreationDate"] == datetime(2026, 1, 4, 2, tzinfo=UTC)


def test_describe_key_by_every_identifier(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    for ident in (key_id, arn, "alias/app", "arn:aws:kms:us-east-1:111122223333:alias/app"):
        assert kms.describe_key(KeyId=ident)["KeyMetadata"]["KeyId"] == key_id


def test_not_found_messages(kms: Any) -> None:
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId=missing)
    assert error_message(e) == f"Key 'arn:aws:kms:us-east-1:111122223333:key/{missing}' does not exist"
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId="fake-key-id")
    assert error_message(e) == "Invalid keyId 'fake-key-id'"
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId=f"arn:aws:kms:eu-west-1:111122223333:key/{missing}")
    assert error_message(e) == "Invalid arn eu-west-1"


def test_list_keys_paginates(kms: Any) -> None:
    ids = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)}
    pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert {k["KeyId"] for p in pages for k in p["Keys"]} == ids
    with pytest.raises(kms.exceptions.InvalidMarkerException):
        kms.list_keys(Marker="not-a-marker")


def test_disable_enable(kms: Any, key_id: str) -> None:
    kms.disable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    with pytest.raises(kms.exceptions.DisabledException) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_message(e).endswith(f"key/{key_id} is disabled.")
    kms.enable_key(KeyId=key_id)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_enable_key_refuses_alias(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/a", TargetKeyId=key_id)
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.enable_key(KeyId="alias/a")
    assert error_message(e) == "Invalid keyId 'alias/a'"


def test_schedule_and_cancel_deletion(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    out = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert out["KeyState"] == "PendingDeletion" and out["PendingWindowInDays"] == 7
    assert out["DeletionDate"] == datetime(2026, 1, 8, tzinfo=UTC)
    md = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and md["PendingDeletionWindowInDays"] == 7
    with pytest.raises(kms.exceptions.KMSInvalidStateException) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_message(e).endswith("is pending deletion.")
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.schedule_key_deletion(KeyId=key_id)
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    with pytest.raises(kms.exceptions.KMSInvalidStateException) as e:
        kms.cancel_key_deletion(KeyId=key_id)
    assert error_message(e).endswith("is not pending deletion.")


@pytest.mark.parametrize("days", [6, 31, 365])
def test_pending_window_range(kms: Any, key_id: str, days: int) -> None:
    with pytest.raises(ClientError) as e:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert error_code(e) == "ValidationException"
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_default_pending_window_is_30_days(kms: Any, key_id: str) -> None:
    assert kms.schedule_key_deletion(KeyId=key_id)["PendingWindowInDays"] == 30


def test_deletion_happens_when_time_passes(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    sim.advance(days=6, hours=23)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    sim.advance(hours=1)
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId=key_id)
    names = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    assert "alias/doomed" not in names
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=blob)
    assert error_code(e) == "AccessDeniedException"
    assert [e.event_name for e in sim.trail().filter(event_name="DeleteKey")] == ["DeleteKey"]


def test_update_description_and_tags(kms: Any, key_id: str) -> None:
    kms.update_key_description(KeyId=key_id, Description="new")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new"
    kms.tag_resource(
        KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "a"}, {"TagKey": "env", "TagValue": ""}]
    )
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "b"}])
    tags = kms.list_resource_tags(KeyId=key_id)["Tags"]
    assert {t["TagKey"]: t["TagValue"] for t in tags} == {"team": "b", "env": ""}
    kms.untag_resource(KeyId=key_id, TagKeys=["env", "absent"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": "b"}]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}], "Duplicate tag keys"),
        ([{"TagKey": "aws:x", "TagValue": "1"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": f"k{i}", "TagValue": ""} for i in range(51)], "Too many tags"),
    ],
)
def test_tag_errors(kms: Any, key_id: str, tags: list[dict[str, str]], message: str) -> None:
    with pytest.raises(kms.exceptions.TagException) as e:
        kms.tag_resource(KeyId=key_id, Tags=tags)
    assert error_message(e) == message
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == []


def test_server_side_length_check(kms: Any, key_id: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k" * 129, "TagValue": "v"}])
    assert error_code(e) == "ValidationException"
    assert (
        "'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"
        in (error_message(e))
    )


def test_botocore_validates_before_sending(kms: Any) -> None:
    with pytest.raises(ParamValidationError):
        kms.encrypt(Plaintext=b"x")


def test_unsupported_spec_is_an_aws_error(kms: Any) -> None:
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")


def test_operation_not_simulated_is_an_aws_error() -> None:
    """Every operation of botocore's model is simulated now; a name outside it is UnsupportedOperationException."""
    with pytest.raises(kmssim.UnsupportedOperationException, match="not an operation kmssim simulates"):
        kmssim.Simulator(seed=1).call("DescribeCustomKeyStorez", {})
