"""The KMS permission decision: scenarios from AWS's documentation, each citing its source."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kmssim._errors import MalformedPolicyDocumentException
from kmssim._policy import (
    CROSS_ACCOUNT_ACTIONS,
    IAM_ONLY_ACTIONS,
    KEY_ACTIONS,
    Decision,
    aws_managed_key_policy,
    console_key_policy,
    default_key_policy,
    evaluate,
)

ACCT = "111122223333"
EXT = "444455556666"
KEY = f"arn:aws:kms:us-west-2:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS_ARN = f"arn:aws:kms:us-west-2:{ACCT}:alias/ExampleAlias"
ROOT = f"arn:aws:iam::{ACCT}:root"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
BOB = f"arn:aws:iam::{ACCT}:user/Bob"
ADMIN = f"arn:aws:iam::{ACCT}:role/KMSAdminRole"
APP = f"arn:aws:iam::{ACCT}:role/ExamplePowerUserRole"
APP_SESSION = f"arn:aws:sts::{ACCT}:assumed-role/ExamplePowerUserRole/session-1"
EXT_ROOT = f"arn:aws:iam::{EXT}:root"
EXT_USER = f"arn:aws:iam::{EXT}:user/Carol"
EXT_ROLE = f"arn:aws:iam::{EXT}:role/ExampleRole"

DEFAULT_URL = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
XACCT_URL = (
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"
)
GRANTS_URL = "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(principal: Any = None, action: Any = "kms:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow"}
    if action is not None:
        st["Action"] = action
    if resource is not None:
        st["Resource"] = resource
    if principal is not None:
        st["Principal"] = principal if principal == "*" else {"AWS": principal}
    st.update(extra)
    return st


def deny(principal: Any = None, action: Any = "kms:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    st = allow(principal, action, resource, **extra)
    st["Effect"] = "Deny"
    return st


def decide(principal: str, action: str, *, resource: str = KEY, **kwargs: Any) -> Decision:
    return evaluate(principal=principal, action=action, resource=resource, **kwargs)


IAM_ALLOW_USE = doc(allow(action=["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], resource=KEY))


# -- The default key policy ----------------------------------------------------------------------------------


def test_default_policy_gives_the_account_root_user_every_key_action() -> None:
    """The default key policy allows the account principal, which includes the root user. Source: DEFAULT_URL."""
    policy = default_key_policy(ACCT)
    for action in KEY_ACTIONS:
        d = decide(ROOT, action, key_policy=policy)
        assert d.effect == "Allow", action
        # RetireGrant is decided by grants and the key's account, not by the key policy.
        assert d.reason == ("root-implicit" if action == "kms:RetireGrant" else "key-policy")


def test_default_policy_alone_gives_an_iam_user_nothing() -> None:
    """The root statement "doesn't give any IAM users or roles permission"; it enables IAM policies.
    Source: DEFAULT_URL#key-policy-default-allow-root-enable-iam."""
    d = decide(ALICE, "kms:Decrypt", key_policy=default_key_policy(ACCT))
    assert d.effect == "ImplicitDeny"
    assert d.reason == "no-identity-policy-allow"
    assert d.access_denied_message() == (
        f"User: {ALICE} is not authorized to perform: kms:Decrypt on resource: {KEY} "
        "because no identity-based policy allows the kms:Decrypt action"
    )


def test_default_policy_plus_iam_policy_allows() -> None:
    """With the root statement, IAM policies can allow access to the key.
    Source: https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html"""
    d = decide(ALICE, "kms:Decrypt", key_policy=default_key_policy(ACCT), identity_policies=[IAM_ALLOW_USE])
    assert d.effect == "Allow"
    assert d.reason == "key-policy+identity-policy"
    assert [x.policy for x in d.deciding] == ["key policy", "identity policy 0"]
    assert d.deciding[0].sid == "Enable IAM User Permissions"
    assert not decide(
        ALICE,
        "kms:ScheduleKeyDeletion",
        key_policy=default_key_policy(ACCT),
        identity_policies=[IAM_ALLOW_USE],
    ).allowed


def test_bare_account_id_principal_behaves_like_the_root_arn() -> None:
    """ "The account ARN and the shortened account ID behave the same way". Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    policy = doc(allow(ACCT))
    assert decide(ALICE, "kms:Decrypt", key_policy=policy, identity_policies=[IAM_ALLOW_USE]).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    assert decide(ROOT, "kms:Decrypt", key_policy=policy).allowed


def test_without_the_root_statement_iam_policies_cannot_allow_but_can_deny() -> None:
    """ "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access ... You can use an
    IAM policy to deny". Source: https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html"""
    policy = doc(allow(BOB, ["kms:Decrypt"]))
    d = decide(ALICE, "kms:Decrypt", key_policy=policy, identity_policies=[IAM_ALLOW_USE])
    assert d.effect == "ImplicitDeny"
    assert d.reason == "no-key-policy-allow"
    assert "because no resource-based policy allows the kms:Decrypt action" in d.access_denied_message()
    iam_deny = doc(deny(action="kms:Decrypt", resource="*"))
    d = decide(BOB, "kms:Decrypt", key_policy=policy, identity_policies=[iam_deny])
    assert d.effect == "ExplicitDeny"
    assert d.access_denied_message().endswith("with an explicit deny in an identity-based policy")


def test_root_user_has_no_implicit_access_to_a_key() -> None:
    """ "No AWS principal, including the account root user ... has any permissions to a KMS key unless they are
    explicitly allowed". Source: https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html"""
    d = decide(ROOT, "kms:PutKeyPolicy", key_policy=doc(allow(ALICE)))
    assert d.effect == "ImplicitDeny"
    assert d.reason == "no-key-policy-allow"


def test_key_policy_naming_the_user_is_enough_in_the_same_account() -> None:
    """A key policy that names a principal allows it without any IAM policy (same account). Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    d = decide(ALICE, "kms:Encrypt", key_policy=doc(allow(ALICE, "kms:Encrypt")))
    assert d.allowed and d.reason == "key-policy"
    assert d.deciding[0].why == "names the principal"


# -- Key administrators and key users (console policy) --------------------------------------------------------


@pytest.fixture(scope="module")
def console_policy() -> str:
    return console_key_policy(ACCT, admins=[ADMIN], users=[APP])


@pytest.mark.parametrize(
    ("principal", "action", "expected"),
    [
        (ADMIN, "kms:DescribeKey", True),
        (ADMIN, "kms:PutKeyPolicy", True),
        (ADMIN, "kms:ScheduleKeyDeletion", True),
        (ADMIN, "kms:CancelKeyDeletion", True),
        (ADMIN, "kms:TagResource", True),
        (ADMIN, "kms:Decrypt", False),
        (ADMIN, "kms:Encrypt", False),
        (ADMIN, "kms:ImportKeyMaterial", False),
        (APP, "kms:Encrypt", True),
        (APP, "kms:Decrypt", True),
        (APP, "kms:ReEncryptFrom", True),
        (APP, "kms:ReEncryptTo", True),
        (APP, "kms:GenerateDataKeyWithoutPlaintext", True),
        (APP, "kms:DescribeKey", True),
        (APP, "kms:ScheduleKeyDeletion", False),
        (APP, "kms:PutKeyPolicy", False),
        (APP_SESSION, "kms:Decrypt", True),
    ],
)
def test_console_policy_admins_and_users(
    console_policy: str, principal: str, action: str, expected: bool
) -> None:
    """Key administrators manage but cannot use the key; key users use it. Source:
    DEFAULT_URL#key-policy-default-allow-administrators and #key-policy-default-allow-users."""
    assert decide(principal, action, key_policy=console_policy).allowed is expected


def test_console_policy_users_create_grants_only_for_aws_resources(console_policy: str) -> None:
    """ "Allow attachment of persistent resources": CreateGrant only with kms:GrantIsForAWSResource true. Source:
    DEFAULT_URL#key-policy-service-integration."""
    direct = decide(
        APP, "kms:CreateGrant", key_policy=console_policy, context={"kms:GrantIsForAWSResource": False}
    )
    assert direct.effect == "ImplicitDeny"
    near = [n for n in direct.near_misses if n.condition_key == "kms:GrantIsForAWSResource"]
    assert near and near[0].missing is False and near[0].element == "Condition"
    via = decide(
        APP, "kms:CreateGrant", key_policy=console_policy, context={"kms:GrantIsForAWSResource": True}
    )
    assert via.allowed and via.deciding[0].sid == "Allow attachment of persistent resources"


def test_assumed_role_session_matches_a_role_principal() -> None:
    """A role-ARN principal covers the role's sessions. Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles"""
    assert decide(APP_SESSION, "kms:Decrypt", key_policy=doc(allow(APP, "kms:Decrypt"))).allowed
    other = f"arn:aws:sts::{ACCT}:assumed-role/OtherRole/session-1"
    assert not decide(other, "kms:Decrypt", key_policy=doc(allow(APP, "kms:Decrypt"))).allowed
    only_session = doc(allow(APP_SESSION, "kms:Decrypt"))
    assert decide(APP_SESSION, "kms:Decrypt", key_policy=only_session).allowed
    assert not decide(f"{APP_SESSION}x", "kms:Decrypt", key_policy=only_session).allowed


# -- Explicit deny ---------------------------------------------------------------------------------------------


def test_explicit_deny_in_key_policy_beats_every_allow() -> None:
    """An explicit deny overrides any allow. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html"""
    policy = doc(allow(ROOT), allow(ALICE), deny(ALICE, "kms:Decrypt", Sid="NoDecrypt"))
    d = decide(ALICE, "kms:Decrypt", key_policy=policy, identity_policies=[IAM_ALLOW_USE])
    assert d.effect == "ExplicitDeny"
    assert [(x.policy, x.sid, x.index) for x in d.deciding] == [("key policy", "NoDecrypt", 2)]
    assert d.access_denied_message() == (
        f"User: {ALICE} is not authorized to perform: kms:Decrypt on resource: {KEY} "
        "with an explicit deny in a resource-based policy"
    )
    assert decide(ALICE, "kms:Encrypt", key_policy=policy).allowed


def test_deny_naming_the_account_principal_applies_to_every_principal_of_the_account() -> None:
    """A Deny whose principal is the account applies to users and roles of that account (iam-simulate
    kms/sameAccount.json; reference_policies_evaluation-logic.html)."""
    policy = doc(allow(ALICE), deny(ROOT, "kms:Decrypt"))
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).effect == "ExplicitDeny"
    assert decide(ROOT, "kms:Decrypt", key_policy=policy).effect == "ExplicitDeny"
    assert decide(EXT_USER, "kms:Decrypt", key_policy=policy).effect != "ExplicitDeny"


def test_key_policy_statement_without_principal_never_matches() -> None:
    """A resource-policy statement with no Principal never applies, Allow or Deny (iam-simulate
    noPrincipalElement.json)."""
    policy = doc(allow(ALICE), {"Effect": "Deny", "Action": "kms:*", "Resource": "*"})
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).allowed


def test_statement_without_action_or_resource_has_no_effect() -> None:
    """ "If Resource (or Action) is missing, the statement has no effect". Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    no_resource = doc({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*"})
    no_action = doc({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Resource": "*"})
    for policy in (no_resource, no_action):
        d = decide(ALICE, "kms:Decrypt", key_policy=policy)
        assert d.effect == "ImplicitDeny"
        assert any("no effect" in n.detail for n in d.near_misses)


# -- NotPrincipal / NotAction / NotResource --------------------------------------------------------------------

NOTP_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"


def test_not_principal_deny_denies_everyone_except_the_listed_principal() -> None:
    """NotPrincipal with Deny: every principal except those listed is denied; list the account ARN too.
    Source: NOTP_URL."""
    policy = doc(allow("*", "kms:Decrypt"), deny(action="kms:Decrypt", NotPrincipal={"AWS": [BOB, ROOT]}))
    assert decide(BOB, "kms:Decrypt", key_policy=policy).allowed
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).effect == "ExplicitDeny"


def test_not_principal_without_the_account_denies_the_listed_user_too() -> None:
    """Without the account ARN "the policy might deny access to the entire account" (AWS may check the account,
    then the user). Source: NOTP_URL; choice NOT_PRINCIPAL_CHECKS_EVERY_LEVEL."""
    policy = doc(allow("*", "kms:Decrypt"), deny(action="kms:Decrypt", NotPrincipal={"AWS": [BOB]}))
    assert decide(BOB, "kms:Decrypt", key_policy=policy).effect == "ExplicitDeny"


def test_not_principal_for_a_role_session_lists_session_role_and_account() -> None:
    """For an assumed-role session, NotPrincipal must list the session, the role and the account. Source: NOTP_URL."""
    base = allow("*", "kms:Decrypt")
    full = doc(base, deny(action="kms:Decrypt", NotPrincipal={"AWS": [APP_SESSION, APP, ROOT]}))
    partial = doc(base, deny(action="kms:Decrypt", NotPrincipal={"AWS": [APP_SESSION, ROOT]}))
    assert decide(APP_SESSION, "kms:Decrypt", key_policy=full).allowed
    assert decide(APP_SESSION, "kms:Decrypt", key_policy=partial).effect == "ExplicitDeny"


def test_not_action_with_allow_and_not_resource_with_deny() -> None:
    """NotAction with Allow matches every action except those listed; NotResource with Deny denies every resource
    except those listed. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    and reference_policies_elements_notresource.html."""
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "NotAction": "kms:ScheduleKeyDeletion",
            "Resource": "*",
        }
    )
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    assert not decide(ALICE, "kms:ScheduleKeyDeletion", key_policy=policy).allowed
    iam = doc(allow(action="kms:*", resource="*"), deny(action="kms:*", resource=None, NotResource=[KEY]))
    kp = default_key_policy(ACCT)
    assert decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam]).allowed
    other = KEY.replace("1234abcd", "9999abcd")
    assert (
        decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam], resource=other).effect
        == "ExplicitDeny"
    )


def test_actions_match_case_insensitively_with_wildcards() -> None:
    """Action names are case-insensitive and accept * and ?. Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"""
    policy = doc(allow(ALICE, ["KMS:generatedatakey*", "kms:Re?ncrypt*"]))
    assert decide(ALICE, "kms:GenerateDataKeyPairWithoutPlaintext", key_policy=policy).allowed
    assert decide(ALICE, "kms:ReEncryptTo", key_policy=policy).allowed
    assert decide(ALICE, "KMS:REENCRYPTFROM", key_policy=policy).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=policy).allowed


# -- Resource element in IAM policies ----------------------------------------------------------------------------


def test_iam_policy_resource_must_identify_the_key_by_arn() -> None:
    """In an IAM policy a key is identified by its key ARN (wildcards allowed); an alias ARN as Resource applies
    to the alias, not to the key. Source: https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html
    and https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html"""
    kp = default_key_policy(ACCT)
    for resource, expected in [
        (KEY, True),
        (f"arn:aws:kms:*:{ACCT}:key/*", True),
        ("*", True),
        (f"arn:aws:kms:us-east-1:{ACCT}:key/*", False),
        (ALIAS_ARN, False),
        (f"arn:aws:kms:us-west-2:{ACCT}:alias/*", False),
    ]:
        iam = doc(allow(action="kms:Decrypt", resource=resource))
        assert decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam]).allowed is expected, (
            resource
        )


def test_alias_resource_is_governed_by_iam_policies_only() -> None:
    """CreateAlias needs permission on the alias from an IAM policy. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html"""
    iam = doc(allow(action="kms:CreateAlias", resource=f"arn:aws:kms:us-west-2:{ACCT}:alias/test-*"))
    ok = decide(
        ALICE,
        "kms:CreateAlias",
        resource=f"arn:aws:kms:us-west-2:{ACCT}:alias/test-key",
        identity_policies=[iam],
    )
    assert ok.allowed and ok.reason == "identity-policy"
    assert not decide(ALICE, "kms:CreateAlias", resource=ALIAS_ARN, identity_policies=[iam]).allowed


def test_resource_with_policy_variable() -> None:
    """Policy variables work in Resource; an unresolved one matches nothing. Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"""
    iam = doc(allow(action="kms:Decrypt", resource=f"arn:aws:kms:*:{ACCT}:key/${{aws:PrincipalTag/key}}"))
    kp = default_key_policy(ACCT)
    tag = {"aws:PrincipalTag/key": "1234abcd-12ab-34cd-56ef-1234567890ab"}
    assert decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam], context=tag).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam]).allowed


# -- IAM-only actions ---------------------------------------------------------------------------------------------


def test_iam_only_actions_are_decided_by_identity_policies() -> None:
    """CreateKey, ListKeys, ListAliases and GenerateRandom involve no key; only IAM policies govern them, and
    the root user is allowed in its own account. Source: DEFAULT_URL and
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html"""
    assert {"kms:CreateKey", "kms:ListKeys", "kms:ListAliases", "kms:GenerateRandom"} <= set(IAM_ONLY_ACTIONS)
    assert decide(ROOT, "kms:ListKeys", resource="*").reason == "root-implicit"
    d = decide(ALICE, "kms:ListKeys", resource="*")
    assert d.effect == "ImplicitDeny"
    assert d.access_denied_message() == (
        f"User: {ALICE} is not authorized to perform: kms:ListKeys on resource: * "
        "because no identity-based policy allows the kms:ListKeys action"
    )
    ok = doc(allow(action=["kms:ListKeys", "kms:CreateKey"], resource="*"))
    assert decide(ALICE, "kms:CreateKey", resource="*", identity_policies=[ok]).allowed
    key_arn_only = doc(allow(action="kms:ListKeys", resource=f"arn:aws:kms:*:{ACCT}:key/*"))
    assert not decide(ALICE, "kms:ListKeys", resource="*", identity_policies=[key_arn_only]).allowed
    no = doc(deny(action="kms:CreateKey", resource="*"))
    assert decide(ROOT, "kms:CreateKey", resource="*", identity_policies=[no]).effect == "ExplicitDeny"


# -- Cross-account ----------------------------------------------------------------------------------------------

XACCT_POLICY = doc(
    allow(ROOT, Sid="Enable IAM User Permissions"),
    allow(
        EXT_ROOT,
        ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ScheduleKeyDeletion"],
        Sid="Allow an external account to use this KMS key",
    ),
)


def test_cross_account_needs_the_key_policy_and_an_iam_policy() -> None:
    """ "Neither the key policy nor the IAM policy alone is sufficient". Source: XACCT_URL."""
    iam = doc(allow(action=["kms:Decrypt"], resource=KEY))
    assert decide(EXT_USER, "kms:Decrypt", key_policy=XACCT_POLICY, identity_policies=[iam]).allowed
    d = decide(EXT_USER, "kms:Decrypt", key_policy=XACCT_POLICY)
    assert d.effect == "ImplicitDeny" and d.policy_type == "identity-based"
    d = decide(EXT_USER, "kms:Decrypt", key_policy=default_key_policy(ACCT), identity_policies=[iam])
    assert d.effect == "ImplicitDeny" and d.policy_type == "resource-based"
    assert any(n.element == "KeyPolicy" for n in d.near_misses)


def test_cross_account_principal_named_directly_still_needs_its_own_iam_policy() -> None:
    """Even when the key policy names the external role, it "cannot use the KMS key until IAM administrators in
    the external account attach the proper IAM policies". Source: XACCT_URL."""
    policy = doc(allow(ROOT), allow(EXT_ROLE, "kms:Decrypt"))
    assert not decide(EXT_ROLE, "kms:Decrypt", key_policy=policy).allowed
    iam = doc(allow(action="kms:Decrypt", resource="*"))
    assert decide(EXT_ROLE, "kms:Decrypt", key_policy=policy, identity_policies=[iam]).allowed


def test_cross_account_root_user_needs_no_iam_policy_in_its_own_account() -> None:
    """The external account's root user has its own account's full IAM permissions. Source: XACCT_URL and
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"""
    assert decide(EXT_ROOT, "kms:Decrypt", key_policy=XACCT_POLICY).allowed


def test_cross_account_only_for_crypto_and_a_few_other_operations() -> None:
    """Other operations such as ScheduleKeyDeletion "still fail" across accounts even if both policies allow.
    Source: XACCT_URL."""
    iam = doc(allow(action="kms:*", resource="*"))
    d = decide(EXT_USER, "kms:ScheduleKeyDeletion", key_policy=XACCT_POLICY, identity_policies=[iam])
    assert d.effect == "ImplicitDeny" and d.reason == "cross-account-unsupported"
    assert "kms:ScheduleKeyDeletion" not in CROSS_ACCOUNT_ACTIONS
    assert {"kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GetPublicKey"} <= CROSS_ACCOUNT_ACTIONS
    assert decide(EXT_USER, "kms:DescribeKey", key_policy=XACCT_POLICY, identity_policies=[iam]).allowed


def test_principal_star_in_key_policy_still_needs_iam_for_other_accounts() -> None:
    """With Principal "*", same-account principals need nothing else; "Users in other AWS accounts just need
    corresponding IAM permissions in their own accounts". Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    policy = doc(allow("*", "kms:Decrypt"))
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    assert not decide(EXT_USER, "kms:Decrypt", key_policy=policy).allowed
    iam = doc(allow(action="kms:Decrypt", resource="*"))
    assert decide(EXT_USER, "kms:Decrypt", key_policy=policy, identity_policies=[iam]).allowed


# -- KMS condition keys in scenarios ----------------------------------------------------------------------------

CONDKMS_URL = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"


def test_aws_managed_key_policy_allows_use_only_through_the_service() -> None:
    """AWS managed keys: any principal of the account, but only via the service (kms:ViaService) and with
    kms:CallerAccount. Source: CONDKMS_URL#conditions-kms-via-service."""
    policy = aws_managed_key_policy(ACCT, "ebs", "us-west-2")
    via = {"kms:ViaService": "ec2.us-west-2.amazonaws.com", "kms:CallerAccount": ACCT}
    assert decide(ALICE, "kms:CreateGrant", key_policy=policy, context=via).allowed
    direct = decide(ALICE, "kms:Decrypt", key_policy=policy)
    assert direct.effect == "ImplicitDeny"
    assert "kms:ViaService" in direct.missing_context_keys
    assert decide(ALICE, "kms:DescribeKey", key_policy=policy, identity_policies=[IAM_ALLOW_USE]).allowed
    assert not decide(
        EXT_USER, "kms:Decrypt", key_policy=policy, context={"kms:ViaService": "ec2.us-west-2.amazonaws.com"}
    ).allowed


def test_caller_account_is_derived_from_the_principal() -> None:
    """kms:CallerAccount is the caller's account. Source: CONDKMS_URL#conditions-kms-caller-account."""
    policy = doc(allow("*", "kms:Decrypt", Condition={"StringEquals": {"kms:CallerAccount": ACCT}}))
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    iam = doc(allow(action="kms:Decrypt", resource="*"))
    assert not decide(EXT_USER, "kms:Decrypt", key_policy=policy, identity_policies=[iam]).allowed


def test_encryption_context_condition_and_near_miss_distinguish_missing_from_mismatch() -> None:
    """kms:EncryptionContext:<key> requires the pair in the request. Source: CONDKMS_URL#conditions-kms-encryption-context."""
    policy = doc(
        allow(
            ALICE,
            "kms:Decrypt",
            Sid="ByContext",
            Condition={"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}},
        )
    )
    ok = {"kms:EncryptionContext:AppName": "ExampleApp"}
    assert decide(ALICE, "kms:Decrypt", key_policy=policy, context=ok).allowed
    missing = decide(ALICE, "kms:Decrypt", key_policy=policy)
    (n,) = missing.near_misses
    assert (n.element, n.condition_key, n.missing, n.sid, n.index) == (
        "Condition",
        "kms:EncryptionContext:AppName",
        True,
        "ByContext",
        0,
    )
    wrong = decide(
        ALICE, "kms:Decrypt", key_policy=policy, context={"kms:EncryptionContext:AppName": "Other"}
    )
    (n,) = wrong.near_misses
    assert n.missing is False and n.actual == "Other"
    assert wrong.missing_context_keys == ()


def test_request_alias_condition() -> None:
    """kms:RequestAlias is satisfied only when the request names the key by a matching alias. Source:
    CONDKMS_URL#conditions-kms-request-alias."""
    policy = doc(
        allow(ROOT),
        allow(
            "*",
            "kms:Decrypt",
            Condition={
                "StringLike": {"kms:RequestAlias": "alias/*test*"},
                "StringEquals": {"kms:CallerAccount": ACCT},
            },
        ),
    )
    assert decide(
        ALICE, "kms:Decrypt", key_policy=policy, context={"kms:RequestAlias": "alias/my-test"}
    ).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=policy).allowed


def test_resource_aliases_condition_in_iam_policy() -> None:
    """kms:ResourceAliases (IAM policies only) with ForAnyValue. Source: CONDKMS_URL#conditions-kms-resource-aliases."""
    iam = doc(
        allow(
            action="kms:Decrypt",
            resource="*",
            Condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance-key"}},
        )
    )
    kp = default_key_policy(ACCT)
    ctx = {"kms:ResourceAliases": ["alias/finance-key", "alias/other"]}
    assert decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam], context=ctx).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=kp, identity_policies=[iam]).allowed


def test_principal_arn_and_username_are_filled_in_from_the_principal() -> None:
    """aws:PrincipalArn (the role ARN for a session) and aws:username are always in the context of a signed
    request. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"""
    policy = doc(
        allow(
            "*",
            "kms:Decrypt",
            Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/Example*"}},
        )
    )
    assert decide(APP_SESSION, "kms:Decrypt", key_policy=policy).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    by_name = doc(allow("*", "kms:Decrypt", Condition={"StringEquals": {"aws:username": "Alice"}}))
    assert decide(ALICE, "kms:Decrypt", key_policy=by_name).allowed


def test_service_principal_statement() -> None:
    """A key policy can allow a service principal. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html"""
    policy = doc(
        allow(ROOT),
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
        },
    )
    assert decide("cloudtrail.amazonaws.com", "kms:GenerateDataKey", key_policy=policy).allowed
    assert not decide("s3.amazonaws.com", "kms:GenerateDataKey", key_policy=policy).allowed


# -- Grants -----------------------------------------------------------------------------------------------------


def grant(**kwargs: Any) -> dict[str, Any]:
    g: dict[str, Any] = {"GrantId": "g-1", "GranteePrincipal": ALICE, "Operations": ["Decrypt", "Encrypt"]}
    g.update(kwargs)
    return g


NO_ACCESS = doc(allow(ROOT))


def test_grant_allows_on_its_own() -> None:
    """A grant is enough on its own; no key-policy or IAM allow is needed. Source: GRANTS_URL."""
    d = decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=[grant()])
    assert d.allowed and d.reason == "grant" and d.granting_grant_id == "g-1"
    assert d.deciding[0].policy == "grant g-1"
    assert not decide(ALICE, "kms:Sign", key_policy=NO_ACCESS, grants=[grant()]).allowed
    assert not decide(BOB, "kms:Decrypt", key_policy=NO_ACCESS, grants=[grant()]).allowed


def test_grant_never_overrides_an_explicit_deny() -> None:
    """ "A grant can allow access to a KMS key, but not deny access"; explicit denies still win. Source: GRANTS_URL."""
    policy = doc(allow(ROOT), deny(ALICE, "kms:Decrypt"))
    assert decide(ALICE, "kms:Decrypt", key_policy=policy, grants=[grant()]).effect == "ExplicitDeny"


def test_grant_encryption_context_equals() -> None:
    """EncryptionContextEquals: exact match, keys case-insensitive, values case-sensitive, no extra pairs.
    Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html"""
    g = grant(Constraints={"EncryptionContextEquals": {"Department": "IT"}})
    ok = decide(
        ALICE,
        "kms:Decrypt",
        key_policy=NO_ACCESS,
        grants=[g],
        context={"kms:EncryptionContext:department": "IT"},
    )
    assert ok.allowed
    for ctx in (
        {"kms:EncryptionContext:Department": "it"},
        {"kms:EncryptionContext:Department": "IT", "kms:EncryptionContext:Project": "X"},
        {},
    ):
        d = decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g], context=ctx)
        assert d.effect == "ImplicitDeny", ctx
        assert [n.element for n in d.near_misses if n.policy == "grant g-1"] == ["Constraints"]


def test_grant_encryption_context_subset() -> None:
    """EncryptionContextSubset: the listed pairs must be present; extra pairs are allowed. Source:
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html"""
    g = grant(Constraints={"EncryptionContextSubset": {"Department": "IT"}})
    ctx = {"kms:EncryptionContext:Department": "IT", "kms:EncryptionContext:Project": "X"}
    assert decide(ALICE, "kms:Encrypt", key_policy=NO_ACCESS, grants=[g], context=ctx).allowed
    assert not decide(ALICE, "kms:Encrypt", key_policy=NO_ACCESS, grants=[g], context={}).allowed


def test_grant_constraints_do_not_apply_to_describe_key_or_retire_grant() -> None:
    """Constraints are not applied to operations without an encryption context such as DescribeKey or
    RetireGrant. Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html"""
    g = grant(Operations=["DescribeKey", "RetireGrant"], Constraints={"EncryptionContextEquals": {"a": "b"}})
    assert decide(ALICE, "kms:DescribeKey", key_policy=NO_ACCESS, grants=[g]).allowed
    assert decide(ALICE, "kms:RetireGrant", key_policy=NO_ACCESS, grants=[g]).allowed


def test_grant_reencrypt_operations_and_role_sessions() -> None:
    """ReEncrypt needs ReEncryptFrom and ReEncryptTo grant operations; a grant to a role covers its sessions.
    Source: GRANTS_URL#terms."""
    g = grant(GranteePrincipal=APP, Operations=["ReEncryptFrom"])
    assert decide(APP_SESSION, "kms:ReEncryptFrom", key_policy=NO_ACCESS, grants=[g]).allowed
    assert not decide(APP_SESSION, "kms:ReEncryptTo", key_policy=NO_ACCESS, grants=[g]).allowed


def test_grant_to_external_principal_needs_no_key_policy_statement() -> None:
    """Grants are an alternative to IAM delegation for external principals. Source: XACCT_URL and GRANTS_URL."""
    g = grant(GranteePrincipal=EXT_ROLE)
    assert decide(EXT_ROLE, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g]).allowed


def test_grant_source_arn_constraint() -> None:
    """SourceArn constraint works like aws:SourceArn, except for RetireGrant. Source:
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html"""
    arn = "arn:aws:s3:::example-bucket"
    g = grant(Operations=["Decrypt", "RetireGrant"], Constraints={"SourceArn": arn})
    assert decide(
        ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g], context={"aws:SourceArn": arn}
    ).allowed
    assert not decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g]).allowed
    assert decide(ALICE, "kms:RetireGrant", key_policy=NO_ACCESS, grants=[g]).allowed


def test_grant_create_grant_delegates_only_what_it_has() -> None:
    """A principal that got kms:CreateGrant from a grant can only delegate the operations it was granted, and a
    constrained grant only creates equally strict grants. Source: GRANTS_URL and
    https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html"""
    g = grant(Operations=["Decrypt", "CreateGrant"])
    assert decide(
        ALICE,
        "kms:CreateGrant",
        key_policy=NO_ACCESS,
        grants=[g],
        context={"kms:GrantOperations": ["Decrypt"]},
    ).allowed
    assert not decide(
        ALICE,
        "kms:CreateGrant",
        key_policy=NO_ACCESS,
        grants=[g],
        context={"kms:GrantOperations": ["Decrypt", "Encrypt"]},
    ).allowed
    strict = grant(Operations=["Decrypt", "CreateGrant"], Constraints={"EncryptionContextEquals": {"k": "v"}})
    same = {
        "kms:GrantOperations": ["Decrypt"],
        "kms:GrantConstraintType": "EncryptionContextEquals",
        "kms:EncryptionContext:k": "v",
    }
    assert decide(ALICE, "kms:CreateGrant", key_policy=NO_ACCESS, grants=[strict], context=same).allowed
    looser = {"kms:GrantOperations": ["Decrypt"]}
    assert not decide(ALICE, "kms:CreateGrant", key_policy=NO_ACCESS, grants=[strict], context=looser).allowed


def test_grant_to_an_account_needs_that_accounts_iam_policy() -> None:
    """A grant whose grantee is an account works like an account principal (choice GRANT_TO_ACCOUNT_NEEDS_IAM)."""
    g = grant(GranteePrincipal=EXT_ROOT)
    assert decide(EXT_ROOT, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g]).allowed
    assert not decide(EXT_USER, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g]).allowed
    iam = doc(allow(action="kms:Decrypt", resource="*"))
    assert decide(EXT_USER, "kms:Decrypt", key_policy=NO_ACCESS, grants=[g], identity_policies=[iam]).allowed


def test_malformed_grant_entries_are_ignored() -> None:
    """Bad grant records never raise; they simply grant nothing."""
    bad: list[Any] = [
        None,
        "x",
        {"Operations": "Decrypt"},
        {"GranteePrincipal": 5, "Operations": ["Decrypt"]},
        {"GranteePrincipal": ALICE, "Operations": ["Decrypt"], "Constraints": "nope"},
    ]
    d = decide(ALICE, "kms:Encrypt", key_policy=NO_ACCESS, grants=bad)
    assert d.effect == "ImplicitDeny"
    assert isinstance(d.to_dict(), dict)
    assert decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=bad).allowed


# -- Decision object -----------------------------------------------------------------------------------------


def test_decision_explain_html_and_dict() -> None:
    """Decision carries the deciding statement, near misses, text, HTML and a JSON-ready dict."""
    policy = doc(
        allow(ALICE, "kms:Decrypt", Sid="<Use>", Condition={"StringEquals": {"kms:EncryptionContext:a": "b"}})
    )
    d = decide(ALICE, "kms:Decrypt", key_policy=policy)
    text = d.explain()
    assert "ImplicitDeny" in text and "kms:EncryptionContext:a" in text and "missing" in text
    html = d._repr_html_()
    assert "&lt;Use&gt;" in html and "<Use>" not in html
    data = d.to_dict()
    json.dumps(data)
    assert data["effect"] == "ImplicitDeny" and data["allowed"] is False
    assert data["near_misses"][0]["missing"] is True
    assert data["message"] == d.access_denied_message()
    ok = decide(ALICE, "kms:Decrypt", key_policy=policy, context={"kms:EncryptionContext:a": "b"})
    assert ok.to_dict()["deciding"][0]["sid"] == "<Use>"
    assert ok.access_denied_message() == "" and ok.near_misses == ()
    assert str(ok) == ok.explain() and ok.summary()


def test_access_denied_message_uses_given_names() -> None:
    """The message names the principal, action and resource the caller passes (AWS's format). Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"""
    d = decide(ALICE, "kms:decrypt", key_policy=NO_ACCESS)
    assert d.action == "kms:Decrypt"
    assert d.access_denied_message(ALICE, "kms:Decrypt", ALIAS_ARN).startswith(
        f"User: {ALICE} is not authorized to perform: kms:Decrypt on resource: {ALIAS_ARN} because"
    )


def test_near_miss_names_the_failing_element() -> None:
    """Near misses: statements that fail on exactly one element, naming it."""
    policy = doc(
        allow(BOB, "kms:Decrypt", Sid="OtherPrincipal"),
        allow(ALICE, "kms:Encrypt", Sid="OtherAction"),
        allow(ALICE, "kms:Decrypt", KEY.replace("1234", "9999"), Sid="OtherResource"),
        allow(BOB, "kms:Encrypt", Sid="TwoOff"),
    )
    d = decide(ALICE, "kms:Decrypt", key_policy=policy)
    assert {(n.sid, n.element) for n in d.near_misses} == {
        ("OtherPrincipal", "Principal"),
        ("OtherAction", "Action"),
        ("OtherResource", "Resource"),
    }


# -- Inputs ---------------------------------------------------------------------------------------------------


def test_policies_may_be_mappings_and_mutation_is_noticed() -> None:
    """Policies can be dicts; the parse cache notices a changed dict."""
    policy: dict[str, Any] = {"Version": "2012-10-17", "Statement": [allow(ALICE, "kms:Decrypt")]}
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).allowed
    policy["Statement"][0]["Effect"] = "Deny"
    assert decide(ALICE, "kms:Decrypt", key_policy=policy).effect == "ExplicitDeny"
    single = {"Statement": allow(ALICE, "kms:Decrypt")}
    assert decide(ALICE, "kms:Decrypt", key_policy=single).allowed


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[]",
        '{"Statement": []}',
        '{"Version": "2012-10-17"}',
        '{"Statement": [{"Effect": "allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": 5, "Resource": "*"}]}',
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", "Foo": 1}]}',
        '{"Version": "2013-01-01", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}',
    ],
)
def test_malformed_key_policy_raises(bad: str) -> None:
    """Unreadable documents raise MalformedPolicyDocumentException, never a Python error."""
    with pytest.raises(MalformedPolicyDocumentException):
        decide(ALICE, "kms:Decrypt", key_policy=bad)


def test_identity_policy_must_not_name_a_principal() -> None:
    """Identity policies have no Principal element. Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    with pytest.raises(MalformedPolicyDocumentException, match="principal"):
        decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, identity_policies=[doc(allow(ALICE))])


def test_unknown_principal_strings_are_simply_not_allowed() -> None:
    """Odd principal strings never crash the evaluator."""
    for principal in ("", "nobody", "arn:aws:iam::bad:user/x", "arn:aws:sts::111122223333:assumed-role/"):
        d = decide(principal, "kms:Decrypt", key_policy=doc(allow(ALICE)))
        assert d.effect == "ImplicitDeny"
        d.to_dict()


def test_retire_grant_is_authorized_by_the_grant_not_the_key_policy() -> None:
    """RetireGrant: the retiring principal, the grantee if the grant lists RetireGrant, or the key's account;
    "kms:RetireGrant in a key policy is not effective". Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html#grant-delete"""
    g = grant(GranteePrincipal=BOB, RetiringPrincipal=APP, Operations=["Decrypt"])
    kp = doc(allow(ROOT), allow(ALICE, "kms:RetireGrant"))
    retiring = decide(APP_SESSION, "kms:RetireGrant", key_policy=kp, grants=[g])
    assert retiring.allowed and retiring.granting_grant_id == "g-1"
    assert not decide(BOB, "kms:RetireGrant", key_policy=kp, grants=[g]).allowed
    assert decide(
        BOB, "kms:RetireGrant", key_policy=kp, grants=[{**g, "Operations": ["RetireGrant"]}]
    ).allowed
    assert not decide(ALICE, "kms:RetireGrant", key_policy=kp, grants=[g]).allowed
    assert decide(ROOT, "kms:RetireGrant", key_policy=NO_ACCESS, grants=[g]).allowed
    iam = doc(allow(action="kms:RetireGrant", resource="*"))
    assert decide(ALICE, "kms:RetireGrant", key_policy=NO_ACCESS, grants=[g], identity_policies=[iam]).allowed
    assert not decide(
        EXT_USER, "kms:RetireGrant", key_policy=NO_ACCESS, grants=[g], identity_policies=[iam]
    ).allowed
    denied = doc(allow(ROOT), deny(APP, "kms:RetireGrant"))
    assert decide(APP_SESSION, "kms:RetireGrant", key_policy=denied, grants=[g]).effect == "ExplicitDeny"


def test_iam_only_resource_in_another_account_is_never_allowed() -> None:
    """Only IAM policies govern an alias resource, and nothing in the other account can let a foreign principal
    in (no resource policy). Source: https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html"""
    iam = doc(allow(action="kms:CreateAlias", resource="*"))
    d = decide(EXT_USER, "kms:CreateAlias", resource=ALIAS_ARN, identity_policies=[iam])
    assert d.effect == "ImplicitDeny" and d.reason == "cross-account-unsupported"
    assert decide(EXT_ROOT, "kms:CreateAlias", resource=ALIAS_ARN).effect == "ImplicitDeny"


def test_single_policy_arguments_are_accepted() -> None:
    """One identity policy or one grant may be passed without a list."""
    assert decide(
        ALICE, "kms:Decrypt", key_policy=default_key_policy(ACCT), identity_policies=IAM_ALLOW_USE
    ).allowed
    assert decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, grants=grant()).allowed  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decide(ALICE, "kms:Decrypt", key_policy=NO_ACCESS, context=[("a", "b")])  # type: ignore[arg-type]


def test_near_miss_explains_alias_arn_in_resource() -> None:
    """ "When an alias is the value of a resource element, the policy applies to the alias resource, not to any
    KMS key" -- the explanation says so. Source: https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html"""
    iam = doc(allow(action="kms:Decrypt", resource=ALIAS_ARN))
    d = decide(ALICE, "kms:Decrypt", key_policy=default_key_policy(ACCT), identity_policies=[iam])
    (resource_miss,) = [n for n in d.near_misses if n.element == "Resource"]
    assert "alias ARN" in resource_miss.detail
    action_miss = decide(ALICE, "kms:creategrant", key_policy=doc(allow(ALICE, "kms:Decrypt"))).near_misses[0]
    assert action_miss.detail.endswith("does not include kms:CreateGrant")
