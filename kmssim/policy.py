"""The permission engine by public names: key policies, IAM identity policies and grants, decided without a simulator.

>>> from kmssim.policy import default_key_policy, evaluate
>>> root = "arn:aws:iam::111122223333:root"
>>> key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
>>> evaluate(key_policy=default_key_policy("111122223333"), principal=root, action="kms:Decrypt", resource=key).allowed
True

The names are those the engine lists (``kmssim._policy.__all__``): :func:`evaluate` and :class:`Decision`,
:class:`UnknownActionError`, ``parse_policy``, ``validate_key_policy``, ``require_kms_action``,
``build_request_context``, the default key policies, ``KEY_ACTIONS`` and ``IAM_ONLY_ACTIONS``... The same
engine serves every call of a :class:`kmssim.Simulator`
(https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html). The readings it takes where
AWS's pages are silent are constants of :mod:`kmssim.choices` (their values: ``DOCUMENTED_CHOICES``).
"""

from __future__ import annotations

from ._policy import *  # noqa: F403 - the engine's public names
from ._policy import __all__ as _engine_names

__all__: list[str] = []
__all__ += _engine_names
