"""Notebook 11, multi-Region keys, imported key material and custom key stores: the exercises' checks.

Each check asks the simulator (DescribeKey, Decrypt) what a learner's keys are now and answers in plain words.
Sources: https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html,
https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html,
https://docs.aws.amazon.com/kms/latest/developerguide/custom-key-store-overview.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from kmssim import Simulator

__all__ = ["check_imported", "check_replica", "check_store_key"]


def _metadata(sim: Simulator, key: str, region: str | None = None) -> dict[str, Any] | None:
    from kmssim import KMSError

    try:
        md: dict[str, Any] = sim.call("DescribeKey", {"KeyId": key}, region=region)["KeyMetadata"]
    except KMSError:
        return None
    return md


def check_replica(sim: Simulator, key: str, region: str, blob: bytes) -> Feedback:
    """Exercise 1: ``key`` (a multi-Region primary) has an Enabled replica in ``region`` that decrypts ``blob``,
    a ciphertext made with the primary in its own Region."""
    from kmssim import KMSError

    replica = _metadata(sim, key, region)
    if replica is None:
        return not_yet(
            f"there is no related key in {region} yet: call ReplicateKey on the primary with ReplicaRegion={region!r}."
        )
    if replica["KeyState"] != "Enabled":
        return not_yet(
            f"the replica in {region} is {replica['KeyState']}: a new replica is Creating for a few seconds; "
            "move the clock on with sim.advance(seconds=...)."
        )
    try:
        plain = sim.call("Decrypt", {"CiphertextBlob": blob}, region=region)["Plaintext"]
    except KMSError as exc:
        return not_yet(f"Decrypt in {region} failed: {exc}")
    return right(
        f"the replica in {region} has the same key ID and key material: it decrypted the primary's ciphertext "
        f"({len(plain)} bytes) without calling the primary's Region."
    )


def check_imported(sim: Simulator, key: str) -> Feedback:
    """Exercise 2: ``key`` (Origin EXTERNAL) holds imported material that never expires, and works."""
    md = _metadata(sim, key)
    if md is None:
        return not_yet(f"{key} is not a key of this simulator.")
    if md["Origin"] != "EXTERNAL":
        return not_yet(
            f"{key} has Origin {md['Origin']}: imported material needs a key made with Origin='EXTERNAL'."
        )
    if md["KeyState"] != "Enabled":
        return not_yet(
            f"the key is {md['KeyState']}: get the wrapping public key and import token with GetParametersForImport, "
            "wrap 32 random bytes with it, and call ImportKeyMaterial."
        )
    if md.get("ExpirationModel") != "KEY_MATERIAL_DOES_NOT_EXPIRE":
        return not_yet(
            f"the material expires ({md.get('ValidTo')}): import it with "
            "ExpirationModel='KEY_MATERIAL_DOES_NOT_EXPIRE' so the key keeps working."
        )
    blob = sim.call("Encrypt", {"KeyId": key, "Plaintext": b"check"})["CiphertextBlob"]
    if sim.call("Decrypt", {"CiphertextBlob": blob})["Plaintext"] != b"check":
        return not_yet("the key does not decrypt what it encrypts.")
    return right("the key holds your material, which does not expire, and encrypts and decrypts with it.")


def check_store_key(sim: Simulator, key: str) -> Feedback:
    """Exercise 3: ``key`` lives in a custom key store that is connected, so the key is usable."""
    md = _metadata(sim, key)
    if md is None:
        return not_yet(f"{key} is not a key of this simulator.")
    store = md.get("CustomKeyStoreId")
    if store is None:
        return not_yet(
            "the key is not in a custom key store: create it with CustomKeyStoreId and Origin='AWS_CLOUDHSM'."
        )
    if md["KeyState"] == "Unavailable":
        return not_yet(
            f"the key is Unavailable because {store} is not connected: call ConnectCustomKeyStore and move the "
            "clock on while it is CONNECTING."
        )
    return right(f"the key is {md['KeyState']} in {store}, whose cluster is connected.")
