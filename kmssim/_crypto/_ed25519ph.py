"""Ed25519ph (HashEdDSA with SHA-512, RFC 8032 §5.1; FIPS 186-5 §7.8.1), which ``cryptography`` does not offer.

Pure Ed25519 comes from ``cryptography``; this module adds the prehashed variant KMS calls ED25519_PH_SHA_512:
``PH(M) = SHA-512(M)`` and both hashes of the signature are prefixed with ``dom2(1, "") =
"SigEd25519 no Ed25519 collisions" || 0x01 || 0x00`` (phflag 1, empty context). Points are in extended twisted
Edwards coordinates ``(X, Y, Z, T)`` with ``x = X/Z``, ``y = Y/Z``, ``xy = T/Z``. Deterministic; not constant-time
(the simulator's keys are not secrets worth guarding against timing). Checked against RFC 8032 §7.3's test vector.
"""

from __future__ import annotations

import hashlib
from typing import Final

_P: Final = 2**255 - 19
_L: Final = 2**252 + 27742317777372353535851937790883648493
_D: Final = -121665 * pow(121666, -1, _P) % _P
_SQRT_M1: Final = pow(2, (_P - 1) // 4, _P)
_DOM2: Final = b"SigEd25519 no Ed25519 collisions\x01\x00"

_Point = tuple[int, int, int, int]


def _add(a: _Point, b: _Point) -> _Point:
    """Point addition (RFC 8032 §5.1.4, the unified formula for a = -1)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    k = (y1 - x1) * (y2 - x2) % _P
    m = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = m - k, dd - c, dd + c, m + k
    return e * f % _P, g * h % _P, f * g % _P, e * h % _P


def _mul(s: int, point: _Point) -> _Point:
    result: _Point = (0, 1, 1, 0)
    while s:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _recover_x(y: int, sign: int) -> int | None:
    """The x with the given low bit on the curve at y (RFC 8032 §5.1.3), or None."""
    if y >= _P:
        return None
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P:
        x = x * _SQRT_M1 % _P
    if (v * x * x - u) % _P:
        return None
    if x == 0 and sign:
        return None
    return _P - x if x & 1 != sign else x


_GY: Final = 4 * pow(5, -1, _P) % _P
_GX: Final = _recover_x(_GY, 0) or 0
_G: Final[_Point] = (_GX, _GY, 1, _GX * _GY % _P)


def _encode(point: _Point) -> bytes:
    x, y, z, _ = point
    zi = pow(z, -1, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _decode(data: bytes) -> _Point | None:
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    y = n & ((1 << 255) - 1)
    x = _recover_x(y, n >> 255)
    return None if x is None else (x, y, 1, x * y % _P)


def _equal(a: _Point, b: _Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _h(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(_DOM2 + b"".join(parts)).digest(), "little")


def _expand(private: bytes) -> tuple[int, bytes, bytes]:
    """(secret scalar a, prefix, encoded public key A) of a 32-byte private key (RFC 8032 §5.1.5)."""
    digest = hashlib.sha512(private).digest()
    a = int.from_bytes(digest[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return a, digest[32:], _encode(_mul(a, _G))


def sign(private: bytes, message: bytes) -> bytes:
    """The 64-byte Ed25519ph signature of ``message`` (which this function hashes with SHA-512)."""
    a, prefix, public = _expand(private)
    ph = hashlib.sha512(message).digest()
    r = _h(prefix, ph) % _L
    big_r = _encode(_mul(r, _G))
    k = _h(big_r, public, ph) % _L
    return big_r + ((r + k * a) % _L).to_bytes(32, "little")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7 verification (cofactored: ``[8][S]B = [8]R + [8][k]A``); False for any malformed input."""
    if len(signature) != 64:
        return False
    a_point, r_point = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a_point is None or r_point is None or s >= _L:
        return False
    k = _h(signature[:32], public, hashlib.sha512(message).digest()) % _L
    left = _mul(8 * s, _G)
    right = _mul(8, _add(r_point, _mul(k, a_point)))
    return _equal(left, right)


def public_key(private: bytes) -> bytes:
    """The 32-byte encoded public key of a 32-byte private key (equal to pure Ed25519's)."""
    return _expand(private)[2]
