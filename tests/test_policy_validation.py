"""Key-policy validation (CreateKey / PutKeyPolicy) and the policy-lockout safety check."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kmssim._errors import LimitExceededException, MalformedPolicyDocumentException, ValidationException
from kmssim._policy import (
    INVALID_PRINCIPALS_MESSAGE,
    KEY_POLICY_MAX_BYTES,
    LOCKOUT_MESSAGE,
    NOT_PERMITTED_CONDITION_KEYS_MESSAGE,
    aws_managed_key_policy,
    console_key_policy,
    default_key_policy,
    ensure_lockout_safe,
    lockout_check_passes,
    validate_key_policy,
)

ACCT = "111122223333"
ROOT = f"arn:aws:iam::{ACCT}:root"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
ADMIN = f"arn:aws:iam::{ACCT}:role/Admin"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PUT_URL = "https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html"


def policy(*statements: dict[str, Any], **top: Any) -> str:
    body: dict[str, Any] = {"Version": "2012-10-17", "Statement": list(statements)}
    body.update(top)
    return json.dumps(body)


def stmt(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def validate(text: str, **kw: Any) -> None:
    validate_key_policy(text, account_id=ACCT, **kw)


def test_generated_policies_are_valid() -> None:
    """The default, console and AWS managed key policies pass validation. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    validate(default_key_policy(ACCT))
    validate(console_key_policy(ACCT, [ADMIN], [ALICE]))
    validate(aws_managed_key_policy(ACCT, "s3", "us-east-1"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('"a string"', "JSON object"),
        (json.dumps({"Version": "2012-10-17"}), "Statement"),
        (policy(), "at least one statement"),
        (policy(stmt(Effect="allow")), "Effect"),
        (policy(stmt(Effect="Permit")), "Effect"),
        (policy(stmt(), Version="2013-10-17"), "Version"),
        (policy(stmt(), Extra=1), "unknown element"),
        (policy(stmt(Colour="blue")), "unknown element"),
        (policy(stmt(Principal=None)), "principals"),
        (policy(stmt(NotAction="kms:Decrypt")), "both Action and NotAction"),
        (policy(stmt(Action=["kms:Decrypt", 7])), "list of strings"),
        (policy(stmt(Action="Decrypt")), "service:action"),
        (policy(stmt(Resource="key/1234")), "ARN"),
        (policy(stmt(Condition={"StringEquals": "x"})), "condition"),
        (policy(stmt(Condition={"StringEqualz": {"kms:CallerAccount": ACCT}})), "unknown condition operator"),
        (
            policy(stmt(Condition={"NullIfExists": {"kms:CallerAccount": "true"}})),
            "unknown condition operator",
        ),
        (policy(stmt(Condition={"StringEquals": {"kms:CallerAccount": []}})), "non-empty list"),
        (
            policy(stmt(Condition={"StringEquals": {"kms:CallerAccount": {"a": 1}}})),
            "string, number or boolean",
        ),
        ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}', "more than once"),
    ],
)
def test_malformed_documents(text: str, fragment: str) -> None:
    """Syntactically or semantically incorrect policies raise MalformedPolicyDocumentException with a message that
    names the problem. Source: PUT_URL (Errors) and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"""
    with pytest.raises(MalformedPolicyDocumentException) as exc:
        validate(text)
    assert fragment.lower() in exc.value.message.lower()


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": f"arn:aws:iam::{ACCT}:group/Admins"},
        {"AWS": f"arn:aws:iam::{ACCT}:role/*"},
        {"AWS": "arn:aws:iam::*:root"},
        {"AWS": "not-an-arn"},
        {"AWS": "12345"},
        {"Service": "*"},
        {"Service": "not a service"},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {},
    ],
)
def test_invalid_principals(principal: dict[str, Any]) -> None:
    """Groups, partial wildcards and malformed ARNs are not valid principals: "Policy contains a statement with one
    or more invalid principals." Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    with pytest.raises(MalformedPolicyDocumentException) as exc:
        validate(policy(stmt(Principal=principal)))
    assert exc.value.message == INVALID_PRINCIPALS_MESSAGE


def test_valid_principal_forms() -> None:
    """Account ARN, bare account id, users, roles (with paths), role sessions, "*" and service principals.
    Source: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements"""
    for principal in (
        "*",
        {"AWS": "*"},
        {"AWS": ACCT},
        {"AWS": [ROOT, ALICE, f"arn:aws:iam::{ACCT}:role/path/to/Role"]},
        {"AWS": f"arn:aws:sts::{ACCT}:assumed-role/Role/session"},
        {"Service": "cloudtrail.amazonaws.com"},
    ):
        validate(policy(stmt(Principal=principal)))


def test_principals_must_exist() -> None:
    """Principals must exist and be visible to KMS. Source: PUT_URL (Policy parameter)."""
    known = {ALICE}
    text = policy(stmt(Principal={"AWS": [ROOT, ALICE, ADMIN]}))
    with pytest.raises(MalformedPolicyDocumentException, match="invalid principals"):
        validate(text, principal_exists=known.__contains__)
    known.add(ADMIN)
    validate(text, principal_exists=known.__contains__)


def test_not_principal_with_allow_is_rejected() -> None:
    """NotPrincipal "must be used with Deny" (choice REJECT_ALLOW_WITH_NOT_PRINCIPAL). Source:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    with pytest.raises(MalformedPolicyDocumentException, match="Deny"):
        validate(policy(stmt(Principal=None, NotPrincipal={"AWS": ALICE})))
    validate(policy(stmt(), stmt(Effect="Deny", Principal=None, NotPrincipal={"AWS": [ALICE, ROOT]})))


@pytest.mark.parametrize("key", ["aws:ResourceTag/Project", "AWS:resourcetag/x", "kms:ResourceAliases"])
def test_condition_keys_not_permitted_in_key_policies(key: str) -> None:
    """aws:ResourceTag and kms:ResourceAliases are not permitted in key policies (AWS event quoted in
    awsdocs/aws-kms-developer-guide PR #47; https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases)."""
    text = policy(stmt(Condition={"ForAnyValue:StringEquals": {key: "x"}}))
    with pytest.raises(MalformedPolicyDocumentException) as exc:
        validate(text)
    assert exc.value.message == NOT_PERMITTED_CONDITION_KEYS_MESSAGE


@pytest.mark.parametrize("key", ["kms:EncryptionContext:Department", "aws:RequestTag/Env"])
def test_for_all_values_with_single_valued_key_is_rejected(key: str) -> None:
    """ForAllValues with kms:EncryptionContext:<key> (or aws:RequestTag/<key>) fails as OverlyPermissiveCondition.
    Source: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context"""
    with pytest.raises(MalformedPolicyDocumentException, match="OverlyPermissiveCondition"):
        validate(policy(stmt(Condition={"ForAllValues:StringEquals": {key: "x"}})))
    validate(policy(stmt(Condition={"StringEquals": {key: "x"}})))


def test_statements_without_action_or_resource_are_accepted() -> None:
    """Missing Resource or Action: the API succeeds and the statement is ineffective. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    validate(policy(stmt(Action=None)))
    validate(policy(stmt(Resource=None)))


def test_sid_may_contain_spaces_and_repeat() -> None:
    """Sid may contain spaces in key policies; uniqueness is not documented (REJECT_DUPLICATE_SIDS)."""
    validate(policy(stmt(Sid="Enable IAM User Permissions"), stmt(Sid="Enable IAM User Permissions")))


def test_size_quota_is_32_kb() -> None:
    """32 KB (32,768 bytes) key policy quota; over it is LimitExceededException. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html and PUT_URL."""
    assert KEY_POLICY_MAX_BYTES == 32768
    base = policy(stmt(Sid=""))
    pad = KEY_POLICY_MAX_BYTES - len(base.encode())
    exact = policy(stmt(Sid="x" * pad))
    assert len(exact.encode()) == KEY_POLICY_MAX_BYTES
    validate(exact)
    with pytest.raises(LimitExceededException):
        validate(policy(stmt(Sid="x" * (pad + 1))))
    # Latin-1 characters are allowed but take two bytes in UTF-8.
    with pytest.raises(LimitExceededException):
        validate(policy(stmt(Sid="é" * (pad // 2 + 1))))


@pytest.mark.parametrize("text", ["", "{\u0000}", '{"Statement": "\u20ac"}', "\u0100"])
def test_characters_outside_the_pattern_fail_parameter_validation(text: str) -> None:
    """Policy pattern ``[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+``; violations are parameter-validation errors
    (choice INVALID_CHARACTERS_EXCEPTION). Source: PUT_URL (Policy: Pattern)."""
    with pytest.raises(ValidationException, match="regular expression pattern"):
        validate(text)


def test_tabs_newlines_and_latin1_are_allowed() -> None:
    """Tab, LF, CR and Latin-1 are within the pattern. Source: PUT_URL."""
    validate("{\t\r\n" + policy(stmt(Sid="café"))[1:])


def test_non_string_policy_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocumentException):
        validate_key_policy(None, account_id=ACCT)  # type: ignore[arg-type]


# -- Lockout safety check ---------------------------------------------------------------------------------------

LOCKOUT_CTX: dict[str, object] = {}


def test_lockout_check_passes_for_default_policy_and_root() -> None:
    """The default policy lets the root user call PutKeyPolicy later. Source: PUT_URL
    (BypassPolicyLockoutSafetyCheck)."""
    assert lockout_check_passes(
        default_key_policy(ACCT), principal=ROOT, identity_policies=[], context=LOCKOUT_CTX
    )


def test_lockout_check_fails_when_the_caller_loses_put_key_policy() -> None:
    """ "The key policy must allow the calling principal to make a subsequent PutKeyPolicy request". Source: PUT_URL."""
    locked = policy(stmt(Principal={"AWS": ALICE}, Action="kms:Decrypt"))
    assert not lockout_check_passes(locked, principal=ROOT, identity_policies=[], context=LOCKOUT_CTX)
    with pytest.raises(MalformedPolicyDocumentException) as exc:
        ensure_lockout_safe(locked, principal=ROOT, identity_policies=[], context=LOCKOUT_CTX)
    assert (
        exc.value.message
        == LOCKOUT_MESSAGE
        == ("The new key policy will not allow you to update the key policy in the future.")
    )


def test_lockout_check_counts_iam_policies_only_through_the_account_principal() -> None:
    """The caller can get kms:PutKeyPolicy from an IAM policy only if the new key policy enables IAM policies.
    Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy)."""
    iam = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    )
    assert lockout_check_passes(
        default_key_policy(ACCT), principal=ADMIN, identity_policies=[iam], context={}
    )
    no_root = policy(stmt(Principal={"AWS": ALICE}))
    assert not lockout_check_passes(no_root, principal=ADMIN, identity_policies=[iam], context={})
    direct = policy(stmt(Principal={"AWS": ADMIN}, Action="kms:PutKeyPolicy"))
    assert lockout_check_passes(direct, principal=ADMIN, identity_policies=[], context={}, resource=KEY)
    denied = policy(stmt(), stmt(Effect="Deny", Principal={"AWS": ADMIN}, Action="kms:PutKeyPolicy"))
    assert not lockout_check_passes(denied, principal=ADMIN, identity_policies=[iam], context={})
