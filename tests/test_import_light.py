"""``import kmssim`` stays light: the heavy libraries load only with a feature that needs them (issue 8).

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kmssim

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "matplotlib", "ipywidgets", "botocore")
BOTOCORE_CLIENT_PARTS = ("botocore.session", "botocore.handlers", "botocore.client")


def loaded_after(code: str, watched: tuple[str, ...] = HEAVY + BOTOCORE_CLIENT_PARTS) -> set[str]:
    """The ``watched`` modules present in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = (
        f"import json, sys\n{code}\nprint(json.dumps([m for m in {list(watched)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_kmssim_loads_no_heavy_library() -> None:
    assert loaded_after("import kmssim") == set()


@pytest.mark.parametrize("module", ["kmssim.policy", "kmssim.pricing", "kmssim.choices"])
def test_public_modules_load_no_heavy_library(module: str) -> None:
    assert loaded_after(f"import {module}") == set()


def test_a_simulator_loads_neither_pandas_nor_plotting_nor_widgets_nor_a_botocore_client() -> None:
    loaded = loaded_after("import kmssim\nkmssim.Simulator(seed=1)")
    assert loaded.isdisjoint({"pandas", "numpy", "matplotlib", "ipywidgets", *BOTOCORE_CLIENT_PARTS})


def test_a_simulator_loads_no_botocore_at_all() -> None:
    assert "botocore" not in loaded_after("import kmssim\nkmssim.Simulator(seed=1)")


def test_a_direct_call_loads_neither_pandas_nor_plotting_nor_widgets() -> None:
    loaded = loaded_after("import kmssim\nkmssim.Simulator(seed=1).call('CreateKey', {})")
    assert loaded.isdisjoint({"pandas", "numpy", "matplotlib", "ipywidgets"})


def test_a_direct_call_loads_no_botocore_session() -> None:
    loaded = loaded_after("import kmssim\nkmssim.Simulator(seed=1).call('CreateKey', {})")
    assert loaded.isdisjoint(BOTOCORE_CLIENT_PARTS)


def test_the_heavy_libraries_come_with_the_features_that_need_them() -> None:
    """The watch itself can see a load: a client brings botocore's session, an estimate brings pandas."""
    client = loaded_after("import kmssim\nkmssim.Simulator(seed=1).client('kms')")
    assert {"botocore.session", "botocore.handlers"} <= client
    assert "pandas" not in client
    priced = loaded_after("import kmssim\nkmssim.estimate(month='2026-06', keys=[{'count': 1}])")
    assert "pandas" in priced
    assert "botocore" not in priced


def test_every_public_name_is_importable_and_listed() -> None:
    loaded_after("from kmssim import *")  # fails (check=True) if any name of __all__ cannot be imported
    listing = dir(kmssim)
    for name in kmssim.__all__:
        assert name in listing
        assert getattr(kmssim, name) is not None
    for submodule in ("policy", "pricing", "choices", "apps", "course"):
        assert submodule in listing


def test_a_name_kmssim_does_not_have_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Simulatr'"):
        _ = kmssim.Simulatr  # type: ignore[attr-defined]
