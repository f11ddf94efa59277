"""Decisions per second of kmssim's permission engine.

Typical case: a console-style key policy (root statement, key administrators, key users, persistent-resource
grants statement) and one IAM identity policy with a condition, evaluated for a mix of principals and actions
with a realistic request context. Run: ``python benchmarks/bench_policy.py``.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kmssim._policy import build_request_context, console_key_policy, evaluate

ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
USER = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
DEV = f"arn:aws:iam::{ACCOUNT}:user/Dev"

KEY_POLICY = console_key_policy(ACCOUNT, admins=[ADMIN], users=[USER])
IAM_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "UseKeyForTeamContext",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:team": "payments"}},
            }
        ],
    }
)


def _cases() -> list[dict[str, object]]:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    key = {
        "arn": KEY_ARN,
        "account": ACCOUNT,
        "region": "us-east-1",
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "origin": "AWS_KMS",
        "multi_region": False,
        "tags": {"env": "prod"},
        "aliases": ["alias/payments"],
    }
    cases = []
    for principal, operation in [
        (USER, "Decrypt"),
        (USER, "GenerateDataKey"),
        (ADMIN, "DescribeKey"),
        (ADMIN, "Decrypt"),
        (DEV, "Encrypt"),
        (DEV, "ScheduleKeyDeletion"),
    ]:
        ctx = build_request_context(
            operation=operation,
            principal_arn=principal,
            key=key,
            request={"KeyId": "alias/payments", "EncryptionContext": {"team": "payments"}},
            now=now,
        )
        cases.append(
            {
                "key_policy": KEY_POLICY,
                "identity_policies": (IAM_POLICY,),
                "principal": principal,
                "action": "kms:" + operation,
                "resource": KEY_ARN,
                "context": ctx,
            }
        )
    return cases


def main(seconds: float = 2.0) -> float:
    cases = _cases()
    for case in cases:  # warm the parse and match caches
        evaluate(**case)  # type: ignore[arg-type]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for case in cases:
            evaluate(**case)  # type: ignore[arg-type]
        done += len(cases)
    rate = done / (time.perf_counter() - start)
    print(f"{rate:,.0f} decisions/second ({len(cases)} request shapes, console key policy + 1 IAM policy)")
    return rate


if __name__ == "__main__":
    main()
