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
