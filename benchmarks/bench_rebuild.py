"""The figures the rebuild issue (issue 8) sets, measured on the code as it is.

Run: ``python benchmarks/bench_rebuild.py [--keys N]``. Prints one line per figure with its target; exits 1 if any
target is missed. The figures:

- ``import kmssim`` in a fresh interpreter (target: under 0.3 s), and whether it loaded pandas;
- kmssim function calls for one boto3 Decrypt under a conditional key policy with quotas on (target: at most 120),
  counted with ``sys.setprofile`` over frames whose code lives in the kmssim package;
- ``advance(days=365)`` with N keys that have rotation enabled (target: 100,000 keys under 5 s), and the time
  per event at two sizes, to show whether the cost is linear in events.

The boto3-against-moto ratio is measured by ``bench_client.py``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

IMPORT_TARGET_S = 0.3
CALLS_TARGET = 120
ADVANCE_TARGET_S = 5.0
ADVANCE_TARGET_KEYS = 100_000

_ROOT = Path(__file__).resolve().parent.parent


def import_time() -> tuple[float, bool]:
    """Seconds for ``import kmssim`` in a fresh interpreter (best of 3), and whether pandas came with it."""
    code = (
        "import sys, time; t = time.perf_counter(); import kmssim; "
        "print(time.perf_counter() - t, 'pandas' in sys.modules)"
    )
    best, pandas = float("inf"), False
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_ROOT
        ).stdout.split()
        best, pandas = min(best, float(out[0])), out[1] == "True"
    return best, pandas


def decrypt_calls() -> int:
    """kmssim function calls made by one boto3 Decrypt under a conditional key policy, quotas enforced."""
    import kmssim

    package = str(Path(kmssim.__file__).resolve().parent)
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    root = sim.root()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:app": "orders"}},
            },
        ],
    }
    import json

    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    context = {"app": "orders"}
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=context)["CiphertextBlob"]
    kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)  # warm caches as a session would be
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call" and frame.f_code.co_filename.startswith(package):
            count += 1

    sys.setprofile(profile)
    try:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    finally:
        sys.setprofile(None)
    return count


def advance_time(keys: int) -> tuple[float, int, float]:
    """Seconds for ``advance(days=365)`` over ``keys`` keys rotating every 90 days, the rotations it made, and
    the seconds of the first read of the trail after it (which builds the events of those rotations: see
    ``kmssim._trail.Recorder``)."""
    import kmssim

    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms")
    for _ in range(keys):
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    start = time.perf_counter()
    sim.advance(days=365)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    trail = sim.trail()
    reading = time.perf_counter() - start
    rotations = sum(1 for event in trail if event.event_name == "RotateKey")
    return elapsed, rotations, reading


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=800, help="keys for the advance figure (issue 8: 100000)")
    args = parser.parse_args()
    failed = False

    seconds, pandas = import_time()
    ok = seconds < IMPORT_TARGET_S and not pandas
    failed |= not ok
    print(
        f"import kmssim: {seconds:.3f} s, pandas loaded: {pandas} (target < {IMPORT_TARGET_S} s, no pandas)"
    )

    calls = decrypt_calls()
    failed |= calls > CALLS_TARGET
    print(f"Decrypt under a conditional policy, quotas on: {calls} kmssim calls (target <= {CALLS_TARGET})")

    small = max(1, args.keys // 4)
    t_small, r_small, _ = advance_time(small)
    t_big, r_big, reading = advance_time(args.keys)
    per_small, per_big = t_small / max(r_small, 1), t_big / max(r_big, 1)
    print(
        f"advance(days=365): {small} keys {t_small:.2f} s ({r_small} rotations), "
        f"{args.keys} keys {t_big:.2f} s ({r_big} rotations); per event {per_small * 1e6:.0f} us -> "
        f"{per_big * 1e6:.0f} us ({per_big / per_small:.1f}x; linear is ~1x)"
    )
    print(f"  then the first read of the trail (building those {r_big} events): {reading:.2f} s")
    # The observed growth, t ~ keys**k, carried to the target size (k = 1 is linear in keys and events).
    exponent = math.log(max(t_big, 1e-9) / max(t_small, 1e-9)) / math.log(args.keys / small)
    projected = t_big * (ADVANCE_TARGET_KEYS / args.keys) ** max(exponent, 1.0)
    if args.keys < ADVANCE_TARGET_KEYS:
        print(
            f"  growth exponent {exponent:.2f}; projected for {ADVANCE_TARGET_KEYS} keys: about {projected:.0f} s"
        )
    failed |= (t_big if args.keys >= ADVANCE_TARGET_KEYS else projected) > ADVANCE_TARGET_S
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
