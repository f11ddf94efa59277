"""pytest setup for the notebooks, which run under nbval (each code cell is a test; stored outputs are compared).

The kernels nbval starts inherit this process's environment. Putting the repository root first on PYTHONPATH makes
every notebook import the kmssim of this working tree, installed or not, so a notebook always tests the code next
to it. Everything else a notebook shows is deterministic by construction (seeded simulators, the simulated clock,
timestamps converted to UTC), so no output needs sanitizing.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_path = [str(ROOT), *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT))]
os.environ["PYTHONPATH"] = os.pathsep.join(_path)
