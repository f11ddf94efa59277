"""The boto3 front: real botocore KMS clients whose requests the simulator serves in-process.

botocore does everything it does for AWS up to the wire: parameter validation against its KMS model and
serialization into a JSON 1.1 request. A ``before-call`` handler then takes the serialized request instead of the
network, decodes it with the model, lets the simulator serve it, and hands botocore's own JSON parser an AWS-shaped
response, so results and errors (``client.exceptions.NotFoundException``...) are exactly what botocore makes of a
real KMS answer. Nothing is signed or sent; no credentials are needed.

botocore's retry handler is not reached, so a ThrottlingException comes back at once instead of being retried:
better for seeing quotas at work.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ContextDecorator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError

from ._validation import botocore_accepts

if TYPE_CHECKING:
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.client import BaseClient
    from botocore.parsers import ResponseParser

    from ._simulator import Simulator

# botocore's session, handlers, parsers and HTTP classes are imported where used: a client or mock() needs them,
# ``import kmssim`` and a Simulator do not.
_DUMMY_KEY_ID = "KMSSIMEXAMPLEKEY"
_DUMMY_SECRET = "kmssim-not-a-secret"


@functools.lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    import botocore.session

    return botocore.session.Session()


@functools.lru_cache(maxsize=1)
def _parser() -> ResponseParser:
    from botocore.parsers import create_parser

    return create_parser("json")


@functools.lru_cache(maxsize=4096)  # shapes are per client; bounded
def _has_blob(shape: Any) -> bool:
    """Whether a shape holds a blob anywhere inside (the only wire type decoding changes)."""
    t = shape.type_name
    if t == "blob":
        return True
    if t == "structure":
        return any(_has_blob(m) for m in shape.members.values())
    if t == "list":
        return _has_blob(shape.member)
    if t == "map":
        return _has_blob(shape.value)
    return False


@functools.lru_cache(maxsize=4096)
def _blob_members(shape: Any) -> tuple[tuple[str, Any], ...]:
    """The members of a structure shape that hold a blob somewhere, with their shapes."""
    return tuple((name, member) for name, member in shape.members.items() if _has_blob(member))


def _decode(shape: Any, value: Any) -> Any:
    """Wire JSON -> Python values, by shape: base64 blobs to bytes. ``value`` is freshly parsed JSON that nobody
    else holds, so structures are decoded in place."""
    if value is None:
        return value
    t = shape.type_name
    if t == "blob":
        return binascii.a2b_base64(value) if isinstance(value, str) else value
    if t == "structure" and isinstance(value, dict):
        for name, member in _blob_members(shape):
            v = value.get(name)
            if v is not None:
                value[name] = (
                    binascii.a2b_base64(v)
                    if member.type_name == "blob" and isinstance(v, str)
                    else _decode(member, v)
                )
        return value
    if not _has_blob(shape):
        return value
    if t == "list" and isinstance(value, list):
        return [_decode(shape.member, v) for v in value]
    if t == "map" and isinstance(value, dict):
        return {k: _decode(shape.value, v) for k, v in value.items()}
    return value


_JSON = json.JSONDecoder()

#: A JSON escape of a UTF-16 surrogate: only such a body can carry a string UTF-8 cannot (see
#: ``choices.REJECT_UNPAIRED_SURROGATES``).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _encode(shape: Any, value: Any) -> Any:
    """Python values -> wire JSON, by shape: bytes to base64, datetimes to epoch seconds."""
    t = shape.type_name
    if t == "blob":
        return base64.b64encode(value).decode()
    if t == "timestamp":
        assert isinstance(value, datetime)
        return value.timestamp()
    if t == "structure":
        members = shape.members
        return {k: _encode(members[k], v) for k, v in value.items() if v is not None and k in members}
    if t == "list":
        return [_encode(shape.member, v) for v in value]
    if t == "map":
        return {k: _encode(shape.value, v) for k, v in value.items()}
    return value


class _Raw:
    """The body of a simulated HTTP response, readable the way urllib3's is; serialized only when read."""

    def __init__(self, body: Callable[[], bytes]) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body()


@functools.lru_cache(maxsize=1)
def _response_class() -> Callable[[str, int, dict[str, str], Any], AWSResponse]:
    """botocore's ``AWSResponse`` whose case-insensitive ``headers`` (a ``HeadersDict``, costly to fill) are built
    the first time something reads them: botocore itself only reads ``status_code`` of a response it did not
    fetch."""
    from botocore.awsrequest import AWSResponse, HeadersDict

    class SimulatedResponse(AWSResponse):
        def __init__(self, url: str, status_code: int, headers: dict[str, str], raw: Any) -> None:
            self.url = url
            self.status_code = status_code
            self._plain_headers = headers
            self._headers: HeadersDict | None = None
            self.raw = raw
            self._content = None

        @property
        def headers(self) -> HeadersDict:
            if self._headers is None:
                self._headers = HeadersDict(self._plain_headers)
            return self._headers

        @headers.setter
        def headers(self, value: Any) -> None:
            self._headers = HeadersDict(value)

    return SimulatedResponse


@functools.lru_cache(maxsize=64)
def _url(region: str) -> str:
    return f"https://kms.{region}.amazonaws.com/"


@functools.lru_cache(maxsize=4096)
def _structure_plan(shape: Any) -> tuple[frozenset[str], dict[str, Any]]:
    """A structure's members split into those botocore's parser returns as they are (strings, numbers,
    booleans, blobs) and those it transforms (timestamps, and containers, which may hold them)."""
    plain, nested = set(), {}
    for name, member in shape.members.items():
        if member.type_name in ("timestamp", "structure", "list", "map"):
            nested[name] = member
        else:
            plain.add(name)
    return frozenset(plain), nested


def _parsed(shape: Any, value: Any) -> Any:
    """What botocore's JSON parser makes of ``_encode(shape, value)``, computed without the JSON round trip."""
    t = shape.type_name
    if t == "structure":
        plain, nested = _structure_plan(shape)
        if not nested:
            return {k: v for k, v in value.items() if v is not None and k in plain}
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            if k in plain:
                out[k] = v
            elif k in nested:
                out[k] = _parsed(nested[k], v)
        return out
    if t == "timestamp":
        from botocore.parsers import DEFAULT_TIMESTAMP_PARSER

        return DEFAULT_TIMESTAMP_PARSER(value.timestamp())
    if t == "list":
        return [_parsed(shape.member, v) for v in value]
    if t == "map":
        return {k: _parsed(shape.value, v) for k, v in value.items()}
    return value


#: Check every fast-path response against botocore's own parser (the test suite turns this on).
VERIFY_WITH_BOTOCORE_PARSER = False


def _botocore_parse(model: Any, status: int, headers: dict[str, str], data: bytes) -> dict[str, Any]:
    """Parse a JSON response exactly as botocore's endpoint does, modelled error fields included."""
    response = {"status_code": status, "headers": headers, "body": data}
    parser = _parser()
    parsed: dict[str, Any] = parser.parse(response, model.output_shape)
    if status >= 300:
        code = parsed.get("Error", {}).get("Code")
        error_shape = model.service_model.shape_for_error_code(code)
        if error_shape is not None:
            parsed.update(parser.parse(response, error_shape))
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return parsed


def serve(
    sim: Simulator,
    model: Any,
    params: Mapping[str, Any],
    region: str,
    principal: str,
    context: Mapping[str, object],
) -> tuple[AWSResponse, dict[str, Any]]:
    """Serve one serialized botocore request; returns (http response, parsed response) as botocore expects.

    Errors go through botocore's own JSON parser. Successful responses are built directly in the shape that
    parser produces (it is the hot path); ``VERIFY_WITH_BOTOCORE_PARSER`` checks the two agree.
    """
    response = _response_class()
    raw_body = params.get("body") or b"{}"
    if isinstance(raw_body, bytes):
        raw_body = raw_body.decode()
    body, end = _JSON.raw_decode(raw_body)  # botocore's body is one JSON object, nothing around it
    if end != len(raw_body):
        body = json.loads(raw_body)
    api_params = _decode(model.input_shape, body) if model.input_shape is not None else {}
    # Parameters decoded here are the simulator's own; only a body with a surrogate escape needs the pipeline's
    # copy (which refuses strings UTF-8 cannot carry).
    exchange = sim._serve(
        model.name,
        api_params,
        region=region,
        principal=principal,
        context=context,
        model=model,
        fresh=_SURROGATE_ESCAPE.search(raw_body) is None,
    )
    request_id = exchange.request_id
    headers = {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.1"}
    url = _url(region)
    exc = exchange.error
    if exc is not None:
        # An error AWS sends without a message (InvalidCiphertextException, KMSInvalidSignatureException, ...)
        # has no ``message`` member at all on the wire, so botocore parses exactly what it parses from AWS.
        error = {"__type": exc.code, "message": exc.message} if exc.message else {"__type": exc.code}
        data = json.dumps(error).encode()
        http = response(url, 400, headers, _Raw(lambda: data))
        return http, _botocore_parse(model, 400, headers, data)

    result = exchange.result
    assert result is not None

    def wire() -> bytes:
        payload = _encode(model.output_shape, result) if model.output_shape is not None else {}
        return json.dumps(payload).encode()

    parsed: dict[str, Any] = _parsed(model.output_shape, result) if model.output_shape is not None else {}
    parsed["ResponseMetadata"] = {
        "RequestId": request_id,
        "HTTPStatusCode": 200,
        "HTTPHeaders": dict(headers),
        "RetryAttempts": 0,
    }
    if VERIFY_WITH_BOTOCORE_PARSER:
        expected = _botocore_parse(model, 200, headers, wire())
        if expected != parsed:
            raise AssertionError(f"fast response differs from botocore's parse: {parsed!r} != {expected!r}")
    return response(url, 200, headers, _Raw(wire)), parsed


#: The User-Agent a simulator's client would send (``Config.user_agent``: botocore builds it once, not per call).
USER_AGENT = "kmssim (in-process AWS KMS simulator; nothing is sent)"


def endpoint_is_per_client(service_model: Any) -> bool:
    """Whether the service's endpoint depends on the client alone: its rule set takes no per-operation parameter
    (static, dynamic or operation context parameters) and no client context parameter. True of KMS."""
    if service_model.client_context_parameters:
        return False
    for name in service_model.operation_names:
        op = service_model.operation_model(name)
        if op.static_context_parameters or op.context_parameters or op.operation_context_parameters:
            return False
    return True


def resolve_endpoint_once(client: BaseClient) -> None:
    """Let botocore's own endpoint rule set resolve a client's endpoint on its first call and reuse the answer.

    KMS's rule set reads only Region, UseFIPS, UseDualStack and Endpoint, all fixed when the client is made
    (``endpoint_is_per_client``), so every call would get the same endpoint; resolving it per call is a quarter
    of botocore's own work on a call that is never sent. A failure is not kept: the next call resolves again and
    fails as botocore would. A botocore without a rule set resolver is left as it is."""
    resolver: Any = getattr(client, "_ruleset_resolver", None)
    construct = getattr(resolver, "construct_endpoint", None)
    if construct is None or not endpoint_is_per_client(client.meta.service_model):
        return
    resolved: list[Any] = []

    def construct_endpoint(operation_model: Any, call_args: Any, request_context: Any) -> Any:
        if not resolved:
            resolved.append(construct(operation_model, call_args, request_context))
        return resolved[0]

    resolver.construct_endpoint = construct_endpoint


@functools.lru_cache(maxsize=1)
def _validator_class() -> type:
    from botocore.validate import ParamValidator, ValidationErrors

    class ProvenParamValidator(ParamValidator):
        """botocore's validator, which is not run on parameters ``botocore_accepts`` proves it would pass."""

        def validate(self, params: Any, shape: Any) -> ValidationErrors:
            if botocore_accepts(shape)(params):
                return ValidationErrors()
            errors: ValidationErrors = super().validate(params, shape)
            return errors

    return ProvenParamValidator


def validate_proven_params_once(client: BaseClient) -> None:
    """Give a client's parameter validation (botocore's ``ParamValidationDecorator``, which raises
    ``ParamValidationError`` before serializing) the validator of ``_validator_class``: every error is still
    botocore's own, at the same point of the call, and a call botocore's checks would pass skips about a fifth of
    botocore's work. A botocore laid out otherwise is left as it is."""
    serializer = getattr(client, "_serializer", None)
    validator = getattr(serializer, "_param_validator", None)
    from botocore.validate import ParamValidator

    if type(validator) is ParamValidator:
        serializer._param_validator = _validator_class()()  # type: ignore[union-attr]


def make_client(sim: Simulator, region: str, principal: str, context: Mapping[str, object]) -> BaseClient:
    from botocore.config import Config

    client = _session().create_client(
        "kms",
        region_name=region,
        config=Config(retries={"max_attempts": 1}, user_agent=USER_AGENT),
        aws_access_key_id=_DUMMY_KEY_ID,
        aws_secret_access_key=_DUMMY_SECRET,
    )
    resolve_endpoint_once(client)
    validate_proven_params_once(client)

    def handler(model: Any, params: Mapping[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return serve(sim, model, params, region, principal, context)

    client.meta.events.register_first("before-call.kms", cast(Callable[..., None], handler))
    return client


# ---------------------------------------------------------------------------------------------- kmssim.mock()

_ACTIVE: list[tuple[Simulator, str | None, dict[str, object]]] = []
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": _DUMMY_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": _DUMMY_SECRET,
    "AWS_SESSION_TOKEN": "kmssim",
    "AWS_SECURITY_TOKEN": "kmssim",
}


class ServiceNotSimulatedError(BotoCoreError):
    """A boto3 call to an AWS service other than KMS inside ``kmssim.mock()``: refused locally, never sent."""

    fmt = (
        "kmssim.mock() serves AWS KMS only: {service}.{operation} was refused locally rather than sent to AWS. "
        "Call it outside kmssim.mock(), or serve that service with a local mock of its own (moto's mock_aws "
        "serves the other services when it is active too)."
    )


def _mock_handler(model: Any, params: Mapping[str, Any], context: Mapping[str, Any], **_: Any) -> Any:
    if not _ACTIVE:
        return None
    sim, principal, global_context = _ACTIVE[-1]
    region = context.get("client_region") or sim.region
    return serve(sim, model, params, region, principal or sim.root(), global_context)


def _moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active (it then serves the non-KMS services at ``before-send``)."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


def _refuse_other_services(model: Any, **_: Any) -> None:
    """``before-call`` for every service: inside a mock, anything but KMS stops here, before any network."""
    if not _ACTIVE or model.service_model.service_name == "kms" or _moto_active():
        return
    raise ServiceNotSimulatedError(service=model.service_model.service_name, operation=model.name)


_MOCK_HANDLERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("before-call.kms", _mock_handler),
    ("before-call", _refuse_other_services),
)


def _install_mock_handler() -> None:
    import botocore.handlers

    for entry in _MOCK_HANDLERS:
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)
    try:
        import boto3

        default = boto3.DEFAULT_SESSION
    except ImportError:  # pragma: no cover - boto3 is a dependency
        default = None
    if default is not None:
        for event, handler in _MOCK_HANDLERS:
            default.events.unregister(event, handler)
            default.events.register(event, handler)


def _region_configured() -> bool:
    """Whether botocore finds a Region of its own: ``AWS_DEFAULT_REGION``, then the shared config file (read
    locally; https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html)."""
    import botocore.session

    try:
        return botocore.session.Session().get_config_variable("region") is not None
    except BotoCoreError:  # an unreadable or broken config file: no Region from it
        return False


class mock(ContextDecorator):
    """Serve ``boto3.client("kms")`` calls by a simulator, as moto's ``mock_aws`` does.

    ``with kmssim.mock() as sim:`` (a new simulator seeded with ``seed``) or ``with kmssim.mock(sim):``; also a
    decorator. While a mock is active, the innermost active simulator serves every KMS client of boto3's
    default session and of any botocore session created after kmssim first installed its handler (on the first
    ``mock()``); outside any active mock those clients talk to AWS as usual. Clients from ``sim.client()`` always
    talk to their own simulator. Fake credentials are put in the environment while active, so no real
    credentials are looked up or used.

    Safe for documentation snippets: when botocore finds no Region (no ``AWS_DEFAULT_REGION``, none in the
    shared config file; a client's ``region_name`` always wins), ``AWS_DEFAULT_REGION`` is the simulator's Region
    while active (``us-east-1`` for a new simulator, the :class:`Simulator` default), so ``boto3.client("kms")``
    works as it does on a configured machine. A client of any other service (``boto3.client("s3")``...) is
    refused with :class:`ServiceNotSimulatedError` when it makes a call, before anything is sent, unless moto's
    ``mock_aws`` is active too and serves it.
    """

    def __init__(
        self,
        sim: Simulator | None = None,
        *,
        seed: int | None = 0,
        principal: str | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        self._sim = sim
        self._seed = seed
        self._principal = principal
        self._context = dict(context or {})
        self._saved_env: list[dict[str, str | None]] = []

    @property
    def sim(self) -> Simulator:
        if self._sim is None:
            from ._simulator import Simulator

            self._sim = Simulator(seed=self._seed)
        return self._sim

    def __enter__(self) -> Simulator:
        sim = self.sim
        _install_mock_handler()
        fake = dict(_FAKE_ENV)
        if not _region_configured():
            fake["AWS_DEFAULT_REGION"] = sim.region
        self._saved_env.append({k: os.environ.get(k) for k in fake})
        os.environ.update(fake)
        _ACTIVE.append((sim, self._principal, self._context))
        return sim

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.pop()
        for k, v in self._saved_env.pop().items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def _recreate_cm(self) -> mock:
        # A fresh simulator per decorated call unless one was given.
        return mock(self._sim, seed=self._seed, principal=self._principal, context=self._context)

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:  # type: ignore[override]
        return super().__call__(func)
