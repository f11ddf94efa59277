"""Virtual time: the one clock of a simulator and its queue of scheduled events (SimPy's heap).

Nothing in kmssim reads the wall clock. Time stands still until :meth:`Clock.run_until` moves it; the events that
fall due on the way (a key's automatic rotation, the end of a deletion's waiting period) run then, in time order.
Events are scheduled when the state that makes them due is set (EnableKeyRotation, ScheduleKeyDeletion, ...) and
never found by rescanning the keys, so moving time costs one heap operation per event, whatever the number of keys.

An entry that its key no longer warrants (rotation disabled, deletion cancelled, a newer date scheduled) stays in
the heap and is dropped when it comes up: the runner checks each entry against the key before acting, and
:meth:`Clock.schedule` keeps one current date per (key, kind), so a key rescheduled many times costs nothing more.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter

#: The kinds of scheduled events, as they appear in the trail (CloudTrail logs each with the KMS service as caller).
ROTATE = "RotateKey"
DELETE = "DeleteKey"
#: The end of a multi-Region key's transient state: a new replica leaves Creating, the two keys of an
#: UpdatePrimaryRegion leave Updating. CloudTrail shows KMS's synchronization of multi-Region keys as
#: ``SynchronizeMultiRegionKey`` (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).
SYNC = "SynchronizeMultiRegionKey"
#: Imported key material reaching its ValidTo: KMS deletes it (ct-deleteexpiredkeymaterial.html).
EXPIRE_MATERIAL = "DeleteExpiredKeyMaterial"


_kind_of = itemgetter(0)
_arn_of = itemgetter(1)


class Clock:
    """The simulated time and the scheduled events. Events due at the same instant run in (kind, key ARN) order;
    the heap holds each distinct instant once, with the events due then in a list beside it, so the many keys a
    training session creates at one simulated moment cost one sort, not a string comparison per heap step."""

    __slots__ = ("_current", "_due", "_times", "now")

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._times: list[float] = []  # a heap of POSIX times that have events
        self._due: dict[float, list[tuple[str, str, datetime]]] = {}  # time -> [(kind, key ARN, when)]
        self._current: dict[tuple[str, str], datetime] = {}  # (key ARN, kind) -> the date that counts

    def schedule(self, when: datetime, kind: str, arn: str) -> None:
        """Make ``when`` the date of the ``kind`` event of key ``arn`` (replacing an earlier one)."""
        ident = (arn, kind)
        if self._current.get(ident) != when:
            self._current[ident] = when
            stamp = when.timestamp()
            bucket = self._due.get(stamp)
            if bucket is None:
                bucket = self._due[stamp] = []
                heapq.heappush(self._times, stamp)
            bucket.append((kind, arn, when))

    def run_until(self, target: datetime, run: Callable[[str, str, datetime], None]) -> None:
        """Move to ``target``, calling ``run(kind, arn, when)`` for each current event due by then, in time order
        (ties by kind, then key ARN), with the clock showing the event's time. ``run`` may schedule more."""
        times, due, current = self._times, self._due, self._current
        limit = target.timestamp()
        while times and times[0] <= limit:
            stamp = times[0]
            bucket = due[stamp]
            # By kind, then key ARN: two stable sorts on plain strings, which Python compares far faster than
            # the (kind, ARN, when) tuples (all of one bucket's events fall at the same instant).
            bucket.sort(key=_arn_of)
            bucket.sort(key=_kind_of)
            due[stamp] = []  # events ``run`` adds at this same instant wait for the next pass
            for kind, arn, when in bucket:
                ident = (arn, kind)
                if current.get(ident) != when:
                    continue  # superseded by a later schedule
                del current[ident]
                if when > self.now:
                    self.now = when
                run(kind, arn, when)
            if not due[stamp]:
                del due[stamp]
                heapq.heappop(times)
        self.now = target

    def clear(self) -> None:
        """Forget every scheduled event (before loading a saved state, which schedules its own)."""
        self._times.clear()
        self._due.clear()
        self._current.clear()

    def __len__(self) -> int:
        return len(self._current)
