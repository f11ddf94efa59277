"""Key policies KMS writes for you: the default policy, AWS managed key policies and the console's policy.

* Default policy of an API-created key, byte for byte as GetKeyPolicy returns it: botocore ``examples-1.json``
  (GetKeyPolicy) and https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html.
* Console policy (key administrators, key users, persistent resources):
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html.
* AWS managed key policies (``alias/aws/<service>``):
  https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html
  and the policies these keys are observed to carry (``Principal: *`` limited by ``kms:ViaService`` and
  ``kms:CallerAccount``, plus read-only access for the account).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

__all__ = [
    "AWS_MANAGED_KEY_VIA_SERVICE",
    "CONSOLE_KEY_ADMIN_ACTIONS",
    "CONSOLE_KEY_USER_ACTIONS",
    "aws_managed_key_policy",
    "console_key_policy",
    "default_key_policy",
    "jackson_json",
]


def jackson_json(value: object, _depth: int = 0) -> str:
    """JSON in the layout KMS returns policies in (Jackson's default pretty printer).

    Objects put each member on its own line, indented two spaces per object level, with ``" : "`` between name
    and value; arrays stay on one line (``[ a, b ]``), and an object inside an array opens on the same line.
    """
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (_depth + 1)
        members = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)} : {jackson_json(v, _depth + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(members) + "\n" + "  " * _depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(jackson_json(v, _depth) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def _account_root(account_id: str, partition: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def default_key_policy(account_id: str, partition: str = "aws") -> str:
    """The key policy of a key created by CreateKey without ``Policy``, exactly as GetKeyPolicy returns it."""
    return jackson_json(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": _account_root(account_id, partition)},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


#: ``kms:ViaService`` prefix for AWS managed keys whose alias differs from the service endpoint name
#: (``alias/aws/ebs`` keys are used through EC2: ``ec2.<region>.amazonaws.com``).
AWS_MANAGED_KEY_VIA_SERVICE: dict[str, str] = {"ebs": "ec2"}

# Display names and per-service differences seen in the policies of real AWS managed keys. Services not listed
# get the common shape (use through the service including CreateGrant; Describe*/Get*/List* for the account).
_SERVICE_NAMES: dict[str, str] = {
    "s3": "S3",
    "ebs": "EBS",
    "lambda": "AWS Lambda",
    "rds": "RDS",
    "secretsmanager": "AWS Secrets Manager",
    "ssm": "AWS Systems Manager",
    "dynamodb": "Amazon DynamoDB",
    "sns": "Amazon SNS",
    "sqs": "Amazon SQS",
    "kinesis": "Amazon Kinesis",
    "elasticfilesystem": "Amazon Elastic File System",
    "backup": "AWS Backup",
    "redshift": "Amazon Redshift",
    "glue": "AWS Glue",
    "acm": "AWS Certificate Manager",
    "codecommit": "AWS CodeCommit",
}
_USE_ACTIONS_WITH_GRANTS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "kms:DescribeKey",
]
_USE_ACTIONS: dict[str, list[str]] = {
    "s3": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
}
_READ_ACTIONS: dict[str, list[str]] = {
    "ebs": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
}
_DEFAULT_READ_ACTIONS = ["kms:Describe*", "kms:Get*", "kms:List*"]
# aws/lambda's policy differs in its Id, condition order and a single read action.
_POLICY_IDS: dict[str, str] = {"lambda": "auto-awslambda"}
_CALLER_ACCOUNT_FIRST = frozenset({"lambda"})
_SINGLE_READ_ACTION: dict[str, str] = {"lambda": "kms:Describe*"}


def aws_managed_key_policy(account_id: str, service: str, region: str, partition: str = "aws") -> str:
    """The fixed key policy of the AWS managed key ``alias/aws/<service>`` (GetKeyPolicy layout).

    Every principal in the account may use the key, but only through the service (``kms:ViaService`` =
    ``<service>.<region>.amazonaws.com``, ``kms:CallerAccount`` = the account); the account principal gets
    read-only access. The policy of an AWS managed key cannot be changed.
    """
    svc = service.lower()
    if svc.startswith("alias/aws/"):
        svc = svc[len("alias/aws/") :]
    name = _SERVICE_NAMES.get(svc, svc)
    via = f"{AWS_MANAGED_KEY_VIA_SERVICE.get(svc, svc)}.{region}.amazonaws.com"
    suffix = ".com.cn" if partition == "aws-cn" else ".com"
    via = via[: -len(".com")] + suffix
    condition = (
        {"kms:CallerAccount": account_id, "kms:ViaService": via}
        if svc in _CALLER_ACCOUNT_FIRST
        else {"kms:ViaService": via, "kms:CallerAccount": account_id}
    )
    read_actions: str | list[str] = _SINGLE_READ_ACTION.get(svc) or _READ_ACTIONS.get(
        svc, _DEFAULT_READ_ACTIONS
    )
    return jackson_json(
        {
            "Version": "2012-10-17",
            "Id": _POLICY_IDS.get(svc, f"auto-{svc}-2"),
            "Statement": [
                {
                    "Sid": f"Allow access through {name} for all principals in the account that are "
                    f"authorized to use {name}",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": _USE_ACTIONS.get(svc, _USE_ACTIONS_WITH_GRANTS),
                    "Resource": "*",
                    "Condition": {"StringEquals": condition},
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": _account_root(account_id, partition)},
                    "Action": read_actions,
                    "Resource": "*",
                },
            ],
        }
    )


#: "Allow access for Key Administrators": no cryptographic permissions; ``kms:Delete*`` does not include
#: ScheduleKeyDeletion (key-policy-default.html#key-policy-default-allow-administrators).
CONSOLE_KEY_ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
)

#: "Allow use of the key", by key type (key-policy-default.html#key-policy-default-allow-users). The
#: KEY_AGREEMENT row is not in the guide's table; it follows the same pattern with DeriveSharedSecret.
CONSOLE_KEY_USER_ACTIONS: dict[str, tuple[str, ...]] = {
    "SYMMETRIC": ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
    "HMAC": ("kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"),
    "ENCRYPT_DECRYPT": (
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:DescribeKey",
        "kms:GetPublicKey",
    ),
    "SIGN_VERIFY": ("kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"),
    "KEY_AGREEMENT": ("kms:DescribeKey", "kms:GetPublicKey", "kms:DeriveSharedSecret"),
}


def _key_type(key_usage: str, key_spec: str) -> str:
    if key_spec == "SYMMETRIC_DEFAULT":
        return "SYMMETRIC"
    if key_spec.startswith("HMAC_") or key_usage == "GENERATE_VERIFY_MAC":
        return "HMAC"
    return key_usage if key_usage in CONSOLE_KEY_USER_ACTIONS else "ENCRYPT_DECRYPT"


def console_key_policy(
    account_id: str,
    admins: Sequence[str],
    users: Sequence[str],
    key_usage: str = "ENCRYPT_DECRYPT",
    key_spec: str = "SYMMETRIC_DEFAULT",
    *,
    origin: str = "AWS_KMS",
    multi_region: bool = False,
    partition: str = "aws",
) -> str:
    """The key policy the KMS console writes: root statement, key administrators, key users and (symmetric
    keys only) the "persistent resources" statement for AWS services that use grants.

    Administrators also get ``kms:ImportKeyMaterial`` for keys without key material (origin EXTERNAL) and
    ``kms:ReplicateKey`` / ``kms:UpdatePrimaryRegion`` for multi-Region keys.
    """
    statements: list[dict[str, object]] = [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": _account_root(account_id, partition)},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if admins:
        admin_actions = list(CONSOLE_KEY_ADMIN_ACTIONS)
        if origin == "EXTERNAL":
            admin_actions.append("kms:ImportKeyMaterial")
        if multi_region:
            admin_actions += ["kms:ReplicateKey", "kms:UpdatePrimaryRegion"]
        statements.append(
            {
                "Sid": "Allow access for Key Administrators",
                "Effect": "Allow",
                "Principal": {"AWS": list(admins)},
                "Action": admin_actions,
                "Resource": "*",
            }
        )
    if users:
        key_type = _key_type(key_usage, key_spec)
        statements.append(
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": list(users)},
                "Action": list(CONSOLE_KEY_USER_ACTIONS[key_type]),
                "Resource": "*",
            }
        )
        if key_type == "SYMMETRIC":
            statements.append(
                {
                    "Sid": "Allow attachment of persistent resources",
                    "Effect": "Allow",
                    "Principal": {"AWS": list(users)},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                }
            )
    return json.dumps(
        {"Id": "key-consolepolicy-3", "Version": "2012-10-17", "Statement": statements}, indent=4
    )
