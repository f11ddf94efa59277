"""The time machine: move a simulator's clock and watch rotations and deletions happen.

The model is :func:`key_inventory` (the simulator's keys as rows, read without making API calls, so the
trail, the metered requests and the bill stay untouched) and :func:`now_text`; :class:`TimeMachineApp` only
calls ``Simulator.advance`` and redraws. Rotation: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html;
deletion: https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ._base import App, html_table

if TYPE_CHECKING:
    from .. import Simulator

__all__ = [
    "KEY_COLUMNS",
    "STEPS",
    "KeyRow",
    "TimeMachineApp",
    "key_inventory",
    "keys_html",
    "now_text",
    "trail_html",
]

#: Buttons: (label, days, DOM class).
STEPS: tuple[tuple[str, int, str], ...] = (
    ("+1 day", 1, "kmssim-advance-1"),
    ("+30 days", 30, "kmssim-advance-30"),
    ("+1 year", 365, "kmssim-advance-365"),
)


def _when(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class KeyRow:
    """One live key (not yet deleted) as the time machine shows it."""

    key_id: str
    aliases: str
    key_spec: str
    manager: str
    state: str
    rotation: str
    next_rotation: str
    rotations: int
    deletion_date: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.key_id,
            self.aliases,
            self.key_spec,
            self.manager,
            self.state,
            self.rotation,
            self.next_rotation,
            str(self.rotations),
            self.deletion_date,
        )


KEY_COLUMNS = (
    "key",
    "aliases",
    "key spec",
    "managed by",
    "state",
    "rotation",
    "next rotation",
    "rotations",
    "deletion date",
)


def key_inventory(sim: Simulator) -> list[KeyRow]:
    """The simulator's keys that are not deleted yet, in creation order."""
    rows = []
    for key in sim.inventory():
        pending = key.state == "PendingDeletion"
        if key.rotation_enabled:
            rotation = f"every {key.rotation_period_days} days"
        elif pending and key.rotation_period_days is not None:
            rotation = "paused (pending deletion)"
        else:
            rotation = "off"
        rows.append(
            KeyRow(
                key_id=key.key_id,
                aliases=", ".join(key.aliases),
                key_spec=key.key_spec,
                manager="AWS" if key.key_manager == "AWS" else "customer",
                state=key.state,
                rotation=rotation,
                next_rotation=_when(key.next_rotation) if key.next_rotation is not None else "",
                rotations=key.rotations,
                deletion_date=_when(key.deletion_date) if key.deletion_date is not None else "",
            )
        )
    return rows


def keys_html(rows: Sequence[KeyRow]) -> str:
    if not rows:
        return "<p><em>No keys (deleted keys are gone for good).</em></p>"
    return html_table(KEY_COLUMNS, [r.cells() for r in rows])


def now_text(sim: Simulator) -> str:
    """``Simulated time: 2026-01-01 00:00 UTC``."""
    return f"Simulated time: {sim.now.strftime('%Y-%m-%d %H:%M')} UTC"


def trail_html(sim: Simulator, last: int = 10) -> str:
    """The last ``last`` trail events, oldest first."""
    trail = sim.trail()
    head = f"<p><b>Last {min(last, len(trail))} of {len(trail)} trail events</b></p>"
    return head + trail[-last:]._repr_html_()


class TimeMachineApp(App):
    """Clock buttons, the simulated time, the keys and the latest trail events of ``sim``.

    DOM classes: ``kmssim-advance-1``, ``kmssim-advance-30``, ``kmssim-advance-365`` (buttons); ``kmssim-now``,
    ``kmssim-keys-table``, ``kmssim-trail`` (outputs) and ``kmssim-time-machine`` (the app).
    """

    def __init__(self, sim: Simulator, *, trail_events: int = 10) -> None:
        self.sim = sim
        self.trail_events = trail_events
        self.buttons: dict[int, widgets.Button] = {}
        for label, days, cls in STEPS:
            button = widgets.Button(description=label, icon="forward")
            button.add_class(cls)
            button.on_click(lambda _b, d=days: self.advance(days=d))
            self.buttons[days] = button
        self.now = widgets.Label()
        self.keys_table = widgets.HTML()
        self.trail = widgets.HTML()
        self.add_css_classes("kmssim-", "now keys_table trail")
        self.widget = widgets.VBox(
            [
                widgets.HBox([*self.buttons.values(), self.now]),
                widgets.HTML("<b>Keys</b>"),
                self.keys_table,
                self.trail,
            ]
        )
        self.widget.add_class("kmssim-time-machine")
        self.refresh()

    def advance(self, days: int) -> None:
        """Move the simulated clock ``days`` forward (rotations and deletions fall due) and redraw."""
        self.sim.advance(days=days)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the simulator (call it after using the simulator elsewhere)."""
        self.now.value = now_text(self.sim)
        self.keys_table.value = keys_html(key_inventory(self.sim))
        self.trail.value = trail_html(self.sim, self.trail_events)
