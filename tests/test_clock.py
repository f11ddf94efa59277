"""The simulated clock's queue (kmssim/_clock.py): events due at one instant reach their runner together, kind by
kind in key-ARN order, each checked to be still current as it is reached; moving time in one step or in many gives
the same world. Rotation: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html; deletion:
https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kmssim

# What is done to each key before time moves: rotate every 90 or 91 days, disable it, change its period from 90
# to 120 days (so its queued date is superseded), or schedule its deletion (7 days).
_FATES = st.sampled_from(["rotate90", "rotate91", "disabled", "reperiod", "delete"])


def _world(fates: list[str]) -> tuple[kmssim.Simulator, Any, list[str]]:
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    ids = []
    for fate in fates:
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        ids.append(key)
        if fate != "delete":
            kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=91 if fate == "rotate91" else 90)
        if fate == "reperiod":
            kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=120)  # supersedes the queued date
        if fate == "disabled":
            kms.disable_key(KeyId=key)
        if fate == "delete":
            kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    return sim, kms, ids


def _seen(sim: kmssim.Simulator, kms: Any, ids: list[str]) -> tuple[list[dict[str, Any]], list[Any]]:
    trail = [e.to_dict() for e in sim.trail()]
    keys: list[Any] = []
    for key in ids:
        try:
            state = kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
        except kms.exceptions.NotFoundException:
            keys.append("deleted")
            continue
        keys.append((state, kms.list_key_rotations(KeyId=key)["Rotations"] if state == "Enabled" else None))
    return trail, keys


@settings(max_examples=25, deadline=None)
@given(st.lists(_FATES, min_size=1, max_size=8), st.lists(st.integers(1, 120), min_size=1, max_size=6))
def test_one_step_or_many_give_the_same_world(fates: list[str], steps: list[int]) -> None:
    whole, whole_kms, whole_ids = _world(fates)
    split, split_kms, split_ids = _world(fates)
    whole.advance(days=sum(steps))
    for days in steps:
        split.advance(days=days)
    assert whole.now == split.now
    assert _seen(whole, whole_kms, whole_ids) == _seen(split, split_kms, split_ids)


def test_events_of_one_instant_run_by_kind_then_key_arn() -> None:
    # Six keys created together: three rotate and three are deleted at the same instant, day 90 (the deletions'
    # 7-day waiting periods start on day 83).
    sim = kmssim.Simulator(seed=2)
    kms = sim.client("kms")
    rotating = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(3)]
    for arn in rotating:
        kms.enable_key_rotation(KeyId=arn, RotationPeriodInDays=90)
    deleting = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(3)]
    sim.advance(days=83)
    for arn in deleting:
        kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    before = len(sim.trail())
    sim.advance(days=7)
    events = [(e.event_name, e.resources[0], e.event_time) for e in sim.trail()[before:]]
    # DeleteKey sorts before RotateKey; within a kind, by key ARN; all at the one instant.
    assert events == [("DeleteKey", arn, sim.now) for arn in sorted(deleting)] + [
        ("RotateKey", arn, sim.now) for arn in sorted(rotating)
    ]


def test_the_queue_holds_one_current_date_per_key_and_kind() -> None:
    # An event that has run leaves the queue's current dates: after a year, each rotating key's next rotation is
    # all that is queued, and a deleted key leaves nothing.
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    for _ in range(3):
        kms.enable_key_rotation(KeyId=kms.create_key()["KeyMetadata"]["KeyId"], RotationPeriodInDays=90)
    kms.schedule_key_deletion(KeyId=kms.create_key()["KeyMetadata"]["KeyId"], PendingWindowInDays=7)
    assert len(sim._clock) == 4
    sim.advance(days=365)
    assert len(sim.trail().filter(event_name="RotateKey")) == 12
    assert len(sim.trail().filter(event_name="DeleteKey")) == 1
    assert len(sim._clock) == 3


def test_an_instant_given_in_another_zone_keeps_the_clock_in_utc() -> None:
    # ``sim.call`` takes an aware datetime in any zone. An imported material's ValidTo of 02:00+02:00, superseded
    # by a later import, still queues that instant: a key rotating then must show UTC dates, not +02:00.
    from datetime import timedelta, timezone

    from .test_imported import _wrap

    sim = kmssim.Simulator(seed=11)
    instant = sim.now + timedelta(days=90)
    external = sim.call("CreateKey", {"Origin": "EXTERNAL"})["KeyMetadata"]["KeyId"]
    for valid_to in (instant.astimezone(timezone(timedelta(hours=2))), instant + timedelta(days=1)):
        params = {"KeyId": external, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}
        wrapping = sim.call("GetParametersForImport", params)
        sim.call(
            "ImportKeyMaterial",
            {
                "KeyId": external,
                "ImportToken": wrapping["ImportToken"],
                "EncryptedKeyMaterial": _wrap(wrapping["PublicKey"], "RSAES_OAEP_SHA_256", b"\x01" * 32),
                "ValidTo": valid_to,
                "ExpirationModel": "KEY_MATERIAL_EXPIRES",
            },
        )
    rotating = sim.call("CreateKey", {})["KeyMetadata"]["Arn"]
    sim.call("EnableKeyRotation", {"KeyId": rotating, "RotationPeriodInDays": 90})
    sim.advance(days=90)
    event = sim.trail().filter(event_name="RotateKey")[-1]
    assert event.event_time == instant and event.event_time.utcoffset() == timedelta(0)
    rotations = sim.call("ListKeyRotations", {"KeyId": rotating})["Rotations"]
    assert [r["RotationDate"].utcoffset() for r in rotations] == [timedelta(0)]
    status = sim.call("GetKeyRotationStatus", {"KeyId": rotating})
    assert status["NextRotationDate"] == instant + timedelta(days=90)
    assert status["NextRotationDate"].utcoffset() == timedelta(0)


def test_an_interrupted_advance_leaves_each_rotation_it_made_on_the_trail(monkeypatch: Any) -> None:
    # Ctrl-C in a notebook during a long advance: the rotations already made are on the trail, one event each.
    from kmssim._ops import rotation

    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms")
    arns = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(5)]
    for arn in arns:
        kms.enable_key_rotation(KeyId=arn, RotationPeriodInDays=90)
    real, calls = rotation.rotate, []

    def interrupted_at_the_fourth(kms_: Any, key: Any, kind: str) -> Any:
        calls.append(key.arn)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(kms_, key, kind)

    monkeypatch.setattr(rotation, "rotate", interrupted_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        sim.advance(days=91)
    rotated = [arn for arn in arns if len(sim.ops.keys[arn].materials) > 1]
    assert len(rotated) == 3
    assert sorted(e.resources[0] for e in sim.trail().filter(event_name="RotateKey")) == sorted(rotated)


def test_instants_a_microsecond_apart_stay_apart_late_in_the_clocks_range() -> None:
    # In the year 9000 a POSIX time as a float cannot tell microseconds apart; the queue keys instants by the
    # datetime itself, so six keys created a microsecond apart rotate each at its own instant, not together.
    sim = kmssim.Simulator(seed=9, start="9000-01-01T00:00:00.000001Z")
    kms = sim.client("kms")
    for _ in range(6):
        kms.enable_key_rotation(KeyId=kms.create_key()["KeyMetadata"]["Arn"], RotationPeriodInDays=90)
        sim.advance(seconds=0.000001)
    sim.advance(days=90, seconds=-0.000006)  # the first key's rotation instant, exactly
    assert [e.event_time.microsecond for e in sim.trail().filter(event_name="RotateKey")] == [1]
    sim.advance(seconds=0.000005)
    assert [e.event_time.microsecond for e in sim.trail().filter(event_name="RotateKey")] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_a_naive_date_is_refused_and_changes_nothing() -> None:
    # ``Simulator.schedule`` is on the public Simulator: a datetime without a zone would be read as local time and
    # never equal an aware one, so it is refused before it touches the queue.
    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms")
    rotating = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
    other = kms.create_key()["KeyMetadata"]["Arn"]
    due = sim.ops.keys[rotating].next_rotation
    assert due is not None
    with pytest.raises(ValueError, match="no time zone"):
        sim.schedule(due.replace(tzinfo=None), "DeleteKey", other)
    assert len(sim._clock) == 1
    sim.advance(days=100)
    assert [e.resources[0] for e in sim.trail().filter(event_name="RotateKey")] == [rotating]
