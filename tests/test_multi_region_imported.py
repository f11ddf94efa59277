"""Multi-Region keys with imported key material: an EXTERNAL primary, replicas made without material (Creating,
then PendingImport) into which the same bytes are imported, each related key with its own expiration and
deletion, and on-demand rotation of the set.

Sources: API_CreateKey (MultiRegion with Origin EXTERNAL), API_ReplicateKey ("If the primary key has imported key
material, the replica is created without key material ... PendingImport"), multi-region-keys-import.html (import
the same material into every related key; other material is refused; expiration is independent),
API_ImportKeyMaterial and API_RotateKeyOnDemand (new material into the primary with NEW_KEY_MATERIAL, into each
replica with EXISTING_KEY_MATERIAL, then rotate the primary), API_RotationsListEntry
(PENDING_MULTI_REGION_IMPORT_AND_ROTATION), API_DeleteImportedKeyMaterial ("Considerations for multi-Region
symmetric encryption keys").
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
from .test_imported import _material, _metadata
from .test_rotation_imported import Importer, _all, _states

EAST, WEST, SYD = "us-east-1", "eu-west-1", "ap-southeast-2"
WAIT = choices.MULTI_REGION_TRANSITION.total_seconds()


def _set(sim: kmssim.Simulator, *regions: str) -> tuple[str, dict[str, Any], dict[str, Importer]]:
    """An EXTERNAL primary in us-east-1 with material seed 1 imported, replicated into ``regions`` (Creating ended,
    nothing imported there yet); a client and an Importer per Region."""
    clients = {r: sim.client("kms", region_name=r) for r in (EAST, *regions)}
    key_id = clients[EAST].create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]["KeyId"]
    importers = {EAST: Importer(clients[EAST], key_id)}
    importers[EAST](_material(seed=1))
    for region in regions:
        clients[EAST].replicate_key(KeyId=key_id, ReplicaRegion=region)
    sim.advance(seconds=WAIT)
    for region in regions:
        importers[region] = Importer(clients[region], key_id)
    return key_id, clients, importers


def test_an_external_multi_region_key_is_a_primary(kms: Any) -> None:
    """API_CreateKey: MultiRegion works with Origin EXTERNAL; the primary waits for its material."""
    md = kms.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]
    assert md["KeyId"].startswith("mrk-")
    assert (md["Origin"], md["KeyState"], md["MultiRegionConfiguration"]["MultiRegionKeyType"]) == (
        "EXTERNAL",
        "PendingImport",
        "PRIMARY",
    )
    with pytest.raises(ClientError) as exc:  # key-state table: ReplicateKey of a key pending import
        kms.replicate_key(KeyId=md["KeyId"], ReplicaRegion=WEST)
    assert (error_code(exc), error_message(exc)) == (
        "KMSInvalidStateException",
        f"{md['Arn']} is pending import.",
    )


def test_the_byok_replica_flow_with_cryptography_outside_kmssim(sim: kmssim.Simulator) -> None:
    """The replica is Creating, then PendingImport with no material; GetParametersForImport works on it; the same
    bytes (wrapped here with its own public key) give the same KeyMaterialId; then a ciphertext of either key
    decrypts in the other's Region."""
    east, west = sim.client("kms", region_name=EAST), sim.client("kms", region_name=WEST)
    key_id = east.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]["KeyId"]
    material = _material(seed=42)
    material_id = Importer(east, key_id)(material)
    out = east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)["ReplicaKeyMetadata"]
    assert (out["KeyState"], out["Origin"]) == ("Creating", "EXTERNAL")
    assert "CurrentKeyMaterialId" not in out and "ExpirationModel" not in out
    with pytest.raises(ClientError) as exc:  # key-state table: GetParametersForImport while Creating
        west.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    assert error_code(exc) == "KMSInvalidStateException"
    sim.advance(seconds=WAIT)
    md = _metadata(west, key_id)
    assert (md["KeyState"], md["Enabled"], md["CurrentKeyMaterialId"]) == (
        "PendingImport",
        False,
        material_id,
    )
    assert "ExpirationModel" not in md
    with pytest.raises(ClientError) as exc:
        west.encrypt(KeyId=key_id, Plaintext=b"x")
    assert (error_code(exc), error_message(exc)) == (
        "KMSInvalidStateException",
        f"{md['Arn']} is pending import.",
    )
    east_blob = east.encrypt(KeyId=key_id, Plaintext=b"from east")["CiphertextBlob"]

    params = west.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_2048"
    )
    assert params["KeyId"] == md["Arn"]
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    for other in (_material(seed=43),):  # other bytes: IncorrectKeyMaterialException, nothing changes
        with pytest.raises(ClientError) as exc:
            west.import_key_material(
                KeyId=key_id,
                ImportToken=params["ImportToken"],
                EncryptedKeyMaterial=public.encrypt(other, oaep),
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
        assert error_code(exc) == "IncorrectKeyMaterialException"
        assert _metadata(west, key_id)["KeyState"] == "PendingImport"
    valid_to = sim.now + timedelta(days=3)
    got = west.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=public.encrypt(material, oaep),
        ValidTo=valid_to,
    )
    assert got == {
        "KeyId": md["Arn"],
        "KeyMaterialId": material_id,
        "ResponseMetadata": got["ResponseMetadata"],
    }
    md = _metadata(west, key_id)
    assert (md["KeyState"], md["ExpirationModel"], md["ValidTo"]) == (
        "Enabled",
        "KEY_MATERIAL_EXPIRES",
        valid_to,
    )
    assert _metadata(east, key_id)["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"  # each its own
    west_blob = west.encrypt(KeyId=key_id, Plaintext=b"from west")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=east_blob)["Plaintext"] == b"from east"
    assert east.decrypt(CiphertextBlob=west_blob)["Plaintext"] == b"from west"

    sim.advance(days=3)  # the replica's material expires; the primary's does not
    assert (_metadata(west, key_id)["KeyState"], _metadata(east, key_id)["KeyState"]) == (
        "PendingImport",
        "Enabled",
    )
    assert east.decrypt(CiphertextBlob=west_blob)["Plaintext"] == b"from west"


def test_each_related_key_deletes_its_own_material(sim: kmssim.Simulator) -> None:
    """multi-region-keys-import.html: key states and expiration are independent in each Region."""
    key_id, c, imp = _set(sim, WEST, SYD)
    imp[WEST](_material(seed=1))
    imp[SYD](_material(seed=1))
    blob = c[EAST].encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    c[WEST].delete_imported_key_material(KeyId=key_id)
    states = {r: _metadata(c[r], key_id)["KeyState"] for r in c}
    assert states == {EAST: "Enabled", WEST: "PendingImport", SYD: "Enabled"}
    assert c[SYD].decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    imp[WEST](_material(seed=1))
    assert c[WEST].decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_new_material_goes_into_the_primary_first(sim: kmssim.Simulator) -> None:
    """API_ImportKeyMaterial: "You cannot directly import new key material into the replica Region keys" (the
    error is kmssim's: UnsupportedOperationException); a replica's default ImportType is EXISTING."""
    _, _, imp = _set(sim, WEST)
    code, message = imp[WEST].refused(_material(seed=9), ImportType="NEW_KEY_MATERIAL")
    assert code == "UnsupportedOperationException" and "primary key in us-east-1" in message
    assert imp[WEST].refused(_material(seed=9))[0] == "IncorrectKeyMaterialException"
    assert (
        imp[WEST].refused(_material(seed=1), ImportType="NEW_KEY_MATERIAL")[0]
        == "IncorrectKeyMaterialException"
    )


def test_on_demand_rotation_of_an_imported_multi_region_key(sim: kmssim.Simulator) -> None:
    """NEW on the primary: PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica has it (EXISTING), then
    PENDING_ROTATION; RotateKeyOnDemand on the primary makes it current in every related key; old and new
    ciphertexts decrypt in every Region (API_ImportKeyMaterial, API_RotateKeyOnDemand, API_RotationsListEntry)."""
    key_id, c, imp = _set(sim, WEST, SYD)
    one = imp[WEST](_material(seed=1))
    imp[SYD](_material(seed=1))
    old_blob = c[WEST].encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    two = imp[EAST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    for region in c:
        assert _states(c[region], key_id) == [
            (one, "IMPORTED", "CURRENT"),
            (
                two,
                "IMPORTED" if region == EAST else "PENDING_IMPORT",
                "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
            ),
        ]
    with pytest.raises(ClientError) as exc:
        c[EAST].rotate_key_on_demand(KeyId=key_id)
    assert error_code(exc) == "KMSInvalidStateException" and "not imported into" in error_message(exc)
    assert imp[WEST](_material(seed=2), ImportType="EXISTING_KEY_MATERIAL") == two
    assert _states(c[EAST], key_id)[1][2] == "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"  # Sydney has not
    imp[SYD](_material(seed=2), KeyMaterialId=two)
    for region in c:
        assert _states(c[region], key_id)[1] == (two, "IMPORTED", "PENDING_ROTATION")
    with pytest.raises(ClientError) as exc:  # rotation is run on the primary (API_RotateKeyOnDemand)
        c[WEST].rotate_key_on_demand(KeyId=key_id)
    assert error_code(exc) == "UnsupportedOperationException"
    c[EAST].rotate_key_on_demand(KeyId=key_id)
    for region in c:
        assert _metadata(c[region], key_id)["CurrentKeyMaterialId"] == two
        rotations = c[region].list_key_rotations(KeyId=key_id)["Rotations"]
        assert [(r["KeyMaterialId"], r["RotationType"], r["RotationDate"]) for r in rotations] == [
            (two, "ON_DEMAND", sim.now)
        ]
    new_blob = c[SYD].encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    for region in c:
        assert c[region].decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"
        assert c[region].decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == two
    assert [k.rotations for k in sim.inventory()] == [1, 1, 1]


def test_deleting_pending_material_from_the_primary_deletes_it_from_the_replicas(
    sim: kmssim.Simulator,
) -> None:
    """API_DeleteImportedKeyMaterial: deleting PENDING_ROTATION or PENDING_MULTI_REGION_IMPORT_AND_ROTATION
    material from the primary deletes it from the replicas; deleting a replica's leaves the others unchanged."""
    key_id, c, imp = _set(sim, WEST)
    one = imp[WEST](_material(seed=1))
    two = imp[EAST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    imp[WEST](_material(seed=2))
    c[WEST].delete_imported_key_material(KeyId=key_id, KeyMaterialId=two)
    assert _states(c[EAST], key_id)[1] == (two, "IMPORTED", "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
    assert _states(c[WEST], key_id)[1] == (two, "PENDING_IMPORT", "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
    assert _metadata(c[WEST], key_id)["KeyState"] == "Enabled"  # its associated material is all there
    c[EAST].delete_imported_key_material(KeyId=key_id, KeyMaterialId=two)
    for region in c:
        assert _states(c[region], key_id) == [(one, "IMPORTED", "CURRENT")]
    three = imp[EAST](_material(seed=3), ImportType="NEW_KEY_MATERIAL")  # replaced by other material
    assert [r["KeyMaterialId"] for r in _all(c[WEST], key_id)] == [one, three]


def test_a_replica_of_a_rotated_imported_key_needs_every_material(sim: kmssim.Simulator) -> None:
    """API_ImportKeyMaterial: a symmetric key is Enabled only once all its associated materials are imported; a
    replica made after a rotation lists every material of the set (API_ReplicateKey)."""
    east = sim.client("kms", region_name=EAST)
    west = sim.client("kms", region_name=WEST)
    key_id = east.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]["KeyId"]
    imp_east = Importer(east, key_id)
    one = imp_east(_material(seed=1))
    old_blob = east.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    two = imp_east(_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    east.rotate_key_on_demand(KeyId=key_id)
    east.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    sim.advance(seconds=WAIT)
    assert _states(west, key_id) == [
        (one, "PENDING_IMPORT", "NON_CURRENT"),
        (two, "PENDING_IMPORT", "CURRENT"),
    ]
    imp_west = Importer(west, key_id)
    imp_west(_material(seed=2))
    assert _metadata(west, key_id)["KeyState"] == "PendingImport"
    imp_west(_material(seed=1))
    assert _metadata(west, key_id)["KeyState"] == "Enabled"
    assert west.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"


def test_saved_state_round_trips_an_imported_set_mid_rotation(sim: kmssim.Simulator) -> None:
    """Simulator.save / load: the materials, their imports, expirations and pending state round-trip (save,
    load, save is identical) and the flow continues after loading; no material bytes appear in the trail."""
    key_id, _, imp = _set(sim, WEST)
    imp[WEST](_material(seed=1), ValidTo=sim.now + timedelta(days=2), KeyMaterialDescription="west copy")
    two = imp[EAST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    text = json.dumps(sim.to_json(), sort_keys=True)
    loaded = kmssim.Simulator.from_json(json.loads(text))
    assert json.dumps(loaded.to_json(), sort_keys=True) == text
    assert _material(seed=1).hex() not in json.dumps(sim.to_json()["trail"], default=str)
    west = loaded.client("kms", region_name=WEST)
    east = loaded.client("kms", region_name=EAST)
    again = Importer(west, key_id)
    again(_material(seed=2))
    east.rotate_key_on_demand(KeyId=key_id)
    assert _metadata(west, key_id)["CurrentKeyMaterialId"] == two
    loaded.advance(days=2)
    assert _metadata(west, key_id)["KeyState"] == "PendingImport"  # the first material expired there
    assert _all(west, key_id)[0]["KeyMaterialDescription"] == "west copy"


def test_a_damaged_imported_set_is_refused(sim: kmssim.Simulator) -> None:
    """Saved state: related keys list the same materials (``_saved._check_imported_set``)."""
    _, _, imp = _set(sim, WEST)
    imp[EAST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    data = sim.to_json()
    replica = next(k for k in data["operations"]["keys"] if k["region"] == WEST)
    replica["imports"].pop()
    with pytest.raises(kmssim.DataFileError, match="imports"):
        kmssim.Simulator.from_json(data)


def test_an_imported_set_after_update_primary_region(sim: kmssim.Simulator) -> None:
    """API_UpdatePrimaryRegion: key material stays; new material then goes into the new primary and the same bytes
    into the old one (now a replica), and the set rotates from the new primary. A key whose material expires
    while Updating is PendingImport at once (kmssim's reading: crypto, which Updating allows, needs material)."""
    key_id, c, imp = _set(sim, WEST)
    one = imp[WEST](_material(seed=1))
    imp[EAST](_material(seed=1), ValidTo=sim.now + timedelta(seconds=2))  # expires while Updating
    c[EAST].update_primary_region(KeyId=key_id, PrimaryRegion=WEST)
    sim.advance(seconds=2)
    assert _metadata(c[EAST], key_id)["KeyState"] == "PendingImport"
    sim.advance(seconds=WAIT)
    assert (_metadata(c[EAST], key_id)["KeyState"], _metadata(c[WEST], key_id)["KeyState"]) == (
        "PendingImport",
        "Enabled",
    )
    imp[EAST].renew()
    assert imp[EAST](_material(seed=1)) == one
    two = imp[WEST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")  # into the new primary
    assert imp[EAST](_material(seed=2)) == two
    c[WEST].rotate_key_on_demand(KeyId=key_id)
    assert {_metadata(c[r], key_id)["CurrentKeyMaterialId"] for r in c} == {two}
    blob = c[EAST].encrypt(KeyId=key_id, Plaintext=b"p")["CiphertextBlob"]
    assert c[WEST].decrypt(CiphertextBlob=blob)["KeyMaterialId"] == two
    text = json.dumps(
        sim.to_json(), sort_keys=True
    )  # the IDs were made in two Regions: the state still loads
    assert json.dumps(kmssim.Simulator.from_json(json.loads(text)).to_json(), sort_keys=True) == text


def test_import_operations_while_updating(sim: kmssim.Simulator) -> None:
    """Key-state table (Updating column): GetParametersForImport and DeleteImportedKeyMaterial fail,
    ImportKeyMaterial works."""
    key_id, c, imp = _set(sim, WEST)
    imp[WEST](_material(seed=1))
    c[EAST].update_primary_region(KeyId=key_id, PrimaryRegion=WEST)
    arn_east = _metadata(c[EAST], key_id)["Arn"]
    for call in (
        lambda: c[EAST].get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        ),
        lambda: c[EAST].delete_imported_key_material(KeyId=key_id),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert (error_code(exc), error_message(exc)) == (
            "KMSInvalidStateException",
            f"{arn_east} is updating.",
        )
    assert imp[EAST](_material(seed=1), ValidTo=sim.now + timedelta(days=1))  # re-import: a new expiration
    assert _metadata(c[EAST], key_id)["ValidTo"] == sim.now + timedelta(days=1)


def test_a_new_replica_must_also_take_the_pending_material(sim: kmssim.Simulator) -> None:
    """API_RotationsListEntry: PENDING_MULTI_REGION_IMPORT_AND_ROTATION while a replica has not imported the
    material; a replica made while material is pending lists it too (API_ReplicateKey: shared key material)."""
    key_id, c, imp = _set(sim, WEST)
    imp[WEST](_material(seed=1))
    two = imp[EAST](_material(seed=2), ImportType="NEW_KEY_MATERIAL")
    imp[WEST](_material(seed=2))
    assert _states(c[EAST], key_id)[1] == (two, "IMPORTED", "PENDING_ROTATION")
    c[EAST].replicate_key(KeyId=key_id, ReplicaRegion=SYD)
    sim.advance(seconds=WAIT)
    syd = sim.client("kms", region_name=SYD)
    assert _states(syd, key_id)[1] == (two, "PENDING_IMPORT", "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
    assert _states(c[EAST], key_id)[1][2] == "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    imp_syd = Importer(syd, key_id)
    imp_syd(_material(seed=2))
    assert _metadata(syd, key_id)["KeyState"] == "PendingImport"  # its current material is not imported yet
    imp_syd(_material(seed=1))
    c[EAST].rotate_key_on_demand(KeyId=key_id)
    assert _metadata(syd, key_id)["CurrentKeyMaterialId"] == two
    assert [r["KeyMaterialState"] for r in _all(syd, key_id)] == ["NON_CURRENT", "CURRENT"]


def test_an_imported_asymmetric_multi_region_key_takes_the_same_private_key_in_its_replica() -> None:
    """An ECC key imported into a multi-Region primary: the replica is made without material (PendingImport),
    takes the same PKCS #8 key (the primary's KeyMaterialId), then signs what the importer's own public key
    verifies; another private key is refused (API_ReplicateKey; API_ImportKeyMaterial: "For asymmetric and HMAC
    keys, you cannot change the key material after the initial import"; multi-region-keys-import.html)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

    sim = kmssim.Simulator(seed=3)
    us, eu = sim.client("kms", region_name="us-east-1"), sim.client("kms", region_name="eu-west-1")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    def pkcs8(private: ec.EllipticCurvePrivateKey) -> bytes:
        return private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def import_into(client: Any, key_id: str, material: bytes) -> str:
        p = client.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec="RSA_2048"
        )
        aes = bytes(range(32))
        public = serialization.load_der_public_key(p["PublicKey"])
        assert isinstance(public, rsa.RSAPublicKey)
        wrapped = public.encrypt(aes, oaep) + aes_key_wrap_with_padding(aes, material)
        out = client.import_key_material(
            KeyId=key_id,
            ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        return str(out["KeyMaterialId"])

    mine = ec.generate_private_key(ec.SECP256R1())
    key_id = us.create_key(
        Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", MultiRegion=True
    )["KeyMetadata"]["KeyId"]
    primary_material = import_into(us, key_id, pkcs8(mine))
    us.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    sim.advance(minutes=5)
    assert eu.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    with pytest.raises(ClientError) as refused:
        import_into(eu, key_id, pkcs8(ec.generate_private_key(ec.SECP256R1())))
    assert error_code(refused) == "IncorrectKeyMaterialException"
    assert eu.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    assert import_into(eu, key_id, pkcs8(mine)) == primary_material
    assert eu.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    signature = eu.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    mine.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))  # raises if it does not verify
    assert eu.get_public_key(KeyId=key_id)["PublicKey"] == us.get_public_key(KeyId=key_id)["PublicKey"]
