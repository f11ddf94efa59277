"""Regenerate data/sample_cloudtrail/: one simulated month (March 2026) of KMS use, as CloudTrail delivers it to S3.

    python scripts/make_sample_cloudtrail.py

Deterministic (seed 2026): the same files, byte for byte, on every run. The workload: an orders service (a role)
encrypting with an envelope pattern under an encryption context, a reporting job decrypting in bursts, a signing
service making a burst of RSA signatures, an analyst denied by the key policy, a rotation, a key scheduled for
deletion, and a few records of another service (STS) that readers count and leave out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kmssim  # noqa: E402
from kmssim._usage.export import write_s3_layout  # noqa: E402

ACCOUNT = "111122223333"
ORDERS = f"arn:aws:iam::{ACCOUNT}:role/orders-service"
REPORTS = f"arn:aws:iam::{ACCOUNT}:role/reporting-job"
SIGNER = f"arn:aws:iam::{ACCOUNT}:role/invoice-signer"
ANALYST = f"arn:aws:iam::{ACCOUNT}:user/analyst"
TARGET = ROOT / "data" / "sample_cloudtrail"


def _allow_all() -> list[dict[str, object]]:
    return [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]


def simulate() -> kmssim.Simulator:
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    sim = kmssim.Simulator(seed=2026, account_id=ACCOUNT, start=start)
    for role in (ORDERS, REPORTS, SIGNER):
        sim.add_principal(role, policies=_allow_all())
    sim.add_principal(ANALYST, policies=[])
    orders_key = sim.call("CreateKey", {"Description": "orders table"})["KeyMetadata"]["Arn"]
    sim.call("CreateAlias", {"AliasName": "alias/orders", "TargetKeyId": orders_key})
    sim.call("EnableKeyRotation", {"KeyId": orders_key, "RotationPeriodInDays": 90})
    signing_key = sim.call(
        "CreateKey", {"Description": "invoice signing", "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}
    )["KeyMetadata"]["Arn"]
    old_key = sim.call("CreateKey", {"Description": "legacy exports"})["KeyMetadata"]["Arn"]
    blobs = []
    for day in range(31):
        for i in range(40):  # the orders service: one data key per batch of orders
            out = sim.call(
                "GenerateDataKey",
                {"KeyId": "alias/orders", "KeySpec": "AES_256", "EncryptionContext": {"table": "orders"}},
                principal=ORDERS,
            )
            if i % 10 == 0:
                blobs.append(out["CiphertextBlob"])
            sim.advance(minutes=7)
        for blob in blobs[-4:]:  # the nightly report decrypts the day's keys
            sim.call(
                "Decrypt",
                {"CiphertextBlob": blob, "EncryptionContext": {"table": "orders"}},
                principal=REPORTS,
            )
        if day % 7 == 3:  # the analyst tries and is refused (no IAM policy allows it)
            with contextlib.suppress(kmssim.AccessDeniedException):
                sim.call("Decrypt", {"CiphertextBlob": blobs[-1]}, principal=ANALYST)
        if day == 14:  # month-end invoicing: a burst of signatures within one second
            for _ in range(700):
                sim.call(
                    "Sign",
                    {
                        "KeyId": signing_key,
                        "Message": b"invoice",
                        "SigningAlgorithm": "RSASSA_PKCS1_V1_5_SHA_256",
                    },
                    principal=SIGNER,
                )
        if day == 20:
            sim.call("ScheduleKeyDeletion", {"KeyId": old_key, "PendingWindowInDays": 7})
        if day == 25:
            sim.call("RotateKeyOnDemand", {"KeyId": orders_key})
        if day < 30:
            sim.advance(hours=24 - 40 * 7 / 60)
    return sim


def other_service_records() -> list[dict[str, object]]:
    """A few STS records, as a trail holds every service's events: readers must count them and leave them out."""
    return [
        {
            "eventVersion": "1.11",
            "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
            "eventTime": f"2026-03-{day:02d}T08:00:00Z",
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "lambda.amazonaws.com",
            "userAgent": "lambda.amazonaws.com",
            "requestParameters": {"roleArn": ORDERS, "roleSessionName": "orders"},
            "responseElements": None,
            "requestID": f"00000000-0000-4000-8000-0000000000{day:02d}",
            "eventID": f"00000000-0000-4000-9000-0000000000{day:02d}",
            "readOnly": True,
            "resources": [{"ARN": ORDERS, "accountId": ACCOUNT, "type": "AWS::IAM::Role"}],
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        }
        for day in (2, 9, 16)
    ]


def main() -> None:
    sim = simulate()
    records = sim.trail().to_cloudtrail() + other_service_records()
    records.sort(key=lambda r: str(r["eventTime"]))
    if TARGET.exists():
        shutil.rmtree(TARGET)
    files = write_s3_layout(records, TARGET)
    bill = sim.bill("2026-03")
    (TARGET / "README.md").write_text(
        "# A sample CloudTrail log made with kmssim\n\n"
        "One simulated month (March 2026) of KMS use in account 111122223333, us-east-1, in S3's\n"
        "`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/` layout, one gzipped file per hour.\n"
        "Regenerate with `python scripts/make_sample_cloudtrail.py` (deterministic: seed 2026).\n\n"
        f"{len(records)} records in {len(files)} files; the simulator's own bill for the month: ${bill.total}.\n"
    )
    (TARGET / "expected_bill.json").write_text(
        json.dumps({"month": "2026-03", "total": str(bill.total)}) + "\n"
    )
    size = sum(f.stat().st_size for f in files)
    print(f"{len(records)} records in {len(files)} files, {size / 1024:.0f} KiB; bill ${bill.total}")


if __name__ == "__main__":
    main()
