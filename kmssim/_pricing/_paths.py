"""Where the data files live.

The files sit in the repository's top-level ``data/`` folder. Resolution order:
1. the folder named by the ``KMSSIM_DATA_DIR`` environment variable;
2. ``<repo>/data`` (``Path(__file__).resolve().parents[2] / "data"``): a source checkout or editable install;
3. ``kmssim/data`` inside the installed package, should packaging copy the files there.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "data_file"]

_MARKER = "kms_pricing.csv"


def data_dir() -> Path:
    """The first candidate folder that holds ``kms_pricing.csv``."""
    here = Path(__file__).resolve()
    candidates: list[Path] = []
    env = os.environ.get("KMSSIM_DATA_DIR")
    if env:
        candidates.append(Path(env))
    candidates += [here.parents[2] / "data", here.parents[1] / "data"]
    for folder in candidates:
        if (folder / _MARKER).is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"kmssim data files not found (looked for {_MARKER} in: {tried})")


def data_file(name: str) -> Path:
    """Path of one data file, e.g. ``data_file("kms_pricing.csv")``."""
    return data_dir() / name
