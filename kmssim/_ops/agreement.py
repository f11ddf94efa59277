"""Key agreement: DeriveSharedSecret (ECDH with a KEY_AGREEMENT key on a NIST prime curve), with real cryptography.

The shared secret equals the one the other party computes outside KMS from the key's GetPublicKey public key and its
own private key (the raw ECDH x-coordinate; no KDF). API page named on the handler.
"""

from __future__ import annotations

from typing import Any

from .. import _crypto
from .._errors import InvalidKeyUsageException
from . import operation
from ._kms import Kms, Request, dry_run, require_usage
from .crypto import _refuse_recipient


@operation("DeriveSharedSecret")
def derive_shared_secret(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DeriveSharedSecret: ``PublicKey`` is the other party's DER SubjectPublicKeyInfo on the key's curve.

    ``Recipient`` (Nitro Enclaves attestation) is refused as for every other operation. The response's ``KeyId`` is
    the key ARN, as in Sign and Encrypt (AWS's recorded value is masked; reference kms-advanced-keys.md §4.1).
    """
    _refuse_recipient(req)
    key = kms.use_key(req)
    require_usage(key, req.operation)
    algorithm = req.params["KeyAgreementAlgorithm"]
    if algorithm not in key.spec.key_agreement_algorithms:
        raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
    secret = _crypto.derive_shared_secret(
        key.current_material.seed, key.key_spec, bytes(req.params["PublicKey"])
    )
    dry_run(req)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "KeyAgreementAlgorithm": algorithm,
        "KeyOrigin": key.origin,
    }
