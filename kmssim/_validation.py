"""Server-side checks of request parameters against botocore's KMS model.

botocore's client validates required members, types and minimums before a request leaves; KMS itself checks the
rest (maximum lengths and values, enums, patterns) and answers ``ValidationException`` with messages such as
``1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have
value less than or equal to 1024``. This module does the server's part for any operation in the model, with one
validator compiled per shape, and words every such message: :func:`validation_error` for a rule kmssim checks
outside the model, :func:`validation_message` and :func:`constraint_failure` for the parts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from . import choices
from ._errors import ValidationException


@functools.cache
def _pattern(p: str) -> re.Pattern[str] | None:
    try:
        return re.compile(p)
    except re.error:
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


#: Members whose values no message, trail event or saved file ever repeats, besides those whose shape
#: botocore's model marks ``sensitive`` (Plaintext, Message, PrivateKeyPlaintext...): grant tokens are bearer
#: credentials (https://docs.aws.amazon.com/kms/latest/developerguide/grant-tokens.html).
ALSO_SECRET_MEMBERS = frozenset({"GrantTokens", "GrantToken"})
#: At most this many characters of a non-secret value are repeated in a parameter-type message.
SHOWN_VALUE_CHARS = 200
#: How deep ``copy_params`` follows nested request values; KMS's deepest input shape is far shallower.
MAX_PARAM_DEPTH = 32


@functools.cache
def secret_members() -> frozenset[str]:
    """Member names (API spelling) whose values are never repeated: sensitive shapes and grant tokens."""
    shapes = _service_model()._shape_resolver._shape_map
    sensitive = {n for n, s in shapes.items() if s.get("sensitive")}
    sensitive |= {
        n for n, s in shapes.items() if s.get("type") == "list" and s["member"]["shape"] in sensitive
    }
    names = {
        m for s in shapes.values() for m, ref in s.get("members", {}).items() if ref["shape"] in sensitive
    }
    return frozenset(names) | ALSO_SECRET_MEMBERS


@functools.cache
def _secret_camel() -> frozenset[str]:
    return frozenset(_camel(n) for n in secret_members())


def is_secret_path(path: str) -> bool:
    """Whether a parameter path (``GrantTokens[0]``, ``grantTokens.1.member``, ``Plaintext``) is secret."""
    parts = re.split(r"[.\[\] ]", path)
    return any(p in secret_members() or p in _secret_camel() for p in parts)


#: The order AWS lists an enum's values in its validation messages, where AWS was recorded listing them (it is not
#: the model's order). Recorded 2023-04-13 against real AWS (LocalStack's KMS snapshot tests
#: ``test_invalid_generate_mac``, ``test_hmac_create_key_invalid_operations``). Values added to the model since are
#: not in a recording: they follow, in the model's order (our choice). Every other enum is listed in model order.
AWS_ENUM_ORDER: dict[str, tuple[str, ...]] = {
    "MacAlgorithmSpec": ("HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"),
    "KeySpec": (
        "RSA_2048",
        "ECC_NIST_P384",
        "ECC_NIST_P256",
        "ECC_NIST_P521",
        "HMAC_384",
        "RSA_3072",
        "ECC_SECG_P256K1",
        "RSA_4096",
        "SYMMETRIC_DEFAULT",
        "HMAC_256",
        "HMAC_224",
        "HMAC_512",
    ),
    "KeyUsageType": ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"),
}


def aws_enum_order(shape_name: str, values: Sequence[str]) -> list[str]:
    """An enum's values in the order AWS's messages list them (:data:`AWS_ENUM_ORDER`), the rest after them."""
    recorded = [v for v in AWS_ENUM_ORDER.get(shape_name, ()) if v in values]
    return recorded + [v for v in values if v not in recorded]


def _value(shape: Any, value: Any, path: str) -> str:
    """``Value '<v>'`` as KMS words it; just ``Value`` for sensitive members (plaintext, tokens) and lists."""
    if shape.metadata.get("sensitive") or shape.type_name == "list" or is_secret_path(path):
        return "Value"
    return f"Value '{_show(value)}'"


def _show(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]".format(len(value))
    return str(value)


def validation_message(errors: Sequence[str]) -> str:
    """KMS's wording for constraint failures: ``<n> validation error(s) detected: <e1>; <e2>``."""
    n = len(errors)
    return f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors)


def constraint_failure(value: str, member: str, constraint: str) -> str:
    """One failure as KMS words it: ``<value> at '<member>' failed to satisfy constraint: <constraint>``.

    ``value`` is already worded: ``Value '<v>'``, or just ``Value`` where KMS does not repeat it.
    """
    return f"{value} at '{member}' failed to satisfy constraint: {constraint}"


def validation_error(value: Any, member: str, constraint: str) -> ValidationException:
    """The ValidationException KMS answers for one parameter breaking one constraint.

    ``validation_error(1025, "numberOfBytes", "Member must have value less than or equal to 1024")`` words
    ``1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must
    have value less than or equal to 1024``. ``value`` None leaves the value out (``Value at 'policy' ...``), as KMS
    does for secrets and values it does not repeat; bytes are shown as KMS shows them.
    """
    shown = "Value" if value is None else f"Value '{_show(value)}'"
    return ValidationException(validation_message([constraint_failure(shown, member, constraint)]))


# The one validator. ``_compiled(shape)`` gives, once per shape, a function that returns None when a value breaks
# no constraint of the shape (the fast path every call takes) and otherwise the failures found, in the order KMS
# lists them, each as (path below the value, shape, value, constraint); None instead of a function when the shape
# carries no constraint anywhere. Values of the wrong type are left to botocore's type check.
_Failure = tuple[str, Any, Any, str]
_Checker = Callable[[Any], list[_Failure] | None]
_COMPILED: dict[tuple[str, str], _Checker | None] = {}


def _leaf_failures(shape: Any, value: Any) -> list[str]:
    """The constraints a string, blob, integer or long value breaks, in KMS's order (only called on failure)."""
    meta, t = shape.metadata, shape.type_name
    out: list[str] = []
    if t in ("integer", "long"):
        if "max" in meta and value > meta["max"]:
            out.append(f"Member must have value less than or equal to {meta['max']}")
        if "min" in meta and value < meta["min"]:
            out.append(f"Member must have value greater than or equal to {meta['min']}")
        return out
    if "max" in meta and len(value) > meta["max"]:
        out.append(f"Member must have length less than or equal to {meta['max']}")
    if "min" in meta and len(value) < meta["min"]:
        out.append(f"Member must have length greater than or equal to {meta['min']}")
    enum = shape.enum if t == "string" and isinstance(value, str) else None
    if enum and value not in enum:
        out.append(f"Member must satisfy enum value set: [{', '.join(aws_enum_order(shape.name, enum))}]")
    elif t == "string" and "pattern" in meta and isinstance(value, str):
        pat = _pattern(meta["pattern"])
        if pat is not None and not pat.search(value):
            out.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return out


def _compiled(shape: Any) -> _Checker | None:
    """The checker of ``shape`` (see above), built once per shape."""
    ident = (shape.name, shape.type_name)
    if ident in _COMPILED:
        return _COMPILED[ident]
    _COMPILED[ident] = None  # guards recursive shapes while compiling (KMS's model has none)
    meta, t = shape.metadata, shape.type_name
    lo, hi = meta.get("min"), meta.get("max")
    fn: _Checker | None = None
    if t == "structure":
        members = [
            (name, "." + _camel(name), check)
            for name, member in shape.members.items()
            if (check := _compiled(member)) is not None
        ]
        if members:
            by_name = {name: check for name, _, check in members}

            def fn(v: Any) -> list[_Failure] | None:
                if not isinstance(v, dict):
                    return None
                # First the members present (a request names few of its shape's members), and only if one
                # fails, every member in the shape's order, which is the order the message lists them in.
                for name, x in v.items():
                    check = by_name.get(name)
                    if check is not None and x is not None and check(x):
                        break
                else:
                    return None
                found: list[_Failure] | None = None
                for name, suffix, check in members:
                    x = v.get(name)
                    if x is not None and (bad := check(x)):
                        found = (found or []) + [(suffix + p, s, y, c) for p, s, y, c in bad]
                return found

    elif t == "list":
        item = _compiled(shape.member)
        if item is not None or hi is not None:

            def fn(v: Any) -> list[_Failure] | None:
                if not isinstance(v, list):
                    return None
                found: list[_Failure] | None = None
                if hi is not None and len(v) > hi:
                    found = [("", shape, v, f"Member must have length less than or equal to {hi}")]
                if item is not None:
                    for i, x in enumerate(v, start=1):
                        if bad := item(x):
                            found = (found or []) + [(f".{i}.member{p}", s, y, c) for p, s, y, c in bad]
                return found

    elif t == "map":
        key, value = _compiled(shape.key), _compiled(shape.value)
        if key is not None or value is not None:

            def fn(v: Any) -> list[_Failure] | None:
                if not isinstance(v, dict):
                    return None
                found: list[_Failure] | None = None
                for k, x in v.items():
                    for check, part, y in ((key, ".key", k), (value, ".value", x)):
                        if check is not None and (bad := check(y)):
                            found = (found or []) + [(part + p, s, z, c) for p, s, z, c in bad]
                return found

    elif t in ("string", "blob"):
        enum = frozenset(shape.enum) if t == "string" and shape.enum else None
        pattern = _pattern(meta["pattern"]) if t == "string" and "pattern" in meta else None
        if lo is not None or hi is not None or enum is not None or "pattern" in meta:

            def fn(v: Any) -> list[_Failure] | None:
                if not isinstance(v, str | bytes | bytearray):
                    return None
                if (hi is None or len(v) <= hi) and (lo is None or len(v) >= lo):
                    if enum is not None:
                        if (
                            not isinstance(v, str) or v in enum
                        ):  # a bytes value is a type error, reported as one
                            return None
                    elif pattern is None or not isinstance(v, str) or pattern.search(v):
                        return None
                return [("", shape, v, c) for c in _leaf_failures(shape, v)] or None

    elif t in ("integer", "long") and (lo is not None or hi is not None):

        def fn(v: Any) -> list[_Failure] | None:
            if not isinstance(v, int) or isinstance(v, bool):
                return None
            if (hi is None or v <= hi) and (lo is None or v >= lo):
                return None
            return [("", shape, v, c) for c in _leaf_failures(shape, v)]

    _COMPILED[ident] = fn
    return fn


def _worded(found: list[_Failure], path: str) -> list[str]:
    """The failures of a value at ``path`` ('' for a request's parameters), worded as KMS words them."""
    out = []
    for suffix, shape, value, constraint in found:
        where = path + suffix if path else suffix.removeprefix(".")
        out.append(constraint_failure(_value(shape, value, where), where, constraint))
    return out


def _check(shape: Any, value: Any, path: str, errors: list[str]) -> None:
    """Append to ``errors`` every constraint failure of ``value`` at ``path``, worded (the one validator's)."""
    check = _compiled(shape)
    found = check(value) if check is not None and value is not None else None
    if found:
        errors.extend(_worded(found, path))


def _passes(shape: Any) -> Callable[[Any], bool]:
    """Whether a value breaks no constraint of ``shape`` (the one validator's answer, as a yes/no)."""
    check = _compiled(shape)
    return lambda value: check is None or value is None or not check(value)


@functools.cache
def operation_model(name: str) -> Any:
    """botocore's model of one KMS operation."""
    return _service_model().operation_model(name)


@functools.lru_cache(maxsize=1)
@functools.cache
def _service_model() -> Any:
    """botocore's KMS model, read with its loader alone (a botocore session is only needed for a client)."""
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    return ServiceModel(create_loader().load_service_model("kms", "service-2"), service_name="kms")


def copy_params(value: Any) -> Any:
    """A deep copy of request parameters, so nothing the simulator keeps aliases the caller's objects.

    Dicts, lists and tuples (as lists) are copied; a bytearray becomes a new bytearray; other values are kept.
    ValidationException for values nested deeper than ``MAX_PARAM_DEPTH`` and, with
    ``choices.REJECT_UNPAIRED_SURROGATES``, for strings UTF-8 cannot carry; the value is never repeated.
    """
    try:
        return _copy(value, 0)
    except _Refused:
        path, problem = _first_refused(value, "", 0) or ("input", "Member is not valid")
        raise validation_error(None, path, problem) from None


class _Refused(Exception):
    pass


#: Values ``_copy`` keeps as they are (immutable); an ASCII ``str`` is kept too, without a call.
_KEPT: frozenset[type] = frozenset({bytes, int, float, bool, type(None)})


def _copy(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        if choices.REJECT_UNPAIRED_SURROGATES and not value.isascii() and _unpaired(value):
            raise _Refused
        return value
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_PARAM_DEPTH:
            raise _Refused
        # Loops, not comprehensions, and no call for plain items: this runs on every request.
        inner = depth + 1
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                if not (type(k) is str and k.isascii()):
                    k = _copy(k, inner)
                if type(v) in _KEPT or (type(v) is str and v.isascii()):
                    out[k] = v
                else:
                    out[k] = _copy(v, inner)
            return out
        items: list[Any] = []
        for v in value:
            items.append(v if type(v) in _KEPT or (type(v) is str and v.isascii()) else _copy(v, inner))
        return items
    if isinstance(value, bytearray):
        return bytearray(value)
    return value


def _unpaired(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_refused(value: Any, path: str, depth: int) -> tuple[str, str] | None:
    """Where ``_copy`` refused ``value`` and why (slow: only after a refusal)."""
    if isinstance(value, str):
        if choices.REJECT_UNPAIRED_SURROGATES and _unpaired(value):
            return path or "input", "Member must be a valid Unicode string (it holds an unpaired surrogate)"
        return None
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_PARAM_DEPTH:
            return path or "input", f"Member must not be nested more than {MAX_PARAM_DEPTH} levels deep"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            inner = (f"{path}.{k}" if path else str(k)) if isinstance(value, dict) else f"{path}[{k}]"
            found = _first_refused(k, inner, depth + 1) if isinstance(k, str) else None
            found = found or _first_refused(v, inner, depth + 1)
            if found:
                return found
    return None


def coerce_blobs(shape: Any, value: Any) -> Any:
    """Blob members become bytes as botocore's serializer makes them: strings as UTF-8, bytearrays copied,
    file-like objects read."""
    if value is None:
        return None
    t = shape.type_name
    if t == "blob":
        if hasattr(value, "read"):
            value = value.read()
        if isinstance(value, str):
            return value.encode("utf-8")
        return bytes(value) if isinstance(value, bytearray) else value
    if t == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: coerce_blobs(members[k], v) if k in members else v for k, v in value.items()}
    if t == "list" and isinstance(value, list):
        return [coerce_blobs(shape.member, v) for v in value]
    return value


_Accepts = Callable[[Any], bool]
_ACCEPTS: dict[tuple[str, str], _Accepts] = {}


def _reject(_: Any) -> bool:
    return False


def botocore_accepts(shape: Any) -> _Accepts:
    """A check, compiled once per shape, that is True only of a value botocore's ``ParamValidator`` reports
    nothing about: exact built-in types (``str``, ``bytes``, ``int``, ``bool``, ``dict``, ``list``), required
    members present, no unknown member, lengths and values at least the model's ``min``. Anything else it does
    not vouch for (None, a bytearray, a tuple, a timestamp, a union, a document...) answers False, and botocore's
    own validator decides: the check only saves botocore's work on values it would pass."""
    ident = (shape.name, shape.type_name)
    if ident in _ACCEPTS:
        return _ACCEPTS[ident]
    _ACCEPTS[ident] = _reject  # a recursive shape is left to botocore
    meta, t = shape.metadata, shape.type_name
    lo = meta.get("min", 0)
    fn: _Accepts = _reject
    special = (
        "jsonvalue" in getattr(shape, "serialization", {})
        or getattr(shape, "is_document_type", False)
        or getattr(shape, "is_tagged_union", False)
        or getattr(shape, "serialization", {}).get("hostLabel")
    )
    if special:
        pass
    elif t == "structure":
        members = {name: botocore_accepts(m) for name, m in shape.members.items()}
        required = tuple(meta.get("required", ()))

        def fn(v: Any) -> bool:
            if type(v) is not dict:
                return False
            for name in required:
                if name not in v:
                    return False
            for name, x in v.items():
                check = members.get(name)
                if check is None or not check(x):
                    return False
            return True

    elif t == "string":

        def fn(v: Any) -> bool:
            return type(v) is str and len(v) >= lo

    elif t == "blob":

        def fn(v: Any) -> bool:
            return type(v) is bytes

    elif t in ("integer", "long"):
        least = meta.get("min", float("-inf"))

        def fn(v: Any) -> bool:
            return type(v) is int and v >= least

    elif t == "boolean":

        def fn(v: Any) -> bool:
            return type(v) is bool

    elif t == "list":
        item = botocore_accepts(shape.member)

        def fn(v: Any) -> bool:
            return type(v) is list and len(v) >= lo and all(item(x) for x in v)

    elif t == "map":
        key, value = botocore_accepts(shape.key), botocore_accepts(shape.value)

        def fn(v: Any) -> bool:
            if type(v) is not dict:
                return False
            for k, x in v.items():  # noqa: SIM110 (a loop, not a generator: an encryption context is checked on most calls)
                if not (key(k) and value(x)):
                    return False
            return True

    _ACCEPTS[ident] = fn
    return fn


def check_types(input_shape: Any, params: dict[str, Any]) -> None:
    """botocore's client-side checks (required members, types, minimums) for calls that bypass a client; not run
    on parameters ``botocore_accepts`` proves they pass."""
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    if input_shape is None or botocore_accepts(input_shape)(params):
        return
    try:
        report = ParamValidator().validate(params, input_shape)
    except (RuntimeError, OverflowError, ValueError) as exc:
        # botocore cannot convert some values (a timestamp far outside any date): a bad value, not a kmssim bug.
        raise ValidationException(f"Parameter validation failed:\n{exc}") from None
    if report.has_errors():
        lines = [_type_error(*error) for error in report._errors]
        raise ValidationException(str(ParamValidationError(report="\n".join(lines))))


def _type_error(kind: str, name: str, details: dict[str, Any]) -> str:
    """One line of botocore's report, worded as botocore does, but never repeating a secret value."""
    from botocore.validate import ValidationErrors

    name = name.removeprefix(".") or "input"
    if "param" not in details:
        return str(ValidationErrors()._format_error((kind, name, details)))  # type: ignore[attr-defined]
    param = details["param"]
    shown = "" if is_secret_path(name) else f"value: {_short(param)}, "
    if kind in ("invalid type", "invalid type for document"):
        doc = "document " if kind == "invalid type for document" else ""
        valid = ", ".join(details["valid_types"])
        return f"Invalid type for {doc}parameter {name}, {shown}type: {type(param)}, valid types: {valid}"
    what = "length" if kind == "invalid length" else "value"
    return f"Invalid {what} for parameter {name}, {shown}valid min {what}: {details['min_allowed']}"


def _short(value: Any) -> str:
    try:
        text = str(value)
    except Exception:  # an object whose __str__ fails: say what it is
        text = f"<{type(value).__name__}>"
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "..."


def validate_params(input_shape: Any, params: dict[str, Any]) -> None:
    """Raise ValidationException listing every constraint the parameters break, as KMS words it."""
    if input_shape is None:
        return
    ident = (input_shape.name, input_shape.type_name)
    check = _COMPILED[ident] if ident in _COMPILED else _compiled(input_shape)
    if check is not None and (found := check(params)):
        raise ValidationException(validation_message(_worded(found, "")))
