"""Signatures (RSASSA-PSS, RSASSA-PKCS1-v1_5, ECDSA, Ed25519, Ed25519ph, ML-DSA) and MACs (HMAC).

Message types (API_Sign, MessageType): RAW and DIGEST for RSA and ECDSA; ED25519_SHA_512 takes RAW only and
ED25519_PH_SHA_512 DIGEST only (a 64-byte SHA-512 digest, which KMS hashes again: FIPS 186-5 §7.8.1 step 1, so the
signature is Ed25519ph of the digest); ML_DSA_SHAKE_256 takes RAW or EXTERNAL_MU (the 64-byte μ of FIPS 204 §6.2).
"""

from __future__ import annotations

import hashlib
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kmssim._errors import ValidationException

from . import _ed25519ph
from ._keys import _ED25519, _RSA_BITS, _private_key, _rsa_ints, _rsa_private_op
from ._material import _HMAC_SPECS, Material, _check_seed, _hmac_key
from ._pq import _ML_DSA, check_mu, ml_dsa_sign, ml_dsa_verify
from ._random import RandomSource, _draw
from ._rsaes import _incompatible, _mgf1, _xor

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

_ML_DSA_ALGORITHM: Final = "ML_DSA_SHAKE_256"
#: The message types each signing algorithm accepts when it does not accept RAW and DIGEST (API_Sign).
_MESSAGE_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "ED25519_SHA_512": ("RAW",),
    "ED25519_PH_SHA_512": ("DIGEST",),
    _ML_DSA_ALGORITHM: ("RAW", "EXTERNAL_MU"),
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
    **{spec: frozenset({_ML_DSA_ALGORITHM}) for spec in _ML_DSA},
}

DIGEST_LENGTHS: Final[dict[str, int]] = {
    alg: h.digest_size for alg, h in _SIGN_HASHES.items() if alg != "ED25519_SHA_512"
}
"""Digest length in bytes per signing algorithm accepting MessageType DIGEST (ED25519_SHA_512 is RAW-only)."""


def check_message(algorithm: str, message: bytes, message_type: str) -> None:
    """The message-type rules of API_Sign / API_Verify (MessageType): which types the algorithm takes, and the
    length of a DIGEST (the hash's) or EXTERNAL_MU (64 bytes) message."""
    allowed = _MESSAGE_TYPES.get(algorithm, ("RAW", "DIGEST"))
    if message_type not in allowed:
        if len(allowed) == 1:
            raise ValidationException(f"{algorithm} requires MessageType {allowed[0]}.")
        raise ValidationException(f"MessageType {message_type} is not supported for algorithm {algorithm}.")
    if message_type == "DIGEST" and len(message) != DIGEST_LENGTHS[algorithm]:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    if message_type == "EXTERNAL_MU":
        check_mu(message)


def _sign_check(
    key_spec: str, algorithm: str, message: bytes, message_type: str
) -> hashes.HashAlgorithm | None:
    """The hash of a classic algorithm, None for ML-DSA (which hashes with SHAKE256 inside)."""
    if algorithm not in _SIGN_HASHES and algorithm != _ML_DSA_ALGORITHM:
        raise ValidationException(f"{algorithm} is not a valid signing algorithm.")
    if algorithm not in _SIGNING_ALGORITHMS.get(key_spec, frozenset()):
        raise _incompatible(algorithm, key_spec)
    check_message(algorithm, message, message_type)
    return _SIGN_HASHES.get(algorithm)


def _ed25519_private(seed: Material) -> bytes:
    key = _private_key(seed, _ED25519)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key.private_bytes_raw()


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
    seed: Material, key_spec: str, algorithm: str, message: bytes, message_type: str, rng: RandomSource
) -> bytes:
    """Sign ``message`` (RAW: hashed here; DIGEST: already hashed). ECDSA signatures are DER, as KMS returns.

    PSS (salt length = hash length, salt from ``rng``), Ed25519ph (``_ed25519ph``) and ML-DSA (``_mldsa``, hedged
    with 32 bytes from ``rng``) are computed here; PKCS #1 v1.5, deterministic ECDSA (RFC 6979) and Ed25519 come
    from ``cryptography``. Only PSS and ML-DSA draw from ``rng``.
    """
    _check_seed(seed)
    h = _sign_check(key_spec, algorithm, message, message_type)
    if h is None:
        return ml_dsa_sign(seed, key_spec, message, message_type, rng)
    if algorithm == "ED25519_PH_SHA_512":
        return _ed25519ph.sign(_ed25519_private(seed), message)
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
    seed: Material, key_spec: str, algorithm: str, message: bytes, message_type: str, signature: bytes
) -> bool:
    """True iff ``signature`` is valid; a bad or malformed signature gives False, never an exception."""
    _check_seed(seed)
    h = _sign_check(key_spec, algorithm, message, message_type)
    if h is None:
        return ml_dsa_verify(seed, key_spec, message, message_type, signature)
    if algorithm == "ED25519_PH_SHA_512":
        public_raw = _ed25519ph.public_key(_ed25519_private(seed))
        return _ed25519ph.verify(public_raw, message, signature)
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


def generate_mac(seed: Material, key_spec: str, algorithm: str, message: bytes) -> bytes:
    """HMAC_SHA_224/256/384/512 of ``message`` with an HMAC key (the algorithm must match the key spec)."""
    _check_seed(seed)
    h = _mac_hash(key_spec, algorithm)
    mac = _hmac.HMAC(_hmac_key(seed, key_spec), h)
    mac.update(message)
    return mac.finalize()


def verify_mac(seed: Material, key_spec: str, algorithm: str, message: bytes, mac: bytes) -> bool:
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
