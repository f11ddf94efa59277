"""The state every operation works on (keys, aliases, grant tokens) and the steps they share: resolve the key a
request names, authorize the request with the permission engine, check the key's state.

The order of those steps is AWS's: find the key, decide the permission, then check the key state
(https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). Every check runs before anything changes,
so a call that raises leaves the state as it was (``checkpoint`` / ``rollback`` undo what a failing call added).
"""

from __future__ import annotations

import base64
import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from .. import _crypto, choices
from .._catalog import ALIAS_OPERATIONS, OPERATIONS_BY_USAGE
from .._errors import (
    AccessDeniedException,
    DryRunOperationException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSError,
    NotFoundException,
)
from .._ids import ACCOUNT_ID, KeyRef, alias_arn, key_arn, new_key_id, parse_key_arn, parse_key_id
from .._keyspecs import ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT, SIGN_VERIFY
from .._models import Alias, Grant, Key, KeyMaterial, Principal
from .._policy import (
    Decision,
    aws_managed_key_policy,
    build_request_context,
    evaluate,
    parse_policy,
)
from .._states import CREATING, ENABLED, PENDING_DELETION, UPDATING, check_state
from .._validation import validation_error

if TYPE_CHECKING:
    from .key_stores import KeyStores
    from .last_usage import LastUsage

# Limits: https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html and the API reference.
KEYS_PER_REGION = 100_000
ALIASES_PER_KEY = 50
GRANTS_PER_KEY = 50_000
TAGS_PER_KEY = 50
PENDING_WINDOW_DAYS = (7, 30)
DEFAULT_PENDING_WINDOW_DAYS = 30
ROTATION_PERIOD_DAYS = (90, 2560)
DEFAULT_ROTATION_PERIOD_DAYS = 365
AWS_MANAGED_ROTATION_DAYS = 365

#: List operations' Limit ranges (API reference of each operation).
LIST_LIMITS = {
    "ListKeys": 1000,
    "ListKeyPolicies": 1000,
    "ListKeyRotations": 1000,
    "ListAliases": 100,
    "ListGrants": 100,
    "ListRetirableGrants": 100,
    "ListResourceTags": 50,
}

#: Services whose AWS managed key (``alias/aws/<service>``) kmssim creates on first use.
AWS_MANAGED_SERVICES = (
    "acm",
    "dynamodb",
    "ebs",
    "elasticfilesystem",
    "es",
    "glue",
    "kinesis",
    "lambda",
    "rds",
    "redshift",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "xray",
)
#: Context-free decisions kept per simulator before the memo starts again.
DECISION_MEMO_SIZE = 10_000


class World(Protocol):
    """What the operations need from the simulator that owns them."""

    @property
    def now(self) -> datetime: ...

    def random_bytes(self, n: int) -> builtins.bytes: ...

    def bytes(self, n: int) -> builtins.bytes:
        """The same stream as ``random_bytes``, under the name ``_crypto.RandomSource`` uses."""
        ...

    def principal(self, arn: str) -> Principal | None: ...

    def schedule(self, when: datetime, kind: str, arn: str) -> None: ...

    @property
    def regions(self) -> tuple[str, ...]:
        """The Regions a request may name (where multi-Region keys can have replicas)."""
        ...


@dataclass
class Request:
    """One API call as the operations see it. The pipeline fills the first fields; the steps that serve the call
    record what they found in the rest (the keys it resolved, the alias it named, the permission decision, the
    condition keys an operation works out, the events KMS itself ran because of it), which the trail and the
    meter read, for a failed call as for a successful one."""

    operation: str
    params: dict[str, Any]
    account: str
    region: str
    principal: str
    global_context: dict[str, object] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    alias_used: str | None = None
    alias_account: str | None = None
    derived_context: dict[str, object] = field(default_factory=dict)
    decision: Decision | None = None
    service_events: list[tuple[str, Key]] = field(default_factory=list)
    #: The parsed header of the request's symmetric ciphertext, once something has read it.
    blob_header: _crypto.SymmetricHeader | None = None

    def ciphertext_header(self, blob: bytes) -> _crypto.SymmetricHeader:
        """The header of ``blob`` (the request's CiphertextBlob), parsed once per request."""
        if self.blob_header is None:
            self.blob_header = _crypto.parse_symmetric_blob(blob)
        return self.blob_header


def in_range(req: Request, param: str, default: int, bounds: tuple[int, int]) -> int:
    """An integer parameter the service bounds more tightly than botocore's model; ValidationException if out."""
    value: int = req.params.get(param, default)
    lo, hi = bounds
    if not lo <= value <= hi:
        rule = f"greater than or equal to {lo}" if value < lo else f"less than or equal to {hi}"
        raise validation_error(value, param[:1].lower() + param[1:], f"Member must have value {rule}")
    return value


def page(items: list[Any], params: Mapping[str, Any], default_limit: int) -> tuple[list[Any], dict[str, Any]]:
    """Marker pagination: the marker is an opaque token naming the next index."""
    limit = params.get("Limit") or default_limit
    start = 0
    marker = params.get("Marker")
    if marker is not None:
        try:
            decoded = base64.urlsafe_b64decode(marker.encode()).decode()
            if not decoded.startswith("kmssim:"):
                raise ValueError(decoded)
            start = int(decoded[7:])
        except (ValueError, UnicodeError) as exc:
            raise InvalidMarkerException("The marker is invalid.") from exc
        if start < 0 or start > len(items):
            raise InvalidMarkerException("The marker is invalid.")
    chunk = items[start : start + limit]
    end = start + len(chunk)
    if end < len(items):
        token = base64.urlsafe_b64encode(f"kmssim:{end}".encode()).decode()
        return chunk, {"NextMarker": token, "Truncated": True}
    return chunk, {"Truncated": False}


def dry_run(req: Request) -> None:
    if req.params.get("DryRun"):
        raise DryRunOperationException()


def require_usage(key: Key, operation: str) -> None:
    if operation not in OPERATIONS_BY_USAGE.get(key.key_usage, frozenset()):
        raise InvalidKeyUsageException(
            f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}."
        )


def require_symmetric(key: Key, operation: str) -> None:
    if not key.spec.symmetric_encryption:
        raise InvalidKeyUsageException(
            f"{key.arn} key spec is {key.key_spec} which is not valid for {operation}."
        )


def describe_algorithms(key: Key) -> dict[str, Any]:
    spec = key.spec
    if key.key_usage == ENCRYPT_DECRYPT:
        return {"EncryptionAlgorithms": list(spec.encryption_algorithms)}
    if key.key_usage == SIGN_VERIFY:
        return {"SigningAlgorithms": list(spec.signing_algorithms)}
    if key.key_usage == GENERATE_VERIFY_MAC:
        return {"MacAlgorithms": list(spec.mac_algorithms)}
    if key.key_usage == KEY_AGREEMENT:
        return {"KeyAgreementAlgorithms": list(spec.key_agreement_algorithms)}
    return {"EncapsulationAlgorithms": list(spec.encapsulation_algorithms)}


class Kms:
    """All keys, aliases and grants of every simulated account and Region, and the steps operations share."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.keys: dict[str, Key] = {}  # by key ARN; deleted keys stay with ``deleted`` set, for the bill
        self.aliases: dict[tuple[str, str, str], Alias] = {}  # (account, region, alias name)
        self.grant_tokens: dict[str, tuple[str, str]] = {}  # token -> (key ARN, grant ID)
        from .key_stores import KeyStores

        self.stores: KeyStores = (
            KeyStores()
        )  # custom key stores, the simulated clusters and key managers behind them
        self.live_keys: dict[tuple[str, str], int] = {}  # (account, Region) -> keys not yet deleted (a quota)
        self.last_usage: dict[str, LastUsage] = {}  # key ARN -> its last successful cryptographic operation
        self._decisions: dict[tuple[object, ...], Decision] = {}  # see decide()
        self._alias_epoch = 0  # bumped by every alias change; keys the alias-name index below
        self._alias_index: tuple[int, dict[tuple[str, str, str], list[str]]] = (-1, {})

    # ------------------------------------------------------------------ failed calls change nothing

    def checkpoint(self) -> tuple[int, int, int, int]:
        """Enough to undo what a failing call created before it failed (an AWS managed key made on first use of
        ``alias/aws/<service>``): keys, aliases and grant tokens are only ever added at the end of their dicts
        by a call that has not yet passed every check, and existing records change only after every check."""
        return len(self.keys), len(self.aliases), len(self.grant_tokens), self._alias_epoch

    def rollback(self, mark: tuple[int, int, int, int]) -> None:
        """Remove what was added since ``checkpoint`` returned ``mark``."""
        tables: tuple[dict[Any, Any], ...] = (self.keys, self.aliases, self.grant_tokens)
        while len(self.keys) > mark[0]:
            self.key_gone(self.keys.popitem()[1])
        for table, size in zip(tables[1:], mark[1:3], strict=True):
            while len(table) > size:
                table.popitem()
        if self._alias_epoch != mark[3]:
            self.aliases_changed()  # the alias-name index is stale either way

    def aliases_changed(self) -> None:
        self._alias_epoch += 1

    # ------------------------------------------------------------------ finding keys

    def find_key(self, account: str, region: str, key_id: str) -> Key | None:
        key = self.keys.get(key_arn(region, account, key_id))
        return None if key is None or key.deleted is not None else key

    def add_key(self, key: Key) -> None:
        """A new key: stored, counted, and its automatic rotation (if any) scheduled."""
        self.keys[key.arn] = key
        region = (key.account, key.region)
        self.live_keys[region] = self.live_keys.get(region, 0) + 1
        self.schedule(key)

    def key_gone(self, key: Key) -> None:
        """A key deleted (or never created, on rollback): it no longer counts against the keys quota."""
        self.live_keys[(key.account, key.region)] -= 1

    def schedule(self, key: Key) -> None:
        """Put the key's due dates (automatic rotation, deletion, expiry of imported material) on the simulator's
        event queue."""
        if key.deleted is not None:
            return
        expiries = [r.valid_to for r in key.imports if r.valid_to is not None]
        if expiries:  # the next imported material to expire (each expires at its own ValidTo), in any state
            self.world.schedule(min(expiries), "DeleteExpiredKeyMaterial", key.arn)
        if key.state == PENDING_DELETION and key.deletion_date is not None:
            self.world.schedule(key.deletion_date, "DeleteKey", key.arn)
            return
        # A key keeps its rotation schedule while Updating: crypto works then (API_UpdatePrimaryRegion).
        if key.state in (ENABLED, UPDATING) and key.rotation_enabled and key.next_rotation is not None:
            self.world.schedule(key.next_rotation, "RotateKey", key.arn)
        if key.state in (CREATING, UPDATING) and key.sync_due is not None:
            self.world.schedule(key.sync_due, "SynchronizeMultiRegionKey", key.arn)

    def related_keys(self, key: Key) -> list[Key]:
        """The live multi-Region keys related to ``key`` (same account and key ID), ``key`` included, in the
        order of the simulator's Regions; ``[key]`` for a single-Region key."""
        if not key.multi_region:
            return [key]
        found = (self.find_key(key.account, region, key.key_id) for region in self.world.regions)
        return [k for k in found if k is not None]

    def replicas(self, key: Key) -> list[Key]:
        """The live replica keys of ``key`` when it is a multi-Region primary key (none otherwise)."""
        if key.region != key.primary_region:
            return []
        return [k for k in self.related_keys(key) if k is not key]

    def primary_of(self, key: Key) -> Key | None:
        """The primary key of ``key``'s set of multi-Region keys (``key`` itself for a primary)."""
        if key.primary_region is None:
            return None
        return self.find_key(key.account, key.primary_region, key.key_id)

    def new_material(self, arn: str, rotation_type: str | None) -> KeyMaterial:
        seed = self.world.random_bytes(_crypto.MATERIAL_SEED_BYTES)
        return KeyMaterial(_crypto.material_id(seed, arn), seed, self.world.now, rotation_type)

    def aws_managed_key(self, account: str, region: str, service: str) -> Key:
        """The AWS managed key ``alias/aws/<service>``, created on first use as AWS does."""
        name = f"alias/aws/{service}"
        alias = self.aliases.get((account, region, name))
        if alias is not None:
            key = self.find_key(account, region, alias.target_key_id)
            if key is not None:
                return key
        now = self.world.now
        key_id = new_key_id(self.world.random_bytes(16))
        arn = key_arn(region, account, key_id)
        key = Key(
            key_id=key_id,
            arn=arn,
            account=account,
            region=region,
            key_spec="SYMMETRIC_DEFAULT",
            key_usage=ENCRYPT_DECRYPT,
            created=now,
            policy=aws_managed_key_policy(account, service, region),
            description=f"Default key that protects my {service.upper()} data when no other key is defined",
            key_manager="AWS",
            rotation_enabled=True,
            rotation_period_days=AWS_MANAGED_ROTATION_DAYS,
            next_rotation=now + timedelta(days=AWS_MANAGED_ROTATION_DAYS),
        )
        key.materials.append(self.new_material(arn, None))
        self.add_key(key)
        self.aliases[(account, region, name)] = Alias(name, account, region, key_id, now, now)
        self.aliases_changed()
        return key

    def resolve(self, req: Request, value: str, *, allow_alias: bool, create_managed: bool = True) -> Key:
        """Find the key a ``KeyId``-like parameter names, or raise NotFoundException as AWS does.

        ``create_managed``: an ``alias/aws/<service>`` name creates that AWS managed key on first use, as AWS
        does for a real request; questions that must change nothing (``Simulator.decide``) pass False.
        """
        ref = parse_key_id(value, account=req.account, region=req.region, allow_alias=allow_alias)
        return self.key_from_ref(req, ref, create_managed=create_managed)

    def key_from_ref(self, req: Request, ref: KeyRef, *, create_managed: bool = True) -> Key:
        if ref.alias_name is None:
            assert ref.key_id is not None
            key = self.find_key(ref.account, ref.region, ref.key_id)
            if key is None:
                raise NotFoundException(
                    f"Key '{key_arn(ref.region, ref.account, ref.key_id)}' does not exist"
                )
            return key
        req.alias_used = ref.alias_name
        req.alias_account = ref.account
        alias = self.aliases.get((ref.account, ref.region, ref.alias_name))
        if alias is None and create_managed and ref.alias_name.startswith("alias/aws/"):
            service = ref.alias_name[len("alias/aws/") :]
            if service in AWS_MANAGED_SERVICES and ref.account == req.account:
                return self.aws_managed_key(ref.account, ref.region, service)
        found = self.find_key(ref.account, ref.region, alias.target_key_id) if alias is not None else None
        if found is None:
            raise NotFoundException(
                f"Alias {alias_arn(ref.region, ref.account, ref.alias_name)} is not found."
            )
        return found

    def peek_key(self, req: Request) -> tuple[Key | None, str | None]:
        """The key a request names (KeyId, SourceKeyId, or a Decrypt/ReEncrypt ciphertext) and its key spec, if
        it exists; changes nothing. For the quota gate, before the call is served. An ``alias/aws/<service>``
        whose AWS managed key does not exist yet has no key but the spec it will have, SYMMETRIC_DEFAULT."""
        p = req.params
        raw = p.get("KeyId") or p.get("SourceKeyId")
        try:
            if raw is None and req.operation in ("Decrypt", "ReEncrypt") and p.get("CiphertextBlob"):
                found = parse_key_arn(req.ciphertext_header(p["CiphertextBlob"]).key_id)
                key = self.keys.get(key_arn(*found)) if found is not None else None
                key = key if key is not None and key.deleted is None else None
                return key, key.key_spec if key is not None else None
            if not isinstance(raw, str):
                return None, None
            ref = parse_key_id(raw, account=req.account, region=req.region, allow_alias=True)
        except (KMSError, ValueError):
            return None, None
        if ref.alias_name is not None:
            alias = self.aliases.get((ref.account, ref.region, ref.alias_name))
            if alias is None:
                return None, "SYMMETRIC_DEFAULT" if ref.alias_name.startswith("alias/aws/") else None
            key = self.find_key(ref.account, ref.region, alias.target_key_id)
        else:
            key = self.find_key(ref.account, ref.region, ref.key_id or "")
        return key, key.key_spec if key is not None else None

    def alias_names(self, key: Key) -> list[str]:
        """The names of the aliases pointing at ``key``, in creation order."""
        epoch, index = self._alias_index
        if epoch != self._alias_epoch:
            index = {}
            for (acct, region, name), a in self.aliases.items():
                index.setdefault((acct, region, a.target_key_id), []).append(name)
            self._alias_index = (self._alias_epoch, index)
        return list(index.get((key.account, key.region, key.key_id), ()))

    # ------------------------------------------------------------------ authorization

    def identity(self, principal: str) -> tuple[list[str], dict[str, str]]:
        p = self.world.principal(principal)
        return (list(p.policies), dict(p.tags)) if p is not None else ([], {})

    def principal_exists(self, arn: str) -> bool:
        if arn.endswith(":root") or ACCOUNT_ID.match(arn):
            return True
        return self.world.principal(arn) is not None

    def key_facts(self, key: Key) -> dict[str, object]:
        """What the permission engine's condition keys read from a key."""
        return {
            "arn": key.arn,
            "account": key.account,
            "region": key.region,
            "key_spec": key.key_spec,
            "key_usage": key.key_usage,
            "origin": key.origin,
            "multi_region": key.multi_region,
            **({"multi_region_key_type": _key_type(key)} if key.multi_region else {}),
            "tags": dict(key.tags),
            "aliases": self.alias_names(key),
            **self._unused_since(key),
        }

    def _unused_since(self, key: Key) -> dict[str, object]:
        """``unused_since`` for kms:TrailingDaysWithoutKeyUsage: the key's last successful cryptographic
        operation (GetKeyLastUsage), or for a key never used its creation or the tracking start, whichever is
        later, while ``choices.TRAILING_DAYS_COUNT_FROM_CREATION``."""
        used = self.last_usage.get(key.arn)
        if used is not None:
            return {"unused_since": used.time}
        if not choices.TRAILING_DAYS_COUNT_FROM_CREATION:
            return {}
        from .last_usage import tracking_start

        return {"unused_since": tracking_start(key)}

    def effective_grants(self, req: Request, key: Key) -> list[Grant]:
        """The key's grants that count for ``req``: all of them, or with ``choices.GRANTS_EFFECTIVE_IMMEDIATELY``
        False those older than ``choices.GRANT_PROPAGATION`` and those whose grant token the request presents
        (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#grant_token)."""
        if choices.GRANTS_EFFECTIVE_IMMEDIATELY:
            return list(key.grants.values())
        settled = self.world.now - choices.GRANT_PROPAGATION
        presented = {
            found[1]
            for token in req.params.get("GrantTokens") or ()
            if (found := self.grant_tokens.get(token)) is not None and found[0] == key.arn
        }
        return [g for g in key.grants.values() if g.created <= settled or g.grant_id in presented]

    def decide(
        self,
        req: Request,
        action: str,
        key: Key | None,
        resource: str | None = None,
        *,
        only_grant: Grant | None = None,
    ) -> Decision:
        """What AWS would decide for ``req``'s principal doing ``action`` on ``key`` (or an IAM-only resource).

        ``only_grant``: evaluate with this grant alone (RetireGrant is authorized by the grant being retired).
        """
        policies, tags = self.identity(req.principal)
        if only_grant is not None:
            key_grants = [only_grant]
        else:
            key_grants = (
                []
                if key is None
                else list(key.grants.values())
                if choices.GRANTS_EFFECTIVE_IMMEDIATELY
                else self.effective_grants(req, key)
            )
        target = key.arn if key is not None else (resource or "*")
        # When no policy has a condition or variable and no grant a constraint, the request context cannot
        # change the decision: it is a pure function of the documents, principal, action, resource and choices.
        memo_key: tuple[object, ...] | None = None
        context_free = (
            only_grant is None
            and action
            != "kms:CreateGrant"  # a grant delegates only its own operations: depends on the request
            and (key is None or parse_policy(key.policy, "key").context_free)
        )
        # Guarded: most requests have no identity policy or no grant, and this is on every call's path.
        if context_free and policies:
            context_free = all(parse_policy(p, "identity").context_free for p in policies)
        if context_free and key_grants:
            context_free = not any(g.constraints for g in key_grants)
        if context_free:
            memo_key = (
                choices.fingerprint(),
                key.policy if key is not None else None,
                tuple(policies),
                req.principal,
                action,
                target,
                tuple((g.grant_id, g.grantee, tuple(g.operations)) for g in key_grants) if key_grants else (),
            )
            hit = self._decisions.get(memo_key)
            if hit is not None:
                return hit
        operation = "ReEncryptTo" if action == "kms:ReEncryptTo" else req.operation
        context = build_request_context(
            operation=operation,
            principal_arn=req.principal,
            principal_tags=tags,
            key=self.key_facts(key) if key is not None else None,
            request=req.params,
            now=self.world.now,
            # aws:RequestedRegion is the Region the request went to, for calls that name no key too.
            global_context={"aws:RequestedRegion": req.region, **req.global_context, **req.derived_context},
        )
        decision = evaluate(
            key_policy=key.policy if key is not None else None,
            identity_policies=policies,
            grants=[g.as_evaluation_input() for g in key_grants],
            principal=req.principal,
            action=action,
            resource=target,
            context=context,
        )
        if memo_key is not None:
            if len(self._decisions) > DECISION_MEMO_SIZE:
                self._decisions.clear()
            self._decisions[memo_key] = decision
        return decision

    def authorize(
        self, req: Request, action: str, key: Key | None, resource: str | None = None, **how: Grant | None
    ) -> Decision:
        """Decide (``how``: as for :meth:`decide`), record the decision on the request, and raise
        AccessDeniedException unless allowed."""
        decision = self.decide(req, action, key, resource, **how)
        req.decision = decision
        if not decision.allowed:
            target = key.arn if key is not None else (resource or "*")
            raise AccessDeniedException(decision.access_denied_message(req.principal, action, target))
        return decision

    def check_grant_tokens(self, req: Request) -> None:
        for token in req.params.get("GrantTokens") or ():
            if token not in self.grant_tokens:
                raise InvalidGrantTokenException("Grant token is invalid.")

    def use_key(
        self,
        req: Request,
        param: str = "KeyId",
        *,
        action: str | None = None,
        state_op: str | None = None,
        key: Key | None = None,
    ) -> Key:
        """Resolve, authorize and state-check the key a request names. The order is AWS's: find, allow, state.
        ``key``: the key is already resolved (from a ciphertext, or named twice)."""
        if key is None:
            key = self.resolve(req, req.params[param], allow_alias=req.operation in ALIAS_OPERATIONS)
        req.keys.append(key)
        self.check_grant_tokens(req)
        self.authorize(req, action or f"kms:{req.operation}", key)
        check_state(state_op or req.operation, self.stores.state_of(key), key.arn)
        return key

    # ------------------------------------------------------------------ key metadata

    def key_metadata(self, key: Key) -> dict[str, Any]:
        """DescribeKey's ``KeyMetadata`` (API_KeyMetadata)."""
        md: dict[str, Any] = {
            "AWSAccountId": key.account,
            "KeyId": key.key_id,
            "Arn": key.arn,
            "CreationDate": key.created,
            "Enabled": key.state == ENABLED,
            "Description": key.description,
            "KeyUsage": key.key_usage,
            "KeyState": self.stores.state_of(key),
            "Origin": key.origin,
            **self.stores.metadata(key),
            "KeyManager": key.key_manager,
            "CustomerMasterKeySpec": key.key_spec,
            "KeySpec": key.key_spec,
            **describe_algorithms(key),
            "MultiRegion": key.multi_region,
        }
        if key.state == PENDING_DELETION:
            md["DeletionDate"] = key.deletion_date
            md["PendingDeletionWindowInDays"] = key.pending_window_days
        if key.multi_region and key.primary_region is not None:
            # The set as it is now, in the primary's and every replica's DescribeKey (API_MultiRegionConfiguration).
            primary = key.primary_region
            md["MultiRegionConfiguration"] = {
                "MultiRegionKeyType": _key_type(key),
                "PrimaryKey": {"Arn": key_arn(primary, key.account, key.key_id), "Region": primary},
                "ReplicaKeys": [
                    {"Arn": k.arn, "Region": k.region} for k in self.related_keys(key) if k.region != primary
                ],
            }
        if key.spec.symmetric_encryption and key.state != CREATING and (key.materials or key.imports):
            # A new replica shows none yet; an imported key's material ID stays after the material is deleted
            # (AWS-obs test_import_key_symmetric), and material pending rotation is not current yet
            # (AWS-obs test_rotate_key_on_demand_updates_current_key_material_for_external_keys).
            md["CurrentKeyMaterialId"] = (
                key.associated[-1].material_id
                if key.origin == "EXTERNAL"
                else key.current_material.material_id
            )
        if key.expiration_model is not None:
            md["ExpirationModel"] = key.expiration_model
            if key.valid_to is not None:
                md["ValidTo"] = key.valid_to
        return md


def _key_type(key: Key) -> str:
    """``MultiRegionKeyType`` (and the ``kms:MultiRegionKeyType`` condition key) of a multi-Region key."""
    return "PRIMARY" if key.region == key.primary_region else "REPLICA"
