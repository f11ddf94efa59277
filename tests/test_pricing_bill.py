"""bill_from_usage(): metered bills from the structure Simulator.usage() returns.

Rules: https://aws.amazon.com/kms/pricing/ ("$1/month (prorated hourly)", no charge while pending deletion,
a cancelled deletion billed as if never scheduled) and the AWS Security Blog of 2024-04-12 (rotation).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kmssim._pricing import EstimateInputError, bill_from_usage


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def key(
    created: str = "2025-01-01T00:00",
    *,
    arn: str = "arn:aws:kms:us-east-1:111122223333:key/1",
    region: str = "us-east-1",
    spec: str = "SYMMETRIC_DEFAULT",
    managed_by: str = "customer",
    scheduled: str | None = None,
    deleted: str | None = None,
    rotations: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "arn": arn,
        "region": region,
        "key_spec": spec,
        "managed_by": managed_by,
        "created": at(created),
        "deletion_scheduled": at(scheduled) if scheduled else None,
        "deleted": at(deleted) if deleted else None,
        "rotations": [at(r) for r in rotations],
    }


def usage(*keys: dict[str, Any], requests: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"account_id": "111122223333", "keys": list(keys), "requests": list(requests)}


def bill(data: dict[str, Any], month: str = "2026-06", **kw: Any) -> Decimal:
    return bill_from_usage(data, month, **kw).total


def test_key_existing_all_month_costs_one_dollar() -> None:
    est = bill_from_usage(usage(key()), "2026-06")
    assert est.total == Decimal("1.00")
    detail = est.key_detail
    assert detail is not None and list(detail["billable_hours"]) == [720]


def test_key_created_mid_month_is_prorated_hourly() -> None:
    assert bill(usage(key("2026-06-16T00:00"))) == Decimal("0.50")
    # A partial clock hour counts as a whole hour ("prorated ... whole hours", reference 1.1).
    est = bill_from_usage(usage(key("2026-06-16T00:30")), "2026-06")
    assert est.key_detail is not None and list(est.key_detail["billable_hours"]) == [360]
    assert bill(usage(key("2026-06-30T23:59"))) == Decimal("0.00")  # 1/720 of a dollar rounds to 0.00
    assert bill_from_usage(usage(key("2026-06-30T23:59")), "2026-06").exact_total > 0


def test_key_created_after_the_month_costs_nothing() -> None:
    assert bill(usage(key("2026-07-02T00:00"))) == Decimal("0.00")


def test_pending_deletion_is_not_billed() -> None:
    """No charge for keys scheduled for deletion: billing stops when the waiting period starts."""
    assert bill(usage(key(scheduled="2026-06-11T00:00", deleted="2026-06-18T00:00"))) == Decimal("0.33")
    assert bill(usage(key(scheduled="2026-05-20T00:00", deleted="2026-06-19T00:00"))) == Decimal("0.00")


def test_cancelled_deletion_is_billed_as_never_scheduled() -> None:
    """Simulator.usage() reports a cancelled deletion as deletion_scheduled=None."""
    assert bill(usage(key(scheduled=None))) == Decimal("1.00")


def test_deleted_key_stops_billing() -> None:
    assert bill(usage(key(deleted="2026-06-06T00:00"))) == Decimal("0.17")  # 120/720


def test_rotations_charged_from_their_time_and_capped_at_two() -> None:
    """From May 2024 the first and second rotation add $1/month each, prorated hourly; later ones are free."""
    rotated = key("2024-01-01T00:00", rotations=("2025-01-01T00:00", "2026-01-01T00:00", "2026-06-16T00:00"))
    est = bill_from_usage(usage(rotated), "2026-06")
    assert est.total == Decimal("3.00")
    assert est.key_detail is not None and list(est.key_detail["rotations_charged"]) == [2]
    half = key("2025-06-01T00:00", rotations=("2026-06-16T00:00",))
    assert bill(usage(half)) == Decimal("1.50")
    future = key("2025-06-01T00:00", rotations=("2026-07-16T00:00",))
    assert bill(usage(future)) == Decimal("1.00")


def test_rotation_rule_before_may_2024_charges_every_rotation() -> None:
    rotated = key("2020-01-01T00:00", rotations=("2021-01-01T00:00", "2022-01-01T00:00", "2023-01-01T00:00"))
    assert bill(usage(rotated), "2024-04") == Decimal("4.00")
    assert bill(usage(rotated), "2024-05") == Decimal("3.00")


def test_rotation_surcharge_stops_with_the_key() -> None:
    rotated = key("2025-01-01T00:00", rotations=("2026-01-01T00:00",), scheduled="2026-06-16T00:00")
    assert bill(usage(rotated)) == Decimal("1.00")  # 0.50 key + 0.50 rotation


def test_aws_managed_key_has_no_key_charge_but_requests_are_charged() -> None:
    request = {
        "month": "2026-06",
        "region": "us-east-1",
        "operation": "Decrypt",
        "key_spec": "SYMMETRIC_DEFAULT",
    }
    requests = (request | {"key_pair_spec": None, "count": 1_020_000},)
    est = bill_from_usage(
        usage(key(managed_by="aws", rotations=("2026-01-01T00:00",)), requests=requests), "2026-06"
    )
    assert est.total == Decimal("3.00")
    assert est.key_detail is not None and list(est.key_detail["USD"]) == [Decimal(0)]


def test_requests_priced_by_operation_key_spec_and_region_with_pooled_free_tier() -> None:
    def req(op: str, count: int, region: str = "us-east-1", spec: str | None = "SYMMETRIC_DEFAULT",
            pair: str | None = None, month: str = "2026-06") -> dict[str, Any]:  # fmt: skip
        return {
            "month": month,
            "region": region,
            "operation": op,
            "key_spec": spec,
            "key_pair_spec": pair,
            "count": count,
        }

    requests = (
        req("GenerateRandom", 10_000, spec=None),  # no key: a standard, free-tier request
        req("Decrypt", 20_000, region="eu-west-1"),
        req("Sign", 10_000, spec="ECC_NIST_P256"),
        req("GenerateDataKeyPair", 1_000, pair="RSA_2048"),
        req("Decrypt", 9_999_999, month="2026-05"),  # another month: ignored
    )
    est = bill_from_usage(usage(requests=requests), "2026-06")
    # 10,000 symmetric after the free tier: $0.03; Sign $0.15; RSA data key pairs $1.20
    assert est.total == Decimal("1.38")
    assert "GenerateRandom (no key)" in set(est.lines["item"])
    assert "Decrypt (SYMMETRIC_DEFAULT)" in set(est.lines["item"])


def test_730_hour_convention_for_metered_bills() -> None:
    """Over 730 hours, June's 720 billable hours are 720/730 of a key-month."""
    assert bill(usage(key()), hours=730) == Decimal("0.99")
    assert bill(usage(key()), "2026-07", hours=730) == Decimal("1.00")  # 744 hours capped at one month


def test_several_keys_add_up_in_lines_and_detail() -> None:
    keys = [key(arn=f"arn:aws:kms:us-east-1:111122223333:key/{i}") for i in range(3)]
    keys.append(key(arn="arn:aws:kms:eu-west-1:111122223333:key/x", region="eu-west-1", spec="RSA_2048"))
    est = bill_from_usage(usage(*keys), "2026-06")
    assert est.total == Decimal("4.00")
    assert est.key_detail is not None and len(est.key_detail) == 4
    assert sorted(est.lines["region"]) == ["eu-west-1", "us-east-1"]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (usage(key() | {"created": dt.datetime(2025, 1, 1)}), "usage.keys[0].created"),
        (usage(key() | {"rotations": [dt.datetime(2025, 1, 1)]}), "timezone-aware"),
        (usage({"arn": "x"}), "usage.keys[0].created None"),
        (usage(key() | {"managed_by": "aws_owned"}), "'customer' or 'aws'"),
        (usage(key() | {"key_spec": None}), "usage.keys[0].key_spec None"),
        (usage(key() | {"region": "us-nowhere-1"}), "usage.keys[0].region"),
        (usage(key(region="us-gov-west-1")), "invalid region 'us-gov-west-1'"),
        ({"keys": "none", "requests": []}, "'keys' and 'requests' are lists"),
        ([], "invalid usage []"),
        (
            usage(
                requests=({"month": "2026-06", "region": "us-east-1", "operation": "Decrypt", "count": -1},)
            ),
            "count -1",
        ),
        (
            usage(requests=({"month": "June", "region": "us-east-1", "operation": "Decrypt", "count": 1},)),
            "month 'June'",
        ),
        (
            usage(requests=({"region": "us-east-1", "operation": "Decrypt", "count": 1},)),
            "usage.requests[0].month",
        ),
    ],
)
def test_bad_usage_names_the_field(data: Any, needle: str) -> None:
    with pytest.raises(EstimateInputError) as info:
        bill_from_usage(data, "2026-06")
    assert needle in str(info.value)
