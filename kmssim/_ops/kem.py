"""Key encapsulation: Encapsulate and Decapsulate with ML-KEM keys (key usage ENCAPSULATE_DECAPSULATE).

A secret encapsulated outside KMS with the key's GetPublicKey public key decapsulates in KMS to the same secret, and
a secret KMS encapsulates decapsulates to the same bytes with the private key (FIPS 203). API pages named on each
handler.
"""

from __future__ import annotations

from typing import Any

from .. import _crypto
from .._errors import InvalidKeyUsageException
from .._models import Key
from . import operation
from ._kms import Kms, Request, dry_run, require_usage


def _kem_key(kms: Kms, req: Request) -> tuple[Key, str]:
    key = kms.use_key(req)
    require_usage(key, req.operation)
    algorithm = req.params["EncapsulationAlgorithm"]
    if algorithm not in key.spec.encapsulation_algorithms:
        raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
    return key, algorithm


@operation("Encapsulate")
def encapsulate(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Encapsulate: a fresh 32-byte shared secret and its ciphertext under the key's public key."""
    key, algorithm = _kem_key(kms, req)
    dry_run(req)
    secret, ciphertext = _crypto.ml_kem_encapsulate(key.current_material.seed, key.key_spec, kms.world)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "SharedSecretCiphertextBlob": ciphertext,
        "EncapsulationAlgorithm": algorithm,
    }


@operation("Decapsulate")
def decapsulate(kms: Kms, req: Request) -> dict[str, Any]:
    """API_Decapsulate: a ciphertext of the wrong length for the key spec is InvalidCiphertextException; any other
    ciphertext decapsulates, an altered or foreign one to FIPS 203's pseudo-random implicit-rejection value."""
    key, algorithm = _kem_key(kms, req)
    blob = bytes(req.params["SharedSecretCiphertextBlob"])
    secret = _crypto.ml_kem_decapsulate(key.current_material.seed, key.key_spec, blob)
    dry_run(req)
    return {"KeyId": key.arn, "SharedSecret": secret, "EncapsulationAlgorithm": algorithm}
