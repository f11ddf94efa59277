"""Virtual time: the one clock of a simulator and its queue of scheduled events (SimPy's heap).

Nothing in kmssim reads the wall clock. Time stands still until :meth:`Clock.run_until` moves it; the events that
fall due on the way (a key's automatic rotation, the end of a deletion's waiting period) run then, in time order.
Events are scheduled when the state that makes them due is set (EnableKeyRotation, ScheduleKeyDeletion, ...) and
never found by rescanning the keys, so moving time costs a few dictionary operations per event and one heap
operation per distinct instant, whatever the number of keys. The events of one kind due at one instant (a fleet
created together rotates together) go to their runner in one call, which loops over them.

An entry that its key no longer warrants (rotation disabled, deletion cancelled, a newer date scheduled) stays in
the queue and is dropped when it comes up: :meth:`Clock.schedule` keeps one current date per (kind, key), the
clock hands out only entries whose date is still current, and the runner checks each key before acting, so a key
rescheduled many times costs nothing more.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
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
    training session creates at one simulated moment cost one sort, not a comparison per heap step, and reach
    their runner together, one call per kind."""

    __slots__ = ("_current", "_due", "_times", "now")

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._times: list[datetime] = []  # a heap of the instants that have events
        self._due: dict[datetime, list[tuple[str, str]]] = {}  # instant -> [(kind, key ARN)]
        self._current: dict[str, dict[str, datetime]] = {}  # kind -> key ARN -> the date that counts

    def schedule(self, when: datetime, kind: str, arn: str) -> None:
        """Make ``when`` the date of the ``kind`` event of key ``arn`` (replacing an earlier one). ``when`` is kept
        in UTC: the runners act at it, and a date given in another zone (an imported material's ValidTo) must not
        make the clock or the dates it sets show that zone. A naive datetime raises ValueError."""
        if when.tzinfo is not UTC:
            if when.utcoffset() is None:
                raise ValueError(f"{when!r} has no time zone: the simulated clock needs an aware datetime")
            when = when.astimezone(UTC)
        current = self._current.get(kind)
        if current is None:
            current = self._current[kind] = {}
        if current.get(arn) != when:
            current[arn] = when
            bucket = self._due.get(when)
            if bucket is None:
                bucket = self._due[when] = []
                heapq.heappush(self._times, when)
            bucket.append((kind, arn))

    def run_until(self, target: datetime, run: Callable[[str, datetime, Iterator[str]], None]) -> None:
        """Move to ``target``, running the events due by then in time order (ties by kind, then key ARN), with the
        clock showing their time. For each kind due at an instant, ``run(kind, when, arns)`` is called once and
        must exhaust ``arns``, the ARNs of the keys whose ``kind`` event is due then: each is checked to be still
        current as it is reached, as if each event ran alone. ``run`` may schedule more."""
        times, due = self._times, self._due
        while times and times[0] <= target:
            when = times[0]
            bucket = due[when]
            # By kind, then key ARN: two stable sorts on plain strings, which Python compares far faster than
            # the (kind, ARN) tuples.
            bucket.sort(key=_arn_of)
            bucket.sort(key=_kind_of)
            due[when] = []  # events ``run`` adds at this same instant wait for the next pass
            if when > self.now:
                self.now = when
            for kind, entries in groupby(bucket, _kind_of):
                run(kind, when, self._current_arns(entries, self._current[kind], when))
            if not due[when]:
                del due[when]
                heapq.heappop(times)
        self.now = target

    @staticmethod
    def _current_arns(
        entries: Iterable[tuple[str, str]], current: dict[str, datetime], when: datetime
    ) -> Iterator[str]:
        """The ARNs of ``entries`` (of one kind, due at ``when``) that ``when`` is still the date of in
        ``current`` (that kind's dates); each is taken off as it is handed out."""
        for _, arn in entries:
            if current.get(arn) == when:  # else superseded by a later schedule
                del current[arn]
                yield arn

    def clear(self) -> None:
        """Forget every scheduled event (before loading a saved state, which schedules its own)."""
        self._times.clear()
        self._due.clear()
        self._current.clear()

    def __len__(self) -> int:
        """The number of events scheduled (current dates only)."""
        return sum(map(len, self._current.values()))
