"""Aliases: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html, API_UpdateAlias.html,
https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

from .conftest import error_code, error_message


def _names(kms: Any, **kw: Any) -> list[str]:
    return [a["AliasName"] for a in kms.list_aliases(**kw)["Aliases"] if "TargetKeyId" in a]


def test_create_list_delete(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/one", TargetKeyId=key_id)
    kms.create_alias(AliasName="alias/two/nested_ok-1", TargetKeyId=key_id)
    assert _names(kms, KeyId=key_id) == ["alias/one", "alias/two/nested_ok-1"]
    entry = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/one")
    assert entry["AliasArn"] == "arn:aws:kms:us-east-1:111122223333:alias/one"
    assert entry["TargetKeyId"] == key_id
    kms.delete_alias(AliasName="alias/one")
    assert _names(kms) == ["alias/two/nested_ok-1"]


def test_predefined_aws_aliases_are_listed_without_target(kms: Any) -> None:
    aliases = kms.list_aliases()["Aliases"]
    s3 = next(a for a in aliases if a["AliasName"] == "alias/aws/s3")
    assert "TargetKeyId" not in s3


def test_prefix_required(kms: Any, key_id: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.create_alias(AliasName="noprefix", TargetKeyId=key_id)
    assert error_code(e) == "ValidationException"
    assert error_message(e).startswith('Alias must start with the prefix "alias/".')


def test_reserved_prefix(kms: Any, key_id: str) -> None:
    # Not in botocore's model, so it arrives as a plain ClientError; code as moto and local-kms give it.
    for call in (kms.create_alias, kms.update_alias):
        with pytest.raises(ClientError) as e:
            call(AliasName="alias/aws/mine", TargetKeyId=key_id)
        assert error_code(e) == "NotAuthorizedException"
    with pytest.raises(ClientError) as e:
        kms.delete_alias(AliasName="alias/aws/s3")
    assert error_code(e) == "NotAuthorizedException"


@pytest.mark.parametrize("name", ["alias/has space", "alias/colon:x", "alias/"])
def test_bad_characters(kms: Any, key_id: str, name: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error_code(e) in ("ValidationException", "InvalidAliasNameException")


def test_length_limit(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/" + "a" * 250, TargetKeyId=key_id)
    with pytest.raises(ClientError) as e:
        kms.create_alias(AliasName="alias/" + "a" * 251, TargetKeyId=key_id)
    assert error_code(e) == "ValidationException"


def test_unique_per_account_and_region(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/dup", TargetKeyId=key_id)
    with pytest.raises(kms.exceptions.AlreadyExistsException) as e:
        kms.create_alias(AliasName="alias/dup", TargetKeyId=key_id)
    assert (
        error_message(e)
        == "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/dup already exists"
    )
    west = sim.client("kms", region_name="us-west-2")
    other = west.create_key()["KeyMetadata"]["KeyId"]
    west.create_alias(AliasName="alias/dup", TargetKeyId=other)
    assert west.describe_key(KeyId="alias/dup")["KeyMetadata"]["KeyId"] == other


def test_target_must_be_a_key_not_an_alias(kms: Any, key_id: str) -> None:
    """Issue 10: ValidationException "Aliases must refer to keys. Not aliases" (tests/test_recorded_aws.py)."""
    kms.create_alias(AliasName="alias/a", TargetKeyId=key_id)
    with pytest.raises(ClientError) as exc_info:
        kms.create_alias(AliasName="alias/b", TargetKeyId="alias/a")
    assert error_code(exc_info) == "ValidationException"


def test_fifty_aliases_per_key(kms: Any, key_id: str) -> None:
    for i in range(50):
        kms.create_alias(AliasName=f"alias/n{i}", TargetKeyId=key_id)
    with pytest.raises(kms.exceptions.LimitExceededException):
        kms.create_alias(AliasName="alias/n50", TargetKeyId=key_id)
    assert len(_names(kms, KeyId=key_id)) == 50


def test_update_alias_between_compatible_keys(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    kms.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == other


def test_update_alias_refuses_other_key_type(kms: Any, key_id: str) -> None:
    signer = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as e:
        kms.update_alias(AliasName="alias/app", TargetKeyId=signer)
    assert error_code(e) == "ValidationException"
    assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == key_id


def test_update_missing_alias(kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.update_alias(AliasName="alias/none", TargetKeyId=key_id)
    assert error_message(e) == "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found."


def test_alias_to_pending_deletion_key(kms: Any, key_id: str) -> None:
    kms.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.create_alias(AliasName="alias/late", TargetKeyId=key_id)


def test_aws_managed_key_appears_on_first_use(sim: kmssim.Simulator, kms: Any) -> None:
    assert not any(k for k in kms.list_keys()["Keys"])
    md = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert md["KeyManager"] == "AWS"
    assert kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == md["KeyId"]
    status = kms.get_key_rotation_status(KeyId=md["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 365
    s3 = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/s3")
    assert s3["TargetKeyId"] == md["KeyId"]


def test_unknown_aws_alias_is_not_found(kms: Any) -> None:
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/aws/not-a-service")
