"""CloudTrail reading, the month's bill from a log, peaks against quotas, replay and the trail export.

Record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
and https://docs.aws.amazon.com/kms/latest/developerguide/understanding-kms-entries.html; the S3 layout:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

import kmssim

DATA = Path(__file__).parent / "data" / "cloudtrail"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_cloudtrail"
ACCOUNT = "111122223333"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ALLOW_ALL = [
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
]


def _workload() -> kmssim.Simulator:
    """Two months with rotation (automatic and on demand), a deletion, RSA signing beyond the free tier."""
    sim = kmssim.Simulator(seed=5, start=dt.datetime(2026, 1, 30, 22, tzinfo=dt.UTC))
    sim.add_principal(APP, policies=ALLOW_ALL)
    sym = sim.call("CreateKey", {})["KeyMetadata"]["Arn"]
    rsa = sim.call("CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})["KeyMetadata"]["Arn"]
    gone = sim.call("CreateKey", {"Description": "to delete"})["KeyMetadata"]["Arn"]
    sim.call("EnableKeyRotation", {"KeyId": sym, "RotationPeriodInDays": 90})
    for i in range(60):
        sim.call(
            "Encrypt",
            {"KeyId": sym, "Plaintext": b"secret-plaintext", "EncryptionContext": {"n": str(i)}},
            principal=APP,
        )
        sim.call(
            "Sign", {"KeyId": rsa, "Message": b"m", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}, principal=APP
        )
        sim.advance(hours=3)
    sim.call("GenerateRandom", {"NumberOfBytes": 8})
    sim.call("ScheduleKeyDeletion", {"KeyId": gone, "PendingWindowInDays": 7})
    sim.call("RotateKeyOnDemand", {"KeyId": sym})
    sim.add_principal(f"arn:aws:iam::{ACCOUNT}:user/nobody")
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call(
            "Encrypt", {"KeyId": sym, "Plaintext": b"x"}, principal=f"arn:aws:iam::{ACCOUNT}:user/nobody"
        )
    sim.advance(days=100)  # the automatic rotation and the deletion happen on the way
    sim.call("Encrypt", {"KeyId": sym, "Plaintext": b"later"}, principal=APP)
    return sim


def test_round_trip_estimate_equals_the_simulators_bill(tmp_path: Path) -> None:
    sim = _workload()
    path = sim.trail().to_cloudtrail(tmp_path / "trail.json.gz")
    assert gzip.decompress(path.read_bytes()).startswith(b'{"Records":[')
    log = kmssim.read_cloudtrail(path)
    assert len(log.months()) >= 3
    for month in log.months():
        from_log, billed = log.estimate(month), sim.bill(month)
        assert from_log.exact_total == billed.exact_total, month
        assert from_log.total == billed.total
        assert list(from_log.lines["item"]) == list(billed.lines["item"])
    assert log.estimate("2026-02").total > 0


def test_export_has_aws_record_shape_and_no_secrets(tmp_path: Path) -> None:
    sim = _workload()
    records = sim.trail().to_cloudtrail()
    text = json.dumps(records)
    assert "secret-plaintext" not in text and "c2VjcmV0" not in text
    first = records[0]
    for field in (
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "requestID",
        "eventID",
        "readOnly",
        "resources",
        "eventType",
        "recipientAccountId",
    ):
        assert field in first
    assert first["eventTime"].endswith("Z") and len(first["eventTime"]) == 20
    encrypt = next(r for r in records if r["eventName"] == "Encrypt")
    assert encrypt["userIdentity"]["type"] == "AssumedRole"
    assert encrypt["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == APP
    assert encrypt["readOnly"] is True and encrypt["responseElements"] is None
    assert "encryptionContext" in encrypt["requestParameters"]
    rotate = [r for r in records if r["eventName"] == "RotateKey"]
    assert {r["serviceEventDetails"]["rotationType"] for r in rotate} == {"ON_DEMAND", "AUTOMATIC"}
    assert all(r["eventType"] == "AwsServiceEvent" and "type" not in r["userIdentity"] for r in rotate)
    denied = next(r for r in records if r.get("errorCode") == "AccessDeniedException")
    assert denied["userIdentity"]["type"] == "IAMUser"


def test_aws_documented_records_normalise() -> None:
    log = kmssim.read_cloudtrail(DATA / "aws_examples.json")
    assert len(log) == 7 and log.duplicates == 1 and log.other_sources == {"s3.amazonaws.com": 1}
    ev = log.events.set_index("event_id")
    decrypt = ev.loc["abcde202-ba1a-467c-b4ba-f729d45ae521"]
    assert decrypt["principal"] == "arn:aws:sts::111122223333:assumed-role/AppRole/app-session"
    assert decrypt["role_arn"] == "arn:aws:iam::111122223333:role/AppRole"
    assert decrypt["encryption_context"] == {"Department": "10103.0"}
    ebs = ev.loc["b0d11b1e-5e64-4a32-8b2b-5e1b7ebc7d77"]
    assert ebs["via_service"] == "AWS Internal"  # invokedBy on a user identity: a service acted for Alice
    assert ebs["alias"].endswith(":alias/aws/ebs")
    rotate = ev.loc["a24b3967-ddad-417f-9b22-2332b918db06"]
    assert rotate["event_type"] == "AwsServiceEvent"
    # resources: null: the key comes from responseElements.keyId
    scheduled = ev.loc["d2c8c7c8-5f3e-4f38-b2ee-2c54a5b7c9f1"]
    assert scheduled["key_arn"].endswith("key/1234abcd-12ab-34cd-56ef-1234567890ab")
    # no resources, a bare key ID in requestParameters: built in the record's Region and account
    missing = ev.loc["5c3c0b1a-93c1-4c2c-9a55-1b6a9b4e8f20"]
    assert missing["key_arn"] == "arn:aws:kms:us-east-2:111122223333:key/ffffffff-ffff-ffff-ffff-ffffffffffff"
    assert missing["error_code"] == "NotFoundException"
    service = ev.loc["3c4d5e6f-7081-4a92-8ba3-b4c5d6e7f809"]
    assert (service["principal"] == "cloudtrail.amazonaws.com" and service["via_service"] is None) or (
        service["via_service"] != service["via_service"]  # NaN: a service principal acts for itself
    )


def test_s3_layout_skips_digests_and_other_files(tmp_path: Path) -> None:
    day = tmp_path / "prefix" / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-2" / "2026" / "06" / "30"
    day.mkdir(parents=True)
    data = (DATA / "aws_examples.json").read_bytes()
    (day / f"{ACCOUNT}_CloudTrail_us-east-2_20260630T0210Z_Mu0KsOhtH1ar15ZZ.json.gz").write_bytes(
        gzip.compress(data)
    )
    # the same delivery twice (CloudTrail can deliver duplicates): read once
    (day / f"{ACCOUNT}_CloudTrail_us-east-2_20260630T0215Z_Zz0KsOhtH1ar15ZZ.json.gz").write_bytes(
        gzip.compress(data)
    )
    digest = (
        tmp_path / "prefix" / "AWSLogs" / ACCOUNT / "CloudTrail-Digest" / "us-east-2" / "2026" / "06" / "30"
    )
    digest.mkdir(parents=True)
    (digest / "digest.json.gz").write_bytes(gzip.compress(b'{"awsAccountId": "1", "logFiles": []}'))
    (tmp_path / "prefix" / "notes.json").write_text("not a trail")
    log = kmssim.read_cloudtrail(tmp_path)
    assert len(log) == 7 and log.duplicates == 1 + 8


def test_sample_matches_its_simulated_bill() -> None:
    log = kmssim.read_cloudtrail(SAMPLE)
    readme = (SAMPLE / "README.md").read_text()
    assert f"${log.estimate('2026-03').total}." in readme
    assert log.other_sources == {"sts.amazonaws.com": 3}


def test_athena_csv() -> None:
    log = kmssim.read_cloudtrail(DATA / "athena_results.csv")
    assert list(log.events["event_name"]) == ["Encrypt", "Decrypt"]
    first = log.events.iloc[0]
    assert first["role_arn"] == "arn:aws:iam::111122223333:role/AppRole"
    assert first["encryption_context"] == {"table": "orders"}
    assert log.events.iloc[1]["error_code"] == "AccessDeniedException"
    assert str(log.events.iloc[1]["time"]) == "2026-06-30 03:00:01+00:00"


def test_inventory_sets_key_specs_and_notes_say_what_was_assumed() -> None:
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    records = [
        {
            "eventSource": "kms.amazonaws.com",
            "eventName": "Sign",
            "awsRegion": "us-east-1",
            "eventTime": f"2026-06-01T00:00:{i:02d}Z",
            "eventID": f"id-{i}",
            "eventType": "AwsApiCall",
            "userIdentity": {
                "type": "IAMUser",
                "arn": "arn:aws:iam::111122223333:user/a",
                "accountId": ACCOUNT,
            },
            "resources": [{"ARN": key}],
            "requestParameters": {"keyId": key},
        }
        for i in range(50)
    ]
    log = kmssim.read_cloudtrail(records)
    assumed = log.estimate("2026-06")
    assert any("key spec assumed" in n and f"{key} (RSA_2048)" in n for n in assumed.notes)
    assert any("exist all month" in n for n in assumed.notes)
    described = {
        "KeyMetadata": {
            "Arn": key,
            "KeySpec": "ECC_NIST_P256",
            "KeyManager": "CUSTOMER",
            "CreationDate": "2026-06-01T00:00:00Z",
        }
    }
    priced = log.estimate("2026-06", [described])
    assert not any("key spec assumed" in n for n in priced.notes)
    assert (
        kmssim.estimate(
            [{"key_spec": "ECC_NIST_P256"}],
            [{"operation": "Sign", "key_spec": "ECC_NIST_P256", "count": 50}],
            month="2026-06",
        ).total
        == priced.total
    )


def test_peaks_against_the_quota() -> None:
    log = kmssim.read_cloudtrail(SAMPLE)
    peaks = log.peaks()
    rsa = peaks[peaks["quota"] == "Cryptographic operations (RSA) request rate"].iloc[0]
    limit = dict(kmssim.quota_limits_for("Sign", "RSA_2048", None, "us-east-1"))[rsa["quota"]]
    assert rsa["peak_per_second"] == 700 and rsa["limit_per_second"] == limit
    assert rsa["headroom"] == limit - 700
    assert rsa["when"] == log.events.loc[log.events["event_name"] == "Sign", "time"].min()
    assert peaks.iloc[0]["quota"] == rsa["quota"]  # sorted by utilisation


def test_replay_changes_only_what_the_new_policy_decides() -> None:
    log = kmssim.read_cloudtrail(SAMPLE)
    key = log.events.loc[log.events["event_name"] == "GenerateDataKey", "key_arn"].iloc[0]
    tightened = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM policies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Decrypt only for the orders service",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/orders-service"}
                },
            },
        ],
    }
    result = log.replay({key: tightened})
    assert len(result.table) == len(log)
    changed = result.changed
    assert set(changed["event_name"]) == {"Decrypt"}
    assert set(changed["principal"]) == {f"arn:aws:sts::{ACCOUNT}:assumed-role/reporting-job/kmssim"}
    assert (changed["decision"] == "Deny").all() and (changed["recorded"] == "Allow").all()
    assert changed["explanation"].str.contains("Decrypt only for the orders service").all()
    summary = result.summary()
    assert list(summary["calls"]) == [len(changed)] and summary.iloc[0]["action"] == "kms:Decrypt"
    others = result.table[result.table["key_arn"] != key]
    assert not others["changed"].any()
    assert others["explanation"].str.contains("recorded outcome is kept").all()
    # the analyst was denied and still is: a policy naming no one new does not open the key
    analyst = result.table[result.table["principal"].str.endswith("user/analyst")]
    assert (analyst["recorded"] == "Deny").all() and (analyst["decision"] == "Deny").all()


def test_replay_with_identity_policies_given() -> None:
    log = kmssim.read_cloudtrail(SAMPLE)
    key = log.events.loc[log.events["event_name"] == "GenerateDataKey", "key_arn"].iloc[0]
    default = json.loads(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            }
        )
    )
    analyst = f"arn:aws:iam::{ACCOUNT}:user/analyst"
    result = log.replay({key: default}, identity_policies={analyst: ALLOW_ALL})
    opened = result.changed
    assert set(opened["principal"]) == {analyst} and (opened["decision"] == "Allow").all()


def test_bad_sources_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(kmssim.CloudTrailFormatError, match="no such file"):
        kmssim.read_cloudtrail(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(kmssim.CloudTrailFormatError, match="not CloudTrail records"):
        kmssim.read_cloudtrail(tmp_path / "x.json")
    (tmp_path / "y.json").write_text("{not json")
    with pytest.raises(kmssim.CloudTrailFormatError, match="not JSON"):
        kmssim.read_cloudtrail(tmp_path / "y.json")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(kmssim.CloudTrailFormatError, match="no CloudTrail files"):
        kmssim.read_cloudtrail(empty)
    log = kmssim.read_cloudtrail(DATA / "aws_examples.json")
    with pytest.raises(kmssim.EstimateInputError, match="month"):
        log.estimate("June")


def test_progress_reports_each_file(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "s")
    seen: list[tuple[int, int]] = []
    log = kmssim.read_cloudtrail(
        tmp_path / "s", progress=lambda done, total, label: seen.append((done, total))
    )
    files = len(list((tmp_path / "s").rglob("*.json.gz")))
    assert seen[0] == (0, files) and seen[-1] == (files, files) and len(log) > 0
