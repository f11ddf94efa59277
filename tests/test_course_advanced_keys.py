"""Notebook 11's checks: each says "Right" only for what the exercise asks and names the missing step otherwise."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import kmssim
from kmssim.course import advanced_keys

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def test_check_replica() -> None:
    sim = kmssim.Simulator(seed=3)
    key = sim.call("CreateKey", {"MultiRegion": True})["KeyMetadata"]["KeyId"]
    blob = sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})["CiphertextBlob"]
    assert "ReplicateKey" in str(advanced_keys.check_replica(sim, key, "ap-southeast-2", blob))
    sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": "ap-southeast-2"})
    assert "Creating" in str(advanced_keys.check_replica(sim, key, "ap-southeast-2", blob))
    sim.advance(seconds=10)
    assert advanced_keys.check_replica(sim, key, "ap-southeast-2", blob)
    assert not advanced_keys.check_replica(sim, key, "ap-southeast-2", b"not a ciphertext")


def _import(sim: kmssim.Simulator, key: str, material: bytes, **expiry: object) -> None:
    params = sim.call(
        "GetParametersForImport",
        {"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
    )
    public = serialization.load_der_public_key(params["PublicKey"])
    wrapped = public.encrypt(material, OAEP)  # type: ignore[union-attr]
    sim.call(
        "ImportKeyMaterial",
        {"KeyId": key, "ImportToken": params["ImportToken"], "EncryptedKeyMaterial": wrapped, **expiry},
    )


def test_check_imported() -> None:
    sim = kmssim.Simulator(seed=3)
    plain = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    assert "Origin" in str(advanced_keys.check_imported(sim, plain))
    key = sim.call("CreateKey", {"Origin": "EXTERNAL"})["KeyMetadata"]["KeyId"]
    assert "PendingImport" in str(advanced_keys.check_imported(sim, key))
    until = sim.now + timedelta(days=1)
    _import(sim, key, bytes(32), ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=until)
    assert "expires" in str(advanced_keys.check_imported(sim, key))
    sim.advance(days=2)
    _import(sim, key, bytes(32), ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert advanced_keys.check_imported(sim, key)


def test_check_store_key() -> None:
    sim = kmssim.Simulator(seed=3)
    plain = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    assert "custom key store" in str(advanced_keys.check_store_key(sim, plain))
    cluster = sim.add_cloudhsm_cluster(password="kmsuser-password")
    params = {
        "CustomKeyStoreName": "s",
        "CloudHsmClusterId": cluster,
        "TrustAnchorCertificate": sim.cloudhsm_trust_anchor(cluster),
        "KeyStorePassword": "kmsuser-password",
    }
    store = sim.call("CreateCustomKeyStore", params)["CustomKeyStoreId"]
    sim.call("ConnectCustomKeyStore", {"CustomKeyStoreId": store})
    sim.advance(minutes=20)
    key = sim.call("CreateKey", {"CustomKeyStoreId": store, "Origin": "AWS_CLOUDHSM"})["KeyMetadata"]["KeyId"]
    assert advanced_keys.check_store_key(sim, key)
    sim.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store})
    assert "Unavailable" in str(advanced_keys.check_store_key(sim, key))
    assert "not a key" in str(advanced_keys.check_store_key(sim, "1234abcd-12ab-34cd-56ef-1234567890ab"))
