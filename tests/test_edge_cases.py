"""Edge cases found in review: each once raised an internal error, leaked a secret or differed from AWS."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

from .conftest import error_code, error_message

OTHER = "444455556666"


def test_spec_botocore_knows_but_kmssim_does_not(kms: Any) -> None:
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.create_key(KeySpec="ML_KEM_512", KeyUsage="ENCAPSULATE_DECAPSULATE")


def test_direct_call_accepts_text_for_blobs_as_botocore_does(sim: kmssim.Simulator, key_id: str) -> None:
    blob = sim.call("Encrypt", {"KeyId": key_id, "Plaintext": "hello"})["CiphertextBlob"]
    assert sim.call("Decrypt", {"CiphertextBlob": blob})["Plaintext"] == b"hello"
    with pytest.raises(kmssim.InvalidCiphertextException):
        sim.call("Decrypt", {"CiphertextBlob": "garbage"})


def test_validation_messages_never_repeat_secrets(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    token = kms.create_grant(KeyId=key_id, GranteePrincipal=sim.root(), Operations=["Decrypt"])["GrantToken"]
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=[token] * 11)
    assert error_code(e) == "ValidationException" and token not in error_message(e)
    with pytest.raises(kmssim.ValidationException) as v:
        sim.call("Encrypt", {"KeyId": key_id, "Plaintext": b"TOPSECRET" * 500})
    assert "TOPSECRET" not in str(v.value)
    assert "Value at 'plaintext' failed to satisfy constraint" in str(v.value)
    dumped = json.dumps([ev.to_dict() for ev in sim.trail()])
    assert token not in dumped and "TOPSECRET" not in dumped


def test_update_alias_between_rsa_and_ecc_signing_keys(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    ecc_key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/signer", TargetKeyId=rsa_key)
    kms.update_alias(AliasName="alias/signer", TargetKeyId=ecc_key)  # both asymmetric, same usage
    assert kms.describe_key(KeyId="alias/signer")["KeyMetadata"]["KeyId"] == ecc_key


def test_decide_changes_nothing(sim: kmssim.Simulator) -> None:
    before = json.dumps(sim.to_json(), sort_keys=True)
    with pytest.raises(kmssim.NotFoundException):
        sim.decide(sim.root(), "kms:Encrypt", "alias/aws/ebs")  # a question does not create the managed key
    assert json.dumps(sim.to_json(), sort_keys=True) == before


def test_throttling_state_survives_save_and_load(tmp_path: Path) -> None:
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    kms = sim.client("kms")
    for _ in range(5):
        kms.create_key()
    restored = kmssim.Simulator.load(sim.save(tmp_path / "s.json"))
    with pytest.raises(ClientError) as e:
        restored.client("kms").create_key()
    assert error_code(e) == "ThrottlingException"


@pytest.mark.parametrize("seed", ["abc", 1.5, True])
def test_seed_must_be_an_integer(seed: Any) -> None:
    with pytest.raises(ValueError, match="seed must be an integer"):
        kmssim.Simulator(seed=seed)


def _damaged(tmp_path: Path, edit: Any) -> Path:
    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key, GranteePrincipal=sim.root(), Operations=["Decrypt"])
    data = sim.to_json()
    edit(data)
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["operations"]["keys"][0].update(materials=[]),
        lambda d: d["operations"]["keys"][0]["materials"][0].update(seed="!!!"),
        lambda d: d["operations"]["keys"][0].update(rotation_enabled=True, rotation_period_days=None),
        lambda d: d["operations"]["keys"][0].update(state="Bogus"),
        lambda d: d["operations"]["keys"][0].update(key_usage="SIGN_VERIFY"),
        lambda d: d["operations"].update(keys=[]),
        lambda d: d.update(requests=[[1]]),
        lambda d: d.update(enforce_quotas="false"),
    ],
    ids=[
        "no-material",
        "bad-seed",
        "rotation-fields",
        "state",
        "usage",
        "dangling-token",
        "requests",
        "flag",
    ],
)
def test_damaged_state_is_refused_on_load(tmp_path: Path, edit: Any) -> None:
    with pytest.raises(ValueError, match="damaged"):
        kmssim.Simulator.load(_damaged(tmp_path, edit))


def test_list_retirable_grants_includes_other_accounts_keys() -> None:
    sim = kmssim.Simulator(seed=2)
    retiring = "arn:aws:iam::111122223333:role/Retirer"
    owner = sim.client("kms", principal=f"arn:aws:iam::{OTHER}:root")
    key = owner.create_key()["KeyMetadata"]["KeyId"]
    grant = owner.create_grant(
        KeyId=key, GranteePrincipal=retiring, RetiringPrincipal=retiring, Operations=["Decrypt"]
    )
    listed = sim.client("kms").list_retirable_grants(RetiringPrincipal=retiring)["Grants"]
    assert [g["GrantId"] for g in listed] == [grant["GrantId"]]


def test_dry_run_ignore_ciphertext_checks_authorization_only(kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.DryRunOperationException):
        kms.decrypt(
            CiphertextBlob=b"garbage", KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]
        )
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=b"garbage", KeyId=key_id, DryRun=True)


@pytest.mark.parametrize(
    ("call", "limit"), [("list_aliases", 101), ("list_keys", 1001), ("list_resource_tags", 51)]
)
def test_list_limits(kms: Any, key_id: str, call: str, limit: int) -> None:
    kwargs: dict[str, Any] = {"Limit": limit}
    if call == "list_resource_tags":
        kwargs["KeyId"] = key_id
    with pytest.raises(ClientError) as e:
        getattr(kms, call)(**kwargs)
    assert error_code(e) == "ValidationException"


def test_grant_constraint_limits(kms: Any, key_id: str) -> None:
    root = "arn:aws:iam::111122223333:root"
    nine = {f"k{i}": "v" for i in range(9)}
    for constraints in ({"EncryptionContextEquals": nine}, {"EncryptionContextSubset": {"k": "v" * 385}}):
        with pytest.raises(ClientError) as e:
            kms.create_grant(
                KeyId=key_id, GranteePrincipal=root, Operations=["Decrypt"], Constraints=constraints
            )
        assert error_code(e) == "ValidationException"
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_trail_names_the_alias_in_its_own_account() -> None:
    sim = kmssim.Simulator(seed=3)
    owner = sim.client("kms", principal=f"arn:aws:iam::{OTHER}:root")
    key = owner.create_key()["KeyMetadata"]["KeyId"]
    owner.create_alias(AliasName="alias/shared", TargetKeyId=key)
    alias_arn = f"arn:aws:kms:us-east-1:{OTHER}:alias/shared"
    with pytest.raises(ClientError):
        sim.client("kms").encrypt(KeyId=alias_arn, Plaintext=b"x")  # the key policy trusts only its account
    assert sim.trail()[-1].alias == alias_arn


def test_list_grants_with_malformed_grant_id(kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.InvalidGrantIdException):
        kms.list_grants(KeyId=key_id, GrantId="nope")


def test_arn_of_another_partition_is_not_found(kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId=f"arn:aws-cn:kms:us-east-1:111122223333:key/{key_id}")


def test_ids_do_not_depend_on_the_call_path() -> None:
    via_client = kmssim.Simulator(seed=8).client("kms").create_key()["KeyMetadata"]["KeyId"]
    via_call = kmssim.Simulator(seed=8).call("CreateKey", {})["KeyMetadata"]["KeyId"]
    assert via_client == via_call
    noisy = kmssim.Simulator(seed=8)
    with pytest.raises(kmssim.NotFoundException):
        noisy.call("DescribeKey", {"KeyId": "alias/missing"})  # a failed call draws only from the ID stream
    assert noisy.call("CreateKey", {})["KeyMetadata"]["KeyId"] == via_call


def test_saved_file_is_an_ordinary_file(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = kmssim.Simulator(seed=1).save(tmp_path / "state.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("kwargs", [{"days": float("inf")}, {"days": float("nan")}, {"days": 10**10}])
def test_advance_refuses_impossible_steps(sim: kmssim.Simulator, kwargs: dict[str, float]) -> None:
    before = sim.now
    with pytest.raises(ValueError):
        sim.advance(**kwargs)
    assert sim.now == before
