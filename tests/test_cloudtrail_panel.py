"""The CloudTrail panel, driven as a user would: setting ``.value`` and calling ``.click()``."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import kmssim
from kmssim.apps.cloudtrail_panel import CloudTrailPanel, analyse, load_log, replay_policy, sample_path

EXAMPLES = Path(__file__).parent / "data" / "cloudtrail" / "aws_examples.json"


def test_opens_on_the_sample_with_bill_and_peaks() -> None:
    panel = CloudTrailPanel()
    expected = kmssim.read_cloudtrail(sample_path()).estimate("2026-03").total
    assert panel.month.value == "2026-03"
    assert f"${expected}" in panel.bill.value
    assert panel.peaks.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Cryptographic operations (RSA) request rate" in panel.peaks_table.value
    assert panel.error.value == ""
    assert panel.widget.children  # embeddable: CloudTrailPanel().widget


def test_replay_shows_changed_calls_and_errors_inline() -> None:
    panel = CloudTrailPanel()
    key = next(
        k
        for k in panel.key.options
        if panel.log is not None
        and ((panel.log.events["key_arn"] == k) & (panel.log.events["event_name"] == "GenerateDataKey")).any()
    )
    panel.key.value = key
    panel.replay.click()
    assert panel.last_replay is not None
    changed = len(panel.last_replay.changed)
    assert changed > 0 and f"{changed:,} would change" in panel.replay_result.value
    assert "reporting-job" in panel.replay_result.value
    panel.policy.value = "{not json"
    panel.replay.click()
    assert "not JSON" in panel.error.value and panel.replay_result.value == ""


def test_bad_path_clears_the_old_figures(tmp_path: Path) -> None:
    panel = CloudTrailPanel()
    panel.source.value = str(tmp_path / "missing")
    panel.load.click()
    assert "no such file" in panel.error.value
    assert panel.bill.value == "" and panel.peaks.value == b"" and panel.month.options == ()
    panel.replay.click()
    assert "Load a log first" in panel.error.value


def test_upload_of_a_gzipped_file() -> None:
    panel = CloudTrailPanel()
    content = gzip.compress(EXAMPLES.read_bytes())
    panel.upload.value = (
        {
            "name": "trail.json.gz",
            "type": "application/gzip",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 6, 30, tzinfo=dt.UTC),
        },
    )
    assert panel.month.value == "2026-06" and panel.error.value == ""
    assert "7 KMS events" in panel.summary.value


def test_model_functions() -> None:
    log, error = load_log("  ")
    assert log is None and "Give a path" in error
    log, error = load_log(json.dumps({"hello": 1}).encode(), "x.json")
    assert log is None and "not CloudTrail records" in error
    log, _ = load_log(str(EXAMPLES))
    assert log is not None
    assert "month" in analyse(log, "2026-13").error
    assert replay_policy(log, "", "{}") == (None, "Pick the key the policy is for.")
