"""On-demand rotation of imported symmetric key material: new material imported with ImportType NEW_KEY_MATERIAL
is pending rotation until RotateKeyOnDemand makes it current; older material stays for decryption; each material
has its own import, description and expiration; DeleteImportedKeyMaterial names one by KeyMaterialId.

Sources: API_ImportKeyMaterial (ImportType, KeyMaterialId, "you will need to import all of the key materials
associated with the KMS key to change its state to Enabled"), API_RotateKeyOnDemand, API_ListKeyRotations,
API_RotationsListEntry, API_DeleteImportedKeyMaterial, API_KeyMetadata (CurrentKeyMaterialId, ValidTo), the
key-state table (footnote 6: no automatic rotation of imported material), and the AWS responses recorded in
LocalStack's AWS-validated snapshot (tests/aws/services/kms/test_kms.snapshot.json), named per test.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import kmssim
from kmssim import choices

from .conftest import error_code, error_message
from .test_imported import _material, _metadata, _wrap


class Importer:
    """One GetParametersForImport per key (an import token serves until it expires: a kmssim reading listed in
    the README), then any number of imports wrapped outside kmssim with ``cryptography``."""

    def __init__(self, kms: Any, key_id: str) -> None:
        self.kms, self.key_id = kms, key_id
        self.params = kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )

    def renew(self) -> None:
        """A new wrapping key and token (the last is valid 24 hours: API_GetParametersForImport)."""
        self.__init__(self.kms, self.key_id)  # type: ignore[misc]

    def wrap(self, material: bytes) -> bytes:
        return _wrap(self.params["PublicKey"], "RSAES_OAEP_SHA_256", material)

    def __call__(self, material: bytes, **extra: Any) -> str:
        if "ValidTo" not in extra:
            extra.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
        out = self.kms.import_key_material(
            KeyId=self.key_id,
            ImportToken=self.params["ImportToken"],
            EncryptedKeyMaterial=self.wrap(material),
            **extra,
        )
        return str(out["KeyMaterialId"])

    def refused(self, material: bytes, **extra: Any) -> tuple[str, str]:
        """The error of an import that must fail; the key's metadata and rotations stay as they were."""
        before = (_metadata(self.kms, self.key_id), _all(self.kms, self.key_id))
        with pytest.raises(ClientError) as exc:
            self(material, **extra)
        assert (_metadata(self.kms, self.key_id), _all(self.kms, self.key_id)) == before
        return error_code(exc), error_message(exc)


def _all(kms: Any, key_id: str) -> list[dict[str, Any]]:
    rotations: list[dict[str, Any]] = kms.list_key_rotations(
        KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL"
    )["Rotations"]
    return rotations


def _states(kms: Any, key_id: str) -> list[tuple[str, str, str]]:
    return [(r["KeyMaterialId"], r["ImportState"], r["KeyMaterialState"]) for r in _all(kms, key_id)]


def test_the_whole_imported_rotation_flow_with_cryptography_outside_kmssim(
    sim: kmssim.Simulator, kms: Any
) -> None:
    """AWS-obs test_rotate_key_on_demand_updates_current_key_material_for_external_keys: after NEW material is
    imported CurrentKeyMaterialId is unchanged; after RotateKeyOnDemand it is the new material's ID and the old
    ciphertext still decrypts. Wrapping is done here with the GetParametersForImport public key."""
    created = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    key_id, arn = created["KeyId"], created["Arn"]
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    first, second = _material(seed=10), _material(seed=11)
    one = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(first, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        KeyMaterialDescription="first",
    )["KeyMaterialId"]
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]

    two = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(second, oaep),
        ImportType="NEW_KEY_MATERIAL",
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        KeyMaterialDescription="second",
    )["KeyMaterialId"]
    assert two != one
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["CurrentKeyMaterialId"]) == ("Enabled", one)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == one  # pending material is not used yet
    assert _states(kms, key_id) == [(one, "IMPORTED", "CURRENT"), (two, "IMPORTED", "PENDING_ROTATION")]
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []  # ROTATIONS_ONLY: no rotation yet

    sim.advance(hours=1)
    assert kms.rotate_key_on_demand(KeyId=key_id) == {"KeyId": arn} | {"ResponseMetadata": _any()}
    md = _metadata(kms, key_id)
    assert md["CurrentKeyMaterialId"] == two
    new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=old_blob)["KeyMaterialId"] == one
    assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"
    assert kms.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == two
    assert kms.decrypt(CiphertextBlob=new_blob)["Plaintext"] == b"new"
    rotated = {
        "KeyId": arn,
        "KeyMaterialId": two,
        "KeyMaterialDescription": "second",
        "ImportState": "IMPORTED",
        "KeyMaterialState": "CURRENT",
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        "RotationDate": sim.now,
        "RotationType": "ON_DEMAND",
    }
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == [rotated]
    first_entry = {
        "KeyId": arn,
        "KeyMaterialId": one,
        "KeyMaterialDescription": "first",
        "ImportState": "IMPORTED",
        "KeyMaterialState": "NON_CURRENT",
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
    assert _all(kms, key_id) == [first_entry, rotated]
    assert sim.inventory()[0].rotations == 1
    # The trail records both calls without the material or the token.
    events = [e for e in sim.trail() if e.event_name in ("ImportKeyMaterial", "RotateKeyOnDemand")]
    assert [e.event_name for e in events] == ["ImportKeyMaterial", "ImportKeyMaterial", "RotateKeyOnDemand"]
    text = json.dumps(sim.to_json()["trail"], default=str)
    for secret in (first, second, params["ImportToken"]):
        assert secret.hex() not in text and secret.hex().upper() not in text


def _any() -> Any:
    class AnyValue:
        def __eq__(self, other: object) -> bool:
            return True

    return AnyValue()


def test_one_material_pending_at_a_time_with_the_recorded_message(kms: Any) -> None:
    """AWS-obs test_import_key_material_raises_if_there_is_already_key_material_pending (2025-11-10)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    arn = _metadata(kms, key_id)["Arn"]
    imp = Importer(kms, key_id)
    one = imp(_material(seed=1))
    two = imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    third = _material(seed=3)
    code, message = imp.refused(third, ImportType="NEW_KEY_MATERIAL")
    assert code == "KMSInvalidStateException"
    assert message.startswith("New key material (id: ") and message.endswith(
        f") cannot be imported into KMS key {arn}, because another key material (id: {two}) is pending rotation."
    )
    # Material the key lists, as NEW: IncorrectKeyMaterialException (API_ImportKeyMaterial, errors).
    for listed in (_material(seed=1), _material(seed=2)):
        assert imp.refused(listed, ImportType="NEW_KEY_MATERIAL")[0] == "IncorrectKeyMaterialException"
    # The pending material may be re-imported as EXISTING (a new expiration), and named by its ID.
    assert imp(_material(seed=2), KeyMaterialId=two, ImportType="EXISTING_KEY_MATERIAL") == two
    assert imp.refused(third)[0] == "IncorrectKeyMaterialException"  # EXISTING (the default now), unknown
    assert _states(kms, key_id) == [(one, "IMPORTED", "CURRENT"), (two, "IMPORTED", "PENDING_ROTATION")]


def test_pending_material_can_be_deleted_and_replaced(kms: Any) -> None:
    """API_RotationsListEntry: material PENDING_ROTATION "is not permanently associated with the KMS key. You
    can delete this key material and import different key material in its place." Deleting it leaves the key
    Enabled (kmssim's reading: every associated material is still imported)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp = Importer(kms, key_id)
    one = imp(_material(seed=1))
    two = imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    out = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=two)
    assert out["KeyMaterialId"] == two
    assert _states(kms, key_id) == [(one, "IMPORTED", "CURRENT")]
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"
    with pytest.raises(ClientError) as exc:
        kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=two)
    assert error_code(exc) == "NotFoundException"
    three = imp(_material(seed=3), ImportType="NEW_KEY_MATERIAL")
    assert _states(kms, key_id) == [(one, "IMPORTED", "CURRENT"), (three, "IMPORTED", "PENDING_ROTATION")]


def test_rotate_key_on_demand_errors_for_imported_keys(kms: Any) -> None:
    """AWS-obs test_rotate_key_on_demand_on_external_key_with_no_key_material (pending import) and
    test_rotate_key_on_demand_raises_for_no_pending_key_material (2025-11-19); automatic rotation stays refused
    (key-state table, footnote 6)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    arn = _metadata(kms, key_id)["Arn"]
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending import.")
    imp = Importer(kms, key_id)
    imp(_material(seed=1))
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {arn}.",
    )
    with pytest.raises(ClientError) as exc:
        kms.enable_key_rotation(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == (
        "UnsupportedOperationException",
        f"{arn} origin is EXTERNAL which is not valid for this operation.",
    )
    # A rotation of a disabled key is refused by its state, as for any key (key-state table).
    imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert error_code(exc) == "DisabledException"


def test_imported_rotations_count_against_the_on_demand_quota(kms: Any) -> None:
    """API_RotateKeyOnDemand: at most 25 on-demand rotations per key (``choices.ON_DEMAND_ROTATIONS_PER_KEY``),
    with the recorded message (AWS-obs test_key_rotations_limits); imported rotations count too (inferred)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    arn = _metadata(kms, key_id)["Arn"]
    imp = Importer(kms, key_id)
    imp(_material(seed=0))
    limit = choices.ON_DEMAND_ROTATIONS_PER_KEY
    for n in range(1, limit + 1):
        imp(_material(seed=n), ImportType="NEW_KEY_MATERIAL")
        kms.rotate_key_on_demand(KeyId=key_id)
    imp(_material(seed=limit + 1), ImportType="NEW_KEY_MATERIAL")
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert (error_code(exc), error_message(exc)) == (
        "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be "
        f"performed for this key: {arn}",
    )
    assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) == limit


def test_each_material_has_its_own_expiry_and_the_key_needs_all_of_them(
    sim: kmssim.Simulator, kms: Any
) -> None:
    """API_KeyMetadata ValidTo: "the earliest time at which any imported key material permanently associated
    with this KMS key expires"; API_ImportKeyMaterial: every associated material must be imported for the key
    to be Enabled; API_DeleteImportedKeyMaterial: without KeyMaterialId the current material is deleted."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp = Importer(kms, key_id)
    start = sim.now
    one = imp(_material(seed=1), ValidTo=start + timedelta(days=10))
    two = imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL", ValidTo=start + timedelta(days=5))
    md = _metadata(kms, key_id)
    assert md["ValidTo"] == start + timedelta(days=10)  # the pending material is not associated yet
    kms.rotate_key_on_demand(KeyId=key_id)
    md = _metadata(kms, key_id)
    assert (md["ExpirationModel"], md["ValidTo"]) == ("KEY_MATERIAL_EXPIRES", start + timedelta(days=5))
    blob_one_era = kms.encrypt(KeyId=key_id, Plaintext=b"2")["CiphertextBlob"]

    sim.advance(days=5)  # the current material expires; the first stays imported, but the key is unusable
    assert _states(kms, key_id) == [(one, "IMPORTED", "NON_CURRENT"), (two, "PENDING_IMPORT", "CURRENT")]
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["CurrentKeyMaterialId"], md["ValidTo"]) == (
        "PendingImport",
        two,
        start + timedelta(days=10),
    )
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob_one_era)
    assert error_code(exc) == "KMSInvalidStateException"
    imp.renew()
    imp(_material(seed=2))  # EXISTING: re-import the expired one, without expiry this time
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob_one_era)["Plaintext"] == b"2"

    out = kms.delete_imported_key_material(KeyId=key_id)  # the current one
    assert out["KeyMaterialId"] == two
    assert _metadata(kms, key_id)["KeyState"] == "PendingImport"
    imp(_material(seed=2))
    sim.advance(days=5)  # the first material's ValidTo
    assert _states(kms, key_id) == [(one, "PENDING_IMPORT", "NON_CURRENT"), (two, "IMPORTED", "CURRENT")]
    md = _metadata(kms, key_id)
    assert (md["KeyState"], md["ExpirationModel"]) == ("PendingImport", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert "ValidTo" not in md
    expired = [e.event_time for e in sim.trail() if e.event_name == "DeleteExpiredKeyMaterial"]
    assert expired == [start + timedelta(days=5), start + timedelta(days=10)]
    imp.renew()
    imp(_material(seed=1), KeyMaterialId=one)
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"


def test_pending_material_expires_on_its_own(sim: kmssim.Simulator, kms: Any) -> None:
    """ct-deleteexpiredkeymaterial.html: KMS deletes material at its ValidTo; material pending rotation that
    expires is gone like deleted pending material, and the key stays Enabled (kmssim's reading)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp = Importer(kms, key_id)
    one = imp(_material(seed=1))
    imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL", ValidTo=sim.now + timedelta(days=1))
    sim.advance(days=1)
    assert _states(kms, key_id) == [(one, "IMPORTED", "CURRENT")]
    assert _metadata(kms, key_id)["KeyState"] == "Enabled"
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert error_code(exc) == "KMSInvalidStateException"


def test_rotations_of_imported_material_are_billed_like_others(sim: kmssim.Simulator, kms: Any) -> None:
    """kms-pricing: each of the first two rotations adds a key-month; a rotation stays billed when the
    material's bytes are later deleted (the usage lists the rotation dates)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp = Importer(kms, key_id)
    imp(_material(seed=1))
    imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    sim.advance(days=1)
    kms.rotate_key_on_demand(KeyId=key_id)
    when = sim.now
    kms.delete_imported_key_material(KeyId=key_id)
    assert sim.usage()["keys"][0]["rotations"] == [when]


def test_deleting_the_earliest_expiring_material_keeps_the_next_expiry(
    sim: kmssim.Simulator, kms: Any
) -> None:
    """ct-deleteexpiredkeymaterial.html: each material is deleted at its own ValidTo, whatever happened to the
    others (here the one due first was deleted by hand, and the key is pending deletion meanwhile)."""
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    imp = Importer(kms, key_id)
    one = imp(_material(seed=1), ValidTo=sim.now + timedelta(days=10))
    two = imp(_material(seed=2), ImportType="NEW_KEY_MATERIAL", ValidTo=sim.now + timedelta(days=5))
    kms.rotate_key_on_demand(KeyId=key_id)
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=two)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    sim.advance(days=10)
    assert _states(kms, key_id) == [
        (one, "PENDING_IMPORT", "NON_CURRENT"),
        (two, "PENDING_IMPORT", "CURRENT"),
    ]
    assert [e.event_time for e in sim.trail() if e.event_name == "DeleteExpiredKeyMaterial"] == [sim.now]
    text = json.dumps(sim.to_json(), sort_keys=True)
    assert json.dumps(kmssim.Simulator.from_json(json.loads(text)).to_json(), sort_keys=True) == text
