"""The key-state table: which operations a key in each state accepts, and the error it gives otherwise.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html (table and footnotes). Each
operation's rule is its ``state`` in the operation catalog (``_catalog``). kmssim models the states Enabled,
Disabled, PendingDeletion and PendingImport (a key with Origin EXTERNAL whose key material was never imported,
was deleted or expired: ``_ops/imported``); the others (Unavailable, Creating, Updating, PendingReplicaDeletion)
belong to custom key stores and multi-Region replication.
"""

from __future__ import annotations

from . import choices
from ._catalog import OPERATIONS
from ._errors import DisabledException, KMSInvalidStateException

ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"
PENDING_IMPORT = "PendingImport"

_RULES = {name: op.state for name, op in OPERATIONS.items()}


def check_state(operation: str, state: str, arn: str) -> None:
    """Raise the error the key-state table gives for ``operation`` on a key in ``state``; return if allowed."""
    rule = _RULES[operation]
    if rule == "cancel":
        if state != PENDING_DELETION:
            raise KMSInvalidStateException(f"{arn} is not pending deletion.")
        return
    if state == ENABLED or rule == "any" or rule == "none":
        return
    if state == DISABLED:
        if rule in ("crypto", "enabled") or (
            rule == "public_key" and choices.GET_PUBLIC_KEY_FAILS_WHEN_DISABLED
        ):
            raise DisabledException(f"{arn} is disabled.")
    elif state == PENDING_DELETION:
        if rule in ("crypto", "public_key"):
            if choices.PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE:
                raise KMSInvalidStateException(f"{arn} is pending deletion.")
            raise DisabledException(f"{arn} is pending deletion.")
        if rule in ("management", "enabled", "toggle"):
            raise KMSInvalidStateException(f"{arn} is pending deletion.")
    elif state == PENDING_IMPORT and rule in ("crypto", "public_key", "toggle"):
        # Footnote 5. Rotation settings (``enabled``) on an EXTERNAL key are the rotation handlers' refusal
        # (footnote 6: UnsupportedOperationException), which needs the key's origin, not its state.
        raise KMSInvalidStateException(f"{arn} is pending import.")
