"""What every app shares: the top-level widget, display, and small HTML helpers.

The apps hold their widgets as attributes and display as their top-level ``widget`` (an ``ipywidgets.VBox``).
Everything they compute comes from pure functions in the app modules; the HTML helpers here only format.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["NOT_RUNNING_NOTE", "App", "error_html", "esc", "format_usd", "html_table"]

#: What a notebook shows for an app whose cell has not run in this session (the stored text/plain output, shown
#: when the widget itself is not live), instead of the widget's raw ``VBox(...)`` repr.
NOT_RUNNING_NOTE = "{name}: run this cell to start the app."


def esc(value: object) -> str:
    """HTML-escape ``str(value)``."""
    return html.escape(str(value), quote=True)


def format_usd(amount: Decimal) -> str:
    """``Decimal("1234.5")`` -> ``"$1,234.50"`` (rounded half-up to cents; negatives as ``-$0.06``)."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def error_html(message: str) -> str:
    """An inline error box (empty string for no message)."""
    if not message:
        return ""
    return (
        '<div style="color:#82071e;background:#ffebe9;border:1px solid #ff8182;border-radius:4px;'
        f'padding:4px 8px;white-space:pre-wrap">{esc(message)}</div>'
    )


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    css_class: str = "",
    raw_columns: Iterable[int] = (),
) -> str:
    """A plain HTML table; cells are escaped except in ``raw_columns`` (already HTML)."""
    raw = frozenset(raw_columns)
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f"<td style='padding:2px 8px'>{cell if i in raw else esc(cell)}</td>"
            for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    cls = f" class='{esc(css_class)}'" if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class App:
    """Base of the apps: shows as its top-level ``widget`` in Jupyter and Voilà.

    The display bundle is the widget's view with a short plain-text note instead of the widget's repr: a saved
    notebook opened later has no live widget, and its reader then sees "run this cell to start the app".
    """

    widget: Any

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: display it in Jupyter or Voila; its widgets are attributes>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            data, metadata = bundle
            return {**data, "text/plain": self.not_running_note()}, metadata
        return {**(bundle or {}), "text/plain": self.not_running_note()}

    def add_css_classes(self, prefix: str, attributes: str, **suffixes: str) -> None:
        """Give each widget attribute named in ``attributes`` (space-separated) the CSS class ``prefix`` + its
        name with ``-`` for ``_`` (``key_spec`` -> ``kmssim-key-spec``), or + ``suffixes[name]`` when given."""
        for name in attributes.split():
            getattr(self, name).add_class(prefix + suffixes.get(name, name.replace("_", "-")))

    def not_running_note(self) -> str:
        """``TimeMachineApp: run this cell to start the app.``"""
        return NOT_RUNNING_NOTE.format(name=type(self).__name__)
