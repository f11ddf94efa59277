"""Imported key material (BYOK): the whole flow done with ``cryptography`` outside kmssim, every wrapping
algorithm and wrapping key spec, the import token, expiry on the clock, deletion and re-import, and the errors.

Sources: API_CreateKey (Origin), API_GetParametersForImport, API_ImportKeyMaterial, API_DeleteImportedKeyMaterial,
importing-keys-encrypt-key-material.html, ct-deleteexpiredkeymaterial.html, the key-state table, and the AWS
responses recorded in LocalStack's AWS-validated snapshot (named per test).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim

from .conftest import error_code, error_message


def _material(n: int = 32, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


def _wrap(public_der: bytes, algorithm: str, material: bytes, seed: int = 99) -> bytes:
    """Wrap ``material`` as AWS's importing-keys-encrypt-key-material page describes, outside kmssim."""
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    h: hashes.HashAlgorithm = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, oaep)
    aes_key = random.Random(seed).randbytes(32)
    return public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def _external(kms: Any) -> str:
    return str(kms.create_key(Origin="EXTERNAL", Description="byok")["KeyMetadata"]["KeyId"])


def _import(
    kms: Any,
    key_id: str,
    material: bytes,
    *,
    algorithm: str = "RSAES_OAEP_SHA_256",
    spec: str = "RSA_2048",
    **extra: Any,
) -> dict[str, Any]:
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    if "ExpirationModel" not in extra and "ValidTo" not in extra:
        extra["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
    out: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=_wrap(params["PublicKey"], algorithm, material),
        **extra,
    )
    return out


def _metadata(kms: Any, key_id: str) -> dict[str, Any]:
    return dict(kms.describe_key(KeyId=key_id)["KeyMetadata"])


def test_the_whole_byok_flow_with_cryptography_outside_kmssim(sim: kmssim.Simulator, kms: Any) -> None:
    """CreateKey(EXTERNAL) -> GetParametersForImport -> wrap 32 bytes with RSAES_OAEP_SHA_256 outside kmssim ->
    ImportKeyMaterial -> Encrypt/Decrypt; expiry at ValidTo; the same material restores decryption."""
    created = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    key_id, arn = created["KeyId"], created["Arn"]
    # AWS-obs test_import_key_symmetric: PendingImport, not enabled, no CurrentKeyMaterialId before the import.
    assert (created["Origin"], created["KeyState"], created["Enabled"]) == (
        "EXTERNAL",
        "PendingImport",
        False,
    )
    assert "CurrentKeyMaterialId" not in created and "ExpirationModel" not in created
    assert created["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]

    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    assert params["KeyId"] == arn
    assert params["ParametersValidTo"] == sim.now + timedelta(hours=24)
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048

    material = _material()
    wrapped = public.encrypt(
        material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )
    valid_to = sim.now + timedelta(days=30)
    out = kms.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped, ValidTo=valid_to
    )
    material_id = out["KeyMaterialId"]
    assert out["KeyId"] == arn and len(material_id) == 64 and int(material_id, 16) >= 0
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["Enabled"], md["CurrentKeyMaterialId"]) == ("Enabled", True, material_id)
    assert (md["ExpirationModel"], md["ValidTo"]) == ("KEY_MATERIAL_EXPIRES", valid_to)

    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    decrypted = kms.decrypt(CiphertextBlob=blob)
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"secret", material_id)

    sim.advance(days=30)  # ValidTo: KMS deletes the material
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["Enabled"], md["CurrentKeyMaterialId"]) == (
        "PendingImport",
        False,
        material_id,
    )
    assert "ExpirationModel" not in md and "ValidTo" not in md
    expired = [e for e in sim.trail() if e.event_name == "DeleteExpiredKeyMaterial"]
    assert [(e.principal, e.resources, e.event_time) for e in expired] == [
        ("kms.amazonaws.com", (arn,), valid_to)
    ]
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob)
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending import.")

    with pytest.raises(ClientError) as exc:  # other material is refused, and changes nothing
        _import(kms, key_id, _material(seed=1))
    assert error_code(exc) == "IncorrectKeyMaterialException"
    assert _metadata(kms, key_id)["KeyState"] == "PendingImport"

    again = _import(kms, key_id, material)  # the same material: the old ciphertext decrypts again
    assert again["KeyMaterialId"] == material_id
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["ExpirationModel"]) == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert "ValidTo" not in md
    sim.advance(days=400)  # it does not expire
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


@pytest.mark.parametrize(
    ("algorithm", "spec"),
    [
        ("RSAES_OAEP_SHA_1", "RSA_2048"),
        ("RSAES_OAEP_SHA_256", "RSA_2048"),
        ("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"),
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        ("RSAES_OAEP_SHA_256", "RSA_3072"),
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096"),
    ],
)
def test_every_wrapping_algorithm_and_wrapping_key_spec(kms: Any, algorithm: str, spec: str) -> None:
    key_id = _external(kms)
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == int(spec[4:])
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=_wrap(params["PublicKey"], algorithm, _material()),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_the_same_bytes_give_the_same_material_id_in_a_key_and_another_in_another_key(kms: Any) -> None:
    """The material ID is a hash of the key and the material (AWS Security Blog, on-demand rotation for
    imported keys): wrapping differently does not change it; another key gives another ID."""
    first, second = _external(kms), _external(kms)
    a = _import(kms, first, _material())["KeyMaterialId"]
    kms.delete_imported_key_material(KeyId=first)
    b = _import(kms, first, _material(), algorithm="RSA_AES_KEY_WRAP_SHA_1")["KeyMaterialId"]
    c = _import(kms, second, _material())["KeyMaterialId"]
    assert a == b != c


def test_seeded_simulators_issue_the_same_wrapping_keys_and_tokens() -> None:
    def run() -> tuple[bytes, bytes]:
        kms = kmssim.Simulator(seed=3).client("kms")
        key_id = _external(kms)
        p = kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_2048"
        )
        return p["PublicKey"], p["ImportToken"]

    first = run()
    assert first == run()


def test_each_call_gives_a_new_wrapping_key(kms: Any) -> None:
    key_id = _external(kms)
    keys = {
        kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )["PublicKey"]
        for _ in range(2)
    }
    assert len(keys) == 2


def test_an_aws_kms_key_is_refused_with_the_recorded_message(kms: Any, key_id: str) -> None:
    """AWS-obs test_get_parameters_for_import_raises_for_non_external_kms_keys (2025-11-10)."""
    arn = _metadata(kms, key_id)["Arn"]
    calls = [
        lambda: kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        ),
        lambda: kms.import_key_material(
            KeyId=key_id,
            ImportToken=b"t",
            EncryptedKeyMaterial=b"m",
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        ),
        lambda: kms.delete_imported_key_material(KeyId=key_id),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc) == "UnsupportedOperationException"
        assert error_message(exc) == f"{arn} origin is AWS_KMS which is not valid for this operation."


@pytest.mark.parametrize(
    ("algorithm", "spec", "words"),
    [
        ("RSAES_PKCS1_V1_5", "RSA_2048", "no longer supported"),
        ("SM2PKE", "SM2", "China Regions"),
        ("RSAES_OAEP_SHA_256", "SM2", "China Regions"),
    ],
)
def test_wrapping_kmssim_does_not_serve_is_refused(kms: Any, algorithm: str, spec: str, words: str) -> None:
    key_id = _external(kms)
    with pytest.raises(ClientError) as exc:
        kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    assert error_code(exc) == "UnsupportedOperationException" and words in error_message(exc)


def _params(kms: Any, key_id: str) -> dict[str, Any]:
    return dict(
        kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    )


def _attempt(kms: Any, key_id: str, token: bytes, wrapped: bytes, **extra: Any) -> str:
    """The error code of an import that must fail; the key must stay as it was."""
    before = _metadata(kms, key_id)
    extra.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped, **extra)
    assert _metadata(kms, key_id) == before
    return error_code(exc)


def test_import_token_errors(sim: kmssim.Simulator, kms: Any) -> None:
    key_id, other = _external(kms), _external(kms)
    p, q = _params(kms, key_id), _params(kms, other)
    wrapped = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    token = p["ImportToken"]
    assert _attempt(kms, key_id, q["ImportToken"], wrapped) == "InvalidImportTokenException"  # another key's
    flipped = bytes([token[0]]) + bytes([token[1] ^ 1]) + token[2:]
    assert _attempt(kms, key_id, flipped, wrapped) == "InvalidImportTokenException"
    assert _attempt(kms, key_id, b"not a token", wrapped) == "InvalidImportTokenException"
    # Material wrapped with another public key than the token's: KMS cannot unwrap it.
    wrong = _wrap(q["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    assert _attempt(kms, key_id, token, wrong) == "InvalidCiphertextException"
    # Wrapped with the right key but another algorithm than the token was issued for.
    aes = _wrap(p["PublicKey"], "RSA_AES_KEY_WRAP_SHA_256", _material())
    assert _attempt(kms, key_id, token, aes) == "InvalidCiphertextException"
    sim.advance(hours=24)  # ParametersValidTo
    assert _attempt(kms, key_id, token, wrapped) == "ExpiredImportTokenException"


def test_expiration_model_and_valid_to_rules(sim: kmssim.Simulator, kms: Any) -> None:
    key_id = _external(kms)
    p = _params(kms, key_id)
    token, wrapped = p["ImportToken"], _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    with pytest.raises(ClientError) as exc:  # AWS-obs test_import_key_symmetric: the default model EXPIRES
        kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert (error_code(exc), error_message(exc)) == (
        "ValidationException",
        "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
    )
    now = sim.now
    bad: list[dict[str, Any]] = [
        {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": now + timedelta(days=1)},
        {"ValidTo": now},
        {"ValidTo": now - timedelta(days=1)},
        {"ValidTo": now + timedelta(days=365, seconds=1)},
    ]
    for extra in bad:
        assert _attempt(kms, key_id, token, wrapped, **extra) == "ValidationException", extra
    kms.import_key_material(
        KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped, ValidTo=now + timedelta(days=365)
    )
    assert _metadata(kms, key_id)["ValidTo"] == now + timedelta(days=365)


def test_material_of_the_wrong_size_is_incorrect_key_material(kms: Any) -> None:
    key_id = _external(kms)
    p = _params(kms, key_id)
    for size in (16, 31, 33, 64):
        wrapped = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(size))
        assert _attempt(kms, key_id, p["ImportToken"], wrapped) == "IncorrectKeyMaterialException"


def test_import_type_and_key_material_id(kms: Any) -> None:
    key_id = _external(kms)
    p = _params(kms, key_id)
    wrapped = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    token = p["ImportToken"]
    # Before the first import there is no existing material to re-import.
    assert (
        _attempt(kms, key_id, token, wrapped, ImportType="EXISTING_KEY_MATERIAL")
        == "IncorrectKeyMaterialException"
    )
    assert _attempt(kms, key_id, token, wrapped, KeyMaterialId="a" * 64) == "ValidationException"
    material_id = _import(kms, key_id, _material(), ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    p = _params(kms, key_id)
    token = p["ImportToken"]
    same = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    other = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(seed=5))
    assert (
        _attempt(kms, key_id, token, same, ImportType="NEW_KEY_MATERIAL") == "IncorrectKeyMaterialException"
    )
    assert _attempt(kms, key_id, token, same, KeyMaterialId="b" * 64) == "IncorrectKeyMaterialException"
    assert _attempt(kms, key_id, token, other) == "IncorrectKeyMaterialException"
    # Re-importing the same material into the Enabled key resets its expiration.
    out = kms.import_key_material(
        KeyId=key_id,
        ImportToken=token,
        EncryptedKeyMaterial=same,
        KeyMaterialId=material_id,
        ImportType="EXISTING_KEY_MATERIAL",
        ValidTo=datetime(2026, 6, 1, tzinfo=_metadata(kms, key_id)["CreationDate"].tzinfo),
    )
    assert out["KeyMaterialId"] == material_id
    assert _metadata(kms, key_id)["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    # Other material with NEW_KEY_MATERIAL is pending rotation (API_ImportKeyMaterial): not current yet.
    pending = kms.import_key_material(
        KeyId=key_id,
        ImportToken=token,
        EncryptedKeyMaterial=other,
        ImportType="NEW_KEY_MATERIAL",
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )["KeyMaterialId"]
    assert pending != material_id and _metadata(kms, key_id)["CurrentKeyMaterialId"] == material_id


def test_delete_imported_key_material(kms: Any) -> None:
    key_id = _external(kms)
    arn = _metadata(kms, key_id)["Arn"]
    nothing = kms.delete_imported_key_material(KeyId=key_id)  # pending import: no effect
    assert nothing["KeyId"] == arn and "KeyMaterialId" not in nothing
    material_id = _import(kms, key_id, _material())["KeyMaterialId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:
        kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId="c" * 64)
    assert error_code(exc) == "NotFoundException"
    out = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=material_id)
    assert (out["KeyId"], out["KeyMaterialId"]) == (arn, material_id)
    md = _metadata(kms, key_id)
    # AWS-obs test_import_key_symmetric: PendingImport, no ExpirationModel, the material ID stays.
    assert (md["KeyState"], md["Enabled"], md["CurrentKeyMaterialId"]) == (
        "PendingImport",
        False,
        material_id,
    )
    assert "ExpirationModel" not in md
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"p")
    assert error_message(exc) == f"{arn} is pending import."
    _import(kms, key_id, _material())
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_deleting_the_material_of_a_key_pending_deletion(kms: Any) -> None:
    key_id = _external(kms)
    _import(kms, key_id, _material())
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.delete_imported_key_material(KeyId=key_id)
    assert _metadata(kms, key_id)["KeyState"] == "PendingDeletion"
    for call in (lambda: _params(kms, key_id), lambda: _import(kms, key_id, _material())):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc) == "KMSInvalidStateException" and "pending deletion" in error_message(exc)
    kms.cancel_key_deletion(KeyId=key_id)
    assert _metadata(kms, key_id)["KeyState"] == "PendingImport"  # no material to be Disabled with
    _import(kms, key_id, _material())
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"


def test_key_state_rules_while_pending_import(kms: Any) -> None:
    """The key-state table's PendingImport column (footnotes 5 and 6)."""
    key_id = _external(kms)
    arn = _metadata(kms, key_id)["Arn"]
    pending = f"{arn} is pending import."
    refused = {
        "EnableKey": {},
        "DisableKey": {},
        "Encrypt": {"Plaintext": b"x"},
        "GenerateDataKey": {"KeySpec": "AES_256"},
        "CreateGrant": {"GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Encrypt"]},
        "RotateKeyOnDemand": {},  # AWS-obs test_rotate_key_on_demand_on_external_key_with_no_key_material
    }
    for op, extra in refused.items():
        with pytest.raises(ClientError) as exc:
            getattr(kms, _snake(op))(KeyId=key_id, **extra)
        assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", pending), op
    for op in ("EnableKeyRotation", "DisableKeyRotation", "GetKeyRotationStatus"):
        with pytest.raises(ClientError) as exc:
            getattr(kms, _snake(op))(KeyId=key_id)
        assert (error_code(exc), error_message(exc)) == (
            "UnsupportedOperationException",
            f"{arn} origin is EXTERNAL which is not valid for this operation.",
        ), op
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k", "TagValue": "v"}])
    kms.update_key_description(KeyId=key_id, Description="d")
    kms.create_alias(AliasName="alias/byok", TargetKeyId=key_id)
    assert kms.get_key_policy(KeyId=key_id)["Policy"]
    _import(kms, key_id, _material())
    with pytest.raises(
        ClientError
    ) as exc:  # AWS-obs test_rotate_key_on_demand_raises_for_no_pending_key_material
        kms.rotate_key_on_demand(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {arn}.",
    )
    kms.disable_key(KeyId=key_id)
    kms.enable_key(KeyId=key_id)
    assert kms.encrypt(KeyId="alias/byok", Plaintext=b"x")["KeyId"] == arn


def test_list_key_rotations_of_an_imported_key(sim: kmssim.Simulator, kms: Any) -> None:
    """RotationsListEntry: ImportState, KeyMaterialDescription, ExpirationModel and ValidTo are for symmetric
    EXTERNAL keys; the first material is listed only with ALL_KEY_MATERIAL."""
    key_id = _external(kms)
    arn = _metadata(kms, key_id)["Arn"]
    assert kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == []
    valid_to = sim.now + timedelta(days=9)
    material_id = _import(kms, key_id, _material(), ValidTo=valid_to, KeyMaterialDescription="batch 1")[
        "KeyMaterialId"
    ]
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    entry = {
        "KeyId": arn,
        "KeyMaterialId": material_id,
        "ImportState": "IMPORTED",
        "KeyMaterialState": "CURRENT",
        "KeyMaterialDescription": "batch 1",
        "ExpirationModel": "KEY_MATERIAL_EXPIRES",
        "ValidTo": valid_to,
    }
    assert kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == [entry]
    sim.advance(days=9)
    del entry["ExpirationModel"], entry["ValidTo"]
    entry["ImportState"] = "PENDING_IMPORT"
    assert kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == [entry]
    _import(kms, key_id, _material())  # the description given last stays
    assert (
        kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][0][
            "KeyMaterialDescription"
        ]
        == "batch 1"
    )


def _snake(op: str) -> str:
    import botocore

    return str(botocore.xform_name(op))


def test_material_expiring_while_disabled_comes_back_enabled_on_reimport(
    sim: kmssim.Simulator, kms: Any
) -> None:
    key_id = _external(kms)
    _import(kms, key_id, _material(), ValidTo=sim.now + timedelta(days=1))
    kms.disable_key(KeyId=key_id)
    sim.advance(days=2)
    assert _metadata(kms, key_id)["KeyState"] == "PendingImport"
    _import(kms, key_id, _material())
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"


def test_a_reimport_before_valid_to_replaces_the_expiry(sim: kmssim.Simulator, kms: Any) -> None:
    key_id = _external(kms)
    _import(kms, key_id, _material(), ValidTo=sim.now + timedelta(days=1))
    _import(kms, key_id, _material(), ValidTo=sim.now + timedelta(days=10))
    sim.advance(days=5)  # the first ValidTo passed: nothing expires
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"
    assert not [e for e in sim.trail() if e.event_name == "DeleteExpiredKeyMaterial"]
    sim.advance(days=5)
    assert _metadata(kms, key_id)["KeyState"] == "PendingImport"


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
        ("ML_DSA_44", "SIGN_VERIFY"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
    ],
)
def test_imported_material_of_undocumented_formats_is_refused_clearly(
    kms: Any, spec: str, usage: str
) -> None:
    """Whether AWS imports Ed25519, ML-DSA and ML-KEM material, and in which format, is not documented (reference
    kms-advanced-keys.md §2.1, §2.5): kmssim refuses such keys with Origin EXTERNAL and creates nothing."""
    with pytest.raises(ClientError) as exc:
        kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    assert error_code(exc) == "UnsupportedOperationException"
    assert spec in error_message(exc) and "not simulated" in error_message(exc)
    assert kms.list_keys()["Keys"] == []


def test_a_custom_key_store_origin_needs_its_store(kms: Any) -> None:
    """Origin AWS_CLOUDHSM goes with a CustomKeyStoreId (API_CreateKey); without one nothing is created."""
    with pytest.raises(ClientError) as exc:
        kms.create_key(Origin="AWS_CLOUDHSM")
    assert error_code(exc) == "ValidationException"
    assert kms.list_keys()["Keys"] == []


def test_condition_keys_of_the_import_operations(sim: kmssim.Simulator, kms: Any) -> None:
    """kms:WrappingKeySpec, kms:WrappingAlgorithm and kms:ExpirationModel (conditions-kms.html) as a key
    policy sees them; kms:KeyOrigin as an identity policy sees it."""
    root = "arn:aws:iam::111122223333:root"
    alice = sim.add_principal(
        "arn:aws:iam::111122223333:user/alice",
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:GetParametersForImport", "kms:ImportKeyMaterial"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"kms:KeyOrigin": "EXTERNAL"}},
                    }
                ],
            }
        ],
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "kms:GetParametersForImport",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"kms:WrappingKeySpec": "RSA_4096"}},
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "kms:ImportKeyMaterial",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}},
            },
            {  # kms:ValidTo is compared as Unix seconds (conditions-kms.html#conditions-kms-valid-to)
                "Effect": "Deny",
                "Principal": "*",
                "Action": "kms:ImportKeyMaterial",
                "Resource": "*",
                "Condition": {
                    "NumericGreaterThan": {"kms:ValidTo": str((sim.now + timedelta(days=10)).timestamp())}
                },
            },
        ],
    }
    import json

    key_id = kms.create_key(Origin="EXTERNAL", Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    as_alice = sim.client("kms", principal=alice)
    with pytest.raises(ClientError) as exc:
        as_alice.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    assert error_code(exc) == "AccessDeniedException"
    p = as_alice.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_4096"
    )
    wrapped = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material())
    with pytest.raises(ClientError) as exc:
        as_alice.import_key_material(
            KeyId=key_id,
            ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    assert error_code(exc) == "AccessDeniedException"
    with pytest.raises(ClientError) as exc:
        as_alice.import_key_material(
            KeyId=key_id,
            ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ValidTo=sim.now + timedelta(days=11),
        )
    assert error_code(exc) == "AccessDeniedException"
    as_alice.import_key_material(
        KeyId=key_id,
        ImportToken=p["ImportToken"],
        EncryptedKeyMaterial=wrapped,
        ValidTo=sim.now + timedelta(days=3),
    )
    other = kms.create_key()["KeyMetadata"]["KeyId"]  # an AWS_KMS key: alice's policy does not allow it
    with pytest.raises(ClientError) as exc:
        as_alice.get_parameters_for_import(
            KeyId=other, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_4096"
        )
    assert error_code(exc) == "AccessDeniedException"


_FUZZ_SIM = kmssim.Simulator(seed=11)
_FUZZ_KMS = _FUZZ_SIM.client("kms")
_FUZZ_KEY = _external(_FUZZ_KMS)
_FUZZ_PARAMS = _params(_FUZZ_KMS, _FUZZ_KEY)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    token=st.one_of(st.binary(min_size=1, max_size=80), st.just(b"")),
    flip=st.integers(0, 80 * 8),
    material=st.binary(min_size=1, max_size=300),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "ExpirationModel": st.sampled_from(["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE", "x"]),
            "ValidTo": st.one_of(
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(-(2**70), 2**70),
                st.text(max_size=4),
            ),
            "ImportType": st.sampled_from(["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL", ""]),
            "KeyMaterialId": st.one_of(st.just("a" * 64), st.text(max_size=70)),
            "KeyMaterialDescription": st.text(max_size=8),
        },
    ),
)
def test_any_import_request_gives_an_aws_error_or_imports(
    token: bytes, flip: int, material: bytes, extra: dict[str, Any]
) -> None:
    """Whatever the parameters, ImportKeyMaterial answers with an AWS error and changes nothing, or imports."""
    real = bytearray(_FUZZ_PARAMS["ImportToken"])
    if flip < len(real) * 8:
        real[flip // 8] ^= 1 << (flip % 8)
    wrapped = (
        _wrap(_FUZZ_PARAMS["PublicKey"], "RSAES_OAEP_SHA_256", material) if len(material) <= 190 else material
    )
    before = _FUZZ_SIM.to_json()
    params = {
        "KeyId": _FUZZ_KEY,
        "ImportToken": token or bytes(real),
        "EncryptedKeyMaterial": wrapped,
        **extra,
    }
    try:
        _FUZZ_SIM.call("ImportKeyMaterial", params)
    except kmssim.KMSError as exc:
        assert exc.code != "KMSInternalException", exc
        after = _FUZZ_SIM.to_json()
        assert after["operations"] == before["operations"]
    else:
        _FUZZ_SIM.call("DeleteImportedKeyMaterial", {"KeyId": _FUZZ_KEY})


@pytest.mark.parametrize("valid_to", [67768036191676800, float("inf"), "tomorrow", -(2**70)])
def test_a_valid_to_no_date_can_be_is_a_validation_error(valid_to: object) -> None:
    """Simulator.call passes ValidTo as given; one botocore cannot read as a date is a ValidationException."""
    params = {
        "KeyId": _FUZZ_KEY,
        "ImportToken": b"t",
        "EncryptedKeyMaterial": b"m",
        "ValidTo": valid_to,
    }
    with pytest.raises(kmssim.ValidationException):
        _FUZZ_SIM.call("ImportKeyMaterial", params)
