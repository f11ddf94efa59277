"""The cost calculator: a monthly AWS KMS estimate for one fleet of keys, for architects.

The model is :func:`compute_cost` (inputs in, total, lines and an error message out) and
:func:`inputs_from_scenario` (a preset of ``data/scenarios.json`` folded into the form's inputs). The widgets
of :class:`CostCalculatorApp` only read their values, call these and write HTML.

Prices and rules: :func:`kmssim.estimate` (https://aws.amazon.com/kms/pricing/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import ipywidgets as widgets

from .._pricing import (
    KEY_SPECS,
    Estimate,
    EstimateInputError,
    PricingTable,
    estimate,
    load_pricing,
    price_class,
    scenarios,
)
from .._pricing._catalog import PRICE_ITEMS, key_family
from ._base import App, error_html, esc, format_usd, html_table

__all__ = [
    "CostCalculatorApp",
    "CostInputs",
    "CostResult",
    "compute_cost",
    "inputs_from_scenario",
    "request_operation",
]

#: The operation the form's requests stand for, by key family: what a workload mostly calls on such a key.
#: The price class follows from operation and key spec (:func:`kmssim._pricing.price_class`).
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
    for label, value in (
        ("Number of keys", inputs.keys),
        ("Requests per month", inputs.requests),
        ("Rotations", inputs.rotations),
    ):
        if value < 0:
            return CostResult(None, f"{label} must be 0 or more, not {value:,}.")
    if inputs.key_spec not in KEY_SPECS:
        return CostResult(None, f"Unknown key spec {inputs.key_spec!r}.")
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


class CostCalculatorApp(App):
    """Monthly AWS KMS cost of a fleet of customer managed keys, updated on every change.

    DOM classes (for browser tests): ``kmssim-keys``, ``kmssim-key-spec``, ``kmssim-region``,
    ``kmssim-requests``, ``kmssim-rotations``, ``kmssim-free-tier``, ``kmssim-scenario`` (inputs);
    ``kmssim-total``, ``kmssim-lines``, ``kmssim-error`` (outputs) and ``kmssim-cost-calculator`` (the app).
    """

    CUSTOM = ""

    def __init__(self, pricing: PricingTable | None = None, month: str = "2026-06") -> None:
        self.pricing = load_pricing() if pricing is None else pricing
        self.month = month
        start = CostInputs(month=month)
        style = {"description_width": "210px"}
        wide = widgets.Layout(width="440px")
        self.keys = widgets.IntText(
            value=start.keys, description="Customer managed keys", style=style, layout=wide
        )
        self.key_spec = widgets.Dropdown(
            options=list(KEY_SPECS), value=start.key_spec, description="Key spec", style=style, layout=wide
        )
        regions = self.pricing.regions()
        if start.region not in regions:
            start = replace(start, region=regions[0])
        self.region = widgets.Dropdown(
            options=regions, value=start.region, description="Region", style=style, layout=wide
        )
        self.requests = widgets.IntText(
            value=start.requests, description="Requests per month", style=style, layout=wide
        )
        self.requests_help = widgets.HTML()
        self.rotations = widgets.IntText(
            value=start.rotations, description="Rotations so far (per key)", style=style, layout=wide
        )
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
        self.scenario_info = widgets.HTML()
        self.total = widgets.HTML()
        self.lines = widgets.HTML()
        self.error = widgets.HTML()
        for w, cls in (
            (self.keys, "kmssim-keys"),
            (self.key_spec, "kmssim-key-spec"),
            (self.region, "kmssim-region"),
            (self.requests, "kmssim-requests"),
            (self.rotations, "kmssim-rotations"),
            (self.free_tier, "kmssim-free-tier"),
            (self.scenario, "kmssim-scenario"),
            (self.scenario_info, "kmssim-scenario-info"),
            (self.total, "kmssim-total"),
            (self.lines, "kmssim-lines"),
            (self.error, "kmssim-error"),
        ):
            w.add_class(cls)
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
        """The form's current values."""
        return CostInputs(
            keys=int(self.keys.value),
            key_spec=str(self.key_spec.value),
            region=str(self.region.value),
            requests=int(self.requests.value),
            rotations=int(self.rotations.value),
            free_tier=bool(self.free_tier.value),
            month=self.month,
        )

    def recompute(self) -> CostResult:
        """Price the current inputs and show the total, the lines or the error."""
        inputs = self.inputs()
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
            self.keys.value = inputs.keys
            self.key_spec.value = inputs.key_spec
            self.region.value = inputs.region
            self.requests.value = inputs.requests
            self.rotations.value = inputs.rotations
            self.free_tier.value = inputs.free_tier
        finally:
            self._filling = False
        self.recompute()

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
