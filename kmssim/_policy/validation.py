"""What CreateKey / PutKeyPolicy check before storing a key policy.

Sources: the KMS API Reference for PutKeyPolicy and CreateKey (``Policy``, ``BypassPolicyLockoutSafetyCheck``,
as in botocore's model), https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html,
https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (32 KB) and
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (keys not allowed in key policies,
OverlyPermissiveCondition).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from kmssim import choices
from kmssim._errors import (
    LimitExceededException,
    MalformedPolicyDocumentException,
)
from kmssim._ids import key_arn
from kmssim._policy.document import CompiledPolicy, parse_policy
from kmssim._policy.evaluate import evaluate
from kmssim._policy.principals import parse_caller
from kmssim._validation import constraint_failure, validation_message

__all__ = [
    "INVALID_PRINCIPALS_MESSAGE",
    "KEY_POLICY_MAX_BYTES",
    "LOCKOUT_MESSAGE",
    "NOT_PERMITTED_CONDITION_KEYS_MESSAGE",
    "ensure_lockout_safe",
    "lockout_check_passes",
    "validate_key_policy",
]

#: Key policy size quota, 32 KB, not adjustable; exceeding it is a LimitExceededException (PutKeyPolicy API
#: reference). The model's ``max`` of 131072 characters is looser; the quota is the binding rule.
KEY_POLICY_MAX_BYTES = 32_768

#: The ``PolicyType`` pattern: tab, LF, CR and U+0020-U+00FF.
_POLICY_CHARACTERS = re.compile(r"[\t\n\r\x20-\xff]+\Z")
#: The ``PolicyType`` pattern as KMS's message shows it.
_PATTERN = r"[\u0009\u000A\u000D\u0020-\u00FF]+"

INVALID_PRINCIPALS_MESSAGE = "Policy contains a statement with one or more invalid principals."
LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
#: Observed wording (AWS event quoted in awsdocs/aws-kms-developer-guide PR #47).
NOT_PERMITTED_CONDITION_KEYS_MESSAGE = (
    "These condition keys are not permitted in a key policy: "
    "aws:ResourceTag, kms:ResourceTag, kms:ResourceAliases"
)
_NOT_PERMITTED_PREFIXES = ("aws:resourcetag/", "kms:resourcetag")
_NOT_PERMITTED_KEYS = frozenset({"aws:resourcetag", "kms:resourcealiases"})

#: ForAllValues with a single-valued key that KMS rejects
#: (conditions-kms.html#conditions-kms-encryption-context).
_OVERLY_PERMISSIVE_PREFIXES = ("kms:encryptioncontext:", "aws:requesttag/")


def _malformed(message: str) -> MalformedPolicyDocumentException:
    return MalformedPolicyDocumentException(message)


def validate_key_policy(
    policy: str, *, account_id: str, principal_exists: Callable[[str], bool] | None = None
) -> None:
    """Raise what CreateKey/PutKeyPolicy raise for ``policy``; return None when it would be accepted.

    Checks, in order: the character pattern, the 32 KB quota, JSON and grammar, principals (valid, and known
    to ``principal_exists`` for IAM user/role ARNs), keys not permitted in key policies, and ForAllValues with
    a single-valued encryption-context or request-tag key. Statements without Action or Resource are accepted
    (they have no effect). ``account_id`` is the key's account.
    """
    if not isinstance(policy, str):
        raise _malformed("The key policy must be a JSON string.")
    if not _POLICY_CHARACTERS.match(policy):
        raise choices.INVALID_CHARACTERS_EXCEPTION(
            validation_message(
                [
                    constraint_failure(
                        "Value", "policy", "Member must satisfy regular expression pattern: " + _PATTERN
                    )
                ]
            )
        )
    size = len(policy.encode("utf-8"))
    if size > KEY_POLICY_MAX_BYTES:
        raise LimitExceededException(
            f"The key policy is {size} bytes; the key policy document quota is {KEY_POLICY_MAX_BYTES} bytes."
        )
    compiled = parse_policy(policy, "key")
    check_key_policy_rules(compiled, account_id=account_id, principal_exists=principal_exists)


def check_key_policy_rules(
    compiled: CompiledPolicy, *, account_id: str, principal_exists: Callable[[str], bool] | None = None
) -> None:
    """The key-policy-specific rules, on an already parsed policy."""
    sids: set[str] = set()
    for st in compiled.statements:
        if st.sid is not None and choices.REJECT_DUPLICATE_SIDS:
            if st.sid in sids:
                raise _malformed(f"Statement IDs (SID) in a single policy must be unique: {st.sid!r}.")
            sids.add(st.sid)
        if not st.has_principal:
            raise _malformed("Each statement in the key policy must contain one or more principals.")
        raw_principal = st.raw.get("NotPrincipal" if st.principal_negated else "Principal")
        if isinstance(raw_principal, Mapping) and any(
            t not in choices.KEY_POLICY_PRINCIPAL_TYPES for t in raw_principal
        ):
            raise _malformed(INVALID_PRINCIPALS_MESSAGE)
        if st.principal_invalid:
            raise _malformed(INVALID_PRINCIPALS_MESSAGE)
        if principal_exists is not None:
            for arn in sorted(st.principal_arns):
                if parse_caller(arn).kind in ("user", "role") and not principal_exists(arn):
                    raise _malformed(INVALID_PRINCIPALS_MESSAGE)
        if st.principal_negated and st.allow and choices.REJECT_ALLOW_WITH_NOT_PRINCIPAL:
            raise _malformed('NotPrincipal can only be used with "Effect": "Deny".')
        for c in st.conditions:
            key = c.key_lower
            if key in _NOT_PERMITTED_KEYS or key.startswith(_NOT_PERMITTED_PREFIXES):
                raise _malformed(NOT_PERMITTED_CONDITION_KEYS_MESSAGE)
            if c.set_mode == "ForAllValues" and key.startswith(_OVERLY_PERMISSIVE_PREFIXES):
                raise _malformed(
                    "OverlyPermissiveCondition: ForAllValues on the single-valued condition key "
                    f"{c.key} also matches requests that do not have it; use a plain operator instead."
                )


def _default_resource(principal: str, context: Mapping[str, object] | None) -> str:
    account = parse_caller(principal).account or "000000000000"
    region = "us-east-1"
    if context:
        for k, v in context.items():
            if isinstance(k, str) and k.lower() == "aws:requestedregion" and isinstance(v, str):
                region = v
    return key_arn(region, account, "00000000-0000-0000-0000-000000000000")


def lockout_check_passes(
    policy: str,
    *,
    principal: str,
    identity_policies: Sequence[str | Mapping[str, object]],
    context: Mapping[str, object],
    resource: str | None = None,
) -> bool:
    """Whether ``policy`` would let ``principal`` call kms:PutKeyPolicy on the key afterwards.

    The check is an evaluation of the *new* policy plus the caller's IAM policies (which count only if the new
    policy enables them through an account-principal statement). ``resource`` is the key ARN; when omitted, a
    key in the principal's account is assumed (CreateKey checks a key that has no ARN yet).
    """
    decision = evaluate(
        key_policy=policy,
        identity_policies=identity_policies,
        principal=principal,
        action="kms:PutKeyPolicy",
        resource=resource or _default_resource(principal, context),
        context=context,
    )
    return decision.allowed


def ensure_lockout_safe(
    policy: str,
    *,
    principal: str,
    identity_policies: Sequence[str | Mapping[str, object]],
    context: Mapping[str, object],
    resource: str | None = None,
) -> None:
    """Raise MalformedPolicyDocumentException with AWS's message when the lockout safety check fails."""
    if not lockout_check_passes(
        policy, principal=principal, identity_policies=identity_policies, context=context, resource=resource
    ):
        raise _malformed(LOCKOUT_MESSAGE)
