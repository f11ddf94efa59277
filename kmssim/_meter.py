"""Metering: how many requests of each kind the simulated account made, by month, for the bill.

One count per successful request, keyed by (month, account, Region, operation, key spec, data key pair spec):
what the pricing page prices a request by (https://aws.amazon.com/kms/pricing/). A failed request is not counted
(the simulator meters only calls that succeed; AWS does not say whether failed requests are billed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from ._catalog import OPERATIONS
from ._models import DamagedState, Fields
from ._ops import Request

RequestKind = tuple[str, str, str, str, str | None, str | None]
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])\Z")


class Meter:
    """The request counts of a simulator."""

    __slots__ = ("_month", "counts")

    def __init__(self) -> None:
        self.counts: defaultdict[RequestKind, int] = defaultdict(int)
        self._month: tuple[datetime | None, str] = (None, "")

    def month(self, now: datetime) -> str:
        """``now`` as "YYYY-MM" (cached per clock reading: it is on every call's path)."""
        if self._month[0] != now:
            self._month = (now, f"{now.year:04d}-{now.month:02d}")
        return self._month[1]

    def count(self, req: Request, now: datetime) -> None:
        """Count one successful request. It is priced by the key it used: for ReEncrypt, the asymmetric one if
        either is (a request that references an asymmetric key is priced as one)."""
        op = OPERATIONS[req.operation]
        keys = req.keys
        key = keys[0] if keys else None
        if req.operation == "ReEncrypt" and len(keys) > 1 and not keys[-1].spec.symmetric_encryption:
            key = keys[-1]
        pair = req.params.get("KeyPairSpec") if op.data_key_pair else None
        spec = key.key_spec if key is not None and not op.keyless else None
        self.counts[(self.month(now), req.account, req.region, req.operation, spec, pair)] += 1

    def rows(self, account: str) -> list[dict[str, Any]]:
        """The counts of ``account`` for ``Simulator.usage``, in a stable order."""
        return [
            {
                "month": month,
                "region": region,
                "operation": op,
                "key_spec": spec,
                "key_pair_spec": pair,
                "count": n,
            }
            for (month, acct, region, op, spec, pair), n in sorted(
                self.counts.items(), key=lambda kv: tuple(str(x) for x in kv[0])
            )
            if acct == account
        ]

    def to_json(self) -> list[list[Any]]:
        return [[*k, n] for k, n in self.counts.items()]

    def load(self, f: Fields, name: str) -> None:
        """Read the rows ``to_json`` wrote; DamagedState for anything it cannot have written."""
        shape = "[month YYYY-MM, account, Region, operation, key spec, pair, count]"
        for at, row in f.rows(name, shape, _valid_row):
            ident: RequestKind = (row[0], row[1], row[2], row[3], row[4], row[5])
            if ident in self.counts:
                raise DamagedState(at, "a second row for the same month, account, Region and request kind")
            self.counts[ident] = row[6]


def _valid_row(row: list[Any]) -> bool:
    return (
        len(row) == 7
        and isinstance(row[0], str)
        and bool(_MONTH.match(row[0]))
        and all(isinstance(x, str) for x in row[1:4])
        and all(x is None or isinstance(x, str) for x in row[4:6])
        and not isinstance(row[6], bool)
        and isinstance(row[6], int)
        and row[6] >= 1
    )
