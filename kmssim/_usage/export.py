"""kmssim's trail written as CloudTrail records (``{"Records": [...]}``), one file or an S3 ``AWSLogs/`` tree.

The record shape follows AWS's KMS log entries (https://docs.aws.amazon.com/kms/latest/developerguide/understanding-kms-entries.html)
and the record contents page (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
the file names and folders follow https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html.
No plaintext, ciphertext, key material, policy text or grant token is written (the trail never holds them).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import choices
from .._policy.actions import CRYPTO_ACTIONS
from .._trail import AuditEvent

__all__ = [
    "EVENT_VERSION",
    "EXPORT_USER_AGENT",
    "to_cloudtrail_records",
    "write_cloudtrail",
    "write_s3_layout",
]

#: The record format version of AWS's current KMS examples.
EVENT_VERSION = "1.11"
EXPORT_USER_AGENT = "kmssim"
_NAMESPACE = uuid.UUID("6f1f5b38-3f0a-4a43-9a55-0f0d6c6b1d2e")

_READ_ONLY_PREFIXES = ("Describe", "Get", "List")
# readOnly is true for the cryptographic operations and for Describe/Get/List (AWS's examples: Encrypt, Decrypt,
# GenerateDataKey* are read-only; writes and service events are not).
_READ_ONLY = frozenset(
    {a.removeprefix("kms:").replace("ReEncryptFrom", "ReEncrypt") for a in CRYPTO_ACTIONS} - {"ReEncryptTo"}
) | {"GenerateRandom"}
# Key-changing management operations whose responseElements carry the key ARN since December 2022
# (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html).
_KEY_ID_RESPONSES = frozenset(
    {
        "CancelKeyDeletion",
        "DisableKey",
        "DisableKeyRotation",
        "EnableKey",
        "EnableKeyRotation",
        "PutKeyPolicy",
        "RotateKeyOnDemand",
        "ScheduleKeyDeletion",
        "TagResource",
        "UntagResource",
        "UpdateKeyDescription",
    }
)
_ALIAS_OPERATIONS = frozenset({"CreateAlias", "UpdateAlias", "DeleteAlias"})


def _time(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response_date(t: dt.datetime) -> str:
    """Dates inside responseElements as KMS logs them: ``Jun 30, 2020 2:34:07 AM`` (not ISO 8601)."""
    t = t.astimezone(dt.UTC)
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year} {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if k == "Constraints" and isinstance(v, Mapping):
            v = {_camel(ck): cv for ck, cv in v.items()}
        elif k == "Tags" and isinstance(v, list):
            v = [{_camel(tk): tv for tk, tv in t.items()} if isinstance(t, Mapping) else t for t in v]
        out[_camel(k)] = v
    return out


def user_identity(principal: str, account: str) -> dict[str, Any]:
    """CloudTrail's userIdentity for a kmssim principal (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html)."""
    parts = principal.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        acct, resource = parts[4], parts[5]
        if resource == "root":
            return {"type": "Root", "principalId": acct, "arn": principal, "accountId": acct}
        if resource.startswith("user/"):
            return {
                "type": "IAMUser",
                "arn": principal,
                "accountId": acct,
                "userName": resource.rsplit("/", 1)[-1],
            }
        if resource.startswith(("role/", "assumed-role/")):
            if resource.startswith("role/"):
                name = resource.rsplit("/", 1)[-1]
                role_arn = principal
                session = f"arn:{parts[1]}:sts::{acct}:assumed-role/{name}/{choices.EXPORT_ROLE_SESSION}"
            else:
                name = resource.split("/")[1]
                role_arn = f"arn:{parts[1]}:iam::{acct}:role/{name}"
                session = principal
            return {
                "type": "AssumedRole",
                "arn": session,
                "accountId": acct,
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "arn": role_arn, "accountId": acct, "userName": name},
                    "attributes": {"mfaAuthenticated": "false"},
                },
            }
        return {"type": "Unknown", "arn": principal, "accountId": acct}
    if principal.endswith(".amazonaws.com"):
        return {"type": "AWSService", "invokedBy": principal}
    return {"type": "Unknown", "principalId": principal, "accountId": account}


def _service_event(name: str, event_id: str, e: AuditEvent, details: dict[str, Any]) -> dict[str, Any]:
    key = e.resources[0] if e.resources else ""
    return {
        "eventVersion": EVENT_VERSION,
        "userIdentity": {"accountId": e.account, "invokedBy": "AWS Internal"},
        "eventTime": _time(e.event_time),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": e.region,
        "sourceIPAddress": "AWS Internal",
        "userAgent": "AWS Internal",
        "requestParameters": None,
        "responseElements": None,
        "eventID": event_id,
        "readOnly": False,
        "resources": [{"accountId": e.account, "type": "AWS::KMS::Key", "ARN": key}] if key else [],
        "eventType": "AwsServiceEvent",
        "managementEvent": True,
        "recipientAccountId": e.account,
        "serviceEventDetails": {"keyId": key.rsplit("/", 1)[-1], **details},
        "eventCategory": "Management",
    }


def _record(e: AuditEvent) -> dict[str, Any]:
    name = e.event_name
    params = _params(e.request_parameters)
    key_account = e.resources[0].split(":")[4] if e.resources else e.account
    resources = [{"accountId": r.split(":")[4], "type": "AWS::KMS::Key", "ARN": r} for r in e.resources]
    if name in _ALIAS_OPERATIONS and e.alias:
        resources.insert(0, {"accountId": e.alias.split(":")[4], "type": "AWS::KMS::Key", "ARN": e.alias})
    response: dict[str, Any] | None = None
    if e.error_code is None and e.resources:
        if name == "CreateKey":
            key = e.resources[0]
            response = {
                "keyMetadata": {
                    "aWSAccountId": key.split(":")[4],
                    "keyId": key.rsplit("/", 1)[-1],
                    "arn": key,
                    "creationDate": _response_date(e.event_time),
                    "keySpec": e.request_parameters.get("KeySpec", "SYMMETRIC_DEFAULT"),
                    "keyUsage": e.request_parameters.get("KeyUsage", "ENCRYPT_DECRYPT"),
                    "keyManager": "CUSTOMER",
                    "origin": e.request_parameters.get("Origin", "AWS_KMS"),
                }
            }
        elif name in _KEY_ID_RESPONSES:
            response = {"keyId": e.resources[0]}
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(e.principal, e.account),
        "eventTime": _time(e.event_time),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": e.region,
        "sourceIPAddress": choices.EXPORT_SOURCE_IP,
        "userAgent": EXPORT_USER_AGENT,
    }
    if e.error_code is not None:
        record["errorCode"] = e.error_code
        record["errorMessage"] = e.error_message or ""
    record.update(
        {
            "requestParameters": params or None,
            "responseElements": response,
            "requestID": e.request_id or str(uuid.uuid5(_NAMESPACE, "request:" + e.event_id)),
            "eventID": e.event_id,
            "readOnly": name in _READ_ONLY or name.startswith(_READ_ONLY_PREFIXES),
            "resources": resources,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": key_account,
            "eventCategory": "Management",
        }
    )
    return record


def to_cloudtrail_records(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    """CloudTrail records for kmssim trail events, oldest first.

    KMS's own events (RotateKey, DeleteKey) become ``AwsServiceEvent`` records with ``invokedBy: AWS
    Internal``; a successful RotateKeyOnDemand call is followed by the RotateKey service event that does the
    work, as in AWS's examples (https://docs.aws.amazon.com/kms/latest/developerguide/ct-rotatekeyondemand.html).
    """
    out: list[dict[str, Any]] = []
    for e in events:
        if e.principal == "kms.amazonaws.com" and e.event_name in ("RotateKey", "DeleteKey"):
            details = {"rotationType": "AUTOMATIC"} if e.event_name == "RotateKey" else {}
            out.append(_service_event(e.event_name, e.event_id, e, details))
            continue
        out.append(_record(e))
        if e.event_name == "RotateKeyOnDemand" and e.error_code is None:
            eid = str(uuid.uuid5(_NAMESPACE, "rotate:" + e.event_id))
            out.append(_service_event("RotateKey", eid, e, {"rotationType": "ON_DEMAND"}))
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _encode(records: Sequence[Mapping[str, Any]], gz: bool) -> bytes:
    data = json.dumps({"Records": list(records)}, separators=(",", ":"), sort_keys=False).encode()
    return gzip.compress(data, mtime=0) if gz else data


def write_cloudtrail(records: Sequence[Mapping[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Write ``{"Records": [...]}`` to ``path`` atomically; gzipped when the name ends in ``.gz``."""
    target = Path(path)
    _atomic_write(target, _encode(records, target.name.endswith(".gz")))
    return target


def write_s3_layout(records: Sequence[Mapping[str, Any]], folder: str | os.PathLike[str]) -> list[Path]:
    """Write records as CloudTrail delivers them to S3: one ``.json.gz`` per account, Region and hour.

    ``<folder>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz``,
    the timestamp being the delivery time (the end of the hour); the 16 characters are derived from the file's
    content, so the same records give the same names.
    """
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for rec in records:
        hour = str(rec["eventTime"])[:13]  # YYYY-MM-DDTHH
        account = str(rec.get("recipientAccountId") or (rec.get("userIdentity") or {}).get("accountId"))
        groups.setdefault((account, str(rec["awsRegion"]), hour), []).append(rec)
    written = []
    for (account, region, hour), recs in sorted(groups.items()):
        delivered = dt.datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=dt.UTC) + dt.timedelta(hours=1)
        data = _encode(recs, True)
        unique = hashlib.sha256(data).hexdigest()[:16]
        name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%M}Z_{unique}.json.gz"
        path = Path(folder) / "AWSLogs" / account / "CloudTrail" / region / f"{delivered:%Y/%m/%d}" / name
        _atomic_write(path, data)
        written.append(path)
    return written


def export_trail(
    events: Sequence[AuditEvent], path: str | os.PathLike[str] | None, *, layout: str = "file"
) -> Any:
    """``Trail.to_cloudtrail``: the records, a written file, or the written S3 tree's files."""
    records = to_cloudtrail_records(events)
    if path is None:
        return records
    if layout == "s3":
        return write_s3_layout(records, path)
    if layout != "file":
        raise ValueError(
            f"layout={layout!r}: give 'file' (one {{\"Records\": [...]}} file) or 's3' (an AWSLogs/ tree)"
        )
    return write_cloudtrail(records, path)
