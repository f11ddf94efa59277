"""The data files: coverage, sources, and validation errors naming file, row and problem."""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal
from pathlib import Path

import botocore
import botocore.loaders
import pytest

from kmssim._pricing import (
    DATA_KEY_PAIR_SPECS,
    KEY_SPECS,
    OPERATIONS,
    DataFileError,
    EstimateInputError,
    load_price_history,
    load_pricing,
    load_regions,
)
from kmssim._pricing._paths import data_file

ITEMS = (
    "key_month",
    "rotation_month",
    "requests_symmetric",
    "requests_rsa_2048",
    "requests_asymmetric",
    "requests_gdkp_ecc",
    "requests_gdkp_rsa",
    "free_tier_requests",
)


def _endpoints() -> dict[str, list[str]]:
    path = Path(os.path.dirname(botocore.__file__)) / "data" / "endpoints.json"
    data = json.loads(path.read_text())
    return {p["partition"]: sorted(p["regions"]) for p in data["partitions"]}


def _kms_model() -> dict[str, object]:
    model: dict[str, object] = botocore.loaders.Loader().load_service_model("kms", "service-2")
    return model


def test_every_commercial_region_aws_lists_is_in_the_pricing_table() -> None:
    """Every Region of botocore's ``aws`` partition has a row for every item (priced or marked unknown)."""
    table = load_pricing()
    for region in _endpoints()["aws"]:
        for item in ITEMS:
            assert table.row(region, item) is not None, (region, item)


def test_govcloud_and_china_prices_are_unknown_never_invented() -> None:
    """Reference section 3: GovCloud and China prices were not found; China bills in CNY."""
    table = load_pricing()
    for region in _endpoints()["aws-us-gov"] + _endpoints()["aws-cn"]:
        for item in ITEMS:
            row = table.row(region, item)
            assert row is not None and row.status == "unknown" and row.price is None
        assert (table.row(region, "key_month") or pytest.fail()).currency == (
            "CNY" if region.startswith("cn-") else "USD"
        )


def _dict_rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_carries_unit_currency_source_and_as_of() -> None:
    rows = _dict_rows("kms_pricing.csv")
    assert len(rows) == 38 * len(ITEMS)
    for row in rows:
        assert row["unit"] and row["currency"] and row["as_of"] and row["note"]
        assert row["source_url"].startswith("https://")


def test_request_prices_are_listed_where_a_source_gives_them() -> None:
    table = load_pricing()
    listed = {
        region
        for region in table.regions()
        if (row := table.row(region, "requests_symmetric")) is not None
        and row.status in ("listed", "derived")
    }
    assert listed == {"ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1", "us-east-2", "us-west-2"}
    assert (table.row("ap-southeast-2", "requests_gdkp_rsa") or pytest.fail()).status == "listed"


def test_one_rule_prices_every_commercial_region() -> None:
    """Issue 11. data/README.md, "One rule for every Region": a price the pricing page gives applies in every
    commercial Region unless a source gives that Region another. The key charge's statement names no Region
    (``listed``); the request list was read for six Regions, all identical (reference 1.4 and 3), so the other
    commercial Regions carry it as ``uniform``, with the pricing page as source. GovCloud and China stay unknown."""
    table = load_pricing()
    commercial = _endpoints()["aws"]
    assert len(commercial) == 34
    assert table.priced_regions() == sorted(commercial)
    for region in commercial:
        for item in ITEMS:
            row = table.row(region, item) or pytest.fail()
            base = table.row("us-east-1", item) or pytest.fail()
            assert row.price == base.price and row.status in ("listed", "derived", "uniform"), (region, item)
            if row.status == "uniform":
                assert item.startswith("requests_")
                assert row.source_url == "https://aws.amazon.com/kms/pricing/" and row.as_of == "2026-11-28"
                assert "no source gives this Region another price" in row.note
    singapore = table.row("ap-southeast-1", "requests_symmetric") or pytest.fail()
    assert (singapore.price, singapore.status) == (Decimal("0.03"), "uniform")


def test_listed_prices_match_the_pricing_page() -> None:
    """https://aws.amazon.com/kms/pricing/ (reference 1.4): $1, $0.03, $0.03, $0.15, $0.10, $12 and 20,000."""
    table = load_pricing()
    expected = {
        "key_month": "1.00",
        "rotation_month": "1.00",
        "requests_symmetric": "0.03",
        "requests_rsa_2048": "0.03",
        "requests_asymmetric": "0.15",
        "requests_gdkp_ecc": "0.10",
        "requests_gdkp_rsa": "12.00",
        "free_tier_requests": "20000",
    }
    for row in table.to_frame().itertuples():
        if row.price is not None:
            assert str(row.price) == expected[str(row.item)], row


def test_us_east_2_derived_rates_are_marked_derived() -> None:
    table = load_pricing()
    assert (table.row("us-east-2", "requests_gdkp_rsa") or pytest.fail()).status == "derived"
    assert (table.row("us-east-2", "requests_symmetric") or pytest.fail()).status == "listed"


def test_catalog_matches_botocore_kms_model() -> None:
    model = _kms_model()
    shapes = model["shapes"]
    assert isinstance(shapes, dict)
    assert set(OPERATIONS) == set(model["operations"])  # type: ignore[call-overload]
    assert set(KEY_SPECS) == set(shapes["KeySpec"]["enum"])
    assert set(DATA_KEY_PAIR_SPECS) == set(shapes["DataKeyPairSpec"]["enum"])


def test_region_table_lists_three_partitions() -> None:
    regions = load_regions()
    endpoints = _endpoints()
    assert regions.codes() == sorted(endpoints["aws"] + endpoints["aws-cn"] + endpoints["aws-us-gov"])
    assert regions["eu-west-2"].name == "Europe (London)"
    with pytest.raises(EstimateInputError, match="region"):
        regions.check("mars-north-1")


def test_price_history_gives_the_rotation_rule_by_month() -> None:
    """AWS Security Blog 2024-04-12: capped rotation charge from May 2024."""
    history = load_price_history()
    assert history.rotation_rule("2024-04") == "each_rotation"
    assert history.rotation_rule("2024-05") == "first_two_rotations"
    assert history.rotation_rule("2031-01") == "first_two_rotations"
    with pytest.raises(EstimateInputError, match="month"):
        history.rotation_rule("2018-12")
    assert len(history.to_frame()) == 6


# ------------------------------------------------------------------------------------ broken files


def _copy_with(
    tmp_path: Path, name: str, edit: str, row: int | None = None, value: str | None = None
) -> Path:
    """Copy a data file with one edit: ``drop:<column>``, ``dup`` (repeat ``row``) or ``set:<column>``."""
    with data_file(name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    if edit.startswith("drop:"):
        col = header.index(edit[5:])
        rows = [r[:col] + r[col + 1 :] for r in rows]
    elif edit == "dup":
        assert row is not None
        rows.insert(row + 1, rows[row])
    elif edit.startswith("set:"):
        assert row is not None and value is not None
        rows[row][header.index(edit[4:])] = value
    out = tmp_path / name
    with out.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return out


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "kms_pricing.csv", "drop:price")
    with pytest.raises(DataFileError) as info:
        load_pricing(path)
    message = str(info.value)
    assert str(path) in message and "header (line 1)" in message and "missing column(s) 'price'" in message


def test_bad_type_names_file_row_and_problem(tmp_path: Path) -> None:
    table = load_pricing()
    rows = _dict_rows("kms_pricing.csv")
    row = next(i for i, r in enumerate(rows, 1) if r["region"] == "us-east-1" and r["item"] == "key_month")
    path = _copy_with(tmp_path, "kms_pricing.csv", "set:price", row, "one dollar")
    with pytest.raises(DataFileError) as info:
        load_pricing(path)
    assert (
        str(info.value)
        == f"{path}: row {row} (line {row + 1}): column 'price': 'one dollar' is not a decimal number"
    )
    assert info.value.row == row and table.row("us-east-1", "key_month") is not None


def test_duplicate_row_is_rejected(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "kms_pricing.csv", "dup", 5)
    with pytest.raises(DataFileError, match=r"row 6 \(line 7\): duplicate row for Region 'af-south-1'"):
        load_pricing(path)


def test_unknown_region_is_rejected(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "kms_pricing.csv", "set:region", 3, "us-moon-1")
    with pytest.raises(DataFileError, match=r"row 3 \(line 4\): column 'region': unknown Region 'us-moon-1'"):
        load_pricing(path)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("status", "guessed", "column 'status': 'guessed'"),
        ("unit", "request", "column 'unit': 'request'; item key_month is priced per 'key-month'"),
        ("item", "requests_magic", "unknown item 'requests_magic'"),
        ("as_of", "last week", "column 'as_of': 'last week' is not an ISO date"),
        ("source_url", "aws pricing page", "is not an http(s) URL"),
        ("price", "-1", "column 'price': '-1' is negative"),
        ("currency", "usd", "is not a 3-letter currency code"),
    ],
)
def test_other_bad_values_name_the_column(tmp_path: Path, column: str, value: str, problem: str) -> None:
    path = _copy_with(tmp_path, "kms_pricing.csv", f"set:{column}", 1, value)
    with pytest.raises(DataFileError) as info:
        load_pricing(path)
    assert str(path) in str(info.value) and "row 1 (line 2)" in str(info.value) and problem in str(info.value)


def test_price_given_for_unknown_status_is_rejected(tmp_path: Path) -> None:
    rows = _dict_rows("kms_pricing.csv")
    row = next(i for i, r in enumerate(rows, 1) if r["status"] == "unknown")
    path = _copy_with(tmp_path, "kms_pricing.csv", "set:price", row, "0.03")
    with pytest.raises(DataFileError, match="given for an unknown price"):
        load_pricing(path)


def test_a_users_own_small_table_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "region,item,price,unit,currency,status,source_url,as_of,note\n"
        "eu-west-3,key_month,1.00,key-month,USD,listed,https://example.com/q,2026-11,my quote\n"
        "eu-west-3,requests_symmetric,0.04,10000 requests,USD,listed,https://example.com/q,2026-11,my quote\n"
    )
    table = load_pricing(path)
    assert table.regions() == ["eu-west-3"]
    assert table.price("eu-west-3", "requests_symmetric").price is not None


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="the file is empty"):
        load_pricing(empty)
    with pytest.raises(DataFileError, match="cannot be read"):
        load_pricing(tmp_path / "nope.csv")
    header_only = tmp_path / "header.csv"
    header_only.write_text("region,item,price,unit,currency,status,source_url,as_of,note\n")
    with pytest.raises(DataFileError, match="has no rows"):
        load_pricing(header_only)


def test_ragged_row_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("region,item,price,unit,currency,status,source_url,as_of,note\nus-east-1,key_month,1\n")
    with pytest.raises(DataFileError, match=r"row 1 \(line 2\): has 3 fields, the header has 9"):
        load_pricing(path)


def test_overlapping_history_periods_are_rejected(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "kms_price_history.csv", "set:valid_to", 5, "2024-06")
    with pytest.raises(DataFileError, match="periods of item 'rotation_month' overlap at 2024-05"):
        load_price_history(path)


def test_history_rotation_rule_names_are_checked(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "kms_price_history.csv", "set:rule", 6, "capped")
    with pytest.raises(DataFileError, match=r"row 6 \(line 7\): column 'rule': 'capped'"):
        load_price_history(path)
