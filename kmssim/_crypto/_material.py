"""Key material: the 32-byte material seed (or the key itself, imported into an HMAC or asymmetric key), material IDs,
and the symmetric and HMAC keys derived from it."""

from __future__ import annotations

import functools
import hashlib
import struct
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kmssim._errors import (
    ValidationException,
)

from ._random import RandomSource, _draw

MATERIAL_SEED_BYTES: Final = 32
_CACHE_SIZE: Final = 4096

# ----------------------------------------------------------------------------------------------------------
# Key material
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedKey:
    """Key material imported into an HMAC or asymmetric KMS key: ``raw`` *is* the key (the HMAC key's bytes, or the
    DER PKCS #8 private key), so every result equals what the importer's own copy of the key computes outside KMS.
    (Material imported into a symmetric encryption key stays a 32-byte seed.) Checked by ``_imported``."""

    raw: bytes = field(repr=False)


#: What a key material is to the functions of this package: a 32-byte seed everything is derived from, or an
#: imported key.
Material: TypeAlias = bytes | ImportedKey


def new_material_seed(rng: RandomSource) -> bytes:
    """A fresh 32-byte material seed: the only thing stored per key material."""
    return _draw(rng, MATERIAL_SEED_BYTES)


def _check_seed(seed: Material) -> None:
    if isinstance(seed, ImportedKey):
        if not isinstance(seed.raw, bytes) or not seed.raw:
            raise ValueError("imported key material must be bytes")
        return
    if not isinstance(seed, bytes) or len(seed) != MATERIAL_SEED_BYTES:
        raise ValueError(f"material seed must be {MATERIAL_SEED_BYTES} bytes")


def _seed(seed: Material) -> bytes:
    """``seed`` when it is a material seed (symmetric and post-quantum material is never an imported key)."""
    if isinstance(seed, ImportedKey):
        raise ValueError("imported key material is not a material seed")
    _check_seed(seed)
    return seed


def material_id(seed: Material, key_arn: str) -> str:
    """64 lowercase hex chars naming one key material of one key; a one-way hash of the seed (of the imported
    key's bytes for an imported key)."""
    if type(seed) is bytes and len(seed) == MATERIAL_SEED_BYTES:  # a material seed: every rotation's case
        raw = seed
    else:
        _check_seed(seed)
        raw = seed.raw if isinstance(seed, ImportedKey) else seed
    arn = key_arn.encode("utf-8")
    return hashlib.sha256(b"kmssim/v1/material-id\x00" + struct.pack(">I", len(arn)) + arn + raw).hexdigest()


def _hkdf(seed: bytes, info: str, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode("ascii")).derive(seed)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _symmetric_key(seed: bytes) -> bytes:
    return _hkdf(seed, "kmssim/v1/symmetric-default/aes-256-gcm", 32)


def symmetric_key(seed: Material) -> bytes:
    """The 32-byte AES-256 key of a SYMMETRIC_DEFAULT key material."""
    return _symmetric_key(_seed(seed))


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
def _hmac_key(seed: Material, key_spec: str) -> bytes:
    if isinstance(seed, ImportedKey):
        return seed.raw
    return _hkdf(seed, f"kmssim/v1/hmac/{key_spec}", _HMAC_SPECS[key_spec][1].digest_size)


def hmac_key(seed: Material, key_spec: str) -> bytes:
    """HMAC key bytes: derived, as long as the hash's output (28/32/48/64 bytes for HMAC_224/256/384/512), or the
    imported key itself."""
    _check_seed(seed)
    if key_spec not in _HMAC_SPECS:
        raise ValidationException(f"{key_spec} is not an HMAC key spec.")
    return _hmac_key(seed, key_spec)
