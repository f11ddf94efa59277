"""Key last usage: the last successful cryptographic operation of each key (API_GetKeyLastUsage).

The pipeline calls :func:`note_use` after every successful cryptographic operation (the catalog's ``crypto`` rows,
which are exactly botocore's ``KeyLastUsageTrackingOperation`` enum): each key the call used (both keys of a
ReEncrypt) records the operation, its time, its trail event ID and its request ID. Tracking starts when
``choices.KEY_LAST_USAGE_TRACKING_START`` says (default: as soon as the simulated world exists).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from .. import choices
from .._fields import iso
from .._models import Key
from . import operation
from ._kms import Kms, Request


class LastUsage(NamedTuple):
    """One key's last successful cryptographic operation (API_KeyLastUsageData). A named tuple: one is made
    for every cryptographic call."""

    operation: str
    time: datetime
    event_id: str
    request_id: str

    def to_json(self) -> list[str]:
        return [self.operation, iso(self.time), self.event_id, self.request_id]


def tracking_start(key: Key) -> datetime:
    """``TrackingStartDate``: the later of the key's creation and the start of tracking."""
    start = choices.KEY_LAST_USAGE_TRACKING_START
    return key.created if start is None or start < key.created else start


def note_use(kms: Kms, req: Request, now: datetime, event_id: str, request_id: str) -> None:
    """Record a successful cryptographic operation on every key it used, from the tracking start on."""
    for key in req.keys:
        if now >= tracking_start(key):
            kms.last_usage[key.arn] = LastUsage(req.operation, now, event_id, request_id)


@operation("GetKeyLastUsage")
def get_key_last_usage(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GetKeyLastUsage: ``KeyLastUsage`` is an empty object when nothing was recorded; works in every key
    state; not cross-account; aliases are not accepted."""
    key = kms.use_key(req)
    used = kms.last_usage.get(key.arn)
    last: dict[str, Any] = {}
    if used is not None:
        last = {
            "Operation": used.operation,
            "Timestamp": used.time,
            "CloudTrailEventId": used.event_id,
            "KmsRequestId": used.request_id,
        }
    return {
        "KeyId": key.arn,
        "KeyLastUsage": last,
        "TrackingStartDate": tracking_start(key),
        "KeyCreationDate": key.created,
    }
