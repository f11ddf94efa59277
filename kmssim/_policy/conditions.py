"""Condition operators with AWS's semantics.

Source for every rule here unless noted:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

* Several operators, or several keys under one operator, are ANDed; several values for one key are ORed; with
  a
  negated operator the request value must match none of the values.
* A key missing from the request makes a positive operator false and a negated operator true; ``...IfExists``
  is
  true for a missing key; ``Null`` tests presence.
* ``ForAnyValue:`` is false and ``ForAllValues:`` is true for a missing key or an empty set.
* Condition-key names are case-insensitive (callers pass a context whose keys are already lower-cased).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from kmssim import choices
from kmssim._policy.patterns import (
    MISSING,
    Template,
    anchored,
    any_of_regex,
    compile_template,
    context_string,
    format_aws_time,
    variable_text,
    wildcard_regex,
    wildcard_source,
)

__all__ = [
    "BASE_OPERATORS",
    "NEGATED_OPERATORS",
    "CompiledCondition",
    "ConditionCheck",
    "compile_condition",
    "format_aws_time",
    "parse_date",
    "parse_operator",
]

Family = Literal["String", "Numeric", "Date", "Bool", "Binary", "Ip", "Arn", "Null"]

#: Canonical operator name -> (family, negated, comparison)
BASE_OPERATORS: dict[str, tuple[Family, bool, str]] = {
    "StringEquals": ("String", False, "eq"),
    "StringNotEquals": ("String", True, "eq"),
    "StringEqualsIgnoreCase": ("String", False, "ieq"),
    "StringNotEqualsIgnoreCase": ("String", True, "ieq"),
    "StringLike": ("String", False, "like"),
    "StringNotLike": ("String", True, "like"),
    "NumericEquals": ("Numeric", False, "eq"),
    "NumericNotEquals": ("Numeric", True, "eq"),
    "NumericLessThan": ("Numeric", False, "lt"),
    "NumericLessThanEquals": ("Numeric", False, "le"),
    "NumericGreaterThan": ("Numeric", False, "gt"),
    "NumericGreaterThanEquals": ("Numeric", False, "ge"),
    "DateEquals": ("Date", False, "eq"),
    "DateNotEquals": ("Date", True, "eq"),
    "DateLessThan": ("Date", False, "lt"),
    "DateLessThanEquals": ("Date", False, "le"),
    "DateGreaterThan": ("Date", False, "gt"),
    "DateGreaterThanEquals": ("Date", False, "ge"),
    "Bool": ("Bool", False, "eq"),
    "BinaryEquals": ("Binary", False, "eq"),
    "IpAddress": ("Ip", False, "in"),
    "NotIpAddress": ("Ip", True, "in"),
    "ArnEquals": ("Arn", False, "like"),
    "ArnLike": ("Arn", False, "like"),
    "ArnNotEquals": ("Arn", True, "like"),
    "ArnNotLike": ("Arn", True, "like"),
    "Null": ("Null", False, "null"),
}

NEGATED_OPERATORS: frozenset[str] = frozenset(k for k, v in BASE_OPERATORS.items() if v[1])

_BY_LOWER: dict[str, str] = {k.lower(): k for k in BASE_OPERATORS}

SetMode = Literal["", "ForAnyValue", "ForAllValues"]


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    set_mode: SetMode
    base: str
    if_exists: bool


@lru_cache(maxsize=512)
def parse_operator(name: str) -> ParsedOperator | None:
    """Split ``ForAllValues:StringLikeIfExists`` into its parts; None for an unknown operator."""
    if not isinstance(name, str):
        return None
    rest = name
    set_mode: SetMode = ""
    low = rest.lower()
    if low.startswith("foranyvalue:"):
        set_mode, rest = "ForAnyValue", rest[len("ForAnyValue:") :]
    elif low.startswith("forallvalues:"):
        set_mode, rest = "ForAllValues", rest[len("ForAllValues:") :]
    if_exists = False
    base = _BY_LOWER.get(rest.lower())
    if base is None and rest.lower().endswith("ifexists"):
        base = _BY_LOWER.get(rest[: -len("IfExists")].lower())
        if_exists = True
        if base == "Null":  # "...IfExists" is available for every operator except Null
            return None
    if base is None:
        return None
    return ParsedOperator(set_mode, base, if_exists)


# ----------------------------------------------------------------------------------------------------------
# value parsing


_EPOCH_RE = re.compile(r"^-?\d+(\.\d+)?\Z", re.ASCII)


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if _EPOCH_RE.match(text):
        try:
            return float(text)
        except ValueError:  # pragma: no cover - the regex admits only floats
            return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        # W3C reduced forms: YYYY and YYYY-MM.
        m = re.match(r"^(\d{4})(?:-(\d{2}))?\Z", text, re.ASCII)
        if not m:
            return None
        try:
            dt = datetime(int(m.group(1)), int(m.group(2) or 1), 1)
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def parse_date(value: object) -> float | None:
    """Seconds since the epoch for an ISO 8601 date or an epoch number (int, float or numeric string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            return dt.timestamp()
        except (OverflowError, ValueError, OSError):
            return None
    if isinstance(value, int | float):
        f = float(value)
        return f if f == f and abs(f) != float("inf") else None
    if isinstance(value, str):
        return _parse_date_text(value)
    return None


def parse_number(value: object) -> Decimal | None:
    """A policy or context value as a number (integers and decimals); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip()
        if not text or not re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z", text, re.ASCII):
            return None
        try:
            d = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
            return None
        return d if d.is_finite() else None
    return None


def parse_bool(value: object) -> str | None:
    """``"true"``/``"false"`` for a JSON boolean or a true/false string (any case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    return None


def parse_binary(value: object) -> bytes | None:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_network(value: object) -> IPNetwork | None:
    """A CIDR block (a bare address means a single host)."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def policy_string(value: object) -> str | None:
    """A policy condition value as a string; JSON booleans and numbers are accepted (None for other types)."""
    return context_string(value) if isinstance(value, str | bool | int | float) else None


# ----------------------------------------------------------------------------------------------------------
# matchers: (request value, context) -> True (matches one of the policy values) / False / None (wrong type)

Matcher = Callable[[object, Mapping[str, object]], bool | None]

_CMP: dict[str, Callable[[Decimal | float, Decimal | float], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


@lru_cache(maxsize=4096)
def full_regex(source: str, ignore_case: bool = False) -> re.Pattern[str]:
    """``source`` compiled to match a whole string (cached); see :func:`patterns.anchored`."""
    return anchored(source, ignore_case)


def _string_matcher(comparison: str, values: Sequence[str | Template]) -> Matcher:
    static = [v for v in values if isinstance(v, str)]
    templates = [v for v in values if isinstance(v, Template)]
    if comparison == "eq":
        static_set = frozenset(static)

        def match_eq(value: object, ctx: Mapping[str, object]) -> bool | None:
            s = context_string(value)
            if s is None:
                return None
            if s in static_set:
                return True
            for t in templates:
                r = t.resolve(ctx)
                if r is not None and r[0] == s:
                    return True
            return False

        return match_eq
    if comparison == "ieq":
        static_lower = frozenset(v.lower() for v in static)

        def match_ieq(value: object, ctx: Mapping[str, object]) -> bool | None:
            s = context_string(value)
            if s is None:
                return None
            s = s.lower()
            if s in static_lower:
                return True
            for t in templates:
                r = t.resolve(ctx)
                if r is not None and r[0].lower() == s:
                    return True
            return False

        return match_ieq
    combined = any_of_regex(static) if static else None

    def match_like(value: object, ctx: Mapping[str, object]) -> bool | None:
        s = context_string(value)
        if s is None:
            return None
        if combined is not None and combined.match(s):
            return True
        for t in templates:
            r = t.resolve(ctx)
            if r is not None and full_regex(r[1]).match(s):
                return True
        return False

    return match_like


@lru_cache(maxsize=4096)
def _static_arn_pattern(text: str) -> tuple[re.Pattern[str], ...] | None:
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    return tuple(wildcard_regex(p) for p in parts)


def arn_like(pattern: str, value: str) -> bool:
    """ARN matching: component by component (colon-separated, six parts), ``*``/``?`` within a component.

    ``ArnEquals`` and ``ArnLike`` behave identically.
    """
    if pattern == "*":
        return True
    compiled = _static_arn_pattern(pattern)
    if compiled is None:
        return False
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(rx.match(p) is not None for rx, p in zip(compiled, parts, strict=True))


def arn_template_components(template: Template, ctx: Mapping[str, object]) -> tuple[str, ...] | None:
    """Resolve an ARN template into six per-component regexes; substituted text stays literal."""
    pieces: list[tuple[bool, str]] = []  # (is_pattern_text, text)
    for part in template.parts:
        if part[0] == "lit":
            pieces.append((True, part[1]))
        elif part[0] == "esc":
            pieces.append((False, part[1]))
        else:
            text = variable_text(part, ctx)
            if text is None:
                return None
            pieces.append((False, text))
    components: list[list[str]] = [[]]
    for is_pattern, text in pieces:
        for i, chunk in enumerate(text.split(":")):
            if i > 0:
                if len(components) < 6:
                    components.append([])
                else:
                    components[-1].append(re.escape(":"))
            components[-1].append(_wildcard_or_literal(chunk, is_pattern))
    if len(components) != 6:
        return None
    return tuple("".join(c) for c in components)


def _wildcard_or_literal(text: str, is_pattern: bool) -> str:
    return wildcard_source(text) if is_pattern else re.escape(text)


def _arn_matcher(values: Sequence[str | Template]) -> Matcher:
    static = [v for v in values if isinstance(v, str)]
    templates = [v for v in values if isinstance(v, Template)]

    def match_arn(value: object, ctx: Mapping[str, object]) -> bool | None:
        s = context_string(value)
        if s is None:
            return None
        for p in static:
            if arn_like(p, s):
                return True
        if templates:
            parts = s.split(":", 5)
            if len(parts) == 6:
                for t in templates:
                    comps = arn_template_components(t, ctx)
                    if comps is not None and all(
                        full_regex(c).match(p) is not None for c, p in zip(comps, parts, strict=True)
                    ):
                        return True
        return False

    return match_arn


def _ordered_matcher(
    parse: Callable[[object], Decimal | float | None], comparison: str, values: Sequence[object]
) -> Matcher:
    parsed = [p for p in (parse(v) for v in values) if p is not None]
    cmp = _CMP[comparison]

    def match_ordered(value: object, ctx: Mapping[str, object]) -> bool | None:
        v = parse(value)
        if v is None:
            return None
        return any(cmp(v, p) for p in parsed)

    return match_ordered


def _set_matcher(parse: Callable[[object], object | None], values: Sequence[object]) -> Matcher:
    """Bool and Binary operators: the request value, parsed, is one of the parsed policy values."""
    allowed = frozenset(x for x in (parse(v) for v in values) if x is not None)

    def match_parsed(value: object, ctx: Mapping[str, object]) -> bool | None:
        x = parse(value)
        if x is None:
            return None
        return x in allowed

    return match_parsed


def _ip_matcher(values: Sequence[object]) -> Matcher:
    networks = [n for n in (parse_network(v) for v in values) if n is not None]

    def match_ip(value: object, ctx: Mapping[str, object]) -> bool | None:
        if not isinstance(value, str):
            return None
        addr = _parse_address(value)
        if addr is None:
            return None
        return any(addr.version == n.version and addr in n for n in networks)

    return match_ip


# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """Why one condition key passed or failed, for explanations."""

    operator: str
    key: str
    passed: bool
    #: True when the key was absent from the request (or an empty set).
    missing: bool
    expected: tuple[object, ...]
    actual: object


@dataclass(frozen=True, slots=True, eq=False)
class CompiledCondition:
    """One ``operator: {key: values}`` test, ready to run against a lower-cased request context."""

    operator: str
    key: str
    key_lower: str
    set_mode: SetMode
    base: str
    if_exists: bool
    negated: bool
    values: tuple[object, ...]
    matcher: Matcher | None
    null_wants_absent: frozenset[bool]
    #: The policy values that hold policy variables (String and ARN operators, 2012-10-17 policies).
    templates: tuple[Template, ...] = ()

    def check(self, ctx: Mapping[str, object]) -> bool:
        """Whether the condition holds for this request."""
        value = ctx.get(self.key_lower, MISSING)
        absent = value is MISSING or value is None or (isinstance(value, list | tuple) and len(value) == 0)
        if self.matcher is None:  # Null
            return absent in self.null_wants_absent
        if absent:
            if self.set_mode == "ForAnyValue":
                return self.if_exists and choices.FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY
            if self.if_exists or self.set_mode == "ForAllValues":
                return True
            return self.negated
        if self.set_mode:
            items: Sequence[object] = value if isinstance(value, list | tuple) else (value,)
            if self.set_mode == "ForAnyValue":
                return any(self._one(v, ctx) for v in items)
            return all(self._one(v, ctx) for v in items)
        if isinstance(value, list | tuple):
            if len(value) != 1:
                return choices.PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES
            value = value[0]
        return self._one(value, ctx)

    def _one(self, value: object, ctx: Mapping[str, object]) -> bool:
        assert self.matcher is not None
        m = self.matcher(value, ctx)
        if m is None:  # the request value is not of the operator's type: no match either way
            return False
        if not self.negated:
            return m
        if not choices.UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR and self.unresolved(ctx):
            return False
        return not m

    def unresolved(self, ctx: Mapping[str, object]) -> bool:
        """Whether a policy value of this test holds a variable this request cannot resolve."""
        return any(t.resolve(ctx) is None for t in self.templates)

    def diagnose(self, ctx: Mapping[str, object]) -> ConditionCheck:
        value = ctx.get(self.key_lower, MISSING)
        absent = value is MISSING or value is None or (isinstance(value, list | tuple) and len(value) == 0)
        return ConditionCheck(
            operator=self.operator,
            key=self.key,
            passed=self.check(ctx),
            missing=absent,
            expected=self.values,
            actual=None if value is MISSING else value,
        )


def compile_condition(
    operator: str, key: str, raw_values: object, *, variables: bool
) -> CompiledCondition | None:
    """Compile one condition test; None when the operator is unknown.

    ``variables`` is whether the policy's Version (2012-10-17) enables policy variables; they are honoured
    only in String and ARN operators.
    """
    parsed = parse_operator(operator)
    if parsed is None:
        return None
    family, negated, comparison = BASE_OPERATORS[parsed.base]
    values: tuple[object, ...] = tuple(raw_values) if isinstance(raw_values, list) else (raw_values,)
    matcher: Matcher | None
    null_wants_absent: frozenset[bool] = frozenset()
    templates: tuple[Template, ...] = ()
    if family in ("String", "Arn"):
        strings: list[str | Template] = []
        for v in values:
            s = policy_string(v)
            if s is None:
                continue
            strings.append(compile_template(s) if variables else s)
        templates = tuple(v for v in strings if isinstance(v, Template))
        matcher = _string_matcher(comparison, strings) if family == "String" else _arn_matcher(strings)
    elif family == "Numeric":
        matcher = _ordered_matcher(parse_number, comparison, values)
    elif family == "Date":
        matcher = _ordered_matcher(parse_date, comparison, values)
    elif family == "Bool":
        matcher = _set_matcher(parse_bool, values)
    elif family == "Binary":
        matcher = _set_matcher(parse_binary, values)
    elif family == "Ip":
        matcher = _ip_matcher(values)
    else:  # Null: "true" means the key must be absent, "false" that it must be present
        matcher = None
        null_wants_absent = frozenset(b == "true" for b in (parse_bool(v) for v in values) if b is not None)
    return CompiledCondition(
        operator=operator,
        key=key,
        key_lower=key.lower(),
        set_mode=parsed.set_mode,
        base=parsed.base,
        if_exists=parsed.if_exists,
        negated=negated,
        values=values,
        matcher=matcher,
        null_wants_absent=null_wants_absent,
        templates=templates,
    )
