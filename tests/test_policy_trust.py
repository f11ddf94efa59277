"""Regression tests for the permission-engine defects of issue 7 ("Trust first"): wrong Allow decisions.

Each test failed on the engine before the fix. Sources:

* Action / NotAction: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  (a list entry names one action; ``*`` and ``?`` are the only wildcards).
* Resource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
* Principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
* Condition operators (a key's values are ORed, a negated operator must match none of them, Like wildcards):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* Policy variables with no value:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
* KMS permission names:
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kmssim
from kmssim._policy import DOCUMENTED_CHOICES, evaluate
from kmssim.apps.policy_lab import LabSetup, lab_decision, lab_matrix

ACCT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = f"arn:aws:iam::{ACCT}:root"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
ADMIN = f"arn:aws:iam::{ACCT}:role/Admin"
OPS = f"arn:aws:iam::{ACCT}:role/Ops"
ADMIN_EVIL = f"arn:aws:iam::{ACCT}:role/Admin-evil"

#: The key policy statement that lets IAM policies of the account decide (the default key policy's first one).
ENABLE_IAM = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def effect(action: str, principal: str = ALICE, **kwargs: Any) -> str:
    return evaluate(principal=principal, action=action, resource=KEY, **kwargs).effect


# -- 1. list entries are whole patterns, never prefixes ------------------------------------------------------


def test_action_list_entry_does_not_match_a_longer_action() -> None:
    """``["kms:EnableKey", "kms:Encrypt"]`` allows EnableKey and Encrypt, not EnableKeyRotation (issue 7)."""
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": ["kms:EnableKey", "kms:Encrypt"],
            "Resource": "*",
        }
    )
    assert effect("kms:EnableKey", key_policy=policy) == "Allow"
    assert effect("kms:Encrypt", key_policy=policy) == "Allow"
    assert effect("kms:EnableKeyRotation", key_policy=policy) == "ImplicitDeny"


def test_verify_in_a_list_does_not_allow_verify_mac() -> None:
    """``["kms:Verify", "kms:Sign"]`` does not allow kms:VerifyMac (issue 7)."""
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": ["kms:Verify", "kms:Sign"],
            "Resource": "*",
        }
    )
    assert effect("kms:Verify", key_policy=policy) == "Allow"
    assert effect("kms:VerifyMac", key_policy=policy) == "ImplicitDeny"


def test_identity_policy_action_list_is_anchored_too() -> None:
    """The same rule in an IAM policy reached through the key policy's account-principal statement."""
    iam = doc({"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"})
    assert effect("kms:GenerateDataKey", key_policy=doc(ENABLE_IAM), identity_policies=[iam]) == "Allow"
    for longer in ("kms:GenerateDataKeyPair", "kms:GenerateDataKeyWithoutPlaintext"):
        assert effect(longer, key_policy=doc(ENABLE_IAM), identity_policies=[iam]) == "ImplicitDeny"


def test_not_action_list_excludes_only_the_listed_actions() -> None:
    """A Deny with ``NotAction ["kms:EnableKey", "kms:Encrypt"]`` still denies kms:EnableKeyRotation."""
    policy = doc(
        ENABLE_IAM,
        {
            "Effect": "Deny",
            "Principal": {"AWS": ROOT},
            "NotAction": ["kms:EnableKey", "kms:Encrypt"],
            "Resource": "*",
        },
    )
    assert effect("kms:EnableKey", principal=ROOT, key_policy=policy) == "Allow"
    assert effect("kms:EnableKeyRotation", principal=ROOT, key_policy=policy) == "ExplicitDeny"


def test_resource_list_entry_does_not_match_a_longer_arn() -> None:
    """``Resource [key/1234..., ...]`` does not cover a key whose ID merely starts with a listed one."""
    other = f"arn:aws:kms:us-east-1:{ACCT}:key/0000"
    iam = doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [KEY[:-4], other]})
    assert effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[iam]) == "ImplicitDeny"
    iam_whole = doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [other, KEY]})
    assert effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[iam_whole]) == "Allow"


def test_principal_list_entry_does_not_match_a_longer_name() -> None:
    """``Principal {"AWS": [role/Admin, role/Ops]}`` names exactly those roles, not role/Admin-evil."""
    policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": [ADMIN, OPS]}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    assert effect("kms:Decrypt", principal=ADMIN, key_policy=policy) == "Allow"
    assert effect("kms:Decrypt", principal=ADMIN_EVIL, key_policy=policy) == "ImplicitDeny"


def test_string_like_list_does_not_match_a_value_that_only_starts_with_an_entry() -> None:
    """``StringLike {"kms:EncryptionContext:dept": ["fin", "hr"]}`` does not match ``finance`` (issue 7)."""
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringLike": {"kms:EncryptionContext:dept": ["fin", "hr"]}},
        }
    )
    assert effect("kms:Decrypt", key_policy=policy, context={"kms:EncryptionContext:dept": "hr"}) == "Allow"
    assert effect("kms:Decrypt", key_policy=policy, context={"kms:EncryptionContext:dept": "fin"}) == "Allow"
    for value in ("finance", "hrx", "xfin"):
        got = effect("kms:Decrypt", key_policy=policy, context={"kms:EncryptionContext:dept": value})
        assert got == "ImplicitDeny", value


def test_string_not_like_principal_arn_deny_covers_a_lookalike_role() -> None:
    """A Deny with ``StringNotLike aws:PrincipalArn [role/Admin, role/Ops]`` denies role/Admin-evil (issue 7)."""
    policy = doc(
        ENABLE_IAM,
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"StringNotLike": {"aws:PrincipalArn": [ADMIN, OPS]}},
        },
    )
    iam = doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert effect("kms:Decrypt", principal=ADMIN, key_policy=policy, identity_policies=[iam]) == "Allow"
    assert effect("kms:Decrypt", principal=OPS, key_policy=policy, identity_policies=[iam]) == "Allow"
    assert (
        effect("kms:Decrypt", principal=ADMIN_EVIL, key_policy=policy, identity_policies=[iam])
        == "ExplicitDeny"
    )


def test_list_anchoring_through_the_simulator() -> None:
    """End to end: the real EnableKeyRotation call is refused with AWS's AccessDeniedException."""
    sim = kmssim.Simulator(seed=3)
    kms = sim.client("kms")
    alice = f"arn:aws:iam::{sim.account_id}:user/Alice"
    root = f"arn:aws:iam::{sim.account_id}:root"
    sim.add_principal(alice)
    policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": alice},
            "Action": ["kms:EnableKey", "kms:Encrypt"],
            "Resource": "*",
        },
    )
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    assert sim.decide(alice, "kms:EnableKeyRotation", key_id).effect == "ImplicitDeny"
    as_alice = sim.client("kms", principal=alice)
    as_alice.enable_key(KeyId=key_id)
    with pytest.raises(as_alice.exceptions.ClientError) as info:
        as_alice.enable_key_rotation(KeyId=key_id)
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"


def test_unicode_digits_are_not_an_account_id_or_a_number() -> None:
    """Account IDs are 12 ASCII digits; numbers and dates in conditions are ASCII too (Python's ``\\d`` is not)."""
    arabic = "١١١١٢٢٢٢٣٣٣٣"  # twelve Arabic-Indic digits
    policy = doc({"Effect": "Allow", "Principal": {"AWS": arabic}, "Action": "kms:Decrypt", "Resource": "*"})
    assert effect("kms:Decrypt", principal=ROOT, key_policy=policy) == "ImplicitDeny"
    numeric = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*",
            "Condition": {"NumericEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "٣٠"}},
        }
    )
    ctx = {"kms:ScheduleKeyDeletionPendingWindowInDays": 30}
    assert (
        effect("kms:ScheduleKeyDeletion", principal=ROOT, key_policy=numeric, context=ctx) == "ImplicitDeny"
    )


# -- 2. ForAnyValue:...IfExists on a missing key -------------------------------------------------------------


FOR_ANY_IF_EXISTS = doc(ENABLE_IAM)
EC_KEYS_IAM = doc(
    {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"ForAnyValue:StringEqualsIfExists": {"kms:EncryptionContextKeys": ["app"]}},
    }
)


def test_for_any_value_if_exists_is_false_on_a_missing_key() -> None:
    """A Decrypt with no encryption context is not allowed by ``ForAnyValue:StringEqualsIfExists`` (issue 7).

    The documented choice FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY (False) decides it.
    """
    assert DOCUMENTED_CHOICES["FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY"] is False
    kp = FOR_ANY_IF_EXISTS
    assert effect("kms:Decrypt", key_policy=kp, identity_policies=[EC_KEYS_IAM]) == "ImplicitDeny"
    empty = {"kms:EncryptionContextKeys": []}
    assert (
        effect("kms:Decrypt", key_policy=kp, identity_policies=[EC_KEYS_IAM], context=empty) == "ImplicitDeny"
    )
    present = {"kms:EncryptionContextKeys": ["app", "other"]}
    assert effect("kms:Decrypt", key_policy=kp, identity_policies=[EC_KEYS_IAM], context=present) == "Allow"
    wrong = {"kms:EncryptionContextKeys": ["other"]}
    assert (
        effect("kms:Decrypt", key_policy=kp, identity_policies=[EC_KEYS_IAM], context=wrong) == "ImplicitDeny"
    )


def test_for_any_value_if_exists_choice_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The constant is what decides: the other reading (True) allows the same request."""
    monkeypatch.setattr(kmssim.choices, "FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY", True)
    assert effect("kms:Decrypt", key_policy=FOR_ANY_IF_EXISTS, identity_policies=[EC_KEYS_IAM]) == "Allow"


def test_for_any_value_if_exists_through_a_real_decrypt() -> None:
    """End to end: Decrypt without an encryption context is refused for a principal with that IAM policy."""
    sim = kmssim.Simulator(seed=5)
    kms = sim.client("kms")
    app = f"arn:aws:iam::{sim.account_id}:role/App"
    sim.add_principal(app, policies=[EC_KEYS_IAM])
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    as_app = sim.client("kms", principal=app)
    with pytest.raises(as_app.exceptions.ClientError) as info:
        as_app.decrypt(CiphertextBlob=blob)
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"


# -- 4. an unresolvable policy variable under a negated operator ---------------------------------------------


UNRESOLVED = doc(
    {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/missing}"}},
    }
)
TEAM = {"aws:PrincipalTag/team": "blue"}


def test_unresolved_variable_under_a_negated_operator_follows_the_documented_rule() -> None:
    """AWS: "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value"
    (policy-vars-no-value); the choice UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR records it (True)."""
    assert DOCUMENTED_CHOICES["UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR"] is True
    assert (
        effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[UNRESOLVED], context=TEAM)
        == "Allow"
    )
    positive = doc(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/missing}"}},
        }
    )
    # "condition operators like StringEquals or StringLike do not match, and the policy statement does not take
    # effect"
    got = effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[positive], context=TEAM)
    assert got == "ImplicitDeny"


def test_unresolved_variable_choice_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other reading ("might cause the entire statement to be invalid") makes the statement not apply."""
    monkeypatch.setattr(kmssim.choices, "UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR", False)
    got = effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[UNRESOLVED], context=TEAM)
    assert got == "ImplicitDeny"
    resolved = {**TEAM, "aws:PrincipalTag/missing": "red"}
    assert (
        effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[UNRESOLVED], context=resolved)
        == "Allow"
    )
    not_resource = doc(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "NotResource": f"arn:aws:kms:us-east-1:{ACCT}:key/${{aws:PrincipalTag/missing}}",
        }
    )
    got = effect("kms:Decrypt", key_policy=doc(ENABLE_IAM), identity_policies=[not_resource], context=TEAM)
    assert got == "ImplicitDeny"


def test_new_choices_are_listed_in_the_readme() -> None:
    """Every documented choice of the engine is in the README's Choices table."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in (
        "FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY",
        "UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR",
    ):
        assert name in DOCUMENTED_CHOICES
        assert f"`{name}`" in readme


# -- 5. actions that are not KMS actions, principals that were never added -----------------------------------


@pytest.fixture
def sim_key() -> tuple[kmssim.Simulator, str]:
    sim = kmssim.Simulator(seed=9)
    return sim, sim.client("kms").create_key()["KeyMetadata"]["KeyId"]


def test_decide_refuses_a_misspelt_action(sim_key: tuple[kmssim.Simulator, str], tmp_path: Path) -> None:
    """``sim.decide(root, "kms:Encrpyt", key)`` used to answer Allow (through "kms:*"); now it is refused."""
    sim, key_id = sim_key
    root = f"arn:aws:iam::{sim.account_id}:root"
    before = tmp_path / "before.json"
    sim.save(before)
    with pytest.raises(
        kmssim.UnknownActionError,
        match=r"'kms:Encrpyt' is not a KMS action\. Did you mean "
        r"'kms:Encrypt'\?",
    ) as info:
        sim.decide(root, "kms:Encrpyt", key_id)
    assert isinstance(info.value, ValueError)
    after = tmp_path / "after.json"
    sim.save(after)
    assert before.read_bytes() == after.read_bytes()  # nothing changed, random stream included
    for bad in ("Encrypt", "kms:*", "kms:Encrypt*", "s3:GetObject", "kms:"):
        with pytest.raises(kmssim.UnknownActionError):
            sim.decide(root, bad, key_id)
    with pytest.raises(kmssim.UnknownActionError):
        sim.permissions(root, key_id, actions=["kms:Decrypt", "kms:Decrpyt"])
    with pytest.raises(kmssim.UnknownActionError):
        sim.access_matrix(key_id, [root], actions=["kms:Decrpyt"])


def test_action_names_are_case_insensitive(sim_key: tuple[kmssim.Simulator, str]) -> None:
    """IAM action names are case-insensitive; the decision names the canonical spelling."""
    sim, key_id = sim_key
    d = sim.decide(f"arn:aws:iam::{sim.account_id}:root", "KMS:encrypt", key_id)
    assert (d.effect, d.action) == ("Allow", "kms:Encrypt")


def test_evaluate_refuses_a_misspelt_action() -> None:
    with pytest.raises(kmssim.UnknownActionError, match="Did you mean 'kms:GenerateDataKey'"):
        evaluate(key_policy=doc(ENABLE_IAM), principal=ROOT, action="kms:GenerateDatakey2", resource=KEY)
    with pytest.raises(ValueError, match="is not a KMS action"):
        evaluate(key_policy=doc(ENABLE_IAM), principal=ROOT, action="iam:PassRole", resource=KEY)


def test_policy_lab_says_so_in_plain_words() -> None:
    """The policy lab's model shows the problem instead of a decision."""
    setup = LabSetup.default()
    outcome = lab_decision(setup, setup.principals[0], "kms:Encrpyt")
    assert outcome.decision is None
    assert outcome.error.startswith("Action: 'kms:Encrpyt' is not a KMS action. Did you mean 'kms:Encrypt'?")
    assert "no such permission" in outcome.error
    matrix = lab_matrix(setup, ["kms:Decrypt", "kms:Decrpyt"])
    assert matrix.matrix is None and "'kms:Decrpyt' is not a KMS action" in matrix.error


def test_unregistered_principal_gets_a_hint(sim_key: tuple[kmssim.Simulator, str]) -> None:
    """A principal never added has no IAM policies: the decision says so, and suggests a close registered ARN."""
    sim, key_id = sim_key
    alice = f"arn:aws:iam::{sim.account_id}:user/Alice"
    sim.add_principal(alice, policies=[doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})])
    typo = f"arn:aws:iam::{sim.account_id}:user/Alcie"
    d = sim.decide(typo, "kms:Decrypt", key_id)
    assert d.effect == "ImplicitDeny"
    assert len(d.hints) == 1 and "was never added" in d.hints[0] and f"Did you mean {alice}?" in d.hints[0]
    assert "Note: " + d.hints[0] in d.explain()
    assert d.to_dict()["hints"] == list(d.hints)
    assert "kmssim-hint" in d._repr_html_()
    assert sim.decide(alice, "kms:Decrypt", key_id).hints == ()
    assert sim.decide(f"arn:aws:iam::{sim.account_id}:root", "kms:Decrypt", key_id).hints == ()
    assert sim.decide("s3.amazonaws.com", "kms:Decrypt", key_id).hints == ()


def test_decide_refuses_a_principal_that_is_not_a_string(sim_key: tuple[kmssim.Simulator, str]) -> None:
    """A clear error instead of an AttributeError from the ARN parser."""
    sim, key_id = sim_key
    with pytest.raises(TypeError, match="principal must be an ARN string, not int"):
        sim.decide(5, "kms:Decrypt", key_id)  # type: ignore[arg-type]
