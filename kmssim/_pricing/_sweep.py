"""Vectorised pricing of many usage rows at once, for sliders and what-if tables.

Each row is one account-month. Arithmetic is exact integer arithmetic on numpy arrays (prices scaled to
integers, key-hours kept as numerators), so ``total_usd`` equals :func:`estimate`'s total to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._catalog import PRICE_ITEMS, REQUEST_CLASSES
from ._errors import EstimateInputError
from ._estimate import _new_bill
from ._inputs import MAX_COUNT, HoursConvention
from ._tables import PricingTable

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

    IntArray = npt.NDArray[Any]

__all__ = ["SWEEP_COLUMNS", "sweep"]

#: Input columns of :func:`sweep`; every one is optional.
SWEEP_COLUMNS: tuple[str, ...] = ("region", "keys", "key_hours", "rotations", *REQUEST_CLASSES)
_INT64_SAFE = 2**62


def _column(frame: pd.DataFrame, name: str, default: int, upper: int) -> IntArray:
    import numpy as np

    if name not in frame.columns:
        return np.full(len(frame), default, dtype=np.int64)
    values = frame[name].to_numpy()
    if values.dtype.kind == "f":
        if not np.isfinite(values).all() or (values != np.floor(values)).any():
            raise EstimateInputError(name, "non-integer value", "whole numbers")
    elif values.dtype.kind not in "iu":
        raise EstimateInputError(name, str(values.dtype), "a column of whole numbers")
    if len(values) and (values.min() < 0 or values.max() > upper):  # checked before any cast can wrap
        bad = values[(values < 0) | (values > upper)][0]
        raise EstimateInputError(name, bad.item(), f"whole numbers from 0 to {upper:,}")
    values = values.astype(np.int64)
    return values


def _scale(prices: list[Decimal]) -> int:
    places = 0
    for p in prices:
        exponent = p.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return int(10 ** max(places, 2))


def sweep(
    usage: pd.DataFrame | Mapping[str, Any],
    *,
    month: str,
    region: str = "us-east-1",
    free_tier: bool = True,
    hours: HoursConvention = "calendar",
    pricing: PricingTable | None = None,
    rotation_rule: str | None = None,
) -> pd.DataFrame:
    """Price every row of ``usage`` (one account-month each) in one vectorised pass.

    Columns (all optional, missing means 0): ``region`` (else the ``region`` argument), ``keys`` (customer
    managed keys), ``key_hours`` (hours each key is billable, default the whole month), ``rotations``
    (completed rotations per key) and the request counts per price class ``requests_symmetric``,
    ``requests_rsa_2048``, ``requests_asymmetric``, ``requests_gdkp_ecc``, ``requests_gdkp_rsa``.
    Returns one row per input row: the USD of each component (float, unrounded), ``free_tier_usd``
    (negative), ``total_usd`` (rounded half-up to cents) and ``total_cents`` (int).
    Same rules as :func:`estimate`.
    """
    import numpy as np
    import pandas as pd

    bill = _new_bill(month, free_tier, hours, pricing, rotation_rule)
    table = bill.pricing
    if isinstance(usage, pd.DataFrame):
        frame = usage
    elif isinstance(usage, Mapping):
        try:
            frame = pd.DataFrame(dict(usage))
        except (ValueError, TypeError):
            raise EstimateInputError(
                "usage", type(usage).__name__, "a dict of equal-length columns (lists of values)"
            ) from None
    else:
        raise EstimateInputError(
            "usage", usage, f"a DataFrame or a dict of columns, from {list(SWEEP_COLUMNS)}"
        )
    if frame.columns.duplicated().any():
        raise EstimateInputError("usage", list(frame.columns), "each column once")
    unknown = [str(c) for c in frame.columns if c not in SWEEP_COLUMNS]
    if unknown:
        raise EstimateInputError(
            f"column {unknown[0]!r}", unknown[0], f"only the columns {list(SWEEP_COLUMNS)}"
        )
    n = len(frame)
    mh = bill.month_hours
    keys = _column(frame, "keys", 0, MAX_COUNT)
    key_hours = np.minimum(_column(frame, "key_hours", mh, mh), mh)
    rotations = _column(frame, "rotations", 0, MAX_COUNT)
    charged = np.minimum(rotations, 2) if bill.rotation_rule == "first_two_rotations" else rotations
    counts = {c: _column(frame, c, 0, MAX_COUNT) for c in REQUEST_CLASSES}

    if "region" in frame.columns:
        try:
            codes, uniques = pd.factorize(frame["region"], sort=True)
        except TypeError:  # unhashable or unorderable values: not Region codes
            raise EstimateInputError(
                "region", "a column of mixed or unhashable values", "Region codes"
            ) from None
        if (codes < 0).any():
            raise EstimateInputError("region", None, "a Region in every row")
        regions = [table.known_regions.check(r) for r in uniques]
    else:
        regions = [table.known_regions.check(region)]
        codes = np.zeros(n, dtype=np.int64)
    nreg = len(regions)

    def used(values: IntArray) -> IntArray:
        return np.bincount(codes, weights=(values > 0).astype(np.float64), minlength=nreg) > 0

    needed: dict[str, IntArray] = {
        "key_month": used(keys),
        "rotation_month": used(keys * (charged > 0)),
        **{c: used(counts[c]) for c in REQUEST_CLASSES},
    }
    needed["free_tier_requests"] = needed["requests_symmetric"] & free_tier
    prices: dict[str, list[Decimal]] = {}
    for item, mask in needed.items():
        per = PRICE_ITEMS[item].per
        prices[item] = [
            Decimal(table.price(regions[u], item).price or 0) / per if mask[u] else Decimal(0)
            for u in range(nreg)
        ]
    scale = _scale([p for item, ps in prices.items() if item != "free_tier_requests" for p in ps])

    def scaled(item: str) -> list[int]:
        return [int(p * scale) for p in prices[item]]

    int_prices = {item: scaled(item) for item in prices if item != "free_tier_requests"}
    allowance = [int(p) for p in prices["free_tier_requests"]]

    # Decide whether int64 is safe, from the largest possible numerator.
    def peak(values: IntArray) -> int:
        return int(values.max()) if len(values) else 0

    bound = (
        peak(keys) * mh * (max(int_prices["key_month"]) + peak(charged) * max(int_prices["rotation_month"]))
    )
    bound += sum(peak(counts[c]) * max(int_prices[c]) * mh for c in REQUEST_CLASSES)
    dtype: Any = np.int64 if 2 * bound + scale * mh < _INT64_SAFE else object

    def per_row(item_prices: list[int]) -> IntArray:
        return np.asarray(item_prices, dtype=dtype)[codes]

    def as_dtype(values: IntArray) -> IntArray:
        return values.astype(dtype)

    hours_arr = as_dtype(key_hours)
    key_num = as_dtype(keys) * hours_arr * per_row(int_prices["key_month"])
    rot_num = as_dtype(keys) * hours_arr * as_dtype(charged) * per_row(int_prices["rotation_month"])
    parts: dict[str, IntArray] = {"key": key_num, "rotation": rot_num}
    for c in REQUEST_CLASSES:
        parts[c] = as_dtype(counts[c]) * per_row(int_prices[c]) * mh
    free = np.zeros(n, dtype=dtype)
    if free_tier:
        free = (
            np.minimum(as_dtype(counts["requests_symmetric"]), per_row(allowance))
            * per_row(int_prices["requests_symmetric"])
            * mh
        )
    total = sum(parts.values(), np.zeros(n, dtype=dtype)) - free
    unit = scale * mh  # numerators are in USD / unit
    cents_den = unit // 100
    total_cents = (2 * total + cents_den) // (2 * cents_den)

    out = pd.DataFrame(index=frame.index)
    out["region"] = np.asarray(regions, dtype=object)[codes] if nreg else []
    for name, values in parts.items():
        label = f"{name}_usd"
        out[label] = np.asarray(values, dtype=np.float64) / unit
    out["free_tier_usd"] = -np.asarray(free, dtype=np.float64) / unit
    out["total_cents"] = np.asarray(total_cents, dtype=np.int64)
    out["total_usd"] = out["total_cents"] / 100
    return out
