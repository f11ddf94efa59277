"""Checks for notebook 02 (encryption and data keys): an envelope that KMS and AES-GCM can open again.

Envelope encryption: https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#enveloping;
GenerateDataKey: https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from .. import Simulator

__all__ = ["ENVELOPE_FIELDS", "check_envelope"]

#: What an envelope holds: everything needed to decrypt later, and no plaintext key.
ENVELOPE_FIELDS = ("encrypted_key", "nonce", "ciphertext", "context")
_AES_GCM_NONCE_BYTES = 12


def check_envelope(
    sim: Simulator, envelope: object, plaintext: bytes, context: Mapping[str, str]
) -> Feedback:
    """Right when ``envelope`` decrypts to ``plaintext``: KMS opens its data key under ``context``, AES-GCM the rest.

    The check decrypts in a copy of ``sim``, so the notebook's trail and bill do not change.
    """
    from botocore.exceptions import ClientError
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from .. import Simulator

    if not isinstance(envelope, Mapping):
        return not_yet(
            f"my_envelope should be a dict, not {type(envelope).__name__}.", "the envelope in section 2"
        )
    missing = [f for f in ENVELOPE_FIELDS if f not in envelope]
    if missing:
        return not_yet(
            f"the envelope has no {', '.join(missing)}.", f"the keys: {', '.join(ENVELOPE_FIELDS)}"
        )
    if "plaintext_key" in envelope or "Plaintext" in envelope:
        return not_yet(
            "the envelope stores the plaintext data key.", "store only the encrypted copy (CiphertextBlob)"
        )
    if dict(envelope["context"]) != dict(context):
        return not_yet(
            f"the envelope's context is {dict(envelope['context'])}, the exercise asks for {dict(context)}.",
            "the EncryptionContext you passed to generate_data_key",
        )
    nonce = envelope["nonce"]
    if not isinstance(nonce, bytes) or len(nonce) != _AES_GCM_NONCE_BYTES:
        return not_yet("the nonce should be 12 random bytes.", "os.urandom(12)")
    copy = Simulator.from_json(sim.to_json())
    try:
        kms: Any = copy.client("kms")
        key = kms.decrypt(CiphertextBlob=envelope["encrypted_key"], EncryptionContext=dict(context))
    except ClientError as e:
        code = e.response["Error"]["Code"]
        return not_yet(
            f"KMS cannot decrypt the encrypted data key ({code}).",
            "encrypted_key is the data key's CiphertextBlob, made with this context",
        )
    try:
        opened = AESGCM(key["Plaintext"]).decrypt(nonce, envelope["ciphertext"], None)
    except (InvalidTag, ValueError, TypeError):
        return not_yet(
            "AES-GCM cannot open the ciphertext with that data key and nonce.",
            "encrypt with AESGCM(data_key['Plaintext']).encrypt(nonce, plaintext, None), the same nonce",
        )
    if opened != plaintext:
        return not_yet("the envelope opens, but to other data.", "encrypt the text the exercise gives")
    return right(f"the envelope opens with one KMS call and AES-GCM: {len(opened)} bytes back.")
