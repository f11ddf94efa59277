"""ML-KEM.Encaps with caller-supplied randomness (FIPS 203 Algorithms 14 and 17), which ``cryptography`` lacks.

``cryptography``'s ``encapsulate()`` draws its 32-byte message ``m`` from OpenSSL; a seeded simulator needs ``m``
from its own random source, so encapsulation is computed here (pure Python: K-PKE.Encrypt over the NTT domain of
FIPS 203 §4.3). Decapsulation stays in ``cryptography``, which also checks this code in the tests: every ciphertext
made here must decapsulate there to the same shared secret.
"""

from __future__ import annotations

import hashlib
from typing import Final

from ._ntt import ntt, ntt_inverse

_Q: Final = 3329
_N: Final = 256
#: (k, eta1, eta2, du, dv) per parameter set, FIPS 203 Table 2.
PARAMETERS: Final[dict[str, tuple[int, int, int, int, int]]] = {
    "ML_KEM_512": (2, 3, 2, 10, 4),
    "ML_KEM_768": (3, 2, 2, 10, 4),
    "ML_KEM_1024": (4, 2, 2, 11, 5),
}


def _bitrev7(i: int) -> int:
    return int(f"{i:07b}"[::-1], 2)


_ZETAS: Final = tuple(pow(17, _bitrev7(i), _Q) for i in range(128))
_GAMMAS: Final = tuple(pow(17, 2 * _bitrev7(i) + 1, _Q) for i in range(128))
_Poly = list[int]


def _ntt(f: _Poly) -> _Poly:
    """FIPS 203 Algorithm 9."""
    return ntt(f, _Q, _ZETAS, 2)


def _ntt_inverse(f: _Poly) -> _Poly:
    """FIPS 203 Algorithm 10 (3303 = 128⁻¹ mod q)."""
    return ntt_inverse(f, _Q, _ZETAS, 2, 3303)


def _multiply(f: _Poly, g: _Poly) -> _Poly:
    """FIPS 203 Algorithms 11-12: the product in the NTT domain."""
    h = [0] * _N
    for i in range(128):
        a0, a1, b0, b1 = f[2 * i], f[2 * i + 1], g[2 * i], g[2 * i + 1]
        h[2 * i] = (a0 * b0 + a1 * b1 * _GAMMAS[i]) % _Q
        h[2 * i + 1] = (a0 * b1 + a1 * b0) % _Q
    return h


def _add(f: _Poly, g: _Poly) -> _Poly:
    return [(a + b) % _Q for a, b in zip(f, g, strict=True)]


def _sample_ntt(seed: bytes) -> _Poly:
    """FIPS 203 Algorithm 7 (rejection sampling from SHAKE128)."""
    out: _Poly = []
    stream = hashlib.shake_128(seed).digest(
        840
    )  # enough for all but a ~2^-40 fraction; extended below if not
    pos = 0
    while len(out) < _N:
        if pos + 3 > len(stream):
            stream = hashlib.shake_128(seed).digest(2 * len(stream))
        c0, c1, c2 = stream[pos], stream[pos + 1], stream[pos + 2]
        pos += 3
        d1, d2 = c0 + 256 * (c1 % 16), c1 // 16 + 16 * c2
        if d1 < _Q:
            out.append(d1)
        if d2 < _Q and len(out) < _N:
            out.append(d2)
    return out


def _cbd(data: bytes, eta: int) -> _Poly:
    """FIPS 203 Algorithm 8."""
    bits = int.from_bytes(data, "little")
    mask = (1 << eta) - 1
    out = []
    for i in range(_N):
        word = bits >> (2 * eta * i)
        out.append((bin(word & mask).count("1") - bin((word >> eta) & mask).count("1")) % _Q)
    return out


def _prf(eta: int, seed: bytes, counter: int) -> bytes:
    return hashlib.shake_256(seed + bytes([counter])).digest(64 * eta)


def _encode(f: _Poly, d: int) -> bytes:
    """ByteEncode_d (FIPS 203 Algorithm 5): coefficients as d-bit little-endian fields."""
    value = 0
    for i, x in enumerate(f):
        value |= x << (d * i)
    return value.to_bytes(32 * d, "little")


def _decode12(data: bytes) -> _Poly:
    value = int.from_bytes(data, "little")
    return [(value >> (12 * i)) & 0xFFF for i in range(_N)]


def _compress(f: _Poly, d: int) -> _Poly:
    return [((x << d) + _Q // 2) // _Q % (1 << d) for x in f]


def encapsulate(encapsulation_key: bytes, key_spec: str, m: bytes) -> tuple[bytes, bytes]:
    """(shared secret K, ciphertext c) = ML-KEM.Encaps_internal(ek, m) (FIPS 203 Algorithm 17) for a 32-byte m."""
    k, eta1, eta2, du, dv = PARAMETERS[key_spec]
    if len(m) != 32 or len(encapsulation_key) != 384 * k + 32:
        raise ValueError(
            "ML-KEM encapsulation needs a 32-byte m and an encapsulation key of the spec's length"
        )
    g = hashlib.sha3_512(m + hashlib.sha3_256(encapsulation_key).digest()).digest()
    shared, r = g[:32], g[32:]
    t_hat = [_decode12(encapsulation_key[384 * i : 384 * (i + 1)]) for i in range(k)]
    rho = encapsulation_key[384 * k :]
    a_hat = [[_sample_ntt(rho + bytes([j, i])) for j in range(k)] for i in range(k)]
    y_hat = [_ntt(_cbd(_prf(eta1, r, i), eta1)) for i in range(k)]
    e1 = [_cbd(_prf(eta2, r, k + i), eta2) for i in range(k)]
    e2 = _cbd(_prf(eta2, r, 2 * k), eta2)
    u = []
    for i in range(k):
        acc = [0] * _N
        for j in range(k):
            acc = _add(acc, _multiply(a_hat[j][i], y_hat[j]))
        u.append(_add(_ntt_inverse(acc), e1[i]))
    acc = [0] * _N
    for j in range(k):
        acc = _add(acc, _multiply(t_hat[j], y_hat[j]))
    m_bits = int.from_bytes(m, "little")
    mu = [((m_bits >> i) & 1) * ((_Q + 1) // 2) for i in range(_N)]
    v = _add(_add(_ntt_inverse(acc), e2), mu)
    c1 = b"".join(_encode(_compress(p, du), du) for p in u)
    return shared, c1 + _encode(_compress(v, dv), dv)
