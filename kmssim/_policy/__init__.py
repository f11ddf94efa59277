"""kmssim's permission engine: AWS KMS key policies, IAM identity policies and grants.

Public API::

    evaluate(...)               -> Decision (Allow / ImplicitDeny / ExplicitDeny, with explanations)
    build_request_context(...)  -> the condition keys KMS derives for a call
    validate_key_policy(...)    raises what CreateKey / PutKeyPolicy raise for a bad key policy
    lockout_check_passes(...)   the policy-lockout safety check
    default_key_policy(...), aws_managed_key_policy(...), console_key_policy(...)
    KEY_ACTIONS, IAM_ONLY_ACTIONS

The rules and their sources are described in each module's docstring; choices where AWS's documentation is
silent or contradictory are named constants (listed in ``DOCUMENTED_CHOICES``).
"""

from __future__ import annotations

from kmssim import choices
from kmssim._catalog import CONDITION_KEYS, ConditionKey
from kmssim._policy.actions import (
    ALIAS_ACTIONS,
    CROSS_ACCOUNT_ACTIONS,
    GRANT_CONSTRAINED_OPERATIONS,
    GRANT_OPERATIONS,
    IAM_ONLY_ACTIONS,
    KEY_ACTIONS,
    UnknownActionError,
    actions_for_operation,
    canonical_action,
    require_kms_action,
)
from kmssim._policy.context import build_request_context
from kmssim._policy.decision import DecidingStatement, Decision, NearMiss
from kmssim._policy.defaults import (
    AWS_MANAGED_KEY_VIA_SERVICE,
    aws_managed_key_policy,
    console_key_policy,
    default_key_policy,
)
from kmssim._policy.document import CompiledPolicy, parse_policy
from kmssim._policy.evaluate import evaluate
from kmssim._policy.validation import (
    INVALID_PRINCIPALS_MESSAGE,
    KEY_POLICY_MAX_BYTES,
    LOCKOUT_MESSAGE,
    NOT_PERMITTED_CONDITION_KEYS_MESSAGE,
    ensure_lockout_safe,
    lockout_check_passes,
    validate_key_policy,
)

#: The engine's documented choices by name, with their values as this module was imported; the home of each
#: is :mod:`kmssim.choices`, which is what the engine reads.
_ENGINE_CHOICES = (
    "PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES",
    "FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY",
    "UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR",
    "NOT_PRINCIPAL_CHECKS_EVERY_LEVEL",
    "GRANT_TO_ACCOUNT_NEEDS_IAM",
    "ENFORCE_GRANT_DELEGATION_LIMITS",
    "RETIRE_GRANT_AUTHORIZED_BY_GRANT",
    "INVALID_CHARACTERS_EXCEPTION",
    "KEY_POLICY_PRINCIPAL_TYPES",
    "REJECT_ALLOW_WITH_NOT_PRINCIPAL",
    "REJECT_DUPLICATE_SIDS",
    "SCHEDULE_DELETION_WINDOW_WHEN_OMITTED",
    "ROTATION_PERIOD_WHEN_OMITTED",
    "TRAILING_DAYS_COUNT_FROM_CREATION",
)


def _shown(value: object) -> object:
    if isinstance(value, type):
        return value.__name__
    return sorted(value) if isinstance(value, frozenset) else value


DOCUMENTED_CHOICES: dict[str, object] = {name: _shown(getattr(choices, name)) for name in _ENGINE_CHOICES}

__all__ = [
    "ALIAS_ACTIONS",
    "AWS_MANAGED_KEY_VIA_SERVICE",
    "CONDITION_KEYS",
    "CROSS_ACCOUNT_ACTIONS",
    "DOCUMENTED_CHOICES",
    "GRANT_CONSTRAINED_OPERATIONS",
    "GRANT_OPERATIONS",
    "IAM_ONLY_ACTIONS",
    "INVALID_PRINCIPALS_MESSAGE",
    "KEY_ACTIONS",
    "KEY_POLICY_MAX_BYTES",
    "LOCKOUT_MESSAGE",
    "NOT_PERMITTED_CONDITION_KEYS_MESSAGE",
    "CompiledPolicy",
    "ConditionKey",
    "DecidingStatement",
    "Decision",
    "NearMiss",
    "UnknownActionError",
    "actions_for_operation",
    "aws_managed_key_policy",
    "build_request_context",
    "canonical_action",
    "console_key_policy",
    "default_key_policy",
    "ensure_lockout_safe",
    "evaluate",
    "lockout_check_passes",
    "parse_policy",
    "require_kms_action",
    "validate_key_policy",
]
