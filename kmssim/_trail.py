"""The audit trail: one CloudTrail-like event per simulated call and per time-driven action.

Field names follow CloudTrail's KMS events (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html).
The encryption context is logged in clear, as CloudTrail does; plaintext, ciphertext, signatures, MACs, key
material and grant tokens never are.
"""

from __future__ import annotations

import gc
import html
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from ._errors import KMSError
from ._fields import Fields, iso
from ._ids import alias_arn, uuid4_text
from ._models import Key
from ._validation import MAX_PARAM_DEPTH

if TYPE_CHECKING:
    import pandas as pd

    from ._ops import Request

#: Request parameters that may appear in the trail. Anything else (Plaintext, CiphertextBlob, Message, Signature,
#: Mac, GrantTokens, GrantToken, Policy) is left out.
SAFE_PARAMETERS = frozenset(
    {
        "KeyId",
        "SourceKeyId",
        "DestinationKeyId",
        "TargetKeyId",
        "AliasName",
        "EncryptionContext",
        "SourceEncryptionContext",
        "DestinationEncryptionContext",
        "EncryptionAlgorithm",
        "SourceEncryptionAlgorithm",
        "DestinationEncryptionAlgorithm",
        "SigningAlgorithm",
        "MacAlgorithm",
        "MessageType",
        "KeySpec",
        "KeyPairSpec",
        "NumberOfBytes",
        "KeyUsage",
        "Description",
        "MultiRegion",
        "Origin",
        "PendingWindowInDays",
        "RotationPeriodInDays",
        "GranteePrincipal",
        "RetiringPrincipal",
        "Operations",
        "Constraints",
        "Name",
        "GrantId",
        "PolicyName",
        "BypassPolicyLockoutSafetyCheck",
        "Tags",
        "TagKeys",
        "Limit",
        "DryRun",
        "KeyAgreementAlgorithm",
        "EncapsulationAlgorithm",
        "ReplicaRegion",
        "PrimaryRegion",
        "WrappingAlgorithm",
        "WrappingKeySpec",
        "ExpirationModel",
        "ValidTo",
        "ImportType",
        "KeyMaterialId",
        "KeyMaterialDescription",
        "IncludeKeyMaterial",
        "CustomKeyStoreId",
        "CustomKeyStoreName",
        "NewCustomKeyStoreName",
        "CustomKeyStoreType",
        "CloudHsmClusterId",
        "XksKeyId",
        "XksProxyUriEndpoint",
        "XksProxyUriPath",
        "XksProxyConnectivity",
        "XksProxyVpcEndpointServiceName",
        "XksProxyVpcEndpointServiceOwner",
    }
)


#: Integers beyond this many bits are logged by description: JSON readers (and Python's own int-to-text limit)
#: cannot be relied on for them.
JSON_INT_BITS = 63


def json_safe(value: Any, depth: int = 0) -> Any:
    """A deep copy of ``value`` made only of JSON types: what the trail keeps of request parameters.

    Strings, booleans, None, finite floats and 64-bit integers are kept, aware datetimes as ISO 8601 text; dicts
    (keys as text) and lists are copied; anything else (bytes, objects, huge integers, NaN) is logged as ``"<type>"``, never by its content.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if type(value) is dict and depth < MAX_PARAM_DEPTH:
        for k, v in value.items():  # an encryption context: text to text, copied as it is
            if type(k) is not str or type(v) is not str:
                break
        else:
            return dict(value)
    if isinstance(value, int):
        return value if value.bit_length() <= JSON_INT_BITS else "<int>"
    if isinstance(value, float):
        return value if math.isfinite(value) else "<float>"
    if depth < MAX_PARAM_DEPTH and isinstance(value, dict):
        return {
            k if isinstance(k, str) else f"<{type(k).__name__}>": json_safe(v, depth + 1)
            for k, v in value.items()
        }
    if depth < MAX_PARAM_DEPTH and isinstance(value, list | tuple):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, datetime) and value.tzinfo is not None:
        return iso(
            value
        )  # a date is no secret (ImportKeyMaterial's ValidTo): logged as CloudTrail writes dates
    return f"<{type(value).__name__}>"


DECISIONS = ("Allow", "ImplicitDeny", "ExplicitDeny")


@dataclass(frozen=True)
class AuditEvent:
    """One trail entry."""

    event_id: str
    event_time: datetime
    event_name: str
    principal: str
    account: str
    region: str
    resources: tuple[str, ...] = ()
    alias: str | None = None
    encryption_context: dict[str, str] = field(default_factory=dict)
    request_parameters: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    decision: str | None = None  # "Allow" | "ImplicitDeny" | "ExplicitDeny" when a permission check ran
    #: The request ID the response carried (``ResponseMetadata.RequestId``); None for KMS's own events.
    request_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error_code is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "eventID": self.event_id,
            "eventTime": iso(self.event_time),
            "eventName": self.event_name,
            "userIdentity": {"arn": self.principal, "accountId": self.account},
            "awsRegion": self.region,
            "resources": [{"ARN": r} for r in self.resources],
            "alias": self.alias,
            "encryptionContext": dict(self.encryption_context),
            "requestParameters": dict(self.request_parameters),
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "decision": self.decision,
            "requestID": self.request_id,
        }

    @classmethod
    def from_dict(cls, d: object, where: str = "event", *, with_request_id: bool = True) -> AuditEvent:
        """An event from :meth:`to_dict` data; ``DamagedState`` naming the field for anything else.
        ``with_request_id``: False for events saved by kmssim 0.1 (state version 1), which have no requestID."""
        f = Fields(d, where)
        who = Fields(f.get("userIdentity"), f.path("userIdentity"))
        resources = []
        for i, r in enumerate(f.items("resources")):
            entry = Fields(r, f.path(f"resources[{i}]"))
            resources.append(entry.text("ARN"))
            entry.done()
        params = f.get("requestParameters")
        if not isinstance(params, dict) or json_safe(params) != params:
            raise f.fail("requestParameters", "expected an object of JSON values")
        event = cls(
            event_id=f.text("eventID"),
            event_time=f.time("eventTime"),
            event_name=f.text("eventName"),
            principal=who.text("arn"),
            account=who.text("accountId"),
            region=f.text("awsRegion"),
            resources=tuple(resources),
            alias=f.text("alias", optional=True),
            encryption_context=f.text_map("encryptionContext"),
            request_parameters=params,
            error_code=f.text("errorCode", optional=True),
            error_message=f.text("errorMessage", optional=True),
            decision=f.text("decision", choices=DECISIONS, optional=True),
            request_id=f.text("requestID", optional=True) if with_request_id else None,
        )
        who.done()
        f.done()
        return event


#: Sets an event's whole ``__dict__`` at once (a dict display of every field): a frozen dataclass's own
#: ``__init__`` sets each field through ``object.__setattr__``, and a year of rotations of 100,000 keys is 400,000
#: events. ``tests/test_pipeline.py`` checks that both recorders fill exactly the dataclass's fields.
_set_dict = object.__setattr__


def _arns(keys: list[Key]) -> tuple[str, ...]:
    """The ARNs of the keys a call touched, each once, in order."""
    if len(keys) == 1:
        return (keys[0].arn,)
    return tuple(dict.fromkeys([k.arn for k in keys]))


class Recorder:
    """The simulator's audit trail as it grows: one event per call, failed or not, and one per action KMS takes
    itself (an automatic rotation, a deletion at the end of its waiting period). Event IDs are version-4 UUIDs
    made from ``id_bytes``, 16 bytes each.

    KMS's actions of one kind at one instant are noted together, as (the raw bytes of their event IDs, time,
    kind, keys), and built into their :class:`AuditEvent` s when the trail is next read or a call is recorded
    after them: a year of rotations of 100,000 keys is 400,000 events in four notes, where 400,000 events would
    be built on the spot. The events are the same either way: their IDs are drawn when the actions happen, and a
    key's ARN, account and Region never change.
    """

    __slots__ = ("_built", "_noted", "id_bytes")

    def __init__(self, id_bytes: Callable[[int], bytes]) -> None:
        self._built: list[AuditEvent] = []
        #: KMS's own actions, not yet built, in order: (their event IDs' bytes, time, kind, keys).
        self._noted: list[tuple[bytes, datetime, str, Sequence[Key]]] = []
        self.id_bytes = id_bytes

    @property
    def events(self) -> list[AuditEvent]:
        """Every event so far, oldest first (the list itself: loading a saved state appends to it)."""
        if self._noted:
            self._build_noted()
        return self._built

    def record_request(
        self,
        req: Request,
        error: KMSError | None,
        request_id: str,
        now: datetime,
        event_id: str | None = None,
    ) -> AuditEvent:
        """The event for one API call: who asked, for what, on which keys, with the safe parameters only.
        ``event_id``: drawn by the caller with the request ID (else from ``id_bytes``)."""
        if self._noted:
            self._build_noted()  # KMS's earlier actions come first
        raw = req.params
        params = {}
        for k, v in raw.items():  # loops, not comprehensions: this is on every call's path
            if k in SAFE_PARAMETERS:
                params[k] = v if type(v) is str else json_safe(v)
        raw_context = raw.get("EncryptionContext") or raw.get("SourceEncryptionContext")
        context = params.get("EncryptionContext") or params.get("SourceEncryptionContext")
        if type(raw_context) is dict:
            for k, v in raw_context.items():
                if not (type(k) is str and type(v) is str):
                    context = {}
                    break
        else:
            context = {}
        alias = None
        if req.alias_used:
            alias = alias_arn(req.region, req.alias_account or req.account, req.alias_used)
        keys = req.keys
        # Built without the frozen dataclass's __init__ (one object.__setattr__ per field), as _build_noted.
        event = object.__new__(AuditEvent)
        _set_dict(
            event,
            "__dict__",
            {
                "event_id": event_id if event_id is not None else uuid4_text(self.id_bytes(16)),
                "event_time": now,
                "event_name": req.operation,
                "principal": req.principal,
                "account": req.account,
                "region": req.region,
                "resources": (keys[0].arn,) if len(keys) == 1 else _arns(keys),
                "alias": alias,
                "encryption_context": context or {},
                "request_parameters": params,
                "error_code": error.code if error is not None else None,
                "error_message": error.message if error is not None else None,
                "decision": req.decision.effect if req.decision is not None else None,
                "request_id": request_id,
            },
        )
        self._built.append(event)
        return event

    def record_service(self, kind: str, keys: Sequence[Key], now: datetime) -> None:
        """Note what KMS itself did now to each of ``keys`` (RotateKey, DeleteKey), in order; the event IDs are
        drawn now."""
        self._noted.append((self.id_bytes(16 * len(keys)), now, kind, keys))

    def _build_noted(self) -> None:
        """Build the noted actions' events, in order, as ``record_request``'s are."""
        collecting = gc.isenabled()
        gc.disable()  # as in Simulator.advance: hundreds of thousands of new events, none in a cycle
        try:
            built, new = self._built, object.__new__
            for ids, now, kind, keys in self._noted:
                for i, key in enumerate(keys):
                    event = new(AuditEvent)
                    _set_dict(
                        event,
                        "__dict__",
                        {
                            "event_id": uuid4_text(ids[16 * i : 16 * i + 16]),
                            "event_time": now,
                            "event_name": kind,
                            "principal": "kms.amazonaws.com",
                            "account": key.account,
                            "region": key.region,
                            "resources": (key.arn,),
                            "alias": None,
                            "encryption_context": {},
                            "request_parameters": {},
                            "error_code": None,
                            "error_message": None,
                            "decision": None,
                            "request_id": None,
                        },
                    )
                    built.append(event)
            self._noted.clear()
        finally:
            if collecting:
                gc.enable()


class Trail(Sequence[AuditEvent]):
    """A read-only view of the audit trail, oldest first, with a table for notebooks."""

    def __init__(self, events: Sequence[AuditEvent]) -> None:
        self._events = tuple(events)

    @overload
    def __getitem__(self, i: int) -> AuditEvent: ...
    @overload
    def __getitem__(self, i: slice) -> Trail: ...
    def __getitem__(self, i: int | slice) -> AuditEvent | Trail:
        if isinstance(i, slice):
            return Trail(self._events[i])
        return self._events[i]

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(self._events)

    def __repr__(self) -> str:
        return f"<Trail of {len(self)} events>"

    def filter(
        self, *, event_name: str | None = None, principal: str | None = None, failed: bool | None = None
    ) -> Trail:
        """Events matching every given criterion."""
        return Trail(
            [
                e
                for e in self._events
                if (event_name is None or e.event_name == event_name)
                and (principal is None or e.principal == principal)
                and (failed is None or (e.error_code is not None) == failed)
            ]
        )

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "time": iso(e.event_time),
                "event": e.event_name,
                "principal": e.principal,
                "key": ", ".join(r.rsplit("/", 1)[-1] for r in e.resources),
                "alias": e.alias or "",
                "encryption context": ", ".join(f"{k}={v}" for k, v in sorted(e.encryption_context.items())),
                "result": e.error_code or "OK",
            }
            for e in self._events
        ]
        columns = ["time", "event", "principal", "key", "alias", "encryption context", "result"]
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        if not self._events:
            return "<p><em>The trail is empty.</em></p>"
        head = "".join(f"<th>{c}</th>" for c in ("time", "event", "principal", "key", "context", "result"))
        body = []
        for e in self._events:
            result = html.escape(e.error_code or "OK")
            style = ' style="color:#b00"' if e.error_code else ""
            ctx = html.escape(", ".join(f"{k}={v}" for k, v in sorted(e.encryption_context.items())))
            keys = html.escape(", ".join(r.rsplit("/", 1)[-1] for r in e.resources))
            body.append(
                f"<tr><td>{iso(e.event_time)}</td><td>{html.escape(e.event_name)}</td>"
                f"<td>{html.escape(e.principal)}</td><td>{keys}</td><td>{ctx}</td><td{style}>{result}</td></tr>"
            )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

    def to_cloudtrail(self, path: Any = None, *, layout: str = "file") -> Any:
        """The trail as CloudTrail records: written to ``path`` (``{"Records": [...]}``, gzipped for ``.gz``;
        with ``layout="s3"`` a folder in S3's ``AWSLogs/`` layout), or returned as a list when ``path`` is None."""
        from ._usage.export import export_trail

        return export_trail(self._events, path, layout=layout)
