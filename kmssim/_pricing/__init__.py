"""KMS cost estimates, metered bills, request-quota checks and workload presets.

Prices: ``data/kms_pricing.csv``; history: ``data/kms_price_history.csv``; quotas:
``data/kms_request_quotas.csv``; Regions: ``data/regions.csv``; presets: ``data/scenarios.json``.
Sources are cited on every data row; see ``data/README.md``.
"""

from __future__ import annotations

from . import scenarios
from ._catalog import (
    CLOUDHSM_PRICE_ITEMS,
    DATA_KEY_PAIR_SPECS,
    KEY_SPECS,
    OPERATIONS,
    PRICE_ITEMS,
    REQUEST_CLASSES,
    PriceItem,
    key_family,
    price_class,
)
from ._errors import DataFileError, EstimateInputError
from ._estimate import Estimate, bill_from_usage, estimate
from ._inputs import LAST_MONTH, MAX_COUNT, parse_month
from ._quotas import QuotaCharge, QuotaReport, quota_charges, quota_check, quota_limits_for
from ._sweep import SWEEP_COLUMNS, sweep
from ._tables import (
    PriceHistory,
    PricingTable,
    QuotaTable,
    RegionTable,
    load_cloudhsm_pricing,
    load_price_history,
    load_pricing,
    load_quotas,
    load_regions,
)

__all__ = [
    "CLOUDHSM_PRICE_ITEMS",
    "DATA_KEY_PAIR_SPECS",
    "KEY_SPECS",
    "LAST_MONTH",
    "MAX_COUNT",
    "OPERATIONS",
    "PRICE_ITEMS",
    "REQUEST_CLASSES",
    "SWEEP_COLUMNS",
    "DataFileError",
    "Estimate",
    "EstimateInputError",
    "PriceHistory",
    "PriceItem",
    "PricingTable",
    "QuotaCharge",
    "QuotaReport",
    "QuotaTable",
    "RegionTable",
    "bill_from_usage",
    "estimate",
    "key_family",
    "load_cloudhsm_pricing",
    "load_price_history",
    "load_pricing",
    "load_quotas",
    "load_regions",
    "parse_month",
    "price_class",
    "quota_charges",
    "quota_check",
    "quota_limits_for",
    "scenarios",
    "sweep",
]
