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
from kmssim._catalog import CONDITION_KEYS
from kmssim._ids import request_alias
from kmssim._policy.actions import canonical_action
from kmssim._policy.patterns import format_aws_time
from kmssim._policy.principals import parse_caller, principal_condition_keys

__all__ = [
    "build_request_context",
    "retired_grant_context",
]


def _applies(name: str) -> frozenset[str]:
    """The actions whose request context holds condition key ``name`` (the catalog's table, from the SAR)."""
    return CONDITION_KEYS[name].supplied_actions


_CALLER_ACCOUNT_ACTIONS = _applies("kms:CallerAccount")
_ENCRYPTION_ALGORITHM_ACTIONS = _applies("kms:EncryptionAlgorithm")
_ENCRYPTION_CONTEXT_ACTIONS = _applies("kms:EncryptionContextKeys")
_GRANT_FOR_AWS_RESOURCE_ACTIONS = _applies("kms:GrantIsForAWSResource")
_KEY_PROPERTY_ACTIONS = _applies("kms:ResourceAliases")  # every action on a key resource
_BYPASS_ACTIONS = _applies("kms:BypassPolicyLockoutSafetyCheck")
_REQUEST_TAG_ACTIONS = _applies("aws:RequestTag/${TagKey}")
_REQUEST_ALIAS_ACTIONS = _applies("kms:RequestAlias")
_REENCRYPT_ACTIONS = _applies("kms:ReEncryptOnSameKey")
_TRAILING_DAYS_ACTIONS = _applies("kms:TrailingDaysWithoutKeyUsage")
_DAY_SECONDS = 86400


def _tags(value: object) -> dict[str, str]:
    """CreateKey/TagResource ``Tags``: a list of {"TagKey", "TagValue"}."""
    out: dict[str, str] = {}
    if isinstance(value, list | tuple):
        for t in value:
            if isinstance(t, Mapping) and isinstance(t.get("TagKey"), str):
                v = t.get("TagValue", "")
                out[str(t["TagKey"])] = v if isinstance(v, str) else str(v)
    return out


#: Condition keys copied straight from one request parameter, by action (the catalog's ``parameter`` column;
#: CreateGrant's principals are copied below, only when they are strings).
_SIMPLE_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {}
for _key in CONDITION_KEYS.values():
    if _key.source == "request" and _key.parameter is not None and "kms:CreateGrant" not in _key.actions:
        for _action in sorted(_key.supplied_actions):
            _SIMPLE_PARAMETERS[_action] = (*_SIMPLE_PARAMETERS.get(_action, ()), (_key.name, _key.parameter))
del _key


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
_GRANT_PRINCIPAL_PARAMETERS = tuple(
    (k.name, k.parameter)
    for k in CONDITION_KEYS.values()
    if k.parameter is not None and k.name.endswith("Principal") and "kms:CreateGrant" in k.actions
)


def _constraint_context(constraints: object) -> Mapping[str, object] | None:
    """The encryption context a grant's constraints hold (EncryptionContextEquals, else ...Subset)."""
    if not isinstance(constraints, Mapping):
        return None
    ec = constraints.get("EncryptionContextEquals") or constraints.get("EncryptionContextSubset")
    return ec if isinstance(ec, Mapping) else None


def _constraint_type(constraints: object) -> str | None:
    if isinstance(constraints, Mapping):
        for kind in ("EncryptionContextEquals", "EncryptionContextSubset"):
            if constraints.get(kind) is not None:
                return kind
    return None


def _put_encryption_context(ctx: dict[str, object], ec: object) -> None:
    if isinstance(ec, Mapping) and ec:
        for ek, ev in ec.items():
            ctx[f"kms:EncryptionContext:{ek}"] = ev if isinstance(ev, str) else str(ev)
        ctx["kms:EncryptionContextKeys"] = list(map(str, ec))


def retired_grant_context(constraints: object) -> dict[str, object]:
    """The condition keys RetireGrant takes from the grant it retires: ``kms:EncryptionContext:*``,
    ``kms:EncryptionContextKeys`` and ``kms:GrantConstraintType`` of its constraints (the SAR lists them for
    RetireGrant, whose request has no encryption context of its own; the grant's is the one there is)."""
    ctx: dict[str, object] = {}
    _put_encryption_context(ctx, _constraint_context(constraints))
    kind = _constraint_type(constraints)
    if kind is not None:
        ctx["kms:GrantConstraintType"] = kind
    return ctx


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
    "origin", "multi_region", "tags", "aliases", optionally "multi_region_key_type" and "unused_since", the
    time from which ``kms:TrailingDaysWithoutKeyUsage`` counts). Which actions get which condition key is
    ``kmssim._catalog.CONDITION_KEYS``. ``global_context``
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
    if key is not None and action in _KEY_PROPERTY_ACTIONS:
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
    if action in _BYPASS_ACTIONS:
        ctx["kms:BypassPolicyLockoutSafetyCheck"] = bool(req.get("BypassPolicyLockoutSafetyCheck", False))

    # Tags in the request.
    if action in _REQUEST_TAG_ACTIONS:
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
    if action in _ENCRYPTION_CONTEXT_ACTIONS:
        if action == "kms:ReEncryptFrom":
            ec = req.get("SourceEncryptionContext")
        elif action == "kms:ReEncryptTo":
            ec = req.get("DestinationEncryptionContext")
        elif action == "kms:CreateGrant":
            ec = _constraint_context(req.get("Constraints"))
        else:
            ec = req.get("EncryptionContext")
        _put_encryption_context(ctx, ec)

    if action in _ENCRYPTION_ALGORITHM_ACTIONS:
        if action == "kms:ReEncryptFrom":
            alg = req.get("SourceEncryptionAlgorithm")
        elif action == "kms:ReEncryptTo":
            alg = req.get("DestinationEncryptionAlgorithm")
        else:
            alg = req.get("EncryptionAlgorithm")
        # The key "works for the default value too": SYMMETRIC_DEFAULT when the parameter is omitted.
        ctx["kms:EncryptionAlgorithm"] = alg if isinstance(alg, str) else "SYMMETRIC_DEFAULT"
    if action in _REENCRYPT_ACTIONS:
        src, dst = req.get("SourceKeyId"), req.get("DestinationKeyId")
        key_arn = key.get("arn") if key else None
        same: bool | None = None
        if isinstance(src, str) and isinstance(dst, str):
            same = src == dst
        elif isinstance(dst, str) and isinstance(key_arn, str) and action == "kms:ReEncryptFrom":
            same = dst == key_arn or key_arn.endswith("/" + dst)
        if same is not None:
            ctx["kms:ReEncryptOnSameKey"] = same

    if action in _REQUEST_ALIAS_ACTIONS:
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

    if action in _TRAILING_DAYS_ACTIONS and key is not None:
        unused_since = key.get("unused_since")
        if isinstance(unused_since, datetime):
            since = unused_since if unused_since.tzinfo is not None else unused_since.replace(tzinfo=UTC)
            seconds = (moment - since).total_seconds()
            ctx["kms:TrailingDaysWithoutKeyUsage"] = max(0, int(seconds // _DAY_SECONDS))

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
        kind = _constraint_type(constraints)
        if kind is not None:
            ctx["kms:GrantConstraintType"] = kind
        if isinstance(constraints, Mapping) and isinstance(constraints.get("SourceArn"), str):
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
