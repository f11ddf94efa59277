"""Request-rate quotas: which quotas a request counts against, and a planned-rate check.

Source: KMS Developer Guide, "Request quotas",
https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html (project reference section 5).
Quotas are per account and Region per one-second interval, except custom key store quotas (per key
store). Operations that share a quota are pooled. AWS owned keys count against no quota of yours.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._catalog import (
    DATA_KEY_PAIR_OPERATIONS,
    _check_key_pair_spec,
    _check_key_spec,
    _check_operation,
    check_combination,
    default_key_spec,
    key_family,
    operation_of,
)
from ._errors import EstimateInputError
from ._inputs import MAX_COUNT, check_fields, check_number
from ._tables import CUSTOM_KEY_STORE_TYPES, QuotaRow, QuotaTable, load_quotas

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QuotaCharge", "QuotaReport", "quota_charges", "quota_check", "quota_limits_for"]

_RATE_FIELDS = frozenset(
    {
        "operation",
        "per_second",
        "key_spec",
        "key_pair_spec",
        "region",
        "managed_by",
        "custom_key_store_type",
        "custom_key_store_id",
        "replica_region",
        "primary_region",
        "label",
    }
)
REPORT_COLUMNS = [
    "region",
    "quota",
    "pool",
    "operations",
    "limit_per_second",
    "planned_per_second",
    "utilisation",
    "headroom_per_second",
    "status",
    "adjustable",
]


@dataclass(frozen=True)
class QuotaCharge:
    """One request's use of one quota: ``units`` requests against ``quota`` in ``region`` (``pool`` is the
    custom key store id for per-store quotas, else "")."""

    region: str
    quota: str
    limit: float
    units: int
    pool: str = ""


def _table(quotas: QuotaTable | None) -> QuotaTable:
    if quotas is None:
        return load_quotas()
    if not isinstance(quotas, QuotaTable):
        raise EstimateInputError("quotas", quotas, "None or a QuotaTable from load_quotas()")
    return quotas


def _rows_for(
    table: QuotaTable, operation: str, family: str, pair: str | None, region: str, store_type: str | None
) -> list[QuotaRow]:
    out: list[QuotaRow] = []
    for row in table.applicable(region):
        if row.kind == "operation" or row.kind == "shared_crypto":
            hit = row.counts(operation, family)
        elif row.kind == "data_key_pair":
            hit = pair is not None and row.counts(operation, pair)
        else:
            hit = store_type is not None and row.counts(operation, store_type)
        if hit:
            out.append(row)
    return out


def _check_store(store_type: object) -> str | None:
    if store_type is not None and (
        not isinstance(store_type, str) or store_type not in CUSTOM_KEY_STORE_TYPES
    ):
        raise EstimateInputError(
            "custom_key_store_type", store_type, f"None or one of {list(CUSTOM_KEY_STORE_TYPES)}"
        )
    return None if store_type is None else str(store_type)


def quota_limits_for(
    operation: str,
    key_spec: str | None,
    key_pair_spec: str | None,
    region: str,
    quotas: QuotaTable | None = None,
    *,
    custom_key_store_type: str | None = None,
) -> list[tuple[str, float]]:
    """Names and per-second limits of every quota that one request counts against in ``region``.

    ``key_spec`` is the spec of the KMS key used (None for GenerateRandom and other keyless calls),
    ``key_pair_spec`` the data key pair spec of GenerateDataKeyPair(WithoutPlaintext), and
    ``custom_key_store_type`` ("AWS_CLOUDHSM" / "EXTERNAL_KEY_STORE") adds the key store's own quota (it is
    per key store). An empty list means AWS documents no request quota for that request. ReplicateKey's
    two CreateKey requests in the replica Region are not included: see :func:`quota_charges`.
    """
    table = _table(quotas)
    op = _check_operation(operation)
    spec = _check_key_spec(key_spec)
    pair = _check_key_pair_spec(key_pair_spec)
    table.known_regions.check(region)
    store = _check_store(custom_key_store_type)
    family = key_family(spec)
    if op in DATA_KEY_PAIR_OPERATIONS and pair is None:
        raise EstimateInputError("key_pair_spec", None, f"a data key pair spec for {op}")
    return [(row.quota, float(row.limit)) for row in _rows_for(table, op, family, pair, region, store)]


def quota_charges(
    operation: str,
    key_spec: str | None = None,
    key_pair_spec: str | None = None,
    region: str = "us-east-1",
    quotas: QuotaTable | None = None,
    *,
    replica_region: str | None = None,
    primary_region: str | None = None,
    custom_key_store_type: str | None = None,
    custom_key_store_id: str = "custom-key-store",
    managed_by: str = "customer",
) -> list[QuotaCharge]:
    """Every quota one API call uses, in every Region it touches.

    ReplicateKey counts 1 ReplicateKey request in the primary key's Region plus 2 CreateKey requests in
    ``replica_region`` (one is a dry run); UpdatePrimaryRegion counts 1 request in each of ``region`` and
    ``primary_region``. Requests on AWS owned keys count against no quota of yours. Source: request quotas
    page (see module docstring).
    """
    table = _table(quotas)
    if not isinstance(managed_by, str) or managed_by not in ("customer", "aws", "aws_owned"):
        raise EstimateInputError("managed_by", managed_by, "'customer', 'aws' or 'aws_owned'")
    store = _check_store(custom_key_store_type)
    limits = quota_limits_for(operation, key_spec, key_pair_spec, region, table, custom_key_store_type=store)
    if managed_by == "aws_owned":
        return []
    store_quotas = {r.quota for r in table.rows if r.kind == "custom_key_store"}
    charges = [
        QuotaCharge(region, name, limit, 1, custom_key_store_id if name in store_quotas else "")
        for name, limit in limits
    ]
    if operation == "ReplicateKey":
        other = _other_region(
            table, "replica_region", replica_region, "the Region ReplicateKey creates the replica in"
        )
        limits = quota_limits_for("CreateKey", None, None, other, table)
        charges += [QuotaCharge(other, n, limit, 2) for n, limit in limits]
    if operation == "UpdatePrimaryRegion":
        other = _other_region(
            table, "primary_region", primary_region, "the new primary Region of UpdatePrimaryRegion"
        )
        limits = quota_limits_for("UpdatePrimaryRegion", key_spec, None, other, table)
        charges += [QuotaCharge(other, n, limit, 1) for n, limit in limits]
    return charges


def _other_region(table: QuotaTable, field: str, region: str | None, expected: str) -> str:
    """The second Region a multi-Region call also counts in; EstimateInputError when missing or unknown."""
    if region is None:
        raise EstimateInputError(field, None, expected)
    return table.known_regions.check(region, field)


@dataclass(frozen=True, eq=False)
class QuotaReport:
    """Planned request rates against the request quotas, one row per (Region, quota, pool).

    ``table`` columns: region, quota, pool, operations, limit_per_second, planned_per_second, utilisation
    (planned / limit), headroom_per_second (negative when over), status ("ok" or "throttled"), adjustable.
    ``unmatched`` lists rates with no documented quota; ``excluded`` rates on AWS owned keys.
    """

    table: pd.DataFrame
    unmatched: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no quota would throttle."""
        return bool((self.table["status"] == "ok").all())

    def throttled(self) -> pd.DataFrame:
        """The rows whose planned rate exceeds the quota."""
        return self.table[self.table["status"] == "throttled"].reset_index(drop=True)

    def __repr__(self) -> str:
        over = len(self.throttled())
        return f"<QuotaReport: {len(self.table)} quotas checked, {over} would throttle>"

    def _repr_html_(self) -> str:
        verdict = "no quota would throttle" if self.ok else f"{len(self.throttled())} quota(s) would throttle"
        extra = "".join(f"<li>no documented quota: {html.escape(u)}</li>" for u in self.unmatched)
        extra += "".join(f"<li>not counted (AWS owned key): {html.escape(u)}</li>" for u in self.excluded)
        styled = self.table.to_html(index=False, float_format=lambda v: f"{v:,.4g}")
        return (
            f"<div class='kmssim-quotas'><p><b>KMS request quotas: {verdict}</b></p>"
            f"{styled}<ul>{extra}</ul></div>"
        )


def _rate(value: object, name: str) -> Decimal:
    """A planned rate: a finite number of requests per second from 0 to MAX_COUNT, converted exactly
    (``numpy.float64`` included, through its shortest decimal repr)."""
    accepted = f"a number of requests per second from 0 to {MAX_COUNT:,}"
    try:
        exact = check_number(value, name)
    except EstimateInputError:
        raise EstimateInputError(name, value, accepted) from None
    if not 0 <= exact <= MAX_COUNT:
        raise EstimateInputError(name, value, accepted)
    return Decimal(exact.numerator) / Decimal(exact.denominator)


def quota_check(rates: Iterable[Mapping[str, Any]], quotas: QuotaTable | None = None) -> QuotaReport:
    """Compare planned request rates per second with the quota table.

    Each rate: ``operation``, ``per_second``, and optionally ``key_spec`` (SYMMETRIC_DEFAULT; None for
    keyless operations), ``key_pair_spec``, ``region`` (us-east-1), ``managed_by`` ("customer", "aws",
    "aws_owned"), ``custom_key_store_type`` and ``custom_key_store_id``, ``replica_region``
    (ReplicateKey), ``primary_region`` (UpdatePrimaryRegion) and a free-text ``label``. Rates that share a
    quota are added up; a quota throttles when the total exceeds its limit (equal is still allowed).
    """
    if not isinstance(rates, Iterable) or isinstance(rates, str | bytes | Mapping):
        raise EstimateInputError("rates", rates, "a list of dicts, one per planned request rate")
    table = _table(quotas)
    pooled: dict[tuple[str, str, str], dict[str, Any]] = {}
    unmatched: list[str] = []
    excluded: list[str] = []
    for i, rate in enumerate(rates):
        where = f"rates[{i}]"
        rate = check_fields(rate, _RATE_FIELDS, where)
        op = operation_of(rate, where, "a KMS operation name")
        per_second = _rate(rate.get("per_second"), f"{where}.per_second")
        spec = rate.get("key_spec", default_key_spec(op))
        check_combination(op, _check_key_spec(spec, f"{where}.key_spec"))
        label = rate.get("label")
        if label is not None and not isinstance(label, str):
            raise EstimateInputError(f"{where}.label", label, "None or a string")
        store_id = rate.get("custom_key_store_id", "custom-key-store")
        if not isinstance(store_id, str):
            raise EstimateInputError(
                f"{where}.custom_key_store_id", store_id, "a string naming the key store"
            )
        label = (
            label
            or f"{op} ({spec or rate.get('key_pair_spec') or 'no key'}) in {rate.get('region', 'us-east-1')}"
        )
        charges = quota_charges(
            op,
            spec,
            rate.get("key_pair_spec"),
            rate.get("region", "us-east-1"),
            table,
            replica_region=rate.get("replica_region"),
            primary_region=rate.get("primary_region"),
            custom_key_store_type=rate.get("custom_key_store_type"),
            custom_key_store_id=store_id,
            managed_by=rate.get("managed_by", "customer"),
        )
        if rate.get("managed_by") == "aws_owned":
            excluded.append(label)
            continue
        if not charges:
            unmatched.append(label)
            continue
        for charge in charges:
            entry = pooled.setdefault(
                (charge.region, charge.quota, charge.pool),
                {"limit": charge.limit, "planned": Decimal(0), "operations": set()},
            )
            entry["planned"] += per_second * charge.units
            entry["operations"].add(op if charge.units == 1 else f"{op} (x{charge.units})")
    records = []
    for (region, quota, pool), entry in pooled.items():
        row = table.for_region(quota, region)
        row_limit = row.limit if row is not None else Decimal(repr(entry["limit"]))
        limit, planned = float(row_limit), float(entry["planned"])
        over = entry["planned"] > row_limit
        records.append(
            {
                "region": region,
                "quota": quota,
                "pool": pool,
                "operations": ", ".join(sorted(entry["operations"])),
                "limit_per_second": limit,
                "planned_per_second": planned,
                "utilisation": planned / limit,
                "headroom_per_second": limit - planned,
                "status": "throttled" if over else "ok",
                "adjustable": bool(row.adjustable) if row is not None else False,
            }
        )
    import pandas as pd

    frame = pd.DataFrame.from_records(records, columns=REPORT_COLUMNS)
    if not frame.empty:
        frame = frame.sort_values(
            ["utilisation", "region", "quota"], ascending=[False, True, True]
        ).reset_index(drop=True)
    return QuotaReport(frame, tuple(unmatched), tuple(excluded))
