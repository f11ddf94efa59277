"""A Hypothesis state machine over imported key material in a multi-Region set: imports (NEW and EXISTING, with
and without expiry), deletions by KeyMaterialId, on-demand rotation, encryption and decryption in every Region,
and time passing, in any order.

Laws (as in ``test_stateful``): only AWS errors come out, never KMSInternalException; a failed call changes
nothing but the trail's record of it; after every step save, load, save is identical and the loaded state passes
every check of ``Key.check`` and ``_saved`` (a key is Enabled exactly while all its associated materials are
imported, replicas list their primary's materials, ...). Added laws: a ciphertext that decrypted once decrypts
to the same plaintext whenever its key is Enabled (old material stays for decryption: API_RotateKeyOnDemand);
CurrentKeyMaterialId is the same in every related key (API_ReplicateKey: shared key material).
"""

from __future__ import annotations

import functools
import json
import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import kmssim

from .test_imported import _material, _wrap
from .test_stateful import _without_failure_record

REGIONS = ("us-east-1", "eu-west-1")
SEEDS = range(4)


@functools.cache
def _start() -> tuple[str, str, dict[str, tuple[bytes, dict[int, bytes]]]]:
    """A saved simulator with an EXTERNAL primary (material seed 0 imported) and its replica (nothing imported),
    and per Region an import token with every candidate material wrapped under its public key."""
    sim = kmssim.Simulator(seed=21, enforce_quotas=False)
    key_id = sim.call("CreateKey", {"Origin": "EXTERNAL", "MultiRegion": True})["KeyMetadata"]["KeyId"]
    wrapped = {}
    for region in REGIONS:
        if region != REGIONS[0]:
            sim.call("ReplicateKey", {"KeyId": key_id, "ReplicaRegion": region})
            sim.advance(seconds=kmssim.choices.MULTI_REGION_TRANSITION.total_seconds())
        p = sim.call(
            "GetParametersForImport",
            {"KeyId": key_id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
            region=region,
        )
        wrapped[region] = (
            bytes(p["ImportToken"]),
            {s: _wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", _material(seed=s)) for s in SEEDS},
        )
        if region == REGIONS[0]:
            sim.call(
                "ImportKeyMaterial",
                {
                    "KeyId": key_id,
                    "ImportToken": wrapped[region][0],
                    "EncryptedKeyMaterial": wrapped[region][1][0],
                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
                },
            )
    return json.dumps(sim.to_json()), key_id, wrapped


class ImportedMachine(RuleBasedStateMachine):
    blobs = Bundle("blobs")

    def __init__(self) -> None:
        super().__init__()
        text, self.key_id, self.wrapped = _start()
        self.sim = kmssim.Simulator.from_json(json.loads(text))
        self.plaintexts: dict[bytes, bytes] = {}

    def _call(self, operation: str, params: dict[str, Any], region: str) -> Any:
        before = self.sim.to_json()
        try:
            return self.sim.call(operation, {"KeyId": self.key_id, **params}, region=region)
        except kmssim.KMSError as exc:
            assert exc.code != "KMSInternalException", exc
            first, second = _without_failure_record(before, self.sim.to_json())
            assert first == second, f"{operation} failed ({exc.code}) but changed the state"
        return None

    def _state(self, region: str) -> str:
        md = self.sim.call("DescribeKey", {"KeyId": self.key_id}, region=region)["KeyMetadata"]
        return str(md["KeyState"])

    @rule(
        region=st.sampled_from(REGIONS),
        seed=st.sampled_from(SEEDS),
        import_type=st.sampled_from([None, "NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"]),
        expires=st.sampled_from([None, 1, 30]),
    )
    def import_material(self, region: str, seed: int, import_type: str | None, expires: int | None) -> None:
        token, materials = self.wrapped[region]
        params: dict[str, Any] = {"ImportToken": token, "EncryptedKeyMaterial": materials[seed]}
        if import_type:
            params["ImportType"] = import_type
        if expires is None:
            params["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
        else:
            params["ValidTo"] = self.sim.now + timedelta(hours=expires)
        self._call("ImportKeyMaterial", params, region)

    @rule(region=st.sampled_from(REGIONS), which=st.sampled_from([None, 0, 1, -1]))
    def delete(self, region: str, which: int | None) -> None:
        params: dict[str, Any] = {}
        if which is not None:
            listed = self.sim.call(
                "ListKeyRotations",
                {"KeyId": self.key_id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"},
                region=region,
            )["Rotations"]
            params["KeyMaterialId"] = listed[which]["KeyMaterialId"] if len(listed) > abs(which) else "f" * 64
        self._call("DeleteImportedKeyMaterial", params, region)

    @rule(region=st.sampled_from(REGIONS))
    def rotate(self, region: str) -> None:
        self._call("RotateKeyOnDemand", {}, region)

    @rule(seed=st.sampled_from(SEEDS))
    def rotation_flow(self, seed: int) -> None:
        """The documented flow: NEW into the primary, EXISTING into the replica, RotateKeyOnDemand."""
        for region, import_type in zip(REGIONS, ("NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"), strict=True):
            self.import_material(region, seed, import_type, None)
        self.rotate(REGIONS[0])

    @rule(target=blobs, region=st.sampled_from(REGIONS), n=st.integers(0, 9))
    def encrypt(self, region: str, n: int) -> bytes:
        out = self._call("Encrypt", {"Plaintext": bytes([n])}, region)
        if out is None:
            return b"junk"
        blob = bytes(out["CiphertextBlob"])
        self.plaintexts[blob] = bytes([n])
        return blob

    @rule(blob=blobs, region=st.sampled_from(REGIONS))
    def decrypt(self, blob: bytes, region: str) -> None:
        out = self._call("Decrypt", {"CiphertextBlob": blob}, region)
        if blob in self.plaintexts and self._state(region) == "Enabled":
            assert out is not None and bytes(out["Plaintext"]) == self.plaintexts[blob]

    @rule(minutes=st.sampled_from([0, 20, 61]))  # 20 steps stay within the tokens' 24 hours
    def advance(self, minutes: int) -> None:
        self.sim.advance(seconds=60 * minutes)

    @invariant()
    def related_keys_agree_and_state_round_trips(self) -> None:
        current = {
            self.sim.call("DescribeKey", {"KeyId": self.key_id}, region=r)["KeyMetadata"].get(
                "CurrentKeyMaterialId"
            )
            for r in REGIONS
        }
        assert len(current) == 1
        text = json.dumps(self.sim.to_json(), sort_keys=True)
        again = kmssim.Simulator.from_json(json.loads(text))
        assert json.dumps(again.to_json(), sort_keys=True) == text


TestImportedMachine = ImportedMachine.TestCase
TestImportedMachine.settings = settings(
    max_examples=int(os.environ.get("KMSSIM_FUZZ_EXAMPLES", "15")),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
