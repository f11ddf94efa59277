"""The ipywidgets apps the notebooks display: cost calculator, policy lab and time machine.

Each app keeps its logic in pure functions of its module (testable without widgets) and shows as one
``ipywidgets.VBox`` (``app.widget``). Every input and output widget carries a ``kmssim-*`` CSS class for
browser tests; the classes are listed in each app's docstring.

>>> from kmssim.apps import CostCalculatorApp
>>> app = CostCalculatorApp()
>>> app.keys.value = "3"
>>> "$" in app.total.value
True
"""

from __future__ import annotations

from .cost_calculator import CostCalculatorApp, CostInputs, CostResult, compute_cost, inputs_from_scenario
from .policy_lab import LabSetup, PolicyLabApp, lab_decision, lab_matrix, parse_pairs, plot_access_matrix
from .time_machine import TimeMachineApp, key_inventory

__all__ = [
    "CostCalculatorApp",
    "CostInputs",
    "CostResult",
    "LabSetup",
    "PolicyLabApp",
    "TimeMachineApp",
    "compute_cost",
    "inputs_from_scenario",
    "key_inventory",
    "lab_decision",
    "lab_matrix",
    "parse_pairs",
    "plot_access_matrix",
]
