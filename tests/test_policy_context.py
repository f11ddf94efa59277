"""The request context (condition keys) the simulator derives for each call.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (KMS keys),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (global keys) and the Service
Authorization Reference for KMS (which keys each action supports).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kmssim._policy import build_request_context, default_key_policy, evaluate

ACCT = "111122223333"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALICE = f"arn:aws:iam::{ACCT}:user/engineering/Alice"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/AppRole/i-0abc"
NOW = datetime(2024, 2, 29, 13, 45, 10, tzinfo=UTC)
KEY: dict[str, object] = {
    "arn": KEY_ARN,
    "account": ACCT,
    "region": "eu-west-1",
    "key_spec": "SYMMETRIC_DEFAULT",
    "key_usage": "ENCRYPT_DECRYPT",
    "origin": "AWS_KMS",
    "multi_region": False,
    "tags": {"Project": "Alpha"},
    "aliases": ["alias/alpha", "alias/shared"],
}
CONDKMS = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"


def ctx(operation: str, request: dict[str, Any] | None = None, **kw: Any) -> dict[str, object]:
    args: dict[str, Any] = {"principal_arn": ALICE, "key": KEY, "request": request or {}, "now": NOW}
    args.update(kw)
    return build_request_context(operation=operation, **args)


def test_global_keys_about_the_principal_and_time() -> None:
    """aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:PrincipalTag/*,
    aws:SecureTransport, aws:CurrentTime and aws:EpochTime. Source: reference_policies_condition-keys.html."""
    c = ctx("DescribeKey", principal_tags={"team": "blue"})
    assert c["aws:PrincipalArn"] == ALICE
    assert c["aws:PrincipalAccount"] == ACCT
    assert c["aws:PrincipalType"] == "User"
    assert c["aws:username"] == "Alice"
    assert c["aws:PrincipalTag/team"] == "blue"
    assert c["aws:SecureTransport"] is True
    assert c["aws:CurrentTime"] == "2024-02-29T13:45:10Z"
    assert c["aws:EpochTime"] == int(NOW.timestamp())
    assert c["aws:ViaAWSService"] is False
    assert c["kms:CallerAccount"] == ACCT


def test_role_session_reports_the_role_arn_and_no_username() -> None:
    """For a role session aws:PrincipalArn is the role's ARN; aws:username exists only for IAM users.
    Source: reference_policies_condition-keys.html#condition-keys-principalarn."""
    c = ctx("DescribeKey", principal_arn=SESSION)
    assert c["aws:PrincipalArn"] == f"arn:aws:iam::{ACCT}:role/AppRole"
    assert c["aws:PrincipalType"] == "AssumedRole"
    assert "aws:username" not in c


def test_key_properties_and_resource_keys() -> None:
    """Key properties "work even when the parameter doesn't appear in the request"; aws:ResourceTag/* and
    kms:ResourceAliases describe the key. Source: CONDKMS#conditions-kms-key-spec, #conditions-kms-resource-aliases."""
    c = ctx("Encrypt", {"KeyId": KEY_ARN})
    assert (c["kms:KeySpec"], c["kms:KeyUsage"], c["kms:KeyOrigin"], c["kms:MultiRegion"]) == (
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        False,
    )
    assert c["kms:ResourceAliases"] == ["alias/alpha", "alias/shared"]
    assert c["aws:ResourceTag/Project"] == "Alpha"
    assert c["aws:RequestedRegion"] == "eu-west-1"


def test_encryption_context_keys_only_for_operations_that_take_one() -> None:
    """kms:EncryptionContext:<k> and kms:EncryptionContextKeys for Encrypt, Decrypt, GenerateDataKey*, ReEncrypt
    and CreateGrant. Source: CONDKMS#conditions-kms-encryption-context."""
    c = ctx("Encrypt", {"KeyId": KEY_ARN, "EncryptionContext": {"Department": "IT", "Count": 3}})
    assert c["kms:EncryptionContext:Department"] == "IT"
    assert c["kms:EncryptionContext:Count"] == "3"
    assert c["kms:EncryptionContextKeys"] == ["Department", "Count"]
    assert c["kms:EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    none = ctx("Encrypt", {"KeyId": KEY_ARN})
    assert "kms:EncryptionContextKeys" not in none
    sign = ctx(
        "Sign", {"KeyId": KEY_ARN, "EncryptionContext": {"a": "b"}, "SigningAlgorithm": "ECDSA_SHA_256"}
    )
    assert not any(k.startswith("kms:EncryptionContext") for k in sign)
    assert sign["kms:SigningAlgorithm"] == "ECDSA_SHA_256"
    assert sign["kms:MessageType"] == "RAW"


def test_request_alias_only_when_the_key_id_is_an_alias() -> None:
    """kms:RequestAlias is the alias name when KeyId is an alias name or alias ARN, absent for key IDs/ARNs.
    Source: CONDKMS#conditions-kms-request-alias."""
    assert ctx("Decrypt", {"KeyId": "alias/alpha"})["kms:RequestAlias"] == "alias/alpha"
    alias_arn = f"arn:aws:kms:eu-west-1:{ACCT}:alias/alpha"
    assert ctx("GenerateDataKey", {"KeyId": alias_arn})["kms:RequestAlias"] == "alias/alpha"
    assert "kms:RequestAlias" not in ctx("Decrypt", {"KeyId": KEY_ARN})
    assert "kms:RequestAlias" not in ctx("EnableKey", {"KeyId": "alias/alpha"})


def test_reencrypt_uses_the_source_or_destination_parameters() -> None:
    """ReEncrypt is authorized as ReEncryptFrom (source) and ReEncryptTo (destination). Source: CONDKMS and
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html"""
    request = {
        "SourceKeyId": "alias/old",
        "DestinationKeyId": "alias/new",
        "SourceEncryptionContext": {"v": "1"},
        "DestinationEncryptionContext": {"v": "2"},
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }
    src = ctx("ReEncryptFrom", request)
    dst = ctx("kms:ReEncryptTo", request)
    assert (src["kms:EncryptionContext:v"], src["kms:RequestAlias"]) == ("1", "alias/old")
    assert (dst["kms:EncryptionContext:v"], dst["kms:RequestAlias"]) == ("2", "alias/new")
    assert src["kms:ReEncryptOnSameKey"] is False
    assert ctx("ReEncrypt", request)["kms:RequestAlias"] == "alias/old"


def test_create_key_keys_come_from_the_request() -> None:
    """CreateKey: kms:KeySpec/KeyUsage/KeyOrigin/MultiRegion from the parameters (with their defaults),
    aws:RequestTag/* and aws:TagKeys from Tags, kms:BypassPolicyLockoutSafetyCheck. Source: CONDKMS."""
    c = ctx("CreateKey", {"Tags": [{"TagKey": "Env", "TagValue": "prod"}], "MultiRegion": True}, key=None)
    assert c["kms:KeySpec"] == "SYMMETRIC_DEFAULT" and c["kms:KeyUsage"] == "ENCRYPT_DECRYPT"
    assert c["kms:KeyOrigin"] == "AWS_KMS" and c["kms:MultiRegion"] is True
    assert c["kms:MultiRegionKeyType"] == "PRIMARY"
    assert c["aws:RequestTag/Env"] == "prod" and c["aws:TagKeys"] == ["Env"]
    assert c["kms:BypassPolicyLockoutSafetyCheck"] is False
    assert c["kms:CallerAccount"] == ACCT
    assert "aws:ResourceTag/Project" not in c


def test_tag_operations() -> None:
    """TagResource: aws:RequestTag/* and aws:TagKeys; UntagResource: aws:TagKeys. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html"""
    t = ctx("TagResource", {"KeyId": KEY_ARN, "Tags": [{"TagKey": "Owner", "TagValue": "me"}]})
    assert t["aws:RequestTag/Owner"] == "me" and t["aws:TagKeys"] == ["Owner"]
    u = ctx("UntagResource", {"KeyId": KEY_ARN, "TagKeys": ["Owner", "Env"]})
    assert u["aws:TagKeys"] == ["Owner", "Env"]
    assert not any(k.startswith("aws:RequestTag/") for k in u)


def test_create_grant_keys() -> None:
    """CreateGrant: kms:GrantOperations, kms:GranteePrincipal, kms:RetiringPrincipal, kms:GrantConstraintType,
    kms:EncryptionContext:* from the constraint, kms:GrantIsForAWSResource. Source: CONDKMS#conditions-kms-grant-operations."""
    request = {
        "KeyId": KEY_ARN,
        "GranteePrincipal": SESSION,
        "RetiringPrincipal": ALICE,
        "Operations": ["Decrypt", "Encrypt"],
        "Constraints": {"EncryptionContextSubset": {"Dept": "IT"}},
    }
    c = ctx("CreateGrant", request)
    assert c["kms:GrantOperations"] == ["Decrypt", "Encrypt"]
    assert (c["kms:GranteePrincipal"], c["kms:RetiringPrincipal"]) == (SESSION, ALICE)
    assert c["kms:GrantConstraintType"] == "EncryptionContextSubset"
    assert c["kms:EncryptionContext:Dept"] == "IT"
    assert c["kms:GrantIsForAWSResource"] is False
    via = ctx("CreateGrant", request, global_context={"kms:GrantIsForAWSResource": True})
    assert via["kms:GrantIsForAWSResource"] is True


def test_operation_specific_parameters() -> None:
    """Parameters that become condition keys: ScheduleKeyDeletion window, rotation period, MAC algorithm, key
    pair spec. Source: CONDKMS and the Service Authorization Reference."""
    assert (
        ctx("ScheduleKeyDeletion", {"PendingWindowInDays": 7})["kms:ScheduleKeyDeletionPendingWindowInDays"]
        == 7
    )
    assert "kms:ScheduleKeyDeletionPendingWindowInDays" not in ctx("ScheduleKeyDeletion", {})
    assert ctx("EnableKeyRotation", {"RotationPeriodInDays": 90})["kms:RotationPeriodInDays"] == 90
    assert ctx("GenerateMac", {"MacAlgorithm": "HMAC_SHA_256"})["kms:MacAlgorithm"] == "HMAC_SHA_256"
    assert ctx("GenerateDataKeyPair", {"KeyPairSpec": "RSA_2048"})["kms:DataKeyPairSpec"] == "RSA_2048"
    assert (
        ctx("PutKeyPolicy", {"BypassPolicyLockoutSafetyCheck": True})["kms:BypassPolicyLockoutSafetyCheck"]
        is True
    )


def test_iam_only_operations_have_no_caller_account_or_key_keys() -> None:
    """ListKeys/ListAliases/GenerateRandom support no KMS condition keys (Service Authorization Reference)."""
    c = ctx("ListKeys", key=None)
    assert "kms:CallerAccount" not in c and "kms:KeySpec" not in c


def test_global_context_adds_and_overrides_case_insensitively() -> None:
    """kms:ViaService comes from the calling service and sets aws:ViaAWSService; caller values override.
    Source: CONDKMS#conditions-kms-via-service and reference_policies_condition-keys.html#condition-keys-viaawsservice."""
    c = ctx(
        "Decrypt",
        global_context={"kms:ViaService": "s3.eu-west-1.amazonaws.com", "AWS:SecureTransport": False},
    )
    assert c["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"
    assert c["aws:ViaAWSService"] is True
    assert c["AWS:SecureTransport"] is False and "aws:SecureTransport" not in c


def test_context_drives_the_evaluator() -> None:
    """End to end: an IAM policy limited by encryption context, fed by the derived context. Source:
    CONDKMS#conditions-kms-encryption-context."""
    iam = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": KEY_ARN,
                    "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "IT"}},
                }
            ],
        }
    )
    good = ctx("Decrypt", {"EncryptionContext": {"Department": "IT"}})
    bad = ctx("Decrypt", {"EncryptionContext": {"Department": "HR"}})
    kp = default_key_policy(ACCT)
    common = {"key_policy": kp, "identity_policies": [iam], "principal": ALICE, "action": "kms:Decrypt"}
    assert evaluate(resource=KEY_ARN, context=good, **common).allowed
    assert not evaluate(resource=KEY_ARN, context=bad, **common).allowed
