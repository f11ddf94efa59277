"""Monthly KMS cost estimates and metered bills.

Rules (project reference kms-pricing-and-quotas.md, sections 1.1-1.5; https://aws.amazon.com/kms/pricing/):

* $1 per customer managed key-month, prorated hourly; a partial clock hour counts as a whole hour;
* from May 2024 the first and second rotation each add $1 per month (prorated hourly), later ones are free;
  before May 2024 every rotation added $1 per month (price history, AWS Security Blog 2024-04-12);
* keys pending deletion cost nothing; AWS managed keys have no key charge but their requests are charged;
  AWS owned keys cost nothing at all;
* 20,000 free requests per account-month pooled across Regions, for symmetric-class requests only;
* a CloudHSM key store's cluster is billed by AWS CloudHSM per HSM-hour, on its own line ("If using AWS CloudHSM,
  standard AWS CloudHSM charges apply"; the KMS key charge is unchanged); an external key store adds no AWS
  charge (reference section 1.6; prices in data/cloudhsm_pricing.csv).

Money is exact (fractions) until the total, which is rounded half-up to cents once.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import choices
from ._catalog import (
    PRICE_ITEMS,
    _check_key_pair_spec,
    _check_key_spec,
    _check_operation,
    default_key_spec,
    operation_of,
    price_class,
)
from ._errors import EstimateInputError
from ._inputs import (
    _KEY_FIELDS,
    _KEY_STORE_FIELDS,
    _REQUEST_FIELDS,
    _USAGE_CLUSTER_FIELDS,
    _USAGE_KEY_FIELDS,
    _USAGE_REQUEST_FIELDS,
    _USAGE_REQUEST_OPTIONAL,
    MANAGED_BY,
    MAX_HSMS_PER_CLUSTER,
    HoursConvention,
    _aware,
    _hour_buckets,
    _is_list,
    _to_decimal,
    check_count,
    check_fields,
    check_number,
    month_hours,
    month_window,
    parse_month,
    round_cents,
)
from ._tables import CUSTOM_KEY_STORE_TYPES, ROTATION_RULES, PricingTable, load_cloudhsm_pricing, load_pricing

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["MANAGED_BY", "Estimate", "bill_from_usage", "estimate"]

CLOUDHSM_LINE = "AWS CloudHSM HSM-hours (billed by AWS CloudHSM, not KMS)"
LINE_COLUMNS = ["item", "region", "price_class", "quantity", "unit", "unit price", "USD", "note"]


@dataclass(frozen=True, eq=False)
class Estimate:
    """A monthly KMS bill: ``total`` (USD, rounded half-up to cents once) and its ``lines``.

    ``lines`` has one row per charge: item, region, price_class, quantity, unit, unit price, USD
    (Decimal, unrounded), note. ``key_detail`` (metered bills only) has one row per key.
    """

    total: Decimal
    lines: pd.DataFrame
    month: str
    hours: str | int
    free_tier: bool
    rotation_rule: str
    notes: tuple[str, ...]
    exact_total: Decimal
    key_detail: pd.DataFrame | None = None
    #: Metered bills only (``Simulator.bill``): for each row of ``lines``, the IDs of the requests it bills
    #: (``ResponseMetadata.RequestId``, the trail's ``request_id``), oldest first; empty for key lines and the
    #: free-tier line (a credit on the month's pool, not on chosen requests).
    line_request_ids: tuple[tuple[str, ...], ...] | None = None

    def __repr__(self) -> str:
        return f"<Estimate {self.month}: ${self.total} USD in {len(self.lines)} lines>"

    def _metered(self) -> tuple[tuple[str, ...], ...]:
        if self.line_request_ids is None:
            raise ValueError("only a simulator's bill (Simulator.bill) knows the requests behind its lines")
        return self.line_request_ids

    def request_ids(self, line: int) -> tuple[str, ...]:
        """The IDs of the requests that row ``line`` of ``lines`` bills, oldest first."""
        ids = self._metered()
        if isinstance(line, bool) or not isinstance(line, int) or not 0 <= line < len(ids):
            raise ValueError(f"line must be a row number of lines, 0 to {len(ids) - 1}, not {line!r}")
        return ids[line]

    def line_of(self, request_id: str) -> int:
        """The row of ``lines`` that bills request ``request_id``; KeyError when this bill does not bill it (a
        failed request, another month's, or KMS's own event)."""
        for i, ids in enumerate(self._metered()):
            if request_id in ids:
                return i
        raise KeyError(request_id)

    def requests(self) -> pd.DataFrame:
        """One row per billed request: request_id, line (the row of ``lines``), item, region, price_class."""
        import pandas as pd

        rows = [
            (rid, i, item, region, klass)
            for i, (ids, item, region, klass) in enumerate(
                zip(
                    self._metered(),
                    self.lines["item"],
                    self.lines["region"],
                    self.lines["price_class"],
                    strict=True,
                )
            )
            for rid in ids
        ]
        return pd.DataFrame(rows, columns=["request_id", "line", "item", "region", "price_class"])

    def by_region(self) -> pd.Series:
        """Unrounded USD per Region."""
        import pandas as pd

        if self.lines.empty:
            return pd.Series(dtype=object)
        return self.lines.groupby("region", sort=True)["USD"].apply(lambda s: sum(s, Decimal(0)))

    def _repr_html_(self) -> str:
        rows = []
        for rec in self.lines.to_dict("records"):
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(v)}</td>"
                    for v in (
                        str(rec["item"]),
                        str(rec["region"]),
                        _fmt_qty(rec["quantity"]),
                        str(rec["unit"]),
                        f"${rec['unit price']:f}",
                        f"${Decimal(rec['USD']).quantize(Decimal('0.0001'), ROUND_HALF_UP):,}",
                        str(rec["note"]),
                    )
                )
                + "</tr>"
            )
        head = "".join(
            f"<th>{h}</th>" for h in ("item", "region", "quantity", "unit", "unit price", "USD", "note")
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<div class='kmssim-estimate'><p><b>AWS KMS estimate for {html.escape(self.month)}: "
            f"${self.total:,} USD</b></p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<ul>{notes}</ul></div>"
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Horizontal bar chart of USD per line; returns the Axes (no ``show()``)."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 0.4 * max(len(self.lines), 3) + 1))
        labels = [f"{i} ({r})" for i, r in zip(self.lines["item"], self.lines["region"], strict=True)]
        values = [float(v) for v in self.lines["USD"]]
        colors = ["tab:green" if v < 0 else "tab:blue" for v in values]
        ax.barh(labels, values, color=colors)
        ax.invert_yaxis()
        ax.set_xlabel("USD")
        ax.set_title(f"AWS KMS {self.month}: ${self.total:,}")
        return ax


def _fmt_qty(value: object) -> str:
    dec = Decimal(str(value))
    if dec == dec.to_integral_value():
        return f"{dec.to_integral_value():,}"
    return f"{dec.quantize(Decimal('0.000001'), ROUND_HALF_UP).normalize():f}"


# --------------------------------------------------------------------------------------------- the bill


@dataclass
class _Line:
    item: str
    region: str
    price_class: str
    unit: str
    unit_price: Fraction
    note: str
    quantity: Fraction = Fraction(0)
    request_ids: list[str] = field(default_factory=list)


@dataclass
class _Bill:
    pricing: PricingTable
    month: str
    hours_label: str | int
    month_hours: int
    free_tier: bool
    rotation_rule: str
    lines: dict[tuple[str, str, str, Fraction], _Line] = field(default_factory=dict)
    eligible: dict[str, int] = field(default_factory=dict)
    caveats: set[str] = field(default_factory=set)
    cloudhsm: PricingTable | None = None
    cloudhsm_usd: Fraction | None = None

    def unit_price(self, region: str, item: str) -> Fraction:
        row = self.pricing.price(region, item)
        assert row.price is not None  # price() raises for unknown prices
        if row.status in ("derived", "assumed"):
            self.caveats.add(f"{item} in {region} is {row.status}: {row.note}")
        elif row.status == "uniform":
            self.caveats.add(
                f"{item} in {region} is uniform: the pricing page's rate, the same in every commercial Region "
                f"whose prices were read; no source gives {region} another ({row.source_url}, {row.as_of})"
            )
        return Fraction(row.price) / PRICE_ITEMS[item].per

    def add(
        self, item: str, region: str, klass: str, unit: str, price: Fraction, quantity: Fraction, note: str
    ) -> _Line:
        key = (item, region, klass, price)
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = _Line(item, region, klass, unit, price, note)
        line.quantity += quantity
        return line

    def add_key(self, region: str, managed_by: str, key_months: Fraction, rotation_months: Fraction) -> None:
        if managed_by == "customer":
            self.add(
                "KMS keys (customer managed)",
                region,
                "key_month",
                "key-month",
                self.unit_price(region, "key_month"),
                key_months,
                "$1 per key-month, prorated hourly",
            )
            if rotation_months:
                label = (
                    "first and second rotation"
                    if self.rotation_rule == "first_two_rotations"
                    else "every rotation"
                )
                self.add(
                    "Key rotation surcharge",
                    region,
                    "rotation_month",
                    "rotation-month",
                    self.unit_price(region, "rotation_month"),
                    rotation_months,
                    f"+$1 per key-month for the {label}",
                )
        elif managed_by == "aws":
            self.add(
                "AWS managed keys (no key charge)",
                region,
                "key_month",
                "key-month",
                Fraction(0),
                key_months,
                "creation and storage free; requests charged",
            )
        else:
            self.add(
                "AWS owned keys (no charge)",
                region,
                "none",
                "key-month",
                Fraction(0),
                key_months,
                "no key or request charge to you",
            )

    def add_hsm_hours(self, region: str, hsm_hours: Fraction) -> Fraction:
        """HSM-hours of CloudHSM clusters in ``region``: AWS CloudHSM's charge, not KMS's; returns the USD."""
        if self.cloudhsm is None:
            self.cloudhsm = load_cloudhsm_pricing()
        self.cloudhsm.known_regions.check(region)
        row = self.cloudhsm.row(region, "cloudhsm_hsm_hour")
        if row is None or row.price is None:
            priced = ", ".join(self.cloudhsm.priced_regions("cloudhsm_hsm_hour")) or "none"
            raise EstimateInputError(
                "region",
                region,
                f"a Region with a known AWS CloudHSM price (cloudhsm_hsm_hour: "
                f"{'no row' if row is None else repr(row.status)} in {self.cloudhsm.path}); priced Regions: "
                f"{priced}. Pass cloudhsm_pricing=load_cloudhsm_pricing(your_csv) or "
                "load_cloudhsm_pricing().assume_same_as('us-east-1') to state your own assumption",
            )
        if row.status != "listed":
            self.caveats.add(
                f"cloudhsm_hsm_hour in {region} is {row.status}: {row.note} ({row.source_url}, {row.as_of})"
            )
        price = Fraction(row.price)
        self.add(
            CLOUDHSM_LINE,
            region,
            "cloudhsm_hsm_hour",
            "HSM-hour",
            price,
            hsm_hours,
            "each HSM of each cluster, by the hour; a CloudHSM key store needs a cluster of at least two HSMs",
        )
        self.cloudhsm_usd = (self.cloudhsm_usd or Fraction(0)) + hsm_hours * price
        return hsm_hours * price

    def add_external_key_stores(self, region: str, count: int) -> None:
        """External key stores: no AWS charge of their own (their keys are priced as any key)."""
        self.add(
            "External key stores (no AWS charge)",
            region,
            "none",
            "key stores",
            Fraction(0),
            Fraction(count),
            "AWS adds no charge for an external key store; its keys cost $1/month like any key; "
            "your key manager and XKS proxy are yours to pay for",
        )

    def add_requests(
        self,
        region: str,
        operation: str,
        spec: str | None,
        pair: str | None,
        count: int,
        managed_by: str,
        *,
        metered: bool = False,
        request_ids: Sequence[str] = (),
    ) -> None:
        """Price ``count`` requests. ``metered``: from a simulator's usage, where a request AWS publishes no
        price for (ML-KEM) is listed at no charge when ``choices.BILL_UNPRICED_REQUESTS_AT_ZERO`` says so (its
        request IDs stay on that line). ``request_ids``: the IDs of the requests, kept on their line."""
        target = f"{pair} pair" if pair else (spec or "no key")
        try:
            klass = price_class(operation, spec, pair)
        except EstimateInputError:
            if not (metered and choices.BILL_UNPRICED_REQUESTS_AT_ZERO and _unpriced(operation, spec, pair)):
                raise
            note = "AWS publishes no price for these requests: listed, not charged"
            line = self.add(
                f"{operation} ({target})", region, "none", "requests", Fraction(0), Fraction(count), note
            )
            line.request_ids.extend(request_ids)
            return
        if managed_by == "aws_owned":
            self.add(
                f"{operation} ({target}) on AWS owned keys",
                region,
                "none",
                "requests",
                Fraction(0),
                Fraction(count),
                "no charge",
            )
            return
        item = f"{operation} ({target})" + (" on AWS managed keys" if managed_by == "aws" else "")
        line = self.add(
            item,
            region,
            klass,
            "requests",
            self.unit_price(region, klass),
            Fraction(count),
            PRICE_ITEMS[klass].label,
        )
        line.request_ids.extend(request_ids)
        if PRICE_ITEMS[klass].free_tier_eligible:
            self.eligible[region] = self.eligible.get(region, 0) + count

    def apply_free_tier(self) -> None:
        pool = sum(self.eligible.values())
        if not self.free_tier or pool == 0:
            return
        allowances = {self.pricing.price(r, "free_tier_requests").price for r in self.eligible}
        if len(allowances) != 1:
            raise EstimateInputError(
                "pricing", self.pricing.path, "one free-tier allowance for every Region used"
            )
        allowance = allowances.pop()
        assert allowance is not None
        remaining = min(int(allowance), pool)
        # AWS does not say which Region's requests the pooled allowance covers; where prices differ, the
        # dearest first (customer-favourable). With today's uniform $0.03 the order changes nothing.
        order = sorted(self.eligible, key=lambda r: (-self.unit_price(r, "requests_symmetric"), r))
        for region in order:
            used = min(remaining, self.eligible[region])
            if used:
                price = self.unit_price(region, "requests_symmetric")
                self.add(
                    "Free tier (pooled across Regions)",
                    region,
                    "free_tier_requests",
                    "requests",
                    -price,
                    Fraction(used),
                    f"{int(allowance):,} free symmetric-class requests per account-month",
                )
            remaining -= used

    def finish(self, key_detail: pd.DataFrame | None = None, *, metered: bool = False) -> Estimate:
        self.apply_free_tier()
        records = []
        exact = Fraction(0)
        for line in self.lines.values():
            amount = line.quantity * line.unit_price
            exact += amount
            records.append(
                {
                    "item": line.item,
                    "region": line.region,
                    "price_class": line.price_class,
                    "quantity": _to_decimal(line.quantity),
                    "unit": line.unit,
                    "unit price": _to_decimal(line.unit_price),
                    "USD": _to_decimal(amount),
                    "note": line.note,
                }
            )
        import pandas as pd

        frame = pd.DataFrame.from_records(records, columns=LINE_COLUMNS)
        frame = frame.astype(object) if not frame.empty else frame
        hours_note = (
            f"key-months prorated over the {self.month_hours} hours of {self.month} (calendar month)"
            if self.hours_label == "calendar"
            else "key-months prorated over 730 hours (the AWS Pricing Calculator month)"
        )
        rule_note = (
            "rotation: the first and second rotation each add $1/month; later ones are free (from May 2024)"
            if self.rotation_rule == "first_two_rotations"
            else "rotation: every rotation adds $1/month with no cap (rule before May 2024)"
        )
        free_note = (
            "free tier: 20,000 symmetric-class requests per account-month, pooled across Regions"
            if self.free_tier
            else "free tier not subtracted (as the AWS Pricing Calculator does)"
        )
        hsm_notes: tuple[str, ...] = ()
        if self.cloudhsm_usd is not None:
            assert self.cloudhsm is not None
            hsm_notes = (
                f"the total includes ${round_cents(self.cloudhsm_usd)} of AWS CloudHSM HSM-hours: billed by AWS "
                "CloudHSM, not KMS (the KMS key charge of a key in a custom key store is unchanged)",
                f"CloudHSM prices: {self.cloudhsm.path}",
            )
        notes = (
            hours_note,
            rule_note,
            free_note,
            f"prices: {self.pricing.path}",
            *hsm_notes,
            *sorted(self.caveats),
        )
        return Estimate(
            total=round_cents(exact),
            lines=frame,
            month=self.month,
            hours=self.hours_label,
            free_tier=self.free_tier,
            rotation_rule=self.rotation_rule,
            notes=notes,
            exact_total=_to_decimal(exact),
            key_detail=key_detail,
            line_request_ids=tuple(tuple(line.request_ids) for line in self.lines.values())
            if metered
            else None,
        )


def _new_bill(
    month: object,
    free_tier: object,
    hours: object,
    pricing: PricingTable | None,
    rotation_rule: object,
    cloudhsm_pricing: PricingTable | None = None,
) -> _Bill:
    parse_month(month)
    assert isinstance(month, str)
    if not isinstance(free_tier, bool):
        raise EstimateInputError("free_tier", free_tier, "True or False")
    table = load_pricing() if pricing is None else pricing
    if not isinstance(table, PricingTable):
        raise EstimateInputError("pricing", pricing, "None or a PricingTable from load_pricing()")
    total_hours = month_hours(month, hours)
    if rotation_rule is None:
        rule = table.history.rotation_rule(month)
    elif isinstance(rotation_rule, str) and rotation_rule in ROTATION_RULES:
        rule = str(rotation_rule)
    else:
        raise EstimateInputError(
            "rotation_rule", rotation_rule, f"None (the rule of the month) or one of {list(ROTATION_RULES)}"
        )
    if cloudhsm_pricing is not None and not isinstance(cloudhsm_pricing, PricingTable):
        raise EstimateInputError(
            "cloudhsm_pricing", cloudhsm_pricing, "None or a PricingTable from load_cloudhsm_pricing()"
        )
    label: str | int = "calendar" if isinstance(hours, str) else 730
    return _Bill(table, month, label, total_hours, free_tier, rule, cloudhsm=cloudhsm_pricing)


def _charged_rotations(rule: str, rotations: int) -> int:
    return min(rotations, 2) if rule == "first_two_rotations" else rotations


def estimate(
    keys: Iterable[Mapping[str, Any]] = (),
    requests: Iterable[Mapping[str, Any]] = (),
    *,
    month: str,
    free_tier: bool = True,
    hours: HoursConvention = "calendar",
    pricing: PricingTable | None = None,
    rotation_rule: str | None = None,
    key_stores: Iterable[Mapping[str, Any]] = (),
    cloudhsm_pricing: PricingTable | None = None,
) -> Estimate:
    """Estimate one month of AWS KMS charges.

    ``keys``: dicts with ``count`` (1), ``key_spec`` (SYMMETRIC_DEFAULT), ``region`` (us-east-1),
    ``managed_by`` ("customer"; "aws" = AWS managed, no key charge; "aws_owned" = no charge at all),
    ``rotations`` completed so far (0) and ``hours`` the key is billable this month (the whole month;
    0 for a key pending deletion all month, which costs nothing).
    ``requests``: dicts with ``operation`` (KMS API name), ``count``, ``key_spec`` (SYMMETRIC_DEFAULT; None
    for keyless operations such as GenerateRandom), ``key_pair_spec`` (GenerateDataKeyPair*), ``region``
    (us-east-1) and ``managed_by`` ("customer"; "aws_owned" requests are free and not pooled).
    ``month`` "YYYY-MM" picks the calendar hours and the rotation rule in force (override with
    ``rotation_rule``: "first_two_rotations" or "each_rotation"). ``hours``: "calendar" or 730.
    ``free_tier=False`` reproduces the AWS Pricing Calculator. Source: https://aws.amazon.com/kms/pricing/.
    ``key_stores``: dicts with ``type`` ("AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE"), ``count`` (1: clusters or
    stores), ``hsms`` (2, CloudHSM only: HSMs per cluster), ``hours`` (the whole month) and ``region``
    (us-east-1). A CloudHSM cluster is priced in HSM-hours (count x hsms x hours) on its own line, billed by AWS
    CloudHSM, not KMS, at ``cloudhsm_pricing`` (``data/cloudhsm_pricing.csv``); an external key store adds
    nothing. Put the stores' keys in ``keys``: they cost what any key costs.
    """
    for name, rows in (("keys", keys), ("requests", requests), ("key_stores", key_stores)):
        if not isinstance(rows, Iterable) or isinstance(rows, str | bytes | Mapping):
            raise EstimateInputError(name, rows, "a list of dicts")
    bill = _new_bill(month, free_tier, hours, pricing, rotation_rule, cloudhsm_pricing)
    regions = bill.pricing.known_regions
    for i, store in enumerate(key_stores):
        where = f"key_stores[{i}]"
        store = check_fields(store, _KEY_STORE_FIELDS, where)
        kind = store.get("type")
        if not isinstance(kind, str) or kind not in CUSTOM_KEY_STORE_TYPES:
            raise EstimateInputError(f"{where}.type", kind, f"one of {list(CUSTOM_KEY_STORE_TYPES)}")
        count = check_count(store.get("count", 1), f"{where}.count")
        region = regions.check(store.get("region", "us-east-1"), f"{where}.region")
        store_hours = check_number(store.get("hours", bill.month_hours), f"{where}.hours")
        if not 0 <= store_hours <= bill.month_hours:
            raise EstimateInputError(
                f"{where}.hours", store.get("hours"), f"a number of hours from 0 to {bill.month_hours}"
            )
        if kind == "EXTERNAL_KEY_STORE":
            if "hsms" in store:
                raise EstimateInputError(
                    f"{where}.hsms", store["hsms"], "no value: an external key store has no AWS HSMs"
                )
            bill.add_external_key_stores(region, count)
            continue
        hsms = check_count(store.get("hsms", 2), f"{where}.hsms", MAX_HSMS_PER_CLUSTER)
        bill.add_hsm_hours(region, count * hsms * store_hours)
    for i, key in enumerate(keys):
        where = f"keys[{i}]"
        key = check_fields(key, _KEY_FIELDS, where)
        count = check_count(key.get("count", 1), f"{where}.count")
        if _check_key_spec(key.get("key_spec", "SYMMETRIC_DEFAULT"), f"{where}.key_spec") is None:
            raise EstimateInputError(f"{where}.key_spec", None, "a key spec such as SYMMETRIC_DEFAULT")
        region = regions.check(key.get("region", "us-east-1"), f"{where}.region")
        managed_by = key.get("managed_by", "customer")
        if not isinstance(managed_by, str) or managed_by not in MANAGED_BY:
            raise EstimateInputError(f"{where}.managed_by", managed_by, f"one of {list(MANAGED_BY)}")
        rotations = check_count(key.get("rotations", 0), f"{where}.rotations")
        if rotations and key.get("key_spec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
            # Only symmetric encryption keys rotate (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
            raise EstimateInputError(f"{where}.rotations", rotations, "0: only SYMMETRIC_DEFAULT keys rotate")
        hours_billable = check_number(key.get("hours", bill.month_hours), f"{where}.hours")
        if not 0 <= hours_billable <= bill.month_hours:
            raise EstimateInputError(
                f"{where}.hours", key.get("hours"), f"a number of hours from 0 to {bill.month_hours}"
            )
        fraction = count * hours_billable / bill.month_hours
        charged = _charged_rotations(bill.rotation_rule, rotations)
        bill.add_key(region, str(managed_by), fraction, fraction * charged)
    for i, req in enumerate(requests):
        where = f"requests[{i}]"
        req = check_fields(req, _REQUEST_FIELDS, where)
        op = operation_of(req, where, "a KMS operation name such as 'Decrypt'")
        if "count" not in req:
            raise EstimateInputError(f"{where}.count", None, "a whole number >= 0")
        count = check_count(req["count"], f"{where}.count")
        spec = _check_key_spec(req.get("key_spec", default_key_spec(op)), f"{where}.key_spec")
        pair = _check_key_pair_spec(req.get("key_pair_spec"), f"{where}.key_pair_spec")
        region = regions.check(req.get("region", "us-east-1"), f"{where}.region")
        managed_by = req.get("managed_by", "customer")
        if not isinstance(managed_by, str) or managed_by not in MANAGED_BY:
            raise EstimateInputError(f"{where}.managed_by", managed_by, f"one of {list(MANAGED_BY)}")
        bill.add_requests(region, op, spec, pair, count, str(managed_by))
    return bill.finish()


def _unpriced(operation: str, spec: str | None, pair: str | None) -> bool:
    """A request of a kind the pricing page gives no price for: ML-KEM keys, ML-KEM or SM2 data key pairs."""
    return (
        operation in ("Encapsulate", "Decapsulate")
        or (spec is not None and spec.startswith("ML_KEM"))
        or (pair is not None and pair.startswith(("ML_KEM", "SM2")))
    )


def bill_from_usage(
    usage: Mapping[str, Any],
    month: str,
    *,
    pricing: PricingTable | None = None,
    free_tier: bool = True,
    hours: HoursConvention = "calendar",
    rotation_rule: str | None = None,
    cloudhsm_pricing: PricingTable | None = None,
) -> Estimate:
    """Price one month of metered usage, as returned by ``Simulator.usage()``.

    For each customer managed key: the clock hours it existed in ``month`` before its pending-deletion
    window or deletion (a partial hour counts whole: "prorated over the whole hours", reference 1.1),
    plus, for each charged rotation (the first two from May 2024, all before), the hours from that
    rotation to the same end. AWS managed keys carry no key charge. Requests of ``month`` are priced by
    operation, key spec and Region; GenerateRandom (no key) is a standard symmetric-class request. The
    result has ``key_detail``, one row per key.

    ``usage["cloudhsm_clusters"]`` (optional): each simulated CloudHSM cluster's ``cluster_id``, ``region`` and
    ``hsms``, one ``[start, stop or None]`` per HSM; their hours in ``month`` are priced on their own line,
    billed by AWS CloudHSM, not KMS (a partial hour counts whole while
    ``choices.CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE``; otherwise by the second). They are the hours the HSMs ran,
    whatever ``hours`` says (it prorates key-months only); an HSM still running counts to the month's end.
    """
    bill = _new_bill(month, free_tier, hours, pricing, rotation_rule, cloudhsm_pricing)
    regions = bill.pricing.known_regions
    if not isinstance(usage, Mapping):
        raise EstimateInputError("usage", usage, "the mapping returned by Simulator.usage()")
    start, end = month_window(month)
    keys = usage.get("keys", [])
    requests = usage.get("requests", [])
    if not _is_list(keys) or not _is_list(requests):
        raise EstimateInputError(
            "usage", type(usage).__name__, "a mapping whose 'keys' and 'requests' are lists"
        )
    detail: list[dict[str, object]] = []
    for i, key in enumerate(keys):
        where = f"usage.keys[{i}]"
        key = check_fields(key, _USAGE_KEY_FIELDS, where)
        missing = sorted(_USAGE_KEY_FIELDS - set(key))
        if missing:
            raise EstimateInputError(
                f"{where}.{missing[0]}", None, f"all of the fields {sorted(_USAGE_KEY_FIELDS)}"
            )
        region = regions.check(key["region"], f"{where}.region")
        spec = _check_key_spec(key["key_spec"], f"{where}.key_spec")
        if spec is None:
            raise EstimateInputError(f"{where}.key_spec", None, "the key's spec, such as SYMMETRIC_DEFAULT")
        managed_by = key["managed_by"]
        if not isinstance(managed_by, str) or managed_by not in ("customer", "aws"):
            raise EstimateInputError(f"{where}.managed_by", managed_by, "'customer' or 'aws'")
        created = _aware(key["created"], f"{where}.created")
        stop = end
        for name in ("deletion_scheduled", "deleted"):
            if key[name] is not None:
                stop = min(stop, _aware(key[name], f"{where}.{name}"))
        first = max(created, start)
        rotations = key["rotations"]
        if not _is_list(rotations):
            raise EstimateInputError(f"{where}.rotations", rotations, "a list of timezone-aware datetimes")
        times = sorted(_aware(t, f"{where}.rotations[{j}]") for j, t in enumerate(rotations))
        key_hours = _hour_buckets(first, stop)
        charged = times[: _charged_rotations(bill.rotation_rule, len(times))]
        rotation_hours = [_hour_buckets(max(first, t), stop) for t in charged]
        key_months = Fraction(min(key_hours, bill.month_hours), bill.month_hours)
        rotation_months = sum(
            (Fraction(min(h, bill.month_hours), bill.month_hours) for h in rotation_hours), Fraction(0)
        )
        if key_hours == 0 and not any(rotation_hours):
            usd = Fraction(0)
        elif managed_by == "customer":
            bill.add_key(region, "customer", key_months, rotation_months)
            usd = key_months * bill.unit_price(region, "key_month")
            if rotation_months:
                usd += rotation_months * bill.unit_price(region, "rotation_month")
        else:
            bill.add_key(region, "aws", key_months, Fraction(0))
            usd = Fraction(0)
        detail.append(
            {
                "arn": key["arn"],
                "region": region,
                "key_spec": spec,
                "managed_by": managed_by,
                "billable_hours": key_hours,
                "key_months": _to_decimal(key_months if managed_by == "customer" else Fraction(0)),
                "rotations_charged": sum(1 for h in rotation_hours if h) if managed_by == "customer" else 0,
                "rotation_months": _to_decimal(rotation_months if managed_by == "customer" else Fraction(0)),
                "USD": _to_decimal(usd),
            }
        )
    for i, req in enumerate(requests):
        where = f"usage.requests[{i}]"
        req = check_fields(req, _USAGE_REQUEST_FIELDS | _USAGE_REQUEST_OPTIONAL, where)
        missing = sorted({"month", "region", "operation", "count"} - set(req))
        if missing:
            raise EstimateInputError(
                f"{where}.{missing[0]}", None, f"the fields {sorted(_USAGE_REQUEST_FIELDS)}"
            )
        parse_month(req["month"])
        if req["month"] != month:
            continue
        op = _check_operation(req["operation"], f"{where}.operation")
        spec = _check_key_spec(req.get("key_spec"), f"{where}.key_spec")
        pair = _check_key_pair_spec(req.get("key_pair_spec"), f"{where}.key_pair_spec")
        region = regions.check(req["region"], f"{where}.region")
        count = check_count(req["count"], f"{where}.count")
        ids = req.get("request_ids", ())
        if not isinstance(ids, list | tuple) or len(ids) > count or not all(isinstance(x, str) for x in ids):
            raise EstimateInputError(
                f"{where}.request_ids", ids, "a list of at most count request IDs (strings)"
            )
        bill.add_requests(region, op, spec, pair, count, "customer", metered=True, request_ids=ids)
    _bill_clusters(bill, usage.get("cloudhsm_clusters", []), start, end)
    columns = [
        "arn",
        "region",
        "key_spec",
        "managed_by",
        "billable_hours",
        "key_months",
        "rotations_charged",
        "rotation_months",
        "USD",
    ]
    import pandas as pd

    return bill.finish(pd.DataFrame.from_records(detail, columns=columns), metered=True)


def _bill_clusters(bill: _Bill, clusters: object, start: dt.datetime, end: dt.datetime) -> None:
    """Add the HSM-hours of ``usage["cloudhsm_clusters"]`` in [start, end) to ``bill``, one line per Region."""
    if not _is_list(clusters):
        raise EstimateInputError("usage.cloudhsm_clusters", clusters, "a list of clusters")
    assert isinstance(clusters, Sequence)
    per_region: dict[str, Fraction] = {}
    for i, cluster in enumerate(clusters):
        where = f"usage.cloudhsm_clusters[{i}]"
        cluster = check_fields(cluster, _USAGE_CLUSTER_FIELDS, where)
        missing = sorted(_USAGE_CLUSTER_FIELDS - set(cluster))
        if missing:
            raise EstimateInputError(
                f"{where}.{missing[0]}", None, f"all of the fields {sorted(_USAGE_CLUSTER_FIELDS)}"
            )
        region = bill.pricing.known_regions.check(cluster["region"], f"{where}.region")
        hsms = cluster["hsms"]
        if not _is_list(hsms):
            raise EstimateInputError(f"{where}.hsms", hsms, "a list of [start, stop or None], one per HSM")
        total = Fraction(0)
        for j, period in enumerate(hsms):
            at = f"{where}.hsms[{j}]"
            if not _is_list(period) or len(period) != 2:
                raise EstimateInputError(at, period, "[start, stop or None]")
            first = max(_aware(period[0], at), start)
            stop = end if period[1] is None else min(_aware(period[1], at), end)
            if choices.CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE:
                total += _hour_buckets(first, stop)
            elif stop > first:
                total += Fraction((stop - first) // dt.timedelta(microseconds=1), 3_600_000_000)
        if total:
            per_region[region] = per_region.get(region, Fraction(0)) + total
    for region in sorted(per_region):
        bill.add_hsm_hours(region, per_region[region])
