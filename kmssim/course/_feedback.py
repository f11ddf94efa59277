"""What every check returns: right or not yet, in plain words, and what to look at when it is not right."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .style import ALLOWED, DENIED

__all__ = ["Feedback", "not_yet", "right"]


@dataclass(frozen=True)
class Feedback:
    """The answer to "is my exercise right?": ``ok``, the ``message``, and ``hint`` (what to look at) when not."""

    ok: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = "Right: " if self.ok else "Not yet: "
        return head + self.message + (f"\nLook at: {self.hint}" if self.hint else "")

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = ALLOWED if self.ok else DENIED
        head = "Right" if self.ok else "Not yet"
        hint = f"<br><b>Look at:</b> {html.escape(self.hint)}" if self.hint else ""
        return (
            f"<div class='kmssim-check' style='border-left:6px solid {colour};padding:4px 10px'>"
            f"<b>{head}:</b> {html.escape(self.message)}{hint}</div>"
        )


def right(message: str) -> Feedback:
    return Feedback(True, message)


def not_yet(message: str, hint: str = "") -> Feedback:
    return Feedback(False, message, hint)
