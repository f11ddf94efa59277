"""The simulator's one source of randomness.

Seeded: SHA-256 in counter mode over the seed (and a stream name, so IDs and key material draw from
independent streams), so every machine and Python version draws the same bytes; the
position in the stream is part of the saved state. Unseeded: the operating system's randomness.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any


class Randomness:
    """Random bytes for key IDs, key material, IVs, grant tokens and request IDs."""

    def __init__(self, seed: int | None, stream: str = "") -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.seed = seed
        self.stream = stream
        self._counter = 0  # next SHA-256 block to compute
        self._buffer = b""  # computed bytes not yet handed out start at _pos
        self._pos = 0
        label = b"kmssim-seed:" + str(seed).encode() + (b"/" + stream.encode() if stream else b"")
        self._key = b"" if seed is None else hashlib.sha256(label).digest()

    def bytes(self, n: int) -> bytes:
        if self.seed is None:
            return os.urandom(n)
        buf, pos = self._buffer, self._pos
        if len(buf) - pos < n:
            blocks = max(8, -(-(n - (len(buf) - pos)) // 32))
            key, first = self._key, self._counter
            fresh = b"".join(
                hashlib.sha256(key + c.to_bytes(8, "big")).digest() for c in range(first, first + blocks)
            )
            self._counter = first + blocks
            buf, pos = buf[pos:] + fresh, 0
        self._buffer, self._pos = buf, pos + n
        return buf[pos : pos + n]

    def state(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "stream": self.stream,
            "counter": self._counter,
            "buffer": self._buffer[self._pos :].hex(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Randomness:
        seed = state["seed"]
        if seed is not None and not isinstance(seed, int):
            raise ValueError("seed must be an integer or null")
        r = cls(seed, str(state.get("stream", "")))
        r._counter = int(state["counter"])
        r._buffer = bytes.fromhex(state["buffer"])
        return r
