"""The simulated world: seeding, the clock, the trail, save and load, failed calls changing nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import kmssim


def _script(sim: kmssim.Simulator) -> list[Any]:
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same", EncryptionContext={"a": "b"})["CiphertextBlob"]
    dk = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    sig = kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    pss = kms.sign(KeyId=rsa_key, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    grant = kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::111122223333:role/R", Operations=["Decrypt"]
    )
    sim.advance(days=1)
    return [
        key["KeyId"],
        key["CreationDate"],
        blob,
        dk["Plaintext"],
        dk["CiphertextBlob"],
        sig,
        pss,
        grant["GrantToken"],
    ]


def test_same_seed_same_everything() -> None:
    assert _script(kmssim.Simulator(seed=42)) == _script(kmssim.Simulator(seed=42))


def test_different_seed_differs() -> None:
    a, b = _script(kmssim.Simulator(seed=1)), _script(kmssim.Simulator(seed=2))
    assert a[0] != b[0] and a[2] != b[2]


def test_unseeded_uses_fresh_randomness() -> None:
    a, b = kmssim.Simulator(), kmssim.Simulator()
    assert (
        a.client("kms").create_key()["KeyMetadata"]["KeyId"]
        != b.client("kms").create_key()["KeyMetadata"]["KeyId"]
    )


def test_start_time_and_advance() -> None:
    sim = kmssim.Simulator(seed=0, start=datetime(2030, 5, 1, tzinfo=UTC))
    assert sim.now == datetime(2030, 5, 1, tzinfo=UTC)
    sim.advance(hours=36)
    assert sim.now == datetime(2030, 5, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs", [{"account_id": "123"}, {"region": "moon-1"}, {"start": datetime(2026, 1, 1)}]
)
def test_bad_simulator_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        kmssim.Simulator(**kwargs)


def test_trail_records_calls_without_secrets(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    blob = kms.encrypt(KeyId="alias/app", Plaintext=b"TOPSECRET", EncryptionContext={"dept": "x"})[
        "CiphertextBlob"
    ]
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"dept": "y"})
    events = sim.trail()
    assert [e.event_name for e in events] == ["CreateKey", "CreateAlias", "Encrypt", "Decrypt"]
    enc = events[2]
    assert enc.alias == "arn:aws:kms:us-east-1:111122223333:alias/app"
    assert enc.encryption_context == {"dept": "x"}
    assert enc.principal == "arn:aws:iam::111122223333:root"
    assert enc.resources[0].endswith(key_id)
    assert events[3].error_code == "InvalidCiphertextException"
    dumped = json.dumps([e.to_dict() for e in events])
    assert "TOPSECRET" not in dumped and "VE9QU0VDUkVU" not in dumped
    key = sim.ops.keys[enc.resources[0]]
    assert key.current_material.seed.hex() not in dumped
    assert key.current_material.seed.hex() not in repr(key) and "seed" not in repr(key.current_material)
    frame = events.to_dataframe()
    assert list(frame["result"]) == ["OK", "OK", "OK", "InvalidCiphertextException"]
    assert "<table>" in events._repr_html_()


def _state(sim: kmssim.Simulator) -> str:
    data = sim.to_json()
    data.pop("trail")
    data.pop("random")
    data.pop("id_random")
    return json.dumps(data, sort_keys=True)


@pytest.mark.parametrize(
    ("op", "params"),
    [
        ("CreateKey", {"KeySpec": "HMAC_256"}),
        ("CreateKey", {"Tags": [{"TagKey": "aws:x", "TagValue": "1"}]}),
        ("CreateAlias", {"AliasName": "alias/aws/x", "TargetKeyId": "KEY"}),
        ("ScheduleKeyDeletion", {"KeyId": "KEY", "PendingWindowInDays": 3}),
        ("TagResource", {"KeyId": "KEY", "Tags": [{"TagKey": f"t{i}", "TagValue": ""} for i in range(60)]}),
        ("EnableKeyRotation", {"KeyId": "KEY", "RotationPeriodInDays": 10}),
        (
            "CreateGrant",
            {"KeyId": "KEY", "GranteePrincipal": "arn:aws:iam::111122223333:role/R", "Operations": ["Sign"]},
        ),
        ("PutKeyPolicy", {"KeyId": "KEY", "Policy": "{not json"}),
        ("Encrypt", {"KeyId": "KEY", "Plaintext": b"x", "DryRun": True}),
    ],
)
def test_failed_call_changes_nothing(
    sim: kmssim.Simulator, key_id: str, op: str, params: dict[str, Any]
) -> None:
    params = {k: (key_id if v == "KEY" else v) for k, v in params.items()}
    before = _state(sim)
    billed = sim.usage()["requests"]
    with pytest.raises(kmssim.KMSError):
        sim.call(op, params)
    if params.get("DryRun"):
        # A DryRun request is billed ("billed as a standard API request", programming-dryrun.html): it is
        # metered, like its trail event is logged; nothing else changes.
        after = json.loads(_state(sim))
        new = [r for r in sim.usage()["requests"] if r not in billed]
        assert [(r["operation"], r["count"]) for r in new] == [("Encrypt", 1)]
        after["requests"] = json.loads(before)["requests"]
        assert json.dumps(after, sort_keys=True) == before
        return
    assert _state(sim) == before


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    sim = kmssim.Simulator(seed=5)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/keep", TargetKeyId=key)
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    blob = kms.encrypt(KeyId=key, Plaintext=b"resume me")["CiphertextBlob"]
    sim.advance(days=100)
    path = sim.save(tmp_path / "state.json")
    restored = kmssim.Simulator.load(path)
    assert restored.now == sim.now
    kms2 = restored.client("kms")
    assert kms2.decrypt(CiphertextBlob=blob)["Plaintext"] == b"resume me"
    assert kms2.describe_key(KeyId="alias/keep")["KeyMetadata"]["KeyId"] == key
    assert not list(tmp_path.glob(".*.tmp"))


def test_load_refuses_corrupt_and_foreign_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ truncated")
    with pytest.raises(ValueError, match="not a kmssim state file"):
        kmssim.Simulator.load(bad)
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(ValueError, match="not a kmssim state file"):
        kmssim.Simulator.load(bad)
    sim = kmssim.Simulator(seed=1)
    sim.client("kms").create_key()
    data = sim.to_json()
    data["version"] = 99
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="version 99"):
        kmssim.Simulator.load(bad)
    data = sim.to_json()
    del data["operations"]["keys"][0]["key_spec"]
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="damaged"):
        kmssim.Simulator.load(bad)


def test_save_is_atomic_when_serialising_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = kmssim.Simulator(seed=1)
    target = tmp_path / "state.json"
    sim.save(target)
    original = target.read_text()
    sim.client("kms").create_key()

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        sim.save(target)
    assert target.read_text() == original
    assert not list(tmp_path.glob(".*.tmp"))


def test_inventory_reads_without_logging_or_metering(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/inv", TargetKeyId=key_id)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=other, PendingWindowInDays=7)
    trail_before, usage_before = len(sim.trail()), sim.usage()["requests"]
    inventory = {k.key_id: k for k in sim.inventory()}
    assert len(sim.trail()) == trail_before and sim.usage()["requests"] == usage_before
    assert inventory[key_id].aliases == ("alias/inv",)
    assert inventory[key_id].rotation_period_days == 90 and inventory[key_id].next_rotation is not None
    assert inventory[other].state == "PendingDeletion" and inventory[other].deletion_date is not None
    sim.advance(days=7)
    assert [k.key_id for k in sim.inventory()] == [key_id]
    assert [k.state for k in sim.inventory(include_deleted=True)] == ["Enabled", "Deleted"]


def test_principals_lists_registered_arns(sim: kmssim.Simulator) -> None:
    sim.add_principal("arn:aws:iam::111122223333:user/A")
    sim.add_principal("arn:aws:iam::444455556666:role/B", tags={"team": "x"})
    assert sim.principals() == ["arn:aws:iam::111122223333:user/A", "arn:aws:iam::444455556666:role/B"]
    with pytest.raises(ValueError, match="not an IAM or STS principal"):
        sim.add_principal("alice")
