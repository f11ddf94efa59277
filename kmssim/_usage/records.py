"""CloudTrail record reading: files, S3 folder trees, lists of records and Athena CSV results, normalised to rows.

Record fields follow the CloudTrail record contents (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
and AWS's KMS log entries (https://docs.aws.amazon.com/kms/latest/developerguide/understanding-kms-entries.html).
The S3 layout is ``AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz``
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html); digest and Insights
files are skipped; records are deduplicated on ``eventID`` (a delivery can repeat one) and sorted by time.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from .progress import Progress, ProgressArg

#: CloudTrail files are parsed with orjson: on KMS records of about 1 KB it is about twice as fast as ``json``
#: (json.loads was most of the reading time; ``benchmarks/bench_cloudtrail.py``).
_loads = orjson.loads

KMS_EVENT_SOURCE = "kms.amazonaws.com"

#: The row columns, in order (``time`` is an ISO string here; the log turns it into a pandas timestamp).
COLUMNS = (
    "time",
    "event_name",
    "region",
    "account",
    "recipient_account",
    "principal",
    "role_arn",
    "principal_type",
    "key_arn",
    "destination_key_arn",
    "alias",
    "encryption_context",
    "key_pair_spec",
    "error_code",
    "error_message",
    "via_service",
    "source_ip",
    "user_agent",
    "event_type",
    "event_id",
    "request_parameters",
    "created_spec",
)

_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


class CloudTrailFormatError(ValueError):
    """A file or record that is not CloudTrail: names the source and what was expected."""


def _key_arn(value: object, region: str, account: str) -> str | None:
    """A key ARN from an ARN, a bare key ID (built in ``region``/``account``), or None (aliases, nothing)."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("arn:"):
        return value if ":key/" in value else None
    if value.startswith("alias/"):
        return None
    if region and account:
        return f"arn:aws:kms:{region}:{account}:key/{value}"
    return None


def _alias(value: object, region: str, account: str) -> str | None:
    if not isinstance(value, str):
        return None
    if value.startswith("alias/"):
        return f"arn:aws:kms:{region}:{account}:{value}" if region and account else value
    if value.startswith("arn:") and ":alias/" in value:
        return value
    return None


def service_of(via: str | None) -> str | None:
    """An AWS service DNS name (``ec2.amazonaws.com``) or None for "AWS Internal" and IP addresses."""
    if via and via.endswith(".amazonaws.com"):
        return via
    return None


def normalise(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    """One KMS record as a row of :data:`COLUMNS`; tolerant of the missing and null fields AWS's examples show.

    Records are parsed JSON, so their objects are plain dicts (checked with ``isinstance(.., dict)``: the hot path).
    """
    ident = rec.get("userIdentity") or {}
    region = rec.get("awsRegion") or ""
    recipient = rec.get("recipientAccountId") or ""
    account = ident.get("accountId") or recipient
    itype = ident.get("type")
    arn = ident.get("arn")
    role = None
    if itype == "AssumedRole":
        issuer = (ident.get("sessionContext") or {}).get("sessionIssuer") or {}
        role = issuer.get("arn")
    invoked = ident.get("invokedBy")
    if not arn:
        arn = invoked or ("AWS Internal" if itype is None else itype)
    via = None
    if itype is not None and itype != "AWSService":
        via = invoked or service_of(rec.get("sourceIPAddress"))
    params = rec.get("requestParameters") or {}
    if not isinstance(params, dict):
        params = {}
    owner = recipient or account
    keys: list[str] = []
    alias = None
    for res in rec.get("resources") or ():
        if not isinstance(res, dict):
            continue
        res_arn = res.get("ARN") or res.get("arn")
        if isinstance(res_arn, str):
            if ":alias/" in res_arn:
                alias = alias or res_arn
            elif ":key/" in res_arn and res_arn not in keys:
                keys.append(res_arn)
    key_param = params.get("keyId")
    response = rec.get("responseElements")
    created_spec = None
    if rec.get("eventName") == "CreateKey":
        meta = response.get("keyMetadata") if isinstance(response, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        created_spec = meta.get("keySpec") or params.get("keySpec") or params.get("customerMasterKeySpec")
        if not keys and isinstance(meta.get("arn"), str):
            keys.append(meta["arn"])
    if not keys:
        found = _key_arn(response.get("keyId"), region, owner) if isinstance(response, dict) else None
        found = found or _key_arn(key_param, region, owner)
        details = rec.get("serviceEventDetails")
        if found is None and isinstance(details, dict):
            found = _key_arn(details.get("keyId"), region, owner)
        if found is not None:
            keys.append(found)
    alias = alias or _alias(key_param, region, owner)
    destination = None
    if rec.get("eventName") == "ReEncrypt":
        destination = keys[1] if len(keys) > 1 else _key_arn(params.get("destinationKeyId"), region, owner)
    context = params.get("encryptionContext") or params.get("sourceEncryptionContext") or {}
    source_ip = rec.get("sourceIPAddress")
    return (
        rec.get("eventTime"),
        rec.get("eventName"),
        region,
        account,
        recipient,
        arn,
        role,
        itype or "",
        keys[0] if keys else None,
        destination,
        alias,
        dict(context) if isinstance(context, dict) else {},
        params.get("keyPairSpec"),
        rec.get("errorCode"),
        rec.get("errorMessage"),
        via,
        source_ip if isinstance(source_ip, str) and (_IPV4.match(source_ip) or ":" in source_ip) else None,
        rec.get("userAgent"),
        rec.get("eventType") or ("AwsServiceEvent" if itype is None else "AwsApiCall"),
        rec.get("eventID"),
        dict(params),
        created_spec or ("SYMMETRIC_DEFAULT" if rec.get("eventName") == "CreateKey" else None),
    )


# ----------------------------------------------------------------------------------------------- sources


def _is_log_file(path: Path) -> bool:
    name = path.name.lower()
    if not (name.endswith((".json", ".json.gz", ".csv", ".csv.gz"))):
        return False
    parts = path.parts
    if any(p in ("CloudTrail-Digest", "CloudTrail-Insight") for p in parts):
        return False
    # In an S3 AWSLogs tree only the CloudTrail/ folders hold trail records.
    return "AWSLogs" not in parts or "CloudTrail" in parts


def list_files(folder: Path) -> list[Path]:
    """The trail files under ``folder``, in a stable order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found.extend(Path(root) / f for f in sorted(files) if _is_log_file(Path(root) / f))
    if any("AWSLogs" in p.parts for p in found):  # an S3 tree: other files beside it are not trail files
        found = [p for p in found if "AWSLogs" in p.parts]
    return found


def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _records_of(doc: Any, where: str) -> Sequence[Any]:
    if isinstance(doc, Mapping):
        if isinstance(doc.get("Records"), list):
            return doc["Records"]  # type: ignore[no-any-return]
        if isinstance(doc.get("Events"), list):  # LookupEvents output: the full record is a JSON string
            return [_loads(e["CloudTrailEvent"]) for e in doc["Events"] if isinstance(e, Mapping)]
        if "eventSource" in doc:
            return [doc]
        if "digestStartTime" in doc:
            return []
    if isinstance(doc, list):
        return doc
    raise CloudTrailFormatError(
        f'{where}: not CloudTrail records; expected {{"Records": [...]}} as CloudTrail delivers to S3, '
        "LookupEvents output, or a list of records"
    )


def records_from_file(path: Path) -> Sequence[Any]:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return athena_csv_records(_open_bytes(path).decode("utf-8"), str(path))
    try:
        doc = _loads(_open_bytes(path))
    except (ValueError, OSError) as exc:
        raise CloudTrailFormatError(f"{path}: not JSON ({exc})") from None
    return _records_of(doc, str(path))


def iter_sources(source: object, progress: ProgressArg) -> Iterator[Sequence[Any]]:
    """Batches of raw records from a file, a folder tree, a list of records or a ``{"Records": [...]}`` dict."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            files = list_files(path)
            if not files:
                raise CloudTrailFormatError(
                    f"{path}: no CloudTrail files (*.json, *.json.gz, *.csv) under it"
                )
        elif path.is_file():
            files = [path]
        else:
            raise CloudTrailFormatError(f"{path}: no such file or folder")
        bar = Progress(progress, len(files), "CloudTrail files")
        try:
            for f in files:
                yield records_from_file(f)
                bar.advance(1)
        finally:
            bar.close()
        return
    if isinstance(source, Mapping):
        yield _records_of(source, "records")
        return
    if isinstance(source, Iterable) and not isinstance(source, str | bytes):
        yield _records_of(list(source), "records")
        return
    raise CloudTrailFormatError(
        f"source {type(source).__name__}: give a path (file or folder) or a list of CloudTrail records"
    )


# ----------------------------------------------------------------------------------------------- Athena CSV

#: Athena's CloudTrail table columns (lowercase; https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html).
ATHENA_REQUIRED = ("eventtime", "eventsource", "eventname", "awsregion")
_ATHENA_JSON_COLUMNS = {
    "requestparameters": "requestParameters",
    "responseelements": "responseElements",
    "additionaleventdata": "additionalEventData",
    "serviceeventdetails": "serviceEventDetails",
}
_ATHENA_PLAIN = {
    "eventversion": "eventVersion",
    "eventtime": "eventTime",
    "eventsource": "eventSource",
    "eventname": "eventName",
    "awsregion": "awsRegion",
    "sourceipaddress": "sourceIPAddress",
    "useragent": "userAgent",
    "errorcode": "errorCode",
    "errormessage": "errorMessage",
    "requestid": "requestID",
    "eventid": "eventID",
    "eventtype": "eventType",
    "recipientaccountid": "recipientAccountId",
    "sharedeventid": "sharedEventID",
    "vpcendpointid": "vpcEndpointId",
}
_STRUCT_FIELD = re.compile(r"(\w+)=([^,{}\[\]]*)")


def _struct(text: str) -> dict[str, Any]:
    """Athena's text rendering of a ROW (``{type=AssumedRole, arn=..., sessionissuer={..., arn=...}}``)."""
    text = text.strip()
    if text.startswith('{"') or text.startswith('[{"'):
        loaded = _loads(text)
        return loaded if isinstance(loaded, dict) else {}
    out: dict[str, Any] = {}
    issuer = re.search(r"sessionissuer=\{([^{}]*)\}", text)
    flat = re.sub(r"\w+=\{[^{}]*\}", "", text)
    for k, v in _STRUCT_FIELD.findall(flat):
        if v.strip() and v.strip() != "null":
            out[k] = v.strip()
    ident = {
        "type": out.get("type"),
        "arn": out.get("arn"),
        "accountId": out.get("accountid"),
        "invokedBy": out.get("invokedby"),
    }
    if issuer:
        fields = {k: v.strip() for k, v in _STRUCT_FIELD.findall(issuer.group(1))}
        ident["sessionContext"] = {"sessionIssuer": {"arn": fields.get("arn")}}
    return {k: v for k, v in ident.items() if v is not None}


def athena_csv_records(text: str, where: str) -> list[dict[str, Any]]:
    """Records from an Athena query result over the CloudTrail table (``SELECT *``: AWS's column names).

    JSON-text columns (requestparameters, responseelements, ...) are parsed; ``useridentity`` and
    ``resources`` may be JSON or Athena's ``{key=value, ...}`` rendering (only arn/type/accountid/invokedby and
    the session issuer's arn are read from the latter).
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.lower() for h in reader.fieldnames or ()]
    missing = [c for c in ATHENA_REQUIRED if c not in header]
    if missing:
        raise CloudTrailFormatError(
            f"{where}: a CSV without the Athena CloudTrail columns {missing}; expected the columns of AWS's "
            "CloudTrail table (SELECT * FROM cloudtrail_logs ...)"
        )
    out = []
    for row in reader:
        low = {k.lower(): v for k, v in row.items() if k is not None}
        rec: dict[str, Any] = {
            name: low[col] for col, name in _ATHENA_PLAIN.items() if low.get(col) not in (None, "")
        }
        for col, name in _ATHENA_JSON_COLUMNS.items():
            value = low.get(col)
            if value:
                try:
                    rec[name] = _loads(value)
                except ValueError:
                    rec[name] = None
        if low.get("useridentity"):
            rec["userIdentity"] = _struct(low["useridentity"])
        if low.get("resources"):
            raw = low["resources"]
            if raw.lstrip().startswith('[{"'):
                rec["resources"] = _loads(raw)
            else:
                rec["resources"] = [{"ARN": a} for a in re.findall(r"arn=([^,}\]]+)", raw)]
        if rec.get("eventTime") and " " in rec["eventTime"]:  # Athena may render "2026-01-01 00:00:00.000"
            rec["eventTime"] = rec["eventTime"].replace(" ", "T").split(".")[0] + "Z"
        out.append(rec)
    return out


def read_rows(source: object, progress: ProgressArg) -> tuple[list[tuple[Any, ...]], dict[str, int], int]:
    """Every KMS record of ``source`` as rows (deduplicated on eventID), the other sources' counts, duplicates."""
    rows: list[tuple[Any, ...]] = []
    others: dict[str, int] = {}
    seen: set[str] = set()
    duplicates = 0
    for batch in iter_sources(source, progress):
        for rec in batch:
            if not isinstance(rec, dict):
                if not isinstance(rec, Mapping):
                    raise CloudTrailFormatError(f"a record that is not a JSON object: {type(rec).__name__}")
                rec = json.loads(json.dumps(rec, default=str))  # a caller's own mapping type, as plain JSON
            src = rec.get("eventSource")
            if src != KMS_EVENT_SOURCE:
                key = str(src)
                others[key] = others.get(key, 0) + 1
                continue
            eid = rec.get("eventID")
            if eid is not None:
                if eid in seen:
                    duplicates += 1
                    continue
                seen.add(eid)
            rows.append(normalise(rec))
    return rows, others, duplicates
