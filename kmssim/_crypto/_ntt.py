"""The number-theoretic transform shared by ML-KEM (FIPS 203 Algorithms 9-10) and ML-DSA (FIPS 204 Algorithms 41-42).

Both walk the same butterfly layers over 256 coefficients with zetas in bit-reversed order; ML-KEM stops at
length-2 blocks (128 zetas, multiplication then pairs coefficients), ML-DSA goes down to single coefficients
(256 zetas).
"""

from __future__ import annotations

from collections.abc import Sequence

Poly = list[int]


def ntt(f: Sequence[int], q: int, zetas: Sequence[int], last_length: int) -> Poly:
    """Forward transform: layers of block length 128, 64, ... down to ``last_length``."""
    w = list(f)
    m, length = 1, 128
    while length >= last_length:
        for start in range(0, 256, 2 * length):
            z = zetas[m]
            m += 1
            for j in range(start, start + length):
                t = z * w[j + length] % q
                w[j + length] = (w[j] - t) % q
                w[j] = (w[j] + t) % q
        length //= 2
    return w


def ntt_inverse(f: Sequence[int], q: int, zetas: Sequence[int], first_length: int, scale: int) -> Poly:
    """Inverse transform: layers of block length ``first_length`` up to 128, then every coefficient times
    ``scale`` (the inverse of the number of layers' product, mod q)."""
    w = list(f)
    m, length = len(zetas) - 1, first_length
    while length <= 128:
        for start in range(0, 256, 2 * length):
            z = zetas[m]
            m -= 1
            for j in range(start, start + length):
                t = w[j]
                w[j] = (t + w[j + length]) % q
                w[j + length] = z * (w[j + length] - t) % q
        length *= 2
    return [x * scale % q for x in w]
