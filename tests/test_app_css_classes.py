"""The CSS classes the browser tests and trainers' styles select apps' widgets by, after the apps share one helper
(``App.add_css_classes``): every widget keeps exactly the class it had."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pytest

import kmssim
from kmssim.apps import CostCalculatorApp, PolicyLabApp, TimeMachineApp
from kmssim.apps._base import App
from kmssim.apps.cloudtrail_panel import CloudTrailPanel

COST = {
    "keys": "kmssim-keys",
    "key_spec": "kmssim-key-spec",
    "region": "kmssim-region",
    "requests": "kmssim-requests",
    "rotations": "kmssim-rotations",
    "free_tier": "kmssim-free-tier",
    "scenario": "kmssim-scenario",
    "scenario_info": "kmssim-scenario-info",
    "total": "kmssim-total",
    "lines": "kmssim-lines",
    "error": "kmssim-error",
}
LAB = {
    "policy": "kmssim-policy",
    "principal": "kmssim-principal",
    "action": "kmssim-action",
    "identity_policy": "kmssim-identity-policy",
    "context": "kmssim-context",
    "request_context": "kmssim-request-context",
    "evaluate_button": "kmssim-evaluate",
    "decision": "kmssim-decision",
    "error": "kmssim-error",
    "matrix": "kmssim-matrix",
}
PANEL = {
    name: f"kmssim-ct-{name.replace('_', '-')}"
    for name in ("source", "load", "upload", "month", "bill", "peaks", "key", "policy", "replay", "error")
} | {"replay_result": "kmssim-ct-replay-result"}
CLOCK = {"now": "kmssim-now", "keys_table": "kmssim-keys-table", "trail": "kmssim-trail"}


def css(widget: Any) -> list[str]:
    return list(widget._dom_classes)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (CostCalculatorApp, COST),
        (PolicyLabApp, LAB),
        (CloudTrailPanel, PANEL),
        (lambda: TimeMachineApp(kmssim.Simulator(seed=1)), CLOCK),
    ],
    ids=["cost-calculator", "policy-lab", "cloudtrail-panel", "time-machine"],
)
def test_each_widget_has_its_class_once(make: Any, expected: dict[str, str]) -> None:
    app = make()
    for name, cls in expected.items():
        assert css(getattr(app, name)) == [cls], name


class _Two(App):
    def __init__(self) -> None:
        self.first_box = widgets.HTML()
        self.second = widgets.HTML()


def test_add_css_classes_names_by_attribute_or_given_suffix() -> None:
    app = _Two()
    app.add_css_classes("x-", "first_box second", second="two")
    assert css(app.first_box) == ["x-first-box"]
    assert css(app.second) == ["x-two"]
    with pytest.raises(AttributeError):
        app.add_css_classes("x-", "missing")
