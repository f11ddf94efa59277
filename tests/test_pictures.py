"""The course's pictures draw what they say: the lit state, the path a decision took, the events of the clock.

Key states: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html; evaluation order:
https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import matplotlib
import pytest
from matplotlib.colors import to_hex

import kmssim
from kmssim.course import pictures
from kmssim.course.style import ALLOWED, DENIED, HIGHLIGHT


def _by_gid(fig: Any) -> dict[str, Any]:
    return {a.get_gid(): a for a in fig.findobj() if a.get_gid()}


def _face(artist: Any) -> str:
    return to_hex(artist.get_facecolor(), keep_alpha=False).upper()


def test_transitions_come_from_the_simulator() -> None:
    edges = set(pictures.key_state_transitions())
    # The key-state page: disable/enable, schedule from either state, cancel leaves the key Disabled, and the
    # waiting period's end deletes it.
    assert ("Enabled", "DisableKey", "Disabled") in edges
    assert ("Disabled", "EnableKey", "Enabled") in edges
    assert ("Enabled", "ScheduleKeyDeletion", "PendingDeletion") in edges
    assert ("Disabled", "ScheduleKeyDeletion", "PendingDeletion") in edges
    assert ("PendingDeletion", "CancelKeyDeletion", "Disabled") in edges
    assert ("PendingDeletion", pictures.WAITING_PERIOD_ENDS, "Deleted") in edges
    assert not any(src == "Deleted" for src, _s, _d in edges)


@pytest.mark.parametrize("state", ["Enabled", "Disabled", "PendingDeletion", "Deleted"])
def test_state_diagram_lights_the_current_state(state: str) -> None:
    parts = _by_gid(pictures.key_state_diagram(state))
    assert _face(parts[f"state:{state}"]) == HIGHLIGHT
    others = [g for g in parts if g.startswith("state:") and g != f"state:{state}"]
    assert len(others) == 3 and all(_face(parts[g]) != HIGHLIGHT for g in others)


def test_state_diagram_refuses_an_unknown_state() -> None:
    with pytest.raises(ValueError, match="Creating"):
        pictures.key_state_diagram("Creating")


def _decisions() -> tuple[kmssim.Simulator, str, dict[str, str]]:
    sim = kmssim.Simulator(seed=3)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]
    nobody = sim.add_principal("arn:aws:iam::111122223333:user/nobody")
    allowed = sim.add_principal(
        "arn:aws:iam::111122223333:user/reader",
        policies=[
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
        ],
    )
    denied = sim.add_principal("arn:aws:iam::111122223333:user/denied")
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    policy["Statement"].append(
        {"Effect": "Deny", "Principal": {"AWS": denied}, "Action": "kms:*", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(policy))
    worker = sim.add_principal("arn:aws:iam::111122223333:role/worker")
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=worker, Operations=["Decrypt"])
    partner = sim.add_principal("arn:aws:iam::444455556666:role/partner")
    return (
        sim,
        key["Arn"],
        {"nobody": nobody, "reader": allowed, "denied": denied, "worker": worker, "partner": partner},
    )


@pytest.mark.parametrize(
    ("who", "action", "exit_gid", "colour"),
    [
        ("denied", "kms:Decrypt", "explicit-deny", DENIED),
        ("partner", "kms:ScheduleKeyDeletion", "cross-account", pictures.IMPLICIT_DENY),
        ("reader", "kms:Decrypt", "identity-policy", ALLOWED),
        ("worker", "kms:Decrypt", "grant", ALLOWED),
        ("nobody", "kms:Decrypt", "nothing-allows", pictures.IMPLICIT_DENY),
    ],
)
def test_decision_path_lights_where_the_decision_left(
    who: str, action: str, exit_gid: str, colour: str
) -> None:
    sim, key_arn, people = _decisions()
    decision = sim.decide(people[who], action, key_arn)
    parts = _by_gid(pictures.decision_path(decision))
    outcome = parts[f"outcome:{exit_gid}"]
    assert _face(outcome) == colour.upper()
    lit_outcomes = [g for g in parts if g.startswith("outcome:") and _face(parts[g]) != "#FFFFFF"]
    assert lit_outcomes == [f"outcome:{exit_gid}"]
    steps = [g.removeprefix("step:") for g in parts if g.startswith("step:")]
    stop = len(steps) if exit_gid == "nothing-allows" else steps.index(exit_gid) + 1
    for i, step in enumerate(steps):
        edge = to_hex(parts[f"step:{step}"].get_edgecolor(), keep_alpha=False).upper()
        assert (edge == HIGHLIGHT) == (i < stop), step


def test_decision_path_root_by_key_policy() -> None:
    sim, key_arn, _people = _decisions()
    decision = sim.decide(sim.root(), "kms:Decrypt", key_arn)
    assert decision.reason == "key-policy"
    assert _face(_by_gid(pictures.decision_path(decision))["outcome:key-policy"]) == ALLOWED


def _lived() -> tuple[kmssim.Simulator, str, str]:
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    kept = kms.create_key(Description="kept")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=kept, RotationPeriodInDays=90)
    gone = kms.create_key(Description="gone")["KeyMetadata"]["KeyId"]
    sim.advance(days=100)
    kms.schedule_key_deletion(KeyId=gone, PendingWindowInDays=7)
    sim.advance(days=8)
    return sim, kept, gone


def test_timeline_marks_each_event_of_the_clock() -> None:
    sim, _kept, _gone = _lived()
    parts = _by_gid(pictures.key_timeline(sim))
    for name in ("CreateKey", "RotateKey", "ScheduleKeyDeletion", "DeleteKey"):
        assert f"event:{name}" in parts
    assert "event:CancelKeyDeletion" not in parts and "now" in parts
    assert to_hex(parts["event:RotateKey"].get_facecolor()[0], keep_alpha=False).upper() == ALLOWED


def test_timeline_of_one_key_and_an_unknown_key() -> None:
    sim, kept, _gone = _lived()
    fig = pictures.key_timeline(sim, [kept])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["kept"]
    assert "event:DeleteKey" not in _by_gid(fig)
    with pytest.raises(ValueError, match="no such key"):
        pictures.key_timeline(sim, ["1234abcd-0000-0000-0000-000000000000"])


def test_trail_over_time_splits_failures() -> None:
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    kms.create_key()
    with contextlib.suppress(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/missing")
    parts = _by_gid(pictures.trail_over_time(sim.trail()))
    assert len(parts["trail:succeeded"].get_offsets()) == 1
    assert len(parts["trail:failed"].get_offsets()) == 1
    assert to_hex(parts["trail:failed"].get_facecolor()[0], keep_alpha=False).upper() == DENIED


def _small_bill() -> Any:
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    return sim.bill()


def test_cost_breakdown_has_a_bar_per_line_and_free_tier_in_green() -> None:
    bill = _small_bill()
    fig = pictures.cost_breakdown(bill, by="line")
    bars = {g: a for g, a in _by_gid(fig).items() if g.startswith("line:")}
    assert len(bars) == len(bill.lines)
    free = [a for g, a in bars.items() if "Free tier" in g]
    assert free and all(_face(a) == ALLOWED and a.get_width() < 0 for a in free)
    assert str(bill.total) in fig.axes[0].get_title()


def test_cost_breakdown_by_kind_sums_the_lines() -> None:
    bill = _small_bill()
    bars = {g.removeprefix("kind:"): a for g, a in _by_gid(pictures.cost_breakdown(bill)).items()}
    kinds = set(bill.lines["price_class"])
    assert set(bars) == {k.replace("_", " ") for k in kinds}
    for kind in kinds:
        want = float(
            sum(v for v, k in zip(bill.lines["USD"], bill.lines["price_class"], strict=True) if k == kind)
        )
        assert bars[kind.replace("_", " ")].get_width() == pytest.approx(want)
    with pytest.raises(ValueError, match="kind"):
        pictures.cost_breakdown(bill, by="month")  # type: ignore[arg-type]


def test_pictures_leave_pyplot_alone() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    pictures.key_state_diagram("Enabled")
    assert plt.get_fignums() == before
    assert matplotlib.get_backend()  # drawn without a display
