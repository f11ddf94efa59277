"""Real, deterministic cryptography for the simulator.

Everything here uses real algorithms (AES-256-GCM, RSA-OAEP, RSA-PSS, RSA PKCS #1 v1.5, ECDSA, Ed25519,
HMAC) through the ``cryptography`` package, and is **deterministic when seeded**: every output is a pure
function of the inputs and of the bytes drawn from the ``RandomSource`` passed in. No function that receives
a random source reads global randomness; where ``cryptography`` would draw its own (OAEP encryption, PSS
signing, RSA key generation) the padding encodings and the prime search are implemented here and only
deterministic primitives are delegated. (OpenSSL's RSA blinding inside decrypt/sign still uses OpenSSL's RNG,
but blinding never changes an output.)

Key material
------------
The only thing stored per key material is a 32-byte *material seed* (``new_material_seed``). Everything else
is derived lazily from it and cached (``functools.lru_cache``):

* ``symmetric_key``: HKDF-SHA256(seed, info="kmssim/v1/symmetric-default/aes-256-gcm"), 32 bytes.
* ``hmac_key``: HKDF-SHA256(seed, info="kmssim/v1/hmac/<KEY_SPEC>"), as long as the hash's *output*
  (HMAC_224 → 28 bytes, HMAC_256 → 32, HMAC_384 → 48, HMAC_512 → 64): the key length AWS documents for its
  HMAC key specs, and the size of the spec's name.
* ``private_key``:

  - RSA_2048/3072/4096, e = 65537: a ``SeededRandom`` keyed by HKDF(seed, info="kmssim/v1/rsa/<SPEC>")
    drives the prime search. A start point is a random ``nlen/2``-bit odd integer with its top two bits set
    (so ``p ≥ √2·2^(nlen/2−1)`` and ``n`` has exactly ``nlen`` bits); from it an incremental search walks
    ``c, c+2, c+4 …`` over a window pre-sieved with every odd prime below 2^20 (like OpenSSL's historic
    ``probable_prime``, rather than FIPS 186-5 A.1.3's fresh candidate per try: purely for speed). Survivors
    with ``gcd(c−1, e) = 1`` get Miller-Rabin with random bases from the same stream, rounds per
    FIPS 186-5 Table B.1 (1024-bit primes: 5, 1536: 4, 2048: 4). Keys also satisfy
    ``|p−q| > 2^(nlen/2−100)`` and ``d > 2^(nlen/2)`` with ``d = e⁻¹ mod lcm(p−1, q−1)``; built with
    ``rsa.RSAPrivateNumbers`` including the CRT parameters, ``p > q``.
  - ECC_NIST_P256/P384/P521, ECC_SECG_P256K1: the scalar is rejection-sampled into ``[1, n−1]`` (draw
    ``ceil(bits(n)/8)`` bytes, keep the low ``bits(n)`` bits, retry if out of range) from the stream keyed
    by HKDF(seed, info="kmssim/v1/ecc/<SPEC>"), then ``ec.derive_private_key``.
  - ECC_NIST_EDWARDS25519: the 32-byte Ed25519 private key is HKDF(seed, info="kmssim/v1/ed25519").

Symmetric ciphertext blob (SYMMETRIC_DEFAULT, AES-256-GCM)
----------------------------------------------------------
::

    offset  size  field
    0       1     version byte, 0x01
    1       1     L = length of the key id in UTF-8 bytes (1..255)
    2       1     L XOR 0xFF (a flipped length bit is caught before L is used to locate anything)
    3       L     key reference, UTF-8: whatever the caller passes as key_id (a key id or key ARN)
    3+L     32    material id, raw (``material_id`` is its lowercase hex)
    35+L    12    IV, drawn from the RandomSource
    47+L    4     CRC-32 (zlib/IEEE, big-endian) of bytes [0, 47+L)
    51+L    ...   AES-256-GCM ciphertext (as long as the plaintext), then the 16-byte tag

The header is bytes ``[0, 51+L)`` and a blob is ``67 + L + len(plaintext)`` bytes (a 75-char key ARN gives
a 126-byte header and 142 bytes of overhead). The GCM associated data is
``header || encode_context(context)``: the key reference, material id and IV are authenticated along with
the context, and a header cannot be moved onto another ciphertext. The length byte's complement catches any
flipped length bit, and CRC-32 detects every single-bit error (and every burst of ≤ 32 bits) in the bytes it
covers, so ``parse_symmetric_blob`` reports any flipped header bit as ``InvalidCiphertextException`` rather
than naming a different key; GCM catches everything else. Every ciphertext error raises
``InvalidCiphertextException("")`` (empty message, as AWS does).

Encryption context encoding (``encode_context``)
------------------------------------------------
``u32be(number of pairs)``, then for each pair in ascending order of the key's UTF-8 bytes
``u32be(len(key)) || key || u32be(len(value)) || value`` (UTF-8, lengths in bytes). Every field is
length-prefixed and the pair count comes first, so the encoding is injective: ``{"a": "b=c"}``,
``{"a=b": "c"}``, ``{"ab": ""}``, ``{"a": "b"}`` and ``{}`` (``00 00 00 00``) all differ. An absent context
is passed as ``{}`` (AWS treats the two the same). Strings that are not valid Unicode (lone surrogates) raise
``ValidationException``.

Random sources
--------------
``SeededRandom`` is SHA-256 in counter mode: ``K = SHA256("kmssim.SeededRandom.v1\\0" || seed encoding)``
and block ``i`` is ``SHA256(K || u64be(i))``; an int seed is encoded as ``"int:" || decimal ASCII``, a bytes
seed as ``"bytes:" || seed``. Only hashlib's SHA-256 is involved, so the stream is the same on every machine
and Python version. ``fork(label)`` returns the stream whose key is
``SHA256("kmssim.SeededRandom.fork\\0" || K || u64be(k) || label)``, ``k`` counting this parent's earlier
forks: forking never consumes or shifts the parent's byte stream, and two forks (even with the same label)
are different sub-streams, deterministic in fork order. Neither class is thread-safe.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import math
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeAlias

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as _hmac
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kmssim._errors import (
    InvalidCiphertextException,
    InvalidKeyUsageException,
    UnsupportedOperationException,
    ValidationException,
)

__all__ = [
    "DIGEST_LENGTHS",
    "MATERIAL_SEED_BYTES",
    "RSA_OAEP_LIMITS",
    "PrivateKey",
    "RandomSource",
    "SeededRandom",
    "SymmetricHeader",
    "SystemRandom",
    "decrypt_symmetric",
    "encode_context",
    "encrypt_symmetric",
    "generate_data_key_pair",
    "generate_mac",
    "hmac_key",
    "material_id",
    "new_material_seed",
    "parse_symmetric_blob",
    "private_key",
    "public_key_der",
    "rsa_decrypt",
    "rsa_encrypt",
    "sign",
    "symmetric_key",
    "verify",
    "verify_mac",
]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

MATERIAL_SEED_BYTES: Final = 32
_CACHE_SIZE: Final = 4096


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


# ----------------------------------------------------------------------------------------------------------
# Key material
# ----------------------------------------------------------------------------------------------------------


def new_material_seed(rng: RandomSource) -> bytes:
    """A fresh 32-byte material seed: the only thing stored per key material."""
    return _draw(rng, MATERIAL_SEED_BYTES)


def _check_seed(seed: bytes) -> None:
    if not isinstance(seed, bytes) or len(seed) != MATERIAL_SEED_BYTES:
        raise ValueError(f"material seed must be {MATERIAL_SEED_BYTES} bytes")


def material_id(seed: bytes, key_arn: str) -> str:
    """64 lowercase hex chars naming one key material of one key; a one-way hash of the seed."""
    _check_seed(seed)
    arn = key_arn.encode("utf-8")
    return hashlib.sha256(b"kmssim/v1/material-id\x00" + struct.pack(">I", len(arn)) + arn + seed).hexdigest()


def _hkdf(seed: bytes, info: str, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode("ascii")).derive(seed)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _symmetric_key(seed: bytes) -> bytes:
    return _hkdf(seed, "kmssim/v1/symmetric-default/aes-256-gcm", 32)


def symmetric_key(seed: bytes) -> bytes:
    """The 32-byte AES-256 key of a SYMMETRIC_DEFAULT key material."""
    _check_seed(seed)
    return _symmetric_key(seed)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _aesgcm(seed: bytes) -> AESGCM:
    return AESGCM(_symmetric_key(seed))


_HMAC_SPECS: Final[dict[str, tuple[str, hashes.HashAlgorithm]]] = {
    "HMAC_224": ("HMAC_SHA_224", hashes.SHA224()),
    "HMAC_256": ("HMAC_SHA_256", hashes.SHA256()),
    "HMAC_384": ("HMAC_SHA_384", hashes.SHA384()),
    "HMAC_512": ("HMAC_SHA_512", hashes.SHA512()),
}


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _hmac_key(seed: bytes, key_spec: str) -> bytes:
    return _hkdf(seed, f"kmssim/v1/hmac/{key_spec}", _HMAC_SPECS[key_spec][1].digest_size)


def hmac_key(seed: bytes, key_spec: str) -> bytes:
    """HMAC key bytes; length = the hash's output size (28/32/48/64 bytes for HMAC_224/256/384/512)."""
    _check_seed(seed)
    if key_spec not in _HMAC_SPECS:
        raise ValidationException(f"{key_spec} is not an HMAC key spec.")
    return _hmac_key(seed, key_spec)


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


def _derive_private_key(seed: bytes, key_spec: str) -> PrivateKey:
    """Uncached derivation of an asymmetric private key from a 32-byte seed."""
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
def _private_key(seed: bytes, key_spec: str) -> PrivateKey:
    return _derive_private_key(seed, key_spec)


def private_key(seed: bytes, key_spec: str) -> PrivateKey:
    """The private key of an asymmetric key material (RSA_*, ECC_*).

    Derived on first use and cached per (seed, spec).
    """
    _check_seed(seed)
    return _private_key(seed, key_spec)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _public_key_der(seed: bytes, key_spec: str) -> bytes:
    return (
        _private_key(seed, key_spec)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def public_key_der(seed: bytes, key_spec: str) -> bytes:
    """DER-encoded SubjectPublicKeyInfo, as GetPublicKey returns."""
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
def _rsa_ints(seed: bytes, key_spec: str) -> _RSAInts:
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
# Symmetric encryption (SYMMETRIC_DEFAULT)
# ----------------------------------------------------------------------------------------------------------

_BLOB_VERSION: Final = 0x01
_IV_BYTES: Final = 12
_TAG_BYTES: Final = 16
_MATERIAL_ID_BYTES: Final = 32


@dataclass(frozen=True)
class SymmetricHeader:
    """What a symmetric blob names (the key, the key material) and how long its header is."""

    key_id: str
    material_id: str
    length: int = field(default=0, compare=False)


def encode_context(context: Mapping[str, str]) -> bytes:
    """Canonical, injective encoding of an encryption context (see the module docstring)."""
    try:
        items = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in context.items())
    except (AttributeError, UnicodeEncodeError) as exc:
        raise ValidationException(
            "Encryption context keys and values must be valid Unicode strings."
        ) from exc
    parts = [struct.pack(">I", len(items))]
    for k, v in items:
        parts += (struct.pack(">I", len(k)), k, struct.pack(">I", len(v)), v)
    return b"".join(parts)


def encrypt_symmetric(
    seed: bytes,
    *,
    key_id: str,
    material_id: str,
    plaintext: bytes,
    context: Mapping[str, str],
    rng: RandomSource,
) -> bytes:
    """AES-256-GCM encrypt into the kmssim ciphertext blob format (module docstring)."""
    _check_seed(seed)
    kid = key_id.encode("utf-8")
    if not 1 <= len(kid) <= 255:
        raise ValueError("key id must be 1..255 UTF-8 bytes")
    if len(material_id) != 2 * _MATERIAL_ID_BYTES:
        raise ValueError("material id must be 64 hex characters")
    mid = bytes.fromhex(material_id)
    encoded_context = encode_context(context)  # a context it refuses fails before the IV is drawn
    iv = _draw(rng, _IV_BYTES)
    body = bytes((_BLOB_VERSION, len(kid), len(kid) ^ 0xFF)) + kid + mid + iv
    header = body + struct.pack(">I", zlib.crc32(body))
    return header + _aesgcm(seed).encrypt(iv, plaintext, header + encoded_context)


def _split_blob(blob: bytes) -> tuple[int, SymmetricHeader]:
    """(header length, header) or InvalidCiphertextException("")."""
    if not isinstance(blob, bytes) or len(blob) < 3 or blob[0] != _BLOB_VERSION or blob[1] ^ blob[2] != 0xFF:
        raise InvalidCiphertextException("")
    kid_len = blob[1]
    body_len = 3 + kid_len + _MATERIAL_ID_BYTES + _IV_BYTES
    header_len = body_len + 4
    if kid_len == 0 or len(blob) < header_len + _TAG_BYTES:
        raise InvalidCiphertextException("")
    if zlib.crc32(blob[:body_len]) != int.from_bytes(blob[body_len:header_len], "big"):
        raise InvalidCiphertextException("")
    try:
        key_id = blob[3 : 3 + kid_len].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidCiphertextException("") from None
    mid = blob[3 + kid_len : 3 + kid_len + _MATERIAL_ID_BYTES].hex()
    return header_len, SymmetricHeader(key_id=key_id, material_id=mid, length=header_len)


def parse_symmetric_blob(blob: bytes) -> SymmetricHeader:
    """The key id and material id a symmetric blob names; InvalidCiphertextException("") if it is not ours."""
    return _split_blob(blob)[1]


def decrypt_symmetric(
    seed: bytes, blob: bytes, context: Mapping[str, str], header: SymmetricHeader | None = None
) -> bytes:
    """Decrypt an ``encrypt_symmetric`` blob; InvalidCiphertextException("") on any tamper/wrong context.
    ``header``: the blob's parsed header, when the caller has it already."""
    _check_seed(seed)
    header_len = header.length if header is not None and header.length else _split_blob(blob)[0]
    head = blob[:header_len]
    iv = head[header_len - 4 - _IV_BYTES : header_len - 4]
    try:
        return _aesgcm(seed).decrypt(iv, blob[header_len:], head + encode_context(context))
    except InvalidTag:
        raise InvalidCiphertextException("") from None


# ----------------------------------------------------------------------------------------------------------
# Asymmetric encryption (RSAES-OAEP)
# ----------------------------------------------------------------------------------------------------------

_OAEP_HASHES: Final[dict[str, hashes.HashAlgorithm]] = {
    "RSAES_OAEP_SHA_1": hashes.SHA1(),
    "RSAES_OAEP_SHA_256": hashes.SHA256(),
}

RSA_OAEP_LIMITS: Final[dict[tuple[str, str], int]] = {
    (spec, alg): bits // 8 - 2 * h.digest_size - 2
    for spec, bits in _RSA_BITS.items()
    for alg, h in _OAEP_HASHES.items()
}


def _incompatible(algorithm: str, key_spec: str) -> InvalidKeyUsageException:
    return InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key_spec}.")


def _mgf1(hash_name: str, mgf_seed: bytes, length: int) -> bytes:
    """MGF1 (RFC 8017 B.2.1)."""
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.new(hash_name, mgf_seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:length])


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _oaep_check(key_spec: str, algorithm: str) -> hashes.HashAlgorithm:
    if algorithm not in _OAEP_HASHES:
        raise ValidationException(f"{algorithm} is not a valid encryption algorithm.")
    if key_spec not in _RSA_BITS:
        raise _incompatible(algorithm, key_spec)
    return _OAEP_HASHES[algorithm]


def rsa_encrypt(seed: bytes, key_spec: str, algorithm: str, plaintext: bytes, rng: RandomSource) -> bytes:
    """RSAES-OAEP (RFC 8017 7.1.1, empty label, MGF1 with the same hash); the OAEP seed is drawn from rng."""
    _check_seed(seed)
    h = _oaep_check(key_spec, algorithm)
    limit = RSA_OAEP_LIMITS[(key_spec, algorithm)]
    if len(plaintext) > limit:
        raise ValidationException(
            f"Algorithm {algorithm} and key spec {key_spec} cannot encrypt data larger than {limit} bytes."
        )
    ints = _rsa_ints(seed, key_spec)
    name, h_len, k = h.name, h.digest_size, ints.k
    l_hash = hashlib.new(name, b"").digest()
    db = l_hash + bytes(k - len(plaintext) - 2 * h_len - 2) + b"\x01" + plaintext
    oaep_seed = _draw(rng, h_len)
    masked_db = _xor(db, _mgf1(name, oaep_seed, k - h_len - 1))
    masked_seed = _xor(oaep_seed, _mgf1(name, masked_db, h_len))
    m = int.from_bytes(b"\x00" + masked_seed + masked_db, "big")
    return pow(m, ints.e, ints.n).to_bytes(k, "big")


def rsa_decrypt(seed: bytes, key_spec: str, algorithm: str, ciphertext: bytes) -> bytes:
    """RSAES-OAEP decryption via ``cryptography``; any failure is InvalidCiphertextException("")."""
    _check_seed(seed)
    h = _oaep_check(key_spec, algorithm)
    key = _private_key(seed, key_spec)
    assert isinstance(key, rsa.RSAPrivateKey)
    try:
        return key.decrypt(ciphertext, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    except (ValueError, TypeError):
        raise InvalidCiphertextException("") from None


# ----------------------------------------------------------------------------------------------------------
# Signing
# ----------------------------------------------------------------------------------------------------------

_SIGN_HASHES: Final[dict[str, hashes.HashAlgorithm]] = {
    "RSASSA_PSS_SHA_256": hashes.SHA256(),
    "RSASSA_PSS_SHA_384": hashes.SHA384(),
    "RSASSA_PSS_SHA_512": hashes.SHA512(),
    "RSASSA_PKCS1_V1_5_SHA_256": hashes.SHA256(),
    "RSASSA_PKCS1_V1_5_SHA_384": hashes.SHA384(),
    "RSASSA_PKCS1_V1_5_SHA_512": hashes.SHA512(),
    "ECDSA_SHA_256": hashes.SHA256(),
    "ECDSA_SHA_384": hashes.SHA384(),
    "ECDSA_SHA_512": hashes.SHA512(),
    "ED25519_SHA_512": hashes.SHA512(),
    "ED25519_PH_SHA_512": hashes.SHA512(),
}

# Key spec -> signing algorithms it supports (AWS's table).
_SIGNING_ALGORITHMS: Final[dict[str, frozenset[str]]] = {
    **{
        spec: frozenset(a for a in _SIGN_HASHES if a.startswith(("RSASSA_PSS_", "RSASSA_PKCS1_V1_5_")))
        for spec in _RSA_BITS
    },
    "ECC_NIST_P256": frozenset({"ECDSA_SHA_256"}),
    "ECC_NIST_P384": frozenset({"ECDSA_SHA_384"}),
    "ECC_NIST_P521": frozenset({"ECDSA_SHA_512"}),
    "ECC_SECG_P256K1": frozenset({"ECDSA_SHA_256"}),
    _ED25519: frozenset({"ED25519_SHA_512", "ED25519_PH_SHA_512"}),
}

DIGEST_LENGTHS: Final[dict[str, int]] = {
    alg: h.digest_size for alg, h in _SIGN_HASHES.items() if alg != "ED25519_SHA_512"
}
"""Digest length in bytes per signing algorithm accepting MessageType DIGEST (ED25519_SHA_512 is RAW-only)."""


def _sign_check(key_spec: str, algorithm: str, message: bytes, message_type: str) -> hashes.HashAlgorithm:
    if algorithm not in _SIGN_HASHES:
        raise ValidationException(f"{algorithm} is not a valid signing algorithm.")
    if algorithm not in _SIGNING_ALGORITHMS.get(key_spec, frozenset()):
        raise _incompatible(algorithm, key_spec)
    if message_type not in ("RAW", "DIGEST"):
        raise ValidationException(f"MessageType {message_type} is not supported for algorithm {algorithm}.")
    if algorithm == "ED25519_SHA_512" and message_type != "RAW":
        raise ValidationException("ED25519_SHA_512 requires MessageType RAW.")
    if algorithm == "ED25519_PH_SHA_512":
        raise UnsupportedOperationException("kmssim does not support ED25519_PH_SHA_512.")
    if message_type == "DIGEST" and len(message) != DIGEST_LENGTHS[algorithm]:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    return _SIGN_HASHES[algorithm]


def _emsa_pss_encode(m_hash: bytes, em_bits: int, hash_name: str, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 9.1.1) from the message hash."""
    h_len, s_len = len(m_hash), len(salt)
    em_len = (em_bits + 7) // 8
    if em_len < h_len + s_len + 2:  # pragma: no cover - impossible for RSA >= 2048 with SHA-512
        raise ValueError("encoding error")
    h = hashlib.new(hash_name, bytes(8) + m_hash + salt).digest()
    db = bytes(em_len - s_len - h_len - 2) + b"\x01" + salt
    masked = bytearray(_xor(db, _mgf1(hash_name, h, em_len - h_len - 1)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def _digest(h: hashes.HashAlgorithm, message: bytes, message_type: str) -> bytes:
    if message_type == "DIGEST":
        return message
    return hashlib.new(h.name, message).digest()


def sign(
    seed: bytes, key_spec: str, algorithm: str, message: bytes, message_type: str, rng: RandomSource
) -> bytes:
    """Sign ``message`` (RAW: hashed here; DIGEST: already hashed). ECDSA signatures are DER, as KMS returns.

    PSS (salt length = hash length, salt from ``rng``) is encoded here; PKCS #1 v1.5, deterministic ECDSA
    (RFC 6979) and Ed25519 come from ``cryptography``. Only PSS draws from ``rng``.
    """
    _check_seed(seed)
    h = _sign_check(key_spec, algorithm, message, message_type)
    key = _private_key(seed, key_spec)
    prehashed_or_hash: Prehashed | hashes.HashAlgorithm = Prehashed(h) if message_type == "DIGEST" else h
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(prehashed_or_hash, deterministic_signing=True))
    if algorithm.startswith("RSASSA_PKCS1_V1_5_"):
        return key.sign(message, padding.PKCS1v15(), prehashed_or_hash)
    ints = _rsa_ints(seed, key_spec)
    em = _emsa_pss_encode(
        _digest(h, message, message_type), ints.n.bit_length() - 1, h.name, _draw(rng, h.digest_size)
    )
    return _rsa_private_op(ints, int.from_bytes(em, "big")).to_bytes(ints.k, "big")


def verify(
    seed: bytes, key_spec: str, algorithm: str, message: bytes, message_type: str, signature: bytes
) -> bool:
    """True iff ``signature`` is valid; a bad or malformed signature gives False, never an exception."""
    _check_seed(seed)
    h = _sign_check(key_spec, algorithm, message, message_type)
    public = _private_key(seed, key_spec).public_key()
    prehashed_or_hash: Prehashed | hashes.HashAlgorithm = Prehashed(h) if message_type == "DIGEST" else h
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, message)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(prehashed_or_hash))
        else:
            assert isinstance(public, rsa.RSAPublicKey)
            pad: padding.AsymmetricPadding = (
                padding.PKCS1v15()
                if algorithm.startswith("RSASSA_PKCS1_V1_5_")
                else padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
            )
            public.verify(signature, message, pad, prehashed_or_hash)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# MAC
# ----------------------------------------------------------------------------------------------------------


def _mac_hash(key_spec: str, algorithm: str) -> hashes.HashAlgorithm:
    spec = _HMAC_SPECS.get(key_spec)
    if spec is None or spec[0] != algorithm:
        raise _incompatible(algorithm, key_spec)
    return spec[1]


def generate_mac(seed: bytes, key_spec: str, algorithm: str, message: bytes) -> bytes:
    """HMAC_SHA_224/256/384/512 of ``message`` with an HMAC key (the algorithm must match the key spec)."""
    _check_seed(seed)
    h = _mac_hash(key_spec, algorithm)
    mac = _hmac.HMAC(_hmac_key(seed, key_spec), h)
    mac.update(message)
    return mac.finalize()


def verify_mac(seed: bytes, key_spec: str, algorithm: str, message: bytes, mac: bytes) -> bool:
    """Constant-time check of ``mac``; False (never an exception) when it does not match."""
    _check_seed(seed)
    h = _mac_hash(key_spec, algorithm)
    ctx = _hmac.HMAC(_hmac_key(seed, key_spec), h)
    ctx.update(message)
    try:
        ctx.verify(mac)
    except InvalidSignature:
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# Data key pairs
# ----------------------------------------------------------------------------------------------------------


def generate_data_key_pair(key_pair_spec: str, rng: RandomSource) -> tuple[bytes, bytes]:
    """(private key as DER PKCS #8, public key as DER SubjectPublicKeyInfo), deterministic given ``rng``.

    Draws one 32-byte seed from ``rng`` and derives the pair like a key material of that spec (uncached).
    """
    if key_pair_spec not in _RSA_BITS and key_pair_spec not in _EC_CURVES and key_pair_spec != _ED25519:
        raise UnsupportedOperationException(f"kmssim does not support key pair spec {key_pair_spec}.")
    key = _derive_private_key(new_material_seed(rng), key_pair_spec)
    private_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_der, public_der
