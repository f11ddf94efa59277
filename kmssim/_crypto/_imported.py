"""Key material imported into HMAC and asymmetric keys: what ImportKeyMaterial accepts for each key spec.

Sources: API_ImportKeyMaterial, API_GetParametersForImport and reference kms-advanced-keys.md §2.5. HMAC material is
the raw key, ``_keyspecs.IMPORTED_HMAC_KEY_BYTES`` long. Asymmetric material is a DER-encoded PKCS #8
``PrivateKeyInfo`` (RFC 5208 / RFC 5958, unencrypted) of a key exactly of the key spec: an RSA key of the spec's
modulus size, or an EC key on the spec's curve; GetPublicKey then returns that key's public key (AWS-observed:
byte for byte the SubjectPublicKeyInfo of the imported key). A traditional encoding (PKCS #1 ``RSAPrivateKey``,
SEC 1 ``ECPrivateKey``), an encrypted PKCS #8 key, a public key, trailing bytes or another size or curve are refused.
The imported bytes are kept as they came (an ``ImportedKey``): the material ID is a hash of them and the key ARN,
so re-importing the same bytes restores the key and other bytes (even another encoding of the same key) do not.
"""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kmssim._keyspecs import IMPORTED_HMAC_KEY_BYTES

from ._keys import _EC_CURVES, _RSA_BITS, load_imported_private_key
from ._material import ImportedKey


def _der_length(data: bytes, at: int) -> tuple[int, int]:
    """(length, offset of the contents) of the DER element whose length octets start at ``at``."""
    if at >= len(data):
        raise ValueError("truncated")
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if not 1 <= count <= 4 or at + 1 + count > len(data):
        raise ValueError("bad length")
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def _is_pkcs8(der: bytes) -> bool:
    """True when ``der`` is exactly one DER SEQUENCE whose first two elements are an INTEGER version 0 or 1 and an
    AlgorithmIdentifier SEQUENCE: an unencrypted PKCS #8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958), not a PKCS #1
    or SEC 1 key (their second element is an INTEGER or an OCTET STRING) nor an EncryptedPrivateKeyInfo."""
    try:
        if not der or der[0] != 0x30:
            return False
        length, body = _der_length(der, 1)
        if body + length != len(der) or der[body] != 0x02:
            return False
        version_length, version_at = _der_length(der, body + 1)
        if version_length != 1 or der[version_at] not in (0, 1):
            return False
        return der[version_at + 1] == 0x30
    except (ValueError, IndexError):
        return False


def imported_key(key_spec: str, material: bytes, *, hmac_up_to_block_size: bool = True) -> ImportedKey:
    """The material to hold for ``material`` imported into a ``key_spec`` key; ValueError saying what is wrong (the
    reason names sizes and kinds only, never the material). ``hmac_up_to_block_size``: HMAC material may be longer
    than the hash's output, up to its block size (``choices.IMPORTED_HMAC_KEYS_UP_TO_BLOCK_SIZE``)."""
    if key_spec in IMPORTED_HMAC_KEY_BYTES:
        low, high = IMPORTED_HMAC_KEY_BYTES[key_spec]
        if not hmac_up_to_block_size:
            high = low
        if not low <= len(material) <= high:
            span = f"{low} to {high} bytes" if high > low else f"{low} bytes"
            raise ValueError(
                f"Key material for a {key_spec} key is {span}; the imported material is {len(material)} bytes."
            )
        return ImportedKey(bytes(material))
    if key_spec not in _RSA_BITS and key_spec not in _EC_CURVES:
        raise ValueError(f"kmssim does not import key material into {key_spec} keys.")
    wanted = f"a DER-encoded PKCS #8 private key of a {key_spec} key"
    if not _is_pkcs8(material):
        raise ValueError(
            f"Key material for a {key_spec} key is {wanted}; the imported material is not PKCS #8."
        )
    try:
        key = load_imported_private_key(material, key_spec)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError(
            f"Key material for a {key_spec} key is {wanted}; the imported material is not."
        ) from None
    if key_spec in _RSA_BITS:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(
                f"Key material for a {key_spec} key is {wanted}; the imported key is not an RSA key."
            )
        if key.key_size != _RSA_BITS[key_spec]:
            raise ValueError(
                f"Key material for a {key_spec} key is {wanted}; the imported RSA key is {key.key_size} bits."
            )
    else:
        curve = _EC_CURVES[key_spec][0]
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(
                f"Key material for a {key_spec} key is {wanted}; the imported key is not an EC key."
            )
        if not isinstance(key.curve, curve):
            raise ValueError(
                f"Key material for a {key_spec} key is {wanted}; the imported EC key is on curve {key.curve.name}."
            )
    return ImportedKey(bytes(material))
