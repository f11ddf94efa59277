"""KMS permission names and which of them apply to what.

Sources: the Service Authorization Reference for KMS
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html),
the key-policy page (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html) and,
for the cross-account list,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html.
"""

from __future__ import annotations

__all__ = [
    "ALIAS_ACTIONS",
    "CROSS_ACCOUNT_ACTIONS",
    "ENCRYPTION_CONTEXT_ACTIONS",
    "GRANT_CONSTRAINED_OPERATIONS",
    "GRANT_OPERATIONS",
    "IAM_ONLY_ACTIONS",
    "IAM_ONLY_ACTION_SET",
    "KEY_ACTIONS",
    "KEY_ACTION_SET",
    "REQUEST_ALIAS_ACTIONS",
    "actions_for_operation",
    "canonical_action",
]

#: Cryptographic operations (key-resource actions that use key material).
CRYPTO_ACTIONS: frozenset[str] = frozenset(
    "kms:" + a
    for a in (
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "Sign",
        "Verify",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
        "Encapsulate",
        "Decapsulate",
    )
)

#: Every ``kms:`` action whose resource is a KMS key (so a key policy can govern it).
KEY_ACTION_SET: frozenset[str] = CRYPTO_ACTIONS | frozenset(
    "kms:" + a
    for a in (
        "CancelKeyDeletion",
        "CreateAlias",
        "CreateGrant",
        "DeleteAlias",
        "DeleteImportedKeyMaterial",
        "DescribeKey",
        "DisableKey",
        "DisableKeyRotation",
        "EnableKey",
        "EnableKeyRotation",
        "GetKeyLastUsage",
        "GetKeyPolicy",
        "GetKeyRotationStatus",
        "GetParametersForImport",
        "GetPublicKey",
        "ImportKeyMaterial",
        "ListGrants",
        "ListKeyPolicies",
        "ListKeyRotations",
        "ListResourceTags",
        "PutKeyPolicy",
        "ReplicateKey",
        "RetireGrant",
        "RevokeGrant",
        "RotateKeyOnDemand",
        "ScheduleKeyDeletion",
        "SynchronizeMultiRegionKey",
        "TagResource",
        "UntagResource",
        "UpdateAlias",
        "UpdateKeyDescription",
        "UpdatePrimaryRegion",
    )
)

#: Actions that involve no particular key, so only IAM policies govern them (``Resource: "*"``).
IAM_ONLY_ACTION_SET: frozenset[str] = frozenset(
    "kms:" + a
    for a in (
        "CreateKey",
        "ListKeys",
        "ListAliases",
        "ListRetirableGrants",
        "GenerateRandom",
        "CreateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "UpdateCustomKeyStore",
    )
)

#: The same, as sorted tuples (a stable order for tables and notebooks).
KEY_ACTIONS: tuple[str, ...] = tuple(sorted(KEY_ACTION_SET))
IAM_ONLY_ACTIONS: tuple[str, ...] = tuple(sorted(IAM_ONLY_ACTION_SET))

#: Alias operations also need permission on the alias resource, from an IAM policy.
ALIAS_ACTIONS: frozenset[str] = frozenset({"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"})

#: The only key operations a principal in another account can be allowed to call; others "still fail"
#: (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
CROSS_ACCOUNT_ACTIONS: frozenset[str] = CRYPTO_ACTIONS | frozenset(
    "kms:" + a
    for a in (
        "CreateGrant",
        "DescribeKey",
        "GetKeyRotationStatus",
        "GetPublicKey",
        "ListGrants",
        "RetireGrant",
        "RevokeGrant",
    )
)

#: Grant operations (botocore ``GrantOperation`` enum).
GRANT_OPERATIONS: frozenset[str] = frozenset(
    (
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "GetPublicKey",
        "CreateGrant",
        "RetireGrant",
        "DescribeKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
        "Encapsulate",
        "Decapsulate",
    )
)

#: Operations that take an encryption context; grant encryption-context constraints apply only to these
#: (botocore ``GrantConstraints``: "not applied to ... DescribeKey or RetireGrant").
GRANT_CONSTRAINED_OPERATIONS: frozenset[str] = frozenset(
    (
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    )
)

#: Actions for which ``kms:EncryptionContext:*`` / ``kms:EncryptionContextKeys`` are in the request context
#: (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context).
ENCRYPTION_CONTEXT_ACTIONS: frozenset[str] = frozenset("kms:" + op for op in GRANT_CONSTRAINED_OPERATIONS) | {
    "kms:CreateGrant",
    "kms:RetireGrant",
}

#: Actions for which ``kms:RequestAlias`` can be present
#: (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias).
REQUEST_ALIAS_ACTIONS: frozenset[str] = (CRYPTO_ACTIONS | {"kms:DescribeKey", "kms:GetPublicKey"}) - {
    "kms:Encapsulate",
    "kms:Decapsulate",
}

_CANONICAL: dict[str, str] = {a.lower(): a for a in KEY_ACTION_SET | IAM_ONLY_ACTION_SET}


def canonical_action(action: str) -> str:
    """``kms:decrypt`` → ``kms:Decrypt``; unknown actions come back unchanged."""
    return _CANONICAL.get(action.lower(), action) if isinstance(action, str) else str(action)


def actions_for_operation(operation: str) -> tuple[str, ...]:
    """The permission(s) an API operation needs: ``ReEncrypt`` needs both ReEncryptFrom and ReEncryptTo."""
    op = operation[4:] if operation.lower().startswith("kms:") else operation
    if op.lower() == "reencrypt":
        return ("kms:ReEncryptFrom", "kms:ReEncryptTo")
    return (canonical_action("kms:" + op),)
