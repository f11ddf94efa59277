"""The estimator's inputs checked and converted: months, counts, numbers, datetimes and record fields, each refused
with an ``EstimateInputError`` naming the field and what is accepted; and money rounded to cents."""

from __future__ import annotations

import calendar
import datetime as dt
import numbers
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal

from ._errors import EstimateInputError

#: A month is exactly four ASCII digits, a dash and two ASCII digits (``re.fullmatch``: no trailing newline,
#: no other script's digits).
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: The last month kmssim can bill: a month's window ends at the next month's first instant, and Python's
#: datetimes end in year 9999, so 9999-12 has no end. (AWS is silent; this is a limit of the calendar type.)
LAST_MONTH = (9999, 11)
#: The largest count (keys, rotations, requests) the estimator takes: 10**15 requests in a month is about
#: 373 million a second, far above every documented KMS request quota (100,000/s at most,
#: data/kms_request_quotas.csv); the bound keeps money exact in Decimal and the sweep in int64.
MAX_COUNT = 10**15
_HOUR = dt.timedelta(hours=1)
#: HSMs in one CloudHSM cluster: the default quota of 28 per cluster
#: (https://docs.aws.amazon.com/cloudhsm/latest/userguide/limits.html), as ``Simulator.add_cloudhsm_cluster``.
MAX_HSMS_PER_CLUSTER = 28
#: How many hours a billing month has: the calendar month's, or the AWS Pricing Calculator's 730.
HoursConvention = Literal["calendar", 730]
#: Who manages a key: a customer managed key, an AWS managed key, an AWS owned key.
MANAGED_BY = ("customer", "aws", "aws_owned")
#: The fields each kind of input record may have (``estimate``: keys, requests, key stores; ``bill_from_usage``:
#: usage keys, usage requests, CloudHSM clusters).
_KEY_FIELDS = frozenset({"count", "key_spec", "region", "managed_by", "rotations", "hours"})
_REQUEST_FIELDS = frozenset({"operation", "count", "key_spec", "key_pair_spec", "region", "managed_by"})
_USAGE_KEY_FIELDS = frozenset(
    {"arn", "region", "key_spec", "managed_by", "created", "deletion_scheduled", "deleted", "rotations"}
)
_USAGE_REQUEST_FIELDS = frozenset({"month", "region", "operation", "key_spec", "key_pair_spec", "count"})
_KEY_STORE_FIELDS = frozenset({"type", "count", "hsms", "hours", "region"})
_USAGE_CLUSTER_FIELDS = frozenset({"cluster_id", "region", "hsms"})
#: ``Simulator.usage(request_ids=True)`` also gives each row the IDs of the requests it counts.
_USAGE_REQUEST_OPTIONAL = frozenset({"request_ids"})


# --------------------------------------------------------------------------------------------- helpers


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(value.numerator) / Decimal(value.denominator)


def round_cents(value: Fraction) -> Decimal:
    """Round an exact amount half-up (away from zero) to cents."""
    cents = abs(value) * 100
    whole = int(cents + Fraction(1, 2))
    result = Decimal(whole).scaleb(-2)
    return -result if value < 0 else result


def parse_month(month: object) -> tuple[int, int]:
    """``"YYYY-MM"`` (ASCII digits, nothing before or after) to ``(year, month)``; EstimateInputError
    otherwise, also for a month after :data:`LAST_MONTH`."""
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise EstimateInputError("month", month, "a month written 'YYYY-MM', for example '2026-06'")
    parsed = int(match.group(1)), int(match.group(2))
    if parsed > LAST_MONTH:
        last = f"{LAST_MONTH[0]:04d}-{LAST_MONTH[1]:02d}"
        raise EstimateInputError(
            "month", month, f"a month up to {last} (the last month whose end a calendar date can hold)"
        )
    return parsed


def month_window(month: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a calendar month in UTC."""
    year, mon = parse_month(month)
    start = dt.datetime(year, mon, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=dt.UTC)
    return start, end


def month_hours(month: str, hours: object) -> int:
    """Hours of a billing month: the calendar month's (672-744) or 730, the AWS Pricing Calculator's month."""
    year, mon = parse_month(month)
    if isinstance(hours, str) and hours == "calendar":
        return calendar.monthrange(year, mon)[1] * 24
    if isinstance(hours, numbers.Integral) and not _is_bool(hours) and int(hours) == 730:
        return 730
    raise EstimateInputError("hours", hours, "'calendar' (hours of the calendar month) or 730")


def check_fields(item: object, allowed: frozenset[str], where: str) -> Mapping[str, Any]:
    """``item`` if it is a mapping whose keys are all in ``allowed``; EstimateInputError naming the first
    other key otherwise."""
    if not isinstance(item, Mapping):
        raise EstimateInputError(where, item, f"a dict with keys from {sorted(allowed)}")
    unknown = sorted((k for k in item if not isinstance(k, str) or k not in allowed), key=repr)
    if unknown:
        raise EstimateInputError(
            f"{where}.{unknown[0]}", item[unknown[0]], f"only the fields {sorted(allowed)}"
        )
    return item


def _is_bool(value: object) -> bool:
    """True for ``bool`` and numpy's ``bool_`` (which is not a ``bool``): a flag is never a number here."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def check_count(value: object, name: str, upper: int = MAX_COUNT) -> int:
    """A whole number from 0 to ``upper``: ``int``, or any integral number type such as ``numpy.int64``
    (``numbers.Integral``); never a bool, a float or a string."""
    if _is_bool(value) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise EstimateInputError(name, value, "a whole number >= 0")
    if int(value) > upper:
        raise EstimateInputError(name, value, f"a whole number from 0 to {upper:,}")
    return int(value)


def check_number(value: object, name: str) -> Fraction:
    """A finite real number, converted exactly: ints and fractions as they are, floats (``numpy.float64``,
    ``numpy.float32`` too) through their shortest decimal repr, Decimals digit for digit."""
    if _is_bool(value) or not isinstance(value, numbers.Real | Decimal):
        raise EstimateInputError(name, value, "a number")
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    dec = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not dec.is_finite():
        raise EstimateInputError(name, value, "a finite number")
    return Fraction(dec)


def _aware(value: object, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise EstimateInputError(name, value, "a timezone-aware datetime")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise EstimateInputError(name, value, "a datetime that exists in UTC (years 1 to 9999)") from None


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _hour_buckets(start: dt.datetime, end: dt.datetime) -> int:
    """Clock hours touched by [start, end): a partial hour counts as a whole hour."""
    if end <= start:
        return 0
    first = start.replace(minute=0, second=0, microsecond=0)
    last = end.replace(minute=0, second=0, microsecond=0)
    if last != end:
        last += _HOUR
    return (last - first) // _HOUR


# --------------------------------------------------------------------------------------------- Estimate
