"""Symmetric and RSA encryption, data keys, data key pairs and random bytes.

Ciphertexts are real AES-256-GCM (symmetric keys; the blob names its key and key material) or RSAES-OAEP (RSA
keys; the blob names nothing, so Decrypt needs the KeyId). API pages are named on each handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _crypto
from .._errors import (
    AccessDeniedException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    UnsupportedOperationException,
    ValidationException,
)
from .._ids import parse_key_arn
from .._keyspecs import SIMULATED_DATA_KEY_PAIR_SPECS
from .._models import Key
from .._validation import validation_error
from . import key_stores, operation
from ._kms import Kms, Request, dry_run, require_symmetric, require_usage

#: The ``NumberOfBytes`` range of GenerateDataKey and GenerateRandom (API reference).
RANDOM_BYTES = (1, 1024)
#: Decrypt naming a key that is gone, or in another Region: AWS's wording.
CIPHERTEXT_KEY_MISSING = (
    "The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
    "or you are not allowed to access."
)
_NO_RECIPIENT = "Nitro Enclaves attestation (Recipient) is not simulated by kmssim."


def _refuse_recipient(req: Request) -> None:
    if req.params.get("Recipient"):
        raise UnsupportedOperationException(_NO_RECIPIENT)


def _context(req: Request, key: Key, param: str = "EncryptionContext") -> dict[str, str]:
    context = req.params.get(param) or {}
    if context and not key.spec.symmetric_encryption:
        raise ValidationException(
            f"{key.arn} is an asymmetric or HMAC key: EncryptionContext is supported only with symmetric "
            "encryption KMS keys."
        )
    return dict(context)


def _encryption_algorithm(key: Key, algorithm: str | None) -> str:
    algorithm = algorithm or "SYMMETRIC_DEFAULT"
    if algorithm not in key.spec.encryption_algorithms:
        raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
    return algorithm


def _encrypt_with(kms: Kms, key: Key, algorithm: str, plaintext: bytes, context: Mapping[str, str]) -> bytes:
    if algorithm == "SYMMETRIC_DEFAULT":
        material = key.current_material
        return _crypto.encrypt_symmetric(
            material.seed,
            key_id=key.arn,
            material_id=material.material_id,
            plaintext=plaintext,
            context=context,
            rng=kms.world,
        )
    limit = _crypto.RSA_OAEP_LIMITS[(key.key_spec, algorithm)]
    if len(plaintext) > limit:
        raise ValidationException(
            f"Algorithm {algorithm} and key spec {key.key_spec} cannot encrypt data larger than {limit} bytes."
        )
    return _crypto.rsa_encrypt(key.current_material.seed, key.key_spec, algorithm, plaintext, kms.world)


@operation("Encrypt")
def encrypt(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Encrypt."""
    key = kms.use_key(req)
    require_usage(key, "Encrypt")
    algorithm = _encryption_algorithm(key, req.params.get("EncryptionAlgorithm"))
    context = _context(req, key)
    dry_run(req)
    blob = _encrypt_with(kms, key, algorithm, req.params["Plaintext"], context)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


def _key_from_blob(kms: Kms, req: Request, key_ref: str) -> Key:
    """The key a symmetric ciphertext names, in the request's Region. A multi-Region key's ciphertext names
    the related key of its set in any Region, so the related key in this Region decrypts it
    (multi-region-keys-overview.html); a single-Region key's ciphertext decrypts only in its own Region."""
    parts = parse_key_arn(key_ref)
    if parts is None:
        raise InvalidCiphertextException("")
    region, account, key_id = parts
    related = region == req.region or key_id.startswith("mrk-")
    key = kms.find_key(account, req.region, key_id) if related else None
    if key is None:
        raise AccessDeniedException(CIPHERTEXT_KEY_MISSING)
    return key


def _open_ciphertext(
    kms: Kms,
    req: Request,
    *,
    key_param: str,
    algorithm_param: str,
    context_param: str,
    action: str,
    destination: Key | None = None,
) -> tuple[Key, bytes, str, str | None]:
    """Decrypt the request's ciphertext for Decrypt or ReEncrypt: (key, plaintext, algorithm, material ID)."""
    blob = req.params.get("CiphertextBlob")
    if blob is None:
        raise ValidationException("CiphertextBlob is required.")
    algorithm = req.params.get(algorithm_param) or "SYMMETRIC_DEFAULT"
    named: Key | None = None
    if req.params.get(key_param):
        named = kms.resolve(req, req.params[key_param], allow_alias=True)
    modifiers = req.params.get("DryRunModifiers") or ()
    if req.params.get("DryRun") and "IGNORE_CIPHERTEXT" in modifiers and named is not None:
        # Authorization only, no ciphertext validation (API_Decrypt, DryRunModifiers).
        kms.use_key(req, action=action, state_op="Decrypt", key=named)
        raise DryRunOperationException()
    header: _crypto.SymmetricHeader | None = None
    if algorithm == "SYMMETRIC_DEFAULT":
        header = req.blob_header or req.ciphertext_header(bytes(blob))
        key = _key_from_blob(kms, req, header.key_id)
        if named is not None and named.arn != key.arn:
            raise IncorrectKeyException(
                "The key ID in the request does not identify a CMK that can perform this operation."
            )
    else:
        if named is None:
            raise ValidationException(
                f"{key_param} is required when {algorithm_param} is {algorithm}: KMS stores no key "
                "reference in ciphertext made with an asymmetric key."
            )
        key = named
    if destination is not None:
        # kms:ReEncryptOnSameKey compares the resolved keys, whatever identifiers the request used.
        req.derived_context["kms:ReEncryptOnSameKey"] = key.arn == destination.arn
    kms.use_key(req, action=action, state_op="Decrypt", key=key)
    require_usage(key, "Decrypt")
    _encryption_algorithm(key, algorithm)
    context = _context(req, key, context_param)
    if header is not None:
        material = key.material(header.material_id)
        if material is None:
            raise InvalidCiphertextException("")
        plaintext = _crypto.decrypt_symmetric(material.seed, bytes(blob), context, header)
        return key, plaintext, algorithm, material.material_id
    plaintext = _crypto.rsa_decrypt(key.current_material.seed, key.key_spec, algorithm, bytes(blob))
    return key, plaintext, algorithm, None


@operation("Decrypt")
def decrypt(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Decrypt: the key comes from a symmetric ciphertext; KeyId, if given, must name the same key."""
    if req.params.get("Recipient"):
        raise UnsupportedOperationException(_NO_RECIPIENT)
    key, plaintext, algorithm, material_id = _open_ciphertext(
        kms,
        req,
        key_param="KeyId",
        algorithm_param="EncryptionAlgorithm",
        context_param="EncryptionContext",
        action="kms:Decrypt",
    )
    dry_run(req)
    out: dict[str, Any] = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
    if material_id is not None:
        out["KeyMaterialId"] = material_id
    return out


@operation("ReEncrypt")
def re_encrypt(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ReEncrypt: needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination."""
    destination = kms.resolve(req, req.params["DestinationKeyId"], allow_alias=True)
    source, plaintext, s_alg, s_material = _open_ciphertext(
        kms,
        req,
        destination=destination,
        key_param="SourceKeyId",
        algorithm_param="SourceEncryptionAlgorithm",
        context_param="SourceEncryptionContext",
        action="kms:ReEncryptFrom",
    )
    dest = kms.use_key(req, "DestinationKeyId", action="kms:ReEncryptTo", state_op="Encrypt")
    require_usage(dest, "Encrypt")
    d_alg = _encryption_algorithm(dest, req.params.get("DestinationEncryptionAlgorithm"))
    d_context = _context(req, dest, "DestinationEncryptionContext")
    dry_run(req)
    blob = _encrypt_with(kms, dest, d_alg, plaintext, d_context)
    out: dict[str, Any] = {
        "CiphertextBlob": blob,
        "SourceKeyId": source.arn,
        "KeyId": dest.arn,
        "SourceEncryptionAlgorithm": s_alg,
        "DestinationEncryptionAlgorithm": d_alg,
    }
    if s_material is not None:
        out["SourceKeyMaterialId"] = s_material
    if d_alg == "SYMMETRIC_DEFAULT":
        out["DestinationKeyMaterialId"] = dest.current_material.material_id
    return out


def _data_key(kms: Kms, req: Request) -> tuple[Key, bytes, bytes]:
    p = req.params
    if ("KeySpec" in p) == ("NumberOfBytes" in p):
        raise ValidationException("Please specify either number of bytes or key spec.")
    _refuse_recipient(req)
    n = {"AES_128": 16, "AES_256": 32}[p["KeySpec"]] if "KeySpec" in p else p["NumberOfBytes"]
    if not RANDOM_BYTES[0] <= n <= RANDOM_BYTES[1]:
        raise validation_error(
            n, "numberOfBytes", f"Member must have value less than or equal to {RANDOM_BYTES[1]}"
        )
    key = kms.use_key(req)
    require_usage(key, req.operation)
    require_symmetric(key, req.operation)
    context = _context(req, key)
    dry_run(req)
    plaintext = kms.world.random_bytes(n)
    return key, plaintext, _encrypt_with(kms, key, "SYMMETRIC_DEFAULT", plaintext, context)


@operation("GenerateDataKey")
def generate_data_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateDataKey."""
    key, plaintext, blob = _data_key(kms, req)
    material = key.current_material.material_id
    return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn, "KeyMaterialId": material}


@operation("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateDataKeyWithoutPlaintext."""
    key, _, blob = _data_key(kms, req)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": key.current_material.material_id}


def _data_key_pair(kms: Kms, req: Request) -> dict[str, Any]:
    pair_spec = req.params["KeyPairSpec"]
    if pair_spec not in SIMULATED_DATA_KEY_PAIR_SPECS:
        raise UnsupportedOperationException(f"KeyPairSpec {pair_spec} is not simulated by kmssim.")
    _refuse_recipient(req)
    key = kms.use_key(req)
    require_usage(key, req.operation)
    require_symmetric(key, req.operation)
    context = _context(req, key)
    dry_run(req)
    private_der, public_der = _crypto.generate_data_key_pair(pair_spec, kms.world)
    blob = _encrypt_with(kms, key, "SYMMETRIC_DEFAULT", private_der, context)
    return {
        "PrivateKeyCiphertextBlob": blob,
        "PrivateKeyPlaintext": private_der,
        "PublicKey": public_der,
        "KeyId": key.arn,
        "KeyPairSpec": pair_spec,
        "KeyMaterialId": key.current_material.material_id,
    }


@operation("GenerateDataKeyPair")
def generate_data_key_pair(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateDataKeyPair."""
    return _data_key_pair(kms, req)


@operation("GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateDataKeyPairWithoutPlaintext."""
    out = _data_key_pair(kms, req)
    del out["PrivateKeyPlaintext"]
    return out


@operation("GenerateRandom")
def generate_random(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateRandom."""
    n = req.params.get("NumberOfBytes")
    if n is None:
        raise ValidationException("NumberOfBytes is required.")
    if req.params.get("CustomKeyStoreId"):
        key_stores.random_source(kms, req)
    _refuse_recipient(req)
    kms.authorize(req, "kms:GenerateRandom", None, "*")
    return {"Plaintext": kms.world.random_bytes(n)}
