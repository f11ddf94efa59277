"""The key-state table: which operations a key in each state accepts, and the error it gives otherwise.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html (table and footnotes). kmssim models
the states Enabled, Disabled and PendingDeletion; the others (PendingImport, Unavailable, Creating, Updating,
PendingReplicaDeletion) belong to imported material, custom key stores and multi-Region replication, which are not
simulated.
"""

from __future__ import annotations

from . import choices
from ._errors import DisabledException, KMSError, KMSInvalidStateException

ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"

_CRYPTO = frozenset(
    {
        "Encrypt",
        "Decrypt",
        "ReEncrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "Sign",
        "Verify",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
        "CreateGrant",
    }
)
_EVERY_STATE = frozenset(
    {
        "DeleteAlias",
        "DescribeKey",
        "GetKeyPolicy",
        "ListAliases",
        "ListGrants",
        "ListKeyPolicies",
        "ListResourceTags",
        "PutKeyPolicy",
        "RetireGrant",
        "RevokeGrant",
        "GetKeyRotationStatus",
        "ListKeyRotations",
    }
)
# Enabled or Disabled; KMSInvalidStateException when pending deletion (footnote 3).
_NOT_PENDING = frozenset(
    {
        "CreateAlias",
        "DisableKey",
        "EnableKey",
        "ScheduleKeyDeletion",
        "TagResource",
        "UntagResource",
        "UpdateKeyDescription",
    }
)
# Enabled only: DisabledException when disabled, KMSInvalidStateException when pending deletion.
_ENABLED_ONLY_MANAGEMENT = frozenset({"EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"})


def check_state(operation: str, state: str, arn: str) -> None:
    """Raise the error the key-state table gives for ``operation`` on a key in ``state``; return if allowed."""
    if operation in _EVERY_STATE or state == ENABLED:
        if operation == "CancelKeyDeletion" and state != PENDING_DELETION:
            raise KMSInvalidStateException(f"{arn} is not pending deletion.")
        return
    if operation == "CancelKeyDeletion":
        if state != PENDING_DELETION:
            raise KMSInvalidStateException(f"{arn} is not pending deletion.")
        return
    if operation == "ScheduleKeyDeletion" and state == PENDING_DELETION:
        raise KMSInvalidStateException(f"{arn} is pending deletion.")
    error: KMSError | None = None
    if state == DISABLED:
        if (
            operation in _CRYPTO
            or operation in _ENABLED_ONLY_MANAGEMENT
            or (operation == "GetPublicKey" and choices.GET_PUBLIC_KEY_FAILS_WHEN_DISABLED)
        ):
            error = DisabledException(f"{arn} is disabled.")
    elif state == PENDING_DELETION:
        if operation in _CRYPTO or operation == "GetPublicKey":
            if choices.PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE:
                error = KMSInvalidStateException(f"{arn} is pending deletion.")
            else:
                error = DisabledException(f"{arn} is pending deletion.")
        elif operation in _NOT_PENDING or operation in _ENABLED_ONLY_MANAGEMENT or operation == "UpdateAlias":
            error = KMSInvalidStateException(f"{arn} is pending deletion.")
    if error is not None:
        raise error
