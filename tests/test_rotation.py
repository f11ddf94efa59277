"""Rotation on the simulated clock: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html and
https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html, API_RotateKeyOnDemand.html."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

from .conftest import error_code, error_message


def test_enable_rotation_default_period(kms: Any, key_id: str) -> None:
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True
    assert status["RotationPeriodInDays"] == 365
    assert status["NextRotationDate"] == datetime(2027, 1, 1, tzinfo=UTC)


def test_rotation_period_range(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=2561)
    assert error_code(e) == "ValidationException"
    assert "Member must have value less than or equal to 2560" in error_message(e)
    # botocore itself refuses 89 before sending (the model's minimum); the service refuses it too.
    with pytest.raises(kmssim.ValidationException, match="greater than or equal to 90"):
        sim.call("EnableKeyRotation", {"KeyId": key_id, "RotationPeriodInDays": 89})
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_automatic_rotation_happens_as_time_passes(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"first")["CiphertextBlob"]
    sim.advance(days=89)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    sim.advance(days=1 + 90)
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC", "AUTOMATIC"]
    assert [r["RotationDate"] for r in rotations] == [
        datetime(2026, 4, 1, tzinfo=UTC),
        datetime(2026, 6, 30, tzinfo=UTC),
    ]
    assert [r["KeyMaterialState"] for r in rotations] == ["NON_CURRENT", "CURRENT"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"first"
    assert len(sim.trail().filter(event_name="RotateKey")) == 2


def test_disabled_key_is_not_rotated_and_resumes_its_schedule(
    sim: kmssim.Simulator, kms: Any, key_id: str
) -> None:
    # GetKeyRotationStatus: less than a year since the last rotation -> the prior schedule resumes.
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.disable_key(KeyId=key_id)
    sim.advance(days=200)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    kms.enable_key(KeyId=key_id)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == datetime(2026, 9, 28, tzinfo=UTC)


def test_material_older_than_a_year_rotates_on_enable(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    # GetKeyRotationStatus: not rotated in one year -> rotated immediately on EnableKey, logged like any rotation.
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=2560)
    kms.disable_key(KeyId=key_id)
    sim.advance(days=400)
    kms.enable_key(KeyId=key_id)
    assert [e.event_name for e in sim.trail()][-2:] == ["EnableKey", "RotateKey"]
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationDate"] for r in rotations] == [sim.now]


def test_on_demand_conflicts_with_imminent_automatic_rotation(
    sim: kmssim.Simulator, kms: Any, key_id: str
) -> None:
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    sim.advance(days=89, hours=23, minutes=45)
    with pytest.raises(kms.exceptions.ConflictException):
        kms.rotate_key_on_demand(KeyId=key_id)
    sim.advance(minutes=30)
    kms.rotate_key_on_demand(KeyId=key_id)
    assert [r["RotationType"] for r in kms.list_key_rotations(KeyId=key_id)["Rotations"]] == [
        "AUTOMATIC",
        "ON_DEMAND",
    ]


def test_all_key_material_listing(kms: Any, key_id: str) -> None:
    kms.rotate_key_on_demand(KeyId=key_id)
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert len(everything) == 2 and "RotationType" not in everything[0]


def test_on_demand_limit(kms: Any, key_id: str) -> None:
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key_id)
    with pytest.raises(kms.exceptions.LimitExceededException) as e:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert "on-demand rotations limit has been reached" in error_message(e)
    assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) == 25


@pytest.mark.parametrize(
    ("spec", "usage"), [("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")]
)
def test_rotation_only_for_symmetric_keys(kms: Any, spec: str, usage: str) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.enable_key_rotation(KeyId=key)
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.rotate_key_on_demand(KeyId=key)


def test_rotation_on_disabled_key(kms: Any, key_id: str) -> None:
    kms.disable_key(KeyId=key_id)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.enable_key_rotation(KeyId=key_id)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.rotate_key_on_demand(KeyId=key_id)


def test_pending_deletion_reads_false_and_cancel_restores(kms: Any, key_id: str) -> None:
    kms.enable_key_rotation(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_advance_refuses_going_back(sim: kmssim.Simulator) -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        sim.advance(days=-1)
