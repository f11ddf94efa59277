"""Multi-Region keys: replicate a primary key into another Region, move the primary to a replica's Region.

Sources: https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html,
API_UpdatePrimaryRegion.html and the developer guide's multi-region-keys-*.html pages. Related keys share their
key ID, key material (every version), key spec, key usage, origin and rotation (held by the primary, copied to
the replicas by ``rotation.rotate``); each has its own policy, description, tags, aliases, grants and state.
Imported key material is never copied: a replica of an EXTERNAL primary lists the set's materials and takes the
same bytes by ImportKeyMaterial, each key with its own expiration (``imported``). The
transient states Creating and Updating end on the simulated clock after ``choices.MULTI_REGION_TRANSITION``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import choices
from .._errors import (
    AlreadyExistsException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from .._ids import key_arn
from .._models import Key
from .._policy import default_key_policy
from .._states import CREATING, UPDATING
from . import operation
from ._kms import Kms, Request
from .imported import start_replica
from .keys import check_key_quota, validated_tags
from .policies import check_policy


def _primary(key: Key) -> Key:
    """Only a multi-Region primary key can be replicated or hand over the primary role. The message is the one
    AWS was recorded giving for a replica (LocalStack snapshot ``test_replicate_replica_key_should_fail``,
    2025-09-08); kmssim gives it for a single-Region key too, whose error AWS does not document."""
    if not key.multi_region or key.region != key.primary_region:
        raise UnsupportedOperationException(f"{key.arn} is not a multi-region primary key.")
    return key


def _region(kms: Kms, region: str) -> str:
    if region not in kms.world.regions:
        raise ValidationException(f"Region {region} is not a Region kmssim knows.")
    return region


def _in_region(
    kms: Kms, req: Request, region: str, action: str, resource: str, params: dict[str, Any]
) -> None:
    """Authorize a permission ReplicateKey needs in the replica's Region, which only IAM policies can give
    (API_ReplicateKey, "Required permissions"). The request context is that of the call KMS makes there:
    ``aws:RequestedRegion`` is the replica Region and ``kms:MultiRegionKeyType`` is REPLICA."""
    there = Request(
        action[4:],
        params,
        req.account,
        region,
        req.principal,
        {**req.global_context, "aws:RequestedRegion": region},
        derived_context={"kms:MultiRegionKeyType": "REPLICA"},
    )
    try:
        kms.authorize(there, action, None, resource)
    finally:
        req.decision = there.decision


@operation("ReplicateKey")
def replicate_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ReplicateKey: a replica of a primary key in ReplicaRegion, with the same key ID and key material; its
    own policy (the default key policy when Policy is omitted), description ("" by default) and tags. It starts
    Creating. A replica of an EXTERNAL primary is made without key material and is PendingImport after
    Creating (``imported.start_replica``). Needs kms:ReplicateKey on the primary, kms:CreateKey (and kms:TagResource with Tags) in the
    replica Region; one related key per Region (AlreadyExistsException)."""
    p = req.params
    primary = _primary(kms.use_key(req))
    region = _region(kms, p["ReplicaRegion"])
    existing = kms.find_key(primary.account, region, primary.key_id)
    if existing is not None:
        raise AlreadyExistsException(
            f"{existing.arn} already exists: a multi-Region key can have one related key in each Region."
        )
    tags = validated_tags(p.get("Tags") or [], {})
    arn = key_arn(region, primary.account, primary.key_id)
    create: dict[str, Any] = {
        "KeySpec": primary.key_spec,
        "KeyUsage": primary.key_usage,
        "Origin": primary.origin,
        "MultiRegion": True,
        **{k: p[k] for k in ("Policy", "Description", "Tags", "BypassPolicyLockoutSafetyCheck") if k in p},
    }
    _in_region(kms, req, region, "kms:CreateKey", "*", create)
    if tags:
        _in_region(kms, req, region, "kms:TagResource", arn, {"KeyId": arn, "Tags": p["Tags"]})
    check_key_quota(kms, primary.account, region)
    now = kms.world.now
    policy = p.get("Policy")
    replica = Key(
        key_id=primary.key_id,
        arn=arn,
        account=primary.account,
        region=region,
        key_spec=primary.key_spec,
        key_usage=primary.key_usage,
        created=now,
        policy=policy if policy is not None else default_key_policy(primary.account),
        description=p.get("Description", ""),
        origin=primary.origin,
        multi_region=True,
        state=CREATING,
        tags=tags,
        # An EXTERNAL primary's replica has no key material until the same bytes are imported into it.
        materials=[] if primary.origin == "EXTERNAL" else [replace(m) for m in primary.materials],
        on_demand_rotations=primary.on_demand_rotations,
        primary_region=primary.region,
        sync_due=now + choices.MULTI_REGION_TRANSITION,
    )
    if policy is not None:
        check_policy(kms, req, replica, policy, bypass=bool(p.get("BypassPolicyLockoutSafetyCheck")))
    if primary.origin == "EXTERNAL":
        start_replica(kms, primary, replica)
    kms.keys.pop(arn, None)  # a deleted replica of the same key: replicating again recreates it
    kms.add_key(replica)
    req.keys.append(replica)
    # CloudTrail records ReplicateKey in the primary's Region and CreateKey in the replica's (API_ReplicateKey).
    req.service_events.append(("CreateKey", replica))
    out: dict[str, Any] = {"ReplicaKeyMetadata": kms.key_metadata(replica), "ReplicaPolicy": replica.policy}
    if tags:  # AWS was recorded sending no ReplicaTags for a request without tags (test_replicate_key)
        out["ReplicaTags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    return out


@operation("UpdatePrimaryRegion")
def update_primary_region(kms: Kms, req: Request) -> dict[str, Any]:
    """API_UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary key and the primary a replica;
    both are Updating for a while, then back to Enabled. Needs kms:UpdatePrimaryRegion on both keys, each in
    its own Region; both must be Enabled (or Updating). Key ARNs, material and the keys' own properties stay;
    the shared rotation settings move to the new primary."""
    primary = _primary(kms.use_key(req))
    region = _region(kms, req.params["PrimaryRegion"])
    if region == primary.region:
        raise UnsupportedOperationException(
            f"{primary.arn} is already the primary key in {region}: PrimaryRegion must have a replica key."
        )
    target = kms.find_key(primary.account, region, primary.key_id)
    if target is None:  # "The primary Region must already have a replica key"; NotFound is in its error list
        raise NotFoundException(f"Key '{key_arn(region, primary.account, primary.key_id)}' does not exist")
    kms.use_key(req, key=target)
    for key in kms.related_keys(primary):
        key.primary_region = region
    target.rotation_enabled, target.rotation_period_days, target.next_rotation = (
        primary.rotation_enabled,
        primary.rotation_period_days,
        primary.next_rotation,
    )
    primary.rotation_enabled, primary.rotation_period_days, primary.next_rotation = False, None, None
    due = kms.world.now + choices.MULTI_REGION_TRANSITION
    for key in (primary, target):
        key.state = UPDATING
        key.sync_due = due
        kms.schedule(key)
    return {}
