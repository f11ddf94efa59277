"""The request pipeline: every API call, through boto3 or ``Simulator.call``, passes the same stages in order.

::

    front (botocore)   decode      validate        throttle      act                       record   meter
    JSON body  ──────▶ copy the ─▶ botocore's ───▶ quota gate ─▶ handler: resolve the ───▶ trail ─▶ bill
    ◀── encode ─────── params      model + AWS's   (optional)    key, authorize, check     event    counts and
        the response               extra rules                   its state, do the work             request IDs

A request ID is drawn once, first, and goes into the response, the trail event, the error and, for a billed
request, the meter (so the bill). A call that fails at any stage is rewound (``Simulator._checkpoint``): the
random streams, the quota counters and the tables the operations append to come back to where they were, so the
only trace is the failed call's own trail event, as in CloudTrail (and its meter entry when it is billed: a
DryRun, ``choices.BILL_DRY_RUN``). A Python error inside kmssim is answered as AWS answers its own failures (KMSInternalException),
naming the error's type only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._catalog import OPERATIONS
from ._errors import KMSError, UnsupportedOperationException, ValidationException
from ._ids import principal_account
from ._ops import HANDLERS, Request
from ._ops._kms import LIST_LIMITS, in_range
from ._ops.last_usage import note_use
from ._validation import check_types, coerce_blobs, copy_params, operation_model, validate_params

if TYPE_CHECKING:
    from ._simulator import Simulator


class Exchange:
    """What one call gave: its request ID, and the response or the error AWS would send."""

    __slots__ = ("error", "request_id", "result")

    def __init__(
        self, request_id: str, result: dict[str, Any] | None = None, error: KMSError | None = None
    ) -> None:
        self.request_id = request_id
        self.result = result
        self.error = error


def check_call_arguments(
    operation: object, params: object, region: object, principal: object, context: object
) -> None:
    """TypeError for a misuse of ``Simulator.call`` itself (not a request AWS could receive)."""
    if not isinstance(operation, str):
        raise TypeError(
            f"operation must be an API operation name such as 'Encrypt', not {type(operation).__name__}"
        )
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter names to values, not {type(params).__name__}")
    for name, value in (("region", region), ("principal", principal)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if context is not None and not isinstance(context, Mapping):
        raise TypeError(
            f"context must be a mapping of condition keys to values, not {type(context).__name__}"
        )


def validate(req: Request, model: Any, *, trusted: bool) -> None:
    """The parameters against botocore's model (types, required members, lengths, enums, patterns) and AWS's
    extra rules (list operations' Limit ranges). ``trusted``: the params come from botocore's own serializer,
    so their types and blobs are already right."""
    if not trusted:
        validate_params(model.input_shape, req.params)
        check_types(model.input_shape, req.params)
        req.params = coerce_blobs(model.input_shape, req.params)
    else:
        validate_params(model.input_shape, req.params)
    limit = LIST_LIMITS.get(req.operation)
    if limit is not None and "Limit" in req.params:
        in_range(req, "Limit", 1, (1, limit))


def run(
    sim: Simulator,
    operation: str,
    params: Mapping[str, Any] | None,
    *,
    region: str | None,
    principal: str | None,
    context: Mapping[str, object] | None,
    model: Any,
    fresh: bool = False,
) -> Exchange:
    """Serve one call through every stage; never raises a KMSError (it is in the Exchange).

    ``fresh``: ``params`` were just decoded by the boto3 front from botocore's JSON, so the simulator already
    owns them, their types are right and no string in them needs refusing: they are not copied again."""
    if not fresh:
        check_call_arguments(operation, params, region, principal, context)
    principal = principal or sim.root()
    region = region or sim.region
    account = principal_account(principal) or sim.account_id
    req = Request(operation, {}, account, region, principal, dict(context) if context else {})
    request_id, event_id = sim._new_ids()
    saved = sim._checkpoint()
    try:
        req.params = params if fresh else copy_params(dict(params or {}))  # type: ignore[assignment]
        handler = HANDLERS.get(operation)
        if handler is None:
            raise UnsupportedOperationException(f"{operation} is not an operation kmssim simulates.")
        if region not in sim._regions:
            raise ValidationException(f"Region {region} is not a Region kmssim knows.")
        validate(req, model if model is not None else operation_model(operation), trusted=model is not None)
        if sim.enforce_quotas:
            key, spec = sim.ops.peek_key(req)
            store = sim.ops.stores.used_by(req.operation, req.params, key)
            sim._quota.admit(req, spec, sim._clock.now.timestamp(), store)
        result = handler(sim.ops, req)
    except KMSError as exc:
        sim._restore(saved)
        sim._trail.record_request(req, exc, request_id, sim._clock.now, event_id)
        sim._meter.count_failed(req, sim._clock.now, request_id, exc)  # DryRun is billed (choices)
        return Exchange(request_id, error=exc)
    except Exception as exc:
        sim._restore(saved)
        internal = KMSError(
            f"kmssim failed to serve {operation} ({type(exc).__name__}); this is a kmssim bug, please report it."
        )
        internal.__cause__ = exc
        sim._trail.record_request(req, internal, request_id, sim._clock.now, event_id)
        return Exchange(request_id, error=internal)
    now = sim._clock.now
    sim._trail.record_request(req, None, request_id, now, event_id)
    if OPERATIONS[operation].crypto:
        note_use(sim.ops, req, now, event_id, request_id)
    for kind, key in req.service_events:
        sim._trail.record_service(kind, (key,), now)
    sim._meter.count(req, now, request_id)
    return Exchange(request_id, result=result)
