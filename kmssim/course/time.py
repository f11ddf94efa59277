"""Checks for notebook 03 (time, rotation and deletion): a key rotating on its own schedule.

Rotation: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right

if TYPE_CHECKING:
    from .. import Simulator

__all__ = ["check_rotation"]


def check_rotation(sim: Simulator, alias: str, period_days: int, rotations: int) -> Feedback:
    """Right when the key behind ``alias`` rotates every ``period_days`` and has rotated at least ``rotations`` times.

    Counts every rotation, automatic or on demand; read from the simulator without calling KMS.
    """
    key = next((k for k in sim.inventory() if alias in k.aliases), None)
    if key is None:
        return not_yet(f"there is no alias {alias!r}.", "create_alias(AliasName=..., TargetKeyId=...)")
    if not key.rotation_enabled:
        return not_yet(
            "automatic rotation is off for this key.",
            "enable_key_rotation(KeyId=..., RotationPeriodInDays=...)",
        )
    if key.rotation_period_days != period_days:
        return not_yet(
            f"the key rotates every {key.rotation_period_days} days, not every {period_days}.",
            "the RotationPeriodInDays of enable_key_rotation",
        )
    if key.rotations < rotations:
        return not_yet(
            f"the key has rotated {key.rotations} time(s) so far, not {rotations}.",
            f"sim.advance(days=...): the clock must pass {rotations} x {period_days} days",
        )
    return right(f"{alias} rotates every {period_days} days and has rotated {key.rotations} times.")
