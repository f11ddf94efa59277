"""sweep(): vectorised pricing of many account-months agrees with estimate() to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kmssim._pricing import REQUEST_CLASSES, EstimateInputError, estimate, load_pricing, sweep

JUNE = "2026-06"
_OPERATION = {
    "requests_symmetric": {"operation": "Decrypt"},
    "requests_rsa_2048": {"operation": "Sign", "key_spec": "RSA_2048"},
    "requests_asymmetric": {"operation": "Verify", "key_spec": "ECC_NIST_P521"},
    "requests_gdkp_ecc": {"operation": "GenerateDataKeyPair", "key_pair_spec": "ECC_NIST_P256"},
    "requests_gdkp_rsa": {"operation": "GenerateDataKeyPair", "key_pair_spec": "RSA_3072"},
}


def as_estimate(row: dict[str, Any], region: str = "us-east-1", **kw: Any) -> Decimal:
    keys = [{"count": int(row.get("keys", 0)), "rotations": int(row.get("rotations", 0)), "region": region}]
    if "key_hours" in row:
        keys[0]["hours"] = int(row["key_hours"])
    requests = [
        {**_OPERATION[c], "count": int(row[c]), "region": region} for c in REQUEST_CLASSES if row.get(c)
    ]
    return estimate(keys, requests, month=kw.pop("month", JUNE), **kw).total


def test_sweep_matches_estimate_row_by_row() -> None:
    rng = np.random.default_rng(7)
    n = 40
    frame = pd.DataFrame(
        {
            "keys": rng.integers(0, 50, n),
            "key_hours": rng.integers(0, 721, n),
            "rotations": rng.integers(0, 5, n),
            **{c: rng.integers(0, 3_000_000, n) for c in REQUEST_CLASSES},
        }
    )
    out = sweep(frame, month=JUNE)
    assert list(out.index) == list(frame.index)
    for i, row in frame.iterrows():
        assert Decimal(int(out.loc[i, "total_cents"])).scaleb(-2) == as_estimate(row.to_dict()), i
    legacy = sweep(frame, month="2024-04")
    for i, row in frame.head(10).iterrows():
        assert Decimal(int(legacy.loc[i, "total_cents"])).scaleb(-2) == as_estimate(
            row.to_dict(), month="2024-04"
        )


def test_sweep_options_free_tier_hours_and_regions() -> None:
    frame = pd.DataFrame(
        {
            "region": ["us-east-1", "ap-southeast-2", "eu-west-1"],
            "keys": [1, 2, 3],
            "requests_symmetric": [30_000] * 3,
        }
    )
    out = sweep(frame, month=JUNE, free_tier=False, hours=730)
    assert list(out["total_usd"]) == [1.09, 2.09, 3.09]  # a whole month is 730 hours in this convention
    for i, row in frame.iterrows():
        expected = as_estimate(row.to_dict(), region=str(row["region"]), free_tier=False, hours=730)
        assert Decimal(int(out.loc[i, "total_cents"])).scaleb(-2) == expected
    assert list(sweep({"requests_symmetric": [20_000, 20_001]}, month=JUNE)["free_tier_usd"]) == [
        -0.06,
        -0.06,
    ]


def test_sweep_accepts_whole_floats_and_defaults() -> None:
    out = sweep({"keys": [1.0, 2.0]}, month=JUNE, region="us-west-2")
    assert list(out["total_cents"]) == [100, 200] and list(out["region"]) == ["us-west-2"] * 2


def test_sweep_exact_for_huge_counts() -> None:
    """Beyond int64 range the sweep falls back to exact Python integers."""
    count = 10**15 - 7
    out = sweep({"requests_gdkp_rsa": [count], "requests_asymmetric": [count]}, month=JUNE)
    expected = as_estimate({"requests_gdkp_rsa": count, "requests_asymmetric": count})
    assert Decimal(int(out["total_cents"].iloc[0])).scaleb(-2) == expected == Decimal("1214999999999.99")


@pytest.mark.parametrize(
    ("data", "kwargs", "needle"),
    [
        ({"keyz": [1]}, {}, "invalid column 'keyz'"),
        ({"keys": [-1]}, {}, "invalid keys -1"),
        ({"keys": [0.5]}, {}, "invalid keys 'non-integer value'"),
        ({"keys": ["one"]}, {}, "a column of whole numbers"),
        ({"key_hours": [721]}, {}, "invalid key_hours 721; expected whole numbers from 0 to 720"),
        ({"region": ["us-east-7"], "keys": [1]}, {}, "invalid region 'us-east-7'"),
        ({"region": ["cn-north-1"], "requests_symmetric": [1]}, {}, "status 'unknown'"),
        ({"keys": [1]}, {"hours": 744}, "invalid hours 744"),
        ({"keys": [1]}, {"month": "2026/06"}, "invalid month"),
        ({"region": [None], "keys": [1]}, {}, "a Region in every row"),
    ],
)
def test_sweep_bad_input(data: dict[str, Any], kwargs: dict[str, Any], needle: str) -> None:
    kwargs.setdefault("month", JUNE)
    with pytest.raises(EstimateInputError) as info:
        sweep(data, **kwargs)
    assert needle in str(info.value)


def test_sweep_regions_without_usage_need_no_prices() -> None:
    out = sweep({"region": ["ap-northeast-1"], "keys": [1]}, month=JUNE)
    assert list(out["total_cents"]) == [100]
    assumed = load_pricing().assume_same_as("us-east-1", ["ap-northeast-1"])
    out = sweep(
        {"region": ["ap-northeast-1"], "requests_symmetric": [1_020_000]}, month=JUNE, pricing=assumed
    )
    assert list(out["total_cents"]) == [300]


def test_sweep_of_nothing() -> None:
    out = sweep(pd.DataFrame({"keys": pd.Series([], dtype="int64")}), month=JUNE)
    assert out.empty and "total_usd" in out.columns
