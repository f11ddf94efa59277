"""The command line, run as a user would: ``python -m kmssim ...`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

import kmssim

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_cloudtrail"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kmssim", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_plan_prints_the_bill_and_peaks_and_writes_csv(tmp_path: Path) -> None:
    out = run("plan", str(SAMPLE), "--output", str(tmp_path), "--progress")
    assert out.returncode == 0, out.stderr
    total = kmssim.read_cloudtrail(SAMPLE).estimate("2026-03").total
    assert f"KMS bill for 2026-03: ${total} USD" in out.stdout
    assert "Cryptographic operations (RSA) request rate" in out.stdout
    files = sorted(tmp_path.rglob("*.csv"))
    peaks = pd.read_csv(tmp_path / "peaks.csv")
    assert {p.name for p in files} == {"estimate.csv", "peaks.csv"}
    assert int(peaks.loc[peaks["quota"].str.contains("RSA"), "peak_per_second"].iloc[0]) == 700
    assert "CloudTrail files [" in out.stderr  # the text progress bar, asked for off a terminal


def test_plan_replays_a_policy_file_as_json(tmp_path: Path) -> None:
    log = kmssim.read_cloudtrail(SAMPLE)
    key = log.events.loc[log.events["event_name"] == "GenerateDataKey", "key_arn"].iloc[0]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "NoDecrypt",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ],
    }
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    out = run(
        "plan",
        str(SAMPLE),
        "--replay",
        str(path),
        "--key",
        key,
        "-o",
        str(tmp_path),
        "--format",
        "json",
        "--no-progress",
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads((tmp_path / "replay_summary.json").read_text())
    decrypts = int((log.events["event_name"] == "Decrypt").sum()) - int(
        (log.events["error_code"] == "AccessDeniedException").sum()
    )
    assert sum(row["calls"] for row in summary) == decrypts
    assert f"{decrypts:,} would change" in out.stdout
    assert out.stderr == ""


def test_iac_command(tmp_path: Path) -> None:
    out = run(
        "iac", str(ROOT / "tests" / "data" / "iac" / "plan.json"), "--month", "2026-06", "-o", str(tmp_path)
    )
    assert out.returncode == 0, out.stderr
    # The replica was "[not-simulated]" before kmssim had ReplicateKey; now it is built, and the imported
    # key's material is what is not simulated.
    assert "[not-simulated] aws_kms_external_key.imported" in out.stdout
    assert "aws_kms_replica_key.app_west" in out.stdout and "c2VjcmV0" not in out.stdout
    assert (tmp_path / "findings.csv").is_file() and (tmp_path / "policy_check.csv").is_file()


def test_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    out = run("plan", str(tmp_path / "nothing"))
    assert out.returncode == 2 and "no such file or folder" in out.stderr
    out = run("plan", str(SAMPLE), "--month", "March", "--no-progress")
    assert out.returncode == 2 and "invalid month" in out.stderr
