"""AWS CloudHSM charges of a CloudHSM key store, in estimates and in the simulator's bill.

Sources: the KMS pricing page, https://aws.amazon.com/kms/pricing/ ("If using AWS CloudHSM, standard AWS CloudHSM
charges apply"; the key store "does require you to maintain an AWS CloudHSM cluster that contains at least two
HSMs"; "The use of a custom key store does not affect the charges for storing and using a KMS key"), project
reference kms-pricing-and-quotas.md section 1.6. The only HSM-hour figure found is THIRD-PARTY: Infracost's test
snapshot, $1,168.00 for 730 hours of one us-east-1 HSM = $1.60 per HSM-hour [S10] (data/cloudhsm_pricing.csv).
An external key store has no AWS charge of its own.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import kmssim
from kmssim import choices
from kmssim.pricing import EstimateInputError, bill_from_usage, estimate, load_cloudhsm_pricing

PRICE = Decimal("1.60")  # Infracost's snapshot: 1168.00 / 730
LINE = "AWS CloudHSM HSM-hours (billed by AWS CloudHSM, not KMS)"
DATA = Path(__file__).resolve().parent.parent / "data" / "cloudhsm_pricing.csv"


def hsm_lines(result: kmssim.Estimate) -> Any:
    return result.lines[result.lines["item"] == LINE]


def other_lines(result: kmssim.Estimate) -> list[dict[str, Any]]:
    frame = result.lines[result.lines["item"] != LINE]
    return [dict(r) for r in frame.to_dict("records")]


# ----------------------------------------------------------------------------------------------- the data


def test_the_price_is_infracosts_snapshot_marked_third_party() -> None:
    rows = {r["region"]: r for r in csv.DictReader(DATA.read_text(encoding="utf-8").splitlines())}
    us = rows["us-east-1"]
    assert us["status"] == "third_party" and "infracost" in us["source_url"] and "THIRD-PARTY" in us["note"]
    assert Decimal(us["price"]) == Decimal("1168.00") / 730 == PRICE
    # No other Region has a sourced CloudHSM price: each says unknown, with no figure.
    assert {r["status"] for reg, r in rows.items() if reg != "us-east-1"} == {"unknown"}
    assert all(r["price"] == "" for reg, r in rows.items() if reg != "us-east-1")
    assert set(rows) == set(kmssim.load_pricing().regions())


def test_a_wrong_cloudhsm_row_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "hsm.csv"
    text = DATA.read_text(encoding="utf-8").replace(",third_party,", ",guessed,")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(kmssim.DataFileError, match=r"hsm\.csv.*status.*'guessed'"):
        load_cloudhsm_pricing(bad)
    other = tmp_path / "kms.csv"
    other.write_text(DATA.read_text(encoding="utf-8").replace("cloudhsm_hsm_hour", "key_month"), "utf-8")
    with pytest.raises(kmssim.DataFileError, match="unknown item 'key_month'"):
        load_cloudhsm_pricing(other)


# ----------------------------------------------------------------------------------------------- estimates


def test_two_hsms_for_a_30_day_month_are_2_x_720_hours_x_the_price() -> None:
    result = estimate(month="2026-06", key_stores=[{"type": "AWS_CLOUDHSM", "hsms": 2}])
    line = hsm_lines(result).iloc[0]
    assert line["quantity"] == 2 * 720 and line["unit"] == "HSM-hour" and line["unit price"] == PRICE
    assert result.total == 2 * 720 * PRICE == Decimal("2304.00")
    assert any("billed by AWS CloudHSM, not KMS" in n for n in result.notes)
    assert any("third_party" in n and "infracost" in n for n in result.notes)


def test_hsm_hours_follow_the_month_convention_clusters_and_hours() -> None:
    """31-day month: 744 hours; the Pricing Calculator's month: 730 (Infracost's $1,168.00 per HSM)."""
    store = {"type": "AWS_CLOUDHSM", "hsms": 1}
    assert estimate(month="2026-07", key_stores=[store]).total == 744 * PRICE
    assert estimate(month="2026-07", key_stores=[store], hours=730).total == Decimal("1168.00")
    three = {"type": "AWS_CLOUDHSM", "count": 3, "hsms": 2, "hours": 100}
    assert estimate(month="2026-06", key_stores=[three]).total == 3 * 2 * 100 * PRICE


def test_the_kms_key_charge_of_a_store_key_is_unchanged_and_xks_adds_nothing() -> None:
    keys = [{"count": 4}]
    plain = estimate(month="2026-06", keys=keys)
    with_hsm = estimate(month="2026-06", keys=keys, key_stores=[{"type": "AWS_CLOUDHSM"}])
    assert other_lines(with_hsm) == other_lines(plain)
    assert with_hsm.total - plain.total == 2 * 720 * PRICE
    xks = estimate(month="2026-06", keys=keys, key_stores=[{"type": "EXTERNAL_KEY_STORE", "count": 2}])
    assert xks.total == plain.total == Decimal("4.00")
    line = xks.lines[xks.lines["item"] == "External key stores (no AWS charge)"].iloc[0]
    assert line["USD"] == 0 and line["quantity"] == 2
    assert xks.notes == plain.notes


def test_an_estimate_without_key_stores_is_as_before() -> None:
    result = estimate(month="2026-06", keys=[{"count": 1}])
    assert str(result.total) == "1.00"
    assert result.notes == (
        "key-months prorated over the 720 hours of 2026-06 (calendar month)",
        "rotation: the first and second rotation each add $1/month; later ones are free (from May 2024)",
        "free tier: 20,000 symmetric-class requests per account-month, pooled across Regions",
        "prices: data/kms_pricing.csv",
    )


@pytest.mark.parametrize(
    ("store", "field"),
    [
        ({"type": "CLOUDHSM"}, "key_stores[0].type"),
        ({}, "key_stores[0].type"),
        ({"type": "AWS_CLOUDHSM", "hsms": 29}, "key_stores[0].hsms"),
        ({"type": "AWS_CLOUDHSM", "hsms": True}, "key_stores[0].hsms"),
        ({"type": "AWS_CLOUDHSM", "hours": 721}, "key_stores[0].hours"),
        ({"type": "AWS_CLOUDHSM", "count": -1}, "key_stores[0].count"),
        ({"type": "EXTERNAL_KEY_STORE", "hsms": 2}, "key_stores[0].hsms"),
        ({"type": "AWS_CLOUDHSM", "size": 2}, "key_stores[0].size"),
        ({"type": "AWS_CLOUDHSM", "region": "us-moon-1"}, "key_stores[0].region"),
    ],
)
def test_bad_key_stores_are_refused_naming_the_field(store: dict[str, Any], field: str) -> None:
    with pytest.raises(EstimateInputError) as info:
        estimate(month="2026-06", key_stores=[store])
    assert info.value.field == field


def test_a_region_without_a_cloudhsm_price_is_refused_unless_assumed() -> None:
    store = {"type": "AWS_CLOUDHSM", "region": "eu-west-1"}
    with pytest.raises(EstimateInputError, match="cloudhsm_pricing=load_cloudhsm_pricing"):
        estimate(month="2026-06", key_stores=[store])
    assumed = load_cloudhsm_pricing().assume_same_as("us-east-1", ["eu-west-1"])
    result = estimate(month="2026-06", key_stores=[store], cloudhsm_pricing=assumed)
    assert result.total == 2 * 720 * PRICE
    assert any("eu-west-1 is assumed" in n for n in result.notes)


# ----------------------------------------------------------------------------------------------- the bill


def sim_in(start: str = "2026-06-01T00:00:00Z") -> kmssim.Simulator:
    return kmssim.Simulator(seed=7, start=start)


def test_a_simulated_cluster_of_two_hsms_bills_2_x_720_hours_in_june() -> None:
    sim = sim_in()
    sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(days=30)
    line = hsm_lines(sim.bill("2026-06")).iloc[0]
    assert (line["quantity"], line["USD"]) == (1440, 2 * 720 * PRICE)


def test_the_bill_without_the_cluster_is_unchanged() -> None:
    def run(cluster: bool) -> kmssim.Estimate:
        sim = sim_in()
        key = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
        if cluster:
            sim.add_cloudhsm_cluster(hsms=2)
        sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})
        sim.advance(days=30)
        return sim.bill("2026-06")

    with_cluster, without = run(True), run(False)
    assert other_lines(with_cluster) == other_lines(without)
    assert with_cluster.total - without.total == Decimal("2304.00")
    assert "cloudhsm_clusters" not in sim_in().usage()


def test_hsms_added_and_removed_count_from_when_they_change() -> None:
    """2 HSMs for 10 days, then 3 for 10 days, then 1 for 10 days: 480 + 720 + 240 HSM-hours."""
    sim = sim_in()
    cluster = sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(days=10)
    sim.set_cloudhsm_hsms(cluster, 3)
    sim.advance(days=10)
    sim.set_cloudhsm_hsms(cluster, 1)
    sim.advance(days=10)
    assert hsm_lines(sim.bill("2026-06")).iloc[0]["quantity"] == 480 + 720 + 240
    hsms = sim.usage()["cloudhsm_clusters"][0]["hsms"]
    assert [p[1] is None for p in hsms] == [True, False, False]  # the newest stop first


def test_each_month_bills_its_own_hours() -> None:
    sim = sim_in("2026-05-16T00:00:00Z")
    sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(days=60)
    assert hsm_lines(sim.bill("2026-05")).iloc[0]["quantity"] == 2 * 16 * 24
    assert hsm_lines(sim.bill("2026-06")).iloc[0]["quantity"] == 2 * 720
    assert hsm_lines(sim.bill("2026-04")).empty


def test_a_partial_hour_is_billed_whole_by_the_reading_in_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """[10:30, 11:15) touches the 10:00 and 11:00 hours: 2 HSM-hours per HSM, or 0.75 by the second."""
    sim = sim_in("2026-06-01T10:30:00Z")
    cluster = sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(minutes=45)
    sim.set_cloudhsm_hsms(cluster, 0)
    assert hsm_lines(sim.bill("2026-06")).iloc[0]["quantity"] == 4
    monkeypatch.setattr(choices, "CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE", False)
    assert hsm_lines(sim.bill("2026-06")).iloc[0]["quantity"] == Decimal("1.5")


def test_a_cluster_with_no_hsms_costs_nothing() -> None:
    sim = sim_in()
    sim.add_cloudhsm_cluster(hsms=0)
    sim.advance(days=3)
    assert sim.bill("2026-06").total == 0 and hsm_lines(sim.bill("2026-06")).empty


def test_set_cloudhsm_hsms_refuses_a_count_outside_the_cluster_quota() -> None:
    sim = sim_in()
    cluster = sim.add_cloudhsm_cluster(hsms=2)
    with pytest.raises(ValueError, match="0 to 28"):
        sim.set_cloudhsm_hsms(cluster, 29)
    assert sim.usage()["cloudhsm_clusters"][0]["hsms"] == [[sim.now, None], [sim.now, None]]


def test_bill_from_usage_refuses_malformed_clusters() -> None:
    usage: dict[str, Any] = {"keys": [], "requests": []}
    for bad, field in [
        ("x", "usage.cloudhsm_clusters"),
        ([{"cluster_id": "c", "region": "us-east-1"}], "usage.cloudhsm_clusters[0].hsms"),
        (
            [{"cluster_id": "c", "region": "us-east-1", "hsms": [["x", None]]}],
            "usage.cloudhsm_clusters[0].hsms[0]",
        ),
        ([{"cluster_id": "c", "region": "us-east-1", "hsms": [[1]]}], "usage.cloudhsm_clusters[0].hsms[0]"),
    ]:
        with pytest.raises(EstimateInputError) as info:
            bill_from_usage({**usage, "cloudhsm_clusters": bad}, "2026-06")
        assert info.value.field == field


# ----------------------------------------------------------------------------------------------- saved state


def test_the_hsm_periods_round_trip_and_old_states_still_load(tmp_path: Path) -> None:
    sim = sim_in()
    cluster = sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(days=2)
    sim.set_cloudhsm_hsms(cluster, 1)
    sim.advance(days=1)
    first = sim.to_json()
    again = kmssim.Simulator.from_json(json.loads(json.dumps(first)))
    assert again.to_json() == first
    # The HSM still running is billed to the month's end, as a key that still exists is.
    assert again.bill("2026-06").total == sim.bill("2026-06").total == (48 + 720) * PRICE
    # A state written before HSM-hours were recorded: no field, the cluster loads, no hours are known.
    old = json.loads(json.dumps(first))
    del old["operations"]["key_stores"]["clusters"][0]["hsm_periods"]
    legacy = kmssim.Simulator.from_json(old)
    assert hsm_lines(legacy.bill("2026-06")).empty
    damaged = json.loads(json.dumps(first))
    damaged["operations"]["key_stores"]["clusters"][0]["hsm_periods"][0][1] = "2026-05-01T00:00:00Z"
    with pytest.raises(
        ValueError, match=r"hsm_periods\[0\]: the kmssim state is damaged: an HSM that stops before it starts"
    ):
        kmssim.Simulator.from_json(damaged)


def test_hsm_hours_are_exact_fractions() -> None:
    sim = sim_in("2026-06-01T00:00:20Z")
    sim.add_cloudhsm_cluster(hsms=1)
    sim.advance(seconds=40)
    usage = sim.usage()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(choices, "CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE", False)
        quantity = hsm_lines(bill_from_usage(usage, "2026-06")).iloc[0]["quantity"]
    stop = usage["cloudhsm_clusters"][0]["hsms"][0][1]
    assert stop is None  # still running: billed to the end of June
    assert abs(Fraction(quantity) - Fraction(720 * 3600 - 20, 3600)) < Fraction(1, 10**30)


def test_a_bill_counts_the_hours_the_hsms_ran_whatever_the_month_convention() -> None:
    """The 730-hour month prorates key-months; HSMs are billed for the hours they ran (744 in July)."""
    sim = sim_in("2026-07-01T00:00:00Z")
    sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(days=31)
    for hours in ("calendar", 730):  # the two conventions Simulator.bill takes
        assert hsm_lines(sim.bill("2026-07", hours=hours)).iloc[0]["quantity"] == 2 * 744
