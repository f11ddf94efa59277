"""The cost calculator's number fields: what people type is priced as they mean it or refused inline, and no
stale figure ever stays on screen (issue 7, "The cost side").

Driven headless by setting ``.value`` as the browser would after an edit. Bounds come from AWS's default
quotas: KMS keys per Region (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html) and
request rates per second (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

import kmssim
from kmssim.apps import CostCalculatorApp, CostInputs, compute_cost
from kmssim.apps.cost_calculator import MAX_KEYS, MAX_ROTATIONS, max_requests, parse_count

USD = re.compile(r"\$\d{1,3}(?:,\d{3})*\.\d{2}")


def shown(app: CostCalculatorApp) -> Decimal | None:
    found = USD.findall(app.total.value)
    assert len(found) <= 1, app.total.value
    return Decimal(found[0].replace("$", "").replace(",", "")) if found else None


def test_bounds_come_from_the_quotas() -> None:
    assert MAX_KEYS == 100_000  # KMS keys per Region, the default resource quota
    # us-east-1's shared symmetric quota is 100,000/s (data/kms_request_quotas.csv); June has 30 days
    assert max_requests(CostInputs(region="us-east-1", month="2026-06")) == 100_000 * 30 * 86_400
    assert max_requests(CostInputs(region="eu-west-3", month="2026-02")) == 10_000 * 28 * 86_400
    assert max_requests(CostInputs(key_spec="RSA_2048", month="2026-06")) == 1_000 * 30 * 86_400
    limit = kmssim.quota_limits_for("Sign", "ECC_NIST_P256", None, "ap-southeast-1")
    assert max_requests(CostInputs(key_spec="ECC_NIST_P256", region="ap-southeast-1")) == int(
        min(v for _, v in limit) * 30 * 86_400
    )
    assert MAX_ROTATIONS == 100


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1e9", 1_000_000_000),
        ("1E3", 1000),
        ("12.0", 12),
        ("1,000,000", 1_000_000),
        (" 42 ", 42),
        ("1_000", 1000),
    ],
)
def test_numbers_are_read_as_people_mean_them(text: str, want: int) -> None:
    assert parse_count(text, "Requests per month", 10**12) == want


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("12.7", "must be a whole number, not 12.7"),
        ("-5", "must be 0 or more, not -5"),
        ("ten", "'ten' is not a number"),
        ("", "enter a whole number from 0 to"),
        ("1e26", "can be at most 1,000,000,000,000, not 1e26"),
        ("1,00", "'1,00' is not a number"),
        ("١٢", "is not a number"),  # Arabic-Indic digits
        ("nan", "is not a number"),
        ("inf", "is not a number"),
        ("0x10", "is not a number"),
    ],
)
def test_what_cannot_be_priced_is_refused_with_a_sentence(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=re.escape(needle)):
        parse_count(text, "Requests per month", 10**12)


@pytest.mark.parametrize(
    ("field", "text", "needle"),
    [
        ("keys", "1e26", "Number of keys can be at most 100,000 (the default quota of KMS keys per Region)"),
        ("keys", "1e9", "Number of keys can be at most 100,000"),
        ("keys", "12.7", "Number of keys must be a whole number, not 12.7"),
        ("keys", "-5", "Number of keys must be 0 or more"),
        ("requests", "1e15", "Requests per month can be at most 259,200,000,000"),
        ("requests", "3.5", "Requests per month must be a whole number"),
        ("rotations", "101", "Rotations can be at most 100"),
        ("rotations", "two", "Rotations: 'two' is not a number"),
    ],
)
def test_invalid_field_clears_the_figure_and_says_why(field: str, text: str, needle: str) -> None:
    """Issue 7: 1e26 keys left the previous total on screen with no message."""
    app = CostCalculatorApp()
    assert shown(app) is not None and app.lines.value
    getattr(app, field).value = text
    assert needle in app.error.value.replace("&#x27;", "'")
    assert shown(app) is None and "see the message" in app.total.value
    assert app.lines.value == ""
    assert app.result.estimate is None
    assert "Traceback" not in app.error.value


def test_1e9_requests_are_a_billion_not_19() -> None:
    """Issue 7: the IntText fields turned "1e9" into 19 and "12.7" into 127 in the browser."""
    app = CostCalculatorApp()
    app.requests.value = "1e9"
    assert app.error.value == ""
    want = compute_cost(CostInputs(requests=1_000_000_000)).total
    assert shown(app) == want == Decimal("3009.94")  # 10 keys + (1e9 - 20,000) x $0.03 / 10,000
    app.keys.value = "1e26"
    assert shown(app) is None
    app.keys.value = "10"
    assert shown(app) == want and app.error.value == ""


def test_the_request_bound_follows_region_and_key_spec() -> None:
    app = CostCalculatorApp()
    app.requests.value = "100000000000"  # 1e11: inside us-east-1's symmetric quota for June
    assert app.error.value == ""
    app.region.value = "eu-west-3"  # 10,000/s: at most 25,920,000,000 in June
    assert "Requests per month can be at most 25,920,000,000" in app.error.value
    assert shown(app) is None
    app.requests.value = "25920000000"  # exactly the quota, every second: still priced
    assert app.error.value == "" and shown(app) is not None


def test_compute_cost_bounds_inputs_built_in_code() -> None:
    assert "Number of keys can be at most 100,000" in compute_cost(CostInputs(keys=10**26)).error
    assert "Rotations can be at most 100" in compute_cost(CostInputs(rotations=10**6)).error
    assert "must be a whole number" in compute_cost(CostInputs(keys=1.5)).error  # type: ignore[arg-type]
    assert "must be a whole number" in compute_cost(CostInputs(keys=True)).error
    assert "not an AWS Region" in compute_cost(CostInputs(region="mars-1")).error
    assert compute_cost(CostInputs(keys=MAX_KEYS, requests=0)).total == Decimal(MAX_KEYS)


def test_a_bad_month_is_refused_when_the_app_is_made() -> None:
    with pytest.raises(kmssim.EstimateInputError, match="invalid month"):
        CostCalculatorApp(month="2026-06\n")


def test_the_cloudtrail_panel_opens_inside_the_cost_calculator() -> None:
    """Issue 11: the cost calculator takes a CloudTrail log; the panel is built only when its section is opened."""
    from kmssim.apps import CostCalculatorApp

    app = CostCalculatorApp()
    assert app.cloudtrail is None
    app.from_cloudtrail.selected_index = 0
    assert app.cloudtrail is not None
    assert app.from_cloudtrail.children == (app.cloudtrail.widget,)
    assert "$" in app.cloudtrail.bill.value  # the shipped sample log, billed
