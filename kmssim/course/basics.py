"""Checks for notebook 00 (start here): a key policy statement that lets one more principal decrypt, and no more.

Key policies: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from .. import Simulator

__all__ = ["MORE_THAN_DECRYPT", "check_decrypt_only"]

#: Actions a "decrypt only" principal must still be refused (decided without calling KMS).
MORE_THAN_DECRYPT = ("kms:Encrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")


def check_decrypt_only(sim: Simulator, key_id: str, principal: str) -> Feedback:
    """Right when ``principal`` may now call kms:Decrypt on the key and still none of :data:`MORE_THAN_DECRYPT`."""
    if principal not in sim.principals():
        return not_yet(
            f"{principal} is not a principal of this simulator.",
            "the ARN the notebook created with sim.add_principal (copy it from there)",
        )
    decision = sim.decide(principal, "kms:Decrypt", key_id)
    if decision.effect == "ExplicitDeny":
        return not_yet(
            "a Deny statement now refuses the decryption, and a Deny beats every Allow.",
            "the Effect of your statement: it should be Allow",
        )
    if not decision.allowed:
        return not_yet(
            f"kms:Decrypt is still refused: {decision.why}.",
            "the key policy now on the key (get_key_policy): did put_key_policy run, and does your statement "
            'name this principal under Principal {"AWS": ...} with Action kms:Decrypt?',
        )
    extra = [a for a in MORE_THAN_DECRYPT if sim.decide(principal, a, key_id).allowed]
    if extra:
        return not_yet(
            f"the principal may decrypt, but also {', '.join(extra)}: more than the job needs.",
            'the Action of your statement: "kms:Decrypt" only, not "kms:*"',
        )
    return right(f"the key policy lets {principal} decrypt, and nothing more ({decision.why}).")
