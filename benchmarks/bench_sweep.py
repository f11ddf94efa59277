"""Time kmssim's vectorised sweep() on one million usage rows (target: under one second).

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_sweep.py``
(or ``python benchmarks/bench_sweep.py`` after ``pip install -e .``).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from kmssim._pricing import REQUEST_CLASSES, load_pricing, sweep

ROWS = 1_000_000


def main() -> None:
    rng = np.random.default_rng(2026)
    frame = pd.DataFrame(
        {
            "region": rng.choice(["us-east-1", "us-east-2", "ap-southeast-2"], ROWS),
            "keys": rng.integers(0, 1_000, ROWS),
            "key_hours": rng.integers(0, 721, ROWS),
            "rotations": rng.integers(0, 6, ROWS),
            **{c: rng.integers(0, 100_000_000, ROWS) for c in REQUEST_CLASSES},
        }
    )
    load_pricing()  # parse the tables once, as an interactive session would
    sweep(frame.head(10), month="2026-06")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        out = sweep(frame, month="2026-06")
        best = min(best, time.perf_counter() - start)
    print(f"sweep: {ROWS:,} rows in {best:.3f} s (best of 3); total ${out['total_usd'].sum():,.2f}")


if __name__ == "__main__":
    main()
