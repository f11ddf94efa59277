"""The checks of notebook 05's exercises, with right and wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

import kmssim
from kmssim.course.cost_planning import check_bill, check_tightened_policy

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_cloudtrail"
A = "arn:aws:iam::111122223333:"
ADMIN = {
    "Sid": "Administration by the account",
    "Effect": "Allow",
    "Principal": {"AWS": A + "root"},
    "Action": [
        "kms:CreateAlias",
        "kms:Describe*",
        "kms:Enable*",
        "kms:Disable*",
        "kms:Get*",
        "kms:List*",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:RotateKeyOnDemand",
    ],
    "Resource": "*",
}
ORDERS = {
    "Sid": "Orders service",
    "Effect": "Allow",
    "Principal": {"AWS": A + "role/orders-service"},
    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
    "Resource": "*",
}
REPORTS = {
    "Sid": "Reporting job",
    "Effect": "Allow",
    "Principal": {"AWS": A + "role/reporting-job"},
    "Action": "kms:Decrypt",
    "Resource": "*",
}


@pytest.fixture(scope="module")
def log() -> kmssim.CloudTrailLog:
    return kmssim.read_cloudtrail(SAMPLE)


@pytest.fixture(scope="module")
def key(log: kmssim.CloudTrailLog) -> str:
    return str(log.events.loc[log.events["event_name"] == "GenerateDataKey", "key_arn"].iloc[0])


def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_tightened_policy_right(log: kmssim.CloudTrailLog, key: str) -> None:
    verdict = check_tightened_policy(log, key, policy(ADMIN, ORDERS, REPORTS))
    assert verdict.ok and "keep their outcome" in verdict.message


def test_tightened_policy_denying_recorded_calls(log: kmssim.CloudTrailLog, key: str) -> None:
    verdict = check_tightened_policy(log, key, policy(ADMIN, ORDERS))
    assert not verdict.ok
    assert "reporting-job" in verdict.message and "kms:Decrypt" in verdict.message


def test_tightened_policy_still_open_to_iam(log: kmssim.CloudTrailLog, key: str) -> None:
    open_policy = policy(
        {"Effect": "Allow", "Principal": {"AWS": A + "root"}, "Action": "kms:*", "Resource": "*"}
    )
    verdict = check_tightened_policy(log, key, open_policy)
    assert not verdict.ok and "IAM policy allowing kms:*" in verdict.message


def test_tightened_policy_malformed(log: kmssim.CloudTrailLog, key: str) -> None:
    verdict = check_tightened_policy(log, key, "{not json")
    assert not verdict.ok and "could not be read" in verdict.message


def test_bill(log: kmssim.CloudTrailLog) -> None:
    right = log.estimate("2026-03")
    assert check_bill(log, "2026-03", right).ok and check_bill(log, "2026-03", str(right.total)).ok
    keys_only = sum(
        (
            u
            for u, c in zip(right.lines["USD"], right.lines["price_class"], strict=True)
            if c in ("key_month", "rotation_month")
        ),
        start=type(right.total)(0),
    )
    wrong = check_bill(log, "2026-03", keys_only)
    assert not wrong.ok and "key charge alone" in wrong.message
    assert "not the bill" in check_bill(log, "2026-03", 1).message
    assert "not an amount" in check_bill(log, "2026-03", "lots").message
