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
from ._fields import Fields
from ._ops import Request

THROTTLED_MESSAGE = (
    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
)


class QuotaGate:
    """Counters of the current window of every (account, Region, quota)."""

    __slots__ = ("_limits", "buckets")

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str, str], tuple[int, int]] = {}  # quota -> (window index, count)
        self._limits: dict[tuple[str | None, ...], tuple[tuple[str, float, int, float], ...]] = {}

    def _quotas(
        self,
        operation: str,
        key_spec: str | None,
        pair: str | None,
        region: str,
        store_type: str | None = None,
    ) -> tuple[tuple[str, float, int, float], ...]:
        """(quota name, window seconds, requests allowed per window) for a kind of request, from the table;
        ``store_type``: the custom key store type of the key, whose own quota is added."""
        ident = (operation, key_spec, pair, region, store_type)
        found = self._limits.get(ident)
        if found is None:
            from .pricing import EstimateInputError, quota_limits_for

            try:
                limits = quota_limits_for(operation, key_spec, pair, region, custom_key_store_type=store_type)
            except EstimateInputError:
                limits = []  # parameters no quota applies to; the operation itself gives the AWS error
            found = tuple(
                (name, window, max(1, math.floor(rate * window + 1e-9)), rate)
                for name, rate in limits
                for window in (max(1.0, 1.0 / rate),)
            )
            self._limits[ident] = found
        return found

    def admit(
        self, req: Request, key_spec: str | None, now: float, store: tuple[str, str] | None = None
    ) -> None:
        """Count the request against each quota it falls under, or raise ThrottlingException. ReplicateKey
        also counts 2 CreateKey requests in the replica Region, UpdatePrimaryRegion 1 request in the new
        primary Region (requests-per-second.html). ``store``: (type, ID) of the custom key store the request
        uses, whose quota is counted per store ("per CloudHSM key store", "per external key store")."""
        pair = req.params.get("KeyPairSpec") if req.operation.startswith("GenerateDataKeyPair") else None
        charges = [(req.operation, key_spec, pair, req.region, 1)]
        other = req.params.get("ReplicaRegion") or req.params.get("PrimaryRegion")
        if req.operation == "ReplicateKey" and isinstance(other, str):
            charges.append(("CreateKey", None, None, other, 2))
        elif req.operation == "UpdatePrimaryRegion" and isinstance(other, str):
            charges.append((req.operation, key_spec, None, other, 1))
        wanted: dict[tuple[str, str, str], tuple[float, int, int]] = {}
        for operation, spec, spec_pair, region, n in charges:
            for name, window, allowed, _ in self._quotas(operation, spec, spec_pair, region):
                ident = (req.account, region, name)
                wanted[ident] = (window, allowed, wanted.get(ident, (0.0, 0, 0))[2] + n)
        if store is not None:
            shared = {q[0] for q in self._quotas(req.operation, key_spec, pair, req.region)}
            for name, window, allowed, _ in self._quotas(req.operation, key_spec, pair, req.region, store[0]):
                if name not in shared:
                    wanted[(req.account, req.region, f"{name} {store[1]}")] = (window, allowed, 1)
        self._count(wanted, now)

    def _count(self, wanted: dict[tuple[str, str, str], tuple[float, int, int]], now: float) -> None:
        """Add ``n`` to each quota's current window, or raise ThrottlingException and count nothing."""
        counted: dict[tuple[str, str, str], tuple[int, int]] = {}
        for ident, (window, allowed, n) in wanted.items():
            index = math.floor(now / window)
            seen_index, seen = self.buckets.get(ident, (index, 0))
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
