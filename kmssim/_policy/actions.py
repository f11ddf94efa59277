"""KMS permission names and which of them apply to what.

Sources: the Service Authorization Reference for KMS
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html),
the key-policy page (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html) and,
for the cross-account list,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html.
"""

from __future__ import annotations

import difflib

from kmssim import _catalog

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
    "UnknownActionError",
    "actions_for_operation",
    "canonical_action",
    "closest_action",
    "require_kms_action",
]

#: Cryptographic operations (key-resource actions that use key material). This and the sets below come from the
#: operation catalog (``kmssim._catalog``), the one place operations are described.
CRYPTO_ACTIONS: frozenset[str] = _catalog.CRYPTO_ACTIONS

#: Every ``kms:`` action whose resource is a KMS key (so a key policy can govern it).
KEY_ACTION_SET: frozenset[str] = _catalog.KEY_ACTION_SET

#: Actions that involve no particular key, so only IAM policies govern them (``Resource: "*"``).
IAM_ONLY_ACTION_SET: frozenset[str] = _catalog.IAM_ONLY_ACTION_SET

#: The same, as sorted tuples (a stable order for tables and notebooks).
KEY_ACTIONS: tuple[str, ...] = tuple(sorted(KEY_ACTION_SET))
IAM_ONLY_ACTIONS: tuple[str, ...] = tuple(sorted(IAM_ONLY_ACTION_SET))

#: Alias operations also need permission on the alias resource, from an IAM policy.
ALIAS_ACTIONS: frozenset[str] = _catalog.ALIAS_ACTIONS

#: The only key operations a principal in another account can be allowed to call; others "still fail"
#: (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
CROSS_ACCOUNT_ACTIONS: frozenset[str] = _catalog.CROSS_ACCOUNT_ACTIONS

#: Grant operations (botocore ``GrantOperation`` enum).
GRANT_OPERATIONS: frozenset[str] = _catalog.GRANT_OPERATIONS

#: Operations that take an encryption context; grant encryption-context constraints apply only to these
#: (botocore ``GrantConstraints``: "not applied to ... DescribeKey or RetireGrant").
GRANT_CONSTRAINED_OPERATIONS: frozenset[str] = _catalog.GRANT_CONSTRAINED_OPERATIONS

#: Actions for which ``kms:EncryptionContext:*`` / ``kms:EncryptionContextKeys`` are in the request context: those
#: that take an encryption context, and the grant actions, whose constraints hold one
#: (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context).
ENCRYPTION_CONTEXT_ACTIONS: frozenset[str] = _catalog.CONDITION_KEYS["kms:EncryptionContextKeys"].actions

#: Actions for which ``kms:RequestAlias`` can be present
#: (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias).
REQUEST_ALIAS_ACTIONS: frozenset[str] = _catalog.REQUEST_ALIAS_ACTIONS

_CANONICAL: dict[str, str] = {a.lower(): a for a in KEY_ACTION_SET | IAM_ONLY_ACTION_SET}


def canonical_action(action: str) -> str:
    """``kms:decrypt`` → ``kms:Decrypt``; unknown actions come back unchanged."""
    return _CANONICAL.get(action.lower(), action) if isinstance(action, str) else str(action)


class UnknownActionError(ValueError):
    """An action name that is not a KMS permission (a typo such as ``kms:Encrpyt``, or another service's).

    A request is always for one concrete action, so wildcards are refused too. The message names the closest
    real action. Permission names are listed in the Service Authorization Reference for KMS
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
    """

    def __init__(self, action: object) -> None:
        self.action = action
        text = action if isinstance(action, str) else repr(action)
        if not isinstance(action, str):
            message = f"The action must be a string such as 'kms:Encrypt', not {type(action).__name__}."
        elif "*" in action or "?" in action:
            message = (
                f"{text!r} is a wildcard pattern; a request is for one action, such as 'kms:Encrypt'. "
                "Wildcards belong in a policy's Action element."
            )
        else:
            message = f"{text!r} is not a KMS action."
            closest = closest_action(action)
            if closest is not None:
                message += f" Did you mean {closest!r}?"
            elif not action.lower().startswith("kms:"):
                message += (
                    " kmssim decides KMS actions only, written 'kms:<Operation>' (for example 'kms:Decrypt')."
                )
        self.message = message
        super().__init__(message)


def closest_action(action: str) -> str | None:
    """The real KMS action nearest to ``action`` in spelling (None when none is close)."""
    text = action.strip()
    if ":" not in text:
        text = "kms:" + text
    elif not text.lower().startswith("kms:"):
        text = "kms:" + text.split(":", 1)[1]
    hit = _CANONICAL.get(text.lower())
    if hit is not None:
        return hit
    found = difflib.get_close_matches(text.lower(), list(_CANONICAL), n=1, cutoff=0.75)
    return _CANONICAL[found[0]] if found else None


def require_kms_action(action: object) -> str:
    """The canonical spelling of a KMS action (``kms:decrypt`` -> ``kms:Decrypt``); raises
    :class:`UnknownActionError` for anything else. Action names are case-insensitive in IAM
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
    """
    if not isinstance(action, str):
        raise UnknownActionError(action)
    hit = _CANONICAL.get(action.lower())
    if hit is None:
        raise UnknownActionError(action)
    return hit


def actions_for_operation(operation: str) -> tuple[str, ...]:
    """The permission(s) an API operation needs: ``ReEncrypt`` needs both ReEncryptFrom and ReEncryptTo."""
    op = operation[4:] if operation.lower().startswith("kms:") else operation
    if op.lower() == "reencrypt":
        return ("kms:ReEncryptFrom", "kms:ReEncryptTo")
    return (canonical_action("kms:" + op),)
