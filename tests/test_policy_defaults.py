"""Key policies KMS writes: the default policy, AWS managed key policies and the console policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore

from kmssim._policy import aws_managed_key_policy, console_key_policy, default_key_policy
from kmssim._policy.defaults import jackson_json

ACCT = "111122223333"
ADMIN = f"arn:aws:iam::{ACCT}:role/ExampleAdminRole"
USER = f"arn:aws:iam::{ACCT}:role/ExamplePowerUserRole"
DEFAULT_URL = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"


def test_default_policy_is_byte_identical_to_get_key_policy_output() -> None:
    """GetKeyPolicy of an API-created key returns exactly this text (botocore examples-1.json, GetKeyPolicy;
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html)."""
    examples = Path(botocore.__file__).parent / "data" / "kms" / "2014-11-01" / "examples-1.json"
    expected = json.loads(examples.read_text())["examples"]["GetKeyPolicy"][0]["output"]["Policy"]
    assert default_key_policy("111122223333") == expected


def test_default_policy_in_other_partitions() -> None:
    """The account principal uses the partition's ARN prefix. Source: DEFAULT_URL."""
    body = json.loads(default_key_policy("123456789012", partition="aws-cn"))
    assert body["Statement"][0]["Principal"] == {"AWS": "arn:aws-cn:iam::123456789012:root"}


def test_aws_managed_key_policy_layout() -> None:
    """The policy of alias/aws/lambda as GetKeyPolicy returns it (a real response recorded in a public test
    fixture): everyone in the account through the service, read-only metadata for the account. Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-cmk"""
    expected = (
        '{\n  "Version" : "2012-10-17",\n  "Id" : "auto-awslambda",\n  "Statement" : [ {\n'
        '    "Sid" : "Allow access through AWS Lambda for all principals in the account that are authorized to use '
        'AWS Lambda",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "*"\n    },\n'
        '    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", '
        '"kms:DescribeKey" ],\n    "Resource" : "*",\n    "Condition" : {\n      "StringEquals" : {\n'
        '        "kms:CallerAccount" : "857418155548",\n        "kms:ViaService" : "lambda.us-west-2.amazonaws.com"\n'
        '      }\n    }\n  }, {\n    "Sid" : "Allow direct access to key metadata to the account",\n'
        '    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::857418155548:root"\n    },\n'
        '    "Action" : "kms:Describe*",\n    "Resource" : "*"\n  } ]\n}'
    )
    assert aws_managed_key_policy("857418155548", "lambda", "us-west-2") == expected


def test_aws_managed_ebs_key_is_used_through_ec2() -> None:
    """alias/aws/ebs keys are used via EC2 (kms:ViaService ec2.<region>.amazonaws.com). Source:
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"""
    body = json.loads(aws_managed_key_policy(ACCT, "alias/aws/ebs", "eu-central-1"))
    condition = body["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {"kms:ViaService": "ec2.eu-central-1.amazonaws.com", "kms:CallerAccount": ACCT}
    s3 = json.loads(aws_managed_key_policy(ACCT, "s3", "eu-central-1"))
    assert "kms:CreateGrant" not in s3["Statement"][0]["Action"]
    assert s3["Statement"][1]["Action"] == ["kms:Describe*", "kms:Get*", "kms:List*"]


def _statements(policy: str) -> dict[str, Any]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_console_policy_for_symmetric_keys() -> None:
    """Root, key administrators, key users and persistent resources statements. Source: DEFAULT_URL."""
    body = json.loads(console_key_policy(ACCT, [ADMIN], [USER]))
    assert body["Id"] == "key-consolepolicy-3"
    st = _statements(json.dumps(body))
    assert list(st) == [
        "Enable IAM User Permissions",
        "Allow access for Key Administrators",
        "Allow use of the key",
        "Allow attachment of persistent resources",
    ]
    admin_actions = st["Allow access for Key Administrators"]["Action"]
    assert "kms:ScheduleKeyDeletion" in admin_actions and "kms:Decrypt" not in admin_actions
    assert st["Allow use of the key"]["Action"] == [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    ]
    assert st["Allow attachment of persistent resources"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"}
    }


def test_console_policy_by_key_type() -> None:
    """Key users' actions depend on the key type; only symmetric keys get the persistent-resources statement;
    imported-material and multi-Region keys give admins extra actions. Source: DEFAULT_URL#key-policy-users."""
    sign = _statements(console_key_policy(ACCT, [ADMIN], [USER], "SIGN_VERIFY", "ECC_NIST_P256"))
    assert sign["Allow use of the key"]["Action"] == [
        "kms:DescribeKey",
        "kms:GetPublicKey",
        "kms:Sign",
        "kms:Verify",
    ]
    assert "Allow attachment of persistent resources" not in sign
    hmac = _statements(console_key_policy(ACCT, [ADMIN], [USER], "GENERATE_VERIFY_MAC", "HMAC_256"))
    assert hmac["Allow use of the key"]["Action"] == ["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"]
    rsa = _statements(console_key_policy(ACCT, [ADMIN], [USER], "ENCRYPT_DECRYPT", "RSA_2048"))
    assert "kms:GetPublicKey" in rsa["Allow use of the key"]["Action"]
    ext = _statements(console_key_policy(ACCT, [ADMIN], [], origin="EXTERNAL", multi_region=True))
    actions = ext["Allow access for Key Administrators"]["Action"]
    assert {"kms:ImportKeyMaterial", "kms:ReplicateKey", "kms:UpdatePrimaryRegion"} <= set(actions)
    assert "Allow use of the key" not in ext


def test_jackson_layout_of_empty_containers_and_unicode() -> None:
    """Jackson's pretty printer writes empty containers as ``{ }`` / ``[ ]`` and keeps non-ASCII text."""
    assert jackson_json({"a": [], "b": {}, "c": "é"}) == '{\n  "a" : [ ],\n  "b" : { },\n  "c" : "é"\n}'
