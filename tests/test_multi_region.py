"""Multi-Region keys: https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html,
API_UpdatePrimaryRegion.html, API_ScheduleKeyDeletion.html and the developer guide's multi-region-keys-overview,
-replicate, -manage, -delete and -auth pages; the key-state table (key-state.html). Recorded AWS values come from
LocalStack's AWS-validated snapshot (tests/aws/services/kms/test_kms.snapshot.json), named on each test."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

import kmssim
from kmssim import choices
from kmssim._policy import default_key_policy

ACCT = "111122223333"
ROOT = f"arn:aws:iam::{ACCT}:root"
BOB = f"arn:aws:iam::{ACCT}:user/Bob"
EAST, WEST, SYD = "us-east-1", "eu-west-1", "ap-southeast-2"
WAIT = choices.MULTI_REGION_TRANSITION.total_seconds()


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: str, action: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*", **extra}


def describe(sim: kmssim.Simulator, key: str, region: str = EAST) -> dict[str, Any]:
    md: dict[str, Any] = sim.call("DescribeKey", {"KeyId": key}, region=region)["KeyMetadata"]
    return md


def primary(sim: kmssim.Simulator, **params: Any) -> str:
    return str(sim.call("CreateKey", {"MultiRegion": True, **params})["KeyMetadata"]["KeyId"])


def replicate(sim: kmssim.Simulator, key: str, region: str = WEST, **params: Any) -> dict[str, Any]:
    out: dict[str, Any] = sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": region, **params})
    return out


@pytest.fixture
def pair(sim: kmssim.Simulator) -> str:
    """A primary in us-east-1 with an Enabled replica in eu-west-1."""
    key = primary(sim, Description="primary")
    replicate(sim, key)
    sim.advance(seconds=WAIT)
    return key


def arn(region: str, key: str) -> str:
    return f"arn:aws:kms:{region}:{ACCT}:key/{key}"


# ------------------------------------------------------------------------------------------ ReplicateKey


def test_replicate_key_response_is_the_recorded_one(sim: kmssim.Simulator) -> None:
    """AWS (test_replicate_key, 2025-11-10): the replica is Creating and not Enabled, its description is "" (the
    primary's is not copied), no CurrentKeyMaterialId yet, REPLICA, ReplicaKeys lists it, ReplicaPolicy is the
    default key policy, and no ReplicaTags member without Tags."""
    key = primary(sim, Description="test replicated key")
    out = replicate(sim, key)
    md = out["ReplicaKeyMetadata"]
    assert (md["KeyId"], md["Arn"], md["KeyState"], md["Enabled"]) == (key, arn(WEST, key), "Creating", False)
    assert md["Description"] == "" and "CurrentKeyMaterialId" not in md
    assert (md["KeySpec"], md["KeyUsage"], md["Origin"], md["MultiRegion"]) == (
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        True,
    )
    config = {
        "PrimaryKey": {"Arn": arn(EAST, key), "Region": EAST},
        "ReplicaKeys": [{"Arn": arn(WEST, key), "Region": WEST}],
    }
    assert md["MultiRegionConfiguration"] == {"MultiRegionKeyType": "REPLICA", **config}
    assert out["ReplicaPolicy"] == default_key_policy(ACCT)
    assert "ReplicaTags" not in out
    # DescribeKey of the primary already lists the replica.
    assert describe(sim, key)["MultiRegionConfiguration"] == {"MultiRegionKeyType": "PRIMARY", **config}


def test_a_single_region_key_has_no_multi_region_configuration(sim: kmssim.Simulator) -> None:
    """test_non_multi_region_keys_should_not_have_multi_region_properties (AWS, 2025-11-10)."""
    md = sim.call("CreateKey", {})["KeyMetadata"]
    assert md["MultiRegion"] is False and "MultiRegionConfiguration" not in md


def test_replica_becomes_enabled_after_the_transition(sim: kmssim.Simulator) -> None:
    """API_ReplicateKey: Creating changes to Enabled "after a few seconds"; once Enabled the replica shows the
    primary's CurrentKeyMaterialId (test_replicate_key). The trail has ReplicateKey in the primary Region and
    CreateKey in the replica Region, and the synchronization that ends Creating."""
    key = primary(sim)
    replicate(sim, key)
    sim.advance(seconds=WAIT - 1)
    assert describe(sim, key, WEST)["KeyState"] == "Creating"
    sim.advance(seconds=1)
    md = describe(sim, key, WEST)
    assert md["KeyState"] == "Enabled" and md["Enabled"] is True
    assert md["CurrentKeyMaterialId"] == describe(sim, key)["CurrentKeyMaterialId"]
    names = [(e.event_name, e.region) for e in sim.trail()]
    assert ("ReplicateKey", EAST) in names and ("CreateKey", WEST) in names
    assert ("SynchronizeMultiRegionKey", WEST) in names


def test_creating_replica_refuses_crypto_but_can_be_managed(sim: kmssim.Simulator) -> None:
    """Key-state table, Creating column: crypto and EnableKey/DisableKey fail with "<arn> is creating." (footnote
    14); tags, description, policy, aliases and ScheduleKeyDeletion work."""
    key = primary(sim)
    replicate(sim, key)
    at = {"region": WEST}
    with pytest.raises(kmssim.KMSInvalidStateException, match=f": {arn(WEST, key)} is creating.$"):
        sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, **at)
    with pytest.raises(kmssim.KMSInvalidStateException, match="is creating"):
        sim.call("DisableKey", {"KeyId": key}, **at)
    sim.call("TagResource", {"KeyId": key, "Tags": [{"TagKey": "a", "TagValue": "b"}]}, **at)
    sim.call("UpdateKeyDescription", {"KeyId": key, "Description": "west"}, **at)
    sim.call("CreateAlias", {"AliasName": "alias/west", "TargetKeyId": key}, **at)
    assert describe(sim, key, WEST)["Description"] == "west"


def test_replicate_with_policy_tags_and_description(sim: kmssim.Simulator) -> None:
    """API_ReplicateKey: Policy, Description and Tags are the replica's own; ReplicaTags echoes the tags."""
    key = primary(sim, Tags=[{"TagKey": "p", "TagValue": "1"}])
    policy = doc(allow(ROOT, "kms:*"))
    out = replicate(sim, key, Policy=policy, Description="d", Tags=[{"TagKey": "r", "TagValue": "2"}])
    assert out["ReplicaPolicy"] == policy and out["ReplicaKeyMetadata"]["Description"] == "d"
    assert out["ReplicaTags"] == [{"TagKey": "r", "TagValue": "2"}]
    tags = sim.call("ListResourceTags", {"KeyId": key}, region=WEST)["Tags"]
    assert tags == [{"TagKey": "r", "TagValue": "2"}]


def test_replica_policy_passes_the_lockout_check(sim: kmssim.Simulator) -> None:
    """The lockout safety check applies to the replica's policy (API_ReplicateKey, BypassPolicyLockoutSafetyCheck)."""
    key = primary(sim)
    locked = doc(allow(ROOT, "kms:Encrypt"))
    with pytest.raises(kmssim.MalformedPolicyDocumentException):
        replicate(sim, key, Policy=locked)
    replicate(sim, key, Policy=locked, BypassPolicyLockoutSafetyCheck=True)


def test_replicating_a_replica_is_refused_as_aws_does(sim: kmssim.Simulator, pair: str) -> None:
    """test_replicate_replica_key_should_fail (AWS, 2025-09-08): "<arn> is not a multi-region primary key."."""
    with pytest.raises(kmssim.UnsupportedOperationException) as e:
        sim.call("ReplicateKey", {"KeyId": pair, "ReplicaRegion": SYD}, region=WEST)
    assert str(e.value.message) == f"{arn(WEST, pair)} is not a multi-region primary key."


def test_replicating_a_single_region_key_is_refused(sim: kmssim.Simulator) -> None:
    """Only multi-Region primary keys can be replicated (API_ReplicateKey, KeyId)."""
    key = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    with pytest.raises(kmssim.UnsupportedOperationException, match="is not a multi-region primary key"):
        replicate(sim, key)
    assert len(sim.inventory()) == 1


def test_one_related_key_per_region(sim: kmssim.Simulator, pair: str) -> None:
    """API_ReplicateKey: a Region that already has a replica (or the primary) gives AlreadyExistsException,
    also while that replica is pending deletion."""
    for region in (WEST, EAST):
        with pytest.raises(kmssim.AlreadyExistsException):
            replicate(sim, pair, region)
    sim.call("ScheduleKeyDeletion", {"KeyId": pair, "PendingWindowInDays": 7}, region=WEST)
    with pytest.raises(kmssim.AlreadyExistsException):
        replicate(sim, pair)


def test_unknown_region_is_refused(sim: kmssim.Simulator) -> None:
    key = primary(sim)
    with pytest.raises(kmssim.ValidationException, match="xx-fake-9"):
        replicate(sim, key, "xx-fake-9")


def test_replicate_key_state_rules(sim: kmssim.Simulator) -> None:
    """Key-state table, ReplicateKey row: Disabled gives DisabledException (footnote 1)."""
    key = primary(sim)
    sim.call("DisableKey", {"KeyId": key})
    with pytest.raises(kmssim.DisabledException, match="is disabled"):
        replicate(sim, key)


def test_replicate_needs_create_key_and_tag_resource_in_iam(sim: kmssim.Simulator) -> None:
    """API_ReplicateKey, Required permissions: kms:ReplicateKey on the primary (key policy), kms:CreateKey in an
    IAM policy, and kms:TagResource in an IAM policy to use Tags."""
    sim.add_principal(BOB)
    key = primary(sim, Policy=doc(allow(ROOT, "kms:*"), allow(BOB, "kms:ReplicateKey")))
    with pytest.raises(kmssim.AccessDeniedException, match="kms:CreateKey"):
        sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": WEST}, principal=BOB)
    iam = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}],
    }
    sim.add_principal(BOB, policies=[iam])
    tagged = {"KeyId": key, "ReplicaRegion": WEST, "Tags": [{"TagKey": "a", "TagValue": "b"}]}
    with pytest.raises(kmssim.AccessDeniedException, match="kms:TagResource"):
        sim.call("ReplicateKey", tagged, principal=BOB)
    sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": WEST}, principal=BOB)


def test_replica_region_condition_key(sim: kmssim.Simulator) -> None:
    """kms:ReplicaRegion limits the Regions ReplicateKey may target (conditions-kms.html)."""
    only_west = allow(ROOT, "kms:ReplicateKey", Condition={"StringEquals": {"kms:ReplicaRegion": WEST}})
    key = primary(sim, Policy=doc(allow(ROOT, ["kms:PutKeyPolicy", "kms:DescribeKey"]), only_west))
    with pytest.raises(kmssim.AccessDeniedException):
        replicate(sim, key, SYD)
    replicate(sim, key, WEST)


# ------------------------------------------------------------------------------------------ cryptography


def test_ciphertext_decrypts_with_any_related_key(sim: kmssim.Simulator, pair: str) -> None:
    """multi-region-keys-overview.html: a ciphertext of one related key decrypts with any other, in its Region,
    without naming the key; a single-Region key's ciphertext still decrypts only in its own Region."""
    east = sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"from east"})
    west = sim.call("Decrypt", {"CiphertextBlob": east["CiphertextBlob"]}, region=WEST)
    assert west["Plaintext"] == b"from east" and west["KeyId"] == arn(WEST, pair)
    back = sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"from west"}, region=WEST)["CiphertextBlob"]
    assert sim.call("Decrypt", {"CiphertextBlob": back, "KeyId": pair})["Plaintext"] == b"from west"
    single = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    blob = sim.call("Encrypt", {"KeyId": single, "Plaintext": b"x"})["CiphertextBlob"]
    with pytest.raises(kmssim.AccessDeniedException, match="does not exist in this region"):
        sim.call("Decrypt", {"CiphertextBlob": blob}, region=WEST)


def test_ciphertext_needs_a_related_key_in_the_region(sim: kmssim.Simulator) -> None:
    key = primary(sim)
    blob = sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})["CiphertextBlob"]
    with pytest.raises(kmssim.AccessDeniedException, match="does not exist in this region"):
        sim.call("Decrypt", {"CiphertextBlob": blob}, region=WEST)


def test_asymmetric_and_hmac_replicas_share_the_key(sim: kmssim.Simulator) -> None:
    """multi-region-keys-manage.html: related asymmetric keys have the same public key and a signature made in
    one Region verifies in another; HMAC keys share material, so their MACs are equal."""
    rsa = primary(sim, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    mac = primary(sim, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    for key in (rsa, mac):
        replicate(sim, key)
    sim.advance(seconds=WAIT)
    public = [sim.call("GetPublicKey", {"KeyId": rsa}, region=r)["PublicKey"] for r in (EAST, WEST)]
    assert public[0] == public[1]
    sign = {"KeyId": rsa, "Message": b"m", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}
    signature = sim.call("Sign", sign)["Signature"]
    assert sim.call("Verify", {**sign, "Signature": signature}, region=WEST)["SignatureValid"] is True
    macs = [
        sim.call("GenerateMac", {"KeyId": mac, "Message": b"m", "MacAlgorithm": "HMAC_SHA_256"}, region=r)[
            "Mac"
        ]
        for r in (EAST, WEST)
    ]
    assert macs[0] == macs[1]


# ------------------------------------------------------------------------------------------ rotation


def test_rotation_is_shared_from_the_primary(sim: kmssim.Simulator, pair: str) -> None:
    """API_ReplicateKey: rotation status is a shared property; multi-region-keys-manage.html: new material is
    created on the primary and copied to every replica. A replica shows the primary's rotation status."""
    sim.call("EnableKeyRotation", {"KeyId": pair, "RotationPeriodInDays": 90})
    status = sim.call("GetKeyRotationStatus", {"KeyId": pair}, region=WEST)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    sim.call("RotateKeyOnDemand", {"KeyId": pair})
    sim.advance(days=90)
    rotations = [
        [
            (r["KeyMaterialId"], r["RotationType"])
            for r in sim.call("ListKeyRotations", {"KeyId": pair}, region=g)["Rotations"]
        ]
        for g in (EAST, WEST)
    ]
    assert rotations[0] == rotations[1] and [t for _, t in rotations[0]] == ["ON_DEMAND", "AUTOMATIC"]
    blob = sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"new"})["CiphertextBlob"]
    assert sim.call("Decrypt", {"CiphertextBlob": blob}, region=WEST)["Plaintext"] == b"new"


def test_rotation_settings_on_a_replica_are_refused(sim: kmssim.Simulator, pair: str) -> None:
    """EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand belong to the primary (API_EnableKeyRotation:
    "set on the primary key"; API_RotateKeyOnDemand)."""
    for operation in ("EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"):
        with pytest.raises(kmssim.UnsupportedOperationException, match="replica"):
            sim.call(operation, {"KeyId": pair}, region=WEST)


def test_a_new_replica_gets_every_material_version(sim: kmssim.Simulator) -> None:
    """multi-region-keys-manage.html: a replica of a rotated primary gets the current and all previous
    material, so old ciphertexts decrypt in the replica's Region."""
    key = primary(sim)
    old = sim.call("Encrypt", {"KeyId": key, "Plaintext": b"old"})["CiphertextBlob"]
    sim.call("RotateKeyOnDemand", {"KeyId": key})
    replicate(sim, key)
    sim.advance(seconds=WAIT)
    assert sim.call("Decrypt", {"CiphertextBlob": old}, region=WEST)["Plaintext"] == b"old"


# ------------------------------------------------------------------------------------------ independent properties


def test_aliases_and_grants_are_never_shared(sim: kmssim.Simulator, pair: str) -> None:
    """multi-region-keys-overview.html: aliases and grants are independent; deleting a replica removes only the
    aliases of its own Region."""
    sim.call("CreateAlias", {"AliasName": "alias/app", "TargetKeyId": pair})
    with pytest.raises(kmssim.NotFoundException):
        sim.call("DescribeKey", {"KeyId": "alias/app"}, region=WEST)
    sim.call("CreateAlias", {"AliasName": "alias/app", "TargetKeyId": pair}, region=WEST)
    sim.add_principal(BOB)
    sim.call("CreateGrant", {"KeyId": pair, "GranteePrincipal": BOB, "Operations": ["Decrypt"]})
    assert sim.call("ListGrants", {"KeyId": pair}, region=WEST)["Grants"] == []
    sim.call("DisableKey", {"KeyId": pair})
    assert describe(sim, pair, WEST)["KeyState"] == "Enabled"
    sim.call("ScheduleKeyDeletion", {"KeyId": pair, "PendingWindowInDays": 7}, region=WEST)
    sim.advance(days=7)
    assert sim.call("DescribeKey", {"KeyId": "alias/app"})["KeyMetadata"]["KeyId"] == pair


# ------------------------------------------------------------------------------------------ deletion


def test_primary_with_replicas_waits_in_pending_replica_deletion(sim: kmssim.Simulator, pair: str) -> None:
    """API_ScheduleKeyDeletion and multi-region-keys-delete.html: a primary with replicas goes to
    PendingReplicaDeletion with no DeletionDate; it cannot be used or replicated; when its last replica is
    deleted its waiting period starts, so the set takes 7 + 7 days at least."""
    out = sim.call("ScheduleKeyDeletion", {"KeyId": pair, "PendingWindowInDays": 7})
    assert out["KeyState"] == "PendingReplicaDeletion" and out["PendingWindowInDays"] == 7
    assert "DeletionDate" not in out
    md = describe(sim, pair)
    assert md["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in md
    with pytest.raises(kmssim.KMSInvalidStateException, match="is pending replica deletion"):
        sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"})
    with pytest.raises(kmssim.KMSInvalidStateException, match="pending replica deletion"):
        replicate(sim, pair, SYD)
    assert describe(sim, pair, WEST)["KeyState"] == "Enabled"  # replicas are unaffected
    sim.call("ScheduleKeyDeletion", {"KeyId": pair, "PendingWindowInDays": 7}, region=WEST)
    sim.advance(days=7)
    md = describe(sim, pair)
    assert md["KeyState"] == "PendingDeletion" and md["DeletionDate"] == sim.now + timedelta(days=7)
    assert md["MultiRegionConfiguration"]["ReplicaKeys"] == []
    sim.advance(days=7)
    with pytest.raises(kmssim.NotFoundException):
        describe(sim, pair)


def test_cancel_pending_replica_deletion(sim: kmssim.Simulator, pair: str) -> None:
    """multi-region-keys-delete.html: CancelKeyDeletion of a primary pending replica deletion leaves it Disabled."""
    sim.call("ScheduleKeyDeletion", {"KeyId": pair})
    sim.call("CancelKeyDeletion", {"KeyId": pair})
    assert describe(sim, pair)["KeyState"] == "Disabled"


def test_a_deleted_replica_can_be_replicated_again(sim: kmssim.Simulator, pair: str) -> None:
    """API_ReplicateKey: replicating into the Region of a deleted replica recreates it, with the same shared
    properties (same ARN and material)."""
    blob = sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"})["CiphertextBlob"]
    sim.call("ScheduleKeyDeletion", {"KeyId": pair, "PendingWindowInDays": 7}, region=WEST)
    sim.advance(days=7)
    replicate(sim, pair)
    sim.advance(seconds=WAIT)
    assert sim.call("Decrypt", {"CiphertextBlob": blob}, region=WEST)["Plaintext"] == b"x"


# ------------------------------------------------------------------------------------------ UpdatePrimaryRegion


def test_update_primary_region(sim: kmssim.Simulator, pair: str) -> None:
    """API_UpdatePrimaryRegion: the replica becomes the primary and the primary a replica; both are Updating,
    usable in crypto, refused EnableKey/DisableKey and replication (footnote 15), then back to Enabled. The
    shared rotation settings now come from the new primary."""
    sim.call("EnableKeyRotation", {"KeyId": pair})
    assert sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": WEST}) == {}
    for region in (EAST, WEST):
        assert describe(sim, pair, region)["KeyState"] == "Updating"
    config = describe(sim, pair, WEST)["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["PrimaryKey"]["Region"] == WEST
    assert config["ReplicaKeys"] == [{"Arn": arn(EAST, pair), "Region": EAST}]
    sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"})
    with pytest.raises(kmssim.KMSInvalidStateException, match=f": {arn(EAST, pair)} is updating.$"):
        sim.call("DisableKey", {"KeyId": pair})
    with pytest.raises(kmssim.KMSInvalidStateException, match="is updating"):
        sim.call("ReplicateKey", {"KeyId": pair, "ReplicaRegion": SYD}, region=WEST)
    with pytest.raises(kmssim.KMSInvalidStateException, match="is updating"):
        sim.call("ScheduleKeyDeletion", {"KeyId": pair}, region=WEST)
    sim.advance(seconds=WAIT)
    assert [describe(sim, pair, r)["KeyState"] for r in (EAST, WEST)] == ["Enabled", "Enabled"]
    with pytest.raises(kmssim.UnsupportedOperationException):
        sim.call("EnableKeyRotation", {"KeyId": pair})  # the old primary is a replica now
    assert sim.call("GetKeyRotationStatus", {"KeyId": pair}, region=WEST)["KeyRotationEnabled"] is True
    sim.call("ReplicateKey", {"KeyId": pair, "ReplicaRegion": SYD}, region=WEST)


def test_update_primary_region_errors(sim: kmssim.Simulator, pair: str) -> None:
    """API_UpdatePrimaryRegion: KeyId must be the primary; PrimaryRegion must have a replica; both keys must be
    Enabled (key-state table: Disabled gives DisabledException)."""
    with pytest.raises(kmssim.UnsupportedOperationException, match="not a multi-region primary key"):
        sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": EAST}, region=WEST)
    with pytest.raises(kmssim.NotFoundException, match=f"Key '{arn(SYD, pair)}' does not exist"):
        sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": SYD})
    with pytest.raises(kmssim.UnsupportedOperationException, match="already the primary"):
        sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": EAST})
    sim.call("DisableKey", {"KeyId": pair}, region=WEST)
    with pytest.raises(kmssim.DisabledException, match=f"{arn(WEST, pair)} is disabled"):
        sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": WEST})
    assert describe(sim, pair)["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"


def test_update_primary_region_needs_permission_on_both_keys(sim: kmssim.Simulator) -> None:
    """API_UpdatePrimaryRegion: kms:UpdatePrimaryRegion on the primary and on the replica, each in its key
    policy."""
    sim.add_principal(BOB)
    key = primary(sim, Policy=doc(allow(ROOT, "kms:*"), allow(BOB, "kms:UpdatePrimaryRegion")))
    replicate(sim, key)
    sim.advance(seconds=WAIT)
    params = {"KeyId": key, "PrimaryRegion": WEST}
    with pytest.raises(kmssim.AccessDeniedException, match=arn(WEST, key)):
        sim.call("UpdatePrimaryRegion", params, principal=BOB)
    sim.call(
        "PutKeyPolicy", {"KeyId": key, "Policy": doc(allow(ROOT, "kms:*"), allow(BOB, "kms:*"))}, region=WEST
    )
    sim.call("UpdatePrimaryRegion", params, principal=BOB)


def test_multi_region_key_type_condition_key(sim: kmssim.Simulator, pair: str) -> None:
    """kms:MultiRegionKeyType is PRIMARY or REPLICA and changes with UpdatePrimaryRegion (conditions-kms.html)."""
    replica_only = {"StringEquals": {"kms:MultiRegionKeyType": "REPLICA"}}
    deny = {**allow(ROOT, "kms:Encrypt", Condition=replica_only), "Effect": "Deny"}
    policy = doc(allow(ROOT, "kms:*"), deny)
    for region in (EAST, WEST):
        sim.call("PutKeyPolicy", {"KeyId": pair, "Policy": policy}, region=region)
    sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"})
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"}, region=WEST)
    sim.call("UpdatePrimaryRegion", {"KeyId": pair, "PrimaryRegion": WEST})
    sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"}, region=WEST)
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("Encrypt", {"KeyId": pair, "Plaintext": b"x"})


# ------------------------------------------------------------------------------------------ bills and quotas


def test_each_replica_is_a_billed_key(sim: kmssim.Simulator, pair: str) -> None:
    """Pricing page: each primary and each replica multi-Region key is a $1/month key, and its rotations are
    the shared ones."""
    sim.call("RotateKeyOnDemand", {"KeyId": pair})
    keys = {k["region"]: k for k in sim.usage()["keys"]}
    assert set(keys) == {EAST, WEST}
    assert len(keys[WEST]["rotations"]) == len(keys[EAST]["rotations"]) == 1
    sim.advance(days=3)
    detail = sim.bill().key_detail
    assert detail is not None
    billed = detail[detail["key_months"] > 0]
    assert set(billed["region"]) == {EAST, WEST}
    assert list(billed["rotations_charged"]) == [1, 1]


def test_replicate_key_counts_two_create_key_requests_in_the_replica_region() -> None:
    """requests-per-second.html: ReplicateKey counts 1 ReplicateKey request in the primary's Region and 2
    CreateKey requests in the replica's Region (CreateKey: 5 per second)."""
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    keys = [primary(sim) for _ in range(2)]
    sim.advance(seconds=1)
    for key in keys:
        replicate(sim, key)
    sim.call("CreateKey", {}, region=WEST)  # the fifth CreateKey request in eu-west-1 this second
    with pytest.raises(kmssim.ThrottlingException):
        sim.call("CreateKey", {}, region=WEST)


def test_update_primary_region_counts_in_both_regions() -> None:
    """requests-per-second.html: UpdatePrimaryRegion counts one request in each Region (5 per second): three
    moves into eu-west-1 and two out of it use eu-west-1's five."""
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    into_west = [primary(sim) for _ in range(3)]
    out_of_west = [
        str(sim.call("CreateKey", {"MultiRegion": True}, region=WEST)["KeyMetadata"]["KeyId"])
        for _ in range(3)
    ]
    sim.advance(seconds=1)
    for key in into_west:
        replicate(sim, key)
        sim.advance(seconds=1)
    for key in out_of_west:
        sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": SYD}, region=WEST)
        sim.advance(seconds=1)
    sim.advance(seconds=WAIT)
    for key in into_west:
        sim.call("UpdatePrimaryRegion", {"KeyId": key, "PrimaryRegion": WEST})
    for key in out_of_west[:2]:
        sim.call("UpdatePrimaryRegion", {"KeyId": key, "PrimaryRegion": SYD}, region=WEST)
    with pytest.raises(kmssim.ThrottlingException):
        sim.call("UpdatePrimaryRegion", {"KeyId": out_of_west[2], "PrimaryRegion": SYD}, region=WEST)


# ------------------------------------------------------------------------------------------ save and load


def _multi_region_state() -> dict[str, Any]:
    sim = kmssim.Simulator(seed=5)
    key = primary(sim)
    sim.call("RotateKeyOnDemand", {"KeyId": key})
    replicate(sim, key)
    sim.advance(seconds=WAIT)
    replicate(sim, key, SYD)  # still Creating
    other = primary(sim)
    replicate(sim, other)
    sim.call("ScheduleKeyDeletion", {"KeyId": other})  # PendingReplicaDeletion
    data: dict[str, Any] = sim.to_json()
    return data


def test_multi_region_state_round_trips() -> None:
    data = _multi_region_state()
    sim = kmssim.Simulator.from_json(json.loads(json.dumps(data)))
    assert sim.to_json() == data
    states = sorted(k.state for k in sim.inventory())
    assert states == ["Creating", "Creating", "Enabled", "Enabled", "PendingReplicaDeletion"]
    sim.advance(seconds=WAIT)
    assert sorted(k.state for k in sim.inventory()).count("Enabled") == 4


def _keys(data: dict[str, Any]) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = data["operations"]["keys"]
    return keys


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        (lambda keys: keys[1].update(primary_region=SYD), "primary_region"),
        (lambda keys: keys[1]["materials"].pop(), "materials"),
        (lambda keys: keys[1].update(sync_due=None, state="Creating"), "sync_due"),
        (lambda keys: keys[0].update(primary_region=None), "primary_region"),
        (lambda keys: keys[1].update(rotation_enabled=True), "rotation_enabled"),
        (lambda keys: keys.pop(0), "primary_region"),
    ],
)
def test_damaged_multi_region_fields_are_refused(damage: Any, field: str) -> None:
    data = _multi_region_state()
    damage(_keys(data))
    with pytest.raises(kmssim.DataFileError, match=field):
        kmssim.Simulator.from_json(data)


def test_a_state_saved_before_replicas_loads_its_primaries() -> None:
    """A file written before multi-Region replicas has neither field: each multi-Region key was a primary."""
    sim = kmssim.Simulator(seed=5)
    key = primary(sim)
    data = sim.to_json()
    for k in _keys(data):
        del k["primary_region"], k["sync_due"]
    loaded = kmssim.Simulator.from_json(data)
    assert describe(loaded, key)["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"


# ------------------------------------------------------------------------------------------ the key-state table

_CRYPTO = ["Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyPair", "Sign", "Verify"]
_CRYPTO += ["GenerateMac", "VerifyMac", "GetPublicKey", "CreateGrant"]
_MANAGE = ["CreateAlias", "UpdateAlias", "DeleteAlias", "DescribeKey", "GetKeyPolicy", "PutKeyPolicy"]
_MANAGE += ["ListGrants", "ListKeyPolicies", "ListResourceTags", "RetireGrant", "RevokeGrant", "TagResource"]
_MANAGE += ["UntagResource", "UpdateKeyDescription", "GetKeyRotationStatus"]
#: key-state.html, the Creating and Updating columns: operation -> (fails when Creating, fails when Updating).
KEY_STATE_TABLE: dict[str, tuple[bool, bool]] = {
    **{op: (True, False) for op in _CRYPTO},
    **{op: (False, False) for op in _MANAGE},
    "EnableKey": (True, True),
    "DisableKey": (True, True),
    "EnableKeyRotation": (True, False),
    "DisableKeyRotation": (True, False),
    "ScheduleKeyDeletion": (False, True),
    "CancelKeyDeletion": (True, True),
    "ReplicateKey": (True, True),
    "UpdatePrimaryRegion": (True, False),
}


@pytest.mark.parametrize("operation", sorted(KEY_STATE_TABLE))
def test_key_state_table_creating_and_updating(operation: str) -> None:
    """Each row's Creating and Updating cells (footnote 14: "<arn> is creating.", 15: "<arn> is updating.")."""
    from kmssim._states import check_state

    fails = KEY_STATE_TABLE[operation]
    for state, word, expected in (("Creating", "creating", fails[0]), ("Updating", "updating", fails[1])):
        target = arn(WEST, "mrk-" + "0" * 32)
        if not expected:
            check_state(operation, state, target)
            continue
        with pytest.raises(kmssim.KMSInvalidStateException) as e:
            check_state(operation, state, target)
        wanted = "is not pending deletion" if operation == "CancelKeyDeletion" else f"is {word}"
        assert e.value.message == f"{target} {wanted}."


def test_a_creating_replica_can_be_scheduled_for_deletion(sim: kmssim.Simulator) -> None:
    """Key-state table: ScheduleKeyDeletion works on a Creating key; the replica then waits its window."""
    key = primary(sim)
    replicate(sim, key)
    sim.call("ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7}, region=WEST)
    sim.advance(seconds=WAIT)
    assert describe(sim, key, WEST)["KeyState"] == "PendingDeletion"
    sim.call("CancelKeyDeletion", {"KeyId": key}, region=WEST)
    assert describe(sim, key, WEST)["KeyState"] == "Disabled"


def test_create_key_in_the_replica_region_sees_a_replica_there(sim: kmssim.Simulator) -> None:
    """The kms:CreateKey authorization of ReplicateKey is in the replica Region (API_ReplicateKey): its context has
    aws:RequestedRegion = the replica Region and kms:MultiRegionKeyType = REPLICA (the reference's natural reading;
    AWS does not document it)."""
    sim.add_principal(BOB)
    key = primary(sim, Policy=doc(allow(ROOT, "kms:*"), allow(BOB, "kms:ReplicateKey")))
    condition = {"StringEquals": {"aws:RequestedRegion": WEST, "kms:MultiRegionKeyType": "REPLICA"}}
    statement = {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*", "Condition": condition}
    sim.add_principal(BOB, policies=[{"Version": "2012-10-17", "Statement": [statement]}])
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("CreateKey", {"MultiRegion": True}, principal=BOB, region=WEST)
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": SYD}, principal=BOB)
    sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": WEST}, principal=BOB)
