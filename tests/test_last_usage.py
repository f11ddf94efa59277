"""GetKeyLastUsage: the last successful cryptographic operation of a key, joined to the trail and the response
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html)."""

from __future__ import annotations

import botocore.exceptions
import pytest

import kmssim
from kmssim._catalog import OPERATIONS

TRACKED = {
    "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign",
    "Verify", "VerifyMac", "Encapsulate", "Decapsulate",
}  # fmt: skip


def test_the_tracked_operations_are_the_models_enum() -> None:
    """botocore's KeyLastUsageTrackingOperation lists exactly the catalog's cryptographic operations."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("kms")
    assert set(model.shape_for("KeyLastUsageTrackingOperation").enum) == TRACKED
    assert {n for n, op in OPERATIONS.items() if op.crypto} == TRACKED


def test_a_new_key_has_an_empty_record_and_tracking_from_its_creation() -> None:
    sim = kmssim.Simulator(seed=2)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]
    got = kms.get_key_last_usage(KeyId=key["KeyId"])
    assert got["KeyLastUsage"] == {}
    assert got["TrackingStartDate"] == got["KeyCreationDate"] == key["CreationDate"]


def test_the_last_successful_operation_with_its_event_and_request_ids() -> None:
    sim = kmssim.Simulator(seed=2)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    sim.advance(hours=2)
    decrypted = kms.decrypt(CiphertextBlob=blob)
    kms.describe_key(KeyId=key_id)  # not cryptographic: not recorded
    with pytest.raises(botocore.exceptions.ClientError):
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"wrong": "context"})  # failed: not recorded
    last = kms.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    event = next(e for e in sim.trail() if e.request_id == decrypted["ResponseMetadata"]["RequestId"])
    assert last == {
        "Operation": "Decrypt",
        "Timestamp": event.event_time,
        "CloudTrailEventId": event.event_id,
        "KmsRequestId": event.request_id,
    }


def test_re_encrypt_records_both_keys_and_dry_run_records_nothing() -> None:
    sim = kmssim.Simulator(seed=2)
    kms = sim.client("kms")
    source, dest = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    blob = kms.encrypt(KeyId=source, Plaintext=b"x")["CiphertextBlob"]
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=dest)
    for key in (source, dest):
        assert kms.get_key_last_usage(KeyId=key)["KeyLastUsage"]["Operation"] == "ReEncrypt"
    third = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(botocore.exceptions.ClientError, match="DryRunOperation"):
        kms.encrypt(KeyId=third, Plaintext=b"x", DryRun=True)
    assert kms.get_key_last_usage(KeyId=third)["KeyLastUsage"] == {}


def test_every_key_state_answers_and_aliases_are_refused() -> None:
    sim = kmssim.Simulator(seed=2)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id)
    assert kms.get_key_last_usage(KeyId=key_id)["KeyId"].endswith(key_id)
    with pytest.raises(botocore.exceptions.ClientError):
        kms.get_key_last_usage(KeyId="alias/app")


def test_the_record_survives_save_and_load() -> None:
    sim = kmssim.Simulator(seed=2)
    key_id = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    sim.call("GenerateDataKey", {"KeyId": key_id, "KeySpec": "AES_256"})
    again = kmssim.Simulator.from_json(sim.to_json())
    assert again.call("GetKeyLastUsage", {"KeyId": key_id}) == sim.call("GetKeyLastUsage", {"KeyId": key_id})
