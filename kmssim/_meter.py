"""Metering: how many requests of each kind the simulated account made, by month, for the bill, and which.

One count per billed request, keyed by (month, account, Region, operation, key spec, data key pair spec): what
the pricing page prices a request by (https://aws.amazon.com/kms/pricing/). Billed: the requests that succeed;
DryRun requests, which "are billed as a standard API request"
(https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html, ``choices.BILL_DRY_RUN``); other
failed requests only when ``choices.BILL_FAILED_REQUESTS`` says so (AWS does not say), and never a throttled one.
Each kind also keeps the request IDs it counted, in order (the same strings as the trail's ``requestID``), so a
bill line leads to its requests and a request to its line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import choices
from ._catalog import OPERATIONS
from ._errors import DryRunOperationException, KMSError, ThrottlingException
from ._fields import DamagedState, Fields
from ._ops import Request

RequestKind = tuple[str, str, str, str, str | None, str | None]
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])\Z")


class Meter:
    """The request counts of a simulator, and the request IDs behind them."""

    __slots__ = ("_month", "counts", "request_ids")

    def __init__(self) -> None:
        self.counts: defaultdict[RequestKind, int] = defaultdict(int)
        #: The IDs of the requests counted, per kind; fewer than the count only for a state saved before kmssim
        #: kept them.
        self.request_ids: defaultdict[RequestKind, list[str]] = defaultdict(list)
        self._month: tuple[datetime | None, str] = (None, "")

    def month(self, now: datetime) -> str:
        """``now`` as "YYYY-MM" (cached per clock reading: it is on every call's path)."""
        if self._month[0] != now:
            self._month = (now, f"{now.year:04d}-{now.month:02d}")
        return self._month[1]

    def count(self, req: Request, now: datetime, request_id: str) -> None:
        """Count one billed request. It is priced by the key it used: for ReEncrypt, the asymmetric one if
        either is (a request that references an asymmetric key is priced as one)."""
        op = OPERATIONS[req.operation]
        keys = req.keys
        key = keys[0] if keys else None
        if req.operation == "ReEncrypt" and len(keys) > 1 and not keys[-1].spec.symmetric_encryption:
            key = keys[-1]
        pair = req.params.get("KeyPairSpec") if op.data_key_pair else None
        spec = key.key_spec if key is not None and not op.keyless else None
        kind = (self.month(now), req.account, req.region, req.operation, spec, pair)
        self.counts[kind] += 1
        self.request_ids[kind].append(request_id)

    def count_failed(self, req: Request, now: datetime, request_id: str, exc: KMSError) -> None:
        """A request that failed with ``exc``: counted when the choices bill it (read at call time)."""
        if isinstance(exc, DryRunOperationException):
            if choices.BILL_DRY_RUN:
                self.count(req, now, request_id)
        elif choices.BILL_FAILED_REQUESTS and not isinstance(exc, ThrottlingException):
            self.count(req, now, request_id)

    def rows(self, account: str, *, request_ids: bool = False) -> list[dict[str, Any]]:
        """The counts of ``account`` for ``Simulator.usage``, in a stable order; with ``request_ids``, each row
        also has the IDs of its requests (a tuple)."""
        out = []
        for kind, n in sorted(self.counts.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
            month, acct, region, op, spec, pair = kind
            if acct != account:
                continue
            row: dict[str, Any] = {
                "month": month,
                "region": region,
                "operation": op,
                "key_spec": spec,
                "key_pair_spec": pair,
                "count": n,
            }
            if request_ids:
                row["request_ids"] = tuple(self.request_ids.get(kind, ()))
            out.append(row)
        return out

    def to_json(self) -> list[list[Any]]:
        """One row per kind: its count, then its request IDs when it has any (a row of a state saved before they
        were kept has none, and is written back as it was read)."""
        out: list[list[Any]] = []
        for k, n in self.counts.items():
            ids = self.request_ids.get(k)
            out.append([*k, n, list(ids)] if ids else [*k, n])
        return out

    def load(self, f: Fields, name: str, trail_ids: Mapping[str, str]) -> None:
        """Read the rows ``to_json`` wrote (without the request IDs before they were kept); DamagedState for
        anything it cannot have written. Every request ID must be a trail event's (``trail_ids``, whose strings
        are shared rather than kept twice) and billed once."""
        shape = "[month YYYY-MM, account, Region, operation, key spec, pair, count(, [request IDs, at least one])]"
        seen: set[str] = set()
        for at, row in f.rows(name, shape, _valid_row):
            ident: RequestKind = (row[0], row[1], row[2], row[3], row[4], row[5])
            if ident in self.counts:
                raise DamagedState(at, "a second row for the same month, account, Region and request kind")
            self.counts[ident] = row[6]
            ids = row[7] if len(row) == 8 else []
            for rid in ids:
                if rid not in trail_ids:
                    raise DamagedState(f"{at}[7]", f"request ID {rid} is in no trail event")
                if rid in seen:
                    raise DamagedState(f"{at}[7]", f"request ID {rid} is billed twice")
                seen.add(rid)
            if ids:
                self.request_ids[ident] = [trail_ids[rid] for rid in ids]


def _valid_row(row: list[Any]) -> bool:
    return (
        len(row) in (7, 8)
        and isinstance(row[0], str)
        and bool(_MONTH.match(row[0]))
        and all(isinstance(x, str) for x in row[1:4])
        and all(x is None or isinstance(x, str) for x in row[4:6])
        and not isinstance(row[6], bool)
        and isinstance(row[6], int)
        and row[6] >= 1
        and (
            len(row) == 7
            or (
                isinstance(row[7], list)
                and 1 <= len(row[7]) <= row[6]
                and all(isinstance(x, str) for x in row[7])
            )
        )
    )
