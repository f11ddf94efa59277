"""Notebook metadata stored exactly as the kernel reports it, so opening a notebook does not change it.

When JupyterLab connects a kernel it writes the kernel's ``language_info`` (and its ``kernelspec``) into the
notebook's metadata. The shared notebook model skips a write whose value is deep-equal to what is stored, so a
notebook whose metadata already matches stays clean; any difference (a missing ``language_info.version`` is one)
marks it modified, and autosave then rewrites the tracked file. (Read in JupyterLab 4.6's ``NotebookPanel``
``_updateLanguage``/``_updateSpec`` and ``@jupyter/ydoc``'s ``setMetadata``, which returns early on a deep-equal
value; jupyter/notebook#2123 is the same report for the classic notebook.)

``nbconvert --execute`` stores the kernel's own values, so re-executing a notebook keeps the rule. To match another
environment (a Binder image runs another Python), run ``python -m kmssim.course.notebook_metadata notebooks/*.ipynb``
there: it rewrites only the metadata.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["KERNEL_NAME", "expected_metadata", "fix", "main", "problems"]

#: The kernel every course notebook runs on.
KERNEL_NAME = "python3"
#: Metadata a stored notebook must not carry: saved widget state goes stale and bloats the file.
FORBIDDEN_KEYS = ("widgets",)


def expected_metadata() -> dict[str, Any]:
    """``kernelspec`` and ``language_info`` as this environment's ipykernel reports them to JupyterLab."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    return {
        "kernelspec": {"display_name": spec.display_name, "language": spec.language, "name": KERNEL_NAME},
        "language_info": json.loads(json.dumps(IPythonKernel.language_info)),
    }


def problems(metadata: Mapping[str, Any], expected: Mapping[str, Any] | None = None) -> list[str]:
    """What differs from the rule, in words (empty when the notebook follows it)."""
    want = expected_metadata() if expected is None else expected
    out = []
    for key, value in want.items():
        have = metadata.get(key)
        if have != value:
            out.append(
                f"metadata.{key} is {json.dumps(have, sort_keys=True)}, the kernel reports "
                f"{json.dumps(value, sort_keys=True)}"
            )
    out.extend(f"metadata.{key} is stored (drop it)" for key in FORBIDDEN_KEYS if key in metadata)
    return out


def fix(path: str | os.PathLike[str], expected: Mapping[str, Any] | None = None) -> bool:
    """Rewrite ``path``'s metadata to the rule (atomically, cells untouched); True when something changed."""
    target = Path(path)
    text = target.read_text(encoding="utf-8")
    nb = json.loads(text)
    want = expected_metadata() if expected is None else expected
    if not problems(nb.get("metadata", {}), want):
        return False
    meta = {k: v for k, v in nb.get("metadata", {}).items() if k not in FORBIDDEN_KEYS}
    meta.update(json.loads(json.dumps(want)))
    nb["metadata"] = dict(sorted(meta.items()))
    out = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp"
    ) as f:
        f.write(out)
    os.replace(f.name, target)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python -m kmssim.course.notebook_metadata NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    want = expected_metadata()
    for p in paths:
        print(("fixed " if fix(p, want) else "ok    ") + str(p))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
