"""Every reading kmssim picks where AWS's sources are silent or disagree: one constant each, read at call time.

Each constant is the single home of its choice: the code that depends on it reads ``choices.NAME`` when a call
runs, so assigning another value changes the behaviour from the next call on, for a trainer who wants to show
the other reading or a test that checks the constant is really read::

    >>> import kmssim
    >>> kmssim.choices.GRANTS_EFFECTIVE_IMMEDIATELY = False  # grants become usable after GRANT_PROPAGATION
    >>> kmssim.choices.GRANTS_EFFECTIVE_IMMEDIATELY = True

Caches that could hold an answer made under another value (the simulator's decision memo) are keyed on
:func:`fingerprint`. The README's "Choices" table lists each with its source; ``tests/test_choices.py`` flips
each one and sees the behaviour change.
"""

from __future__ import annotations

import sys
import types
from datetime import datetime, timedelta

from ._errors import KMSError, ValidationException

__all__ = [
    "ASSUME_RECORDED_IAM",
    "BILL_DRY_RUN",
    "BILL_FAILED_REQUESTS",
    "BILL_UNPRICED_REQUESTS_AT_ZERO",
    "CLOUDHSM_CONNECT_TIME",
    "CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE",
    "ENFORCE_GRANT_DELEGATION_LIMITS",
    "EXPORT_ROLE_SESSION",
    "EXPORT_SOURCE_IP",
    "FAILED_REQUESTS_USE_QUOTA",
    "FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY",
    "GET_PUBLIC_KEY_FAILS_WHEN_DISABLED",
    "GRANTS_EFFECTIVE_IMMEDIATELY",
    "GRANT_PROPAGATION",
    "GRANT_TO_ACCOUNT_NEEDS_IAM",
    "IMPORTED_HMAC_KEYS_UP_TO_BLOCK_SIZE",
    "INVALID_CHARACTERS_EXCEPTION",
    "KEY_LAST_USAGE_TRACKING_START",
    "KEY_POLICY_PRINCIPAL_TYPES",
    "KEY_STORE_DISCONNECT_TIME",
    "LIST_PREDEFINED_AWS_ALIASES",
    "MULTI_REGION_TRANSITION",
    "NOT_PRINCIPAL_CHECKS_EVERY_LEVEL",
    "ON_DEMAND_ROTATIONS_PER_KEY",
    "PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE",
    "PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES",
    "REJECT_ALLOW_WITH_NOT_PRINCIPAL",
    "REJECT_DUPLICATE_SIDS",
    "REJECT_UNPAIRED_SURROGATES",
    "RETIRE_GRANT_AUTHORIZED_BY_GRANT",
    "ROTATION_PERIOD_WHEN_OMITTED",
    "SCHEDULE_DELETION_WINDOW_WHEN_OMITTED",
    "TRAILING_DAYS_COUNT_FROM_CREATION",
    "UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR",
    "XKS_CONNECT_TIME",
    "fingerprint",
]

# ---------------------------------------------------------------------------------------------- key states

#: The key-state table allows either DisabledException (footnote 2) or KMSInvalidStateException (footnote 3) for a
#: cryptographic operation on a key pending deletion
#: (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). kmssim follows footnote 3, which is also
#: what LocalStack and local-kms return; False follows footnote 2.
PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE = True

#: The key-state table says GetPublicKey fails on a disabled key (footnote 1). LocalStack's maintainers observed
#: that real AWS returns the public key anyway. kmssim follows the documented table; False follows the observation.
GET_PUBLIC_KEY_FAILS_WHEN_DISABLED = True

#: How long a new replica key stays ``Creating`` and the two keys of an UpdatePrimaryRegion stay ``Updating`` on
#: the simulated clock. AWS gives no figure: the state changes "after a few seconds" (API_ReplicateKey) and the
#: update "might still be in progress for a few more seconds" (API_UpdatePrimaryRegion); a replica recorded
#: against real AWS was Enabled within about a minute of polling (LocalStack's ``test_replicate_key``, 2025-11-10).
MULTI_REGION_TRANSITION = timedelta(seconds=5)

#: How long HMAC key material imported into an HMAC_* key may be. AWS was recorded accepting exactly the hash's output
#: length (28/32/48/64 bytes; LocalStack's AWS-validated ``test_import_key_hmac_keys``); no source gives its bounds.
#: kmssim accepts LocalStack's range, from the output length to the hash's block size (HMAC_224/256: up to 64 bytes,
#: HMAC_384/512: up to 128; ``_keyspecs.IMPORTED_HMAC_KEY_BYTES``). False accepts the output length only.
IMPORTED_HMAC_KEYS_UP_TO_BLOCK_SIZE = True

# ---------------------------------------------------------------------------------------------- grants, aliases

#: Grants take effect at once. In AWS a new grant "can take up to five minutes" to be usable everywhere, which is
#: why grant tokens exist (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#grant_token). With
#: False, a grant counts only from GRANT_PROPAGATION after its creation on the simulated clock, unless the request
#: presents one of its grant tokens.
GRANTS_EFFECTIVE_IMMEDIATELY = True
#: How long a new grant takes to be usable when GRANTS_EFFECTIVE_IMMEDIATELY is False: the documented upper bound.
GRANT_PROPAGATION = timedelta(minutes=5)

#: ListAliases in AWS also lists the predefined ``alias/aws/<service>`` aliases, without a TargetKeyId until the
#: service first uses its AWS managed key (API_ListAliases). kmssim lists the ones for the services it knows.
LIST_PREDEFINED_AWS_ALIASES = True

#: RotateKeyOnDemand: at most this many on-demand rotations per key. 25 in the current API reference and the
#: 2026-02 model; 10 when the operation launched.
ON_DEMAND_ROTATIONS_PER_KEY = 25

#: GetKeyLastUsage: when tracking of key usage began. AWS began on the day the operation launched (2026-04-27,
#: awsapichanges), so a key older than that has ``TrackingStartDate`` then and no record before it. A simulated
#: world has no such history: None tracks from the start; a datetime reproduces AWS's cut-off.
KEY_LAST_USAGE_TRACKING_START: datetime | None = None

#: How long ConnectCustomKeyStore takes on the simulated clock: a CloudHSM key store "can take up to 20 minutes"
#: (disconnect-keystore.html), an external key store about five (xks-connect-disconnect.html). We take those figures
#: as the time it takes.
CLOUDHSM_CONNECT_TIME = timedelta(minutes=20)
XKS_CONNECT_TIME = timedelta(minutes=5)
#: How long a store stays DISCONNECTING. AWS gives no figure; its keys are unusable at once either way.
KEY_STORE_DISCONNECT_TIME = timedelta(seconds=30)

# ---------------------------------------------------------------------------------------------- requests

#: A request that fails (for any reason) does not count against a request quota: a failed call changes nothing
#: but the trail. AWS does not say whether failed requests count.
FAILED_REQUESTS_USE_QUOTA = False

#: A string holding an unpaired UTF-16 surrogate cannot travel as UTF-8: ValidationException (AWS is silent).
#: False lets it through to the operation.
REJECT_UNPAIRED_SURROGATES = True

# ---------------------------------------------------------------------------------------------- policy engine

#: A plain (non-set) operator applied to a key that has two or more values in the request. AWS's documentation
#: does not say what happens; iam-simulate treats it as no match ("confirmed at re:Inforce 2025 IAM431",
#: ``src/condition/condition.ts``), and so do we, for negated operators as well. A one-element list counts as a
#: single value, since single vs multi is "the number of values in the request context".
PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES = False

#: ``ForAnyValue:...IfExists`` on a key that is missing (or an empty set). AWS documents each half (IfExists:
#: "If it is not present, evaluate the condition element as true"; ForAnyValue: "If the key ... is empty or
#: missing, the condition evaluates to false"; reference_policies_elements_condition_operators.html,
#: reference_policies_condition-single-vs-multi-valued-context-keys.html) but not the combination. iam-simulate
#: (``forAnyValueMatch``) ignores IfExists under ForAnyValue and answers false; so do we. True would let
#: ``ForAnyValue:StringEqualsIfExists {"kms:EncryptionContextKeys": ["app"]}`` allow a request with no
#: encryption context at all.
FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY = False

#: A negated String or ARN operator whose policy value holds a policy variable that cannot be resolved, e.g.
#: ``StringNotEquals {"aws:PrincipalTag/team": "${aws:PrincipalTag/missing}"}``. The IAM variables page says both
#: "If AWS cannot resolve a variable this might cause the entire statement to be invalid" (a general note) and, in
#: "Policy variables with no value", "Inverted condition operators like StringNotEquals or StringNotLike do match
#: against a null value" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).
#: We follow the specific rule (True); iam-simulate treats the value as an error and the test as not matching,
#: which False gives. The same choice governs a ``NotResource`` entry holding such a variable.
UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR = True

#: With ``Deny`` + ``NotPrincipal``, AWS may check the account, then the role, then the session, so a caller is
#: exempt only when every one of those identities is listed ("...the policy might deny access to the entire
#: account", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
#: False checks the caller's own identity only.
NOT_PRINCIPAL_CHECKS_EVERY_LEVEL = True

#: A grant whose grantee is an *account* (root ARN or account ID) works like an account principal in a key policy:
#: the account's IAM policies must then allow its users and roles (the root user needs nothing more). The grants
#: page lists an account as a valid grantee but does not spell out the delegation; this mirrors the key-policy rule.
GRANT_TO_ACCOUNT_NEEDS_IAM = True

#: "kms:RetireGrant" is authorized by the grant (retiring principal; grantee if the grant lists RetireGrant) or by
#: the key's account; "kms:RetireGrant permission in a key policy is not effective"
#: (https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html#grant-delete).
RETIRE_GRANT_AUTHORIZED_BY_GRANT = True

#: "A principal who got kms:CreateGrant from a grant can only delegate what it was granted", and a grant with an
#: encryption-context constraint can only create equally strict or stricter grants
#: (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html, create-grant-overview.html).
ENFORCE_GRANT_DELEGATION_LIMITS = True

#: A key policy outside the ``PolicyType`` pattern fails the API's parameter validation, so it is reported the way
#: AWS reports every model-constraint failure; the docs do not name the error.
INVALID_CHARACTERS_EXCEPTION: type[KMSError] = ValidationException

#: Principal types accepted in a key policy. KMS documents AWS principals (accounts, users, roles, sessions) and
#: service principals; other types (Federated, CanonicalUser) are treated as invalid principals.
KEY_POLICY_PRINCIPAL_TYPES = frozenset({"AWS", "Service"})

#: The IAM guide says NotPrincipal "must be used with Deny; using it with Allow is not supported". Whether KMS
#: rejects Allow + NotPrincipal is not documented; we reject it (and never let such a statement allow).
REJECT_ALLOW_WITH_NOT_PRINCIPAL = True

#: Sid uniqueness is not documented for key policies (IAM requires it only in IAM policies): duplicates are
#: accepted.
REJECT_DUPLICATE_SIDS = False

#: ``kms:ScheduleKeyDeletionPendingWindowInDays`` when the request omits PendingWindowInDays. Whether the key is
#: then present (with the default 30) is not documented; None leaves it out of the context.
SCHEDULE_DELETION_WINDOW_WHEN_OMITTED: int | None = None

#: ``kms:RotationPeriodInDays`` when EnableKeyRotation omits RotationPeriodInDays (default period 365). Not
#: documented either; None leaves it out.
ROTATION_PERIOD_WHEN_OMITTED: int | None = None

#: ``kms:TrailingDaysWithoutKeyUsage`` (ScheduleKeyDeletion, DisableKey) is "the number of days since the AWS KMS
#: key was last used" (SAR). For a key never used AWS does not say: kmssim counts whole days from its creation or
#: the usage-tracking start, whichever is later (the time from which GetKeyLastUsage vouches it was not used).
#: False leaves the key out of the request context for a key never used.
TRAILING_DAYS_COUNT_FROM_CREATION = True

# ---------------------------------------------------------------------------------------------- billing

#: A simulator's bill (``Simulator.bill``) lists requests the pricing page gives no price for (ML-KEM keys and
#: data key pairs) at no charge, with a note, rather than refusing the whole bill. ``kmssim.estimate`` still
#: refuses them: a plan should not pretend to know a price. False makes bills refuse them too.
BILL_UNPRICED_REQUESTS_AT_ZERO = True

#: A simulator's bill counts an HSM of a simulated CloudHSM cluster for every clock hour it ran in, a partial hour
#: as a whole one (as kmssim bills a KMS key's "whole hours", reference 1.1). AWS CloudHSM bills "per HSM-hour";
#: no source read says how it bills a partial hour (UNCONFIRMED). False bills it by the second.
CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE = True

# ---------------------------------------------------------------------------------------------- real usage

#: DryRun requests "are billed as a standard API request" and count toward quotas
#: (https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html).
BILL_DRY_RUN = True

#: Whether other failed requests (AccessDenied, invalid state, ...) are billed: no AWS source says
#: (UNCONFIRMED). False, as the simulator meters only calls that succeed.
BILL_FAILED_REQUESTS = False

#: A principal whose identity policies are not given: assume its IAM policies allowed exactly what the recorded
#: call did (an Allow for that action on that key when the call was not denied, nothing when it was). The
#: proposed key policy then decides whether IAM policies count at all (the account-principal statement,
#: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
ASSUME_RECORDED_IAM = True

#: The simulator calls as a role ARN, with no session: exported as an assumed-role session of this name.
EXPORT_ROLE_SESSION = "kmssim"

#: The simulator does not record the caller's address; CloudTrail always has one. This marker is neither an IP
#: address nor a service name, so readers infer nothing from it.
EXPORT_SOURCE_IP = "kmssim"


def fingerprint() -> tuple[object, ...]:
    """The current value of every choice, for keying caches: two calls give equal tuples until one is changed.
    Worked out again only after an assignment to this module (see ``_Choices``): it is on every call's path."""
    if _state["cached"] is None:
        g = globals()
        _state["cached"] = tuple(g[name] for name in _NAMES)
    cached = _state["cached"]
    assert isinstance(cached, tuple)
    return cached


_NAMES = tuple(name for name in __all__ if name.isupper())
_state: dict[str, object] = {"cached": None}


class _Choices(types.ModuleType):
    """This module's type: assigning a choice forgets the cached fingerprint."""

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        _state["cached"] = None

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        _state["cached"] = None


sys.modules[__name__].__class__ = _Choices
