"""Checks for notebook 04 (permissions): one more action allowed through IAM, the explicit deny kept.

Policy evaluation: https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html; the default key
policy's IAM delegation: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from .. import Simulator

__all__ = ["check_allowed_by_iam"]


def check_allowed_by_iam(
    sim: Simulator, principal: str, action: str, key_id: str, still_denied: str
) -> Feedback:
    """Right when ``action`` is now allowed by an IAM policy (not the key policy) and ``still_denied`` stays denied."""
    if principal not in sim.principals():
        return not_yet(f"{principal} is not a principal of this simulator.", "the ARN the notebook created")
    decision = sim.decide(principal, action, key_id)
    if not decision.allowed:
        return not_yet(
            f"{action} is still refused: {decision.why}.",
            f"the principal's IAM policy: sim.add_principal(..., policies=[...]) with {action} on the key's ARN",
        )
    if decision.reason != "key-policy+identity-policy":
        return not_yet(
            f"{action} is allowed, but by the {decision.reason.replace('-', ' ')}, not by an IAM policy.",
            "leave the key policy as it was; change only the principal's IAM policy",
        )
    kept = sim.decide(principal, still_denied, key_id)
    if kept.effect != "ExplicitDeny":
        return not_yet(
            f"{still_denied} is {kept.effect} now; the explicit deny should still apply.",
            "the IAM policy you gave replaced the old one: keep its statements, and keep the key policy's Deny",
        )
    return right(f"an IAM policy allows {action}; {still_denied} is still explicitly denied.")
