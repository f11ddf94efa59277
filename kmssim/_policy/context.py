"""Build the request context (condition keys) KMS derives for an API call.

Sources: KMS condition keys https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html, global
keys https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html, and the
per-action key lists of the Service Authorization Reference for KMS
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from kmssim import choices
from kmssim._ids import request_alias
from kmssim._policy.actions import (
    ENCRYPTION_CONTEXT_ACTIONS,
    GRANT_CONSTRAINED_OPERATIONS,
    IAM_ONLY_ACTION_SET,
    KEY_ACTION_SET,
    REQUEST_ALIAS_ACTIONS,
    canonical_action,
)
from kmssim._policy.patterns import format_aws_time
from kmssim._policy.principals import parse_caller, principal_condition_keys

__all__ = [
    "build_request_context",
]

# kms:CallerAccount and kms:ViaService exist for every key-resource action, CreateKey, and (CallerAccount
# only) the custom key store actions; not for ListKeys, ListAliases, ListRetirableGrants or GenerateRandom
# (SAR).
_CALLER_ACCOUNT_ACTIONS = (KEY_ACTION_SET | IAM_ONLY_ACTION_SET) - {
    "kms:ListKeys",
    "kms:ListAliases",
    "kms:ListRetirableGrants",
    "kms:GenerateRandom",
    "kms:SynchronizeMultiRegionKey",
}
# Actions that take an encryption algorithm: exactly those that take an encryption context.
_ENCRYPTION_ALGORITHM_ACTIONS = frozenset("kms:" + op for op in GRANT_CONSTRAINED_OPERATIONS)
_GRANT_FOR_AWS_RESOURCE_ACTIONS = frozenset({"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"})


def _tags(value: object) -> dict[str, str]:
    """CreateKey/TagResource ``Tags``: a list of {"TagKey", "TagValue"}."""
    out: dict[str, str] = {}
    if isinstance(value, list | tuple):
        for t in value:
            if isinstance(t, Mapping) and isinstance(t.get("TagKey"), str):
                v = t.get("TagValue", "")
                out[str(t["TagKey"])] = v if isinstance(v, str) else str(v)
    return out


#: Condition keys copied straight from one request parameter, by action.
_SIMPLE_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "kms:Sign": (("kms:SigningAlgorithm", "SigningAlgorithm"), ("kms:MessageType", "MessageType")),
    "kms:Verify": (("kms:SigningAlgorithm", "SigningAlgorithm"), ("kms:MessageType", "MessageType")),
    "kms:GenerateMac": (("kms:MacAlgorithm", "MacAlgorithm"),),
    "kms:VerifyMac": (("kms:MacAlgorithm", "MacAlgorithm"),),
    "kms:DeriveSharedSecret": (("kms:KeyAgreementAlgorithm", "KeyAgreementAlgorithm"),),
    "kms:GenerateDataKeyPair": (("kms:DataKeyPairSpec", "KeyPairSpec"),),
    "kms:GenerateDataKeyPairWithoutPlaintext": (("kms:DataKeyPairSpec", "KeyPairSpec"),),
    "kms:GetParametersForImport": (
        ("kms:WrappingAlgorithm", "WrappingAlgorithm"),
        ("kms:WrappingKeySpec", "WrappingKeySpec"),
    ),
    "kms:ImportKeyMaterial": (("kms:ExpirationModel", "ExpirationModel"), ("kms:ValidTo", "ValidTo")),
    "kms:ReplicateKey": (("kms:ReplicaRegion", "ReplicaRegion"),),
    "kms:UpdatePrimaryRegion": (("kms:PrimaryRegion", "PrimaryRegion"),),
    "kms:EnableKeyRotation": (("kms:RotationPeriodInDays", "RotationPeriodInDays"),),
    "kms:ScheduleKeyDeletion": (("kms:ScheduleKeyDeletionPendingWindowInDays", "PendingWindowInDays"),),
}


#: The parameter naming the key whose alias is ``kms:RequestAlias`` (``KeyId`` for the other actions).
_KEY_ID_PARAMETER = {"kms:ReEncryptFrom": "SourceKeyId", "kms:ReEncryptTo": "DestinationKeyId"}
#: Condition keys copied from the target key's string facts ("work even when the parameter doesn't appear").
_KEY_FACTS = (
    ("kms:KeySpec", "key_spec"),
    ("kms:KeyUsage", "key_usage"),
    ("kms:KeyOrigin", "origin"),
    ("kms:MultiRegionKeyType", "multi_region_key_type"),
)
#: CreateGrant's principal parameters, copied when they are strings.
_GRANT_PRINCIPAL_PARAMETERS = (
    ("kms:GranteePrincipal", "GranteePrincipal"),
    ("kms:RetiringPrincipal", "RetiringPrincipal"),
    ("kms:GranteeServicePrincipal", "GranteeServicePrincipal"),
    ("kms:RetiringServicePrincipal", "RetiringServicePrincipal"),
)


def build_request_context(
    *,
    operation: str,
    principal_arn: str,
    principal_tags: Mapping[str, str] = {},
    key: Mapping[str, object] | None,
    request: Mapping[str, object],
    now: datetime,
    global_context: Mapping[str, object] = {},
) -> dict[str, object]:
    """The condition keys KMS puts in the request context of one call.

    ``operation`` is an API operation name (``Encrypt``) or permission (``kms:ReEncryptTo``); for
    ``ReEncrypt`` call it once per permission (``ReEncryptFrom`` with the source key, ``ReEncryptTo`` with the
    destination key). ``key`` describes the target key ("arn", "account", "region", "key_spec", "key_usage",
    "origin", "multi_region", "tags", "aliases", optionally "multi_region_key_type"). ``global_context``
    values (for example ``kms:ViaService``, ``aws:SourceIp``, ``kms:GrantIsForAWSResource``) are added last
    and override.
    """
    if not isinstance(operation, str) or not isinstance(principal_arn, str):
        raise TypeError("operation and principal_arn must be strings")
    if not isinstance(now, datetime):
        raise TypeError("now must be a datetime")
    op = operation[4:] if operation.lower().startswith("kms:") else operation
    if op.lower() == "reencrypt":
        op = "ReEncryptFrom"
    action = canonical_action("kms:" + op)
    caller = parse_caller(principal_arn)
    req: Mapping[str, object] = request if isinstance(request, Mapping) else {}
    key = key if isinstance(key, Mapping) else None
    # Global keys about the principal and the request.
    ctx: dict[str, object] = dict(principal_condition_keys(principal_arn))
    for tag_key, tag_value in principal_tags.items() if isinstance(principal_tags, Mapping) else ():
        ctx[f"aws:PrincipalTag/{tag_key}"] = tag_value
    ctx["aws:SecureTransport"] = True
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    ctx["aws:CurrentTime"] = format_aws_time(moment)
    ctx["aws:EpochTime"] = int(moment.timestamp())
    region = key.get("region") if key else None
    if isinstance(region, str):
        ctx["aws:RequestedRegion"] = region

    if action in _CALLER_ACCOUNT_ACTIONS and caller.account:
        ctx["kms:CallerAccount"] = caller.account

    # Properties of the target key ("work even when the parameter doesn't appear in the request").
    if key is not None and action in KEY_ACTION_SET:
        for ctx_key, field_name in _KEY_FACTS:
            v = key.get(field_name)
            if isinstance(v, str):
                ctx[ctx_key] = v
        mr = key.get("multi_region")
        if isinstance(mr, bool):
            ctx["kms:MultiRegion"] = mr
        aliases = key.get("aliases")
        if isinstance(aliases, list | tuple) and aliases:
            ctx["kms:ResourceAliases"] = [str(a) for a in aliases]
        tags = key.get("tags")
        if isinstance(tags, Mapping):
            for tk, tv in tags.items():
                ctx[f"aws:ResourceTag/{tk}"] = tv

    if action == "kms:CreateKey":
        spec = req.get("KeySpec") or req.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        ctx["kms:KeySpec"] = spec
        ctx["kms:KeyUsage"] = req.get("KeyUsage") or "ENCRYPT_DECRYPT"
        ctx["kms:KeyOrigin"] = req.get("Origin") or "AWS_KMS"
        multi = bool(req.get("MultiRegion", False))
        ctx["kms:MultiRegion"] = multi
        if multi:
            ctx["kms:MultiRegionKeyType"] = "PRIMARY"
    if action in ("kms:CreateKey", "kms:PutKeyPolicy", "kms:ReplicateKey"):
        ctx["kms:BypassPolicyLockoutSafetyCheck"] = bool(req.get("BypassPolicyLockoutSafetyCheck", False))

    # Tags in the request.
    if action in ("kms:CreateKey", "kms:TagResource", "kms:ReplicateKey"):
        request_tags = _tags(req.get("Tags"))
        for tk, tv in request_tags.items():
            ctx[f"aws:RequestTag/{tk}"] = tv
        if request_tags:
            ctx["aws:TagKeys"] = list(request_tags)
    if action == "kms:UntagResource":
        keys = req.get("TagKeys")
        if isinstance(keys, list | tuple) and keys:
            ctx["aws:TagKeys"] = [str(k) for k in keys]

    # Encryption context.
    if action in ENCRYPTION_CONTEXT_ACTIONS:
        if action == "kms:ReEncryptFrom":
            ec = req.get("SourceEncryptionContext")
        elif action == "kms:ReEncryptTo":
            ec = req.get("DestinationEncryptionContext")
        elif action == "kms:CreateGrant":
            constraints = req.get("Constraints")
            ec = None
            if isinstance(constraints, Mapping):
                ec = constraints.get("EncryptionContextEquals") or constraints.get("EncryptionContextSubset")
        else:
            ec = req.get("EncryptionContext")
        if isinstance(ec, Mapping) and ec:
            for ek, ev in ec.items():
                ctx[f"kms:EncryptionContext:{ek}"] = ev if isinstance(ev, str) else str(ev)
            ctx["kms:EncryptionContextKeys"] = list(map(str, ec))

    if action in _ENCRYPTION_ALGORITHM_ACTIONS:
        if action == "kms:ReEncryptFrom":
            alg = req.get("SourceEncryptionAlgorithm")
        elif action == "kms:ReEncryptTo":
            alg = req.get("DestinationEncryptionAlgorithm")
        else:
            alg = req.get("EncryptionAlgorithm")
        # The key "works for the default value too": SYMMETRIC_DEFAULT when the parameter is omitted.
        ctx["kms:EncryptionAlgorithm"] = alg if isinstance(alg, str) else "SYMMETRIC_DEFAULT"
    if action in ("kms:ReEncryptFrom", "kms:ReEncryptTo"):
        src, dst = req.get("SourceKeyId"), req.get("DestinationKeyId")
        key_arn = key.get("arn") if key else None
        same: bool | None = None
        if isinstance(src, str) and isinstance(dst, str):
            same = src == dst
        elif isinstance(dst, str) and isinstance(key_arn, str) and action == "kms:ReEncryptFrom":
            same = dst == key_arn or key_arn.endswith("/" + dst)
        if same is not None:
            ctx["kms:ReEncryptOnSameKey"] = same

    if action in REQUEST_ALIAS_ACTIONS:
        key_id = req.get(_KEY_ID_PARAMETER.get(action, "KeyId"))
        alias = request_alias(key_id) if isinstance(key_id, str) else None
        if alias is not None:
            ctx["kms:RequestAlias"] = alias

    for ctx_key, param in _SIMPLE_PARAMETERS.get(action, ()):
        value = req.get(param)
        if isinstance(value, datetime):  # ImportKeyMaterial's ValidTo given as a datetime (Simulator.call)
            value = format_aws_time(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
        if value is not None:
            ctx[ctx_key] = value
    if action in ("kms:Sign", "kms:Verify") and "kms:MessageType" not in ctx:
        ctx["kms:MessageType"] = "RAW"  # MessageType defaults to RAW
    window_key = "kms:ScheduleKeyDeletionPendingWindowInDays"
    if (
        action == "kms:ScheduleKeyDeletion"
        and window_key not in ctx
        and choices.SCHEDULE_DELETION_WINDOW_WHEN_OMITTED
    ):
        ctx[window_key] = choices.SCHEDULE_DELETION_WINDOW_WHEN_OMITTED
    if (
        action == "kms:EnableKeyRotation"
        and "kms:RotationPeriodInDays" not in ctx
        and choices.ROTATION_PERIOD_WHEN_OMITTED
    ):
        ctx["kms:RotationPeriodInDays"] = choices.ROTATION_PERIOD_WHEN_OMITTED

    # Grants.
    if action == "kms:CreateGrant":
        ops = req.get("Operations")
        if isinstance(ops, list | tuple) and ops:
            ctx["kms:GrantOperations"] = [str(o) for o in ops]
        for ctx_key, param in _GRANT_PRINCIPAL_PARAMETERS:
            value = req.get(param)
            if isinstance(value, str):
                ctx[ctx_key] = value
        constraints = req.get("Constraints")
        if isinstance(constraints, Mapping):
            if constraints.get("EncryptionContextEquals") is not None:
                ctx["kms:GrantConstraintType"] = "EncryptionContextEquals"
            elif constraints.get("EncryptionContextSubset") is not None:
                ctx["kms:GrantConstraintType"] = "EncryptionContextSubset"
            if isinstance(constraints.get("SourceArn"), str):
                ctx["kms:GrantConstraintSourceArn"] = constraints["SourceArn"]

    # Caller-supplied global context overrides; aws:ViaAWSService follows kms:ViaService.
    existing = dict(zip(map(str.lower, ctx), ctx, strict=True))  # no comprehension: every request runs this
    for gk, gv in global_context.items() if isinstance(global_context, Mapping) else ():
        if not isinstance(gk, str):
            continue
        old = existing.get(gk.lower())
        if old is not None and old != gk:
            del ctx[old]
        ctx[gk] = gv
        existing[gk.lower()] = gk
    if "aws:viaawsservice" not in existing:
        ctx["aws:ViaAWSService"] = "kms:viaservice" in existing
    if action in _GRANT_FOR_AWS_RESOURCE_ACTIONS and "kms:grantisforawsresource" not in existing:
        # True when an integrated AWS service makes the grant call on the caller's behalf (conditions-kms.html).
        ctx["kms:GrantIsForAWSResource"] = "kms:viaservice" in existing
    return ctx
