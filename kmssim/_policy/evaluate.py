"""The permission decision for one KMS request: key policy, IAM identity policies and grants.

Order (https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

1. An explicit ``Deny`` in the key policy or in any of the caller's IAM policies wins.
2. Across accounts only some operations can be allowed at all
   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
3. The key policy is required and primary: a statement that names the caller allows on its own (same account);
   a statement that names the caller's *account* lets the caller's IAM policies allow
   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). Across accounts both the
   key policy and the caller's IAM policy must allow. The root user has no implicit access to a key, but its
   own IAM side is implicitly allowed, so an account-principal statement covers it.
4. A grant allows on its own, never denies
(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from kmssim import choices
from kmssim._ids import arn_account
from kmssim._policy.actions import (
    CROSS_ACCOUNT_ACTIONS,
    GRANT_CONSTRAINED_OPERATIONS,
    GRANT_OPERATIONS,
    IAM_ONLY_ACTION_SET,
    canonical_action,
    require_kms_action,
)
from kmssim._policy.decision import DecidingStatement, Decision, NearMiss, PolicyType
from kmssim._policy.document import (
    ACCOUNT,
    DIRECT,
    NONE,
    CompiledPolicy,
    CompiledStatement,
    context_value_text,
    parse_policy,
)
from kmssim._policy.principals import (
    CallerPrincipal,
    classify_principal_value,
    parse_caller,
    principal_condition_keys,
)

__all__ = [
    "PolicyInput",
    "evaluate",
]

PolicyInput = str | Mapping[str, object] | CompiledPolicy

_EC_PREFIX = "kms:encryptioncontext:"


@lru_cache(maxsize=4096)
def _principal_defaults(principal: str) -> tuple[tuple[str, object], ...]:
    """Context keys every signed request from this principal carries (lower-cased names)."""
    return tuple((k.lower(), v) for k, v in principal_condition_keys(principal))


def _request_context(
    context: Mapping[str, object] | None, caller: CallerPrincipal, resource: str
) -> dict[str, object]:
    ctx: dict[str, object] = dict(_principal_defaults(caller.text))
    if caller.account and resource != "*":
        ctx["kms:calleraccount"] = caller.account
    if context:
        try:  # no comprehension: every request runs this
            lowered = dict(zip(map(str.lower, context), context.values(), strict=True))
        except TypeError:  # a non-string key: keep the string ones
            lowered = {k.lower(): v for k, v in context.items() if isinstance(k, str)}
        ctx.update(lowered)
    return ctx


def _ref(policy: str, st: CompiledStatement, why: str) -> DecidingStatement:
    return DecidingStatement(policy, st.index, st.sid, st.effect, why, st.raw)


def _applies_to_caller_for_deny(st: CompiledStatement, caller: CallerPrincipal) -> bool:
    if not st.has_principal:
        return False  # a key-policy statement without a principal never matches
    if st.principal_negated:
        return st.not_principal_applies(caller)
    return st.principal_level(caller) != NONE


def _first_identity_allow(
    policies: Sequence[CompiledPolicy], action_lower: str, resource: str, ctx: Mapping[str, object]
) -> tuple[int, CompiledStatement] | None:
    for i, pol in enumerate(policies):
        for st in pol.for_action(action_lower)[1]:
            if st.matches_resource(resource, ctx) and st.conditions_hold(ctx):
                return i, st
    return None


def _identity_allow(
    policies: Sequence[CompiledPolicy],
    action_lower: str,
    resource: str,
    ctx: Mapping[str, object],
    principal: str,
    action: str,
    why: str,
    summary: str,
) -> Decision | None:
    """The Allow an IAM policy gives on its own (no key policy in play), or None when none does."""
    found = _first_identity_allow(policies, action_lower, resource, ctx)
    if found is None:
        return None
    i, st = found
    return Decision(
        "Allow",
        principal,
        action,
        resource,
        (_ref(f"identity policy {i}", st, why),),
        "identity-policy",
        None,
        summary,
    )


# -- grants --------------------------------------------------------------------------------


def _grantee_level(grant: Mapping[str, object], caller: CallerPrincipal) -> int:
    service = grant.get("GranteeServicePrincipal")
    if isinstance(service, str) and caller.kind == "service":
        return DIRECT if service.lower() == caller.name else NONE
    grantee = grant.get("GranteePrincipal")
    if not isinstance(grantee, str) or caller.kind == "service":
        return NONE
    if grantee == caller.text:
        return DIRECT
    for entry in classify_principal_value("AWS", grantee):
        if entry[0] == "arn" and entry[1] == caller.text:
            return DIRECT
        if (
            entry[0] == "role"
            and caller.kind == "assumed-role"
            and (entry[1], entry[2])
            == (
                caller.account,
                caller.name,
            )
        ):
            return DIRECT
        if entry[0] == "account" and entry[1] == caller.account:
            return DIRECT if caller.kind == "root" or not choices.GRANT_TO_ACCOUNT_NEEDS_IAM else ACCOUNT
    return NONE


def _grant_operations(grant: Mapping[str, object]) -> frozenset[str]:
    ops = grant.get("Operations")
    if isinstance(ops, list | tuple):
        return frozenset(o for o in ops if isinstance(o, str))
    return frozenset()


def _request_encryption_context(ctx: Mapping[str, object]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for k, v in ctx.items():
        if k.startswith(_EC_PREFIX):
            out[k[len(_EC_PREFIX) :]] = v if isinstance(v, str) else context_value_text(v)
    return out


def _lower_pairs(value: object) -> dict[str, object] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(k).lower(): v for k, v in value.items()}


def _grant_constraint_failure(grant: Mapping[str, object], op: str, ctx: Mapping[str, object]) -> str | None:
    """Why the grant's constraints reject this request (None when they hold).

    Encryption-context constraints compare keys case-insensitively and values case-sensitively, and apply only
    to operations that take an encryption context (botocore ``GrantConstraints``).
    """
    constraints = grant.get("Constraints")
    if isinstance(constraints, Mapping):
        source_arn = constraints.get("SourceArn")
        if isinstance(source_arn, str) and op != "RetireGrant" and ctx.get("aws:sourcearn") != source_arn:
            return f"the request is not made on behalf of {source_arn} (SourceArn constraint)"
        equals = _lower_pairs(constraints.get("EncryptionContextEquals"))
        subset = _lower_pairs(constraints.get("EncryptionContextSubset"))
        if op in GRANT_CONSTRAINED_OPERATIONS:
            request = _request_encryption_context(ctx)
            if equals is not None and request != equals:
                return f"the encryption context {request} does not equal {equals} (EncryptionContextEquals)"
            if subset is not None and any(request.get(k, object()) != v for k, v in subset.items()):
                return f"the encryption context {request} does not include {subset} (EncryptionContextSubset)"
        if (
            op == "CreateGrant"
            and choices.ENFORCE_GRANT_DELEGATION_LIMITS
            and (equals is not None or subset is not None)
        ):
            child = _request_encryption_context(ctx)
            child_type = ctx.get("kms:grantconstrainttype")
            if equals is not None and (child_type != "EncryptionContextEquals" or child != equals):
                return "a grant with EncryptionContextEquals can only create grants with the same constraint"
            if subset is not None and (
                child_type is None or any(child.get(k, object()) != v for k, v in subset.items())
            ):
                return "a grant with EncryptionContextSubset can only create grants at least as strict"
    if op == "CreateGrant" and choices.ENFORCE_GRANT_DELEGATION_LIMITS:
        child_ops = ctx.get("kms:grantoperations")
        if isinstance(child_ops, list | tuple):
            granted = _grant_operations(grant)
            extra = sorted(str(o) for o in child_ops if not isinstance(o, str) or o not in granted)
            if extra:
                return "the new grant asks for operations this grant does not have: " + ", ".join(extra)
    return None


def _grant_op(action: str) -> str | None:
    canonical = canonical_action(action)
    if not canonical.startswith("kms:"):
        return None
    op = canonical[4:]
    return op if op in GRANT_OPERATIONS else None


def _matching_grant(
    grants: Sequence[object],
    caller: CallerPrincipal,
    op: str | None,
    ctx: Mapping[str, object],
    iam_allows: bool,
) -> Mapping[str, object] | None:
    if op is None:
        return None
    for grant in grants:
        if not isinstance(grant, Mapping) or op not in _grant_operations(grant):
            continue
        level = _grantee_level(grant, caller)
        if level == NONE or (level == ACCOUNT and not iam_allows):
            continue
        if _grant_constraint_failure(grant, op, ctx) is None:
            return grant
    return None


def _grant_ref(grant: Mapping[str, object], why: str) -> DecidingStatement:
    gid = grant.get("GrantId")
    name = grant.get("Name")
    return DecidingStatement(
        f"grant {gid}" if isinstance(gid, str) else "grant",
        None,
        name if isinstance(name, str) else None,
        "Allow",
        why,
        grant,
    )


# -- the decision --------------------------------------------------------------------------------


def _deny(
    effect: str,
    reason: str,
    policy_type: PolicyType,
    summary: str,
    caller_text: str,
    action: str,
    resource: str,
    deciding: tuple[DecidingStatement, ...],
    near: object = None,
) -> Decision:
    return Decision(
        effect="ExplicitDeny" if effect == "ExplicitDeny" else "ImplicitDeny",
        principal=caller_text,
        action=action,
        resource=resource,
        deciding=deciding,
        reason=reason,
        policy_type=policy_type,
        why=summary,
        _near=near if callable(near) else None,
    )


def evaluate(
    *,
    key_policy: str | Mapping[str, object] | None = None,
    identity_policies: Sequence[str | Mapping[str, object]] = (),
    grants: Sequence[Mapping[str, object]] = (),
    principal: str,
    action: str,
    resource: str,
    context: Mapping[str, object] | None = None,
) -> Decision:
    """Decide whether ``principal`` may perform ``action`` on ``resource``.

    ``key_policy`` is None for actions only IAM policies govern (``Resource: "*"`` actions such as ListKeys,
    or an alias resource). Policies are JSON text or mappings; malformed ones raise
    MalformedPolicyDocumentException. Condition-key names in ``context`` are case-insensitive; keys derived
    from the principal (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
    kms:CallerAccount) are filled in when absent. An ``action`` that is not a KMS permission (a typo, a
    wildcard, another service's action) raises :class:`UnknownActionError`, a ValueError.
    """
    if not isinstance(principal, str) or not isinstance(action, str) or not isinstance(resource, str):
        raise TypeError("principal, action and resource must be strings")
    if context is not None and type(context) is not dict and not isinstance(context, Mapping):
        raise TypeError("context must be a mapping of condition keys to values")
    if type(identity_policies) not in (list, tuple) and isinstance(identity_policies, str | Mapping):
        identity_policies = (identity_policies,)  # one policy passed on its own
    if type(grants) not in (list, tuple) and isinstance(grants, Mapping):
        grants = (grants,)
    action_c = require_kms_action(action)  # a typo such as kms:Encrpyt must not match "kms:*"
    caller = parse_caller(principal)
    action_lower = action_c.lower()
    ctx = _request_context(context, caller, resource)
    kp = parse_policy(key_policy, "key") if key_policy is not None else None
    if kp is not None and (action_c in IAM_ONLY_ACTION_SET or ":key/" not in resource):
        # A key policy governs only its key: IAM-only actions (CreateKey, ListKeys, ...) and alias resources
        # are decided by IAM policies alone (https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html).
        kp = None
    ips = [parse_policy(p, "identity") for p in identity_policies] if identity_policies else []
    res_account = arn_account(resource)

    # 1. Explicit deny anywhere wins.
    denies: list[DecidingStatement] = []
    kp_statements = kp.for_action(action_lower) if kp is not None else ((), ())
    if kp is not None:
        for st in kp_statements[0]:
            if (
                _applies_to_caller_for_deny(st, caller)
                and st.matches_resource(resource, ctx)
                and st.conditions_hold(ctx)
            ):
                denies.append(_ref("key policy", st, "Deny statement that matches the request"))
    first_identity_deny = len(denies)
    for i, pol in enumerate(ips):
        for st in pol.for_action(action_lower)[0]:
            if st.matches_resource(resource, ctx) and st.conditions_hold(ctx):
                denies.append(_ref(f"identity policy {i}", st, "Deny statement that matches the request"))
    if denies:
        ptype: PolicyType = "resource-based" if first_identity_deny > 0 else "identity-based"
        return _deny(
            "ExplicitDeny",
            "explicit-deny",
            ptype,
            "an explicit Deny applies, and a Deny overrides every Allow",
            caller.text,
            action_c,
            resource,
            tuple(denies),
        )

    def near() -> tuple[NearMiss, ...]:
        return _near_misses(kp, tuple(ips), tuple(grants), caller, action_lower, resource, ctx, res_account)

    # 2. No key policy: only IAM policies decide (CreateKey, ListKeys, GenerateRandom, alias resources...).
    if kp is None:
        if caller.account and res_account and caller.account != res_account:
            # Nothing in the other account (no resource policy) can let this principal in.
            return _deny(
                "ImplicitDeny",
                "cross-account-unsupported",
                "resource-based",
                f"{action_c} on a resource of account {res_account} cannot be allowed to a principal of account "
                f"{caller.account}",
                caller.text,
                action_c,
                resource,
                (),
            )
        why = "Allow statement that matches the request"
        summary = "an IAM policy of the caller allows it and no policy denies it"
        allowed = _identity_allow(ips, action_lower, resource, ctx, caller.text, action_c, why, summary)
        if allowed is not None:
            return allowed
        if caller.kind == "root" and (res_account is None or res_account == caller.account):
            return Decision(
                "Allow",
                caller.text,
                action_c,
                resource,
                (),
                "root-implicit",
                None,
                "the account root user is implicitly allowed by IAM in its own account",
            )
        return _deny(
            "ImplicitDeny",
            "no-identity-policy-allow",
            "identity-based",
            "no IAM policy of the caller allows it",
            caller.text,
            action_c,
            resource,
            (),
            near,
        )

    same_account = caller.account is None or res_account is None or caller.account == res_account
    if action_c == "kms:RetireGrant" and choices.RETIRE_GRANT_AUTHORIZED_BY_GRANT:
        return _retire_grant(ips, grants, caller, action_lower, resource, ctx, res_account, near)
    # 2b. Cross-account permission works only for some operations.
    if not same_account and action_c not in CROSS_ACCOUNT_ACTIONS:
        return _deny(
            "ImplicitDeny",
            "cross-account-unsupported",
            "resource-based",
            f"{action_c} cannot be allowed to a principal in another account (account {caller.account} "
            f"calling a key in account {res_account})",
            caller.text,
            action_c,
            resource,
            (),
        )

    # 3. Key policy allows (directly, or by enabling IAM policies for the caller's account).
    direct: CompiledStatement | None = None
    account_stmt: CompiledStatement | None = None
    for st in kp_statements[1]:
        level = st.principal_level(caller)
        if level == NONE or not st.matches_resource(resource, ctx) or not st.conditions_hold(ctx):
            continue
        if level == DIRECT:
            direct = st
            break
        if account_stmt is None:
            account_stmt = st
    if same_account and direct is not None:
        return Decision(
            "Allow",
            caller.text,
            action_c,
            resource,
            (
                _ref(
                    "key policy",
                    direct,
                    "names the account principal, which covers the account's root user"
                    if caller.kind == "root"
                    and caller.text not in direct.principal_arns
                    and not direct.principal_any
                    else "names the principal",
                ),
            ),
            "key-policy",
            None,
            "the key policy allows the principal directly",
        )

    kp_enables = account_stmt if account_stmt is not None else direct
    iam: tuple[int, CompiledStatement] | None = None
    iam_checked = False
    if kp_enables is not None:
        if caller.kind == "root":
            why = (
                "names the account principal, which covers the account's root user"
                if same_account
                else "allows the caller's account; the root user needs no IAM policy in its own account"
            )
            return Decision(
                "Allow",
                caller.text,
                action_c,
                resource,
                (_ref("key policy", kp_enables, why),),
                "key-policy",
                None,
                "the key policy allows the account principal, which includes the account root user",
            )
        iam = _first_identity_allow(ips, action_lower, resource, ctx)
        iam_checked = True
        if iam is not None:
            i, ist = iam
            kp_why = (
                f"allows the account principal (account {caller.account}), which enables IAM policies"
                if kp_enables is account_stmt
                else "allows this principal of another account, whose IAM policies must also allow it"
            )
            return Decision(
                "Allow",
                caller.text,
                action_c,
                resource,
                (
                    _ref("key policy", kp_enables, kp_why),
                    _ref(f"identity policy {i}", ist, "Allow statement that matches the request"),
                ),
                "key-policy+identity-policy",
                None,
                "the key policy enables IAM policies for the caller's account and an IAM policy allows it"
                if same_account
                else "both the key policy (key's account) and an IAM policy (caller's account) allow it",
            )

    # 4. Grants allow on their own.
    op = _grant_op(action_c)
    if op is not None and grants:
        if not iam_checked:
            iam = _first_identity_allow(ips, action_lower, resource, ctx)
        grant = _matching_grant(grants, caller, op, ctx, iam is not None)
        if grant is not None:
            return Decision(
                "Allow",
                caller.text,
                action_c,
                resource,
                (_grant_ref(grant, f"grants {op} to the principal"),),
                "grant",
                None,
                "a grant allows it",
            )

    if kp_enables is not None:
        return _deny(
            "ImplicitDeny",
            "no-identity-policy-allow",
            "identity-based",
            "the key policy leaves this to the caller's IAM policies, and none of them allows it",
            caller.text,
            action_c,
            resource,
            (_ref("key policy", kp_enables, "would allow it together with an IAM policy"),),
            near,
        )
    return _deny(
        "ImplicitDeny",
        "no-key-policy-allow",
        "resource-based",
        "no statement in the key policy allows this principal"
        + (", and no grant applies" if op is not None else ""),
        caller.text,
        action_c,
        resource,
        (),
        near,
    )


def _retire_grant(
    ips: Sequence[CompiledPolicy],
    grants: Sequence[object],
    caller: CallerPrincipal,
    action_lower: str,
    resource: str,
    ctx: Mapping[str, object],
    res_account: str | None,
    near: object,
) -> Decision:
    """RetireGrant: the retiring principal, the grantee when the grant lists RetireGrant, or the key's account
    (its root user, or principals its IAM policies allow) may retire a grant; the key policy does not take part.
    """
    for grant in grants:
        if not isinstance(grant, Mapping):
            continue
        retiring = grant.get("RetiringPrincipal")
        retiring_service = grant.get("RetiringServicePrincipal")
        is_retiring = (
            isinstance(retiring, str) and _grantee_level({"GranteePrincipal": retiring}, caller) == DIRECT
        ) or (
            isinstance(retiring_service, str)
            and caller.kind == "service"
            and retiring_service.lower() == caller.name
        )
        if is_retiring:
            return Decision(
                "Allow",
                caller.text,
                "kms:RetireGrant",
                resource,
                (_grant_ref(grant, "names the principal as its retiring principal"),),
                "grant",
                None,
                "the caller is the grant's retiring principal",
            )
        if "RetireGrant" in _grant_operations(grant) and _grantee_level(grant, caller) == DIRECT:
            return Decision(
                "Allow",
                caller.text,
                "kms:RetireGrant",
                resource,
                (_grant_ref(grant, "grants RetireGrant to the principal"),),
                "grant",
                None,
                "a grant allows it",
            )
    if res_account is not None and caller.account == res_account:
        if caller.kind == "root":
            return Decision(
                "Allow",
                caller.text,
                "kms:RetireGrant",
                resource,
                (),
                "root-implicit",
                None,
                "the account that owns the key can retire its grants",
            )
        why = "the key's account delegates RetireGrant by IAM policy"
        summary = "an IAM policy in the key's account allows it"
        allowed = _identity_allow(
            ips, action_lower, resource, ctx, caller.text, "kms:RetireGrant", why, summary
        )
        if allowed is not None:
            return allowed
    return _deny(
        "ImplicitDeny",
        "no-identity-policy-allow",
        "identity-based",
        "the caller is neither the retiring principal nor an allowed grantee, and no IAM policy in the key's "
        "account allows it",
        caller.text,
        "kms:RetireGrant",
        resource,
        (),
        near,
    )


# -- near misses --------------------------------------------------------------------------------


def _statement_failures(
    st: CompiledStatement,
    policy: str,
    caller: CallerPrincipal | None,
    action_lower: str,
    resource: str,
    ctx: Mapping[str, object],
) -> tuple[int, list[NearMiss]]:
    """How many elements fail, and one NearMiss per failure (one per failing condition key)."""
    out: list[NearMiss] = []

    def miss(element: str, detail: str) -> NearMiss:
        return NearMiss(policy, st.index, st.sid, element, detail)

    failed_elements = 0
    if caller is not None:
        if not st.has_principal:
            out.append(miss("Principal", "the statement has no Principal element"))
            failed_elements += 1
        elif st.principal_negated:
            out.append(miss("NotPrincipal", "Allow with NotPrincipal is not supported"))
            failed_elements += 1
        elif st.principal_level(caller) == NONE:
            out.append(miss("Principal", f"does not name {caller.text}"))
            failed_elements += 1
    if st.actions is None:
        out.append(miss("Action", "the statement has no Action element, so no effect"))
        failed_elements += 1
    elif not st.matches_action(action_lower):
        listed = ", ".join(st.actions)
        verb = "excludes" if st.action_negated else "does not include"
        out.append(miss("Action", f"[{listed}] {verb} {canonical_action(action_lower)}"))
        failed_elements += 1
    if st.resources is None:
        out.append(miss("Resource", "the statement has no Resource element, so no effect"))
        failed_elements += 1
    elif not st.matches_resource(resource, ctx):
        listed = ", ".join(r if isinstance(r, str) else r.text for r in st.resources)
        hint = (
            " (an alias ARN in Resource controls the alias, not the key it points to)"
            if ":alias/" in listed and ":key/" in resource
            else ""
        )
        out.append(miss("Resource", f"[{listed}] does not match {resource}{hint}"))
        failed_elements += 1
    cond_fail = False
    for c in st.conditions:
        check = c.diagnose(ctx)
        if check.passed:
            continue
        cond_fail = True
        expected = ", ".join(context_value_text(v) for v in check.expected)
        if check.missing:
            detail = f"{c.operator} on {c.key}: the key is missing from the request (wanted {expected})"
        else:
            detail = (
                f"{c.operator} on {c.key}: the request has {context_value_text(check.actual)}, "
                f"the policy wants {expected}"
            )
        out.append(
            NearMiss(
                policy,
                st.index,
                st.sid,
                element="Condition",
                detail=detail,
                condition_key=c.key,
                operator=c.operator,
                missing=check.missing,
                expected=check.expected,
                actual=check.actual,
            )
        )
    failed_elements += 1 if cond_fail else 0
    return failed_elements, out


def _near_misses(
    kp: CompiledPolicy | None,
    ips: tuple[CompiledPolicy, ...],
    grants: tuple[Mapping[str, object], ...],
    caller: CallerPrincipal,
    action_lower: str,
    resource: str,
    ctx: Mapping[str, object],
    res_account: str | None,
) -> tuple[NearMiss, ...]:
    out: list[NearMiss] = []
    same_account = caller.account is None or res_account is None or caller.account == res_account
    kp_enables_iam = False
    if kp is not None:
        for st in kp.statements:
            if not st.allow:
                continue
            count, fails = _statement_failures(st, "key policy", caller, action_lower, resource, ctx)
            if count > 1:
                continue
            if count == 1:
                out.extend(fails)
                continue
            level = st.principal_level(caller)
            if level == ACCOUNT or not same_account:
                kp_enables_iam = True
                out.append(
                    NearMiss(
                        "key policy",
                        st.index,
                        st.sid,
                        "IdentityPolicy",
                        f"this statement lets IAM policies in account {caller.account} allow the action, "
                        "but no IAM policy of the caller allows it",
                    )
                )
    for i, pol in enumerate(ips):
        for st in pol.statements:
            if not st.allow:
                continue
            count, fails = _statement_failures(st, f"identity policy {i}", None, action_lower, resource, ctx)
            if count > 1:
                continue
            if count == 1:
                out.extend(fails)
            elif kp is not None and not kp_enables_iam:
                acct = caller.account_principal() or "the caller's account"
                out.append(
                    NearMiss(
                        f"identity policy {i}",
                        st.index,
                        st.sid,
                        "KeyPolicy",
                        f"this IAM statement allows it, but the key policy does not allow {acct} (the "
                        "account principal) to use IAM policies for this action",
                    )
                )
    op = _grant_op(action_lower)
    for grant in grants:
        if not isinstance(grant, Mapping):
            continue
        gid = grant.get("GrantId")
        label = f"grant {gid}" if isinstance(gid, str) else "grant"
        name = grant.get("Name") if isinstance(grant.get("Name"), str) else None
        failures: list[tuple[str, str]] = []
        if _grantee_level(grant, caller) == NONE:
            failures.append(("Grantee", f"the grantee is {grant.get('GranteePrincipal')}, not {caller.text}"))
        if op is None or op not in _grant_operations(grant):
            failures.append(
                ("Operations", f"{sorted(_grant_operations(grant))} does not include {op or action_lower}")
            )
        elif (why := _grant_constraint_failure(grant, op, ctx)) is not None:
            failures.append(("Constraints", why))
        if len(failures) == 1:
            element, detail = failures[0]
            out.append(NearMiss(label, None, name if isinstance(name, str) else None, element, detail))
    return tuple(out)
