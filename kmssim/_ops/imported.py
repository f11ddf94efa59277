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
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .. import _crypto, choices
from .._errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from .._keyspecs import IMPORT_OAEP_WRAPPING_KEYS, IMPORT_REFUSALS, IMPORTABLE_KEY_SPECS
from .._models import IMPORT_SECRET_BYTES, MAX_MATERIAL_VALIDITY, Key, KeyMaterial
from .._states import ENABLED, PENDING_DELETION, PENDING_IMPORT, check_state
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
    return key


def drop_material(key: Key) -> None:
    """The imported material is gone (deleted or expired): the key is PendingImport (a key pending deletion
    stays so); the material's ID stays associated with the key (API_DeleteImportedKeyMaterial)."""
    key.materials = []
    key.expiration_model = None
    key.valid_to = None
    if key.state != PENDING_DELETION:
        key.state = PENDING_IMPORT


def expire_material(key: Key, when: datetime) -> bool:
    """The clock's DeleteExpiredKeyMaterial event: at ValidTo KMS deletes the material
    (ct-deleteexpiredkeymaterial.html). False when the key no longer warrants it (re-imported, deleted)."""
    if key.origin != "EXTERNAL" or not key.materials or key.valid_to != when:
        return False
    drop_material(key)
    return True


def imported_rotation_entries(key: Key, include_all: bool) -> list[dict[str, Any]]:
    """ListKeyRotations of an EXTERNAL key: its imported material is the first material, so it is listed only
    with IncludeKeyMaterial ALL_KEY_MATERIAL, with its import state, description and expiration
    (API_ListKeyRotations, RotationsListEntry)."""
    if not include_all or key.imported_material_id is None:
        return []
    entry: dict[str, Any] = {
        "KeyId": key.arn,
        "KeyMaterialId": key.imported_material_id,
        "ImportState": "IMPORTED" if key.materials else "PENDING_IMPORT",
        "KeyMaterialState": "CURRENT",
    }
    if key.material_description is not None:
        entry["KeyMaterialDescription"] = key.material_description
    if key.expiration_model is not None:
        entry["ExpirationModel"] = key.expiration_model
        if key.valid_to is not None:
            entry["ValidTo"] = key.valid_to
    return [entry]


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
    material_id = _crypto.material_id(imported, key.arn)
    associated = key.imported_material_id
    if associated is not None and material_id != associated:
        raise IncorrectKeyMaterialException(
            f"The imported key material is not the key material of {key.arn}: the key material of an HMAC or "
            "asymmetric key cannot change after the first import."
        )
    return material_id, imported


def _check_import_type(req: Request, key: Key, material_id: str) -> None:
    """ImportType (default NEW before the first import, EXISTING after it) and KeyMaterialId against what the
    key already holds (API_ImportKeyMaterial, ImportType and KeyMaterialId)."""
    p = req.params
    associated = key.imported_material_id
    import_type = p.get("ImportType") or (
        "NEW_KEY_MATERIAL" if associated is None else "EXISTING_KEY_MATERIAL"
    )
    named = p.get("KeyMaterialId")
    if import_type == "NEW_KEY_MATERIAL":
        if named is not None:
            raise ValidationException("You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.")
        if associated == material_id:
            raise IncorrectKeyMaterialException(
                f"Key material {material_id} is already associated with {key.arn}: import it with ImportType "
                "EXISTING_KEY_MATERIAL."
            )
        if associated is not None:
            raise UnsupportedOperationException(
                "Importing new key material into a key that already has key material (for on-demand rotation "
                "of imported key material) is not simulated by kmssim."
            )
        return
    if associated is None:
        raise IncorrectKeyMaterialException(
            f"No key material has been imported into {key.arn} yet: import it with ImportType NEW_KEY_MATERIAL."
        )
    if named is not None and named != material_id:
        raise IncorrectKeyMaterialException(
            f"The imported key material does not have the key material ID {named}."
        )
    if material_id != associated:
        raise IncorrectKeyMaterialException(
            f"The imported key material is not the key material of {key.arn} (key material ID {associated})."
        )


@operation("ImportKeyMaterial")
def import_key_material(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ImportKeyMaterial: unwrap the material with the import token's wrapping key and make the key Enabled;
    after the first import only the same material is accepted again."""
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
    material_id, seed = _key_material(req, key, material)
    if key.spec.symmetric_encryption:
        _check_import_type(req, key, material_id)
    key.materials = [KeyMaterial(material_id, seed, now, None)]
    key.imported_material_id = material_id
    description = req.params.get("KeyMaterialDescription")
    if description is not None:
        key.material_description = description
    key.expiration_model, key.valid_to = model, valid_to
    key.state = ENABLED
    kms.schedule(key)
    return {"KeyId": key.arn, "KeyMaterialId": material_id}


@operation("DeleteImportedKeyMaterial")
def delete_imported_key_material(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DeleteImportedKeyMaterial: the material is deleted and the key is PendingImport (a key pending
    deletion stays so); on a key pending import it has no effect."""
    key = _external_key(kms, req)
    named = req.params.get("KeyMaterialId")
    if named is not None and named != key.imported_material_id:
        raise NotFoundException(f"Key material {named} is not associated with {key.arn}.")
    drop_material(key)
    out: dict[str, Any] = {"KeyId": key.arn}
    if key.imported_material_id is not None:
        out["KeyMaterialId"] = key.imported_material_id
    return out
