"""Notebook 08, aliases and tags in policies: the exercises' checks, read from what the simulator decides.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html (kms:RequestAlias,
kms:ResourceAliases, and "an alias ARN in Resource controls access to the alias, not the key"),
https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html (aws:ResourceTag),
https://docs.aws.amazon.com/kms/latest/developerguide/abac.html (attribute-based access control).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from kmssim import Simulator

__all__ = ["check_request_alias_policy", "check_tag_policy"]


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1] if name.startswith("arn:") and ":key/" in name else name


def _alias_resources(sim: Simulator, principal: str) -> list[str]:
    """Alias ARNs named in Resource by the principal's IAM policies."""
    found = sim.principal(principal)
    out: list[str] = []
    for text in found.policies if found else ():
        statements = json.loads(text).get("Statement", [])
        for st in statements if isinstance(statements, list) else [statements]:
            res = st.get("Resource", [])
            out += [r for r in ([res] if isinstance(res, str) else res) if ":alias/" in r]
    return out


def _check(
    sim: Simulator,
    principal: str,
    actions: Sequence[str],
    allowed: Sequence[str],
    refused: Sequence[str],
    missing_hint: str,
) -> Feedback | None:
    """None when each action is allowed on every ``allowed`` key name and refused on every ``refused`` one."""
    if sim.principal(principal) is None:
        return not_yet(
            f"{principal} is not a principal of this simulator: create it with sim.add_principal(...)."
        )
    for action in actions:
        for name in allowed:
            decision = sim.decide(principal, action, name)
            if not decision.allowed:
                aliases = _alias_resources(sim, principal)
                if aliases:
                    return not_yet(
                        f"{action} on {_short(name)} is {decision.effect}: your policy names {aliases[0]} in Resource. "
                        "An alias ARN in an IAM policy controls the alias (CreateAlias, UpdateAlias, DeleteAlias), "
                        "not the key it points to."
                    )
                return not_yet(
                    f"{action} on {_short(name)} is {decision.effect}, but should be allowed. {missing_hint}"
                )
        for name in refused:
            if sim.decide(principal, action, name).allowed:
                return not_yet(f"{action} on {_short(name)} is allowed, but should not be. {missing_hint}")
    return None


def check_tag_policy(
    sim: Simulator, principal: str, tagged: Sequence[str], untagged: Sequence[str], tag: tuple[str, str]
) -> Feedback:
    """The exercise: ``principal`` may Encrypt and Decrypt with every key carrying ``tag`` and no other key."""
    key, value = tag
    hint = (
        f'Allow kms:Encrypt and kms:Decrypt on Resource "*" with Condition '
        f'{{"StringEquals": {{"aws:ResourceTag/{key}": "{value}"}}}}.'
    )
    problem = _check(sim, principal, ["kms:Encrypt", "kms:Decrypt"], tagged, untagged, hint)
    if problem is not None:
        return problem
    return right(
        f"{principal.rsplit('/', 1)[-1]} may use the keys tagged {key}={value} and no other: a key tagged later is "
        "covered too, with no policy change."
    )


def check_request_alias_policy(
    sim: Simulator, principal: str, alias: str, key_id: str, other_aliases: Sequence[str]
) -> Feedback:
    """The exercise: ``principal`` may Encrypt only when the request names the key by ``alias``."""
    hint = f'Use Condition {{"StringEquals": {{"kms:RequestAlias": "{alias}"}}}} on an Allow of kms:Encrypt.'
    problem = _check(sim, principal, ["kms:Encrypt"], [alias], [key_id, *other_aliases], hint)
    if problem is not None:
        return problem
    return right(
        f"{principal.rsplit('/', 1)[-1]} may encrypt only through {alias}: the same key named by its ID is refused."
    )
