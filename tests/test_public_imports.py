"""The apps, the course, the notebooks and the README use kmssim by its public names only (issue 8).

Public: ``kmssim``, ``kmssim.policy``, ``kmssim.pricing``, ``kmssim.choices``, ``kmssim.apps``, ``kmssim.course``.
A private module is any dotted part starting with ``_`` under ``kmssim`` (``kmssim._pricing``, ``.._policy`` from
an app). An app or course module may use the private helpers of its own package (``._base``, ``._feedback``).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kmssim/apps", "kmssim/course")


def imported_modules(tree: ast.AST, package: str | None) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``tree``; relative imports resolved against ``package``.

    ``from kmssim import _x`` yields ``kmssim._x``: a private name a from-import takes may be a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert package is not None, "a relative import outside the package"
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield node.lineno, f"{module}.{alias.name}"


def private_use(module: str, own_package: str | None) -> bool:
    """Whether ``module`` reaches a private part of kmssim other than the importer's own package's helpers."""
    parts = module.split(".")
    if parts[0] != "kmssim":
        return False
    for depth, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            return own_package is None or ".".join(parts[:depth]) != own_package
    return False


def problems(source: str, package: str | None) -> list[str]:
    return [
        f"line {line}: {module}"
        for line, module in imported_modules(ast.parse(source), package)
        if private_use(module, package)
    ]


def package_modules() -> list[Path]:
    return sorted(p for folder in PACKAGES for p in (ROOT / folder).glob("*.py"))


def notebook_cells() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                # IPython magics and shell escapes are not Python.
                lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
                yield f"{path.name} cell {number}", "\n".join(lines)


def markdown_python_blocks() -> Iterator[tuple[str, str]]:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)):
            yield f"{path.name} python block {number}", block


@pytest.mark.parametrize("path", package_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_apps_and_course_import_only_public_names(path: Path) -> None:
    package = ".".join(path.relative_to(ROOT).parent.parts)
    assert problems(path.read_text(encoding="utf-8"), package) == []


def test_notebooks_import_only_public_names() -> None:
    cells = list(notebook_cells())
    assert len(cells) > 50  # the notebooks were found and read
    found = {where: p for where, source in cells if (p := problems(source, None))}
    assert found == {}


def test_readme_and_docs_examples_import_only_public_names() -> None:
    blocks = list(markdown_python_blocks())
    assert any("import kmssim" in source for _, source in blocks)
    found = {where: p for where, source in blocks if (p := problems(source, None))}
    assert found == {}


@pytest.mark.parametrize(
    ("source", "package", "expected"),
    [
        ("from .._pricing._catalog import PRICE_ITEMS", "kmssim.apps", ["line 1: kmssim._pricing._catalog"]),
        ("from .. import _policy", "kmssim.course", ["line 1: kmssim._policy"]),
        ("import kmssim._usage.cloudtrail as c", None, ["line 1: kmssim._usage.cloudtrail"]),
        ("from kmssim._operations import KEYS_PER_REGION", None, ["line 1: kmssim._operations"]),
        ("from kmssim.apps._base import esc", None, ["line 1: kmssim.apps._base"]),
        ("from ._base import esc\nfrom ..pricing import estimate", "kmssim.apps", []),
        ("import kmssim\nfrom kmssim.policy import evaluate\nfrom kmssim import __version__", None, []),
        ("import _thread\nfrom pandas import _libs", None, []),
    ],
)
def test_the_check_sees_private_imports(source: str, package: str | None, expected: list[str]) -> None:
    assert problems(source, package) == expected


#: Names the apps, notebooks and README use from the public modules.
POLICY_NAMES = (
    "evaluate",
    "Decision",
    "UnknownActionError",
    "parse_policy",
    "validate_key_policy",
    "require_kms_action",
    "build_request_context",
    "default_key_policy",
    "KEY_ACTIONS",
    "IAM_ONLY_ACTIONS",
    "DOCUMENTED_CHOICES",
)
PRICING_NAMES = (
    "Estimate",
    "estimate",
    "bill_from_usage",
    "load_pricing",
    "load_quotas",
    "PricingTable",
    "QuotaTable",
    "QuotaReport",
    "price_class",
    "quota_check",
    "quota_limits_for",
    "scenarios",
    "sweep",
    "PRICE_ITEMS",
    "key_family",
    "MAX_COUNT",
    "LAST_MONTH",
    "parse_month",
    "KEYS_PER_REGION",
)


@pytest.mark.parametrize(("module", "names"), [("policy", POLICY_NAMES), ("pricing", PRICING_NAMES)])
def test_the_public_modules_name_what_their_users_need(module: str, names: tuple[str, ...]) -> None:
    public = importlib.import_module(f"kmssim.{module}")
    for name in names:
        assert name in public.__all__
        assert name in dir(public)
        assert getattr(public, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = public.nothing_here


def test_public_names_are_the_private_objects_not_copies() -> None:
    import kmssim
    from kmssim import _policy, _pricing, policy, pricing

    assert policy.evaluate is _policy.evaluate is kmssim.evaluate
    assert pricing.estimate is _pricing.estimate is kmssim.estimate
    # The cost form's ceiling: the simulator's own per-Region key limit, 100,000 by default
    # (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html).
    assert pricing.KEYS_PER_REGION == 100_000
    assert set(kmssim._HOME_OF) <= set(kmssim.__all__)


@pytest.mark.parametrize("module", ["kmssim.policy", "kmssim.pricing"])
def test_public_module_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
