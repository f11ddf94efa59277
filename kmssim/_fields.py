"""Reading saved state: ``Fields``, a checked view of one JSON object that names the path of whatever is wrong in a
``DamagedState``, and the time and text helpers every saved record uses (``Simulator.save`` / ``Simulator.load``)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def from_iso(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _opt_iso(t: datetime | None) -> str | None:
    return None if t is None else iso(t)


class DamagedState(ValueError):
    """A saved state breaks a rule: ``field`` names where (``operations.keys[0].materials[1].seed``)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


_MISSING = object()


class Fields:
    """Typed, named access to one JSON object of a saved state: every read checks the type (and range), and
    ``done`` refuses fields nobody read, so what loads is exactly what ``save`` writes."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise DamagedState(where, f"expected an object, found {_kind(data)}")
        self.data: dict[str, Any] = data
        self.where = where
        self._read: set[str] = set()

    def path(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def get(self, name: str) -> Any:
        self._read.add(name)
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            raise DamagedState(self.path(name), "missing")
        return value

    def fail(self, name: str, problem: str) -> DamagedState:
        return DamagedState(self.path(name), problem)

    def text(
        self, name: str, *, choices: tuple[str | None, ...] | None = None, optional: bool = False
    ) -> Any:
        value = self.get(name)
        if value is None and (optional or (choices is not None and None in choices)):
            return None
        if not isinstance(value, str):
            raise self.fail(name, f"expected text, found {_kind(value)}")
        if choices is not None and value not in choices:
            raise self.fail(name, f"{value!r} is not one of {', '.join(repr(c) for c in choices)}")
        return value

    def whole(self, name: str, lo: int = 0, hi: int = 2**63 - 1, *, optional: bool = False) -> Any:
        value = self.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"expected a whole number, found {_kind(value)}")
        if not lo <= value <= hi:
            raise self.fail(name, f"{value} is outside {lo}..{hi}")
        return value

    def _of_type(self, name: str, kind: type, expected: str) -> Any:
        value = self.get(name)
        if not isinstance(value, kind):
            raise self.fail(name, f"expected {expected}, found {_kind(value)}")
        return value

    def flag(self, name: str) -> bool:
        return bool(self._of_type(name, bool, "true or false"))

    def items(self, name: str) -> list[Any]:
        return list(self._of_type(name, list, "a list"))

    def rows(
        self, name: str, shape: str, valid: Callable[[list[Any]], bool]
    ) -> Iterator[tuple[str, list[Any]]]:
        """(path, row) for each row of a list of lists, DamagedState naming the ``shape`` expected when ``valid``
        says a row is not one."""
        for i, row in enumerate(self.items(name)):
            at = self.path(f"{name}[{i}]")
            if not isinstance(row, list) or not valid(row):
                raise DamagedState(at, f"expected {shape}")
            yield at, row

    def time(self, name: str, *, optional: bool = False) -> Any:
        value = self.get(name)
        return None if value is None and optional else parse_time(value, self.path(name))

    def text_map(self, name: str, *, optional: bool = False) -> Any:
        value = self.get(name)
        return None if value is None and optional else text_map(value, self.path(name))

    def done(self) -> None:
        extra = sorted(set(self.data) - self._read)
        if extra:
            raise DamagedState(self.path(extra[0]), "a field kmssim does not write")


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def parse_time(value: object, where: str) -> datetime:
    """A UTC time exactly as :func:`iso` writes it."""
    if not isinstance(value, str):
        raise DamagedState(where, f"expected a time, found {_kind(value)}")
    try:
        t = from_iso(value)
        canonical = t.tzinfo is not None and iso(t) == value
    except (ValueError, OverflowError):
        canonical = False
    if not canonical:
        raise DamagedState(where, f"{value!r} is not a UTC time as kmssim writes it (2026-01-01T00:00:00Z)")
    return t


def _opt_bytes(f: Fields, name: str, size: int) -> bytes | None:
    """Null, or ``size`` bytes in canonical base64."""
    encoded = f.text(name, optional=True)
    if encoded is None:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise f.fail(name, "not base64") from None
    if len(raw) != size or base64.b64encode(raw).decode() != encoded:
        raise f.fail(name, f"expected {size} bytes in canonical base64")
    return raw


def text_map(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise DamagedState(where, "expected an object of text values")
    return dict(value)


def text_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DamagedState(where, "expected a list of text")
    return list(value)
