"""Asymmetric private keys derived from a material seed: RSA prime search, ECC scalars, Ed25519 (or loaded from an
imported key: ``_imported``); public keys of every asymmetric spec (post-quantum keys come from ``_pq``); data key
pairs."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Final, TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kmssim._errors import (
    UnsupportedOperationException,
)

from ._material import _CACHE_SIZE, ImportedKey, Material, _check_seed, _hkdf, _seed, new_material_seed
from ._pq import _ML_KEM, PQPrivateKey, _derive_pq_key, _pq_key, is_pq
from ._random import RandomSource, SeededRandom, _draw

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

# ---- RSA prime generation --------------------------------------------------------------------------------

_RSA_BITS: Final[dict[str, int]] = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_RSA_E: Final = 65537
# FIPS 186-5 Table B.1, Miller-Rabin only (error probability 2^-112 / 2^-128 / 2^-144), by prime size in bits.
_MR_ROUNDS: Final[dict[int, int]] = {1024: 5, 1536: 4, 2048: 4}
_SIEVE_LIMIT: Final = 1 << 20
_SIEVE_WINDOW: Final = 1 << 13  # odd candidates per window; the mean gap between 2048-bit primes is ~1420


@functools.cache
def _small_primes() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Odd primes below _SIEVE_LIMIT, split into those below the window size and the rest."""
    flags = bytearray([1]) * _SIEVE_LIMIT
    flags[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(_SIEVE_LIMIT) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, _SIEVE_LIMIT, i)))
    odd = [i for i in range(3, _SIEVE_LIMIT, 2) if flags[i]]
    return tuple(p for p in odd if p < _SIEVE_WINDOW), tuple(p for p in odd if p >= _SIEVE_WINDOW)


def _miller_rabin(n: int, rounds: int, rng: RandomSource) -> bool:
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    nbytes = (n.bit_length() + 7) // 8
    for _ in range(rounds):
        a = 2 + int.from_bytes(_draw(rng, nbytes + 8), "big") % (n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _random_prime(bits: int, rng: RandomSource) -> int:
    """A probable prime of exactly ``bits`` bits with its top two bits set and ``p mod e != 1``."""
    small, large = _small_primes()
    window = _SIEVE_WINDOW
    rounds = _MR_ROUNDS[bits]
    while True:
        base = int.from_bytes(_draw(rng, (bits + 7) // 8), "big") >> (-bits % 8)
        base |= (3 << (bits - 2)) | 1
        # sieve[i] == 1 iff base + 2*i has no odd prime factor below _SIEVE_LIMIT.
        sieve = bytearray([1]) * window
        for p in small:
            start = (p - base % p) * ((p + 1) >> 1) % p  # solves base + 2*i ≡ 0 (mod p)
            sieve[start::p] = bytes(len(range(start, window, p)))
        for p in large:
            start = (p - base % p) * ((p + 1) >> 1) % p
            if start < window:
                sieve[start] = 0
        i = sieve.find(1)
        while i >= 0:
            candidate = base + 2 * i
            if candidate.bit_length() != bits:
                break
            if candidate % _RSA_E != 1 and _miller_rabin(candidate, rounds, rng):
                return candidate
            i = sieve.find(1, i + 1)


def _generate_rsa(bits: int, rng: RandomSource) -> rsa.RSAPrivateKey:
    half = bits // 2
    while True:
        p = _random_prime(half, rng)
        q = _random_prime(half, rng)
        if abs(p - q) <= 1 << (half - 100):
            continue
        if p < q:
            p, q = q, p
        n = p * q
        lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
        if n.bit_length() != bits or math.gcd(_RSA_E, lam) != 1:
            continue
        d = pow(_RSA_E, -1, lam)
        if d <= 1 << half:
            continue
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=d % (p - 1),
            dmq1=d % (q - 1),
            iqmp=pow(q, -1, p),
            public_numbers=rsa.RSAPublicNumbers(_RSA_E, n),
        )
        # p and q already passed FIPS 186-5 Miller-Rabin above; OpenSSL's RSA_check_key would redo the
        # primality tests (~0.3 s for RSA_4096). The tests load derived keys *with* validation.
        return numbers.private_key(unsafe_skip_rsa_key_validation=True)


# ---- ECC -------------------------------------------------------------------------------------------------

# Group orders (SEC 2 v2 / FIPS 186-5 / SP 800-186).
_EC_CURVES: Final[dict[str, tuple[type[ec.EllipticCurve], int]]] = {
    "ECC_NIST_P256": (
        ec.SECP256R1,
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    "ECC_NIST_P384": (
        ec.SECP384R1,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    ),
    "ECC_NIST_P521": (
        ec.SECP521R1,
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
    ),
    "ECC_SECG_P256K1": (
        ec.SECP256K1,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    ),
}
_ED25519: Final = "ECC_NIST_EDWARDS25519"


def _ec_scalar(order: int, rng: RandomSource) -> int:
    bits = order.bit_length()
    while True:
        k = int.from_bytes(_draw(rng, (bits + 7) // 8), "big") >> (-bits % 8)
        if 1 <= k < order:
            return k


def load_imported_private_key(der: bytes, key_spec: str) -> PrivateKey:
    """The private key of an imported DER PKCS #8 key (checked at import: ``_imported.imported_key``)."""
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"not a private key of a {key_spec} key")
    return key


def _derive_private_key(seed: Material, key_spec: str) -> PrivateKey:
    """Uncached derivation of an asymmetric private key from a 32-byte seed (or the imported key itself)."""
    if isinstance(seed, ImportedKey):
        return load_imported_private_key(seed.raw, key_spec)
    if key_spec in _RSA_BITS:
        stream = SeededRandom(_hkdf(seed, f"kmssim/v1/rsa/{key_spec}", 32))
        return _generate_rsa(_RSA_BITS[key_spec], stream)
    if key_spec in _EC_CURVES:
        curve, order = _EC_CURVES[key_spec]
        stream = SeededRandom(_hkdf(seed, f"kmssim/v1/ecc/{key_spec}", 32))
        return ec.derive_private_key(_ec_scalar(order, stream), curve())
    if key_spec == _ED25519:
        return ed25519.Ed25519PrivateKey.from_private_bytes(_hkdf(seed, "kmssim/v1/ed25519", 32))
    raise UnsupportedOperationException(f"kmssim does not support asymmetric key spec {key_spec}.")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _private_key(seed: Material, key_spec: str) -> PrivateKey:
    return _derive_private_key(seed, key_spec)


def private_key(seed: Material, key_spec: str) -> PrivateKey:
    """The private key of an asymmetric key material (RSA_*, ECC_*).

    Derived on first use and cached per (seed, spec).
    """
    _check_seed(seed)
    return _private_key(seed, key_spec)


def _spki(key: PrivateKey | PQPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _public_key_der(seed: Material, key_spec: str) -> bytes:
    return _spki(_pq_key(_seed(seed), key_spec) if is_pq(key_spec) else _private_key(seed, key_spec))


def public_key_der(seed: Material, key_spec: str) -> bytes:
    """DER-encoded SubjectPublicKeyInfo, as GetPublicKey returns (for ML-DSA and ML-KEM the RFC 9881 / RFC 9935
    encodings, OIDs 2.16.840.1.101.3.4.3.17-19 and 2.16.840.1.101.3.4.4.2-3)."""
    _check_seed(seed)
    return _public_key_der(seed, key_spec)


@dataclass(frozen=True, slots=True)
class _RSAInts:
    n: int
    e: int
    k: int  # modulus length in bytes
    p: int
    q: int
    dp: int
    dq: int
    qinv: int


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _rsa_ints(seed: Material, key_spec: str) -> _RSAInts:
    key = _private_key(seed, key_spec)
    assert isinstance(key, rsa.RSAPrivateKey)
    pn = key.private_numbers()
    n = pn.public_numbers.n
    return _RSAInts(n, pn.public_numbers.e, (n.bit_length() + 7) // 8, pn.p, pn.q, pn.dmp1, pn.dmq1, pn.iqmp)


def _rsa_private_op(ints: _RSAInts, m: int) -> int:
    """RSASP1 with the CRT, checked against the public operation (guards against a faulty result)."""
    m1 = pow(m, ints.dp, ints.p)
    m2 = pow(m, ints.dq, ints.q)
    s = m2 + ints.q * (ints.qinv * (m1 - m2) % ints.p)
    if pow(s, ints.e, ints.n) != m:  # pragma: no cover - would mean corrupted key numbers
        raise RuntimeError("RSA CRT self-check failed")
    return s


# ----------------------------------------------------------------------------------------------------------
# Data key pairs
# ----------------------------------------------------------------------------------------------------------


def generate_data_key_pair(key_pair_spec: str, rng: RandomSource) -> tuple[bytes, bytes]:
    """(private key as DER PKCS #8, public key as DER SubjectPublicKeyInfo), deterministic given ``rng``.

    Draws one 32-byte seed from ``rng`` and derives the pair like a key material of that spec (uncached). An
    ML-KEM private key is PKCS #8 in its seed form, as API_GenerateDataKeyPair documents for ML-KEM pairs.
    """
    classic = key_pair_spec in _RSA_BITS or key_pair_spec in _EC_CURVES or key_pair_spec == _ED25519
    if not classic and key_pair_spec not in _ML_KEM:
        raise UnsupportedOperationException(f"kmssim does not support key pair spec {key_pair_spec}.")
    seed = new_material_seed(rng)
    key = _derive_private_key(seed, key_pair_spec) if classic else _derive_pq_key(seed, key_pair_spec)
    private_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private_der, _spki(key)
