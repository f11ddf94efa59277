"""The symmetric ciphertext blob (AES-256-GCM) and the encryption-context encoding (see the package docstring)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidTag

from kmssim._errors import (
    InvalidCiphertextException,
    ValidationException,
)

from ._material import Material, _aesgcm, _seed
from ._random import RandomSource, _draw

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


#: Encodings of recent encryption contexts, by their items in the order given (most requests repeat a few).
_ENCODED: dict[tuple[tuple[object, object], ...], bytes] = {}
_ENCODED_SIZE: Final = 1024


def encode_context(context: Mapping[str, str]) -> bytes:
    """Canonical, injective encoding of an encryption context (see the module docstring)."""
    try:
        items_key = tuple(context.items())
        hit = _ENCODED.get(items_key)
    except TypeError:  # an unhashable value: encoded (and refused) below
        items_key, hit = None, None
    if hit is not None:
        return hit
    encoded = _encode_context(context)
    if items_key is not None:
        if len(_ENCODED) >= _ENCODED_SIZE:
            _ENCODED.clear()
        _ENCODED[items_key] = encoded
    return encoded


def _encode_context(context: Mapping[str, str]) -> bytes:
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
    seed: Material,
    *,
    key_id: str,
    material_id: str,
    plaintext: bytes,
    context: Mapping[str, str],
    rng: RandomSource,
) -> bytes:
    """AES-256-GCM encrypt into the kmssim ciphertext blob format (module docstring)."""
    raw = _seed(seed)
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
    return header + _aesgcm(raw).encrypt(iv, plaintext, header + encoded_context)


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
    seed: Material, blob: bytes, context: Mapping[str, str], header: SymmetricHeader | None = None
) -> bytes:
    """Decrypt an ``encrypt_symmetric`` blob; InvalidCiphertextException("") on any tamper/wrong context.
    ``header``: the blob's parsed header, when the caller has it already."""
    raw = _seed(seed)
    header_len = header.length if header is not None and header.length else _split_blob(blob)[0]
    head = blob[:header_len]
    iv = head[header_len - 4 - _IV_BYTES : header_len - 4]
    try:
        return _aesgcm(raw).decrypt(iv, blob[header_len:], head + encode_context(context))
    except InvalidTag:
        raise InvalidCiphertextException("") from None
