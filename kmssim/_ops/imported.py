"""Imported key material (BYOK): keys created with Origin EXTERNAL, GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial, and the expiry of imported material on the simulated clock.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html and the API page named on each
handler; recorded AWS messages from LocalStack's AWS-validated snapshot (``tests/aws/services/kms/
test_kms.snapshot.json``, cited per message). Tokens and unwrapping: ``_wrapping``.

kmssim imports material into symmetric encryption (SYMMETRIC_DEFAULT), HMAC, RSA and ECC keys
(``_keyspecs.IMPORTABLE_KEY_SPECS``). For a symmetric key the 32 imported bytes *are* the key material's seed
(``_models.KeyMaterial``, ``_crypto.symmetric_key``); for an HMAC or asymmetric key the imported HMAC key or DER
PKCS #8 private key *is* the key (``_crypto.ImportedKey``, checked by ``_crypto.imported_key``), so its MACs,
signatures, ciphertexts and shared secrets are what the importer's own copy computes outside KMS. Either way the
same bytes always make the same material and the same material ID (``_crypto.material_id``: a hash of the bytes and
the key ARN), and the key works again once the same bytes are imported again after the material expired.

A key's materials are ``Key.imports`` (one record each: associated with the key, or pending rotation) and the
bytes of the imported ones, ``Key.materials``. Importing new material into a key that has material makes it
pending rotation; RotateKeyOnDemand makes it current (``rotate_in``). The related keys of a multi-Region key list
the same materials, each key with its own imports: a replica is made without material and takes the same bytes
(multi-region-keys-import.html).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .. import _crypto, choices
from .._errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    KMSInvalidStateException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from .._ids import key_arn
from .._keyspecs import IMPORT_OAEP_WRAPPING_KEYS, IMPORT_REFUSALS, IMPORTABLE_KEY_SPECS
from .._models import IMPORT_SECRET_BYTES, MAX_MATERIAL_VALIDITY, ImportedMaterial, Key, KeyMaterial
from .._states import CREATING, DISABLED, ENABLED, PENDING_IMPORT, UPDATING, check_state
from . import _wrapping, operation
from ._kms import Kms, Request

#: GetParametersForImport: the public key and import token are valid for 24 hours (API_GetParametersForImport).
IMPORT_PARAMETERS_VALIDITY = timedelta(hours=24)
#: Symmetric key material to import is 256 bits (importing-keys-encrypt-key-material.html; 128-bit SM4 material
#: is for the China Regions only).
SYMMETRIC_MATERIAL_BYTES = 32
EXPIRES = "KEY_MATERIAL_EXPIRES"
DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"


def external_spec_refusal(spec_name: str) -> str | None:
    """Why CreateKey(Origin=EXTERNAL) cannot make a key of this spec in kmssim, or None when it can (API_CreateKey,
    Origin: symmetric encryption, HMAC, RSA and ECC keys; ``_keyspecs.IMPORT_REFUSALS`` for the rest)."""
    if spec_name in IMPORTABLE_KEY_SPECS:
        return None
    return IMPORT_REFUSALS.get(
        spec_name, f"Importing key material into a {spec_name} key is not simulated by kmssim."
    )


def _check_wrapping(key: Key, algorithm: str, wrapping_key_spec: str) -> None:
    """RSAES_OAEP_* cannot wrap an RSA private key, nor ECC_NIST_P521 material with an RSA_2048 wrapping key
    (API_GetParametersForImport, WrappingAlgorithm and WrappingKeySpec; ``_keyspecs.IMPORT_OAEP_WRAPPING_KEYS``).
    AWS's error for these requests is not recorded: kmssim refuses them with a ValidationException of its own."""
    if not algorithm.startswith("RSAES_OAEP") or wrapping_key_spec in IMPORT_OAEP_WRAPPING_KEYS[key.key_spec]:
        return
    if not IMPORT_OAEP_WRAPPING_KEYS[key.key_spec]:
        raise ValidationException(
            f"The {algorithm} wrapping algorithm cannot wrap {key.key_spec} key material: to import "
            "an RSA private key, use an RSA_AES wrapping algorithm (RSA_AES_KEY_WRAP_SHA_1 or "
            "RSA_AES_KEY_WRAP_SHA_256)."
        )
    raise ValidationException(
        f"The {algorithm} wrapping algorithm with an {wrapping_key_spec} wrapping key cannot wrap "
        f"{key.key_spec} key material: use an RSA_AES wrapping algorithm or a longer RSA wrapping key "
        f"({' or '.join(IMPORT_OAEP_WRAPPING_KEYS[key.key_spec])})."
    )


def start_external(kms: Kms, key: Key) -> None:
    """A new key with Origin EXTERNAL: no key material, PendingImport, and the secret its import tokens are
    sealed with (API_CreateKey: "creates a KMS key with no key material")."""
    key.origin = "EXTERNAL"
    key.state = PENDING_IMPORT
    key.import_secret = kms.world.random_bytes(IMPORT_SECRET_BYTES)


def _external_key(kms: Kms, req: Request) -> Key:
    """Resolve and authorize the key, then refuse one not made for imported material (recorded:
    test_get_parameters_for_import_raises_for_non_external_kms_keys), then check its state."""
    key = kms.resolve(req, req.params["KeyId"], allow_alias=False)
    req.keys.append(key)
    kms.authorize(req, f"kms:{req.operation}", key)
    if key.origin != "EXTERNAL":
        raise UnsupportedOperationException(
            f"{key.arn} origin is {key.origin} which is not valid for this operation."
        )
    check_state(req.operation, key.state, key.arn)
    # Key-state table: the import operations fail on a new replica (Creating) and, but ImportKeyMaterial, while
    # Updating (key-state.html, the GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial rows).
    if key.state == CREATING or (key.state == UPDATING and req.operation != "ImportKeyMaterial"):
        raise KMSInvalidStateException(f"{key.arn} is {key.state.lower()}.")
    return key


def start_replica(kms: Kms, primary: Key, replica: Key) -> None:
    """ReplicateKey of an EXTERNAL primary: the replica is made without key material (PendingImport once
    Creating ends) and lists the set's materials, none imported; the same bytes must be imported into it
    (API_ReplicateKey, multi-region-keys-import.html)."""
    replica.import_secret = kms.world.random_bytes(IMPORT_SECRET_BYTES)
    replica.imports = [
        ImportedMaterial(r.material_id, pending=r.pending, rotated=r.rotated) for r in primary.imports
    ]


def _is_replica(key: Key) -> bool:
    return key.multi_region and key.region != key.primary_region


def _after_import(key: Key) -> None:
    """ImportKeyMaterial succeeded: the key is Enabled once every associated material is imported (its
    transient and pending-deletion states stay)."""
    if key.fully_imported and key.state in (PENDING_IMPORT, DISABLED, ENABLED):
        key.state = ENABLED


def _drop(kms: Kms, key: Key, record: ImportedMaterial) -> None:
    """A material's bytes are gone (deleted or expired): a key missing an associated material is PendingImport
    (a key pending deletion or Creating stays so); the record stays, its ID still associated with the
    key (API_DeleteImportedKeyMaterial). Material pending rotation is not associated: deleted from a key that is
    not a replica it is gone, from the replicas too; a replica's own deletion leaves the others alone
    (API_DeleteImportedKeyMaterial, "Considerations for multi-Region symmetric encryption keys")."""
    record.expiration_model = record.valid_to = None
    key.materials = [m for m in key.materials if m.material_id != record.material_id]
    if record.pending and not _is_replica(key):
        for k in kms.related_keys(key):
            k.imports = [r for r in k.imports if r.material_id != record.material_id]
            k.materials = [m for m in k.materials if m.material_id != record.material_id]
            kms.schedule(k)  # the next expiry of what is left
    kms.schedule(key)
    if not key.fully_imported and key.state in (ENABLED, DISABLED, UPDATING):
        # An Updating key (UpdatePrimaryRegion) whose material expires is PendingImport at once: the primary role
        # has already moved, and crypto, which Updating allows, needs the material.
        key.state = PENDING_IMPORT
        key.sync_due = None


def expire_material(kms: Kms, key: Key, when: datetime) -> bool:
    """The clock's DeleteExpiredKeyMaterial event: at its ValidTo KMS deletes a material
    (ct-deleteexpiredkeymaterial.html). False when the key no longer warrants it (re-imported, deleted)."""
    due = [r for r in key.imports if r.valid_to == when]
    if key.origin != "EXTERNAL" or not due:
        return False
    for record in due:
        _drop(kms, key, record)
    return True


def material_state(kms: Kms, key: Key, record: ImportedMaterial) -> str:
    """KeyMaterialState (API_RotationsListEntry): the current material, older ones, or material pending rotation
    (PENDING_MULTI_REGION_IMPORT_AND_ROTATION while a related multi-Region key has not imported it yet)."""
    if record.pending:
        everywhere = all(
            (r := k.imported(record.material_id)) is not None and r.expiration_model is not None
            for k in kms.related_keys(key)
        )
        return "PENDING_ROTATION" if everywhere else "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    return "CURRENT" if record is key.associated[-1] else "NON_CURRENT"


def rotation_entry(
    key: Key, material_id: str, state: str, rotated: datetime | None, rotation_type: str | None
) -> dict[str, Any]:
    """One RotationsListEntry (API_ListKeyRotations): the material and its state and, for a material rotated in,
    RotationDate and RotationType."""
    entry: dict[str, Any] = {"KeyId": key.arn, "KeyMaterialId": material_id, "KeyMaterialState": state}
    if rotation_type is not None:
        entry["RotationDate"] = rotated
        entry["RotationType"] = rotation_type
    return entry


def imported_rotation_entries(kms: Kms, key: Key, include_all: bool) -> list[dict[str, Any]]:
    """ListKeyRotations of an EXTERNAL key: the materials rotated in (RotationDate, RotationType ON_DEMAND) and,
    with IncludeKeyMaterial ALL_KEY_MATERIAL, the first material and the one pending rotation, each with its
    import state, description and expiration (API_ListKeyRotations, RotationsListEntry)."""
    entries = []
    for record in key.imports:
        if record.rotated is None and not include_all:
            continue
        rotation_type = None if record.rotated is None else "ON_DEMAND"
        entry = rotation_entry(
            key, record.material_id, material_state(kms, key, record), record.rotated, rotation_type
        )
        entry["ImportState"] = "IMPORTED" if record.expiration_model is not None else "PENDING_IMPORT"
        if record.description is not None:
            entry["KeyMaterialDescription"] = record.description
        if record.expiration_model is not None:
            entry["ExpirationModel"] = record.expiration_model
            if record.valid_to is not None:
                entry["ValidTo"] = record.valid_to
        entries.append(entry)
    return entries


def pending_rotation(kms: Kms, key: Key) -> ImportedMaterial:
    """RotateKeyOnDemand of an EXTERNAL key needs material pending rotation (recorded:
    test_rotate_key_on_demand_raises_for_no_pending_key_material), imported into every related multi-Region key
    (API_RotateKeyOnDemand; that message is kmssim's)."""
    pending = key.pending_material
    if pending is None:
        raise KMSInvalidStateException(f"No available key material pending rotation for the key: {key.arn}.")
    if material_state(kms, key, pending) != "PENDING_ROTATION":
        missing = [
            k.arn
            for k in kms.related_keys(key)
            if (r := k.imported(pending.material_id)) is None or r.expiration_model is None
        ]
        raise KMSInvalidStateException(
            f"Key material (id: {pending.material_id}) is pending rotation but not imported into "
            f"{', '.join(missing)}: import it there with ImportType EXISTING_KEY_MATERIAL, then rotate."
        )
    return pending


def rotate_in(kms: Kms, key: Key, pending: ImportedMaterial) -> None:
    """RotateKeyOnDemand: the material pending rotation becomes current in every related key; the older ones stay
    for decryption (API_RotateKeyOnDemand, API_RotationsListEntry)."""
    now = kms.world.now
    for k in kms.related_keys(key):
        record = k.imported(pending.material_id)
        assert record is not None
        record.pending, record.rotated = False, now
        k.materials = [
            KeyMaterial(m.material_id, m.seed, m.created, "ON_DEMAND")
            if m.material_id == record.material_id
            else m
            for m in k.materials
        ]
        k.on_demand_rotations = key.on_demand_rotations


@operation("GetParametersForImport")
def get_parameters_for_import(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GetParametersForImport: a new RSA wrapping key pair and an import token, both valid for 24 hours."""
    p = req.params
    algorithm, spec = p["WrappingAlgorithm"], p["WrappingKeySpec"]
    if "SM2" in (algorithm, spec) or algorithm == "SM2PKE":
        raise UnsupportedOperationException(
            "The SM2PKE wrapping algorithm and SM2 wrapping keys are only available in China Regions, which "
            "kmssim does not simulate."
        )
    if algorithm not in _wrapping.WRAPPING_ALGORITHMS:
        raise UnsupportedOperationException(
            f"The {algorithm} wrapping algorithm is no longer supported (AWS KMS stopped accepting it on "
            "2023-10-10); use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256."
        )
    key = _external_key(kms, req)
    assert key.import_secret is not None
    _check_wrapping(key, algorithm, spec)
    params = _wrapping.ImportParameters(
        kms.world.random_bytes(_wrapping.WRAPPING_SEED_BYTES),
        spec,
        algorithm,
        kms.world.now + IMPORT_PARAMETERS_VALIDITY,
    )
    token = _wrapping.seal(
        key.import_secret, key.arn, params, kms.world.random_bytes(_wrapping.TOKEN_NONCE_BYTES)
    )
    return {
        "KeyId": key.arn,
        "ImportToken": token,
        "PublicKey": _wrapping.public_key(params),
        "ParametersValidTo": params.valid_to,
    }


def _when(value: object) -> datetime:
    """A ValidTo as the client sends it (epoch seconds) or as Python callers may (a datetime; naive is UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    raise ValidationException(f"ValidTo {value!r} is not a date and time.")


def _expiration(kms: Kms, req: Request) -> tuple[str, datetime | None]:
    """ExpirationModel (default KEY_MATERIAL_EXPIRES) and ValidTo, which it requires and DOES_NOT_EXPIRE refuses;
    ValidTo is in the future and at most 365 days away (API_ImportKeyMaterial)."""
    model = req.params.get("ExpirationModel") or EXPIRES
    raw = req.params.get("ValidTo")
    if model == DOES_NOT_EXPIRE:
        if raw is not None:
            raise ValidationException(
                "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"
            )
        return model, None
    if raw is None:
        # Recorded: test_import_key_symmetric (2025-11-10).
        raise ValidationException("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
    valid_to = _when(raw)
    now = kms.world.now
    if not now < valid_to <= now + MAX_MATERIAL_VALIDITY:
        raise ValidationException(
            "The validTo date must be in the future and no more than 365 days from now."
        )
    return model, valid_to


#: ImportKeyMaterial parameters "only usable with symmetric encryption keys" (API_ImportKeyMaterial).
SYMMETRIC_ONLY_PARAMETERS = ("ImportType", "KeyMaterialId", "KeyMaterialDescription")


def _key_material(req: Request, key: Key, material: bytes) -> tuple[str, _crypto.Material]:
    """The ID and the material to hold, after checking it is material this key can take
    (IncorrectKeyMaterialException): 32 bytes for a symmetric key (its seed); for an HMAC or asymmetric key the
    key itself (``_crypto.imported_key``), which can never change after the first import (API_ImportKeyMaterial:
    "For asymmetric and HMAC keys, you cannot change the key material after the initial import")."""
    if key.spec.symmetric_encryption:
        if len(material) != SYMMETRIC_MATERIAL_BYTES:
            raise IncorrectKeyMaterialException(
                f"Key material for a {key.key_spec} key is {SYMMETRIC_MATERIAL_BYTES} bytes (256 bits); "
                f"the imported material is {len(material)} bytes."
            )
        return _crypto.material_id(material, key.arn), material
    named = [name for name in SYMMETRIC_ONLY_PARAMETERS if req.params.get(name) is not None]
    if named:
        raise ValidationException(
            f"{named[0]} is only usable with symmetric encryption keys; {key.arn} is a {key.key_spec} key."
        )
    try:
        imported = _crypto.imported_key(
            key.key_spec, material, hmac_up_to_block_size=choices.IMPORTED_HMAC_KEYS_UP_TO_BLOCK_SIZE
        )
    except ValueError as exc:
        raise IncorrectKeyMaterialException(str(exc)) from None
    return _crypto.material_id(imported, key.arn), imported


def _same_key_as_before(key: Key, material_id: str) -> None:
    """An HMAC or asymmetric key takes only the material it was first given (API_ImportKeyMaterial: "For
    asymmetric and HMAC keys, you cannot change the key material after the initial import")."""
    associated = key.imported_material_id
    if associated is not None and material_id != associated:
        raise IncorrectKeyMaterialException(
            f"The imported key material is not the key material of {key.arn}: the key material of an HMAC or "
            "asymmetric key cannot change after the first import."
        )


def _related_id(kms: Kms, key: Key, material: _crypto.Material, own_id: str) -> str:
    """The ID the material has in ``key``'s set of multi-Region keys: material imported into a replica is the
    material its primary made current or pending (the ID was computed when the key in the primary's Region,
    then or earlier, first took it); ``own_id`` for other keys and for material no related key lists."""
    if key.multi_region:
        for region in kms.world.regions:
            candidate = _crypto.material_id(material, key_arn(region, key.account, key.key_id))
            if key.imported(candidate) is not None:
                return candidate
    return own_id


def _check_import_type(req: Request, key: Key, material_id: str) -> None:
    """ImportType (default NEW before any material is associated with the key, EXISTING after it: a replica
    lists its set's materials from the start) and KeyMaterialId against the materials the key lists
    (API_ImportKeyMaterial, ImportType and KeyMaterialId). NEW into a key that has material is material pending
    rotation, one at a time; a replica takes new material only after its primary, as EXISTING."""
    p = req.params
    listed = key.imported(material_id)
    import_type = p.get("ImportType") or ("NEW_KEY_MATERIAL" if not key.imports else "EXISTING_KEY_MATERIAL")
    named = p.get("KeyMaterialId")
    if import_type == "NEW_KEY_MATERIAL":
        if named is not None:
            raise ValidationException("You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.")
        if listed is not None:
            raise IncorrectKeyMaterialException(
                f"Key material {material_id} is already associated with {key.arn}: import it with ImportType "
                "EXISTING_KEY_MATERIAL."
            )
        if _is_replica(key):
            raise UnsupportedOperationException(
                f"{key.arn} is a multi-Region replica key: import new key material into its primary key in "
                f"{key.primary_region} with ImportType NEW_KEY_MATERIAL, then the same key material into "
                "each replica key with ImportType EXISTING_KEY_MATERIAL."
            )
        pending = key.pending_material
        if pending is not None:
            # Recorded: test_import_key_material_raises_if_there_is_already_key_material_pending (2025-11-10).
            raise KMSInvalidStateException(
                f"New key material (id: {material_id}) cannot be imported into KMS key {key.arn}, because "
                f"another key material (id: {pending.material_id}) is pending rotation."
            )
        return
    if not key.imports:
        raise IncorrectKeyMaterialException(
            f"No key material has been imported into {key.arn} yet: import it with ImportType NEW_KEY_MATERIAL."
        )
    if named is not None and named != material_id:
        raise IncorrectKeyMaterialException(
            f"The imported key material does not have the key material ID {named}."
        )
    if listed is None:
        raise IncorrectKeyMaterialException(
            f"The imported key material is not a key material of {key.arn} (ListKeyRotations with "
            "IncludeKeyMaterial ALL_KEY_MATERIAL lists them)."
        )


@operation("ImportKeyMaterial")
def import_key_material(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ImportKeyMaterial: unwrap the material with the import token's wrapping key. The first material is
    associated with the key; new material into a key that has some is pending rotation (into a multi-Region
    primary: into its replicas too, where it is to be imported as EXISTING); material the key lists is imported
    again with a new expiration. The key is Enabled once every associated material is imported."""
    model, valid_to = _expiration(kms, req)
    key = _external_key(kms, req)
    assert key.import_secret is not None
    params = _wrapping.open_token(key.import_secret, key.arn, bytes(req.params["ImportToken"]))
    now = kms.world.now
    if params.valid_to <= now:
        raise ExpiredImportTokenException(
            f"The import token expired at {params.valid_to.isoformat()}: call GetParametersForImport again."
        )
    material = _wrapping.unwrap(params, bytes(req.params["EncryptedKeyMaterial"]))
    own_id, seed = _key_material(req, key, material)
    material_id = _related_id(kms, key, seed, own_id)
    if key.spec.symmetric_encryption:
        _check_import_type(req, key, material_id)
    else:
        _same_key_as_before(key, material_id)
    record = key.imported(material_id)
    if record is None:  # new material: the first, or pending rotation (also listed by every replica)
        record = ImportedMaterial(material_id, pending=bool(key.imports))
        key.imports.append(record)
        if record.pending:
            for replica in kms.replicas(key):
                replica.imports.append(ImportedMaterial(material_id, pending=True))
    description = req.params.get("KeyMaterialDescription")
    if description is not None:
        record.description = description
    record.expiration_model, record.valid_to = model, valid_to
    held = {m.material_id: m for m in key.materials}
    held[material_id] = KeyMaterial(material_id, seed, now, "ON_DEMAND" if record.rotated else None)
    key.materials = [held[r.material_id] for r in key.imports if r.material_id in held]
    _after_import(key)
    kms.schedule(key)
    return {"KeyId": key.arn, "KeyMaterialId": material_id}


@operation("DeleteImportedKeyMaterial")
def delete_imported_key_material(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DeleteImportedKeyMaterial: the named material (by default the current one) is deleted; a key missing
    an associated material is PendingImport (a key pending deletion stays so); on a key pending import it has
    no effect. Material pending rotation deleted from a primary key is deleted from its replicas too."""
    key = _external_key(kms, req)
    named = req.params.get("KeyMaterialId")
    associated = key.associated
    record = associated[-1] if named is None and associated else None
    if named is not None:
        record = key.imported(named)
        if record is None:
            raise NotFoundException(f"Key material {named} is not associated with {key.arn}.")
    out: dict[str, Any] = {"KeyId": key.arn}
    if record is not None:
        _drop(kms, key, record)
        out["KeyMaterialId"] = record.material_id
    return out
