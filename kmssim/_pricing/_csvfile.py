"""Strict CSV reading: every problem names the file, the row and what is wrong."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from ._errors import DataFileError

__all__ = ["RowProblem", "check_date", "check_month", "check_url", "field", "parse_decimal", "read_rows"]

T = TypeVar("T")

# ASCII digits only and the whole field (fullmatch): no trailing newline, no other script's digits.
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


class RowProblem(Exception):
    """Raised by a field parser; the reader turns it into a DataFileError naming file and row."""


def read_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(row_number, row)`` for each data row, after checking the header has exactly ``columns``."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # a BOM from a spreadsheet is not a column name
    except OSError as exc:
        raise DataFileError(path, "file", f"cannot be read: {exc.strerror or exc}") from exc
    with handle:
        try:
            yield from _rows(path, handle, columns)
        except UnicodeDecodeError as exc:
            raise DataFileError(path, "file", f"is not UTF-8 text (byte {exc.start}: {exc.reason})") from None


def _rows(path: Path, handle: Any, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise DataFileError(path, "header (line 1)", "the file is empty")
    header = [h.strip() for h in header]
    for problem, wrong in (
        ("missing", [c for c in columns if c not in header]),
        ("unexpected", [h for h in header if h not in columns]),
    ):
        if wrong:
            raise DataFileError(
                path,
                "header (line 1)",
                f"{problem} column(s) {', '.join(map(repr, wrong))}; expected {list(columns)}",
            )
    for number, values in enumerate(reader, start=1):
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataFileError(path, number, f"has {len(values)} fields, the header has {len(header)}")
        yield number, {h: v.strip() for h, v in zip(header, values, strict=True)}


def field(path: Path, number: int, name: str, parse: Callable[[str], T], raw: str) -> T:
    """Parse one field, converting a RowProblem into a DataFileError for ``path`` row ``number``."""
    try:
        return parse(raw)
    except RowProblem as exc:
        raise DataFileError(path, number, f"column {name!r}: {exc}") from None


def parse_decimal(raw: str) -> Decimal:
    """A finite, non-negative decimal number written in plain notation."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowProblem(f"{raw!r} is not a decimal number") from None
    if not value.is_finite() or "e" in raw.lower():
        raise RowProblem(f"{raw!r} is not a plain decimal number")
    if value < 0:
        raise RowProblem(f"{raw!r} is negative")
    return value


def check_date(raw: str) -> str:
    """An ISO date, possibly partial (YYYY, YYYY-MM or YYYY-MM-DD)."""
    if not _DATE.fullmatch(raw):
        raise RowProblem(f"{raw!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in raw.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise RowProblem(f"{raw!r} is not a valid date") from None
    return raw


def check_month(raw: str) -> str:
    """A calendar month written YYYY-MM."""
    if not _MONTH.fullmatch(raw) or not 1 <= int(raw[5:]) <= 12:
        raise RowProblem(f"{raw!r} is not a month written YYYY-MM")
    return raw


def check_url(raw: str) -> str:
    """An http(s) URL."""
    if not raw.startswith(("https://", "http://")):
        raise RowProblem(f"{raw!r} is not an http(s) URL")
    return raw
