"""KMS cost planning by public names: prices, estimates, metered bills, request quotas and workload presets.

Prices come from ``data/kms_pricing.csv`` (https://aws.amazon.com/kms/pricing/), request quotas from
``data/kms_request_quotas.csv`` (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html),
presets from ``data/scenarios.json``; every row cites its source (``data/README.md``).

>>> from kmssim.pricing import estimate
>>> str(estimate(month="2026-06", keys=[{"count": 1}]).total)
'1.00'

The names are those the pricing package lists (``kmssim._pricing.__all__``: :func:`estimate`,
:func:`bill_from_usage`, :func:`quota_check`, :func:`sweep`, :func:`load_pricing`, ``PRICE_ITEMS``,
``MAX_COUNT``...) and ``KEYS_PER_REGION``. pandas is imported when a result is a DataFrame (an
:class:`Estimate`'s lines, a :class:`QuotaReport`, :func:`sweep`), not by importing this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._pricing import *  # noqa: F403 - the pricing package's public names
from ._pricing import __all__ as _pricing_names

if TYPE_CHECKING:
    from ._ops._kms import KEYS_PER_REGION as KEYS_PER_REGION

__all__ = ["KEYS_PER_REGION"]
__all__ += _pricing_names


# Hidden from type checkers, so that a misspelt name is an error there rather than an ``object``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """``KEYS_PER_REGION``: the default quota of KMS keys per Region (100,000;
        https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html), the simulator's own limit,
        read from the simulator core when first asked for so that importing pricing does not load the core."""
        if name == "KEYS_PER_REGION":
            from ._ops._kms import KEYS_PER_REGION

            return KEYS_PER_REGION
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
