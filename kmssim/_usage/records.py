"""CloudTrail record reading: files, S3 folder trees, lists of records, Athena CSV results and CloudTrail Lake
query results (GetQueryResults output, saved ``result_<n>.csv.gz`` files), normalised into columns.

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
import zlib
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


def _find_key(rec: Mapping[str, Any], params: Mapping[str, Any], region: str, owner: str) -> str | None:
    """The key of a record whose ``resources`` name none: responseElements, requestParameters, then the
    service event's details (a bare key ID there is built into an ARN in the record's Region and account)."""
    response = rec.get("responseElements")
    found = _key_arn(response.get("keyId"), region, owner) if isinstance(response, dict) else None
    found = found or _key_arn(params.get("keyId"), region, owner)
    details = rec.get("serviceEventDetails")
    if found is None and isinstance(details, dict):
        found = _key_arn(details.get("keyId"), region, owner)
    return found


def _created_spec(rec: Mapping[str, Any], params: Mapping[str, Any], keys: list[str]) -> str:
    """A CreateKey record's key spec (responseElements, then the request; SYMMETRIC_DEFAULT when neither says);
    the created key's ARN is added to ``keys`` when ``resources`` named none."""
    response = rec.get("responseElements")
    meta = response.get("keyMetadata") if isinstance(response, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    spec = meta.get("keySpec") or params.get("keySpec") or params.get("customerMasterKeySpec")
    if not keys and isinstance(meta.get("arn"), str):
        keys.append(meta["arn"])
    return spec or "SYMMETRIC_DEFAULT"


class _Shared(dict[str, str]):
    """One object per distinct string: ``shared[s]`` is the first string equal to ``s`` that was looked up."""

    def __missing__(self, key: str) -> str:
        self[key] = key
        return key


class Columns:
    """KMS records normalised into one list per :data:`COLUMNS` entry, deduplicated on eventID.

    Tolerant of the missing and null fields AWS's examples show. Columnar and inlined on purpose: a month of a
    busy account is millions of records, and one function call or tuple per record is a measurable share of
    the reading time (``benchmarks/bench_cloudtrail.py``). Records are parsed JSON, so their objects are plain
    dicts (checked with ``isinstance(.., dict)``).
    """

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        self.other_sources: dict[str, int] = {}
        self.duplicates = 0
        self._seen: set[str] = set()
        self._shared = _Shared()

    def __len__(self) -> int:
        return len(self.columns["time"])

    def add(self, batch: Iterable[Any], *, owned: bool = False) -> None:
        """Normalise the KMS records of ``batch``; count the others by eventSource.

        ``owned``: the records were parsed here and nothing else holds them, so the rows keep their
        ``requestParameters`` and encryption context objects instead of copies (copying is a tenth of the
        reading time); a caller's records are copied, so the log never shares objects with them.
        """
        (
            time_,
            event_name,
            region_,
            account_,
            recipient_,
            principal,
            role_arn,
            principal_type,
            key_arn,
            destination_key_arn,
            alias_,
            encryption_context,
            key_pair_spec,
            error_code,
            error_message,
            via_service,
            source_ip_,
            user_agent,
            event_type,
            event_id,
            request_parameters,
            created_spec,
        ) = (self.columns[name].append for name in COLUMNS)
        others = self.other_sources
        seen = self._seen
        ipv4 = _IPV4.match
        shared = self._shared
        for rec in batch:
            if not isinstance(rec, dict):
                if not isinstance(rec, Mapping):
                    raise CloudTrailFormatError(f"a record that is not a JSON object: {type(rec).__name__}")
                rec = json.loads(json.dumps(rec, default=str))  # a caller's own mapping type, as plain JSON
            get = rec.get
            src = get("eventSource")
            if src != KMS_EVENT_SOURCE:
                other = str(src)
                others[other] = others.get(other, 0) + 1
                continue
            eid = get("eventID")
            if eid is not None:
                if eid in seen:
                    self.duplicates += 1
                    continue
                seen.add(eid)
            ident = get("userIdentity") or {}
            region = get("awsRegion") or ""
            recipient = get("recipientAccountId") or ""
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
            source_ip = get("sourceIPAddress")
            via = None  # a service acting for the principal: invokedBy, or a service's DNS name as the source
            if itype is not None and itype != "AWSService":
                if invoked:
                    via = invoked
                elif source_ip and source_ip.endswith(".amazonaws.com"):
                    via = source_ip
            params = get("requestParameters") or {}
            if not isinstance(params, dict):
                params = {}
            owner = recipient or account
            keys: list[str] = []
            alias = None
            for res in get("resources") or ():
                if not isinstance(res, dict):
                    continue
                res_arn = res.get("ARN") or res.get("arn")
                if isinstance(res_arn, str):
                    if ":alias/" in res_arn:
                        alias = alias or res_arn
                    elif ":key/" in res_arn and res_arn not in keys:
                        keys.append(res_arn)
            name = get("eventName")
            spec = _created_spec(rec, params, keys) if name == "CreateKey" else None
            if not keys:
                found = _find_key(rec, params, region, owner)
                if found is not None:
                    keys.append(found)
            if alias is None:  # the alias the caller named
                key_param = params.get("keyId")
                if isinstance(key_param, str) and "alias/" in key_param:
                    if key_param.startswith("alias/"):
                        alias = f"arn:aws:kms:{region}:{owner}:{key_param}" if region and owner else key_param
                    elif key_param.startswith("arn:") and ":alias/" in key_param:
                        alias = key_param
            destination = None
            if name == "ReEncrypt":
                destination = (
                    keys[1] if len(keys) > 1 else _key_arn(params.get("destinationKeyId"), region, owner)
                )
            context = params.get("encryptionContext") or params.get("sourceEncryptionContext")
            if not isinstance(context, dict):
                context = {}
            elif not owned:
                context = dict(context)
            when = get("eventTime")
            agent = get("userAgent")
            kind = get("eventType") or ("AwsServiceEvent" if itype is None else "AwsApiCall")
            error = get("errorCode")
            pair = params.get("keyPairSpec")
            if source_ip.__class__ is not str or not (":" in source_ip or ipv4(source_ip)):
                source_ip = None
            # A log repeats a few Regions, principals, keys and operations millions of times: each column
            # shares one string object per value (only exact strs: equal values of other types stay as they
            # are). It is less memory, and pandas builds the columns from it three times as fast.
            time_(shared[when] if when.__class__ is str else when)
            event_name(shared[name] if name.__class__ is str else name)
            region_(shared[region] if region.__class__ is str else region)
            account_(shared[account] if account.__class__ is str else account)
            recipient_(shared[recipient] if recipient.__class__ is str else recipient)
            principal(shared[arn] if arn.__class__ is str else arn)
            role_arn(shared[role] if role.__class__ is str else role)
            principal_type(shared[itype] if itype.__class__ is str else itype or "")
            key_arn(shared[keys[0]] if keys else None)
            destination_key_arn(destination if destination is None else shared[destination])
            alias_(alias if alias is None else shared[alias])
            encryption_context(context)
            key_pair_spec(shared[pair] if pair.__class__ is str else pair)
            error_code(shared[error] if error.__class__ is str else error)
            error_message(get("errorMessage"))
            via_service(shared[via] if via.__class__ is str else via)
            source_ip_(source_ip if source_ip is None else shared[source_ip])
            user_agent(shared[agent] if agent.__class__ is str else agent)
            event_type(shared[kind] if kind.__class__ is str else kind)
            event_id(eid)
            request_parameters(params if owned else dict(params))
            created_spec(spec)


# ----------------------------------------------------------------------------------------------- sources


#: CloudTrail Lake saves a query's results as ``result_<n>.csv.gz`` beside a ``result_sign.json`` sign file, in
#: ``AWSLogs/<account>/CloudTrail-Lake/Query/<yyyy>/<mm>/<dd>/<query ID>/``
#: (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-download-lake-query-results.html).
_LAKE_RESULT = re.compile(r"result_\d+\.csv(\.gz)?")
_LAKE_SIGN = "result_sign.json"


def _is_log_file(path: Path) -> bool:
    name = path.name.lower()
    if not (name.endswith((".json", ".json.gz", ".csv", ".csv.gz"))) or name == _LAKE_SIGN:
        return False
    parts = path.parts
    if any(p in ("CloudTrail-Digest", "CloudTrail-Insight") for p in parts):
        return False
    # In an S3 AWSLogs tree only the CloudTrail/ folders hold trail records, and CloudTrail-Lake/ saved results.
    if "AWSLogs" not in parts or "CloudTrail" in parts:
        return True
    return "CloudTrail-Lake" in parts and _LAKE_RESULT.fullmatch(name) is not None


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
    if data[:2] != b"\x1f\x8b":
        return data
    # One gzip member, as CloudTrail writes them: zlib inflates it in one go and checks its CRC. Anything else
    # (several members, a damaged or cut file) goes through gzip, which reads it or names what is wrong.
    inflate = zlib.decompressobj(wbits=31)
    try:
        out = inflate.decompress(data)
        if inflate.eof and not inflate.unused_data:
            return out
    except zlib.error:
        pass
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise CloudTrailFormatError(f"{path}: a damaged gzip file ({exc})") from None


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
        if isinstance(doc.get("QueryResultRows"), list):  # CloudTrail Lake's GetQueryResults output
            return lake_records(doc, where)
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
    data = _open_bytes(path)
    try:
        doc = _loads(data)
    except (ValueError, OSError) as exc:
        raise CloudTrailFormatError(f"{path}: not JSON ({exc})") from None
    return _records_of(doc, str(path))


def iter_sources(source: object, progress: ProgressArg) -> Iterator[tuple[Sequence[Any], bool]]:
    """Batches of raw records from a file, a folder tree, a list of records or a ``{"Records": [...]}`` dict,
    each with whether the records were parsed here (files) rather than given by the caller."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            files = list_files(path)
            if not files:
                raise CloudTrailFormatError(
                    f"{path}: no CloudTrail files (*.json, *.json.gz, *.csv, *.csv.gz) under it"
                )
        elif path.is_file():
            files = [path]
        else:
            raise CloudTrailFormatError(f"{path}: no such file or folder")
        bar = Progress(progress, len(files), "CloudTrail files")
        try:
            for f in files:
                yield records_from_file(f), True
                bar.advance(1)
        finally:
            bar.close()
        return
    if isinstance(source, Mapping):
        yield _records_of(source, "records"), False
        return
    if isinstance(source, Iterable) and not isinstance(source, str | bytes):
        yield _records_of(list(source), "records"), False
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


def _query_rows_records(
    rows: Iterable[Mapping[str, str | None]], columns: Sequence[str], where: str, what: str, expected: str
) -> list[dict[str, Any]]:
    """Records from the rows of a query over CloudTrail's columns (Athena's table, a Lake event data store).

    ``columns``: the result's column names, checked for the ones a KMS event needs. JSON-text columns
    (requestparameters, responseelements, ...) are parsed; ``useridentity`` and ``resources`` may be JSON or the
    ``{key=value, ...}`` rendering of a ROW (only arn/type/accountid/invokedby and the session issuer's arn are
    read from the latter).
    """
    header = [c.lower() for c in columns]
    missing = [c for c in ATHENA_REQUIRED if c not in header]
    if missing:
        raise CloudTrailFormatError(
            f"{where}: {what} without the CloudTrail columns {missing}; expected {expected}"
        )
    out = []
    for row in rows:
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
        identity = low.get("useridentity")
        if identity:
            rec["userIdentity"] = _struct(identity)
        raw = low.get("resources")
        if raw:
            if raw.lstrip().startswith('[{"'):
                rec["resources"] = _loads(raw)
            else:
                rec["resources"] = [{"ARN": a} for a in re.findall(r"arn=([^,}\]]+)", raw)]
        if rec.get("eventTime") and " " in rec["eventTime"]:  # SQL renders "2026-01-01 00:00:00.000"
            rec["eventTime"] = rec["eventTime"].replace(" ", "T").split(".")[0] + "Z"
        out.append(rec)
    return out


def athena_csv_records(text: str, where: str) -> list[dict[str, Any]]:
    """Records from a query result saved as CSV with a header row: Athena's over AWS's CloudTrail table
    (``SELECT *``), or a CloudTrail Lake saved result (``result_<n>.csv.gz``) with the event data store's columns.
    """
    reader = csv.DictReader(io.StringIO(text))
    return _query_rows_records(
        reader,
        list(reader.fieldnames or ()),
        where,
        "a CSV",
        "a header row with the columns of AWS's CloudTrail table (Athena: SELECT * FROM cloudtrail_logs ...) or "
        "of a CloudTrail Lake event data store",
    )


def lake_records(doc: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    """Records from CloudTrail Lake's GetQueryResults output (``aws cloudtrail get-query-results``).

    ``QueryResultRows`` is a list of rows, each a list of one-entry ``{column: value}`` maps with string values
    (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html); the columns are the
    event data store's (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-supported-event-schemas.html).
    """
    status = doc.get("QueryStatus")
    if status not in (None, "FINISHED"):
        raise CloudTrailFormatError(f"{where}: a CloudTrail Lake query that is {status}, not FINISHED")
    rows: list[dict[str, str | None]] = []
    for i, row in enumerate(doc["QueryResultRows"]):
        if not isinstance(row, list) or not all(isinstance(cell, Mapping) for cell in row):
            raise CloudTrailFormatError(
                f"{where}: QueryResultRows[{i}] is not a list of {{column: value}} maps as GetQueryResults returns"
            )
        rows.append({str(k): v for cell in row for k, v in cell.items()})
    columns = list(dict.fromkeys(c for row in rows for c in row))
    if not rows:
        return []
    expected = "the event data store's columns (SELECT * or SELECT eventtime, eventsource, eventname, awsregion, ...)"
    return _query_rows_records(rows, columns, where, "CloudTrail Lake query results", expected)


def read_columns(source: object, progress: ProgressArg) -> Columns:
    """Every KMS record of ``source`` as :class:`Columns` (deduplicated on eventID), with the others counted."""
    columns = Columns()
    for batch, owned in iter_sources(source, progress):
        columns.add(batch, owned=owned)
        del batch  # one file's records at a time: freed before the next file is parsed
    return columns
