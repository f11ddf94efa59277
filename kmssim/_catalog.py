"""The operation catalog: one row per KMS API operation with everything kmssim needs to know about it.

Every other table about operations (the key-state rules, the key usages each operation serves, the IAM actions and
which policies govern them, the keyless and asymmetric-priced operations of the pricing engine, the grant
operations each kind of key can carry) is derived from these rows; nothing else lists operations by hand.
The operation names are those of botocore's KMS model (API version 2014-11-01); ``tests/test_catalog.py`` checks
the rows against the model. Sources: the API reference of each operation
(https://docs.aws.amazon.com/kms/latest/APIReference/), the key-state table
(https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html), the Service Authorization Reference for
KMS, the pricing page and the grants page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from ._keyspecs import (
    ENCRYPT_DECRYPT,
    GENERATE_VERIFY_MAC,
    KEY_AGREEMENT,
    KEY_ENCAPSULATION,
    KEY_SPECS,
    SIGN_VERIFY,
)

#: How the key-state table treats an operation on a key that is not Enabled:
#: ``any``: every state; ``crypto``: DisabledException when disabled, KMSInvalidStateException when pending
#: deletion (footnotes 2/3, see ``choices.PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE``); ``public_key``: as crypto,
#: but see ``choices.GET_PUBLIC_KEY_FAILS_WHEN_DISABLED``; ``management``: disabled is fine, pending deletion is
#: KMSInvalidStateException; ``enabled``: Enabled only (rotation settings); ``cancel``: pending deletion only;
#: ``none``: the operation names no key. Multi-Region states: ``crypto``, ``public_key`` and ``enabled`` fail on a
#: Creating key; ``toggle`` (EnableKey, DisableKey) is ``management`` that fails on Creating and Updating keys;
#: a key pending import refuses ``toggle`` too;
#: ``schedule`` (ScheduleKeyDeletion) is ``management`` that fails on Updating keys; ``replicate`` (ReplicateKey)
#: is ``crypto`` that also fails on Updating keys (key-state table, footnotes 14 and 15).
StateRule = Literal[
    "any",
    "crypto",
    "public_key",
    "management",
    "enabled",
    "cancel",
    "none",
    "toggle",
    "schedule",
    "replicate",
]


@dataclass(frozen=True)
class Operation:
    """What kmssim knows about one API operation."""

    name: str
    #: Which key-state rule applies (see StateRule).
    state: StateRule = "any"
    #: The ``KeyId`` member may be an alias name or alias ARN (API reference, KeyId member).
    alias_ok: bool = False
    #: Key usages whose keys serve the operation (InvalidKeyUsageException otherwise); empty: not a key-usage check.
    usages: frozenset[str] = frozenset()
    #: Key families (as in ``_keyspecs``) the operation can use; empty: any, or none for keyless operations.
    families: frozenset[str] = frozenset()
    #: It takes an ``EncryptionContext``; grant encryption-context constraints apply to it.
    context: bool = False
    #: It uses key material (a cryptographic operation in the key-state and pricing pages).
    crypto: bool = False
    #: Its ``kms:`` actions also apply to the alias resource (CreateAlias, UpdateAlias, DeleteAlias).
    alias_resource: bool = False
    #: A principal in another account may be allowed to call it (key-policy-modifying-external-accounts.html).
    cross_account: bool = False
    #: It can be a grant operation (botocore's ``GrantOperation`` enum).
    grantable: bool = False
    #: A request that references an asymmetric key is priced in an asymmetric class (pricing page footnote).
    asymmetric_priced: bool = False
    #: A request for a data key pair (priced by its KeyPairSpec).
    data_key_pair: bool = False
    #: The IAM actions it needs; default ``kms:<name>``.
    actions: tuple[str, ...] = ()

    @property
    def keyless(self) -> bool:
        """It names no KMS key, so only IAM policies govern it (``Resource: "*"``) and a request has no key spec."""
        return self.state == "none"

    @property
    def permissions(self) -> tuple[str, ...]:
        return self.actions or (f"kms:{self.name}",)


def _crypto(name: str, usage: str, families: frozenset[str], **facts: object) -> Operation:
    """A cryptographic operation: it uses key material, so every one is grantable and may be called from another
    account, and each accepts an alias name or alias ARN as its KeyId (API reference, KeyId member of each;
    Encapsulate and Decapsulate included, API_Encapsulate / API_Decapsulate)."""
    facts.setdefault("alias_ok", True)
    return Operation(
        name,
        state="crypto",
        usages=frozenset({usage}),
        families=families,
        crypto=True,
        cross_account=True,
        grantable=True,
        **facts,  # type: ignore[arg-type]
    )


def _keyless(name: str) -> Operation:
    return Operation(name, state="none")


_SYM_ASYM = frozenset({"symmetric", "rsa", "sm2"})
_SIGNERS = frozenset({"rsa", "ecc", "sm2", "ml_dsa"})
_SYMMETRIC = frozenset({"symmetric"})
_HMAC = frozenset({"hmac"})
_ML_KEM = frozenset({"ml_kem"})
_ENCRYPTING: dict[str, object] = {"context": True, "asymmetric_priced": True}
_PAIR: dict[str, object] = {"context": True, "data_key_pair": True}
#: ReEncrypt needs two permissions: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination.
_RE_ENCRYPT = ("kms:ReEncryptFrom", "kms:ReEncryptTo")

OPERATIONS: Final[dict[str, Operation]] = {
    op.name: op
    for op in (
        # -- cryptographic operations
        _crypto("Encrypt", ENCRYPT_DECRYPT, _SYM_ASYM, **_ENCRYPTING),
        _crypto("Decrypt", ENCRYPT_DECRYPT, _SYM_ASYM, **_ENCRYPTING),
        _crypto("ReEncrypt", ENCRYPT_DECRYPT, _SYM_ASYM, **_ENCRYPTING, actions=_RE_ENCRYPT),
        _crypto("GenerateDataKey", ENCRYPT_DECRYPT, _SYMMETRIC, context=True),
        _crypto("GenerateDataKeyWithoutPlaintext", ENCRYPT_DECRYPT, _SYMMETRIC, context=True),
        _crypto("GenerateDataKeyPair", ENCRYPT_DECRYPT, _SYMMETRIC, **_PAIR),
        _crypto("GenerateDataKeyPairWithoutPlaintext", ENCRYPT_DECRYPT, _SYMMETRIC, **_PAIR),
        _crypto("Sign", SIGN_VERIFY, _SIGNERS, asymmetric_priced=True),
        _crypto("Verify", SIGN_VERIFY, _SIGNERS, asymmetric_priced=True),
        _crypto("GenerateMac", GENERATE_VERIFY_MAC, _HMAC),
        _crypto("VerifyMac", GENERATE_VERIFY_MAC, _HMAC),
        _crypto("DeriveSharedSecret", KEY_AGREEMENT, frozenset({"ecc", "sm2"}), asymmetric_priced=True),
        _crypto("Encapsulate", KEY_ENCAPSULATION, _ML_KEM),
        _crypto("Decapsulate", KEY_ENCAPSULATION, _ML_KEM),
        Operation(
            "GetPublicKey",
            state="public_key",
            alias_ok=True,
            cross_account=True,
            grantable=True,
            usages=frozenset({ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT, KEY_ENCAPSULATION}),
            families=frozenset({"rsa", "ecc", "sm2", "ml_dsa", "ml_kem"}),
            asymmetric_priced=True,
        ),
        _keyless("GenerateRandom"),
        # -- keys and their lifecycle
        _keyless("CreateKey"),
        Operation("DescribeKey", alias_ok=True, cross_account=True, grantable=True),
        _keyless("ListKeys"),
        Operation("EnableKey", state="toggle"),
        Operation("DisableKey", state="toggle"),
        Operation("ScheduleKeyDeletion", state="schedule"),
        Operation("CancelKeyDeletion", state="cancel"),
        Operation("UpdateKeyDescription", state="management"),
        Operation("TagResource", state="management"),
        Operation("UntagResource", state="management"),
        Operation("ListResourceTags"),
        # -- aliases
        Operation("CreateAlias", state="management", alias_resource=True),
        Operation("UpdateAlias", state="management", alias_resource=True),
        Operation("DeleteAlias", alias_resource=True),
        _keyless("ListAliases"),
        # -- key policies
        Operation("PutKeyPolicy"),
        Operation("GetKeyPolicy"),
        Operation("ListKeyPolicies"),
        # -- rotation
        Operation("EnableKeyRotation", state="enabled"),
        Operation("DisableKeyRotation", state="enabled"),
        Operation("RotateKeyOnDemand", state="enabled"),
        Operation("GetKeyRotationStatus", cross_account=True),
        Operation("ListKeyRotations"),
        # -- grants
        Operation("CreateGrant", state="crypto", cross_account=True, grantable=True),
        Operation("ListGrants", cross_account=True),
        _keyless("ListRetirableGrants"),
        Operation("RetireGrant", cross_account=True, grantable=True),
        Operation("RevokeGrant", cross_account=True),
        # -- multi-Region keys
        Operation("ReplicateKey", state="replicate"),
        Operation("UpdatePrimaryRegion", state="crypto"),
        # -- imported key material: EXTERNAL keys only; pending deletion refuses the first two (key-state.html)
        Operation("GetParametersForImport", state="management"),
        Operation("ImportKeyMaterial", state="management"),
        Operation("DeleteImportedKeyMaterial"),
        # -- custom key stores
        _keyless("CreateCustomKeyStore"),
        _keyless("ConnectCustomKeyStore"),
        _keyless("DisconnectCustomKeyStore"),
        _keyless("DeleteCustomKeyStore"),
        _keyless("DescribeCustomKeyStores"),
        _keyless("UpdateCustomKeyStore"),
        # -- usage tracking
        Operation("GetKeyLastUsage"),
    )
}

#: Permissions that belong to no API operation: KMS checks ``kms:SynchronizeMultiRegionKey`` itself when it syncs
#: a multi-Region key's shared properties (Service Authorization Reference for KMS).
ACTIONS_WITHOUT_OPERATION: Final[frozenset[str]] = frozenset({"kms:SynchronizeMultiRegionKey"})


def _actions(test: object) -> frozenset[str]:
    return frozenset(a for op in OPERATIONS.values() if test(op) for a in op.permissions)  # type: ignore[operator]


# -- derived tables --------------------------------------------------------------------------------------------

#: Operations that take an encryption context.
CONTEXT_OPERATIONS: Final[frozenset[str]] = frozenset(n for n, op in OPERATIONS.items() if op.context)
#: Operations whose KeyId may be an alias.
ALIAS_OPERATIONS: Final[frozenset[str]] = frozenset(n for n, op in OPERATIONS.items() if op.alias_ok)
#: Operations that name no key.
KEYLESS_OPERATIONS: Final[frozenset[str]] = frozenset(n for n, op in OPERATIONS.items() if op.keyless)

#: ``kms:`` actions of the cryptographic operations.
CRYPTO_ACTIONS: Final[frozenset[str]] = _actions(lambda op: op.crypto)
#: ``kms:`` actions whose resource is a KMS key, so a key policy can govern them.
KEY_ACTION_SET: Final[frozenset[str]] = _actions(lambda op: not op.keyless) | ACTIONS_WITHOUT_OPERATION
#: ``kms:`` actions that involve no particular key, so only IAM policies govern them.
IAM_ONLY_ACTION_SET: Final[frozenset[str]] = _actions(lambda op: op.keyless)
#: Actions that also need permission on the alias resource.
ALIAS_ACTIONS: Final[frozenset[str]] = _actions(lambda op: op.alias_resource)
#: Actions a principal of another account can be allowed.
CROSS_ACCOUNT_ACTIONS: Final[frozenset[str]] = _actions(lambda op: op.cross_account)
#: Grant operations (the names a grant lists: actions without the ``kms:`` prefix).
GRANT_OPERATIONS: Final[frozenset[str]] = frozenset(a[4:] for a in _actions(lambda op: op.grantable))
#: Grant operations that take an encryption context, so grant constraints apply to them.
GRANT_CONSTRAINED_OPERATIONS: Final[frozenset[str]] = frozenset(
    a[4:] for a in _actions(lambda op: op.context)
)
#: Actions whose request context can hold ``kms:RequestAlias``: those of operations that accept an alias
#: (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias).
REQUEST_ALIAS_ACTIONS: Final[frozenset[str]] = _actions(lambda op: op.alias_ok)

#: Operations each key usage serves (the InvalidKeyUsageException check).
OPERATIONS_BY_USAGE: Final[dict[str, frozenset[str]]] = {
    usage: frozenset(n for n, op in OPERATIONS.items() if usage in op.usages)
    for usage in (ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, KEY_ENCAPSULATION)
}

#: Grant operations every key can carry, whatever its usage (CreateGrant's ValidationException names the others).
_EVERY_KEY_GRANT_OPERATIONS = frozenset({"CreateGrant", "RetireGrant", "DescribeKey"})

#: Grant operations a key of each (family, usage) can carry: those whose operation serves its usage and family.
GRANT_OPERATIONS_BY_KIND: Final[dict[tuple[str, str], frozenset[str]]] = {
    (spec.family, usage): _EVERY_KEY_GRANT_OPERATIONS
    | frozenset(
        a[4:]
        for op in OPERATIONS.values()
        if op.grantable and usage in op.usages and spec.family in op.families
        for a in op.permissions
    )
    for spec in KEY_SPECS.values()
    for usage in spec.usages
}


# -- condition keys -------------------------------------------------------------------------------------------

#: Where kmssim takes a condition key's value from: ``request`` (a request parameter, or its default),
#: ``key`` (the KMS key the request uses), ``caller`` (the calling principal), ``service`` (only when the call
#: comes through an AWS service: the caller's context must hold ``kms:ViaService``), ``grant`` (the grant
#: RetireGrant retires), ``usage`` (the key's recorded last use, GetKeyLastUsage), ``none`` (kmssim cannot
#: supply it).
ConditionSource = Literal["request", "key", "caller", "service", "grant", "usage", "none"]
ConditionType = Literal["String", "Numeric", "Bool", "Date", "ARN", "ArrayOfString"]


@dataclass(frozen=True)
class ConditionKey:
    """One condition key of the Service Authorization Reference's KMS table and the actions it applies to."""

    name: str
    type: ConditionType
    #: The ``kms:`` actions whose request context can hold it (SAR per-action "Condition keys" column, with the
    #: resource keys of the ``key`` resource type for every action on a key).
    actions: frozenset[str]
    source: ConditionSource
    #: For keys copied unchanged from one request parameter: the parameter's name.
    parameter: str | None = None
    #: Actions among ``actions`` for which kmssim cannot supply the key, with ``note`` saying why.
    unsupplied: frozenset[str] = frozenset()
    note: str = ""

    @property
    def supplied_actions(self) -> frozenset[str]:
        """The actions for which kmssim puts the key in the request context (when the request carries it)."""
        return frozenset() if self.source == "none" else self.actions - self.unsupplied


def _kms(*names: str) -> frozenset[str]:
    return frozenset("kms:" + n for n in names)


#: Actions on the ``key`` resource type that a principal calls (every one but SynchronizeMultiRegionKey, which
#: only KMS itself uses): the SAR gives each kms:CallerAccount and kms:ViaService.
_CALLED_KEY_ACTIONS = KEY_ACTION_SET - ACTIONS_WITHOUT_OPERATION
#: Actions with an encryption context in the request or, for the grant actions, in the grant's constraints.
_CONTEXT_ACTIONS = _actions(lambda op: op.context)
#: kms:RecipientAttestation:* (conditions-nitro-enclaves.html; SAR): the operations that take a ``Recipient``.
_ATTESTATION_ACTIONS = _kms(
    "Decrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateRandom", "DeriveSharedSecret"
)
_NO_RECIPIENT = "Nitro Enclaves / NitroTPM attestation (the Recipient parameter) is not simulated"
_KEY_PROPERTY = (
    "a property of the key; for CreateKey the request parameter or its default (conditions-kms.html)"
)

#: Every condition key the Service Authorization Reference lists for KMS ("Condition keys for AWS Key
#: Management Service", https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html;
#: described in https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html), by name as AWS spells
#: it. The request context builder (``kmssim._policy.context``) reads which actions each applies to from here.
CONDITION_KEYS: Final[dict[str, ConditionKey]] = {
    k.name: k
    for k in (
        ConditionKey("aws:RequestTag/${TagKey}", "String", _kms("CreateKey", "TagResource"), "request"),
        ConditionKey(
            "aws:ResourceTag/${TagKey}",
            "String",
            KEY_ACTION_SET | _kms("CreateKey"),
            "key",
            unsupplied=_kms("CreateKey"),
            note="CreateKey: no key exists yet and AWS does not say what the key would hold there",
        ),
        ConditionKey(
            "aws:TagKeys", "ArrayOfString", _kms("CreateKey", "TagResource", "UntagResource"), "request"
        ),
        ConditionKey(
            "kms:BypassPolicyLockoutSafetyCheck",
            "Bool",
            _kms("CreateKey", "PutKeyPolicy"),
            "request",
            note="false when the parameter is omitted (its default)",
        ),
        ConditionKey(
            "kms:CallerAccount",
            "String",
            _CALLED_KEY_ACTIONS
            | IAM_ONLY_ACTION_SET - _kms("GenerateRandom", "ListAliases", "ListKeys", "ListRetirableGrants"),
            "caller",
        ),
        ConditionKey(
            "kms:CustomerMasterKeySpec",
            "String",
            frozenset(),
            "none",
            note="deprecated (use kms:KeySpec); the SAR attaches it to no action",
        ),
        ConditionKey(
            "kms:CustomerMasterKeyUsage",
            "String",
            frozenset(),
            "none",
            note="deprecated (use kms:KeyUsage); the SAR attaches it to no action",
        ),
        ConditionKey(
            "kms:DataKeyPairSpec",
            "String",
            _actions(lambda op: op.data_key_pair),
            "request",
            "KeyPairSpec",
        ),
        ConditionKey(
            "kms:EncryptionAlgorithm",
            "String",
            _CONTEXT_ACTIONS,
            "request",
            note="SYMMETRIC_DEFAULT when the parameter is omitted",
        ),
        ConditionKey(
            "kms:EncryptionContext:${EncryptionContextKey}",
            "String",
            _CONTEXT_ACTIONS | _kms("CreateGrant", "RetireGrant"),
            "request",
            note="CreateGrant: the grant's constraint; RetireGrant: the retired grant's constraint",
        ),
        ConditionKey(
            "kms:EncryptionContextKeys",
            "ArrayOfString",
            _CONTEXT_ACTIONS | _kms("CreateGrant", "RetireGrant"),
            "request",
        ),
        ConditionKey(
            "kms:ExpirationModel", "String", _kms("ImportKeyMaterial"), "request", "ExpirationModel"
        ),
        ConditionKey(
            "kms:GrantConstraintSourceArn",
            "ARN",
            _kms("CreateGrant"),
            "request",
            note="Constraints.SourceArn",
        ),
        ConditionKey(
            "kms:GrantConstraintType",
            "String",
            _kms("CreateGrant", "RetireGrant"),
            "request",
            note="RetireGrant: the retired grant's constraint",
        ),
        ConditionKey(
            "kms:GrantIsForAWSResource",
            "Bool",
            _kms("CreateGrant", "ListGrants", "RevokeGrant"),
            "service",
            note="true only when an integrated AWS service calls on the principal's behalf (kms:ViaService)",
        ),
        ConditionKey("kms:GrantOperations", "ArrayOfString", _kms("CreateGrant"), "request", "Operations"),
        ConditionKey("kms:GranteePrincipal", "String", _kms("CreateGrant"), "request", "GranteePrincipal"),
        ConditionKey(
            "kms:GranteeServicePrincipal", "String", _kms("CreateGrant"), "request", "GranteeServicePrincipal"
        ),
        ConditionKey(
            "kms:KeyAgreementAlgorithm",
            "String",
            _kms("DeriveSharedSecret"),
            "request",
            "KeyAgreementAlgorithm",
        ),
        *(
            ConditionKey(name, kind, KEY_ACTION_SET | _kms("CreateKey"), "key", note=_KEY_PROPERTY)  # type: ignore[arg-type]
            for name, kind in (
                ("kms:KeyOrigin", "String"),
                ("kms:KeySpec", "String"),
                ("kms:KeyUsage", "String"),
                ("kms:MultiRegion", "Bool"),
                ("kms:MultiRegionKeyType", "String"),
            )
        ),
        ConditionKey(
            "kms:MacAlgorithm", "String", _kms("GenerateMac", "VerifyMac"), "request", "MacAlgorithm"
        ),
        ConditionKey(
            "kms:MessageType",
            "String",
            _kms("Sign", "Verify"),
            "request",
            "MessageType",
            note="RAW when the parameter is omitted",
        ),
        ConditionKey("kms:PrimaryRegion", "String", _kms("UpdatePrimaryRegion"), "request", "PrimaryRegion"),
        ConditionKey("kms:ReEncryptOnSameKey", "Bool", _kms("ReEncryptFrom", "ReEncryptTo"), "request"),
        *(
            ConditionKey(
                f"kms:RecipientAttestation:{name}", "String", _ATTESTATION_ACTIONS, "none", note=_NO_RECIPIENT
            )
            for name in (
                "ImageSha384",
                *(f"NitroTPMPCR{i}" for i in range(24)),
                *(f"PCR{i}" for i in range(32)),
            )
        ),
        ConditionKey("kms:ReplicaRegion", "String", _kms("ReplicateKey"), "request", "ReplicaRegion"),
        ConditionKey(
            "kms:RequestAlias",
            "String",
            REQUEST_ALIAS_ACTIONS,
            "request",
            note="only when the request's key identifier is an alias name or alias ARN",
        ),
        ConditionKey("kms:ResourceAliases", "ArrayOfString", KEY_ACTION_SET, "key"),
        ConditionKey("kms:RetiringPrincipal", "String", _kms("CreateGrant"), "request", "RetiringPrincipal"),
        ConditionKey(
            "kms:RetiringServicePrincipal",
            "String",
            _kms("CreateGrant"),
            "request",
            "RetiringServicePrincipal",
        ),
        ConditionKey(
            "kms:RotationPeriodInDays",
            "Numeric",
            _kms("EnableKeyRotation"),
            "request",
            "RotationPeriodInDays",
            note="when omitted: choices.ROTATION_PERIOD_WHEN_OMITTED",
        ),
        ConditionKey(
            "kms:ScheduleKeyDeletionPendingWindowInDays",
            "Numeric",
            _kms("ScheduleKeyDeletion"),
            "request",
            "PendingWindowInDays",
            note="when omitted: choices.SCHEDULE_DELETION_WINDOW_WHEN_OMITTED",
        ),
        ConditionKey("kms:SigningAlgorithm", "String", _kms("Sign", "Verify"), "request", "SigningAlgorithm"),
        ConditionKey(
            "kms:TrailingDaysWithoutKeyUsage",
            "Numeric",
            _kms("DisableKey", "ScheduleKeyDeletion"),
            "usage",
            note="whole days since the key's last successful cryptographic operation (choices."
            "TRAILING_DAYS_COUNT_FROM_CREATION for a key never used)",
        ),
        ConditionKey("kms:ValidTo", "Date", _kms("ImportKeyMaterial"), "request", "ValidTo"),
        ConditionKey(
            "kms:ViaService",
            "String",
            _CALLED_KEY_ACTIONS | _kms("CreateKey"),
            "service",
            note="the AWS service that made the call for the principal (the caller's context)",
        ),
        ConditionKey(
            "kms:WrappingAlgorithm", "String", _kms("GetParametersForImport"), "request", "WrappingAlgorithm"
        ),
        ConditionKey(
            "kms:WrappingKeySpec", "String", _kms("GetParametersForImport"), "request", "WrappingKeySpec"
        ),
    )
}
