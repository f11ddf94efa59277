"""Import tokens and the unwrapping of imported key material (BYOK), with real cryptography.

Sources: API_GetParametersForImport, API_ImportKeyMaterial and
https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html.

Wrapping key: an RSA key pair whose private key is derived from a 32-byte *wrapping seed* drawn from the
simulator's randomness for each GetParametersForImport (``_crypto.private_key``: deterministic when seeded), so
every call gives a new public key, as AWS's does.

Import token: ``01 || nonce (12) || AES-256-GCM(import secret of the key, nonce, payload, aad)`` where payload is
``wrapping seed (32) || wrapping key spec index (1) || wrapping algorithm index (1) || u64be(ParametersValidTo in
microseconds since 1970)`` and aad is ``"kmssim/import-token/v1\\0" || key ARN``. The token alone says which
wrapping key and algorithm it belongs to and when it expires, and it opens only with the secret of the key it was
issued for: a token from another key, or altered in any bit, is InvalidImportTokenException. kmssim keeps no
table of tokens.

Wrapping algorithms: ``RSAES_OAEP_SHA_1|256`` encrypt the material with RSA-OAEP (MGF1 with the same hash, empty
label); ``RSA_AES_KEY_WRAP_SHA_1|256`` send ``RSA-OAEP(AES key) || AES key wrap with padding (RFC 5649) of the
material under that AES key``, the RSA part exactly as long as the modulus (the AlgorithmSpec documentation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from .. import _crypto
from .._errors import InvalidCiphertextException, InvalidImportTokenException

#: The wrapping algorithms and wrapping key specs kmssim serves (botocore's AlgorithmSpec and WrappingKeySpec,
#: less RSAES_PKCS1_V1_5, which AWS stopped accepting on 2023-10-10, and the China Regions' SM2PKE and SM2).
WRAPPING_ALGORITHMS: Final = (
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
)
WRAPPING_KEY_SPECS: Final = ("RSA_2048", "RSA_3072", "RSA_4096")
WRAPPING_SEED_BYTES: Final = 32
TOKEN_NONCE_BYTES: Final = 12
_VERSION: Final = b"\x01"
_AAD: Final = b"kmssim/import-token/v1\x00"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_PAYLOAD_BYTES: Final = WRAPPING_SEED_BYTES + 2 + 8
_TOKEN_BYTES: Final = len(_VERSION) + TOKEN_NONCE_BYTES + _PAYLOAD_BYTES + 16
_AES_KEY_BYTES: Final = (16, 24, 32)


@dataclass(frozen=True)
class ImportParameters:
    """What one import token stands for."""

    wrapping_seed: bytes
    wrapping_key_spec: str
    wrapping_algorithm: str
    valid_to: datetime


def public_key(params: ImportParameters) -> bytes:
    """The wrapping public key, DER SubjectPublicKeyInfo."""
    return _crypto.public_key_der(params.wrapping_seed, params.wrapping_key_spec)


def seal(secret: bytes, key_arn: str, params: ImportParameters, nonce: bytes) -> bytes:
    """The import token for ``params``, issued for the key ``key_arn`` whose import secret is ``secret``."""
    micros = (params.valid_to - _EPOCH) // timedelta(microseconds=1)
    payload = (
        params.wrapping_seed
        + bytes(
            [
                WRAPPING_KEY_SPECS.index(params.wrapping_key_spec),
                WRAPPING_ALGORITHMS.index(params.wrapping_algorithm),
            ]
        )
        + micros.to_bytes(8, "big")
    )
    return _VERSION + nonce + AESGCM(secret).encrypt(nonce, payload, _AAD + key_arn.encode())


def open_token(secret: bytes, key_arn: str, token: bytes) -> ImportParameters:
    """The parameters an import token stands for; InvalidImportTokenException unless it was sealed for this key."""
    invalid = InvalidImportTokenException(
        f"The import token is not one GetParametersForImport issued for {key_arn}."
    )
    if len(token) != _TOKEN_BYTES or token[:1] != _VERSION:
        raise invalid
    nonce, sealed = token[1 : 1 + TOKEN_NONCE_BYTES], token[1 + TOKEN_NONCE_BYTES :]
    try:
        payload = AESGCM(secret).decrypt(nonce, sealed, _AAD + key_arn.encode())
    except InvalidTag:
        raise invalid from None
    seed, spec, algorithm = payload[:WRAPPING_SEED_BYTES], payload[32], payload[33]
    if spec >= len(WRAPPING_KEY_SPECS) or algorithm >= len(WRAPPING_ALGORITHMS):
        raise invalid
    micros = int.from_bytes(payload[34:42], "big")
    return ImportParameters(
        seed,
        WRAPPING_KEY_SPECS[spec],
        WRAPPING_ALGORITHMS[algorithm],
        _EPOCH + timedelta(microseconds=micros),
    )


def unwrap(params: ImportParameters, blob: bytes) -> bytes:
    """The key material in ``blob`` (EncryptedKeyMaterial), wrapped as ``params`` say; InvalidCiphertextException
    when it was not wrapped with that public key and algorithm."""
    oaep = "RSAES_OAEP_SHA_1" if params.wrapping_algorithm.endswith("SHA_1") else "RSAES_OAEP_SHA_256"
    seed, spec = params.wrapping_seed, params.wrapping_key_spec
    failure = InvalidCiphertextException(
        f"The key material could not be unwrapped with the {spec} wrapping key and "
        f"{params.wrapping_algorithm} of this import token."
    )
    try:
        if params.wrapping_algorithm.startswith("RSAES_OAEP"):
            return _crypto.rsa_decrypt(seed, spec, oaep, blob)
        modulus_bytes = int(spec.removeprefix("RSA_")) // 8
        if len(blob) <= modulus_bytes:
            raise failure
        aes_key = _crypto.rsa_decrypt(seed, spec, oaep, blob[:modulus_bytes])
        if len(aes_key) not in _AES_KEY_BYTES:
            raise failure
        return aes_key_unwrap_with_padding(aes_key, blob[modulus_bytes:])
    except (InvalidCiphertextException, InvalidUnwrap, ValueError):
        raise failure from None
