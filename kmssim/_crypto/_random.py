"""Random sources: ``SeededRandom`` (SHA-256 in counter mode) and ``SystemRandom`` (see the package docstring)."""

from __future__ import annotations

import builtins
import hashlib
import os
from typing import Protocol

# ----------------------------------------------------------------------------------------------------------
# Random sources
# ----------------------------------------------------------------------------------------------------------


class RandomSource(Protocol):
    def bytes(self, n: int) -> bytes: ...


class SeededRandom:
    """Deterministic byte stream from an int or bytes seed: SHA-256 in counter mode (see module docstring).

    Stable across machines and Python versions; not thread-safe.
    """

    __slots__ = ("_buffer", "_counter", "_forks", "_key")

    def __init__(self, seed: int | builtins.bytes) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int | builtins.bytes):
            raise TypeError(f"seed must be int or bytes, not {type(seed).__name__}")
        material = b"int:" + str(seed).encode("ascii") if isinstance(seed, int) else b"bytes:" + seed
        self._init_key(hashlib.sha256(b"kmssim.SeededRandom.v1\x00" + material).digest())

    @classmethod
    def from_key(cls, key: builtins.bytes, counter: int = 0, buffer: builtins.bytes = b"") -> SeededRandom:
        """The stream of SHA-256(key || u64be(counter)) blocks, resumed at ``counter`` with ``buffer`` unread."""
        stream = cls.__new__(cls)
        stream._init_key(key)
        stream._counter = counter
        stream._buffer = buffer
        return stream

    def seek(self, counter: int, buffer: builtins.bytes) -> None:
        """Resume at ``counter`` with ``buffer`` unread (a ``position``), in place."""
        self._counter = counter
        self._buffer = buffer

    @property
    def position(self) -> tuple[int, builtins.bytes]:
        """(next block counter, bytes computed but not yet handed out): enough to resume with ``from_key``."""
        return self._counter, self._buffer

    def _init_key(self, key: builtins.bytes) -> None:
        self._key = key
        self._counter = 0
        self._forks = 0
        self._buffer = b""

    def bytes(self, n: int) -> builtins.bytes:
        if n < 0:
            raise ValueError("n must be >= 0")
        buffer = self._buffer
        if not buffer and 0 < n <= 32:  # one block, all or part of it: the usual draw (IDs, IVs, seeds)
            counter = self._counter
            block = hashlib.sha256(self._key + counter.to_bytes(8, "big")).digest()
            self._counter = counter + 1
            self._buffer = block[n:]
            return block[:n]
        if len(buffer) < n:
            blocks = [buffer]
            have = len(buffer)
            key, counter = self._key, self._counter
            while have < n:
                blocks.append(hashlib.sha256(key + counter.to_bytes(8, "big")).digest())
                counter += 1
                have += 32
            self._counter = counter
            buffer = b"".join(blocks)
        self._buffer = buffer[n:]
        return buffer[:n]

    def fork(self, label: str) -> SeededRandom:
        """An independent sub-stream; a function of this stream's seed, the label and the earlier forks."""
        child = SeededRandom.__new__(SeededRandom)
        child._init_key(
            hashlib.sha256(
                b"kmssim.SeededRandom.fork\x00" + self._key + self._forks.to_bytes(8, "big") + label.encode()
            ).digest()
        )
        self._forks += 1
        return child


class SystemRandom:
    """``os.urandom``-backed random source for unseeded simulators."""

    __slots__ = ()

    def bytes(self, n: int) -> builtins.bytes:
        if n < 0:
            raise ValueError("n must be >= 0")
        return os.urandom(n)

    def fork(self, label: str) -> SystemRandom:
        return SystemRandom()


def _draw(rng: RandomSource, n: int) -> bytes:
    out = rng.bytes(n)
    if len(out) != n:
        raise ValueError(f"random source returned {len(out)} bytes, expected {n}")
    return out
