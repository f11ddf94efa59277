"""Workload presets in data/scenarios.json: each gives an estimate, a quota check and a cost lever."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kmssim._pricing import DataFileError, scenarios
from kmssim._pricing._paths import data_file

EXPECTED = {
    # name: (estimate, with lever, quota ok, quota ok with lever)
    "s3-sse-kms": ("361.94", "11.54", False, True),
    "envelope-encryption": ("602.94", "7.59", False, True),
    "ebs-volumes": ("400.05", "1.05", False, False),
    "multi-region-app": ("151.94", "147.94", True, True),
    "asymmetric-signing": ("1501.00", "301.15", False, True),
}


def test_bundled_presets() -> None:
    assert scenarios.names() == list(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_preset_estimates_checks_quotas_and_has_a_lever(name: str) -> None:
    before, after, ok, ok_after = EXPECTED[name]
    preset = scenarios.load(name)
    assert preset.estimate().total == Decimal(before)
    assert preset.estimate_with_lever().total == Decimal(after)
    assert preset.saving() == Decimal(before) - Decimal(after) > 0
    assert preset.quota_check().ok is ok
    assert preset.quota_check_with_lever().ok is ok_after
    assert preset.lever and preset.lever_title and preset.assumptions
    assert all(url.startswith("https://") for url in preset.sources + preset.lever_sources)
    assert preset.title in preset._repr_html_() and repr(preset) == f"<Scenario {name}: {preset.title}>"


def test_s3_preset_throttles_the_frankfurt_symmetric_quota() -> None:
    """Frankfurt's shared symmetric quota is 20,000/s; 6,000 uploads + 18,000 downloads exceed it."""
    report = scenarios.load("s3-sse-kms").quota_check()
    row = report.throttled().iloc[0]
    assert (row["region"], row["limit_per_second"], row["planned_per_second"]) == (
        "eu-central-1",
        20_000,
        24_000,
    )


def test_ebs_lever_cuts_key_cost_but_not_the_create_grant_rate() -> None:
    preset = scenarios.load("ebs-volumes")
    assert preset.quota_check_with_lever().throttled()["quota"].tolist() == ["CreateGrant request rate"]


def test_presets_accept_estimate_options() -> None:
    preset = scenarios.load("asymmetric-signing")
    assert preset.estimate(free_tier=False, hours=730).total == Decimal("1501.00")


def _write(tmp_path: Path, edit: Any) -> Path:
    document = json.loads(data_file("scenarios.json").read_text())
    edit(document)
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d["scenarios"][0].pop("lever"), "scenario #1: missing field 'lever'"),
        (lambda d: d["scenarios"][1].update(name="Envelope Encryption"), "must be lower-case words"),
        (lambda d: d["scenarios"][1].update(name="s3-sse-kms"), "duplicate scenario name 's3-sse-kms'"),
        (lambda d: d["scenarios"][0].update(colour="red"), "unknown field 'colour'"),
        (lambda d: d["scenarios"][0].update(month="June"), "invalid month 'June'"),
        (lambda d: d["scenarios"][0].update(sources=["www.example.com"]), "must list https URLs"),
        (lambda d: d["scenarios"][0].update(assumptions=[""]), "must list non-empty strings"),
        (lambda d: d["scenarios"][0].update(keys={}), "field 'keys' must be a list"),
        (lambda d: d["scenarios"][2]["requests"][0].update(operation="AttachVolume"),
         "scenario #3 ('ebs-volumes'): invalid requests[0].operation 'AttachVolume'"),
        (lambda d: d["scenarios"][4]["lever"]["rates"][0].update(per_second=-4),
         "scenario #5 ('asymmetric-signing'): invalid rates[0].per_second -4"),
        (lambda d: d["scenarios"][0]["lever"].pop("text"), "#1 ('s3-sse-kms') lever: missing field 'text'"),
        (lambda d: d.update(version=2), "top level: expected an object"),
    ],
)  # fmt: skip
def test_broken_presets_name_file_preset_and_problem(tmp_path: Path, edit: Any, needle: str) -> None:
    path = _write(tmp_path, edit)
    with pytest.raises(DataFileError) as info:
        scenarios.load_all(path)
    assert str(path) in str(info.value) and needle in str(info.value)


def test_invalid_json_and_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"version": 1, "scenarios": [')
    with pytest.raises(DataFileError, match="invalid JSON"):
        scenarios.load_all(path)
    with pytest.raises(DataFileError, match="cannot be read"):
        scenarios.load_all(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="unknown scenario 'cheap'"):
        scenarios.load("cheap")
    own = _write(tmp_path, lambda d: d.update(scenarios=d["scenarios"][:1]))
    assert scenarios.load("s3-sse-kms", own).name == "s3-sse-kms"
