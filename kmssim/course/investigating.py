"""Notebook 10, investigating with the trail: a week of activity to investigate, a picture of the trail over time,
and the incident exercises' checks.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html (KMS events in
CloudTrail), https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html
(detecting use of a key pending deletion), https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html
(CancelKeyDeletion leaves the key Disabled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from typing import cast as as_type

from ._feedback import Feedback, not_yet, right
from .style import DENIED, HIGHLIGHT, NEUTRAL

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kmssim import AuditEvent, Simulator, Trail

__all__ = ["WeekCast", "check_rescued", "check_suspect", "plot_trail", "run_week"]

#: Management events drawn as stars in the trail picture.
_MANAGEMENT = frozenset(
    {"ScheduleKeyDeletion", "CancelKeyDeletion", "DisableKey", "EnableKey", "PutKeyPolicy"}
)


@dataclass(frozen=True)
class WeekCast:
    """Who does what in the week: the principals and keys the notebook created."""

    payroll_key: str
    archive_key: str
    payroll_app: str
    analyst: str
    admin: str
    contractor: str
    archive_job: str


def run_week(sim: Simulator, cast: WeekCast) -> None:
    """Play seven days of traffic from the simulator's current time, in time order.

    Every morning at 06:00 the payroll app decrypts payroll (``dataset=payroll``); on weekdays the analyst decrypts
    reports at 10:00 and 15:00; every night at 01:00 the archive job decrypts the archive; on day 2 at 16:30 the
    admin schedules the archive key's deletion (7 days); on day 4 at 02:13 the contractor decrypts payroll.
    Failed calls (the archive job after the deletion is scheduled) are in the trail with their error code.
    """
    start = sim.now
    root: Any = sim.client("kms")
    payroll = root.encrypt(
        KeyId=cast.payroll_key, Plaintext=b"payroll 2026-01", EncryptionContext={"dataset": "payroll"}
    )
    reports = root.encrypt(
        KeyId=cast.payroll_key, Plaintext=b"monthly report", EncryptionContext={"dataset": "reports"}
    )
    archive = root.encrypt(
        KeyId=cast.archive_key, Plaintext=b"archive index", EncryptionContext={"dataset": "archive"}
    )
    blobs = {
        "payroll": payroll["CiphertextBlob"],
        "reports": reports["CiphertextBlob"],
        "archive": archive["CiphertextBlob"],
    }

    schedule: list[tuple[timedelta, str, str]] = []
    for day in range(7):
        d = timedelta(days=day)
        schedule.append((d + timedelta(hours=1), cast.archive_job, "archive"))
        schedule.append((d + timedelta(hours=6), cast.payroll_app, "payroll"))
        if (start + d).weekday() < 5:
            schedule.append((d + timedelta(hours=10), cast.analyst, "reports"))
            schedule.append((d + timedelta(hours=15), cast.analyst, "reports"))
    schedule.append((timedelta(days=1, hours=16, minutes=30), cast.admin, "schedule-deletion"))
    schedule.append((timedelta(days=3, hours=2, minutes=13), cast.contractor, "payroll"))
    schedule.sort(key=lambda s: s[0])

    for offset, who, what in schedule:
        sim.advance(seconds=(start + offset - sim.now).total_seconds())
        client: Any = sim.client("kms", principal=who)
        try:
            if what == "schedule-deletion":
                client.schedule_key_deletion(KeyId=cast.archive_key, PendingWindowInDays=7)
            else:
                client.decrypt(CiphertextBlob=blobs[what], EncryptionContext={"dataset": what})
        except client.exceptions.ClientError:
            pass  # the trail records the failure with its error code, which is what the learner investigates
    sim.advance(seconds=(start + timedelta(days=7) - sim.now).total_seconds())


def cast_any(value: object) -> Any:
    return value


def _label(principal: str) -> str:
    """``role/PayrollApp``, ``user/Dana``, ``root``: the part of the ARN after the account."""
    return principal.rsplit(":", 1)[-1]


def plot_trail(trail: Trail) -> Figure:
    """The trail over time: one row per principal; successful calls, failed calls, and management events."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    principals = sorted({e.principal for e in trail}, key=_label, reverse=True)
    row = {p: i for i, p in enumerate(principals)}
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(principals) + 1.4), dpi=80)
    plt.close(fig)  # detached: pyplot forgets it, the notebook shows it as the cell's value
    groups: tuple[tuple[str, str, str, Callable[[AuditEvent], bool]], ...] = (
        ("succeeded", NEUTRAL, "o", lambda e: e.succeeded and e.event_name not in _MANAGEMENT),
        ("failed", DENIED, "x", lambda e: not e.succeeded),
        ("key management", HIGHLIGHT, "*", lambda e: e.succeeded and e.event_name in _MANAGEMENT),
    )
    for label, colour, marker, keep in groups:
        chosen = [e for e in trail if keep(e)]
        if chosen:
            ax.scatter(
                as_type(Any, [e.event_time for e in chosen]),  # matplotlib plots datetimes
                [row[e.principal] for e in chosen],
                color=colour,
                marker=marker,
                s=60 if marker == "*" else 28,
                label=label,
            )
    ax.set_yticks(range(len(principals)), [_label(p) for p in principals])
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))  # type: ignore[no-untyped-call]
    ax.set_xlabel("simulated time (UTC)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=3, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _as_time(value: object) -> datetime | None:
    from datetime import UTC

    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def check_suspect(sim: Simulator, cast: WeekCast, principal: object, when: object) -> Feedback:
    """The exercise: who, other than the payroll app, decrypted payroll data, and when (to the minute)."""
    odd = [
        e
        for e in sim.trail()
        if e.event_name == "Decrypt"
        and e.succeeded
        and e.encryption_context.get("dataset") == "payroll"
        and e.principal != cast.payroll_app
    ]
    if not isinstance(principal, str) or not principal.startswith("arn:"):
        return not_yet(f"give the principal as its ARN (the trail's principal column), got {principal!r}.")
    if principal == cast.payroll_app:
        return not_yet("the payroll app is allowed to decrypt payroll: look for another principal.")
    match = [e for e in odd if e.principal == principal]
    if not match:
        return not_yet(
            f"{principal.rsplit('/', 1)[-1]} never decrypted payroll data. Filter the trail on event Decrypt and "
            "encryption context dataset=payroll."
        )
    t = _as_time(when)
    if t is None:
        return not_yet(
            f"give the time as the trail shows it (for example '2026-01-01T06:00:00Z'), got {when!r}."
        )
    if not any(abs(e.event_time - t) < timedelta(minutes=1) for e in match):
        return not_yet(
            f"right principal, but {principal.rsplit('/', 1)[-1]} did not decrypt payroll at {when}."
        )
    return right(
        f"{principal.rsplit('/', 1)[-1]} decrypted payroll at {match[0].event_time:%Y-%m-%d %H:%M} UTC, outside the "
        "payroll app's schedule. Next questions: is that role still needed, and who gave it kms:Decrypt?"
    )


def check_rescued(sim: Simulator, key_id: str) -> Feedback:
    """The exercise: the key pending deletion is rescued: deletion cancelled, key enabled again, nothing lost."""
    found = {k.arn: k for k in sim.inventory(include_deleted=True)}
    summary = next((k for k in found.values() if key_id in (k.arn, k.key_id)), None)
    if summary is None:
        return not_yet(f"no key {key_id!r} in this simulator: give the archive key's ID or ARN.")
    if summary.state == "PendingDeletion":
        return not_yet(
            f"the key is still PendingDeletion (deletion on {summary.deletion_date:%Y-%m-%d %H:%M} UTC): call "
            "cancel_key_deletion(KeyId=...)."
        )
    if summary.state == "Disabled":
        return not_yet(
            "the deletion is cancelled, which leaves the key Disabled: call enable_key(KeyId=...) too."
        )
    if summary.state != "Enabled":
        return not_yet(f"the key is {summary.state}: once deleted, nothing can bring it back, nor the data.")
    cancelled = any(
        e.event_name == "CancelKeyDeletion" and e.succeeded and summary.arn in e.resources
        for e in sim.trail()
    )
    if not cancelled:
        return not_yet(
            "the key is Enabled, but the trail shows no CancelKeyDeletion for it: was it the right key?"
        )
    return right(
        "the deletion is cancelled and the key is Enabled again: the archive job can decrypt once more, and the data "
        "encrypted under the key is safe."
    )
