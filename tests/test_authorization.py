"""Every simulated call is authorized: key policies, IAM policies and grants, through the boto3 client.

Rules: https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

from .conftest import error_code, error_message

ACCOUNT = "111122223333"
OTHER = "444455556666"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/Bob"
APP = f"arn:aws:iam::{ACCOUNT}:role/App"
PARTNER = f"arn:aws:iam::{OTHER}:role/Partner"

USE_ANY_KEY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}
    ],
}


def _policy(*statements: dict[str, Any], root: bool = True) -> str:
    stmts = list(statements)
    if root:
        stmts.insert(
            0,
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
        )
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


@pytest.fixture
def world() -> tuple[kmssim.Simulator, Any, str]:
    sim = kmssim.Simulator(seed=10)
    sim.add_principal(ALICE, policies=[USE_ANY_KEY])
    sim.add_principal(BOB)
    sim.add_principal(APP)
    sim.add_principal(PARTNER, policies=[USE_ANY_KEY])
    admin = sim.client("kms")
    key = admin.create_key()["KeyMetadata"]["KeyId"]
    return sim, admin, key


def test_default_policy_enables_iam_policies(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, _, key = world
    alice = sim.client("kms", principal=ALICE)
    blob = alice.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert alice.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_no_identity_policy_is_an_implicit_deny(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, _, key = world
    bob = sim.client("kms", principal=BOB)
    with pytest.raises(ClientError) as e:
        bob.encrypt(KeyId=key, Plaintext=b"x")
    assert error_code(e) == "AccessDeniedException"
    message = error_message(e)
    assert BOB in message and "kms:Encrypt" in message and key in message
    last = sim.trail()[-1]
    assert last.error_code == "AccessDeniedException" and last.decision == "ImplicitDeny"


def test_without_root_statement_iam_policies_do_not_count(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    only_bob = _policy(
        {"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:*", "Resource": "*"}, root=False
    )
    admin.put_key_policy(KeyId=key, Policy=only_bob, BypassPolicyLockoutSafetyCheck=True)
    alice = sim.client("kms", principal=ALICE)
    with pytest.raises(ClientError) as e:
        alice.encrypt(KeyId=key, Plaintext=b"x")
    assert error_code(e) == "AccessDeniedException"
    bob = sim.client("kms", principal=BOB)
    bob.encrypt(KeyId=key, Plaintext=b"x")
    # The root user has no implicit access to the key either.
    with pytest.raises(ClientError) as e:
        admin.describe_key(KeyId=key)
    assert error_code(e) == "AccessDeniedException"


def test_explicit_deny_wins(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    deny = {"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*"}
    admin.put_key_policy(KeyId=key, Policy=_policy(deny))
    alice = sim.client("kms", principal=ALICE)
    blob = alice.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        alice.decrypt(CiphertextBlob=blob)
    assert "explicit deny" in error_message(e)
    assert sim.trail()[-1].decision == "ExplicitDeny"


def test_encryption_context_condition(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": APP},
        "Action": ["kms:Encrypt", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "blue"}},
    }
    admin.put_key_policy(KeyId=key, Policy=_policy(allow))
    app = sim.client("kms", principal=APP)
    app.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"tenant": "blue"})
    with pytest.raises(ClientError) as e:
        app.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"tenant": "red"})
    assert error_code(e) == "AccessDeniedException"


def test_via_service_and_source_ip_from_client_context(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": APP},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }
    deny_ip = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:ViaAWSService": "false"}},
    }
    # The lockout check evaluates the new policy for this very call: from outside 10.0.0.0/8 it would lock us out.
    with pytest.raises(admin.exceptions.MalformedPolicyDocumentException):
        admin.put_key_policy(KeyId=key, Policy=_policy(allow, deny_ip))
    inside = sim.client("kms", context={"aws:SourceIp": "10.9.9.9"})
    inside.put_key_policy(KeyId=key, Policy=_policy(allow, deny_ip))
    blob = sim.client("kms", context={"aws:SourceIp": "10.1.2.3"}).encrypt(KeyId=key, Plaintext=b"x")[
        "CiphertextBlob"
    ]
    via_s3 = sim.client("kms", principal=APP, context={"kms:ViaService": "s3.us-east-1.amazonaws.com"})
    assert via_s3.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    direct = sim.client("kms", principal=APP, context={"aws:SourceIp": "10.1.2.3"})
    with pytest.raises(ClientError):
        direct.decrypt(CiphertextBlob=blob)
    outside = sim.client("kms", context={"aws:SourceIp": "203.0.113.9"})
    with pytest.raises(ClientError) as e:
        outside.describe_key(KeyId=key)
    assert "explicit deny" in error_message(e)


def test_cross_account_needs_both_sides(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    arn = admin.describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    partner = sim.client("kms", principal=PARTNER)
    with pytest.raises(ClientError) as e:
        partner.encrypt(KeyId=arn, Plaintext=b"x")
    assert error_code(e) == "AccessDeniedException"
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": "kms:Encrypt",
        "Resource": "*",
    }
    admin.put_key_policy(KeyId=key, Policy=_policy(trust))
    assert partner.encrypt(KeyId=arn, Plaintext=b"x")["KeyId"] == arn
    # The key policy trusts the account, but a principal there without an IAM allow is still denied.
    sim.add_principal(f"arn:aws:iam::{OTHER}:user/NoPolicy")
    stranger = sim.client("kms", principal=f"arn:aws:iam::{OTHER}:user/NoPolicy")
    with pytest.raises(ClientError):
        stranger.encrypt(KeyId=arn, Plaintext=b"x")


def test_grant_allows_on_its_own_with_constraints(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    grant = admin.create_grant(
        KeyId=key,
        GranteePrincipal=BOB,
        Operations=["Encrypt", "Decrypt"],
        Constraints={"EncryptionContextSubset": {"Project": "x"}},
        Name="bob-x",
    )
    bob = sim.client("kms", principal=BOB)
    blob = bob.encrypt(KeyId=key, Plaintext=b"g", EncryptionContext={"project": "x", "other": "1"})[
        "CiphertextBlob"
    ]
    assert (
        bob.decrypt(CiphertextBlob=blob, EncryptionContext={"project": "x", "other": "1"})["Plaintext"]
        == b"g"
    )
    with pytest.raises(ClientError):
        bob.encrypt(KeyId=key, Plaintext=b"g", EncryptionContext={"project": "y"})
    with pytest.raises(ClientError):
        bob.describe_key(KeyId=key)  # not a granted operation
    listed = admin.list_grants(KeyId=key)["Grants"]
    assert [g["GrantId"] for g in listed] == [grant["GrantId"]]
    assert "GrantToken" not in listed[0]
    # Same name and parameters: the same grant again, with a new token.
    again = admin.create_grant(
        KeyId=key,
        GranteePrincipal=BOB,
        Operations=["Encrypt", "Decrypt"],
        Constraints={"EncryptionContextSubset": {"Project": "x"}},
        Name="bob-x",
    )
    assert again["GrantId"] == grant["GrantId"] and again["GrantToken"] != grant["GrantToken"]
    admin.revoke_grant(KeyId=key, GrantId=grant["GrantId"])
    with pytest.raises(ClientError):
        bob.encrypt(KeyId=key, Plaintext=b"g", EncryptionContext={"project": "x"})


def test_grant_operations_must_fit_the_key(world: tuple[kmssim.Simulator, Any, str]) -> None:
    _, admin, key = world
    with pytest.raises(ClientError) as e:
        admin.create_grant(KeyId=key, GranteePrincipal=BOB, Operations=["Sign"])
    assert error_code(e) == "ValidationException"


def test_retire_grant_rules(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    arn = admin.describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    g = admin.create_grant(KeyId=key, GranteePrincipal=BOB, RetiringPrincipal=APP, Operations=["Decrypt"])
    bob = sim.client("kms", principal=BOB)
    with pytest.raises(ClientError) as e:
        bob.retire_grant(GrantToken=g["GrantToken"])  # grantee without the RetireGrant operation
    assert error_code(e) == "AccessDeniedException"
    retirable = admin.list_retirable_grants(RetiringPrincipal=APP)["Grants"]
    assert [r["GrantId"] for r in retirable] == [g["GrantId"]]
    sim.client("kms", principal=APP).retire_grant(KeyId=arn, GrantId=g["GrantId"])
    assert admin.list_grants(KeyId=key)["Grants"] == []
    with pytest.raises(admin.exceptions.InvalidGrantTokenException):
        admin.retire_grant(GrantToken=g["GrantToken"])


def test_grant_holder_delegates_only_what_it_has(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    admin.create_grant(KeyId=key, GranteePrincipal=BOB, Operations=["Decrypt", "CreateGrant"])
    bob = sim.client("kms", principal=BOB)
    bob.create_grant(KeyId=key, GranteePrincipal=APP, Operations=["Decrypt"])
    with pytest.raises(ClientError) as e:
        bob.create_grant(KeyId=key, GranteePrincipal=APP, Operations=["Encrypt"])
    assert error_code(e) == "AccessDeniedException"


def test_lockout_safety_check(world: tuple[kmssim.Simulator, Any, str]) -> None:
    _, admin, key = world
    only_bob = _policy(
        {"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "kms:*", "Resource": "*"}, root=False
    )
    with pytest.raises(admin.exceptions.MalformedPolicyDocumentException) as e:
        admin.put_key_policy(KeyId=key, Policy=only_bob)
    assert "will not allow you to update the key policy in the future" in error_message(e)
    with pytest.raises(admin.exceptions.MalformedPolicyDocumentException):
        admin.create_key(Policy=only_bob)
    assert admin.get_key_policy(KeyId=key)["Policy"] != only_bob


def test_malformed_and_oversized_policies(world: tuple[kmssim.Simulator, Any, str]) -> None:
    _, admin, key = world
    with pytest.raises(admin.exceptions.MalformedPolicyDocumentException):
        admin.put_key_policy(
            KeyId=key, Policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}'
        )
    padding = {
        "Sid": "pad",
        "Effect": "Allow",
        "Principal": {"AWS": BOB},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    big = json.loads(_policy())
    big["Statement"] += [dict(padding, Sid=f"pad{i}") for i in range(300)]
    with pytest.raises(admin.exceptions.LimitExceededException):
        admin.put_key_policy(KeyId=key, Policy=json.dumps(big))


def test_default_key_policy_text(world: tuple[kmssim.Simulator, Any, str]) -> None:
    _, admin, key = world
    out = admin.get_key_policy(KeyId=key)
    assert out["PolicyName"] == "default"
    doc = json.loads(out["Policy"])
    assert doc["Id"] == "key-default-1"
    assert doc["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert admin.list_key_policies(KeyId=key)["PolicyNames"] == ["default"]


def test_aws_managed_key_refuses_customer_management(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, _ = world
    managed = admin.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["KeyId"]
    for call in (
        lambda: admin.put_key_policy(KeyId=managed, Policy=_policy()),
        lambda: admin.schedule_key_deletion(KeyId=managed),
        lambda: admin.disable_key(KeyId=managed),
        lambda: admin.create_alias(AliasName="alias/mine", TargetKeyId=managed),
        lambda: admin.encrypt(KeyId=managed, Plaintext=b"x"),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "AccessDeniedException"
    via_ebs = sim.client("kms", context={"kms:ViaService": "ec2.us-east-1.amazonaws.com"})
    assert via_ebs.encrypt(KeyId="alias/aws/ebs", Plaintext=b"x")["KeyId"].endswith(managed)


def test_permissions_table_and_matrix(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, _, key = world
    table = sim.permissions(BOB, key, actions=["kms:Encrypt", "kms:DescribeKey"])
    assert list(table["decision"]) == ["ImplicitDeny", "ImplicitDeny"]
    matrix = sim.access_matrix(key, [ALICE, BOB], actions=["kms:Encrypt", "kms:ScheduleKeyDeletion"])
    assert matrix.loc[ALICE, "kms:Encrypt"] == "Allow"
    assert matrix.loc[ALICE, "kms:ScheduleKeyDeletion"] == "ImplicitDeny"
    assert matrix.loc[BOB, "kms:Encrypt"] == "ImplicitDeny"


def test_reencrypt_is_authorized_on_both_keys_with_their_own_context(
    world: tuple[kmssim.Simulator, Any, str],
) -> None:
    sim, admin, source = world
    dest = admin.create_key()["KeyMetadata"]["KeyId"]
    to_dest = {
        "Effect": "Allow",
        "Principal": {"AWS": APP},
        "Action": "kms:ReEncryptTo",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:side": "destination"}},
    }
    from_source = {
        "Effect": "Allow",
        "Principal": {"AWS": APP},
        "Action": "kms:ReEncryptFrom",
        "Resource": "*",
    }
    admin.put_key_policy(KeyId=dest, Policy=_policy(to_dest))
    admin.put_key_policy(KeyId=source, Policy=_policy(from_source))
    blob = admin.encrypt(KeyId=source, Plaintext=b"r", EncryptionContext={"side": "source"})["CiphertextBlob"]
    app = sim.client("kms", principal=APP)
    out = app.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"side": "source"},
        DestinationKeyId=dest,
        DestinationEncryptionContext={"side": "destination"},
    )
    assert out["KeyId"].endswith(dest)
    with pytest.raises(ClientError) as e:
        app.re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext={"side": "source"},
            DestinationKeyId=dest,
            DestinationEncryptionContext={"side": "elsewhere"},
        )
    assert "kms:ReEncryptTo" in error_message(e)


def test_lockout_check_evaluates_this_key_with_the_callers_context() -> None:
    sim = kmssim.Simulator(seed=11, region="eu-west-1")
    admin = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
    sim.add_principal(
        admin,
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "kms:*",
                        "Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*",
                        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "crypto"}},
                    },
                ],
            }
        ],
        tags={"team": "crypto"},
    )
    kms = sim.client("kms", principal=admin)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=key, Policy=kms.get_key_policy(KeyId=key)["Policy"])  # passes the lockout check
    kms.create_key(Policy=_policy())


def test_retire_grant_is_decided_by_the_engine() -> None:
    sim = kmssim.Simulator(seed=12)
    retirer = f"arn:aws:iam::{ACCOUNT}:role/Retirer"
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/Retirer/s1"
    admin = sim.client("kms")
    key = admin.create_key()["KeyMetadata"]["KeyId"]
    g1 = admin.create_grant(
        KeyId=key, GranteePrincipal=BOB, RetiringPrincipal=retirer, Operations=["Decrypt"]
    )
    sim.client("kms", principal=session).retire_grant(GrantToken=g1["GrantToken"])  # a session of the role
    denier = f"arn:aws:iam::{ACCOUNT}:user/Denier"
    sim.add_principal(
        denier,
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "kms:RetireGrant", "Resource": "*"}],
            }
        ],
    )
    g2 = admin.create_grant(KeyId=key, GranteePrincipal=BOB, RetiringPrincipal=denier, Operations=["Decrypt"])
    with pytest.raises(ClientError) as e:
        sim.client("kms", principal=denier).retire_grant(GrantToken=g2["GrantToken"])
    assert error_code(e) == "AccessDeniedException" and "explicit deny" in error_message(e)


def test_create_grant_decision_depends_on_the_requested_operations(
    world: tuple[kmssim.Simulator, Any, str],
) -> None:
    sim, admin, key = world
    admin.create_grant(KeyId=key, GranteePrincipal=BOB, Operations=["CreateGrant", "Decrypt"])
    ok = sim.decide(BOB, "kms:CreateGrant", key, request={"GranteePrincipal": APP, "Operations": ["Decrypt"]})
    bad = sim.decide(
        BOB, "kms:CreateGrant", key, request={"GranteePrincipal": APP, "Operations": ["Encrypt"]}
    )
    assert (ok.effect, bad.effect) == ("Allow", "ImplicitDeny")


def test_reencrypt_on_same_key_is_judged_on_resolved_keys(world: tuple[kmssim.Simulator, Any, str]) -> None:
    sim, admin, key = world
    admin.create_alias(AliasName="alias/same", TargetKeyId=key)
    deny_same = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "kms:ReEncrypt*",
                "Resource": "*",
                "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}},
            },
        ],
    }
    sim.add_principal(APP, policies=[deny_same])
    app = sim.client("kms", principal=APP)
    blob = app.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    arn = admin.describe_key(KeyId=key)["KeyMetadata"]["Arn"]
    for destination in (key, arn, "alias/same"):
        with pytest.raises(ClientError) as e:
            app.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
        assert "explicit deny" in error_message(e)
    other = admin.create_key()["KeyMetadata"]["KeyId"]
    app.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other)


def test_key_policy_cannot_grant_iam_only_actions() -> None:
    policy = _policy(
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}, root=False
    )
    for action, resource in (
        ("kms:CreateKey", "*"),
        ("kms:ListKeys", "*"),
        ("kms:CreateAlias", f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x"),
    ):
        decision = kmssim.evaluate(key_policy=policy, principal=ALICE, action=action, resource=resource)
        assert decision.effect == "ImplicitDeny", action


def test_grant_is_for_aws_resource_through_a_service() -> None:
    from kmssim._policy import console_key_policy

    sim = kmssim.Simulator(seed=13)
    user = f"arn:aws:iam::{ACCOUNT}:role/Ec2User"
    sim.add_principal(user)
    admin = sim.client("kms")
    policy = console_key_policy(ACCOUNT, admins=[], users=[user])
    key = admin.create_key(Policy=policy)["KeyMetadata"]["KeyId"]
    direct = sim.client("kms", principal=user)
    with pytest.raises(ClientError):
        direct.create_grant(KeyId=key, GranteePrincipal=APP, Operations=["Decrypt"])
    via_ec2 = sim.client("kms", principal=user, context={"kms:ViaService": "ec2.us-east-1.amazonaws.com"})
    via_ec2.create_grant(KeyId=key, GranteePrincipal=APP, Operations=["Decrypt"])
