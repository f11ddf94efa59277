"""Saved states with imported key material: every new field round-trips, the clock's expiry and the import
tokens still work after loading, and a damaged field is refused naming it (the law of ``test_save_load``)."""

from __future__ import annotations

import copy
import functools
import json
import operator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim

from .test_imported import _external, _import, _material, _params, _wrap
from .test_save_load import _REPLACEMENTS, _check, _paths


@functools.cache
def _world() -> tuple[str, dict[str, str], tuple[bytes, bytes]]:
    """A saved state with an imported key that expires, one whose material was deleted, one never imported
    (with an outstanding import token) and one pending deletion without material."""
    sim = kmssim.Simulator(seed=8)
    kms = sim.client("kms")
    keys = {name: _external(kms) for name in ("expiring", "deleted", "fresh", "doomed", "rotated")}
    keys["other"] = kms.create_key()["KeyMetadata"]["KeyId"]
    _import(
        kms, keys["expiring"], _material(), ValidTo=sim.now + timedelta(days=20), KeyMaterialDescription="v1"
    )
    _import(kms, keys["deleted"], _material(seed=2))
    kms.delete_imported_key_material(KeyId=keys["deleted"])
    _import(kms, keys["doomed"], _material(seed=3))
    kms.schedule_key_deletion(KeyId=keys["doomed"], PendingWindowInDays=7)
    kms.delete_imported_key_material(KeyId=keys["doomed"])
    # Rotated on demand once (API_RotateKeyOnDemand), the first material deleted, a third pending rotation.
    p = _params(kms, keys["rotated"])
    for seed, extra in ((5, {}), (6, {"ImportType": "NEW_KEY_MATERIAL", "KeyMaterialDescription": "v2"})):
        kms.import_key_material(
            KeyId=keys["rotated"],
            ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=_wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(seed=seed)),
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            **extra,
        )
    kms.rotate_key_on_demand(KeyId=keys["rotated"])
    kms.import_key_material(
        KeyId=keys["rotated"],
        ImportToken=p["ImportToken"],
        EncryptedKeyMaterial=_wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(seed=7)),
        ImportType="NEW_KEY_MATERIAL",
        ValidTo=sim.now + timedelta(days=30),
    )
    first = kms.list_key_rotations(KeyId=keys["rotated"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][
        0
    ]
    kms.delete_imported_key_material(KeyId=keys["rotated"], KeyMaterialId=first["KeyMaterialId"])
    p = _params(kms, keys["fresh"])
    wrapped = _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(seed=4))
    keys["token"] = p["ImportToken"].hex()
    blob = kms.encrypt(KeyId=keys["expiring"], Plaintext=b"kept")["CiphertextBlob"]
    sim.advance(hours=1)
    return json.dumps(sim.to_json(), indent=1, sort_keys=True), keys, (wrapped, blob)


def _loaded() -> tuple[kmssim.Simulator, Any, dict[str, str], bytes, bytes]:
    text, keys, (wrapped, blob) = _world()
    sim = kmssim.Simulator.from_json(json.loads(text))
    return sim, sim.client("kms"), keys, wrapped, blob


def test_the_new_fields_round_trip() -> None:
    text, _, _ = _world()
    sim, kms, keys, _, _ = _loaded()
    assert json.dumps(sim.to_json(), indent=1, sort_keys=True) == text
    states = {
        n: kms.describe_key(KeyId=k)["KeyMetadata"]["KeyState"] for n, k in keys.items() if n != "token"
    }
    assert states == {
        "other": "Enabled",
        "expiring": "Enabled",
        "deleted": "PendingImport",
        "fresh": "PendingImport",
        "doomed": "PendingDeletion",
        "rotated": "PendingImport",
    }


def test_after_loading_tokens_work_and_material_expires_on_the_clock() -> None:
    sim, kms, keys, wrapped, blob = _loaded()
    kms.import_key_material(
        KeyId=keys["fresh"],
        ImportToken=bytes.fromhex(keys["token"]),
        EncryptedKeyMaterial=wrapped,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    sim.advance(days=20)
    assert kms.describe_key(KeyId=keys["expiring"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert kms.describe_key(KeyId=keys["fresh"])["KeyMetadata"]["KeyState"] == "Enabled"
    _import(kms, keys["expiring"], _material())
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def _key(data: dict[str, Any], key_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(k for k in data["operations"]["keys"] if k["key_id"] == key_id)
    return found


def _damaged(change: dict[str, Any], which: str, record: int | None = None) -> str:
    """The error loading the saved world with ``change`` made to a key (or to its ``record``-th import)."""
    text, keys, _ = _world()
    data = json.loads(text)
    target = _key(data, keys[which])
    if record is not None:
        target = target["imports"][record]
    target.update(change)
    with pytest.raises(kmssim.DataFileError) as exc:
        kmssim.Simulator.from_json(data)
    return str(exc.value)


@pytest.mark.parametrize(
    ("which", "record", "change", "field"),
    [
        ("expiring", 0, {"valid_to": "2026-01-01T00:30:00Z"}, "valid_to"),  # due, yet not expired
        ("expiring", 0, {"valid_to": "2027-06-01T00:00:00Z"}, "valid_to"),  # beyond 365 days
        ("expiring", 0, {"valid_to": None}, "valid_to"),
        ("expiring", 0, {"expiration_model": None}, "materials"),  # bytes held, yet not imported
        ("expiring", None, {"state": "PendingImport"}, "state"),
        ("expiring", 0, {"material_id": "0" * 64}, "materials"),
        ("expiring", 0, {"material_id": "not hex"}, "material_id"),
        ("expiring", 0, {"pending": True}, "imports"),  # the first material is never pending
        ("expiring", 0, {"rotated": "2026-01-01T00:00:00Z"}, "rotated"),
        ("expiring", None, {"import_secret": None}, "import_secret"),
        ("expiring", None, {"import_secret": "c2hvcnQ="}, "import_secret"),
        ("deleted", None, {"state": "Enabled"}, "state"),
        ("deleted", 0, {"valid_to": "2026-01-05T00:00:00Z"}, "valid_to"),  # not imported
        ("rotated", 1, {"rotated": None}, "rotated"),
        ("rotated", 2, {"rotated": "2026-01-01T00:00:00Z"}, "rotated"),  # pending, yet rotated in
        ("rotated", 2, {"pending": False}, "rotated"),
        ("rotated", None, {"on_demand_rotations": 0}, "on_demand_rotations"),
        ("rotated", None, {"state": "Enabled"}, "state"),  # its first material is not imported
        ("expiring", None, {"origin": "AWS_KMS"}, "origin"),
        ("other", None, {"import_secret": "A" * 43 + "="}, "origin"),  # an AWS_KMS key with import fields
        ("other", None, {"state": "PendingImport"}, "state"),
        ("other", None, {"origin": "EXTERNAL"}, "import_secret"),
    ],
)
def test_a_damaged_field_is_refused_by_name(
    which: str, record: int | None, change: dict[str, Any], field: str
) -> None:
    assert field in _damaged(change, which, record)


def test_a_state_saved_before_imports_existed_still_loads() -> None:
    """A key saved with its one imported material's fields on the key itself (kmssim before on-demand rotation
    of imported material) loads as that one material."""
    text, keys, _ = _world()
    data = json.loads(text)
    for name in ("expiring", "deleted", "fresh"):
        record = _key(data, keys[name])
        imports = record.pop("imports")
        first = imports[0] if imports else {}
        record.update(
            imported_material_id=first.get("material_id"),
            material_description=first.get("description"),
            expiration_model=first.get("expiration_model"),
            valid_to=first.get("valid_to"),
        )
    sim = kmssim.Simulator.from_json(data)
    assert json.dumps(sim.to_json(), indent=1, sort_keys=True) == text


def test_materials_of_an_imported_key_cannot_be_two() -> None:
    text, keys, _ = _world()
    data = json.loads(text)
    record = _key(data, keys["expiring"])
    record["materials"].append(copy.deepcopy(record["materials"][0]))
    with pytest.raises(kmssim.DataFileError):
        kmssim.Simulator.from_json(data)


_PATHS = [p for p in _paths(json.loads(_world()[0])) if p[:2] == ("operations", "keys")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), delete=st.booleans(), value=_REPLACEMENTS)
def test_the_save_load_law_holds_for_imported_keys(path: tuple[Any, ...], delete: bool, value: Any) -> None:
    data = json.loads(_world()[0])
    holder = functools.reduce(operator.getitem, path[:-1], data)
    holder.pop(path[-1]) if delete else holder.__setitem__(path[-1], value)
    _check(json.dumps(data))
