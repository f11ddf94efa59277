"""Imported HMAC and asymmetric key material: the learner's own key, made and checked with ``cryptography`` outside
kmssim, *is* the KMS key's key.

Sources: API_CreateKey (Origin: "symmetric encryption KMS key, HMAC KMS key, asymmetric encryption KMS key,
asymmetric key agreement key, or asymmetric signing KMS key"), API_GetParametersForImport (WrappingAlgorithm: "To
import an RSA private key, you must use an RSA_AES wrapping algorithm"; no RSAES_OAEP with RSA_2048 for
ECC_NIST_P521), API_ImportKeyMaterial ("For asymmetric and HMAC keys, you cannot change the key material after the
initial import"; ImportType, KeyMaterialId, KeyMaterialDescription "only usable with symmetric encryption keys"),
API_GetPublicKey, API_Sign, API_Verify, API_Decrypt, API_GenerateMac, API_DeriveSharedSecret, the key-state table,
and the AWS responses recorded in LocalStack's AWS-validated snapshot (test_import_key_asymmetric,
test_import_key_ecc_keys, test_import_key_hmac_keys, test_import_key_rsa_aes_wrap_sha256: GetPublicKey returns the
imported key's SubjectPublicKeyInfo byte for byte; no CurrentKeyMaterialId). Reference kms-advanced-keys.md §2.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim

from .conftest import error_code, error_message
from .test_imported import _import as import_material
from .test_imported import _material, _wrap

_CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
    "ECC_SECG_P256K1": ec.SECP256K1(),
}
_ECDSA_HASH: dict[str, hashes.HashAlgorithm] = {
    "ECC_NIST_P256": hashes.SHA256(),
    "ECC_NIST_P384": hashes.SHA384(),
    "ECC_NIST_P521": hashes.SHA512(),
    "ECC_SECG_P256K1": hashes.SHA256(),
}


@functools.cache
def _rsa_key(bits: int, n: int = 0) -> rsa.RSAPrivateKey:
    """The learner's own RSA key, made outside kmssim (cached: generation is slow)."""
    del n  # distinct cache entries for distinct keys
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.cache
def _ec_key(spec: str, n: int = 0) -> ec.EllipticCurvePrivateKey:
    del n
    return ec.generate_private_key(_CURVES[spec])


def _pkcs8(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _spki(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _create(kms: Any, spec: str, usage: str) -> dict[str, Any]:
    return dict(kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"])


def _import(kms: Any, key_id: str, material: bytes, **how: Any) -> dict[str, Any]:
    """``test_imported._import`` with RSA_AES_KEY_WRAP_SHA_256 by default (it wraps every kind of material)."""
    how.setdefault("algorithm", "RSA_AES_KEY_WRAP_SHA_256")
    return import_material(kms, key_id, material, **how)


def _state(kms: Any, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])


def test_the_learner_flow_rsa_signing_key(sim: kmssim.Simulator, kms: Any) -> None:
    """Make an RSA key outside KMS, export it as DER PKCS #8, wrap it with RSA_AES_KEY_WRAP_SHA_256 under the KMS
    wrapping public key, import it; KMS's public key is the learner's, and KMS's signatures verify outside KMS with
    the learner's own public key (AWS-obs test_import_key_rsa_aes_wrap_sha256)."""
    created = _create(kms, "RSA_2048", "SIGN_VERIFY")
    key_id, arn = created["KeyId"], created["Arn"]
    assert (created["Origin"], created["KeyState"], created["Enabled"]) == (
        "EXTERNAL",
        "PendingImport",
        False,
    )
    assert "CurrentKeyMaterialId" not in created and "ExpirationModel" not in created
    for call in (
        lambda: kms.get_public_key(KeyId=key_id),  # no public key until the import (key-state table)
        lambda: kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert (error_code(exc), error_message(exc)) == (
            "KMSInvalidStateException",
            f"{arn} is pending import.",
        )

    mine = _rsa_key(2048)
    out = _import(kms, key_id, _pkcs8(mine), algorithm="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096")
    assert out["KeyId"] == arn and len(out["KeyMaterialId"]) == 64
    md = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["Enabled"], md["ExpirationModel"]) == (
        "Enabled",
        True,
        "KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert "CurrentKeyMaterialId" not in md  # symmetric keys only (AWS-obs test_import_key_asymmetric)
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == _spki(mine)

    message = b"release v1.2.3"
    pss = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    mine.public_key().verify(
        pss, message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    pkcs1 = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_384")["Signature"]
    assert pkcs1 == mine.sign(message, padding.PKCS1v15(), hashes.SHA384())  # deterministic: the same key
    outside = mine.sign(message, padding.PKCS1v15(), hashes.SHA512())
    verified = kms.verify(
        KeyId=key_id, Message=message, Signature=outside, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_512"
    )
    assert verified["SignatureValid"] is True


def test_an_imported_rsa_encryption_key_decrypts_what_its_public_key_encrypted(kms: Any) -> None:
    """API_Decrypt with an imported RSA key: ciphertext made outside KMS with the learner's public key decrypts in
    KMS, and KMS's ciphertext decrypts outside with the learner's private key."""
    key_id = _create(kms, "RSA_3072", "ENCRYPT_DECRYPT")["KeyId"]
    mine = _rsa_key(3072)
    _import(kms, key_id, _pkcs8(mine), algorithm="RSA_AES_KEY_WRAP_SHA_1", spec="RSA_2048")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = mine.public_key().encrypt(b"made outside", oaep)
    out = kms.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert out["Plaintext"] == b"made outside"
    made = kms.encrypt(KeyId=key_id, Plaintext=b"made in KMS", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert mine.decrypt(made["CiphertextBlob"], oaep) == b"made in KMS"


@pytest.mark.parametrize(
    ("spec", "algorithm", "wrapping"),
    [
        ("ECC_NIST_P256", "RSAES_OAEP_SHA_256", "RSA_2048"),  # AWS-obs test_import_key_asymmetric
        ("ECC_NIST_P384", "RSAES_OAEP_SHA_1", "RSA_2048"),  # AWS-obs test_import_key_ecc_keys
        ("ECC_SECG_P256K1", "RSAES_OAEP_SHA_1", "RSA_2048"),
        ("ECC_NIST_P521", "RSAES_OAEP_SHA_256", "RSA_4096"),
        ("ECC_NIST_P521", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
    ],
)
def test_the_learner_flow_ecc_signing_keys(kms: Any, spec: str, algorithm: str, wrapping: str) -> None:
    """ECDSA signatures of an imported EC key verify outside KMS with the learner's public key, and the learner's
    own signatures verify in KMS (API_Sign, API_Verify)."""
    key_id = _create(kms, spec, "SIGN_VERIFY")["KeyId"]
    mine = _ec_key(spec)
    _import(kms, key_id, _pkcs8(mine), algorithm=algorithm, spec=wrapping)
    public = kms.get_public_key(KeyId=key_id)
    assert public["PublicKey"] == _spki(mine) and public["KeySpec"] == spec
    signing = public["SigningAlgorithms"][0]
    h = _ECDSA_HASH[spec]
    signature = kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm=signing)["Signature"]
    mine.public_key().verify(signature, b"hello", ec.ECDSA(h))
    digest = hashlib.new(h.name, b"hello").digest()
    by_digest = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=signing)
    mine.public_key().verify(by_digest["Signature"], b"hello", ec.ECDSA(h))
    outside = mine.sign(b"from me", ec.ECDSA(h))
    out = kms.verify(KeyId=key_id, Message=b"from me", Signature=outside, SigningAlgorithm=signing)
    assert out["SignatureValid"] is True


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"])
def test_an_imported_key_agreement_key_derives_the_secret_the_peer_computes(kms: Any, spec: str) -> None:
    """API_DeriveSharedSecret with an imported KEY_AGREEMENT key: the secret equals the one the peer computes
    outside KMS from the learner's public key, and the one the learner's own key computes; KeyOrigin EXTERNAL."""
    key_id = _create(kms, spec, "KEY_AGREEMENT")["KeyId"]
    mine = _ec_key(spec, 1)
    _import(kms, key_id, _pkcs8(mine))
    peer = ec.generate_private_key(_CURVES[spec])
    out = kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=_spki(peer))
    assert out["SharedSecret"] == peer.exchange(ec.ECDH(), mine.public_key())
    assert out["SharedSecret"] == mine.exchange(ec.ECDH(), peer.public_key())
    assert out["KeyOrigin"] == "EXTERNAL"


@pytest.mark.parametrize(
    ("spec", "size"), [("HMAC_224", 28), ("HMAC_256", 32), ("HMAC_384", 48), ("HMAC_512", 64)]
)
def test_the_learner_flow_hmac(kms: Any, spec: str, size: int) -> None:
    """Import the learner's HMAC key (AWS-obs test_import_key_hmac_keys: 28/32/48/64 bytes, RSAES_OAEP_SHA_256
    with RSA_4096); GenerateMac equals HMAC computed outside KMS, and VerifyMac accepts the learner's MAC."""
    key_id = _create(kms, spec, "GENERATE_VERIFY_MAC")["KeyId"]
    secret = _material(size, seed=size)
    _import(kms, key_id, secret, algorithm="RSAES_OAEP_SHA_256", spec="RSA_4096")
    algorithm = f"HMAC_SHA_{spec.removeprefix('HMAC_')}"
    name = {"HMAC_224": "sha224", "HMAC_256": "sha256", "HMAC_384": "sha384", "HMAC_512": "sha512"}[spec]
    mac = kms.generate_mac(KeyId=key_id, Message=b"payload", MacAlgorithm=algorithm)["Mac"]
    assert mac == hmac.new(secret, b"payload", name).digest()
    outside = hmac.new(secret, b"other", name).digest()
    assert kms.verify_mac(KeyId=key_id, Message=b"other", Mac=outside, MacAlgorithm=algorithm)["MacValid"]
    assert "CurrentKeyMaterialId" not in kms.describe_key(KeyId=key_id)["KeyMetadata"]
    with pytest.raises(ClientError) as exc:
        kms.get_public_key(KeyId=key_id)
    assert error_code(exc) == "UnsupportedOperationException"


_HMAC_SIM = kmssim.Simulator(seed=5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(1, 160), seed=st.integers(0, 2**16))
def test_hmac_material_is_accepted_exactly_within_its_length_range(size: int, seed: int) -> None:
    """Law: HMAC_256 material of 32 to 64 bytes imports (and its MAC is the outside HMAC); any other length is
    IncorrectKeyMaterialException and the key stays PendingImport (``_keyspecs.IMPORTED_HMAC_KEY_BYTES``)."""
    kms = _HMAC_SIM.client("kms")
    key_id = _create(kms, "HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
    secret = _material(size, seed)
    try:
        _import(kms, key_id, secret, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048")
    except ClientError as exc:
        assert not 32 <= size <= 64
        assert exc.response["Error"]["Code"] == "IncorrectKeyMaterialException"
        assert f"{size} bytes" in exc.response["Error"]["Message"]
        assert _state(kms, key_id) == "PendingImport"
        return
    assert 32 <= size <= 64
    mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"m", "sha256").digest()


@pytest.mark.parametrize(
    ("spec", "algorithm", "wrapping", "hint"),
    [
        ("RSA_2048", "RSAES_OAEP_SHA_256", "RSA_4096", "RSA_AES"),
        ("RSA_4096", "RSAES_OAEP_SHA_1", "RSA_2048", "RSA_AES"),
        ("ECC_NIST_P521", "RSAES_OAEP_SHA_256", "RSA_2048", "RSA_3072 or RSA_4096"),
        ("ECC_NIST_P521", "RSAES_OAEP_SHA_1", "RSA_2048", "RSA_3072 or RSA_4096"),
    ],
)
def test_wrapping_algorithms_that_cannot_wrap_the_material_are_refused(
    sim: kmssim.Simulator, kms: Any, spec: str, algorithm: str, wrapping: str, hint: str
) -> None:
    """API_GetParametersForImport: RSAES_OAEP cannot wrap an RSA private key, nor ECC_NIST_P521 material with an
    RSA_2048 wrapping key. AWS's error is not recorded; kmssim's is a ValidationException naming the way out, and
    nothing changes (no random bytes drawn)."""
    usage = "SIGN_VERIFY"
    key_id = _create(kms, spec, usage)["KeyId"]
    before = json.dumps([sim.to_json()[part] for part in ("random", "operations")], sort_keys=True)
    with pytest.raises(ClientError) as exc:
        kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=wrapping)
    assert error_code(exc) == "ValidationException"
    assert algorithm in error_message(exc) and spec in error_message(exc) and hint in error_message(exc)
    assert json.dumps([sim.to_json()[part] for part in ("random", "operations")], sort_keys=True) == before
    allowed = "RSA_AES_KEY_WRAP_SHA_256" if spec.startswith("RSA") else algorithm
    kms.get_parameters_for_import(  # what the message advises works
        KeyId=key_id,
        WrappingAlgorithm=allowed,
        WrappingKeySpec=wrapping if allowed != algorithm else "RSA_3072",
    )


def _traditional(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("spec", "make", "why"),
    [
        ("ECC_NIST_P256", lambda: _pkcs8(_ec_key("ECC_NIST_P384")), "curve secp384r1"),
        ("ECC_NIST_P256", lambda: _pkcs8(_ec_key("ECC_SECG_P256K1")), "curve secp256k1"),
        ("ECC_NIST_P256", lambda: _pkcs8(_rsa_key(2048)), "not an EC key"),
        ("RSA_3072", lambda: _pkcs8(_rsa_key(2048)), "2048 bits"),
        ("RSA_2048", lambda: _pkcs8(_ec_key("ECC_NIST_P256")), "not an RSA key"),
        ("RSA_2048", lambda: _traditional(_rsa_key(2048)), "not PKCS #8"),  # PKCS #1 RSAPrivateKey
        ("ECC_NIST_P256", lambda: _traditional(_ec_key("ECC_NIST_P256")), "not PKCS #8"),  # SEC 1
        ("ECC_NIST_P256", lambda: _spki(_ec_key("ECC_NIST_P256")), "not PKCS #8"),  # a public key
        ("ECC_NIST_P256", lambda: _pkcs8(_ec_key("ECC_NIST_P256")) + b"\x00", "not PKCS #8"),
        ("RSA_2048", lambda: _material(32), "not PKCS #8"),
        ("ECC_NIST_P256", lambda: b"\x30\x03\x02\x01\x00", "not PKCS #8"),
    ],
)
def test_material_that_is_not_a_pkcs8_key_of_the_spec_is_incorrect(
    sim: kmssim.Simulator, kms: Any, spec: str, make: Any, why: str
) -> None:
    """API_ImportKeyMaterial, IncorrectKeyMaterialException: the material must be a DER PKCS #8 private key of a key
    exactly of the key spec; nothing changes (random stream included), the key stays PendingImport and the message
    does not show the material."""
    created = _create(kms, spec, "SIGN_VERIFY")
    material = make()
    params = kms.get_parameters_for_import(
        KeyId=created["KeyId"], WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapped = _wrap(params["PublicKey"], "RSA_AES_KEY_WRAP_SHA_256", material)
    before = json.dumps([sim.to_json()[part] for part in ("random", "operations")], sort_keys=True)
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(
            KeyId=created["KeyId"],
            ImportToken=params["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    assert json.dumps([sim.to_json()[part] for part in ("random", "operations")], sort_keys=True) == before
    message = error_message(exc)
    assert error_code(exc) == "IncorrectKeyMaterialException" and why in message and spec in message
    assert material.hex() not in message and base64.b64encode(material).decode() not in message
    assert _state(kms, created["KeyId"]) == "PendingImport"


_LAW_SIM = kmssim.Simulator(seed=6)
_LAW_KMS = _LAW_SIM.client("kms")
_LAW_KEY = _create(_LAW_KMS, "ECC_SECG_P256K1", "SIGN_VERIFY")["KeyId"]
_import(_LAW_KMS, _LAW_KEY, _pkcs8(_ec_key("ECC_SECG_P256K1", 4)))


@settings(max_examples=25, deadline=None)
@given(message=st.binary(min_size=1, max_size=4096))
def test_signatures_cross_between_kms_and_the_learners_own_key(message: bytes) -> None:
    """Law (API_Sign, API_Verify): for any message, KMS's ECDSA signature with the imported key verifies outside KMS
    with the learner's public key, and the learner's own signature verifies in KMS."""
    mine = _ec_key("ECC_SECG_P256K1", 4)
    signature = _LAW_KMS.sign(KeyId=_LAW_KEY, Message=message, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    mine.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
    outside = mine.sign(message, ec.ECDSA(hashes.SHA256()))
    out = _LAW_KMS.verify(
        KeyId=_LAW_KEY, Message=message, Signature=outside, SigningAlgorithm="ECDSA_SHA_256"
    )
    assert out["SignatureValid"] is True


def test_the_key_material_of_an_imported_asymmetric_key_never_changes(
    sim: kmssim.Simulator, kms: Any
) -> None:
    """API_ImportKeyMaterial: after the first import only the same material imports again (restoring the key after
    DeleteImportedKeyMaterial, with the same KeyMaterialId); another key is IncorrectKeyMaterialException."""
    created = _create(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    key_id, arn = created["KeyId"], created["Arn"]
    mine = _ec_key("ECC_NIST_P256", 2)
    first = _import(kms, key_id, _pkcs8(mine))
    deleted = kms.delete_imported_key_material(KeyId=key_id)
    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (arn, first["KeyMaterialId"])
    assert _state(kms, key_id) == "PendingImport"
    with pytest.raises(ClientError) as exc:
        kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending import.")
    with pytest.raises(ClientError) as exc:
        _import(kms, key_id, _pkcs8(_ec_key("ECC_NIST_P256", 3)))
    assert error_code(exc) == "IncorrectKeyMaterialException" and "cannot change" in error_message(exc)
    assert _state(kms, key_id) == "PendingImport"
    # Wrapping does not change the material: another wrapping algorithm and key are fine.
    again = _import(kms, key_id, _pkcs8(mine), algorithm="RSAES_OAEP_SHA_1", spec="RSA_3072")
    assert again["KeyMaterialId"] == first["KeyMaterialId"]
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    mine.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    "extra",
    [
        {"ImportType": "NEW_KEY_MATERIAL"},
        {"ImportType": "EXISTING_KEY_MATERIAL"},
        {"KeyMaterialDescription": "v1"},
        {"KeyMaterialId": "0" * 64},
    ],
)
def test_symmetric_only_parameters_are_refused_for_asymmetric_and_hmac_keys(
    kms: Any, extra: dict[str, str]
) -> None:
    """API_ImportKeyMaterial: ImportType, KeyMaterialId and KeyMaterialDescription are "only usable with symmetric
    encryption keys"."""
    key_id = _create(kms, "HMAC_384", "GENERATE_VERIFY_MAC")["KeyId"]
    with pytest.raises(ClientError) as exc:
        _import(kms, key_id, _material(48), algorithm="RSAES_OAEP_SHA_256", **extra)
    assert error_code(exc) == "ValidationException" and next(iter(extra)) in error_message(exc)
    assert _state(kms, key_id) == "PendingImport"


def test_imported_asymmetric_material_expires_on_the_clock(sim: kmssim.Simulator, kms: Any) -> None:
    """At ValidTo KMS deletes the material (ct-deleteexpiredkeymaterial.html): the key is PendingImport and has no
    public key; re-importing the same key restores it."""
    created = _create(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    key_id, arn = created["KeyId"], created["Arn"]
    mine = _rsa_key(2048, 1)
    valid_to = sim.now + timedelta(days=3)
    _import(kms, key_id, _pkcs8(mine), ValidTo=valid_to)
    md = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["ExpirationModel"], md["ValidTo"]) == ("KEY_MATERIAL_EXPIRES", valid_to)
    sim.advance(days=3)
    assert _state(kms, key_id) == "PendingImport"
    assert [e.resources for e in sim.trail() if e.event_name == "DeleteExpiredKeyMaterial"] == [(arn,)]
    with pytest.raises(ClientError) as exc:
        kms.get_public_key(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending import.")
    _import(kms, key_id, _pkcs8(mine))
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == _spki(mine)


def test_saved_state_round_trips_imported_keys_and_they_still_work() -> None:
    """Simulator.save / load (README "Saved state"): an imported RSA key and an imported HMAC key round-trip (save,
    load, save is identical) and still sign and MAC as the learner's keys; no material reaches the trail."""
    sim = kmssim.Simulator(seed=3)
    kms = sim.client("kms")
    rsa_id = _create(kms, "RSA_2048", "SIGN_VERIFY")["KeyId"]
    hmac_id = _create(kms, "HMAC_512", "GENERATE_VERIFY_MAC")["KeyId"]
    mine, secret = _rsa_key(2048, 2), _material(100, seed=7)
    _import(kms, rsa_id, _pkcs8(mine), ValidTo=sim.now + timedelta(days=9))
    _import(kms, hmac_id, secret, algorithm="RSAES_OAEP_SHA_256")
    text = json.dumps(sim.to_json(), indent=1, sort_keys=True)
    loaded = kmssim.Simulator.from_json(json.loads(text))
    assert json.dumps(loaded.to_json(), indent=1, sort_keys=True) == text
    again = loaded.client("kms")
    signature = again.sign(KeyId=rsa_id, Message=b"x", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")[
        "Signature"
    ]
    mine.public_key().verify(signature, b"x", padding.PKCS1v15(), hashes.SHA256())
    mac = again.generate_mac(KeyId=hmac_id, Message=b"x", MacAlgorithm="HMAC_SHA_512")["Mac"]
    assert mac == hmac.new(secret, b"x", "sha512").digest()
    loaded.advance(days=9)
    assert _state(again, rsa_id) == "PendingImport"
    trail = json.dumps([e.to_dict() for e in sim.trail()], default=str)
    for material in (_pkcs8(mine), secret):
        assert base64.b64encode(material).decode() not in trail and material.hex() not in trail


def test_damaged_imported_key_material_in_a_saved_state_is_refused() -> None:
    """A saved imported key that is not material of its key's spec, or whose ID does not match, does not load."""
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    key_id = _create(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    _import(kms, key_id, _pkcs8(_ec_key("ECC_NIST_P256")))
    data = sim.to_json()
    text = json.dumps(data)
    good = base64.b64encode(_pkcs8(_ec_key("ECC_NIST_P256"))).decode()
    for bad in (
        base64.b64encode(_pkcs8(_ec_key("ECC_NIST_P384"))).decode(),  # another curve
        base64.b64encode(_pkcs8(_ec_key("ECC_NIST_P256", 9))).decode(),  # the ID does not match
        good[:-4],  # not canonical / truncated
    ):
        damaged = json.loads(text.replace(good, bad))
        assert damaged != data
        with pytest.raises(kmssim.DataFileError) as exc:
            kmssim.Simulator.from_json(damaged)
        assert "imported_key" in str(exc.value) or "material_id" in str(exc.value)
