"""Checks for notebook 05 (cost planning): they answer in plain words whether an exercise is right and, when it
is not, what to look at.

Each check returns a :class:`Feedback` (``ok`` and ``message``; shown as the message in a notebook).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .. import CloudTrailLog
from ..policy import evaluate
from ._feedback import Feedback, not_yet, right

__all__ = ["INTRUDER", "Feedback", "check_bill", "check_tightened_policy"]

#: A principal the sample log never shows: a tightened policy must not let it decrypt even when its own IAM
#: policy allows everything.
INTRUDER = "arn:aws:iam::111122223333:user/intruder"
_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


def check_bill(log: CloudTrailLog, month: str, answer: object) -> Feedback:
    """Is ``answer`` the month's bill, in USD, that the log gives (``log.estimate(month).total``)?"""
    bill = log.estimate(month)
    expected = bill.total
    try:
        given = Decimal(str(getattr(answer, "total", answer)))
    except ArithmeticError:
        return not_yet(f"{answer!r} is not an amount in dollars; give the estimate's .total.")
    if given == expected:
        return right(
            f"${expected} is what {month} cost: keys, rotations and the requests above the free tier."
        )
    keys_only = sum(
        (
            Decimal(str(usd))
            for usd, klass in zip(bill.lines["USD"], bill.lines["price_class"], strict=True)
            if klass in ("key_month", "rotation_month")
        ),
        Decimal(0),
    )
    if given.quantize(Decimal("0.01")) == keys_only.quantize(Decimal("0.01")):
        return not_yet("that is the key charge alone: the requests are billed too (see the request lines).")
    return not_yet(
        f"${given} is not the bill. Price the log with log.estimate({month!r}) and read its .total."
    )


def check_tightened_policy(log: CloudTrailLog, key_arn: str, policy: Mapping[str, Any] | str) -> Feedback:
    """A tightened key policy for ``key_arn``: every recorded call keeps its outcome, and a principal the log never
    shows (:data:`INTRUDER`) may not decrypt even with an IAM policy allowing ``kms:*``."""
    try:
        replay = log.replay({key_arn: policy})
    except Exception as exc:  # a malformed policy: say what the engine said
        return not_yet(f"the policy could not be read: {exc}")
    changed = replay.summary()
    if not changed.empty:
        first = changed.iloc[0]
        verb = "deny" if first["decision"] == "Deny" else "allow"
        return not_yet(
            f"your policy would {verb} {int(changed['calls'].sum())} recorded call(s) that went the other way, "
            f"for example {int(first['calls'])} x {first['action']} by {first['principal']}. "
            "Let the calls the log shows through (name that principal, or its role, in an Allow statement).",
        )
    decision = evaluate(
        key_policy=policy,
        identity_policies=[_ALLOW_ALL],
        principal=INTRUDER,
        action="kms:Decrypt",
        resource=key_arn,
        context={"kms:EncryptionContext:table": "orders"},
    )
    if decision.allowed:
        return not_yet(
            "every recorded call still works, but a new user with an IAM policy allowing kms:* could decrypt: "
            f"{decision.summary().rstrip('.')}. An Allow for the account (the root principal) with kms:* lets IAM policies "
            "decide; allow the account only the administrative actions, and name the roles that use the key.",
        )
    return right(
        f"all {len(replay.table):,} recorded calls keep their outcome, and a principal the log never shows is refused.",
    )
