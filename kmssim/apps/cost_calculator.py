"""The cost calculator: a monthly AWS KMS estimate for one fleet of keys, for architects.

The model is :func:`compute_cost` (inputs in, total, lines and an error message out) and
:func:`inputs_from_scenario` (a preset of ``data/scenarios.json`` folded into the form's inputs). The widgets
of :class:`CostCalculatorApp` only read their values, call these and write HTML.

Prices and rules: :func:`kmssim.estimate` (https://aws.amazon.com/kms/pricing/).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import ipywidgets as widgets

from ..pricing import (
    KEY_SPECS,
    KEYS_PER_REGION,
    MAX_COUNT,
    PRICE_ITEMS,
    Estimate,
    EstimateInputError,
    PricingTable,
    QuotaTable,
    estimate,
    key_family,
    load_pricing,
    load_quotas,
    parse_month,
    price_class,
    quota_limits_for,
    scenarios,
)
from ._base import App, error_html, esc, format_usd, html_table
from .cloudtrail_panel import CloudTrailPanel

__all__ = [
    "MAX_KEYS",
    "MAX_ROTATIONS",
    "CostCalculatorApp",
    "CostInputs",
    "CostResult",
    "compute_cost",
    "inputs_from_scenario",
    "max_requests",
    "parse_count",
    "request_operation",
]

#: The form prices one fleet in one Region: at most the default quota of customer managed KMS keys per Region,
#: 100,000 (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html), from the simulator's
#: own limit. A raised quota can be priced with :func:`kmssim.estimate`, which takes up to 10**15.
MAX_KEYS = KEYS_PER_REGION
#: Rotations so far per key. AWS sets no cap on automatic rotations (one every 90 to 2,560 days) and allows a
#: few on-demand ones; only the first two are charged from May 2024. 100 is a sensible maximum: at the shortest
#: period it takes over 24 years, longer than KMS has existed (2014). A choice where AWS is silent.
MAX_ROTATIONS = 100
#: A number as people type it: digits with optional thousands commas, an optional fraction and an optional
#: exponent (``1e9``); the value must then be whole. ASCII only, the whole field.
_NUMBER = re.compile(r"([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(\.[0-9]*)?(?:[eE]\+?([0-9]{1,3}))?")

#: The operation the form's requests stand for, by key family: what a workload mostly calls on such a key.
#: The price class follows from operation and key spec (:func:`kmssim.pricing.price_class`).
_OPERATION_BY_FAMILY: Mapping[str, str] = {
    "symmetric": "Decrypt",
    "hmac": "GenerateMac",
    "rsa": "Decrypt",
    "ecc": "Sign",
    "sm2": "Sign",
    "ml_dsa": "Sign",
    "ml_kem": "Decapsulate",
}

_CLASS_WORDS: Mapping[str, str] = {
    "requests_symmetric": "symmetric and HMAC requests (free tier applies)",
    "requests_rsa_2048": "requests with RSA 2048 keys (no free tier)",
    "requests_asymmetric": "asymmetric requests (no free tier)",
}


@dataclass(frozen=True)
class CostInputs:
    """What the form holds: one fleet of customer managed keys in one Region and its monthly requests."""

    keys: int = 10
    key_spec: str = "SYMMETRIC_DEFAULT"
    region: str = "us-east-1"
    requests: int = 1_000_000
    rotations: int = 0
    free_tier: bool = True
    month: str = "2026-06"


@dataclass(frozen=True)
class CostResult:
    """The estimate (None when the inputs are wrong) or the message that says what is wrong."""

    estimate: Estimate | None
    error: str = ""

    @property
    def total(self) -> Decimal | None:
        return self.estimate.total if self.estimate is not None else None

    def total_html(self) -> str:
        if self.estimate is None:
            return "<b>Monthly total:</b> — (see the message)"
        return (
            f"<b>Monthly total for {esc(self.estimate.month)}:</b> "
            f"<span style='font-size:1.3em;font-weight:bold'>{format_usd(self.estimate.total)}</span> USD"
        )

    def lines_html(self) -> str:
        if self.estimate is None:
            return ""
        est = self.estimate
        if est.lines.empty:
            return "<p>No charges: no customer managed keys and no requests.</p>"
        rows = [
            (
                rec["item"],
                rec["region"],
                _quantity(rec["quantity"]),
                rec["unit"],
                _unit_price(Decimal(rec["unit price"]), str(rec["unit"])),
                format_usd(Decimal(rec["USD"])),
            )
            for rec in est.lines.to_dict("records")
        ]
        rows.append(("Total (rounded once, half-up)", "", "", "", "", format_usd(est.total)))
        notes = "".join(f"<li>{esc(n)}</li>" for n in est.notes)
        return (
            html_table(["item", "Region", "quantity", "unit", "unit price", "USD"], rows)
            + f"<ul style='font-size:0.85em'>{notes}</ul>"
        )


def _unit_price(price: Decimal, unit: str) -> str:
    """Request prices as AWS lists them (per 10,000 requests); other prices as they are."""
    per, suffix = (10_000, " per 10,000") if unit == "requests" else (1, "")
    amount = (abs(price) * per).normalize()
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return f"{'-' if price < 0 else ''}${amount:f}{suffix}"


def _quantity(value: object) -> str:
    dec = Decimal(str(value))
    if dec == dec.to_integral_value():
        return f"{dec.to_integral_value():,}"
    return f"{dec.quantize(Decimal('0.0001')).normalize():f}"


def parse_count(text: object, label: str, maximum: int, why: str = "") -> int:
    """The whole number a form field holds, from 0 to ``maximum``; ValueError with a sentence for the form
    otherwise. ``1e9`` and ``1,000,000`` are read as people mean them; ``12.7`` and ``-5`` are refused."""
    raw = str(text).strip().replace("_", "")
    if not raw:
        raise ValueError(f"{label}: enter a whole number from 0 to {maximum:,}.")
    if raw.startswith("-") and _NUMBER.fullmatch(raw[1:]):
        raise ValueError(f"{label} must be 0 or more, not {raw}.")
    match = _NUMBER.fullmatch(raw)
    if match is None:
        raise ValueError(f"{label}: {raw!r} is not a number; enter a whole number such as 1000 or 1e6.")
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only Decimal syntax
        raise ValueError(f"{label}: {raw!r} is not a number.") from None
    if value != value.to_integral_value():
        raise ValueError(f"{label} must be a whole number, not {raw}.")
    if value > maximum:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{label} can be at most {maximum:,}{reason}, not {raw}.")
    return int(value)


def max_requests(inputs: CostInputs, quotas: QuotaTable | None = None) -> int:
    """The most requests a month the form takes: what the Region's default request quota for these requests
    allows over every second of the month (data/kms_request_quotas.csv), or MAX_COUNT when no quota applies."""
    table = load_quotas() if quotas is None else quotas
    try:
        year, month = parse_month(inputs.month)
        limits = quota_limits_for(
            request_operation(inputs.key_spec), inputs.key_spec, None, inputs.region, table
        )
    except (EstimateInputError, KeyError):
        return MAX_COUNT
    if not limits:
        return MAX_COUNT
    seconds = calendar.monthrange(year, month)[1] * 86_400
    return min(MAX_COUNT, int(Decimal(repr(min(limit for _, limit in limits))) * seconds))


def _bound_reason(inputs: CostInputs) -> str:
    return (
        f"the default request quota of {inputs.region} for these requests, every second of {inputs.month}; "
        "price a raised quota with kmssim.estimate"
    )


def request_operation(key_spec: str) -> str:
    """The KMS operation the form's requests are priced as, for a key of ``key_spec``."""
    return _OPERATION_BY_FAMILY[key_family(key_spec)]


def _region_problem(inputs: CostInputs, pricing: PricingTable, request_class: str | None) -> str:
    """Why ``inputs.region`` cannot be priced, or '' when every price it needs is known."""
    if not isinstance(inputs.region, str) or inputs.region not in pricing.known_regions:
        return f"{inputs.region!r} is not an AWS Region kmssim knows."
    needed: list[str] = []
    if inputs.keys:
        needed.append("key_month")
        if inputs.rotations:
            needed.append("rotation_month")
    if inputs.requests and request_class is not None:
        needed.append(request_class)
        if inputs.free_tier and PRICE_ITEMS[request_class].free_tier_eligible:
            needed.append("free_tier_requests")
    name = pricing.known_regions[inputs.region].name
    for item in needed:
        row = pricing.row(inputs.region, item)
        if row is None or row.price is None:
            label = PRICE_ITEMS[item].label
            priced = ", ".join(pricing.priced_regions(item)) or "none"
            return (
                f"No price for {label} in {inputs.region} ({name}): the pricing table has no source for it, "
                f"and kmssim does not guess. Regions with this price: {priced}."
            )
    return ""


def compute_cost(inputs: CostInputs, pricing: PricingTable | None = None) -> CostResult:
    """Price the form's inputs; bad inputs give a message instead of an estimate (never an exception)."""
    table = load_pricing() if pricing is None else pricing
    if not isinstance(inputs.key_spec, str) or inputs.key_spec not in KEY_SPECS:
        return CostResult(None, f"Unknown key spec {inputs.key_spec!r}.")
    if not isinstance(inputs.region, str) or inputs.region not in table.known_regions:
        return CostResult(None, f"{inputs.region!r} is not an AWS Region kmssim knows.")
    for label, value, maximum, why in (
        ("Number of keys", inputs.keys, MAX_KEYS, "the default quota of KMS keys per Region"),
        ("Requests per month", inputs.requests, max_requests(inputs), _bound_reason(inputs)),
        ("Rotations", inputs.rotations, MAX_ROTATIONS, ""),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            return CostResult(None, f"{label} must be a whole number, not {value!r}.")
        if value < 0:
            return CostResult(None, f"{label} must be 0 or more, not {value:,}.")
        if value > maximum:
            reason = f" ({why})" if why else ""
            return CostResult(None, f"{label} can be at most {maximum:,}{reason}, not {value:,}.")
    if inputs.rotations and key_family(inputs.key_spec) != "symmetric":
        return CostResult(
            None,
            f"{inputs.key_spec} keys cannot be rotated: automatic and on-demand rotation are for symmetric "
            "encryption keys only (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html). "
            "Set rotations to 0.",
        )
    operation = request_operation(inputs.key_spec)
    request_class: str | None = None
    if inputs.requests:
        try:
            request_class = price_class(operation, inputs.key_spec)
        except EstimateInputError:
            return CostResult(
                None,
                f"AWS publishes no request price for {operation} with {inputs.key_spec} keys, so kmssim cannot "
                "price these requests. Set requests to 0 to price the keys alone.",
            )
    problem = _region_problem(inputs, table, request_class)
    if problem:
        return CostResult(None, problem)
    keys = [
        {
            "count": inputs.keys,
            "key_spec": inputs.key_spec,
            "region": inputs.region,
            "rotations": inputs.rotations,
        }
    ]
    requests = [
        {
            "operation": operation,
            "count": inputs.requests,
            "key_spec": inputs.key_spec,
            "region": inputs.region,
        }
    ]
    try:
        est = estimate(
            keys if inputs.keys else [],
            requests if inputs.requests else [],
            month=inputs.month,
            free_tier=inputs.free_tier,
            pricing=table,
        )
    except EstimateInputError as exc:
        return CostResult(None, str(exc))
    return CostResult(est)


def describe_requests(inputs: CostInputs) -> str:
    """One line saying what the requests field is priced as, for the form's help text."""
    operation = request_operation(inputs.key_spec)
    try:
        klass = price_class(operation, inputs.key_spec)
    except EstimateInputError:
        return f"{operation} requests on {inputs.key_spec} keys: AWS publishes no price for them."
    return f"priced as {operation} on {inputs.key_spec} keys: {_CLASS_WORDS[klass]}"


@dataclass(frozen=True)
class ScenarioFill:
    """A preset folded into the form: the inputs, and whether the form reproduces the preset's estimate."""

    inputs: CostInputs
    exact: bool
    preset_total: Decimal | None
    lever_total: Decimal | None
    note: str


def inputs_from_scenario(
    name: str, *, free_tier: bool = True, month: str | None = None, pricing: PricingTable | None = None
) -> ScenarioFill:
    """Fold preset ``name`` into the form: key counts and request counts summed, spec, Region and rotations
    of its first key. ``exact`` says whether the form's estimate equals the preset's own."""
    sc = scenarios.load(name)
    first_key: Mapping[str, Any] = sc.keys[0] if sc.keys else {}
    first_request: Mapping[str, Any] = sc.requests[0] if sc.requests else {}
    inputs = CostInputs(
        keys=sum(int(k.get("count", 1)) for k in sc.keys),
        key_spec=str(first_key.get("key_spec", first_request.get("key_spec", "SYMMETRIC_DEFAULT"))),
        region=str(first_key.get("region", first_request.get("region", "us-east-1"))),
        requests=sum(int(r["count"]) for r in sc.requests),
        rotations=int(first_key.get("rotations", 0)),
        free_tier=free_tier,
        month=month or sc.month,
    )
    try:
        preset: Decimal | None = sc.estimate(free_tier=free_tier, pricing=pricing).total
        lever: Decimal | None = sc.estimate_with_lever(free_tier=free_tier, pricing=pricing).total
    except EstimateInputError:  # a pricing table without prices for the preset's Regions
        preset = lever = None
    form = compute_cost(inputs, pricing).total
    exact = preset is not None and form == preset
    regions = sorted({str(k.get("region", "us-east-1")) for k in sc.keys})
    note = "" if len(regions) < 2 else f"The preset spreads its keys over {', '.join(regions)}; "
    if exact:
        note += "the form reproduces the preset's estimate." if note else ""
    elif preset is not None:
        note += f"the form approximates the preset (its own estimate: {format_usd(preset)})."
    return ScenarioFill(inputs, exact, preset, lever, note[:1].upper() + note[1:])


def _preset_totals(fill: ScenarioFill) -> str:
    if fill.preset_total is None or fill.lever_total is None:
        return "This pricing table cannot price the preset."
    return (
        f"Preset {format_usd(fill.preset_total)} → with the lever {format_usd(fill.lever_total)} per month."
    )


def scenario_html(name: str, fill: ScenarioFill) -> str:
    """The preset's story and its cost lever."""
    sc = scenarios.load(name)
    assumptions = "".join(f"<li>{esc(a)}</li>" for a in sc.assumptions)
    sources = " ".join(f"<a href='{esc(u)}' target='_blank'>[{i + 1}]</a>" for i, u in enumerate(sc.sources))
    note = f"<p><i>{esc(fill.note)}</i></p>" if fill.note else ""
    return (
        f"<div><b>{esc(sc.title)}</b> {sources}<p>{esc(sc.description)}</p><ul>{assumptions}</ul>{note}"
        f"<p><b>Lever: {esc(sc.lever_title)}</b> — {esc(sc.lever)}<br>"
        f"{_preset_totals(fill)}</p></div>"
    )


def number_field(
    value: int, description: str, style: Mapping[str, str], layout: widgets.Layout
) -> widgets.Text:
    """A number field as a Text widget, updated on Enter or leaving the field (parsed by :func:`parse_count`)."""
    return widgets.Text(
        value=str(value), description=description, continuous_update=False, style=style, layout=layout
    )


class CostCalculatorApp(App):
    """Monthly AWS KMS cost of a fleet of customer managed keys, updated on every change.

    DOM classes (for browser tests): ``kmssim-keys``, ``kmssim-key-spec``, ``kmssim-region``,
    ``kmssim-requests``, ``kmssim-rotations``, ``kmssim-free-tier``, ``kmssim-scenario`` (inputs);
    ``kmssim-total``, ``kmssim-lines``, ``kmssim-error`` (outputs) and ``kmssim-cost-calculator`` (the app).
    """

    CUSTOM = ""

    def __init__(self, pricing: PricingTable | None = None, month: str = "2026-06") -> None:
        self.pricing = load_pricing() if pricing is None else pricing
        parse_month(month)  # EstimateInputError at once for a month the form could never price
        self.month = month
        start = CostInputs(month=month)
        style = {"description_width": "210px"}
        wide = widgets.Layout(width="440px")
        # Text, not IntText: the browser's number parsing turned "1e9" into 19 and "12.7" into 127; the
        # model parses what was typed (parse_count) and says what it cannot price.
        self.keys = number_field(start.keys, "Customer managed keys", style, wide)
        self.key_spec = widgets.Dropdown(
            options=list(KEY_SPECS), value=start.key_spec, description="Key spec", style=style, layout=wide
        )
        regions = self.pricing.regions()
        if start.region not in regions:
            start = replace(start, region=regions[0])
        self.region = widgets.Dropdown(
            options=regions, value=start.region, description="Region", style=style, layout=wide
        )
        self.requests = number_field(start.requests, "Requests per month", style, wide)
        self.requests_help = widgets.HTML()
        self.rotations = number_field(start.rotations, "Rotations so far (per key)", style, wide)
        self.free_tier = widgets.Checkbox(
            value=start.free_tier, description="Subtract the free tier (20,000 requests)", indent=False
        )
        self.scenario = widgets.Dropdown(
            options=[("(custom)", self.CUSTOM), *((n, n) for n in scenarios.names())],
            value=self.CUSTOM,
            description="Scenario preset",
            style=style,
            layout=wide,
        )
        self.scenario_info, self.total, self.lines, self.error = (widgets.HTML() for _ in range(4))
        self.add_css_classes(
            "kmssim-",
            "keys key_spec region requests rotations free_tier scenario scenario_info total lines error",
        )
        # A CloudTrail log instead of typed-in figures: the panel is built (and reads its log) when first opened.
        self.cloudtrail: CloudTrailPanel | None = None
        self.from_cloudtrail = widgets.Accordion(children=[widgets.VBox()], selected_index=None)
        self.from_cloudtrail.set_title(
            0, "From a CloudTrail log: last month's bill, its busiest second, a policy replay"
        )
        self.from_cloudtrail.add_class("kmssim-from-cloudtrail")
        self.from_cloudtrail.observe(self._on_open_cloudtrail, names="selected_index")
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h3>AWS KMS monthly cost</h3>"),
                self.scenario,
                self.scenario_info,
                self.keys,
                self.key_spec,
                self.region,
                self.requests,
                self.requests_help,
                self.rotations,
                self.free_tier,
                self.error,
                self.total,
                self.lines,
                self.from_cloudtrail,
            ]
        )
        self.widget.add_class("kmssim-cost-calculator")
        self.result = CostResult(None)
        self._filling = False
        for w in (self.keys, self.key_spec, self.region, self.requests, self.rotations, self.free_tier):
            w.observe(self._on_input, names="value")
        self.scenario.observe(self._on_scenario, names="value")
        self.recompute()

    def inputs(self) -> CostInputs:
        """The form's current values; ValueError with the message for the form when a field is not a
        whole number within its bounds (:data:`MAX_KEYS`, :func:`max_requests`, :data:`MAX_ROTATIONS`)."""
        keys = parse_count(
            self.keys.value, "Number of keys", MAX_KEYS, "the default quota of KMS keys per Region"
        )
        rotations = parse_count(self.rotations.value, "Rotations", MAX_ROTATIONS)
        draft = CostInputs(
            keys=keys,
            key_spec=str(self.key_spec.value),
            region=str(self.region.value),
            requests=0,
            rotations=rotations,
            free_tier=bool(self.free_tier.value),
            month=self.month,
        )
        requests = parse_count(
            self.requests.value, "Requests per month", max_requests(draft), _bound_reason(draft)
        )
        return replace(draft, requests=requests)

    def recompute(self) -> CostResult:
        """Price the current inputs and show the total, the lines or the error. The figure is cleared first,
        so a failure can never leave an earlier total on screen."""
        self.total.value = CostResult(None).total_html()
        self.lines.value = ""
        try:
            inputs = self.inputs()
        except ValueError as exc:
            self.result = CostResult(None, str(exc))
            self.requests_help.value = ""
        else:
            self.result = compute_cost(inputs, self.pricing)
            self.requests_help.value = f"<small>{esc(describe_requests(inputs))}</small>"
        self.error.value = error_html(self.result.error)
        self.total.value = self.result.total_html()
        self.lines.value = self.result.lines_html()
        return self.result

    def fill(self, inputs: CostInputs) -> None:
        """Set every input at once, then recompute once."""
        self._filling = True
        try:
            self.keys.value = str(inputs.keys)
            self.key_spec.value = inputs.key_spec
            self.region.value = inputs.region
            self.requests.value = str(inputs.requests)
            self.rotations.value = str(inputs.rotations)
            self.free_tier.value = inputs.free_tier
        finally:
            self._filling = False
        self.recompute()

    def _on_open_cloudtrail(self, change: dict[str, Any]) -> None:
        if change["new"] == 0 and self.cloudtrail is None:
            self.cloudtrail = CloudTrailPanel()
            self.from_cloudtrail.children = [self.cloudtrail.widget]

    def _on_input(self, change: Mapping[str, Any]) -> None:
        if self._filling:
            return
        if self.scenario.value != self.CUSTOM:
            self._filling = True  # a hand edit leaves the preset: back to (custom), keeping the values
            try:
                self.scenario.value = self.CUSTOM
                self.scenario_info.value = ""
            finally:
                self._filling = False
        self.recompute()

    def _on_scenario(self, change: Mapping[str, Any]) -> None:
        if self._filling or change["new"] == self.CUSTOM:
            return
        name = str(change["new"])
        fill = inputs_from_scenario(
            name, free_tier=bool(self.free_tier.value), month=self.month, pricing=self.pricing
        )
        self.scenario_info.value = scenario_html(name, fill)
        if fill.inputs.region not in self.region.options:
            self.error.value = error_html(
                f"The preset {name!r} is in {fill.inputs.region}, a Region this pricing table has no rows for."
            )
            return
        self.fill(replace(fill.inputs, month=self.month))
