"""Checks for notebook 01 (keys and aliases): a signing key reached through its alias.

Key specs: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html; aliases:
https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from .. import Simulator

__all__ = ["check_signing_key"]


def check_signing_key(sim: Simulator, key_id: object, alias: str) -> Feedback:
    """Right when ``key_id`` is an enabled SIGN_VERIFY key of ``sim`` and ``alias`` points at it (read, not called)."""
    if not isinstance(key_id, str) or not key_id:
        return not_yet(
            f"my_key_id should be the KeyId text, not {type(key_id).__name__}.",
            'create_key returns a response: the ID is response["KeyMetadata"]["KeyId"]',
        )
    keys = {k.key_id: k for k in sim.inventory(include_deleted=True)} | {
        k.arn: k for k in sim.inventory(include_deleted=True)
    }
    key = keys.get(key_id)
    if key is None:
        return not_yet(f"no key {key_id!r} in this simulator.", "the KeyId printed by your create_key call")
    if key.key_usage != "SIGN_VERIFY":
        return not_yet(
            f"the key's usage is {key.key_usage} ({key.key_spec}), so it cannot sign.",
            'create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY"): the usage is not the default',
        )
    if key.state != "Enabled":
        return not_yet(f"the key is {key.state}; only an Enabled key signs.", "enable_key, or a new key")
    target = next((k for k in sim.inventory() if alias in k.aliases), None)
    if target is None:
        return not_yet(f"there is no alias {alias!r}.", "create_alias(AliasName=..., TargetKeyId=my_key_id)")
    if target.key_id != key.key_id:
        return not_yet(
            f"{alias} points at another key ({target.key_id}).",
            "update_alias moves an alias to my_key_id (same key type only)",
        )
    return right(f"{alias} names an enabled {key.key_spec} signing key.")
