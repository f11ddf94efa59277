"""Bad input to the pricing layer gets EstimateInputError (a ValueError) naming the field, or a correct figure.

Regression tests for issue 7, "The cost side", and the audit of ``kmssim._pricing`` for the same class of
bug (numpy numbers, bools, NaN, infinities, negative and huge values, strings, months). Then Hypothesis
properties: any garbage in gives EstimateInputError or a figure, never another exception.
Pricing rules: https://aws.amazon.com/kms/pricing/; quotas:
https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim
from kmssim import EstimateInputError, estimate, load_pricing, quota_check, sweep
from kmssim._pricing._csvfile import RowProblem, check_date, check_month
from kmssim._pricing._inputs import LAST_MONTH, MAX_COUNT, parse_month

JUNE = "2026-06"  # 30 days, 720 hours


def one_key_for(hours: object) -> Decimal:
    return estimate([{"hours": hours}], month=JUNE).exact_total


# ------------------------------------------------------------------------------------------ numpy numbers


@pytest.mark.parametrize(
    ("hours", "want"),
    [
        (np.float64(360.0), Decimal("0.5")),
        (np.float32(180.0), Decimal("0.25")),
        (np.int64(72), Decimal("0.1")),
        (np.uint16(720), Decimal("1")),
        (Fraction(36, 1), Decimal("0.05")),
    ],
)
def test_numpy_hours_are_priced_exactly(hours: object, want: Decimal) -> None:
    """Issue 7: ``hours=np.float64(5.0)`` raised decimal.InvalidOperation (numpy 2's repr is 'np.float64(5.0)')."""
    assert one_key_for(hours) == want
    assert one_key_for(hours) == one_key_for(float(hours) if not isinstance(hours, Fraction) else hours)  # type: ignore[arg-type]


def test_numpy_float_hours_convert_through_the_shortest_repr() -> None:
    # 0.1 hours is 1/10 hour exactly, whatever the float type carries it (the same rule as Python floats).
    assert one_key_for(np.float64(0.1)) == one_key_for(0.1) == one_key_for(Fraction(1, 10))


def test_numpy_integer_counts_are_accepted() -> None:
    requests = [{"operation": "Decrypt", "count": np.int64(1_020_000)}]
    keys = [{"count": np.int32(2), "rotations": np.uint8(1)}]
    got = estimate(keys, requests, month=JUNE).total
    assert (
        got
        == estimate(
            [{"count": 2, "rotations": 1}], [{"operation": "Decrypt", "count": 1_020_000}], month=JUNE
        ).total
    )
    assert got == Decimal("7.00")  # 2 keys x ($1 + $1 rotation) + 1,000,000 charged requests x $0.03/10k


def test_quota_check_takes_numpy_rates() -> None:
    """Issue 7: ``quota_check`` with a numpy ``per_second`` raised decimal.InvalidOperation."""
    report = quota_check(
        [{"operation": "Decrypt", "per_second": np.float64(12_500.5), "region": "eu-west-3"}]
    )
    row = report.table.iloc[0]
    assert row["planned_per_second"] == 12_500.5
    assert row["status"] == "throttled"  # 10,000/s by default outside the listed Regions
    same = quota_check([{"operation": "Decrypt", "per_second": 12_500.5, "region": "eu-west-3"}])
    assert same.table.equals(report.table)
    assert (
        quota_check([{"operation": "Decrypt", "per_second": np.int64(7)}]).table.iloc[0]["planned_per_second"]
        == 7
    )


@pytest.mark.parametrize(
    "per_second",
    [
        True,
        np.bool_(True),
        float("nan"),
        float("inf"),
        -1,
        -0.5,
        "10",
        None,
        [1],
        1e300,
        MAX_COUNT + 1,
        1 + 2j,
    ],
)
def test_quota_check_refuses_rates_it_cannot_count(per_second: object) -> None:
    with pytest.raises(EstimateInputError, match=r"rates\[0\]\.per_second .*; expected a number of requests"):
        quota_check([{"operation": "Decrypt", "per_second": per_second}])


# ------------------------------------------------------------------------------------------ months


@pytest.mark.parametrize(
    "month",
    [
        "2026-01\n",
        "2026-01 ",
        " 2026-01",
        "２０２６-01",
        "2026-٠١",
        "2026-1",
        "0000-01",
        "2026-00",
        b"2026-01",
    ],
)
def test_a_month_is_exactly_four_and_two_ascii_digits(month: object) -> None:
    """Issue 7: '2026-01\\n' and Unicode digits passed the month pattern, so ``sim.bill("2026-01\\n")``
    silently dropped every request and the free tier."""
    with pytest.raises(EstimateInputError, match="expected a month written 'YYYY-MM'"):
        parse_month(month)
    with pytest.raises(EstimateInputError, match="invalid month"):
        estimate([], month=month)  # type: ignore[arg-type]


def test_sim_bill_refuses_a_month_with_a_trailing_newline() -> None:
    sim = kmssim.Simulator(seed=1)
    client = sim.client()
    key = client.create_key()["KeyMetadata"]["KeyId"]
    client.encrypt(KeyId=key, Plaintext=b"x")
    month = sim.bill().month
    with pytest.raises(EstimateInputError, match="invalid month"):
        sim.bill(month + "\n")
    with pytest.raises(EstimateInputError, match="invalid month"):
        kmssim.bill_from_usage(sim.usage(), month + "\n")


def test_the_last_month_gets_a_clear_error_not_a_datetime_one() -> None:
    """Issue 7: ``bill("9999-12")`` raised a bare ValueError ('year 10000 is out of range')."""
    assert LAST_MONTH == (9999, 11)
    assert parse_month("9999-11") == (9999, 11)
    with pytest.raises(EstimateInputError, match="a month up to 9999-11"):
        kmssim.Simulator(seed=1).bill("9999-12")
    with pytest.raises(EstimateInputError, match="a month up to 9999-11"):
        estimate([], month="9999-12")


@pytest.mark.parametrize("raw", ["2026-01\n", "２０２６-01", "2026\n", "2026-01-01\n", "٢٠٢٦"])
def test_data_file_dates_and_months_are_ascii_and_whole(raw: str) -> None:
    with pytest.raises(RowProblem):
        check_month(raw)
    with pytest.raises(RowProblem):
        check_date(raw)


def test_usage_request_months_are_checked_strictly() -> None:
    usage = {
        "keys": [],
        "requests": [{"month": "2026-06\n", "region": "us-east-1", "operation": "Decrypt", "count": 1}],
    }
    with pytest.raises(EstimateInputError, match="invalid month '2026-06\\\\n'"):
        kmssim.bill_from_usage(usage, JUNE)


# ------------------------------------------------------------------------------------------ sweep


@pytest.mark.parametrize("usage", [None, 5, "keys", [1, 2]])
def test_sweep_needs_a_table(usage: object) -> None:
    """Issue 7: ``sweep(None)`` returned an empty frame."""
    with pytest.raises(
        EstimateInputError, match=r"invalid usage .*; expected a DataFrame or a dict of columns"
    ):
        sweep(usage, month=JUNE)  # type: ignore[arg-type]


def test_sweep_rejects_scalars_and_uneven_columns_with_its_own_error() -> None:
    for usage in ({"keys": 5}, {"keys": [1, 2], "rotations": [1]}):
        with pytest.raises(EstimateInputError, match="a dict of equal-length columns"):
            sweep(usage, month=JUNE)


@pytest.mark.parametrize(
    "column", [[1e30], [2**64 - 1], [float("nan")], [-1], [True], ["5"], [Decimal(1)], [MAX_COUNT + 1]]
)
def test_sweep_refuses_counts_it_cannot_price(column: list[Any]) -> None:
    with pytest.raises(EstimateInputError, match="invalid keys"):
        sweep({"keys": pd.Series(column)}, month=JUNE)


def test_sweep_accepts_an_empty_table_and_duplicate_columns_are_refused() -> None:
    assert sweep({"keys": []}, month=JUNE).empty  # a table with no rows is a valid (empty) question
    frame = pd.DataFrame([[1, 2]], columns=["keys", "keys"])
    with pytest.raises(EstimateInputError, match="each column once"):
        sweep(frame, month=JUNE)


# ------------------------------------------------------------------------------------------ the rest of the audit


def test_730_hours_given_as_numpy_integer() -> None:
    assert estimate([{}], month=JUNE, hours=np.int64(730)).hours == 730  # type: ignore[arg-type]


def test_the_largest_count_is_priced_exactly() -> None:
    est = estimate([{"count": MAX_COUNT}], [{"operation": "Decrypt", "count": MAX_COUNT}], month=JUNE)
    # keys $1 each; requests $0.03 per 10,000 after the 20,000 free ones
    assert est.total == MAX_COUNT + (MAX_COUNT - 20_000) * Decimal("0.03") / 10_000
    assert "E" not in str(est.total)


def test_usage_datetimes_out_of_range_in_utc() -> None:
    far = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # 0000-12-31 in UTC
    usage = {
        "keys": [
            {
                "arn": "k",
                "region": "us-east-1",
                "key_spec": "SYMMETRIC_DEFAULT",
                "managed_by": "customer",
                "created": far,
                "deletion_scheduled": None,
                "deleted": None,
                "rotations": [],
            }
        ],
        "requests": [],
    }
    with pytest.raises(EstimateInputError, match=r"usage\.keys\[0\]\.created"):
        kmssim.bill_from_usage(usage, JUNE)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("label", 5),
        ("custom_key_store_id", 7),
        ("managed_by", np.array(["aws"])),
        ("custom_key_store_type", ["AWS_CLOUDHSM"]),
    ],
)
def test_quota_check_fields_of_the_wrong_type(field: str, value: object) -> None:
    with pytest.raises(EstimateInputError, match=field):
        quota_check([{"operation": "Decrypt", "per_second": 1, field: value}])


def test_quota_check_unknown_non_string_field() -> None:
    with pytest.raises(EstimateInputError, match=r"rates\[0\]\.7 'x'; expected only the fields"):
        quota_check([{"operation": "Decrypt", "per_second": 1, 7: "x"}])


def test_scenario_names_are_whole_slugs(tmp_path: Any) -> None:
    import json

    from kmssim._pricing._paths import data_file

    document = json.loads(data_file("scenarios.json").read_text(encoding="utf-8"))
    document["scenarios"][0]["name"] += "\n"
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(kmssim.DataFileError, match="lower-case words joined by '-'"):
        kmssim.scenarios.load_all(path)


# ------------------------------------------------------------------------------------------ properties

_numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.booleans(),
    st.sampled_from(
        [np.float64(3.5), np.float32(0.25), np.int64(9), np.uint8(3), np.bool_(False), np.float64("nan")]
    ),
    st.complex_numbers(max_magnitude=10),
)
_words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "SYMMETRIC_DEFAULT",
            "RSA_2048",
            "ECC_NIST_P256",
            "HMAC_256",
            "us-east-1",
            "ap-southeast-1",
            "cn-north-1",
            "customer",
            "aws",
            "aws_owned",
            "Decrypt",
            "Sign",
            "GenerateDataKeyPair",
            "GenerateRandom",
            "RSA_4096",
            "2026-06",
            "2026-06\n",
            "9999-12",
            "calendar",
        ]
    ),
)
_garbage = st.one_of(
    _numbers, _words, st.none(), st.lists(st.integers(), max_size=2), st.just(np.array([1, 2]))
)
_count = st.one_of(st.integers(0, 10**6).map(np.int64), st.integers(0, 10**6))
_hours = st.one_of(
    st.floats(0, 720).map(np.float64),
    st.floats(0, 720).map(np.float32),
    st.integers(0, 720),
    st.floats(0, 720),
)
_region = st.sampled_from(["us-east-1", "ap-southeast-1", "eu-west-3", "us-gov-west-1"])


def _maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly (4 in 5) a valid value for the field, else garbage: so later fields are reached too."""
    return st.integers(0, 4).flatmap(lambda i: _garbage if i == 4 else valid)


_key = st.fixed_dictionaries(
    {},
    optional={
        "count": _maybe(_count),
        "key_spec": _maybe(st.sampled_from(["SYMMETRIC_DEFAULT", "RSA_2048", "HMAC_256"])),
        "region": _maybe(_region),
        "managed_by": _maybe(st.sampled_from(["customer", "aws", "aws_owned"])),
        "rotations": _maybe(st.integers(0, 3)),
        "hours": _maybe(_hours),
    },
)
_request = st.fixed_dictionaries(
    {
        "operation": _maybe(st.sampled_from(["Decrypt", "Sign", "GenerateDataKeyPair", "GenerateRandom"])),
        "count": _maybe(_count),
    },
    optional={
        "key_spec": _maybe(st.sampled_from(["SYMMETRIC_DEFAULT", "RSA_2048", "ECC_NIST_P256", None])),
        "key_pair_spec": _maybe(st.sampled_from(["RSA_2048", "ECC_NIST_P256", None])),
        "region": _maybe(_region),
        "managed_by": _maybe(st.sampled_from(["customer", "aws", "aws_owned"])),
    },
)
_PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(
    keys=st.lists(_maybe(_key), max_size=3),
    requests=st.lists(_maybe(_request), max_size=3),
    month=_maybe(st.just(JUNE)),
    hours=_maybe(st.sampled_from(["calendar", 730])),
    free_tier=_maybe(st.booleans()),
)
def test_any_input_gives_an_estimate_or_estimate_input_error(
    keys: list[dict[str, Any]], requests: list[dict[str, Any]], month: Any, hours: Any, free_tier: Any
) -> None:
    try:
        est = estimate(keys, requests, month=month, hours=hours, free_tier=free_tier)
    except EstimateInputError:
        return
    # A figure: exact lines add up to the exact total, rounded once to cents.
    assert abs(est.exact_total - sum(est.lines["USD"], Decimal(0))) < Decimal("1e-20")
    assert est.total == est.exact_total.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert est.total >= 0 and "E" not in str(est.total)


@_PROPERTY
@given(
    rates=st.lists(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "operation": _maybe(
                        st.sampled_from(["Decrypt", "Sign", "GenerateDataKeyPair", "CreateKey"])
                    )
                },
                optional={
                    "per_second": _maybe(st.one_of(st.floats(0, 1e6).map(np.float64), st.integers(0, 10**6))),
                    "key_spec": _maybe(st.sampled_from(["SYMMETRIC_DEFAULT", "RSA_2048", None])),
                    "key_pair_spec": _maybe(st.sampled_from(["RSA_2048", "ECC_NIST_P256"])),
                    "region": _maybe(_region),
                    "managed_by": _maybe(st.sampled_from(["customer", "aws", "aws_owned"])),
                    "label": _maybe(st.text(max_size=5)),
                },
            ),
            _garbage,
        ),
        max_size=3,
    )
)
def test_any_rate_gives_a_report_or_estimate_input_error(rates: list[dict[str, Any]]) -> None:
    try:
        report = quota_check(rates)
    except EstimateInputError:
        return
    assert all(math.isfinite(v) and v >= 0 for v in report.table["planned_per_second"])


@_PROPERTY
@given(
    usage=st.dictionaries(
        st.sampled_from(
            ["region", "keys", "key_hours", "rotations", "requests_symmetric", "requests_gdkp_rsa", "x"]
        ),
        st.lists(_garbage, min_size=1, max_size=1),
        min_size=1,
        max_size=3,
    ),
    month=st.one_of(st.just(JUNE), _garbage),
)
def test_any_sweep_input_gives_a_table_or_estimate_input_error(usage: dict[str, Any], month: Any) -> None:
    try:
        out = sweep(usage, month=month)
    except EstimateInputError:
        return
    assert len(out) == 1 and out["total_cents"].iloc[0] >= 0


@_PROPERTY
@given(
    hours=st.one_of(
        st.floats(min_value=0, max_value=720),
        st.decimals(min_value=0, max_value=720, places=6),
        st.fractions(min_value=0, max_value=720),
        st.integers(min_value=0, max_value=720).map(np.int64),
        st.floats(min_value=0, max_value=720).map(np.float64),
    )
)
def test_valid_hours_of_any_number_type_give_the_exact_prorated_charge(hours: Any) -> None:
    """$1 per key-month prorated hourly (https://aws.amazon.com/kms/pricing/): hours / 720 dollars in June."""
    if isinstance(hours, float):
        exact = Fraction(Decimal(repr(float(hours))))
    else:
        exact = Fraction(int(hours)) if isinstance(hours, np.integer) else Fraction(hours)
    assert abs(Fraction(one_key_for(hours)) - exact / 720) < Fraction(1, 10**30)
    assert load_pricing().price("us-east-1", "key_month").price == Decimal("1.00")


@pytest.mark.parametrize("regions", ["us-gov-west-1", 5, b"us-gov-west-1"])
def test_assume_same_as_needs_a_list_of_regions(regions: object) -> None:
    with pytest.raises(
        EstimateInputError, match=r"invalid regions .*; expected None or a list of Region codes"
    ):
        load_pricing().assume_same_as("us-east-1", regions)  # type: ignore[arg-type]
