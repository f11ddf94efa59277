"""The seeded random stream is SHA-256 in counter mode, whatever the draw sizes and save/load points."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from kmssim._random import Randomness


def _reference(seed: int, total: int) -> bytes:
    key = hashlib.sha256(b"kmssim-seed:" + str(seed).encode()).digest()
    return b"".join(hashlib.sha256(key + c.to_bytes(8, "big")).digest() for c in range(total // 32 + 1))


@given(
    seed=st.integers(0, 2**64),
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=40),
    reload_at=st.integers(0, 40),
)
def test_stream_is_sha256_counter_mode(seed: int, sizes: list[int], reload_at: int) -> None:
    rng = Randomness(seed)
    drawn = b""
    for i, n in enumerate(sizes):
        if i == reload_at:
            rng = Randomness.from_state(rng.state())
        drawn += rng.bytes(n)
    assert drawn == _reference(seed, sum(sizes))[: sum(sizes)]


def test_unseeded_streams_differ() -> None:
    assert Randomness(None).bytes(32) != Randomness(None).bytes(32)
