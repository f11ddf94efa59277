"""``import kmssim`` stays light: kmssim._usage imports its heavy libraries only inside the functions that use them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

USAGE = Path(__file__).resolve().parents[1] / "kmssim" / "_usage"
HEAVY = {"pandas", "matplotlib", "ipywidgets", "IPython", "yaml", "numpy"}


def _module_level_imports(tree: ast.Module) -> list[str]:
    """Top-level names of what a module imports when it is imported (``if TYPE_CHECKING:`` blocks excluded)."""
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append(node.module.split(".")[0])
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try | ast.With):
                visit(node.body)
            # function and class bodies run later, not at import time

    visit(tree.body)
    return found


@pytest.mark.parametrize("path", sorted(USAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_heavy_import_at_module_level(path: Path) -> None:
    heavy = set(_module_level_imports(ast.parse(path.read_text()))) & HEAVY
    assert not heavy, f"{path.name} imports {sorted(heavy)} when kmssim is imported"


def test_the_check_sees_a_module_level_import() -> None:
    tree = ast.parse(
        "import os\nif TYPE_CHECKING:\n    import pandas\nimport pandas as pd\ndef f():\n    import yaml\n"
    )
    assert _module_level_imports(tree) == ["os", "pandas"]
