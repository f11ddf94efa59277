"""Notebook 07, grants: the exercise's check, read from what the simulator decides.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html (grants, grant tokens, eventual
consistency), https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html (constraints),
https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html (retire and revoke).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from kmssim import Simulator

__all__ = ["check_reporting_grant", "check_retired"]


def _grants(sim: Simulator, key: str) -> list[dict[str, Any]]:
    """The key's grants, asked of KMS by the account's root user (the check's ListGrants is in the trail)."""
    grants: list[dict[str, Any]] = sim.call("ListGrants", {"KeyId": key})["Grants"]
    return grants


def check_reporting_grant(
    sim: Simulator, key: str, grantee: str, retiring: str, context: dict[str, str]
) -> Feedback:
    """The exercise: a grant lets ``grantee`` Decrypt with ``key`` only when the encryption context holds
    ``context``, allows nothing else, and can be retired by ``retiring``."""
    allowed = sim.decide(grantee, "kms:Decrypt", key, request={"EncryptionContext": dict(context)})
    if not allowed.allowed:
        return not_yet(
            f"{grantee} still may not Decrypt with encryption context {context}. Create the grant with "
            "GranteePrincipal=that role and Operations=['Decrypt'] (sim.decide(...).explain() shows what is missing)."
        )
    if allowed.reason != "grant":
        return not_yet(
            f"Decrypt is allowed, but by {allowed.why!r}, not by a grant. The exercise is about grants."
        )
    other = {k: f"not-{v}" for k, v in context.items()}
    if sim.decide(grantee, "kms:Decrypt", key, request={"EncryptionContext": other}).allowed:
        return not_yet(
            f"the grant also allows Decrypt with encryption context {other}: add Constraints="
            f"{{'EncryptionContextSubset': {context}}} so it applies only to that data."
        )
    if sim.decide(grantee, "kms:Decrypt", key).allowed:
        return not_yet("the grant also allows Decrypt with no encryption context at all: add the constraint.")
    extra = [
        a
        for a in ("kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant")
        if sim.decide(grantee, a, key, request={"EncryptionContext": dict(context)}).allowed
    ]
    if extra:
        return not_yet(
            f"the grant allows more than Decrypt: {', '.join(extra)}. Keep Operations=['Decrypt']."
        )
    gid = allowed.granting_grant_id or ""
    grant = next((g for g in _grants(sim, key) if g["GrantId"] == gid), None)
    if grant is None or grant.get("RetiringPrincipal") != retiring:
        return not_yet(
            f"the grant has no RetiringPrincipal {retiring}: set RetiringPrincipal when you create it."
        )
    return right(
        f"grant {grant.get('Name') or gid[:12]} lets {grantee.rsplit('/', 1)[-1]} Decrypt only with {context}, "
        f"nothing else, and {retiring.rsplit('/', 1)[-1]} can retire it."
    )


def check_retired(sim: Simulator, key: str, grantee: str, retiring: str) -> Feedback:
    """The second exercise: ``retiring`` retired every grant ``grantee`` had on ``key``."""
    left = [g for g in _grants(sim, key) if g["GranteePrincipal"] == grantee]
    if left:
        return not_yet(
            f"{len(left)} grant(s) for {grantee.rsplit('/', 1)[-1]} remain. Call retire_grant(KeyId=..., GrantId=...) "
            "with a client for the retiring principal."
        )
    retired = [e for e in sim.trail() if e.event_name == "RetireGrant" and e.succeeded and key in e.resources]
    if not any(e.principal == retiring for e in retired):
        revoked = any(
            e.event_name == "RevokeGrant" and e.succeeded and key in e.resources for e in sim.trail()
        )
        hint = (
            "it was revoked by an administrator instead"
            if revoked
            else "the trail shows no RetireGrant by it"
        )
        return not_yet(f"the grant is gone, but not retired by {retiring.rsplit('/', 1)[-1]}: {hint}.")
    return right(f"{retiring.rsplit('/', 1)[-1]} retired the grant; the trail shows the RetireGrant.")
