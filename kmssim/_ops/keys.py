"""Keys and their lifecycle: create, describe, list, enable, disable, schedule and cancel deletion, tags.

API reference: https://docs.aws.amazon.com/kms/latest/APIReference/ (the page of each operation is named on its
handler). Deletion waits for its window on the simulated clock; ``rotation`` runs it when it falls due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from .._errors import LimitExceededException, TagException, UnsupportedOperationException, ValidationException
from .._ids import key_arn, new_key_id
from .._keyspecs import ENCRYPT_DECRYPT, KEY_SPECS, UNSUPPORTED_KEY_SPECS
from .._models import Key
from .._policy import default_key_policy
from .._states import DISABLED, ENABLED, PENDING_DELETION, PENDING_IMPORT, PENDING_REPLICA_DELETION
from . import key_stores, operation
from ._kms import (
    DEFAULT_PENDING_WINDOW_DAYS,
    KEYS_PER_REGION,
    PENDING_WINDOW_DAYS,
    TAGS_PER_KEY,
    Kms,
    Request,
    in_range,
    page,
)
from .imported import external_spec_refusal, start_external
from .policies import check_policy
from .rotation import catch_up_rotation


@operation("CreateKey")
def create_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_CreateKey: a key with AWS_KMS material, or with Origin EXTERNAL none until it is imported
    (``imported``); its spec and usage must fit each other."""
    p = req.params
    if "KeySpec" in p and "CustomerMasterKeySpec" in p:
        raise ValidationException(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated."
        )
    spec_name = p.get("KeySpec") or p.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec_name not in KEY_SPECS:
        raise UnsupportedOperationException(
            UNSUPPORTED_KEY_SPECS.get(spec_name, f"KeySpec {spec_name} is not simulated by kmssim yet.")
        )
    spec = KEY_SPECS[spec_name]
    usage = p.get("KeyUsage")
    if usage is None:
        if not spec.symmetric_encryption:
            raise ValidationException(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
            )
        usage = ENCRYPT_DECRYPT
    if usage not in spec.usages:
        raise ValidationException(f"KeyUsage {usage} is not compatible with KeySpec {spec_name}")
    origin = p.get("Origin", "AWS_KMS")
    in_store = None
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE") or p.get("CustomKeyStoreId"):
        if not p.get("CustomKeyStoreId") or origin not in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
            raise ValidationException(
                "Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE goes with a CustomKeyStoreId."
            )
        in_store = key_stores.check_new_key(kms, req, spec_name, origin)
    elif origin not in ("AWS_KMS", "EXTERNAL") or p.get("XksKeyId"):
        raise UnsupportedOperationException(
            f"Origin {origin} is not simulated by kmssim; use AWS_KMS, EXTERNAL or a custom key store's origin."
        )
    if origin == "EXTERNAL" and (refusal := external_spec_refusal(spec_name)):
        raise UnsupportedOperationException(refusal)
    tags = validated_tags(p.get("Tags") or [], {})
    kms.authorize(req, "kms:CreateKey", None, "*")
    check_key_quota(kms, req.account, req.region)
    multi_region = bool(p.get("MultiRegion", False))
    if multi_region and in_store is not None:
        raise UnsupportedOperationException("Multi-Region keys cannot be created in a custom key store.")
    key_id = new_key_id(kms.world.random_bytes(16), multi_region)
    arn = key_arn(req.region, req.account, key_id)
    policy = p.get("Policy")
    key = Key(
        key_id=key_id,
        arn=arn,
        account=req.account,
        region=req.region,
        key_spec=spec_name,
        key_usage=usage,
        created=kms.world.now,
        policy=policy if policy is not None else default_key_policy(req.account),
        description=p.get("Description", ""),
        multi_region=multi_region,
        tags=tags,
        origin=origin,
        primary_region=req.region if multi_region else None,
    )
    if policy is not None:
        check_policy(kms, req, key, policy, bypass=bool(p.get("BypassPolicyLockoutSafetyCheck")))
    if origin == "EXTERNAL":
        start_external(kms, key)  # no key material until ImportKeyMaterial
    else:
        key.materials.append(kms.new_material(arn, None))
    kms.add_key(key)
    if in_store is not None:
        kms.stores.key_store[arn] = (in_store[0].store_id, in_store[1])
    req.keys.append(key)
    return {"KeyMetadata": kms.key_metadata(key)}


def check_key_quota(kms: Kms, account: str, region: str) -> None:
    """LimitExceededException when the account already has the most keys a Region may hold."""
    if kms.live_keys.get((account, region), 0) >= KEYS_PER_REGION:
        raise LimitExceededException(
            f"The request was rejected because a quota was exceeded: {KEYS_PER_REGION} KMS keys per Region."
        )


@operation("DescribeKey")
def describe_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DescribeKey."""
    return {"KeyMetadata": kms.key_metadata(kms.use_key(req))}


@operation("ListKeys")
def list_keys(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListKeys: the keys of the caller's account and Region, in creation order."""
    kms.authorize(req, "kms:ListKeys", None, "*")
    keys = [
        k
        for k in kms.keys.values()
        if k.account == req.account and k.region == req.region and k.deleted is None
    ]
    chunk, more = page(keys, req.params, 100)
    return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in chunk], **more}


@operation("EnableKey")
def enable_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_EnableKey: a disabled key is enabled; its rotation schedule resumes (see ``catch_up_rotation``)."""
    key = kms.use_key(req)
    if key.state == DISABLED:
        key.state = ENABLED
        catch_up_rotation(kms, req, key)
        kms.schedule(key)
    return {}


@operation("DisableKey")
def disable_key(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DisableKey."""
    kms.use_key(req).state = DISABLED
    return {}


@operation("ScheduleKeyDeletion")
def schedule_key_deletion(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ScheduleKeyDeletion: the key waits PendingWindowInDays (7-30, default 30), then is deleted. A
    multi-Region primary key that still has replicas waits in PendingReplicaDeletion, without a DeletionDate,
    until the last replica is deleted; then its waiting period starts (``rotation.run_due_events``)."""
    days = in_range(req, "PendingWindowInDays", DEFAULT_PENDING_WINDOW_DAYS, PENDING_WINDOW_DAYS)
    key = kms.use_key(req)
    key.sync_due = None  # a replica still Creating can be scheduled for deletion (key-state table)
    if kms.replicas(key):
        key.state = PENDING_REPLICA_DELETION
        key.pending_window_days = days
        return {"KeyId": key.arn, "KeyState": PENDING_REPLICA_DELETION, "PendingWindowInDays": days}
    now = kms.world.now
    key.state = PENDING_DELETION
    key.pending_window_days = days
    key.deletion_scheduled_at = now
    key.deletion_date = now + timedelta(days=days)
    kms.schedule(key)
    return {
        "KeyId": key.arn,
        "DeletionDate": key.deletion_date,
        "KeyState": PENDING_DELETION,
        "PendingWindowInDays": days,
    }


@operation("CancelKeyDeletion")
def cancel_key_deletion(kms: Kms, req: Request) -> dict[str, Any]:
    """API_CancelKeyDeletion: the key comes back Disabled (PendingImport if its imported material is gone)."""
    key = kms.use_key(req)
    key.state = DISABLED if key.origin != "EXTERNAL" or key.fully_imported else PENDING_IMPORT
    key.deletion_date = None
    key.deletion_scheduled_at = None
    key.pending_window_days = None
    return {"KeyId": key.arn}


@operation("UpdateKeyDescription")
def update_key_description(kms: Kms, req: Request) -> dict[str, Any]:
    """API_UpdateKeyDescription."""
    kms.use_key(req).description = req.params["Description"]
    return {}


# ---------------------------------------------------------------------------------------------- tags


def validated_tags(tag_list: Iterable[Mapping[str, str]], existing: Mapping[str, str]) -> dict[str, str]:
    """The key's tags after adding ``tag_list`` (API_TagResource: no duplicates, no ``aws:`` prefix, at most 50)."""
    new: dict[str, str] = {}
    for tag in tag_list:
        k, v = tag["TagKey"], tag["TagValue"]
        if k in new:
            raise TagException("Duplicate tag keys")
        if k.lower().startswith("aws:"):
            raise TagException("Tags beginning with aws: are reserved")
        new[k] = v
    merged = {**existing, **new}
    if len(merged) > TAGS_PER_KEY:
        raise TagException("Too many tags")
    return merged


@operation("TagResource")
def tag_resource(kms: Kms, req: Request) -> dict[str, Any]:
    """API_TagResource."""
    key = kms.use_key(req)
    key.tags = validated_tags(req.params["Tags"], key.tags)
    return {}


@operation("UntagResource")
def untag_resource(kms: Kms, req: Request) -> dict[str, Any]:
    """API_UntagResource."""
    key = kms.use_key(req)
    for k in req.params["TagKeys"]:
        key.tags.pop(k, None)
    return {}


@operation("ListResourceTags")
def list_resource_tags(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListResourceTags."""
    key = kms.use_key(req)
    chunk, more = page([{"TagKey": k, "TagValue": v} for k, v in key.tags.items()], req.params, 50)
    return {"Tags": chunk, **more}
