"""The KMS operations, one module per resource, each handler registered by name with :func:`operation`.

=================  =========================================================================================
module             operations
=================  =========================================================================================
``keys``           CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion,
                   CancelKeyDeletion, UpdateKeyDescription, TagResource, UntagResource, ListResourceTags
``aliases``        CreateAlias, UpdateAlias, DeleteAlias, ListAliases
``policies``       PutKeyPolicy, GetKeyPolicy, ListKeyPolicies
``crypto``         Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
                   GenerateDataKeyPair(WithoutPlaintext), GenerateRandom
``signing``        Sign, Verify, GenerateMac, VerifyMac, GetPublicKey
``agreement``      DeriveSharedSecret
``kem``            Encapsulate, Decapsulate
``rotation``       EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
                   ListKeyRotations, and the automatic rotations and deletions the clock runs
``grants``         CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant
``imported``       GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial, and the expiry of
                   imported key material the clock runs
``key_stores``     CreateCustomKeyStore, DescribeCustomKeyStores, ConnectCustomKeyStore,
                   DisconnectCustomKeyStore, UpdateCustomKeyStore, DeleteCustomKeyStore, keys in a store
``last_usage``     GetKeyLastUsage, and the record of each key's last cryptographic operation
``multi_region``   ReplicateKey, UpdatePrimaryRegion
=================  =========================================================================================

A handler takes the shared state (:class:`Kms`) and the :class:`Request` and returns the response as a dict of
the operation's output shape (bytes for blobs, datetimes for timestamps); its docstring names its API page.
Everything the catalog (``_catalog``) knows about an operation is looked up there, not repeated here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._catalog import OPERATIONS
from ._kms import Kms, Request

Handler = Callable[[Kms, Request], dict[str, Any]]

#: Operation name -> handler, filled by :func:`operation` as the resource modules are imported.
HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of API operation ``name`` (a name in the catalog)."""
    if name not in OPERATIONS:
        raise ValueError(f"{name} is not an operation of botocore's KMS model")

    def register(fn: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"{name} has two handlers")
        HANDLERS[name] = fn
        return fn

    return register


def operation_names() -> list[str]:
    """The API operations kmssim simulates."""
    return sorted(HANDLERS)


from . import (  # noqa: E402  (registers the handlers)
    agreement,
    aliases,
    crypto,
    grants,
    imported,
    kem,
    key_stores,
    keys,
    last_usage,
    multi_region,
    policies,
    rotation,
    signing,
)

__all__ = [
    "HANDLERS",
    "Handler",
    "Kms",
    "Request",
    "agreement",
    "aliases",
    "crypto",
    "grants",
    "imported",
    "kem",
    "key_stores",
    "keys",
    "last_usage",
    "multi_region",
    "operation",
    "operation_names",
    "policies",
    "rotation",
    "signing",
]
