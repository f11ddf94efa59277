"""ML-DSA signing with caller-supplied randomness (FIPS 204 Algorithms 6 and 7), which ``cryptography`` lacks.

``cryptography`` signs ML-DSA "hedged" with 32 bytes ``rnd`` from OpenSSL; a seeded simulator needs ``rnd`` from its
own random source, so signing is computed here (pure Python, FIPS 204 §6-7). Key generation is recomputed from the
seed ξ to get s1, s2, t0 and K (``cryptography`` keeps only ξ); the tests check that the public key equals
``cryptography``'s and that every signature verifies there.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Final, NamedTuple

from ._ntt import ntt, ntt_inverse

_Q: Final = 8380417
_N: Final = 256
_D: Final = 13


class _Params(NamedTuple):
    k: int
    l: int  # noqa: E741  (FIPS 204's name)
    eta: int
    tau: int
    lam: int
    gamma1: int
    gamma2: int
    omega: int

    @property
    def beta(self) -> int:
        return self.tau * self.eta


#: FIPS 204 Table 1.
PARAMETERS: Final[dict[str, _Params]] = {
    "ML_DSA_44": _Params(4, 4, 2, 39, 128, 1 << 17, (_Q - 1) // 88, 80),
    "ML_DSA_65": _Params(6, 5, 4, 49, 192, 1 << 19, (_Q - 1) // 32, 55),
    "ML_DSA_87": _Params(8, 7, 2, 60, 256, 1 << 19, (_Q - 1) // 32, 75),
}

_Poly = list[int]
_ZETAS: Final = tuple(pow(1753, int(f"{i:08b}"[::-1], 2), _Q) for i in range(256))


def _h(data: bytes, n: int) -> bytes:
    return hashlib.shake_256(data).digest(n)


def _ntt(w: _Poly) -> _Poly:
    """FIPS 204 Algorithm 41."""
    return ntt(w, _Q, _ZETAS, 1)


def _ntt_inverse(w: _Poly) -> _Poly:
    """FIPS 204 Algorithm 42 (8347681 = 256⁻¹ mod q)."""
    return ntt_inverse(w, _Q, _ZETAS, 1, 8347681)


def _mul(a: _Poly, b: _Poly) -> _Poly:
    return [x * y % _Q for x, y in zip(a, b, strict=True)]


def _add(a: _Poly, b: _Poly) -> _Poly:
    return [(x + y) % _Q for x, y in zip(a, b, strict=True)]


def _sub(a: _Poly, b: _Poly) -> _Poly:
    return [(x - y) % _Q for x, y in zip(a, b, strict=True)]


def _mat_vec(a_hat: list[list[_Poly]], v_hat: list[_Poly]) -> list[_Poly]:
    """NTT⁻¹(Â ∘ v̂)."""
    out = []
    for row in a_hat:
        acc = [0] * _N
        for a, v in zip(row, v_hat, strict=True):
            acc = _add(acc, _mul(a, v))
        out.append(_ntt_inverse(acc))
    return out


def _centered(r: int, alpha: int) -> int:
    r0 = r % alpha
    return r0 - alpha if r0 > alpha // 2 else r0


def _norm(polys: list[_Poly]) -> int:
    return max(abs(_centered(x, _Q)) for p in polys for x in p)


def _rej_ntt_poly(seed: bytes) -> _Poly:
    """FIPS 204 Algorithm 30 (RejNTTPoly, SHAKE128)."""
    out: _Poly = []
    size = 840
    stream = hashlib.shake_128(seed).digest(size)
    pos = 0
    while len(out) < _N:
        if pos + 3 > len(stream):
            size *= 2
            stream = hashlib.shake_128(seed).digest(size)
        value = stream[pos] | stream[pos + 1] << 8 | (stream[pos + 2] & 0x7F) << 16
        pos += 3
        if value < _Q:
            out.append(value)
    return out


def _rej_bounded_poly(seed: bytes, eta: int) -> _Poly:
    """FIPS 204 Algorithm 31 (RejBoundedPoly, SHAKE256) with CoeffFromHalfByte (Algorithm 15)."""
    out: _Poly = []
    size = 272
    stream = _h(seed, size)
    pos = 0
    while len(out) < _N:
        if pos >= len(stream):
            size *= 2
            stream = _h(seed, size)
        z = stream[pos]
        pos += 1
        for b in (z & 0x0F, z >> 4):
            if len(out) == _N:
                break
            if eta == 2 and b < 15:
                out.append((2 - b % 5) % _Q)
            elif eta == 4 and b < 9:
                out.append((4 - b) % _Q)
    return out


def _pack(values: list[int], bits: int) -> bytes:
    acc = 0
    for i, v in enumerate(values):
        acc |= v << (bits * i)
    return acc.to_bytes(bits * len(values) // 8, "little")


def _unpack(data: bytes, bits: int, count: int) -> list[int]:
    acc = int.from_bytes(data, "little")
    mask = (1 << bits) - 1
    return [(acc >> (bits * i)) & mask for i in range(count)]


@dataclass(frozen=True)
class _SecretKey:
    public: bytes
    rho: bytes
    key: bytes
    tr: bytes
    a_hat: list[list[_Poly]]
    s1_hat: list[_Poly]
    s2_hat: list[_Poly]
    t0_hat: list[_Poly]


@functools.lru_cache(maxsize=64)
def expand(xi: bytes, key_spec: str) -> _SecretKey:
    """ML-DSA.KeyGen_internal(ξ) (FIPS 204 Algorithm 6), kept in the NTT domain for signing."""
    p = PARAMETERS[key_spec]
    seeds = _h(xi + bytes([p.k, p.l]), 128)
    rho, rho_prime, key = seeds[:32], seeds[32:96], seeds[96:]
    a_hat = [[_rej_ntt_poly(rho + bytes([s, r])) for s in range(p.l)] for r in range(p.k)]
    s1 = [_rej_bounded_poly(rho_prime + r.to_bytes(2, "little"), p.eta) for r in range(p.l)]
    s2 = [_rej_bounded_poly(rho_prime + (r + p.l).to_bytes(2, "little"), p.eta) for r in range(p.k)]
    s1_hat = [_ntt(s) for s in s1]
    t = [_add(a, b) for a, b in zip(_mat_vec(a_hat, s1_hat), s2, strict=True)]
    t1, t0 = [], []
    for poly in t:
        low = [_centered(x, 1 << _D) for x in poly]
        t1.append([(x - r0) >> _D for x, r0 in zip(poly, low, strict=True)])
        t0.append([r0 % _Q for r0 in low])
    public = rho + b"".join(_pack(poly, 10) for poly in t1)
    return _SecretKey(
        public, rho, key, _h(public, 64), a_hat, s1_hat, [_ntt(s) for s in s2], [_ntt(x) for x in t0]
    )


def _decompose(r: int, gamma2: int) -> tuple[int, int]:
    """FIPS 204 Algorithm 36: (r1, r0) with r = r1·2γ2 + r0."""
    r_plus = r % _Q
    r0 = _centered(r_plus, 2 * gamma2)
    if r_plus - r0 == _Q - 1:
        return 0, r0 - 1
    return (r_plus - r0) // (2 * gamma2), r0


def _sample_in_ball(seed: bytes, tau: int) -> _Poly:
    """FIPS 204 Algorithm 29."""
    stream = _h(seed, 8 + 4 * _N)
    signs = int.from_bytes(stream[:8], "little")
    c = [0] * _N
    pos = 8
    for i in range(_N - tau, _N):
        while True:
            if pos >= len(stream):  # pragma: no cover - needs ~1000 rejections
                stream = _h(seed, 2 * len(stream))
            j = stream[pos]
            pos += 1
            if j <= i:
                break
        c[i] = c[j]
        c[j] = _Q - 1 if signs >> (i + tau - _N) & 1 else 1
    return c


def sign_mu(xi: bytes, key_spec: str, mu: bytes, rnd: bytes) -> bytes:
    """ML-DSA.Sign_internal (FIPS 204 Algorithm 7) for a 64-byte μ and 32-byte ``rnd``."""
    p = PARAMETERS[key_spec]
    sk = expand(xi, key_spec)
    rho2 = _h(sk.key + rnd + mu, 64)
    bits = 1 + (p.gamma1 - 1).bit_length()
    w1_bits = ((_Q - 1) // (2 * p.gamma2) - 1).bit_length()
    kappa = 0
    while True:
        y = []
        for r in range(p.l):
            raw = _unpack(_h(rho2 + (kappa + r).to_bytes(2, "little"), 32 * bits), bits, _N)
            y.append([(p.gamma1 - v) % _Q for v in raw])
        kappa += p.l
        w = _mat_vec(sk.a_hat, [_ntt(v) for v in y])
        w1 = [[_decompose(x, p.gamma2)[0] for x in poly] for poly in w]
        c_tilde = _h(mu + b"".join(_pack(poly, w1_bits) for poly in w1), p.lam // 4)
        c_hat = _ntt(_sample_in_ball(c_tilde, p.tau))
        z = [_add(v, _ntt_inverse(_mul(c_hat, s))) for v, s in zip(y, sk.s1_hat, strict=True)]
        r_vec = [_sub(v, _ntt_inverse(_mul(c_hat, s))) for v, s in zip(w, sk.s2_hat, strict=True)]
        r0 = [[_decompose(x, p.gamma2)[1] for x in poly] for poly in r_vec]
        if _norm(z) >= p.gamma1 - p.beta or max(abs(x) for poly in r0 for x in poly) >= p.gamma2 - p.beta:
            continue
        ct0 = [_ntt_inverse(_mul(c_hat, t)) for t in sk.t0_hat]
        hints = [
            [
                int(_decompose(x, p.gamma2)[0] != _decompose(x + ct, p.gamma2)[0])
                for x, ct in zip(rv, ctp, strict=True)
            ]
            for rv, ctp in zip(r_vec, ct0, strict=True)
        ]  # MakeHint(-ct0, w - cs2 + ct0) = HighBits(w - cs2) != HighBits(w - cs2 + ct0)
        if _norm(ct0) >= p.gamma2 or sum(map(sum, hints)) > p.omega:
            continue
        z_packed = b"".join(_pack([(p.gamma1 - _centered(x, _Q)) for x in poly], bits) for poly in z)
        hint_bytes = bytearray(p.omega + p.k)
        index = 0
        for i, poly in enumerate(hints):
            for j, bit in enumerate(poly):
                if bit:
                    hint_bytes[index] = j
                    index += 1
            hint_bytes[p.omega + i] = index
        return c_tilde + z_packed + bytes(hint_bytes)


def mu(public: bytes, message: bytes) -> bytes:
    """μ of pure ML-DSA with an empty context (FIPS 204 Algorithm 2 step 10, Algorithm 7 step 6)."""
    return _h(_h(public, 64) + b"\x00\x00" + message, 64)
