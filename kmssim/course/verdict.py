"""What an exercise check answers: right or not yet, in plain words, and when not, what to look at."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .style import ALLOWED, DENIED

__all__ = ["Verdict", "not_yet", "right"]


@dataclass(frozen=True)
class Verdict:
    """``ok`` is True when the answer is right; ``message`` says why, or what to look at when it is not."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{'Right' if self.ok else 'Not yet'}: {self.message}"

    def _repr_html_(self) -> str:
        colour, word = (ALLOWED, "Right") if self.ok else (DENIED, "Not yet")
        return (
            f'<div style="border-left:4px solid {colour};padding:2px 8px">'
            f"<b>{word}:</b> {html.escape(self.message)}</div>"
        )


def right(message: str) -> Verdict:
    return Verdict(True, message)


def not_yet(message: str) -> Verdict:
    return Verdict(False, message)
