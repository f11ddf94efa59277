"""The simulator's sources of randomness.

Seeded: SHA-256 in counter mode (``_crypto.SeededRandom``) keyed by the seed and a stream name, so IDs and key
material draw from independent streams; every machine and Python version draws the same bytes, and the position
in the stream is part of the saved state. Unseeded: the operating system's randomness.
"""

from __future__ import annotations

import builtins
import hashlib
import os
from collections.abc import Callable
from typing import Any

from ._crypto import SeededRandom


class Randomness:
    """Random bytes for key IDs, key material, IVs, grant tokens and request IDs."""

    def __init__(self, seed: int | None, stream: str = "") -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.seed = seed
        self.stream = stream
        label = b"kmssim-seed:" + str(seed).encode() + (b"/" + stream.encode() if stream else b"")
        self._key = hashlib.sha256(label).digest()
        self._source = SeededRandom.from_key(self._key) if seed is not None else None
        #: ``n`` random bytes: the seeded stream's own method (one call on every draw's path), or the operating
        #: system's. The stream object stays for the simulator's life; ``restore`` moves it in place.
        self.bytes: Callable[[int], builtins.bytes] = (
            self._source.bytes if self._source is not None else os.urandom
        )

    def position(self) -> tuple[int, builtins.bytes] | None:
        """Where the seeded stream stands (None when unseeded): ``restore`` returns to it."""
        source = self._source
        return None if source is None else (source._counter, source._buffer)  # on every call's path

    def restore(self, position: tuple[int, builtins.bytes] | None) -> None:
        """Rewind (or wind) the seeded stream to a ``position``, so the same bytes are drawn again."""
        if self._source is not None and position is not None and position != self._source.position:
            self._source.seek(*position)

    def state(self) -> dict[str, Any]:
        counter, buffer = self._source.position if self._source is not None else (0, b"")
        return {"seed": self.seed, "stream": self.stream, "counter": counter, "buffer": buffer.hex()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Randomness:
        r = cls(state["seed"], str(state.get("stream", "")))
        if r._source is not None:
            r._source.seek(int(state["counter"]), builtins.bytes.fromhex(state["buffer"]))
        return r
