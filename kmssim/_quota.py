"""The quota gate: request quotas per one-second interval, enforced when a simulator is made with
``enforce_quotas=True`` (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).

Within one simulated second at most ``limit`` requests of a quota pass; a quota below one per second allows one
request per ``1/limit`` seconds. A request that breaks a quota is not counted, nor (``choices.FAILED_REQUESTS_USE_QUOTA``)
one that fails later. The limits of each kind of request are looked up once in the quota table and kept.
"""

from __future__ import annotations

import math
from typing import Any

from ._errors import ThrottlingException
from ._models import Fields
from ._ops import Request

THROTTLED_MESSAGE = (
    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
)


class QuotaGate:
    """Counters of the current window of every (account, Region, quota)."""

    __slots__ = ("_limits", "buckets")

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str, str], tuple[int, int]] = {}  # quota -> (window index, count)
        self._limits: dict[
            tuple[str, str | None, str | None, str], tuple[tuple[str, float, int, float], ...]
        ] = {}

    def _quotas(
        self, operation: str, key_spec: str | None, pair: str | None, region: str
    ) -> tuple[tuple[str, float, int, float], ...]:
        """(quota name, window seconds, requests allowed per window) for a kind of request, from the table."""
        ident = (operation, key_spec, pair, region)
        found = self._limits.get(ident)
        if found is None:
            from .pricing import EstimateInputError, quota_limits_for

            try:
                limits = quota_limits_for(operation, key_spec, pair, region)
            except EstimateInputError:
                limits = []  # parameters no quota applies to; the operation itself gives the AWS error
            found = tuple(
                (name, window, max(1, math.floor(rate * window + 1e-9)), rate)
                for name, rate in limits
                for window in (max(1.0, 1.0 / rate),)
            )
            self._limits[ident] = found
        return found

    def admit(self, req: Request, key_spec: str | None, now: float) -> None:
        """Count the request against each quota it falls under, or raise ThrottlingException. ReplicateKey
        also counts 2 CreateKey requests in the replica Region, UpdatePrimaryRegion 1 request in the new
        primary Region (requests-per-second.html)."""
        pair = req.params.get("KeyPairSpec") if req.operation.startswith("GenerateDataKeyPair") else None
        charges = [(req.operation, key_spec, pair, req.region, 1)]
        other = req.params.get("ReplicaRegion") or req.params.get("PrimaryRegion")
        if req.operation == "ReplicateKey" and isinstance(other, str):
            charges.append(("CreateKey", None, None, other, 2))
        elif req.operation == "UpdatePrimaryRegion" and isinstance(other, str):
            charges.append((req.operation, key_spec, None, other, 1))
        counted: dict[tuple[str, str, str], tuple[int, int]] = {}
        for operation, spec, spec_pair, region, n in charges:
            for name, window, allowed, _ in self._quotas(operation, spec, spec_pair, region):
                index = math.floor(now / window)
                ident = (req.account, region, name)
                seen_index, seen = counted.get(ident) or self.buckets.get(ident, (index, 0))
                count = seen if seen_index == index else 0
                if count + n > allowed:
                    raise ThrottlingException(THROTTLED_MESSAGE)
                counted[ident] = (index, count + n)
        self.buckets.update(counted)

    def to_json(self) -> list[list[Any]]:
        return [[*k, index, count] for k, (index, count) in self.buckets.items()]

    def load(self, f: Fields, name: str) -> None:
        shape = "[account, Region, quota name, window index, count]"
        for _, row in f.rows(name, shape, _valid_row):
            self.buckets[(row[0], row[1], row[2])] = (row[3], row[4])


def _valid_row(row: list[Any]) -> bool:
    return (
        len(row) == 5
        and all(isinstance(x, str) for x in row[:3])
        and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in row[3:])
    )
