"""Signatures (RSA, ECDSA, Ed25519 and ML-DSA keys), MACs (HMAC keys) and public keys, with real cryptography.

Signatures verify outside kmssim with the public key from GetPublicKey (Ed25519ph: with RFC 8032 Ed25519ph over
the 64-byte digest that was sent); API pages are named on each handler.
"""

from __future__ import annotations

from typing import Any

from .. import _crypto
from .._errors import (
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    UnsupportedOperationException,
)
from .._models import Key
from . import operation
from ._kms import Kms, Request, describe_algorithms, dry_run, require_usage


def _message(req: Request, algorithm: str) -> tuple[bytes, str]:
    """The message and its type, checked by API_Sign's MessageType rules (``_crypto.check_message``)."""
    message = req.params["Message"]
    message_type = req.params.get("MessageType", "RAW")
    _crypto.check_message(algorithm, message, message_type)
    return message, message_type


def _algorithm(key: Key, algorithm: str, allowed: tuple[str, ...]) -> str:
    if algorithm not in allowed:
        raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
    return algorithm


def _signing_key(kms: Kms, req: Request) -> tuple[Key, str, bytes, str]:
    key = kms.use_key(req)
    require_usage(key, req.operation)
    algorithm = _algorithm(key, req.params["SigningAlgorithm"], key.spec.signing_algorithms)
    message, message_type = _message(req, algorithm)
    dry_run(req)
    return key, algorithm, message, message_type


@operation("Sign")
def sign(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Sign."""
    key, algorithm, message, message_type = _signing_key(kms, req)
    seed = key.current_material.seed
    signature = _crypto.sign(seed, key.key_spec, algorithm, message, message_type, kms.world)
    return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm}


@operation("Verify")
def verify(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Verify: an invalid signature is KMSInvalidSignatureException, which AWS sends without a message."""
    key, algorithm, message, message_type = _signing_key(kms, req)
    seed = key.current_material.seed
    if not _crypto.verify(seed, key.key_spec, algorithm, message, message_type, req.params["Signature"]):
        raise KMSInvalidSignatureException("")
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}


def _mac_key(kms: Kms, req: Request) -> tuple[Key, str]:
    key = kms.use_key(req)
    require_usage(key, req.operation)
    algorithm = _algorithm(key, req.params["MacAlgorithm"], key.spec.mac_algorithms)
    dry_run(req)
    return key, algorithm


@operation("GenerateMac")
def generate_mac(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GenerateMac."""
    key, algorithm = _mac_key(kms, req)
    mac = _crypto.generate_mac(key.current_material.seed, key.key_spec, algorithm, req.params["Message"])
    return {"Mac": mac, "MacAlgorithm": algorithm, "KeyId": key.arn}


@operation("VerifyMac")
def verify_mac(kms: Kms, req: Request) -> dict[str, Any]:
    """API_VerifyMac: a MAC that does not match is KMSInvalidMacException, sent without a message."""
    key, algorithm = _mac_key(kms, req)
    p = req.params
    if not _crypto.verify_mac(key.current_material.seed, key.key_spec, algorithm, p["Message"], p["Mac"]):
        raise KMSInvalidMacException("")
    return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm}


@operation("GetPublicKey")
def get_public_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key."""
    key = kms.use_key(req)
    if not key.spec.has_public_key:
        raise UnsupportedOperationException(
            f"{key.arn} key spec {key.key_spec} is not valid for GetPublicKey: it has no public key."
        )
    return {
        "KeyId": key.arn,
        "PublicKey": _crypto.public_key_der(key.current_material.seed, key.key_spec),
        "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec,
        "KeyUsage": key.key_usage,
        **describe_algorithms(key),
    }
