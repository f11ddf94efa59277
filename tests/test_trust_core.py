"""Regressions of issue 7 in the simulator core: each test failed before its fix.

Rules: "Bad input gets a clear error and nothing changes" (the developers' guide); CloudTrail logs failed calls
with their error (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html); grant
tokens are secrets (https://docs.aws.amazon.com/kms/latest/developerguide/grant-tokens.html).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import kmssim
from kmssim._simulator import CLOCK_LIMIT

ALICE = "arn:aws:iam::111122223333:user/Alice"


def _state(sim: kmssim.Simulator) -> dict[str, Any]:
    """The saved state without the trail and the event-ID stream (a failed call is logged, as in CloudTrail)."""
    data = sim.to_json()
    del data["trail"], data["id_random"]
    return data


def _key(sim: kmssim.Simulator, **params: Any) -> str:
    return str(sim.call("CreateKey", params)["KeyMetadata"]["KeyId"])


# ---------------------------------------------------------------- 3: nothing kept aliases the caller's objects


def test_clearing_the_constraint_dict_after_create_grant_does_not_widen_the_grant() -> None:
    sim = kmssim.Simulator(seed=3)
    key = _key(sim)
    sim.add_principal(ALICE)
    subset = {"app": "orders"}
    sim.call(
        "CreateGrant",
        {
            "KeyId": key,
            "GranteePrincipal": ALICE,
            "Operations": ["Encrypt"],
            "Constraints": {"EncryptionContextSubset": subset},
        },
    )
    subset.clear()
    grant = sim.call("ListGrants", {"KeyId": key})["Grants"][0]
    assert grant["Constraints"] == {"EncryptionContextSubset": {"app": "orders"}}
    grant["Constraints"]["EncryptionContextSubset"].clear()  # nor does changing a response
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, principal=ALICE)


def test_the_trail_keeps_a_copy_of_the_encryption_context() -> None:
    sim = kmssim.Simulator(seed=3)
    key = _key(sim)
    context = {"table": "orders"}
    sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x", "EncryptionContext": context})
    context["table"] = "changed"
    event = sim.trail()[-1]
    assert event.encryption_context == {"table": "orders"}
    assert event.request_parameters["EncryptionContext"] == {"table": "orders"}


# ---------------------------------------------------------------- 6: integrity relations checked on load


def _saved(tmp_path: Path, sim: kmssim.Simulator, edit: Any) -> Path:
    data = sim.to_json()
    edit(data)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    return path


def test_a_damaged_key_material_seed_is_refused_naming_the_field(tmp_path: Path) -> None:
    sim = kmssim.Simulator(seed=6)
    _key(sim)

    def flip(data: dict[str, Any]) -> None:
        m = data["operations"]["keys"][0]["materials"][0]
        m["seed"] = ("B" if m["seed"][0] == "A" else "A") + m["seed"][1:]

    with pytest.raises(kmssim.DataFileError, match=r"materials\[0\]\.material_id.*hash of the seed"):
        kmssim.Simulator.load(_saved(tmp_path, sim, flip))


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda d: d["operations"]["keys"][0].update(arn=d["operations"]["keys"][0]["arn"][:-1] + "0"),
            "arn",
        ),
        (lambda d: d["operations"]["keys"][0].update(on_demand_rotations=1), "on_demand_rotations"),
        (lambda d: d["operations"]["aliases"][0].update(target_key_id="0" * 36), "target_key_id"),
        (lambda d: d["operations"]["grant_tokens"][0].__setitem__(0, "AAAA"), "grant_tokens[0]"),
        (lambda d: d["operations"].update(grant_tokens=[]), "grant_tokens"),
        (lambda d: d["id_random"].update(seed=7), "id_random.seed"),
        (lambda d: d["principals"][0].update(account="444455556666"), "principals[0].account"),
        (lambda d: d["trail"][0].update(eventTime="2030-01-01T00:00:00Z"), "trail[0].eventTime"),
    ],
)
def test_broken_relations_are_refused_naming_the_field(tmp_path: Path, edit: Any, field: str) -> None:
    sim = kmssim.Simulator(seed=6)
    key = _key(sim)
    sim.add_principal(ALICE)
    sim.call("CreateAlias", {"AliasName": "alias/a", "TargetKeyId": key})
    sim.call("CreateGrant", {"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]})
    with pytest.raises(kmssim.DataFileError, match="damaged") as e:
        kmssim.Simulator.load(_saved(tmp_path, sim, edit))
    assert field in str(e.value)


# ---------------------------------------------------------------- 7: the trail is always JSON-safe


def test_a_failed_call_with_bytes_does_not_break_save(tmp_path: Path) -> None:
    sim = kmssim.Simulator(seed=7)
    with pytest.raises(kmssim.ValidationException):
        sim.call("DescribeKey", {"KeyId": b"abc"})
    with pytest.raises(kmssim.ValidationException):
        sim.call("ListAliases", {"KeyId": object(), "Limit": 10**400})
    restored = kmssim.Simulator.load(sim.save(tmp_path / "s.json"))
    assert restored.to_json() == sim.to_json()
    assert sim.trail()[0].request_parameters == {"KeyId": "<bytes>"}


# ---------------------------------------------------------------- 8: no secret in any message, trail or file


@pytest.mark.parametrize(
    ("operation", "params", "secret"),
    [
        ("Encrypt", {"GrantTokens": "TOKEN-SECRET-123"}, "TOKEN-SECRET-123"),
        ("Encrypt", {"GrantTokens": [b"TOKEN-SECRET-123"]}, "TOKEN-SECRET-123"),
        ("Encrypt", {"Plaintext": ["my", "secret-words"]}, "secret-words"),
        ("RetireGrant", {"GrantToken": b"TOKEN-SECRET-123"}, "TOKEN-SECRET-123"),
        ("Sign", {"Message": ["secret-words"], "SigningAlgorithm": "RSASSA_PSS_SHA_256"}, "secret-words"),
    ],
)
def test_secrets_are_never_repeated(
    tmp_path: Path, operation: str, params: dict[str, Any], secret: str
) -> None:
    sim = kmssim.Simulator(seed=8)
    key = _key(sim)
    with pytest.raises(kmssim.ValidationException) as e:
        sim.call(operation, {"KeyId": key, "Plaintext": b"x", **params})
    assert secret not in str(e.value)
    assert secret not in sim.save(tmp_path / "s.json").read_text()


# ---------------------------------------------------------------- 9: a failed call changes nothing


def test_create_key_refused_for_its_policy_does_not_draw_the_key_id() -> None:
    clean, dirty = kmssim.Simulator(seed=9), kmssim.Simulator(seed=9)
    lockout = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}
            ],
        }
    )
    dirty.add_principal(ALICE)
    clean.add_principal(ALICE)
    with pytest.raises(kmssim.MalformedPolicyDocumentException):
        dirty.call("CreateKey", {"Policy": lockout})
    assert _state(dirty) == _state(clean)
    assert _key(dirty) == _key(clean)


def test_a_bad_context_draws_no_iv_or_data_key() -> None:
    clean, dirty = kmssim.Simulator(seed=9), kmssim.Simulator(seed=9)
    rsa = {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}
    for s in (clean, dirty):
        key = _key(s)
    rsa_key = _key(clean, **rsa)
    assert _key(dirty, **rsa) == rsa_key
    with pytest.raises(kmssim.ValidationException):
        dirty.call("Encrypt", {"KeyId": key, "Plaintext": b"x", "EncryptionContext": {"a": "\ud800"}})
    with pytest.raises(kmssim.InvalidKeyUsageException):
        dirty.call(
            "GenerateDataKey", {"KeyId": rsa_key, "KeySpec": "AES_256", "EncryptionContext": {"a": "b"}}
        )
    with pytest.raises(kmssim.ValidationException):
        dirty.call(
            "Encrypt",
            {
                "KeyId": rsa_key,
                "Plaintext": b"x",
                "EncryptionContext": {"a": "b"},
                "EncryptionAlgorithm": "RSAES_OAEP_SHA_256",
            },
        )
    assert _state(dirty) == _state(clean)
    blobs = [s.call("GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256"}) for s in (clean, dirty)]
    assert blobs[0]["Plaintext"] == blobs[1]["Plaintext"]


def test_a_failing_call_naming_an_aws_managed_alias_creates_no_key() -> None:
    sim = kmssim.Simulator(seed=9)
    before = _state(sim)
    # the AWS managed key policy allows use through the service only (kms:ViaService): denied either way
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call(
            "Encrypt", {"KeyId": "alias/aws/s3", "Plaintext": b"x", "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}
        )
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("Encrypt", {"KeyId": "alias/aws/s3", "Plaintext": b"x"}, principal=ALICE)
    assert _state(sim) == before
    assert sim.inventory() == []


def test_a_failed_call_uses_no_request_quota() -> None:
    sim = kmssim.Simulator(seed=9, enforce_quotas=True)
    before = _state(sim)
    with pytest.raises(kmssim.NotFoundException):
        sim.call("DescribeKey", {"KeyId": "alias/missing"})
    assert _state(sim) == before


# ---------------------------------------------------------------- 10: load and save edges


def test_deeply_nested_json_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(kmssim.DataFileError, match="nested too deeply"):
        kmssim.Simulator.load(path)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["operations"]["aliases"][0].update(name=5),  # once: ListAliases TypeError
        lambda d: d["trail"][0].update(encryptionContext=[]),  # once: to_dataframe AttributeError
        lambda d: d["operations"]["keys"][0]["materials"][0].update(
            material_id=5
        ),  # once: Encrypt ValueError
        lambda d: d["operations"]["keys"][0].update(rotation_period_days="90"),  # once: advance TypeError
        lambda d: d["requests"][0].__setitem__(0, 202601),  # once: bill() errors
        lambda d: d["operations"]["keys"][0].update(created="2026-01-01"),
        lambda d: d["quota_buckets"].append(["111122223333", "us-east-1", "x", 1.0, 1.0]),
        lambda d: d.update(extra=1),
    ],
)
def test_wrongly_typed_fields_are_refused_on_load(tmp_path: Path, edit: Any) -> None:
    sim = kmssim.Simulator(seed=10)
    key = _key(sim)
    sim.call("CreateAlias", {"AliasName": "alias/a", "TargetKeyId": key})
    sim.call("EnableKeyRotation", {"KeyId": key})
    with pytest.raises(kmssim.DataFileError, match="damaged"):
        kmssim.Simulator.load(_saved(tmp_path, sim, edit))


def test_save_load_save_is_byte_identical_with_quotas(tmp_path: Path) -> None:
    sim = kmssim.Simulator(seed=10, enforce_quotas=True)
    for _ in range(3):
        _key(sim)
    first = sim.save(tmp_path / "a.json").read_bytes()
    again = kmssim.Simulator.load(tmp_path / "a.json").save(tmp_path / "b.json").read_bytes()
    assert again == first


def test_saving_onto_a_symlink_writes_through_it(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    sim = kmssim.Simulator(seed=10)
    assert sim.save(link) == link
    assert link.is_symlink() and json.loads(real.read_text())["format"] == "kmssim-state"


def test_saving_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as e:
        kmssim.Simulator(seed=10).save(tmp_path / "missing" / "s.json")
    assert e.value.filename == str(tmp_path / "missing")
    assert ".tmp" not in str(e.value)


@pytest.mark.parametrize(
    "start", ["2025-01-01", "2025-01-01T00:00:00Z", "2025-01-01T01:00:00+01:00", date(2025, 1, 1)]
)
def test_start_accepts_iso_strings_and_dates(start: Any) -> None:
    assert kmssim.Simulator(start=start).now == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("start", ["2025-01-01T00:00:00", "soon", 5, "9999-06-01"])
def test_start_refuses_what_it_cannot_read(start: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="start"):
        kmssim.Simulator(start=start)


# ---------------------------------------------------------------- internal errors become AWS errors


@pytest.mark.parametrize(
    "params",
    [
        {"EncryptionContext": "abc"},
        {"EncryptionContext": [1]},
        {"EncryptionContext": {1: "a"}},
        {"EncryptionAlgorithm": bytearray(b"SYMMETRIC_DEFAULT")},
        {"Plaintext": "\udc80"},
        {"Plaintext": bytearray(b"x"), "EncryptionContext": {"\ud800": "x"}},
        {"KeyId": ["alias/x"]},
        {"GrantTokens": [[[[[]]]]] * 2},
    ],
)
def test_bad_values_through_call_give_validation_exception(params: dict[str, Any]) -> None:
    sim = kmssim.Simulator(seed=11)
    key = _key(sim)
    before = _state(sim)
    with pytest.raises(kmssim.ValidationException):
        sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x", **params})
    assert _state(sim) == before
    assert sim.trail()[-1].error_code == "ValidationException"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("Encrypt", "abc"), {}), ((5, {}), {}), (("ListKeys", {}), {"principal": 5}), (("ListKeys", [1]), {})],
)
def test_misusing_call_itself_is_a_type_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    sim = kmssim.Simulator(seed=11)
    with pytest.raises(TypeError, match="must be"):
        sim.call(*args, **kwargs)
    assert len(sim.trail()) == 0


def test_the_clock_stops_at_its_documented_limit() -> None:
    sim = kmssim.Simulator(seed=12, start=CLOCK_LIMIT)
    key = _key(sim)
    sim.call("EnableKeyRotation", {"KeyId": key, "RotationPeriodInDays": 2560})
    sim.call("DescribeKey", {"KeyId": "alias/aws/s3"})  # first use creates the AWS managed key
    sim.call("ScheduleKeyDeletion", {"KeyId": key})
    with pytest.raises(ValueError, match="latest it can show"):
        sim.advance(seconds=1)
    assert sim.now == CLOCK_LIMIT


def test_an_internal_failure_is_answered_as_kms_internal_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kmssim bug still answers as AWS answers its own failures, and leaves the state as it was."""
    sim = kmssim.Simulator(seed=13)
    key = _key(sim)
    before = _state(sim)

    def broken(*_: Any, **__: Any) -> bytes:
        raise ZeroDivisionError("secret-ish detail")

    monkeypatch.setattr(kmssim._crypto, "encrypt_symmetric", broken)
    with pytest.raises(kmssim.KMSError) as e:
        sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})
    assert e.value.code == "KMSInternalException" and "secret-ish" not in str(e.value)
    assert _state(sim) == before


def test_a_deletion_date_near_year_9999_is_refused_not_an_overflow(tmp_path: Path) -> None:
    """Found by tests/test_save_load.py: a damaged scheduling time once raised OverflowError on load."""
    sim = kmssim.Simulator(seed=14)
    key = _key(sim)
    sim.call("ScheduleKeyDeletion", {"KeyId": key})

    def edit(d: dict[str, Any]) -> None:
        d["operations"]["keys"][0]["deletion_scheduled_at"] = "9999-12-31T23:59:59Z"

    with pytest.raises(kmssim.DataFileError, match="deletion_date"):
        kmssim.Simulator.load(_saved(tmp_path, sim, edit))
