"""The documentation is executed: every Python block of README.md, in order, and the package docstring."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import kmssim

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    printed = out.getvalue()
    assert "InvalidCiphertextException" in printed
    assert "ImplicitDeny" in printed
    assert "Enable S3 Bucket Keys" in printed


def test_package_docstring_examples() -> None:
    result = doctest.testmod(kmssim, verbose=False)
    assert result.attempted >= 4 and result.failed == 0
