"""The data tables: Regions, prices, price history and request quotas, loaded and validated from CSV.

File formats are described in ``data/README.md``. Every loader checks columns, types, duplicates and
Regions, and fails with a :class:`DataFileError` naming the file, the row and the problem.
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._catalog import (
    CLOUDHSM_PRICE_ITEMS,
    DATA_KEY_PAIR_OPERATIONS,
    DATA_KEY_PAIR_SPECS,
    OPERATIONS,
    PRICE_ITEMS,
    REQUEST_CLASSES,
    PriceItem,
)
from ._csvfile import RowProblem, check_date, check_month, check_url, field, parse_decimal, read_rows
from ._errors import DataFileError, EstimateInputError
from ._paths import data_file

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HistoryRow",
    "PriceHistory",
    "PriceRow",
    "PricingTable",
    "QuotaRow",
    "QuotaTable",
    "RegionInfo",
    "RegionTable",
    "load_cloudhsm_pricing",
    "load_price_history",
    "load_pricing",
    "load_quotas",
    "load_regions",
]

#: ``uniform``: a commercial Region's price that no source states for that Region, carried from the rate every
#: commercial Region whose prices were read shares (the rule is in data/README.md, "One rule for every Region").
PRICE_STATUSES = ("listed", "derived", "uniform", "assumed", "unknown")
#: ``third_party``: a figure from a source that is not AWS (data/cloudhsm_pricing.csv only: no AWS CloudHSM price
#: was found, data/README.md).
CLOUDHSM_PRICE_STATUSES = ("listed", "third_party", "assumed", "unknown")
QUOTA_KINDS = ("shared_crypto", "data_key_pair", "custom_key_store", "operation")
QUOTA_KEY_TYPES = frozenset({"symmetric", "hmac", "rsa", "ecc", "sm2", "ml_dsa", "ml_kem", "none"})
CUSTOM_KEY_STORE_TYPES = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
_T = TypeVar("_T")


def _path_or_data(path: str | Path | None, name: str, load: Callable[[Path], _T]) -> _T:
    """``load(path)``, or with no path ``load`` of ``data/<name>``, read once per process."""
    if path is None:
        return cast(_T, _from_data(name, load))
    return load(Path(path))


@functools.cache
def _from_data(name: str, load: Callable[[Path], object]) -> object:
    return load(data_file(name))


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame of ``records``; pandas is imported here, when a table is first shown as one."""
    import pandas as pd

    return pd.DataFrame(records)


# --------------------------------------------------------------------------------------------- Regions


@dataclass(frozen=True)
class RegionInfo:
    """One AWS Region: code, display name, partition and billing currency."""

    region: str
    name: str
    partition: str
    currency: str


class RegionTable:
    """The AWS Regions kmssim knows (``data/regions.csv``, from botocore's endpoints.json)."""

    def __init__(self, regions: Mapping[str, RegionInfo], path: str) -> None:
        self._regions = MappingProxyType(dict(regions))
        self.path = path

    def __contains__(self, region: object) -> bool:
        return region in self._regions

    def __getitem__(self, region: str) -> RegionInfo:
        return self._regions[region]

    def codes(self) -> list[str]:
        """All Region codes, sorted."""
        return sorted(self._regions)

    def check(self, region: object, field_name: str = "region") -> str:
        """Return ``region`` if known, else raise EstimateInputError listing the known Regions."""
        if not isinstance(region, str) or region not in self._regions:
            raise EstimateInputError(field_name, region, f"a known AWS Region: {', '.join(self.codes())}")
        return region


_REGION_COLUMNS = ("region", "name", "partition", "currency", "source_url", "as_of")


def load_regions(path: str | Path | None = None) -> RegionTable:
    """Load ``data/regions.csv`` (or ``path``)."""
    return _path_or_data(path, "regions.csv", _load_regions)


def _load_regions(path: Path) -> RegionTable:
    regions: dict[str, RegionInfo] = {}
    for number, row in read_rows(path, _REGION_COLUMNS):
        code = row["region"]
        if not code:
            raise DataFileError(path, number, "column 'region' is empty")
        if code in regions:
            raise DataFileError(path, number, f"duplicate row for Region {code!r}")
        currency = row["currency"]
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise DataFileError(
                path, number, f"column 'currency': {currency!r} is not a 3-letter currency code"
            )
        field(path, number, "source_url", check_url, row["source_url"])
        field(path, number, "as_of", check_date, row["as_of"])
        regions[code] = RegionInfo(code, row["name"], row["partition"], currency)
    if not regions:
        raise DataFileError(path, "file", "has no rows")
    return RegionTable(regions, str(path))


# --------------------------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    """One period of a pricing rule (``data/kms_price_history.csv``)."""

    item: str
    rule: str
    valid_from: str
    valid_to: str | None
    price: Decimal | None
    unit: str
    description: str
    source_url: str
    as_of: str

    def covers(self, month: str) -> bool:
        """True if ``month`` (YYYY-MM) falls inside this period."""
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)


ROTATION_RULES = ("each_rotation", "first_two_rotations")


class PriceHistory:
    """How KMS prices and rules changed over time; used to pick the rotation rule of a month."""

    def __init__(self, rows: Iterable[HistoryRow], path: str) -> None:
        self.rows: tuple[HistoryRow, ...] = tuple(rows)
        self.path = path

    def rule_for(self, item: str, month: str) -> HistoryRow:
        """The rule in force for ``item`` in ``month``; EstimateInputError if the history lacks it."""
        for row in self.rows:
            if row.item == item and row.covers(month):
                return row
        periods = ", ".join(f"{r.valid_from}..{r.valid_to or 'now'}" for r in self.rows if r.item == item)
        raise EstimateInputError("month", month, f"a month covered by the {item} price history ({periods})")

    def rotation_rule(self, month: str) -> str:
        """``first_two_rotations`` from May 2024, ``each_rotation`` before (AWS Security Blog, 2024-04-12)."""
        return self.rule_for("rotation_month", month).rule

    def to_frame(self) -> pd.DataFrame:
        """The history as a DataFrame."""
        return _frame([r.__dict__ for r in self.rows])


_HISTORY_COLUMNS = (
    "item",
    "rule",
    "valid_from",
    "valid_to",
    "price",
    "unit",
    "description",
    "source_url",
    "as_of",
)


def load_price_history(path: str | Path | None = None) -> PriceHistory:
    """Load ``data/kms_price_history.csv`` (or ``path``)."""
    return _path_or_data(path, "kms_price_history.csv", _load_history)


def _load_history(path: Path) -> PriceHistory:
    rows: list[HistoryRow] = []
    seen: set[tuple[str, str]] = set()
    for number, row in read_rows(path, _HISTORY_COLUMNS):
        item = row["item"]
        if item not in PRICE_ITEMS:
            raise DataFileError(
                path, number, f"column 'item': unknown item {item!r}; expected one of {list(PRICE_ITEMS)}"
            )
        if item == "rotation_month" and row["rule"] not in ROTATION_RULES:
            raise DataFileError(
                path, number, f"column 'rule': {row['rule']!r}; expected one of {list(ROTATION_RULES)}"
            )
        valid_from = field(path, number, "valid_from", check_month, row["valid_from"])
        valid_to = field(path, number, "valid_to", check_month, row["valid_to"]) if row["valid_to"] else None
        if valid_to is not None and valid_to < valid_from:
            raise DataFileError(path, number, f"valid_to {valid_to} is before valid_from {valid_from}")
        if (item, valid_from) in seen:
            raise DataFileError(path, number, f"duplicate row for item {item!r} from {valid_from}")
        seen.add((item, valid_from))
        price = field(path, number, "price", parse_decimal, row["price"]) if row["price"] else None
        rows.append(
            HistoryRow(
                item,
                row["rule"],
                valid_from,
                valid_to,
                price,
                row["unit"],
                row["description"],
                field(path, number, "source_url", check_url, row["source_url"]),
                field(path, number, "as_of", check_date, row["as_of"]),
            )
        )
    for item in {r.item for r in rows}:
        periods = sorted((r for r in rows if r.item == item), key=lambda r: r.valid_from)
        for before, after in itertools.pairwise(periods):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                raise DataFileError(path, "file", f"periods of item {item!r} overlap at {after.valid_from}")
    return PriceHistory(rows, str(path))


# --------------------------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class PriceRow:
    """One price of one item in one Region. ``price`` is None when the status is ``unknown``."""

    region: str
    item: str
    price: Decimal | None
    unit: str
    currency: str
    status: str
    source_url: str
    as_of: str
    note: str


class PricingTable:
    """Per-Region KMS prices (``data/kms_pricing.csv`` or a user's own table of the same format).

    ``status`` of a row: ``listed`` (a source states it), ``derived`` (computed from a Region-specific
    total), ``uniform`` (the rate every commercial Region whose prices were read shares), ``assumed`` (a user-chosen assumption, see :meth:`assume_same_as`), ``unknown`` (no price).
    """

    def __init__(
        self,
        rows: Mapping[tuple[str, str], PriceRow],
        *,
        path: str,
        history: PriceHistory,
        regions: RegionTable,
    ) -> None:
        self._rows = MappingProxyType(dict(rows))
        self.path = path
        self.history = history
        self.known_regions = regions

    def __repr__(self) -> str:
        priced = len(self.priced_regions())
        return f"<PricingTable {self.path}: {len(self.regions())} Regions, {priced} with all request prices>"

    def regions(self) -> list[str]:
        """Every Region with a row in the table (priced or marked unknown), sorted."""
        return sorted({region for region, _ in self._rows})

    def priced_regions(self, item: str | None = None) -> list[str]:
        """Regions with a known price for ``item``, or for every request class when ``item`` is None."""
        items = (item,) if item is not None else REQUEST_CLASSES
        return [
            r
            for r in self.regions()
            if all((row := self._rows.get((r, i))) is not None and row.price is not None for i in items)
        ]

    def row(self, region: str, item: str) -> PriceRow | None:
        """The row for ``(region, item)``, or None if the table has none."""
        return self._rows.get((region, item))

    def price(self, region: str, item: str) -> PriceRow:
        """The priced row for ``(region, item)``; EstimateInputError if the Region has no known price."""
        self.known_regions.check(region)
        row = self._rows.get((region, item))
        if row is None or row.price is None:
            known = PRICE_ITEMS.get(item) or CLOUDHSM_PRICE_ITEMS.get(item)
            label = known.label if known is not None else item
            status = "no row" if row is None else f"status {row.status!r}"
            priced = ", ".join(self.priced_regions(item)) or "none"
            raise EstimateInputError(
                "region",
                region,
                f"a Region with a known price for {label} ({item}: {status} in {self.path}); "
                f"priced Regions: {priced}. Pass pricing=load_pricing(your_csv) or "
                "load_pricing().assume_same_as('us-east-1') to state your own assumption",
            )
        return row

    def to_frame(self) -> pd.DataFrame:
        """All rows as a DataFrame (prices as Decimal)."""
        return _frame([r.__dict__ for r in self._rows.values()])

    def assume_same_as(
        self, source_region: str = "us-east-1", regions: Iterable[str] | None = None
    ) -> PricingTable:
        """A copy where each ``unknown`` price of ``regions`` (default: every Region in the source's partition
        and currency) takes ``source_region``'s price, marked ``assumed``. This is the user's assumption;
        estimates list it in their notes. AWS publishes no such rule."""
        self.known_regions.check(source_region, "source_region")
        source = self.known_regions[source_region]
        if regions is None:
            targets = [
                r
                for r in self.regions()
                if self.known_regions[r].partition == source.partition
                and self.known_regions[r].currency == source.currency
            ]
        elif isinstance(regions, str | bytes) or not isinstance(regions, Iterable):
            raise EstimateInputError("regions", regions, "None or a list of Region codes")
        else:
            targets = [self.known_regions.check(r, "regions") for r in regions]
        rows = dict(self._rows)
        for region in targets:
            for item in (*PRICE_ITEMS, *CLOUDHSM_PRICE_ITEMS):
                src = self._rows.get((source_region, item))
                cur = rows.get((region, item))
                if src is None or src.price is None or (cur is not None and cur.price is not None):
                    continue
                rows[(region, item)] = replace(
                    src,
                    region=region,
                    status="assumed",
                    note=f"user assumption: same as {source_region} ({src.status} there)",
                )
        return PricingTable(
            rows,
            path=f"{self.path} (+ assumed from {source_region})",
            history=self.history,
            regions=self.known_regions,
        )

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        head = f"<p><b>KMS pricing table</b> {html.escape(self.path)}: {len(self.regions())} Regions</p>"
        return head + frame.to_html(index=False)


_PRICE_COLUMNS = ("region", "item", "price", "unit", "currency", "status", "source_url", "as_of", "note")


def load_pricing(path: str | Path | None = None, *, history: str | Path | None = None) -> PricingTable:
    """Load and validate a pricing table: ``data/kms_pricing.csv`` by default, or your own CSV of the same
    columns (region, item, price, unit, currency, status, source_url, as_of, note). ``history`` overrides
    ``data/kms_price_history.csv``. Raises DataFileError naming file, row and problem."""
    if path is None and history is None:
        return _default_pricing()
    return _load_pricing(
        data_file("kms_pricing.csv") if path is None else Path(path),
        load_price_history(history),
        load_regions(),
    )


@functools.cache
def _default_pricing() -> PricingTable:
    table = _load_pricing(data_file("kms_pricing.csv"), load_price_history(), load_regions())
    # A machine-independent label, so notebook outputs do not depend on where the repo is checked out.
    return PricingTable(
        table._rows, path="data/kms_pricing.csv", history=table.history, regions=table.known_regions
    )


def load_cloudhsm_pricing(path: str | Path | None = None) -> PricingTable:
    """Load and validate the AWS CloudHSM HSM-hour prices: ``data/cloudhsm_pricing.csv`` by default, or your own
    CSV of the same columns as ``load_pricing``'s, with the one item ``cloudhsm_hsm_hour`` (unit ``HSM-hour``).
    CloudHSM is another AWS service: "If using AWS CloudHSM, standard AWS CloudHSM charges apply"
    (https://aws.amazon.com/kms/pricing/). Raises DataFileError naming file, row and problem."""
    if path is None:
        return _default_cloudhsm_pricing()
    return _load_pricing(
        Path(path),
        load_price_history(),
        load_regions(),
        items=CLOUDHSM_PRICE_ITEMS,
        statuses=CLOUDHSM_PRICE_STATUSES,
    )


@functools.cache
def _default_cloudhsm_pricing() -> PricingTable:
    table = _load_pricing(
        data_file("cloudhsm_pricing.csv"),
        load_price_history(),
        load_regions(),
        items=CLOUDHSM_PRICE_ITEMS,
        statuses=CLOUDHSM_PRICE_STATUSES,
    )
    return PricingTable(
        table._rows, path="data/cloudhsm_pricing.csv", history=table.history, regions=table.known_regions
    )


def _load_pricing(
    path: Path,
    history: PriceHistory,
    regions: RegionTable,
    *,
    items: Mapping[str, PriceItem] = PRICE_ITEMS,
    statuses: tuple[str, ...] = PRICE_STATUSES,
) -> PricingTable:
    rows: dict[tuple[str, str], PriceRow] = {}
    for number, row in read_rows(path, _PRICE_COLUMNS):
        region, item = row["region"], row["item"]
        if region not in regions:
            raise DataFileError(
                path, number, f"column 'region': unknown Region {region!r}; expected one of {regions.codes()}"
            )
        spec = items.get(item)
        if spec is None:
            raise DataFileError(
                path, number, f"column 'item': unknown item {item!r}; expected one of {list(items)}"
            )
        if row["unit"] != spec.unit:
            raise DataFileError(
                path, number, f"column 'unit': {row['unit']!r}; item {item} is priced per {spec.unit!r}"
            )
        status = row["status"]
        if status not in statuses:
            raise DataFileError(
                path, number, f"column 'status': {status!r}; expected one of {list(statuses)}"
            )
        currency = row["currency"]
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise DataFileError(
                path, number, f"column 'currency': {currency!r} is not a 3-letter currency code"
            )
        if status == "unknown":
            if row["price"]:
                raise DataFileError(
                    path,
                    number,
                    f"column 'price': {row['price']!r} given for an unknown price; leave it empty",
                )
            price = None
        else:
            if not row["price"]:
                raise DataFileError(path, number, f"column 'price' is empty but status is {status!r}")
            price = field(path, number, "price", parse_decimal, row["price"])
            if currency != "USD":
                raise DataFileError(
                    path, number, f"column 'currency': {currency!r}; kmssim prices in USD only"
                )
            if item == "free_tier_requests" and price != price.to_integral_value():
                raise DataFileError(
                    path, number, f"column 'price': the free tier {row['price']!r} is not a whole number"
                )
        if (region, item) in rows:
            raise DataFileError(path, number, f"duplicate row for Region {region!r} and item {item!r}")
        rows[(region, item)] = PriceRow(
            region,
            item,
            price,
            row["unit"],
            currency,
            status,
            field(path, number, "source_url", check_url, row["source_url"]),
            field(path, number, "as_of", check_date, row["as_of"]),
            row["note"],
        )
    if not rows:
        raise DataFileError(path, "file", "has no rows")
    return PricingTable(rows, path=str(path), history=history, regions=regions)


# --------------------------------------------------------------------------------------------- quotas


@dataclass(frozen=True)
class QuotaRow:
    """One request quota in one Region (``*`` = every Region without its own row).

    ``operations`` pairs each operation with the key types it counts for (None = all of the row's types).
    """

    quota: str
    quota_code: str
    kind: str
    operations: tuple[tuple[str, frozenset[str] | None], ...]
    key_types: frozenset[str]
    region: str
    limit: Decimal
    adjustable: bool
    source_url: str
    as_of: str
    note: str

    def counts(self, operation: str, key_type: str) -> bool:
        """True if a request of ``operation`` on a key of ``key_type`` counts against this quota."""
        for op, only in self.operations:
            if op == operation:
                if self.kind == "operation":
                    return True
                return key_type in self.key_types and (only is None or key_type in only)
        return False


class QuotaTable:
    """Request quotas per second (``data/kms_request_quotas.csv`` or a user's table of the same format)."""

    def __init__(self, rows: Iterable[QuotaRow], *, path: str, regions: RegionTable) -> None:
        self.rows: tuple[QuotaRow, ...] = tuple(rows)
        self.path = path
        self.known_regions = regions
        by_name: dict[str, dict[str, QuotaRow]] = {}
        for row in self.rows:
            by_name.setdefault(row.quota, {})[row.region] = row
        self._by_name = by_name

    def __repr__(self) -> str:
        return f"<QuotaTable {self.path}: {len(self._by_name)} quotas>"

    def names(self) -> list[str]:
        """Every quota name, sorted."""
        return sorted(self._by_name)

    def for_region(self, quota: str, region: str) -> QuotaRow | None:
        """The row of ``quota`` that applies in ``region`` (its own row, else the ``*`` row)."""
        rows = self._by_name.get(quota, {})
        return rows.get(region) or rows.get("*")

    def applicable(self, region: str) -> list[QuotaRow]:
        """One row per quota that exists in ``region``."""
        out = []
        for name in self._by_name:
            row = self.for_region(name, region)
            if row is not None:
                out.append(row)
        return out

    def to_frame(self) -> pd.DataFrame:
        """All rows as a DataFrame."""
        return _frame(
            [
                {
                    "quota": r.quota,
                    "quota_code": r.quota_code,
                    "kind": r.kind,
                    "operations": ";".join(
                        op if only is None else f"{op}[{'|'.join(sorted(only))}]" for op, only in r.operations
                    ),
                    "key_types": ";".join(sorted(r.key_types)),
                    "region": r.region,
                    "limit_per_second": float(r.limit),
                    "adjustable": r.adjustable,
                    "source_url": r.source_url,
                    "as_of": r.as_of,
                    "note": r.note,
                }
                for r in self.rows
            ]
        )

    def _repr_html_(self) -> str:
        return f"<p><b>KMS request quotas</b> {html.escape(self.path)}</p>" + self.to_frame().to_html(
            index=False
        )


_QUOTA_COLUMNS = (
    "quota",
    "quota_code",
    "kind",
    "operations",
    "key_types",
    "region",
    "limit_per_second",
    "adjustable",
    "source_url",
    "as_of",
    "note",
)


def load_quotas(path: str | Path | None = None) -> QuotaTable:
    """Load and validate a request-quota table: ``data/kms_request_quotas.csv`` by default.
    Raises DataFileError naming file, row and problem."""
    if path is None:
        return _default_quotas()
    return _load_quotas(Path(path), load_regions())


@functools.cache
def _default_quotas() -> QuotaTable:
    table = _load_quotas(data_file("kms_request_quotas.csv"), load_regions())
    return QuotaTable(table.rows, path="data/kms_request_quotas.csv", regions=table.known_regions)


def _parse_operations(raw: str) -> tuple[tuple[str, frozenset[str] | None], ...]:
    out: list[tuple[str, frozenset[str] | None]] = []
    for part in raw.split(";"):
        part = part.strip()
        only: frozenset[str] | None = None
        if part.endswith("]") and "[" in part:
            part, _, rest = part.partition("[")
            only = frozenset(rest[:-1].split("|"))
            if not only <= QUOTA_KEY_TYPES:
                raise RowProblem(f"unknown key type(s) {sorted(only - QUOTA_KEY_TYPES)} in {raw!r}")
        if part not in OPERATIONS:
            raise RowProblem(f"unknown KMS operation {part!r}")
        out.append((part, only))
    if not out:
        raise RowProblem("no operations")
    return tuple(out)


def _load_quotas(path: Path, regions: RegionTable) -> QuotaTable:
    rows: list[QuotaRow] = []
    seen: set[tuple[str, str]] = set()
    for number, row in read_rows(path, _QUOTA_COLUMNS):
        quota, kind, region = row["quota"], row["kind"], row["region"]
        if not quota:
            raise DataFileError(path, number, "column 'quota' is empty")
        if kind not in QUOTA_KINDS:
            raise DataFileError(path, number, f"column 'kind': {kind!r}; expected one of {list(QUOTA_KINDS)}")
        if region != "*" and region not in regions:
            raise DataFileError(
                path,
                number,
                f"column 'region': unknown Region {region!r}; expected '*' or one of {regions.codes()}",
            )
        operations = field(path, number, "operations", _parse_operations, row["operations"])
        key_types = frozenset(t for t in row["key_types"].split(";") if t)
        if kind in ("shared_crypto",) and (not key_types or not key_types <= QUOTA_KEY_TYPES):
            raise DataFileError(
                path,
                number,
                f"column 'key_types': {row['key_types']!r}; expected ';'-separated {sorted(QUOTA_KEY_TYPES)}",
            )
        if kind == "custom_key_store" and (
            len(key_types) != 1 or not key_types <= set(CUSTOM_KEY_STORE_TYPES)
        ):
            raise DataFileError(
                path,
                number,
                f"column 'key_types': {row['key_types']!r}; expected one of {list(CUSTOM_KEY_STORE_TYPES)}",
            )
        if kind == "data_key_pair" and (len(key_types) != 1 or not key_types <= set(DATA_KEY_PAIR_SPECS)):
            raise DataFileError(
                path,
                number,
                f"column 'key_types': {row['key_types']!r}; expected one data key pair spec of "
                f"{list(DATA_KEY_PAIR_SPECS)}",
            )
        if kind == "data_key_pair" and not {op for op, _ in operations} <= DATA_KEY_PAIR_OPERATIONS:
            raise DataFileError(
                path,
                number,
                f"column 'operations': a data key pair quota covers only {sorted(DATA_KEY_PAIR_OPERATIONS)}",
            )
        if kind == "operation" and (key_types or len(operations) != 1):
            raise DataFileError(
                path, number, "an 'operation' quota names exactly one operation and no key types"
            )
        limit = field(path, number, "limit_per_second", parse_decimal, row["limit_per_second"])
        if limit == 0:
            raise DataFileError(path, number, "column 'limit_per_second': must be greater than 0")
        if row["adjustable"] not in ("yes", "no"):
            raise DataFileError(
                path, number, f"column 'adjustable': {row['adjustable']!r}; expected 'yes' or 'no'"
            )
        if (quota, region) in seen:
            raise DataFileError(path, number, f"duplicate row for quota {quota!r} in Region {region!r}")
        seen.add((quota, region))
        rows.append(
            QuotaRow(
                quota,
                row["quota_code"],
                kind,
                operations,
                key_types,
                region,
                limit,
                row["adjustable"] == "yes",
                field(path, number, "source_url", check_url, row["source_url"]),
                field(path, number, "as_of", check_date, row["as_of"]),
                row["note"],
            )
        )
    if not rows:
        raise DataFileError(path, "file", "has no rows")
    return QuotaTable(rows, path=str(path), regions=regions)
