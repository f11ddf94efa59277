"""Progress for long reads: a widget bar in a notebook, a text line on a terminal, or any callable.

No dependency beyond ipywidgets (already required): in a running IPython kernel an ``IntProgress`` bar and a
label are displayed; elsewhere one line on standard error is rewritten in place (only on a terminal).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

#: ``progress=`` accepts None/False (silent), True (notebook bar or terminal line, whichever fits), "text"
#: (always a text line, even when standard error is not a terminal), or a callable ``f(done, total, label)``.
ProgressArg = bool | str | Callable[[int, int, str], object] | None


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    get = getattr(shell, "get_ipython", None)
    ip = get() if get is not None else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class Progress:
    """Report ``done`` of ``total`` units; ``close()`` leaves the final state shown."""

    def __init__(
        self, progress: ProgressArg, total: int, label: str, *, stream: TextIO | None = None
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.done = 0
        self._callback: Callable[[int, int, str], object] | None = None
        self._stream: TextIO | None = None
        self._bar: Any = None
        self._text: Any = None
        if progress is None or progress is False:
            return
        if callable(progress) and not isinstance(progress, bool | str):
            self._callback = progress
        elif progress == "text" or (progress is True and not _in_notebook()):
            out = stream if stream is not None else sys.stderr
            if progress == "text" or out.isatty():
                self._stream = out
        elif progress is True:
            import ipywidgets as widgets
            from IPython.display import display

            self._bar = widgets.IntProgress(value=0, min=0, max=max(self.total, 1), description=label)
            self._text = widgets.Label(value=f"0 / {self.total}")
            display(widgets.HBox([self._bar, self._text]))  # type: ignore[no-untyped-call]
        else:
            raise ValueError(
                f"progress={progress!r}: give True, False, 'text' or a function f(done, total, label)"
            )
        self._show()

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        self._show(note)

    def _show(self, note: str = "") -> None:
        if self._callback is not None:
            self._callback(self.done, self.total, note or self.label)
        elif self._stream is not None:
            pct = 100 * self.done // self.total if self.total else 100
            width = 30
            filled = width * self.done // self.total if self.total else width
            line = (
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} ({pct}%)"
            )
            self._stream.write(line + (f" {note}" if note else ""))
            self._stream.flush()
        elif self._bar is not None:
            self._bar.value = min(self.done, self._bar.max)
            self._text.value = f"{self.done} / {self.total}" + (f" {note}" if note else "")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.write("\n")
            self._stream.flush()
