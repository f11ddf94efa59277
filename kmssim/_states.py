"""The key-state table: which operations a key in each state accepts, and the error it gives otherwise.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html (table and footnotes). Each
operation's rule is its ``state`` in the operation catalog (``_catalog``). kmssim models the states Enabled,
Disabled, PendingDeletion, PendingImport (a key with Origin EXTERNAL whose key material was never imported, was
deleted or expired: ``_ops/imported``), Unavailable (a key of a custom key store that is not connected:
``_ops/key_stores``) and the multi-Region states Creating (a new replica), Updating (both keys of an
UpdatePrimaryRegion) and PendingReplicaDeletion (a primary scheduled for deletion that still has replicas).
"""

from __future__ import annotations

from . import choices
from ._catalog import OPERATIONS
from ._errors import DisabledException, KMSInvalidStateException

ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"
#: A key of a custom key store that is not connected (key-state.html, footnote 11).
UNAVAILABLE = "Unavailable"
CREATING = "Creating"
UPDATING = "Updating"
PENDING_REPLICA_DELETION = "PendingReplicaDeletion"
#: The states CancelKeyDeletion accepts (the table's "PendingDeletion / PendingReplicaDeletion" column).
PENDING_STATES = (PENDING_DELETION, PENDING_REPLICA_DELETION)
PENDING_IMPORT = "PendingImport"

_RULES = {name: op.state for name, op in OPERATIONS.items()}
#: Rules that fail on a Creating key (footnote 14) and on an Updating key (footnote 15).
_NOT_CREATING = frozenset({"crypto", "public_key", "enabled", "toggle", "replicate"})
_NOT_UPDATING = frozenset({"toggle", "schedule", "replicate"})


def check_state(operation: str, state: str, arn: str) -> None:
    """Raise the error the key-state table gives for ``operation`` on a key in ``state``; return if allowed."""
    rule = _RULES[operation]
    if rule == "cancel":
        if state not in PENDING_STATES:
            raise KMSInvalidStateException(f"{arn} is not pending deletion.")
        return
    if state == ENABLED or rule == "any" or rule == "none":
        return
    if state == DISABLED:
        if rule in ("crypto", "enabled", "replicate") or (
            rule == "public_key" and choices.GET_PUBLIC_KEY_FAILS_WHEN_DISABLED
        ):
            raise DisabledException(f"{arn} is disabled.")
    elif state == UNAVAILABLE:
        if rule in ("crypto", "public_key", "enabled"):
            raise KMSInvalidStateException(f"{arn} is unavailable.")
    elif state in PENDING_STATES:
        what = "pending deletion" if state == PENDING_DELETION else "pending replica deletion"
        if rule in ("crypto", "public_key", "replicate"):
            if choices.PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE:
                raise KMSInvalidStateException(f"{arn} is {what}.")
            raise DisabledException(f"{arn} is {what}.")
        if rule in ("management", "enabled", "toggle", "schedule"):
            raise KMSInvalidStateException(f"{arn} is {what}.")
    elif state == CREATING:
        if rule in _NOT_CREATING:
            raise KMSInvalidStateException(f"{arn} is creating.")
    elif state == UPDATING and rule in _NOT_UPDATING:
        raise KMSInvalidStateException(f"{arn} is updating.")
    elif state == PENDING_IMPORT and rule in ("crypto", "public_key", "toggle", "replicate"):
        # Footnote 5. Rotation settings (``enabled``) on an EXTERNAL key are the rotation handlers' refusal
        # (footnote 6: UnsupportedOperationException), which needs the key's origin, not its state. ReplicateKey
        # of a key pending import is refused too (the table's ReplicateKey row).
        raise KMSInvalidStateException(f"{arn} is pending import.")
