"""CloudTrail Lake query results: GetQueryResults output and saved results in the S3 layout.

GetQueryResults returns ``QueryResultRows``, a list of rows, each a list of one-entry ``{column: value}`` maps
with string values (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html).
The columns are the event data store's (query-supported-event-schemas.html). Saved results are
``result_<n>.csv.gz`` files with a ``result_sign.json`` sign file in
``AWSLogs/<account>/CloudTrail-Lake/Query/<yyyy>/<mm>/<dd>/<query ID>/`` (cloudtrail-find-lake-query-results.html,
cloudtrail-download-lake-query-results.html).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

import kmssim

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/app"
QUERY_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

#: The rows of ``SELECT eventtime, eventsource, eventname, awsregion, eventid, recipientaccountid, errorcode,
#: useridentity, resources FROM <event data store>``, nested columns as JSON text.
ROWS = [
    {
        "eventtime": "2026-06-30 03:00:00.000",
        "eventsource": "kms.amazonaws.com",
        "eventname": "GenerateDataKey",
        "awsregion": "us-east-2",
        "eventid": "e0000000-0000-4000-8000-000000000001",
        "recipientaccountid": ACCOUNT,
        "errorcode": "",
        "useridentity": json.dumps(
            {
                "type": "AssumedRole",
                "arn": SESSION,
                "accountId": ACCOUNT,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ROLE}},
            }
        ),
        "resources": json.dumps([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KEY}]),
    },
    {
        "eventtime": "2026-06-30 03:00:01.000",
        "eventsource": "kms.amazonaws.com",
        "eventname": "Decrypt",
        "awsregion": "us-east-2",
        "eventid": "e0000000-0000-4000-8000-000000000002",
        "recipientaccountid": ACCOUNT,
        "errorcode": "AccessDeniedException",
        "useridentity": json.dumps({"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/Alice"}),
        "resources": json.dumps([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KEY}]),
    },
    {
        "eventtime": "2026-06-30 03:00:02.000",
        "eventsource": "s3.amazonaws.com",
        "eventname": "GetObject",
        "awsregion": "us-east-2",
        "eventid": "e0000000-0000-4000-8000-000000000003",
        "recipientaccountid": ACCOUNT,
        "errorcode": "",
        "useridentity": json.dumps({"type": "AssumedRole", "arn": SESSION}),
        "resources": "",
    },
]


def _get_query_results(rows: list[dict[str, str]], status: str = "FINISHED") -> dict[str, object]:
    return {
        "QueryStatus": status,
        "QueryStatistics": {"ResultsCount": len(rows), "TotalResultsCount": len(rows), "BytesScanned": 4096},
        "QueryResultRows": [[{column: value} for column, value in row.items()] for row in rows],
    }


def _check(log: kmssim.CloudTrailLog) -> None:
    assert list(log.events["event_name"]) == ["GenerateDataKey", "Decrypt"]
    assert log.other_sources == {"s3.amazonaws.com": 1}
    first, second = log.events.iloc[0], log.events.iloc[1]
    assert first["principal"] == SESSION and first["role_arn"] == ROLE and first["key_arn"] == KEY
    assert str(first["time"]) == "2026-06-30 03:00:00+00:00"
    assert second["error_code"] == "AccessDeniedException" and second["account"] == ACCOUNT


def test_get_query_results_output(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_get_query_results(ROWS)))
    _check(kmssim.read_cloudtrail(path))
    _check(kmssim.read_cloudtrail(_get_query_results(ROWS)))  # the response as boto3 returns it


def test_get_query_results_must_be_finished_and_well_formed() -> None:
    with pytest.raises(kmssim.CloudTrailFormatError, match="RUNNING, not FINISHED"):
        kmssim.read_cloudtrail(_get_query_results(ROWS, status="RUNNING"))
    broken = _get_query_results(ROWS)
    broken["QueryResultRows"] = [{"eventname": "Decrypt"}]
    with pytest.raises(kmssim.CloudTrailFormatError, match=r"QueryResultRows\[0\] is not a list"):
        kmssim.read_cloudtrail(broken)
    narrow = _get_query_results([{"eventname": "Decrypt", "eventtime": "2026-06-30 03:00:00.000"}])
    with pytest.raises(kmssim.CloudTrailFormatError, match=r"columns \['eventsource', 'awsregion'\]"):
        kmssim.read_cloudtrail(narrow)
    assert len(kmssim.read_cloudtrail(_get_query_results([]))) == 0


def test_saved_results_in_the_s3_layout_beside_trail_files(tmp_path: Path) -> None:
    query = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Lake" / "Query" / "2026" / "06" / "30" / QUERY_ID
    query.mkdir(parents=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(ROWS[0]))
    writer.writeheader()
    writer.writerows(ROWS)
    (query / "result_1.csv.gz").write_bytes(gzip.compress(text.getvalue().encode()))
    (query / "result_sign.json").write_text(json.dumps({"queryId": QUERY_ID, "files": []}))
    (query / "notes.csv").write_text("not a result file")
    _check(kmssim.read_cloudtrail(tmp_path))

    # a trail folder beside it: both are read, and the same event (same eventID) is read once
    day = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-2" / "2026" / "06" / "30"
    day.mkdir(parents=True)
    record = {
        "eventVersion": "1.11",
        "eventTime": "2026-06-30T04:00:00Z",
        "eventSource": "kms.amazonaws.com",
        "eventName": "Encrypt",
        "awsRegion": "us-east-2",
        "eventID": "e0000000-0000-4000-8000-000000000004",
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/Alice",
            "accountId": ACCOUNT,
        },
        "resources": [{"ARN": KEY, "accountId": ACCOUNT, "type": "AWS::KMS::Key"}],
    }
    repeated = {
        **record,
        "eventName": "GenerateDataKey",
        "eventID": ROWS[0]["eventid"],
        "eventTime": "2026-06-30T03:00:00Z",
    }
    trail = f"{ACCOUNT}_CloudTrail_us-east-2_20260630T0405Z_Mu0KsOhtH1ar15ZZ.json.gz"
    (day / trail).write_bytes(gzip.compress(json.dumps({"Records": [record, repeated]}).encode()))
    log = kmssim.read_cloudtrail(tmp_path)
    assert sorted(log.events["event_name"]) == ["Decrypt", "Encrypt", "GenerateDataKey"]
    assert log.duplicates == 1


def test_a_saved_result_without_a_header_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "result_1.csv.gz"
    text = io.StringIO()
    csv.writer(text).writerows([list(row.values()) for row in ROWS])
    path.write_bytes(gzip.compress(text.getvalue().encode()))
    with pytest.raises(
        kmssim.CloudTrailFormatError, match=r"result_1\.csv\.gz: a CSV without the CloudTrail"
    ):
        kmssim.read_cloudtrail(path)
