"""Server-side checks of request parameters against botocore's KMS model.

botocore's client validates required members, types and minimums before a request leaves; KMS itself checks the
rest (maximum lengths and values, enums, patterns) and answers ``ValidationException`` with messages such as
``1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have
value less than or equal to 1024``. This module does the server's part for any operation in the model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from botocore.validate import ValidationErrors

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


def _constrained(shape: Any, _seen: frozenset[str] = frozenset()) -> bool:
    """Whether a shape, or anything inside it, carries a constraint the service checks (cached per shape)."""
    key = (shape.name, shape.type_name)
    if key in _CONSTRAINED:
        return _CONSTRAINED[key]
    meta = shape.metadata
    found = bool(("max" in meta) or ("min" in meta) or ("pattern" in meta) or getattr(shape, "enum", None))
    if not found and shape.name not in _seen:
        inner = _seen | {shape.name}
        if shape.type_name == "structure":
            found = any(_constrained(m, inner) for m in shape.members.values())
        elif shape.type_name == "list":
            found = _constrained(shape.member, inner)
        elif shape.type_name == "map":
            found = _constrained(shape.key, inner) or _constrained(shape.value, inner)
    _CONSTRAINED[key] = found
    return found


_CONSTRAINED: dict[tuple[str, str], bool] = {}


def _check(shape: Any, value: Any, path: str, errors: list[str]) -> None:
    if value is None or not _constrained(shape):
        return
    meta = shape.metadata
    type_name = shape.type_name
    if type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], f"{path}.{_camel(name)}" if path else _camel(name), errors)
        return
    if type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        for i, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{i}.member", errors)
        return
    if type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            _check(shape.key, k, f"{path}.key", errors)
            _check(shape.value, v, f"{path}.value", errors)
        return
    if type_name in ("string", "blob") and isinstance(value, str | bytes | bytearray):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must have length greater than or equal to {meta['min']}"
            )
        enum = shape.enum if type_name == "string" and isinstance(value, str) else None
        if enum and value not in enum:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(aws_enum_order(shape.name, enum))}]"
            )
        elif type_name == "string" and "pattern" in meta and isinstance(value, str):
            pat = _pattern(meta["pattern"])
            if pat is not None and not pat.search(value):
                errors.append(
                    f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {meta['pattern']}"
                )
        return
    if type_name in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"{_value(shape, value, path)} at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )


@functools.cache
def operation_model(name: str) -> Any:
    """botocore's model of one KMS operation."""
    return _service_model().operation_model(name)


@functools.lru_cache(maxsize=1)
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("kms")


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
        raise ValidationException(
            f"1 validation error detected: Value at '{path}' failed to satisfy constraint: {problem}"
        ) from None


class _Refused(Exception):
    pass


def _copy(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        if choices.REJECT_UNPAIRED_SURROGATES and not value.isascii() and _unpaired(value):
            raise _Refused
        return value
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_PARAM_DEPTH:
            raise _Refused
        if isinstance(value, dict):
            return {_copy(k, depth + 1): _copy(v, depth + 1) for k, v in value.items()}
        return [_copy(v, depth + 1) for v in value]
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


def check_types(input_shape: Any, params: dict[str, Any]) -> None:
    """botocore's client-side checks (required members, types, minimums) for calls that bypass a client."""
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    if input_shape is None:
        return
    report = ParamValidator().validate(params, input_shape)
    if report.has_errors():
        lines = [_type_error(*error) for error in report._errors]
        raise ValidationException(str(ParamValidationError(report="\n".join(lines))))


def _type_error(kind: str, name: str, details: dict[str, Any]) -> str:
    """One line of botocore's report, worded as botocore does, but never repeating a secret value."""
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


_COMPILED: dict[tuple[str, str], Callable[[Any], bool]] = {}


def _always(_: Any) -> bool:
    return True


def _passes(shape: Any) -> Callable[[Any], bool]:
    """A fast yes/no check of every constraint in ``shape`` (cached per shape); ``_check`` words failures."""
    ident = (shape.name, shape.type_name)
    hit = _COMPILED.get(ident)
    if hit is not None:
        return hit
    _COMPILED[ident] = _always  # guards recursive shapes while compiling
    meta, t = shape.metadata, shape.type_name
    lo, hi = meta.get("min"), meta.get("max")
    fn: Callable[[Any], bool] = _always
    if not _constrained(shape):
        fn = _always
    elif t == "structure":
        members = [(n, _passes(m)) for n, m in shape.members.items() if _constrained(m)]

        def fn(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for name, ok in members:
                x = v.get(name)
                if x is not None and not ok(x):
                    return False
            return True

    elif t == "list":
        item_ok = _passes(shape.member)

        def fn(v: Any) -> bool:
            return not isinstance(v, list) or ((hi is None or len(v) <= hi) and all(item_ok(i) for i in v))

    elif t == "map":
        key_ok, value_ok = _passes(shape.key), _passes(shape.value)

        def fn(v: Any) -> bool:
            return not isinstance(v, dict) or all(key_ok(k) and value_ok(x) for k, x in v.items())

    elif t in ("string", "blob"):
        enum = frozenset(shape.enum) if t == "string" and shape.enum else None
        pattern = _pattern(meta["pattern"]) if t == "string" and "pattern" in meta else None

        def fn(v: Any) -> bool:
            if not isinstance(v, str | bytes | bytearray):
                return True
            if (hi is not None and len(v) > hi) or (lo is not None and len(v) < lo):
                return False
            if enum is not None:
                return not isinstance(v, str) or v in enum  # a bytes value is a type error, reported as one
            return pattern is None or not isinstance(v, str) or bool(pattern.search(v))

    elif t in ("integer", "long"):

        def fn(v: Any) -> bool:
            if not isinstance(v, int) or isinstance(v, bool):
                return True
            return (hi is None or v <= hi) and (lo is None or v >= lo)

    _COMPILED[ident] = fn
    return fn


def validate_params(input_shape: Any, params: dict[str, Any]) -> None:
    """Raise ValidationException listing every constraint the parameters break, as KMS words it."""
    if input_shape is None or _passes(input_shape)(params):
        return
    errors: list[str] = []
    _check(input_shape, params, "", errors)
    if errors:
        n = len(errors)
        raise ValidationException(
            f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors)
        )
