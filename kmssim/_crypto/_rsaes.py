"""RSAES-OAEP encryption and decryption (RFC 8017), with the MGF1 helper PSS signing shares."""

from __future__ import annotations

import hashlib
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kmssim._errors import (
    InvalidCiphertextException,
    InvalidKeyUsageException,
    ValidationException,
)

from ._keys import _RSA_BITS, _private_key, _rsa_ints
from ._material import Material, _check_seed
from ._random import RandomSource, _draw

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


def rsa_encrypt(seed: Material, key_spec: str, algorithm: str, plaintext: bytes, rng: RandomSource) -> bytes:
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


def rsa_decrypt(seed: Material, key_spec: str, algorithm: str, ciphertext: bytes) -> bytes:
    """RSAES-OAEP decryption via ``cryptography``; any failure is InvalidCiphertextException("")."""
    _check_seed(seed)
    h = _oaep_check(key_spec, algorithm)
    key = _private_key(seed, key_spec)
    assert isinstance(key, rsa.RSAPrivateKey)
    try:
        return key.decrypt(ciphertext, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    except (ValueError, TypeError):
        raise InvalidCiphertextException("") from None
