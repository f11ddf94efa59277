"""Reading speed of kmssim.read_cloudtrail: records per second from gzipped CloudTrail files in the S3 layout.

Run: ``python benchmarks/bench_cloudtrail.py [records]`` (default 200,000). The records are made with kmssim
(a simulated workload exported with ``Trail.to_cloudtrail``), copied with fresh event IDs up to the count, and
written as hourly ``.json.gz`` files; the figure is the wall time of ``read_cloudtrail(folder)``, best of three.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The checkout this file is in, not whichever kmssim the virtualenv has installed (an editable install can
# point at another working copy).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kmssim
from kmssim._usage.export import write_s3_layout


def make_records(n: int) -> list[dict[str, object]]:
    sim = kmssim.Simulator(seed=11)
    kms = sim.client("kms")
    app = "arn:aws:iam::111122223333:role/app"
    sim.add_principal(
        app,
        policies=[
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
        ],
    )
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    client = sim.client("kms", principal=app)
    for i in range(500):
        client.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"order": str(i)})
        sim.advance(seconds=7)
    base = sim.trail().to_cloudtrail()
    out = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["eventID"] = str(uuid.UUID(int=i))
        hour = (i // 20_000) % 24
        rec["eventTime"] = f"2026-03-01T{hour:02d}:{(i // 400) % 60:02d}:{i % 60:02d}Z"
        out.append(rec)
    return out


def _cpu(fn: object) -> float:
    start = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    records = make_records(n)
    # A fixed pure-Python loop, to compare machines (about 0.15 s of CPU on an idle 2020 laptop core).
    loop = min(_cpu(lambda: sum(range(10**7))) for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        files = write_s3_layout(records, tmp)
        raw = [gzip.decompress(f.read_bytes()) for f in files]
        parse = min(_cpu(lambda: [json.loads(b) for b in raw]) for _ in range(3))
        best = float("inf")
        cpu = float("inf")
        for _ in range(3):
            start, cpu_start = time.perf_counter(), time.process_time()
            log = kmssim.read_cloudtrail(tmp)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - cpu_start)
        assert len(log) == n
        est = _cpu(lambda: log.estimate("2026-03"))
        peaks = _cpu(lambda: log.peaks())
    print(f"kmssim from {Path(kmssim.__file__).parent}")
    # Other work on the machine changes the figures (each read is one core's work; others share the caches).
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"reference loop sum(range(10**7)): {loop:.2f} s CPU")
    print(
        f"read_cloudtrail: {n:,} records in {best:.2f} s wall, {cpu:.2f} s CPU = {n / cpu:,.0f} records/s (CPU)"
    )
    print(f"JSON parsing alone (json.loads, gunzipped): {parse:.2f} s CPU = {n / parse:,.0f} records/s")
    print(f"estimate: {est:.2f} s CPU; peaks: {peaks:.2f} s CPU")


if __name__ == "__main__":
    main()
