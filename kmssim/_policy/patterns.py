"""Wildcard patterns and policy variables.

* ``*`` matches any run of characters and ``?`` exactly one, in ``Action``/``Resource`` values and in the
  ``...Like`` condition operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
* Policy variables ``${key}``, ``${key, 'default'}`` and the escapes ``${*}``, ``${?}``, ``${$}`` are expanded
  only
  in policies whose ``Version`` is ``2012-10-17``; a variable whose key is absent makes the value match
  nothing (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

__all__ = [
    "MISSING",
    "Template",
    "any_of_regex",
    "compile_template",
    "context_string",
    "format_aws_time",
    "wildcard_regex",
]


class _Missing:
    """Sentinel for "this condition key is not in the request context"."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


def wildcard_source(text: str) -> str:
    """Regex source for a glob: ``*`` is any run, ``?`` is one character, everything else is literal."""
    out: list[str] = []
    for ch in text:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def anchored(source: str, ignore_case: bool = False) -> re.Pattern[str]:
    """``source`` compiled to match a whole string (with ``.match``).

    The source is grouped before ``\\Z`` is appended, so an alternation ``a|b`` is anchored as a whole: a bare
    ``a|b\\Z`` anchors only its last branch, and would let a list entry match as a prefix (``kms:EnableKey``
    matching ``kms:EnableKeyRotation``).
    """
    return re.compile(f"(?:{source})\\Z", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@lru_cache(maxsize=4096)
def wildcard_regex(text: str, ignore_case: bool = False) -> re.Pattern[str]:
    """Compiled full-match regex for a glob pattern (cached)."""
    return anchored(wildcard_source(text), ignore_case)


def any_of_regex(patterns: Iterable[str], ignore_case: bool = False) -> re.Pattern[str]:
    """One full-match regex for a list of glob patterns: a string matches when it matches any entry whole."""
    return anchored("|".join(f"(?:{wildcard_source(p)})" for p in patterns), ignore_case)


@lru_cache(maxsize=64)
def format_aws_time(value: datetime) -> str:
    """A datetime as AWS writes ``aws:CurrentTime`` (``2024-01-31T12:00:00Z``); naive means UTC."""
    dt = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def context_string(value: object) -> str | None:
    """A request-context value as the string AWS compares (booleans are ``true``/``false``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return format_aws_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or value is MISSING:
        return None
    return str(value)


# One part of a template: ("lit", text) is policy text where * and ? keep their wildcard meaning in Like
# operators; ("esc", ch) is a literal character from ${*}, ${?} or ${$}; ("var", key_lower, default_or_None)
# is a variable.
Part = tuple[str, str] | tuple[str, str, str | None]

_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT_RE = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*\Z")


def variable_text(part: Part, ctx: Mapping[str, object]) -> str | None:
    """The text a ``("var", key[, default])`` part stands for in this request: the context value as a string,
    else the part's default, else None (a multivalued key has no single value and takes the default too)."""
    value = ctx.get(part[1], MISSING)
    text = None if isinstance(value, list | tuple) else context_string(value)
    if text is None:
        return part[2] if len(part) == 3 else None
    return text


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string that contains policy variables; resolved against each request's context."""

    text: str
    parts: tuple[Part, ...]

    def variables(self) -> tuple[str, ...]:
        """The (lower-cased) context keys the template refers to."""
        return tuple(p[1] for p in self.parts if p[0] == "var")

    def resolve(self, ctx: Mapping[str, object]) -> tuple[str, str] | None:
        """``(literal_text, regex_source)`` for this request, or None when a variable has no value.

        In the regex source, the template's own ``*``/``?`` are wildcards and substituted values are literal.
        """
        lit: list[str] = []
        rx: list[str] = []
        for part in self.parts:
            kind = part[0]
            if kind == "lit":
                lit.append(part[1])
                rx.append(wildcard_source(part[1]))
            elif kind == "esc":
                lit.append(part[1])
                rx.append(re.escape(part[1]))
            else:
                text = variable_text(part, ctx)
                if text is None:
                    return None
                lit.append(text)
                rx.append(re.escape(text))
        return "".join(lit), "".join(rx)


def compile_template(text: str) -> str | Template:
    """The text itself when it holds no policy variable, else a :class:`Template`."""
    if "${" not in text:
        return text
    parts: list[Part] = []
    pos = 0
    found = False
    for m in _VAR_RE.finditer(text):
        if m.start() > pos:
            parts.append(("lit", text[pos : m.start()]))
        inner = m.group(1)
        if inner in ("*", "?", "$"):
            parts.append(("esc", inner))
            found = True
        else:
            dm = _DEFAULT_RE.match(inner)
            if dm:
                parts.append(("var", dm.group(1).lower(), dm.group(2)))
                found = True
            elif inner.strip() and "," not in inner and not any(c.isspace() for c in inner.strip()):
                parts.append(("var", inner.strip().lower(), None))
                found = True
            else:
                parts.append(("lit", m.group(0)))
        pos = m.end()
    if pos < len(text):
        parts.append(("lit", text[pos:]))
    if not found:
        return text
    return Template(text, tuple(parts))
