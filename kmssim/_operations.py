"""The KMS operations: state, rules and errors for every simulated API call.

One method per API operation, named as in the API (``Encrypt``...). Each takes a :class:`Request` and returns the
response as a dict of the operation's output shape (bytes for blobs, datetimes for timestamps). Every check runs
before anything changes, so a call that raises leaves the state as it was.

Rules cite the API reference (https://docs.aws.amazon.com/kms/latest/APIReference/) and the developer guide.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from . import _crypto, choices
from ._errors import (
    AccessDeniedException,
    AlreadyExistsException,
    ConflictException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSError,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotAuthorizedException,
    NotFoundException,
    TagException,
    UnsupportedOperationException,
    ValidationException,
)
from ._ids import ACCOUNT_ID, KeyRef, alias_arn, key_arn, new_key_id, parse_key_id
from ._keyspecs import (
    DATA_KEY_PAIR_SPECS,
    ENCRYPT_DECRYPT,
    GENERATE_VERIFY_MAC,
    GRANT_OPERATIONS_BY_KIND,
    KEY_SPECS,
    OPERATIONS_BY_USAGE,
    SIGN_VERIFY,
    UNSUPPORTED_KEY_SPECS,
)
from ._models import ALIAS_NAME, GRANT_ID, Alias, DamagedState, Fields, Grant, Key, KeyMaterial, Principal
from ._policy import (
    Decision,
    aws_managed_key_policy,
    build_request_context,
    default_key_policy,
    evaluate,
    lockout_check_passes,
    parse_policy,
    validate_key_policy,
)
from ._states import DISABLED, ENABLED, PENDING_DELETION, check_state

# Limits: https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html and the API reference.
KEYS_PER_REGION = 100_000
ALIASES_PER_KEY = 50
GRANTS_PER_KEY = 50_000
TAGS_PER_KEY = 50
ON_DEMAND_CONFLICT_WINDOW = timedelta(minutes=20)  # ConflictException: automatic rotation due this soon
#: GetKeyRotationStatus: on EnableKey, material not rotated for this long is rotated at once; otherwise the
#: prior schedule resumes (rotations missed while disabled are skipped).
REENABLE_ROTATE_IF_OLDER_THAN = timedelta(days=365)
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
GRANT_CONSTRAINT_PAIRS = 8
#: A grant token: this many random bytes, then the grant ID, in unpadded URL-safe base64 (kmssim's format).
GRANT_TOKEN_RANDOM_BYTES = 48
GRANT_CONSTRAINT_VALUE_CHARS = 384
PENDING_WINDOW_DAYS = (7, 30)
DEFAULT_PENDING_WINDOW_DAYS = 30
ROTATION_PERIOD_DAYS = (90, 2560)
DEFAULT_ROTATION_PERIOD_DAYS = 365
AWS_MANAGED_ROTATION_DAYS = 365
SYMMETRIC_PLAINTEXT_MAX = 4096
MESSAGE_MAX = 4096
RANDOM_BYTES = (1, 1024)

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

# Grantee and retiring principals: an IAM or STS ARN, an account ID, or a service principal name.
_GRANT_PRINCIPAL = re.compile(r"^(arn:aws:(iam|sts)::\d{12}:.+|\d{12}|[a-z0-9.-]+\.amazonaws\.com)$")
_ALIAS_PREFIX_MESSAGE = (
    'Alias must start with the prefix "alias/". Please see '
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
)
_CIPHERTEXT_KEY_MISSING = (
    "The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
    "or you are not allowed to access."
)
# Operations whose KeyId may be an alias name or alias ARN (API reference, KeyId member of each operation).
_ALIAS_OK = frozenset(
    {
        "Encrypt",
        "Decrypt",
        "ReEncrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "Sign",
        "Verify",
        "GenerateMac",
        "VerifyMac",
        "GetPublicKey",
        "DescribeKey",
    }
)
_CONTEXT_OPERATIONS = frozenset(
    {
        "Encrypt",
        "Decrypt",
        "ReEncrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    }
)


class World(Protocol):
    """What the operations need from the simulator that owns them."""

    @property
    def now(self) -> datetime: ...

    def random_bytes(self, n: int) -> builtins.bytes: ...

    def bytes(self, n: int) -> builtins.bytes:
        """The same stream as ``random_bytes``, under the name ``_crypto.RandomSource`` uses."""
        ...

    def principal(self, arn: str) -> Principal | None: ...


@dataclass
class Request:
    """One API call as the operations see it; the front fills the first fields, the operation the rest."""

    operation: str
    params: dict[str, Any]
    account: str
    region: str
    principal: str
    global_context: dict[str, object] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)  # keys the call resolved, for the trail and metering
    alias_used: str | None = None
    alias_account: str | None = None
    derived_context: dict[str, object] = field(default_factory=dict)  # condition keys the operation works out
    decision: Decision | None = None


#: CreateAlias/UpdateAlias naming an alias as the target (moto's and local-kms's observed wording).
ALIAS_TARGET_IS_ALIAS_MESSAGE = "Aliases must refer to keys. Not aliases"


def principal_account(arn: str) -> str:
    """The 12-digit account of an IAM/STS principal ARN, or '' for service principals."""
    parts = arn.split(":")
    if len(parts) >= 5 and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return ""


def _describe_algorithms(key: Key) -> dict[str, Any]:
    spec = key.spec
    if key.key_usage == ENCRYPT_DECRYPT:
        return {"EncryptionAlgorithms": list(spec.encryption_algorithms)}
    if key.key_usage == SIGN_VERIFY:
        return {"SigningAlgorithms": list(spec.signing_algorithms)}
    if key.key_usage == GENERATE_VERIFY_MAC:
        return {"MacAlgorithms": list(spec.mac_algorithms)}
    return {"KeyAgreementAlgorithms": ["ECDH"]}


def _key_class(key: Key) -> str:
    """UpdateAlias's notion of key type: symmetric, asymmetric (RSA or ECC) or HMAC (API_UpdateAlias)."""
    return {"SYMMETRIC": "symmetric", "HMAC": "HMAC"}.get(key.spec.family, "asymmetric")


def check_list_limit(req: Request) -> None:
    """The Limit range of a list operation (LIST_LIMITS), checked with the other parameters."""
    if req.operation in LIST_LIMITS and "Limit" in req.params:
        _in_range(req, "Limit", 1, (1, LIST_LIMITS[req.operation]))


def _in_range(req: Request, param: str, default: int, bounds: tuple[int, int]) -> int:
    """An integer parameter the service bounds more tightly than botocore's model; ValidationException if out."""
    value: int = req.params.get(param, default)
    lo, hi = bounds
    if not lo <= value <= hi:
        rule = f"greater than or equal to {lo}" if value < lo else f"less than or equal to {hi}"
        member = param[:1].lower() + param[1:]
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must have value {rule}"
        )
    return value


def _page(
    items: list[Any], params: Mapping[str, Any], default_limit: int
) -> tuple[list[Any], dict[str, Any]]:
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


class KmsOperations:
    """All keys, aliases and grants of every simulated account and Region, and the API operations on them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.keys: dict[str, Key] = {}  # by key ARN; deleted keys stay with ``deleted`` set, for the bill
        self.aliases: dict[tuple[str, str, str], Alias] = {}  # (account, region, alias name)
        self.grant_tokens: dict[str, tuple[str, str]] = {}  # token -> (key ARN, grant ID)
        self._decisions: dict[tuple[object, ...], Decision] = {}  # see decide()
        #: Time-driven events a call caused (a catch-up rotation on EnableKey), for the simulator's trail.
        self.time_events: list[tuple[str, Key]] = []
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
        for table, size in zip(tables, mark[:3], strict=True):
            while len(table) > size:
                table.popitem()
        if self._alias_epoch != mark[3]:
            self._alias_epoch += 1  # the alias-name index is stale either way

    # ------------------------------------------------------------------ resolution and authorization

    def _find_key(self, account: str, region: str, key_id: str) -> Key | None:
        key = self.keys.get(key_arn(region, account, key_id))
        return None if key is None or key.deleted is not None else key

    def _aws_managed_key(self, account: str, region: str, service: str) -> Key:
        """The AWS managed key ``alias/aws/<service>``, created on first use as AWS does."""
        name = f"alias/aws/{service}"
        alias = self.aliases.get((account, region, name))
        if alias is not None:
            key = self._find_key(account, region, alias.target_key_id)
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
        key.materials.append(self._new_material(arn, None))
        self.keys[arn] = key
        self.aliases[(account, region, name)] = Alias(name, account, region, key_id, now, now)
        self._alias_epoch += 1
        return key

    def _resolve(self, req: Request, value: str, *, allow_alias: bool, create_managed: bool = True) -> Key:
        """Find the key a ``KeyId``-like parameter names, or raise NotFoundException as AWS does.

        ``create_managed``: an ``alias/aws/<service>`` name creates that AWS managed key on first use, as AWS
        does for a real request; questions that must change nothing (``Simulator.decide``) pass False.
        """
        ref = parse_key_id(value, account=req.account, region=req.region, allow_alias=allow_alias)
        return self._key_from_ref(req, ref, create_managed=create_managed)

    def _key_from_ref(self, req: Request, ref: KeyRef, *, create_managed: bool = True) -> Key:
        if ref.alias_name is not None:
            req.alias_used = ref.alias_name
            req.alias_account = ref.account
            alias = self.aliases.get((ref.account, ref.region, ref.alias_name))
            if alias is None and create_managed and ref.alias_name.startswith("alias/aws/"):
                service = ref.alias_name[len("alias/aws/") :]
                if service in AWS_MANAGED_SERVICES and ref.account == req.account:
                    return self._aws_managed_key(ref.account, ref.region, service)
            if alias is None:
                raise NotFoundException(
                    f"Alias {alias_arn(ref.region, ref.account, ref.alias_name)} is not found."
                )
            key = self._find_key(ref.account, ref.region, alias.target_key_id)
        else:
            assert ref.key_id is not None
            key = self._find_key(ref.account, ref.region, ref.key_id)
            if key is None:
                raise NotFoundException(
                    f"Key '{key_arn(ref.region, ref.account, ref.key_id)}' does not exist"
                )
        if key is None:
            raise NotFoundException(
                f"Alias {alias_arn(ref.region, ref.account, ref.alias_name or '')} is not found."
            )
        return key

    def peek_key_spec(self, req: Request) -> str | None:
        """The key spec of the key a request names, if it names one that exists; changes nothing."""
        p = req.params
        raw = p.get("KeyId") or p.get("SourceKeyId")
        try:
            if raw is None and req.operation in ("Decrypt", "ReEncrypt") and p.get("CiphertextBlob"):
                raw = _crypto.parse_symmetric_blob(p["CiphertextBlob"]).key_id
            if not isinstance(raw, str):
                return None
            ref = parse_key_id(raw, account=req.account, region=req.region, allow_alias=True)
        except (KMSError, ValueError):
            return None
        if ref.alias_name is not None:
            alias = self.aliases.get((ref.account, ref.region, ref.alias_name))
            if alias is None:
                return "SYMMETRIC_DEFAULT" if ref.alias_name.startswith("alias/aws/") else None
            key = self._find_key(ref.account, ref.region, alias.target_key_id)
        else:
            key = self._find_key(ref.account, ref.region, ref.key_id or "")
        return key.key_spec if key is not None else None

    def _key_facts(self, key: Key) -> dict[str, object]:
        return {
            "arn": key.arn,
            "account": key.account,
            "region": key.region,
            "key_spec": key.key_spec,
            "key_usage": key.key_usage,
            "origin": key.origin,
            "multi_region": key.multi_region,
            "tags": dict(key.tags),
            "aliases": self._alias_names(key),
        }

    def _alias_names(self, key: Key) -> list[str]:
        """The names of the aliases pointing at ``key``, in creation order."""
        epoch, index = self._alias_index
        if epoch != self._alias_epoch:
            index = {}
            for (acct, region, name), a in self.aliases.items():
                index.setdefault((acct, region, a.target_key_id), []).append(name)
            self._alias_index = (self._alias_epoch, index)
        return list(index.get((key.account, key.region, key.key_id), ()))

    def _identity(self, principal: str) -> tuple[list[str], dict[str, str]]:
        p = self.world.principal(principal)
        return (list(p.policies), dict(p.tags)) if p is not None else ([], {})

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
        policies, tags = self._identity(req.principal)
        if only_grant is not None:
            key_grants = [only_grant]
        else:
            key_grants = self._effective_grants(req, key) if key is not None else []
        grants = [g.as_evaluation_input() for g in key_grants]
        target = key.arn if key is not None else (resource or "*")
        # When no policy has a condition or variable and no grant a constraint, the request context cannot
        # change the decision: it is a pure function of the documents, principal, action and resource.
        memo_key: tuple[object, ...] | None = None
        if (
            only_grant is None
            and action
            != "kms:CreateGrant"  # a grant delegates only its own operations: depends on the request
            and (key is None or parse_policy(key.policy, "key").context_free)
            and all(parse_policy(p, "identity").context_free for p in policies)
            and not any(g.constraints for g in key_grants)
        ):
            memo_key = (
                choices.fingerprint(),
                key.policy if key is not None else None,
                tuple(policies),
                req.principal,
                action,
                target,
                tuple((g.grant_id, g.grantee, tuple(g.operations)) for g in key_grants),
            )
            hit = self._decisions.get(memo_key)
            if hit is not None:
                return hit
        operation = "ReEncryptTo" if action == "kms:ReEncryptTo" else req.operation
        context = build_request_context(
            operation=operation,
            principal_arn=req.principal,
            principal_tags=tags,
            key=self._key_facts(key) if key is not None else None,
            request=req.params,
            now=self.world.now,
            global_context={**req.global_context, **req.derived_context},
        )
        decision = evaluate(
            key_policy=key.policy if key is not None else None,
            identity_policies=policies,
            grants=grants,
            principal=req.principal,
            action=action,
            resource=target,
            context=context,
        )
        if memo_key is not None:
            if len(self._decisions) > 10_000:
                self._decisions.clear()
            self._decisions[memo_key] = decision
        return decision

    def _effective_grants(self, req: Request, key: Key) -> list[Grant]:
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

    def _authorize(
        self,
        req: Request,
        action: str,
        key: Key | None,
        resource: str | None = None,
        *,
        only_grant: Grant | None = None,
    ) -> Decision:
        decision = self.decide(req, action, key, resource, only_grant=only_grant)
        req.decision = decision
        if not decision.allowed:
            target = key.arn if key is not None else (resource or "*")
            raise AccessDeniedException(decision.access_denied_message(req.principal, action, target))
        return decision

    def _check_grant_tokens(self, req: Request) -> None:
        for token in req.params.get("GrantTokens") or ():
            if token not in self.grant_tokens:
                raise InvalidGrantTokenException("Grant token is invalid.")

    def _use_key(
        self,
        req: Request,
        param: str = "KeyId",
        *,
        action: str | None = None,
        state_op: str | None = None,
        value: str | None = None,
    ) -> Key:
        """Resolve, authorize and state-check the key a request names. The order is AWS's: find, allow, state."""
        raw = value if value is not None else req.params[param]
        key = self._resolve(req, raw, allow_alias=req.operation in _ALIAS_OK)
        req.keys.append(key)
        self._check_grant_tokens(req)
        self._authorize(req, action or f"kms:{req.operation}", key)
        check_state(state_op or req.operation, key.state, key.arn)
        return key

    def _dry_run(self, req: Request) -> None:
        if req.params.get("DryRun"):
            raise DryRunOperationException()

    def _new_material(self, arn: str, rotation_type: str | None) -> KeyMaterial:
        seed = _crypto.new_material_seed(self.world)
        return KeyMaterial(_crypto.material_id(seed, arn), seed, self.world.now, rotation_type)

    @staticmethod
    def _require_usage(key: Key, operation: str) -> None:
        if operation not in OPERATIONS_BY_USAGE.get(key.key_usage, frozenset()):
            raise InvalidKeyUsageException(
                f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}."
            )

    @staticmethod
    def _require_symmetric(key: Key, operation: str) -> None:
        if not key.spec.symmetric_encryption:
            raise InvalidKeyUsageException(
                f"{key.arn} key spec is {key.key_spec} which is not valid for {operation}."
            )

    # ------------------------------------------------------------------ key metadata

    def key_metadata(self, key: Key) -> dict[str, Any]:
        md: dict[str, Any] = {
            "AWSAccountId": key.account,
            "KeyId": key.key_id,
            "Arn": key.arn,
            "CreationDate": key.created,
            "Enabled": key.state == ENABLED,
            "Description": key.description,
            "KeyUsage": key.key_usage,
            "KeyState": key.state,
            "Origin": key.origin,
            "KeyManager": key.key_manager,
            "CustomerMasterKeySpec": key.key_spec,
            "KeySpec": key.key_spec,
            **_describe_algorithms(key),
            "MultiRegion": key.multi_region,
        }
        if key.state == PENDING_DELETION:
            md["DeletionDate"] = key.deletion_date
            md["PendingDeletionWindowInDays"] = key.pending_window_days
        if key.multi_region:
            md["MultiRegionConfiguration"] = {
                "MultiRegionKeyType": "PRIMARY",
                "PrimaryKey": {"Arn": key.arn, "Region": key.region},
                "ReplicaKeys": [],
            }
        if key.spec.symmetric_encryption:
            md["CurrentKeyMaterialId"] = key.current_material.material_id
        return md

    # ------------------------------------------------------------------ key lifecycle

    def CreateKey(self, req: Request) -> dict[str, Any]:
        p = req.params
        if "KeySpec" in p and "CustomerMasterKeySpec" in p:
            raise ValidationException(
                "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                "CustomerMasterKeySpec is deprecated."
            )
        spec_name = p.get("KeySpec") or p.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if spec_name not in KEY_SPECS:
            raise UnsupportedOperationException(
                UNSUPPORTED_KEY_SPECS.get(spec_name, f"KeySpec {spec_name} is not simulated by kmssim yet.")
            )
        spec = KEY_SPECS[spec_name]
        usage = p.get("KeyUsage")
        if usage is None:
            if not spec.symmetric_encryption:
                raise ValidationException(
                    "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
                )
            usage = ENCRYPT_DECRYPT
        if usage not in spec.usages:
            raise ValidationException(f"KeyUsage {usage} is not compatible with KeySpec {spec_name}")
        origin = p.get("Origin", "AWS_KMS")
        if origin != "AWS_KMS" or p.get("CustomKeyStoreId") or p.get("XksKeyId"):
            raise UnsupportedOperationException(
                f"Origin {origin} and custom key stores are not simulated by kmssim; use Origin AWS_KMS."
            )
        tags = self._validated_tags(p.get("Tags") or [], {})
        self._authorize(req, "kms:CreateKey", None, "*")
        region_keys = sum(
            1
            for k in self.keys.values()
            if k.account == req.account and k.region == req.region and k.deleted is None
        )
        if region_keys >= KEYS_PER_REGION:
            raise LimitExceededException(
                f"The request was rejected because a quota was exceeded: {KEYS_PER_REGION} KMS keys per Region."
            )
        multi_region = bool(p.get("MultiRegion", False))
        key_id = new_key_id(self.world.random_bytes(16), multi_region)
        arn = key_arn(req.region, req.account, key_id)
        policy = p.get("Policy")
        key = Key(
            key_id=key_id,
            arn=arn,
            account=req.account,
            region=req.region,
            key_spec=spec_name,
            key_usage=usage,
            created=self.world.now,
            policy=policy if policy is not None else default_key_policy(req.account),
            description=p.get("Description", ""),
            multi_region=multi_region,
            tags=tags,
        )
        if policy is not None:
            self._check_policy(req, key, policy, bypass=bool(p.get("BypassPolicyLockoutSafetyCheck")))
        key.materials.append(self._new_material(arn, None))
        self.keys[arn] = key
        req.keys.append(key)
        return {"KeyMetadata": self.key_metadata(key)}

    def _check_policy(self, req: Request, key: Key, policy: str, *, bypass: bool) -> None:
        """Validate a new key policy for ``key`` and run the lockout safety check (API_PutKeyPolicy): the new
        policy, with the caller's IAM policies, must let the caller call PutKeyPolicy on this key afterwards."""
        validate_key_policy(policy, account_id=req.account, principal_exists=self._principal_exists)
        if bypass:
            return
        policies, tags = self._identity(req.principal)
        context = build_request_context(
            operation="PutKeyPolicy",
            principal_arn=req.principal,
            principal_tags=tags,
            key=self._key_facts(key),
            request={"KeyId": key.arn, "Policy": policy},
            now=self.world.now,
            global_context=req.global_context,
        )
        if not lockout_check_passes(
            policy, principal=req.principal, identity_policies=policies, context=context, resource=key.arn
        ):
            raise MalformedPolicyDocumentException(
                "The new key policy will not allow you to update the key policy in the future."
            )

    def _principal_exists(self, arn: str) -> bool:
        if arn.endswith(":root") or ACCOUNT_ID.match(arn):
            return True
        return self.world.principal(arn) is not None

    def DescribeKey(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        return {"KeyMetadata": self.key_metadata(key)}

    def ListKeys(self, req: Request) -> dict[str, Any]:
        self._authorize(req, "kms:ListKeys", None, "*")
        keys = [
            k
            for k in self.keys.values()
            if k.account == req.account and k.region == req.region and k.deleted is None
        ]
        chunk, page = _page(keys, req.params, 100)
        return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in chunk], **page}

    def EnableKey(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        if key.state == DISABLED:
            key.state = ENABLED
            self._catch_up_rotation(key)
        return {}

    def DisableKey(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        key.state = DISABLED
        return {}

    def ScheduleKeyDeletion(self, req: Request) -> dict[str, Any]:
        days = _in_range(req, "PendingWindowInDays", DEFAULT_PENDING_WINDOW_DAYS, PENDING_WINDOW_DAYS)
        key = self._use_key(req)
        now = self.world.now
        key.state = PENDING_DELETION
        key.pending_window_days = days
        key.deletion_scheduled_at = now
        key.deletion_date = now + timedelta(days=days)
        return {
            "KeyId": key.arn,
            "DeletionDate": key.deletion_date,
            "KeyState": PENDING_DELETION,
            "PendingWindowInDays": days,
        }

    def CancelKeyDeletion(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        key.state = DISABLED
        key.deletion_date = None
        key.deletion_scheduled_at = None
        key.pending_window_days = None
        return {"KeyId": key.arn}

    def UpdateKeyDescription(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        key.description = req.params["Description"]
        return {}

    # ------------------------------------------------------------------ tags

    @staticmethod
    def _validated_tags(tag_list: Iterable[Mapping[str, str]], existing: Mapping[str, str]) -> dict[str, str]:
        new: dict[str, str] = {}
        for tag in tag_list:
            k, v = tag["TagKey"], tag["TagValue"]
            if k in new:
                raise TagException("Duplicate tag keys")
            if k.lower().startswith("aws:"):
                raise TagException("Tags beginning with aws: are reserved")
            new[k] = v
        merged = {**existing, **new}
        if len(merged) > TAGS_PER_KEY:
            raise TagException("Too many tags")
        return merged

    def TagResource(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        key.tags = self._validated_tags(req.params["Tags"], key.tags)
        return {}

    def UntagResource(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        for k in req.params["TagKeys"]:
            key.tags.pop(k, None)
        return {}

    def ListResourceTags(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        tags = [{"TagKey": k, "TagValue": v} for k, v in key.tags.items()]
        chunk, page = _page(tags, req.params, 50)
        return {"Tags": chunk, **page}

    # ------------------------------------------------------------------ aliases

    def _check_alias_name(self, name: str) -> None:
        if not name.startswith("alias/"):
            raise ValidationException(_ALIAS_PREFIX_MESSAGE)
        if name.startswith("alias/aws/"):
            raise NotAuthorizedException("")
        if ":" in name:
            raise ValidationException(f"{name} contains invalid characters for an alias")
        if name == "alias/" or not ALIAS_NAME.match(name):
            raise InvalidAliasNameException(
                f"Alias {name} is not valid: an alias name can contain only alphanumeric characters, "
                "forward slashes (/), underscores (_), and dashes (-)."
            )

    def _alias_target(self, req: Request, target: str) -> Key:
        if target.startswith("alias/") or ":alias/" in target:
            raise ValidationException(ALIAS_TARGET_IS_ALIAS_MESSAGE)
        key = self._resolve(req, target, allow_alias=False)
        if key.account != req.account:
            raise NotFoundException(f"Key '{key.arn}' does not exist")
        return key

    def CreateAlias(self, req: Request) -> dict[str, Any]:
        name = req.params["AliasName"]
        self._check_alias_name(name)
        key = self._alias_target(req, req.params["TargetKeyId"])
        req.keys.append(key)
        a_arn = alias_arn(req.region, req.account, name)
        self._authorize(req, "kms:CreateAlias", None, a_arn)
        self._authorize(req, "kms:CreateAlias", key)
        check_state("CreateAlias", key.state, key.arn)
        if (req.account, req.region, name) in self.aliases:
            raise AlreadyExistsException(f"An alias with the name {a_arn} already exists")
        if len(self._alias_names(key)) >= ALIASES_PER_KEY:
            raise LimitExceededException(
                f"Too many aliases for key {key.arn}: the quota is {ALIASES_PER_KEY}."
            )
        now = self.world.now
        self.aliases[(req.account, req.region, name)] = Alias(
            name, req.account, req.region, key.key_id, now, now
        )
        self._alias_epoch += 1
        return {}

    def _existing_alias(self, req: Request, name: str) -> Alias:
        alias = self.aliases.get((req.account, req.region, name))
        if alias is None:
            raise NotFoundException(f"Alias {alias_arn(req.region, req.account, name)} is not found.")
        return alias

    def UpdateAlias(self, req: Request) -> dict[str, Any]:
        name = req.params["AliasName"]
        if not name.startswith("alias/"):
            raise ValidationException(_ALIAS_PREFIX_MESSAGE)
        if name.startswith("alias/aws/"):
            raise NotAuthorizedException("")
        alias = self._existing_alias(req, name)
        new_key = self._alias_target(req, req.params["TargetKeyId"])
        old_key = self._find_key(req.account, req.region, alias.target_key_id)
        req.keys.append(new_key)
        a_arn = alias_arn(req.region, req.account, name)
        self._authorize(req, "kms:UpdateAlias", None, a_arn)
        if old_key is not None:
            self._authorize(req, "kms:UpdateAlias", old_key)
        self._authorize(req, "kms:UpdateAlias", new_key)
        if new_key.state == PENDING_DELETION:
            raise KMSInvalidStateException(f"{new_key.arn} is pending deletion.")
        if old_key is not None and (
            _key_class(old_key) != _key_class(new_key) or old_key.key_usage != new_key.key_usage
        ):
            # No error code is documented for this case; local-kms answers ValidationException.
            raise ValidationException(
                f"{new_key.arn} is not compatible with alias {name}: the current and new KMS key must be of the "
                "same type (both symmetric, both asymmetric or both HMAC) and have the same key usage."
            )
        alias.target_key_id = new_key.key_id
        alias.updated = self.world.now
        self._alias_epoch += 1
        return {}

    def DeleteAlias(self, req: Request) -> dict[str, Any]:
        name = req.params["AliasName"]
        if not name.startswith("alias/"):
            raise ValidationException(_ALIAS_PREFIX_MESSAGE)
        if name.startswith("alias/aws/"):
            raise NotAuthorizedException("")
        alias = self._existing_alias(req, name)
        self._authorize(req, "kms:DeleteAlias", None, alias_arn(req.region, req.account, name))
        key = self._find_key(req.account, req.region, alias.target_key_id)
        if key is not None:
            req.keys.append(key)
            self._authorize(req, "kms:DeleteAlias", key)
        del self.aliases[(req.account, req.region, name)]
        self._alias_epoch += 1
        return {}

    def ListAliases(self, req: Request) -> dict[str, Any]:
        self._authorize(req, "kms:ListAliases", None, "*")
        target: str | None = None
        if req.params.get("KeyId"):
            target = self._resolve(req, req.params["KeyId"], allow_alias=False).key_id
        entries: dict[str, dict[str, Any]] = {}
        if choices.LIST_PREDEFINED_AWS_ALIASES and target is None:
            for service in AWS_MANAGED_SERVICES:
                name = f"alias/aws/{service}"
                entries[name] = {"AliasName": name, "AliasArn": alias_arn(req.region, req.account, name)}
        for (acct, region, name), a in self.aliases.items():
            if acct != req.account or region != req.region:
                continue
            if target is not None and a.target_key_id != target:
                continue
            entries[name] = {
                "AliasName": name,
                "AliasArn": alias_arn(region, acct, name),
                "TargetKeyId": a.target_key_id,
                "CreationDate": a.created,
                "LastUpdatedDate": a.updated,
            }
        ordered = [entries[n] for n in sorted(entries)]
        chunk, page = _page(ordered, req.params, 50)
        return {"Aliases": chunk, **page}

    # ------------------------------------------------------------------ key policies

    @staticmethod
    def _policy_name(req: Request) -> None:
        name = req.params.get("PolicyName", "default")
        if name != "default":
            raise NotFoundException("Invalid policy name")

    def PutKeyPolicy(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._policy_name(req)
        self._check_policy(
            req, key, req.params["Policy"], bypass=bool(req.params.get("BypassPolicyLockoutSafetyCheck"))
        )
        key.policy = req.params["Policy"]
        return {}

    def GetKeyPolicy(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._policy_name(req)
        return {"Policy": key.policy, "PolicyName": "default"}

    def ListKeyPolicies(self, req: Request) -> dict[str, Any]:
        self._use_key(req)
        return {"PolicyNames": ["default"], "Truncated": False}

    # ------------------------------------------------------------------ symmetric cryptography

    def _context(self, req: Request, key: Key, param: str = "EncryptionContext") -> dict[str, str]:
        context = req.params.get(param) or {}
        if context and not key.spec.symmetric_encryption:
            raise ValidationException(
                f"{key.arn} is an asymmetric or HMAC key: EncryptionContext is supported only with symmetric "
                "encryption KMS keys."
            )
        return dict(context)

    def _encryption_algorithm(self, key: Key, algorithm: str | None) -> str:
        algorithm = algorithm or "SYMMETRIC_DEFAULT"
        if algorithm not in key.spec.encryption_algorithms:
            raise InvalidKeyUsageException(
                f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}."
            )
        return algorithm

    def _encrypt_with(self, key: Key, algorithm: str, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        if algorithm == "SYMMETRIC_DEFAULT":
            material = key.current_material
            return _crypto.encrypt_symmetric(
                material.seed,
                key_id=key.arn,
                material_id=material.material_id,
                plaintext=plaintext,
                context=context,
                rng=self.world,
            )
        limit = _crypto.RSA_OAEP_LIMITS[(key.key_spec, algorithm)]
        if len(plaintext) > limit:
            raise ValidationException(
                f"Algorithm {algorithm} and key spec {key.key_spec} cannot encrypt data larger than {limit} bytes."
            )
        return _crypto.rsa_encrypt(key.current_material.seed, key.key_spec, algorithm, plaintext, self.world)

    def Encrypt(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._require_usage(key, "Encrypt")
        algorithm = self._encryption_algorithm(key, req.params.get("EncryptionAlgorithm"))
        context = self._context(req, key)
        self._dry_run(req)
        blob = self._encrypt_with(key, algorithm, req.params["Plaintext"], context)
        return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}

    def _open_ciphertext(
        self,
        req: Request,
        *,
        blob: bytes,
        key_param: str,
        algorithm_param: str,
        context_param: str,
        action: str,
        destination: Key | None = None,
    ) -> tuple[Key, bytes, str, str | None]:
        """Decrypt a ciphertext for Decrypt or ReEncrypt: (key, plaintext, algorithm, material ID)."""
        algorithm = req.params.get(algorithm_param) or "SYMMETRIC_DEFAULT"
        named: Key | None = None
        if req.params.get(key_param):
            named = self._resolve(req, req.params[key_param], allow_alias=True)
        modifiers = req.params.get("DryRunModifiers") or ()
        if req.params.get("DryRun") and "IGNORE_CIPHERTEXT" in modifiers and named is not None:
            # Authorization only, no ciphertext validation (API_Decrypt, DryRunModifiers).
            req.keys.append(named)
            self._check_grant_tokens(req)
            self._authorize(req, action, named)
            check_state("Decrypt", named.state, named.arn)
            raise DryRunOperationException()
        if algorithm == "SYMMETRIC_DEFAULT":
            header = _crypto.parse_symmetric_blob(blob)
            key = self._key_from_blob(req, header.key_id)
            if named is not None and named.arn != key.arn:
                raise IncorrectKeyException(
                    "The key ID in the request does not identify a CMK that can perform this operation."
                )
        else:
            if named is None:
                raise ValidationException(
                    f"{key_param} is required when {algorithm_param} is {algorithm}: KMS stores no key "
                    "reference in ciphertext made with an asymmetric key."
                )
            key = named
        req.keys.append(key)
        if destination is not None:
            # kms:ReEncryptOnSameKey compares the resolved keys, whatever identifiers the request used.
            req.derived_context["kms:ReEncryptOnSameKey"] = key.arn == destination.arn
        self._check_grant_tokens(req)
        self._authorize(req, action, key)
        check_state("Decrypt", key.state, key.arn)
        self._require_usage(key, "Decrypt")
        self._encryption_algorithm(key, algorithm)
        context = self._context(req, key, context_param)
        if algorithm == "SYMMETRIC_DEFAULT":
            material = key.material(header.material_id)
            if material is None:
                raise InvalidCiphertextException("")
            plaintext = _crypto.decrypt_symmetric(material.seed, blob, context)
            return key, plaintext, algorithm, material.material_id
        plaintext = _crypto.rsa_decrypt(key.current_material.seed, key.key_spec, algorithm, blob)
        return key, plaintext, algorithm, None

    def _key_from_blob(self, req: Request, key_ref: str) -> Key:
        m = re.match(r"^arn:aws:kms:([a-z0-9-]+):(\d{12}):key/(.+)$", key_ref)
        if m is None:
            raise InvalidCiphertextException("")
        region, account, key_id = m.groups()
        key = self._find_key(account, region, key_id) if region == req.region else None
        if key is None:
            raise AccessDeniedException(_CIPHERTEXT_KEY_MISSING)
        return key

    @staticmethod
    def _ciphertext(req: Request) -> bytes:
        blob = req.params.get("CiphertextBlob")
        if blob is None:
            raise ValidationException("CiphertextBlob is required.")
        return bytes(blob)

    def Decrypt(self, req: Request) -> dict[str, Any]:
        if req.params.get("Recipient"):
            raise UnsupportedOperationException(
                "Nitro Enclaves attestation (Recipient) is not simulated by kmssim."
            )
        key, plaintext, algorithm, material_id = self._open_ciphertext(
            req,
            blob=self._ciphertext(req),
            key_param="KeyId",
            algorithm_param="EncryptionAlgorithm",
            context_param="EncryptionContext",
            action="kms:Decrypt",
        )
        self._dry_run(req)
        out: dict[str, Any] = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        if material_id is not None:
            out["KeyMaterialId"] = material_id
        return out

    def ReEncrypt(self, req: Request) -> dict[str, Any]:
        destination = self._resolve(req, req.params["DestinationKeyId"], allow_alias=True)
        source, plaintext, s_alg, s_material = self._open_ciphertext(
            req,
            destination=destination,
            blob=self._ciphertext(req),
            key_param="SourceKeyId",
            algorithm_param="SourceEncryptionAlgorithm",
            context_param="SourceEncryptionContext",
            action="kms:ReEncryptFrom",
        )
        dest = self._use_key(req, "DestinationKeyId", action="kms:ReEncryptTo", state_op="Encrypt")
        self._require_usage(dest, "Encrypt")
        d_alg = self._encryption_algorithm(dest, req.params.get("DestinationEncryptionAlgorithm"))
        d_context = self._context(req, dest, "DestinationEncryptionContext")
        self._dry_run(req)
        blob = self._encrypt_with(dest, d_alg, plaintext, d_context)
        out: dict[str, Any] = {
            "CiphertextBlob": blob,
            "SourceKeyId": source.arn,
            "KeyId": dest.arn,
            "SourceEncryptionAlgorithm": s_alg,
            "DestinationEncryptionAlgorithm": d_alg,
        }
        if s_material is not None:
            out["SourceKeyMaterialId"] = s_material
        if d_alg == "SYMMETRIC_DEFAULT":
            out["DestinationKeyMaterialId"] = dest.current_material.material_id
        return out

    def _data_key(self, req: Request) -> tuple[Key, bytes, bytes]:
        p = req.params
        if ("KeySpec" in p) == ("NumberOfBytes" in p):
            raise ValidationException("Please specify either number of bytes or key spec.")
        if p.get("Recipient"):
            raise UnsupportedOperationException(
                "Nitro Enclaves attestation (Recipient) is not simulated by kmssim."
            )
        n = {"AES_128": 16, "AES_256": 32}[p["KeySpec"]] if "KeySpec" in p else p["NumberOfBytes"]
        if not RANDOM_BYTES[0] <= n <= RANDOM_BYTES[1]:
            raise ValidationException(
                f"1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: "
                f"Member must have value less than or equal to {RANDOM_BYTES[1]}"
            )
        key = self._use_key(req)
        self._require_usage(key, req.operation)
        self._require_symmetric(key, req.operation)
        context = self._context(req, key)
        self._dry_run(req)
        plaintext = self.world.random_bytes(n)
        return key, plaintext, self._encrypt_with(key, "SYMMETRIC_DEFAULT", plaintext, context)

    def GenerateDataKey(self, req: Request) -> dict[str, Any]:
        key, plaintext, blob = self._data_key(req)
        return {
            "CiphertextBlob": blob,
            "Plaintext": plaintext,
            "KeyId": key.arn,
            "KeyMaterialId": key.current_material.material_id,
        }

    def GenerateDataKeyWithoutPlaintext(self, req: Request) -> dict[str, Any]:
        key, _, blob = self._data_key(req)
        return {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": key.current_material.material_id}

    def _data_key_pair(self, req: Request) -> dict[str, Any]:
        pair_spec = req.params["KeyPairSpec"]
        if pair_spec not in DATA_KEY_PAIR_SPECS:
            raise UnsupportedOperationException(f"KeyPairSpec {pair_spec} is not simulated by kmssim.")
        if req.params.get("Recipient"):
            raise UnsupportedOperationException(
                "Nitro Enclaves attestation (Recipient) is not simulated by kmssim."
            )
        key = self._use_key(req)
        self._require_usage(key, req.operation)
        self._require_symmetric(key, req.operation)
        context = self._context(req, key)
        self._dry_run(req)
        private_der, public_der = _crypto.generate_data_key_pair(pair_spec, self.world)
        blob = self._encrypt_with(key, "SYMMETRIC_DEFAULT", private_der, context)
        return {
            "PrivateKeyCiphertextBlob": blob,
            "PrivateKeyPlaintext": private_der,
            "PublicKey": public_der,
            "KeyId": key.arn,
            "KeyPairSpec": pair_spec,
            "KeyMaterialId": key.current_material.material_id,
        }

    def GenerateDataKeyPair(self, req: Request) -> dict[str, Any]:
        return self._data_key_pair(req)

    def GenerateDataKeyPairWithoutPlaintext(self, req: Request) -> dict[str, Any]:
        out = self._data_key_pair(req)
        del out["PrivateKeyPlaintext"]
        return out

    def GenerateRandom(self, req: Request) -> dict[str, Any]:
        n = req.params.get("NumberOfBytes")
        if n is None:
            raise ValidationException("NumberOfBytes is required.")
        if req.params.get("CustomKeyStoreId"):
            raise UnsupportedOperationException("Custom key stores are not simulated by kmssim.")
        if req.params.get("Recipient"):
            raise UnsupportedOperationException(
                "Nitro Enclaves attestation (Recipient) is not simulated by kmssim."
            )
        self._authorize(req, "kms:GenerateRandom", None, "*")
        return {"Plaintext": self.world.random_bytes(n)}

    # ------------------------------------------------------------------ asymmetric and HMAC

    def _message(self, req: Request, key: Key, algorithm: str) -> tuple[bytes, str]:
        message = req.params["Message"]
        message_type = req.params.get("MessageType", "RAW")
        if message_type == "DIGEST" and len(message) != _crypto.DIGEST_LENGTHS[algorithm]:
            raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
        if message_type not in ("RAW", "DIGEST"):
            raise ValidationException(f"MessageType {message_type} is not valid for key spec {key.key_spec}.")
        return message, message_type

    @staticmethod
    def _algorithm_of(key: Key, algorithm: str, allowed: tuple[str, ...]) -> str:
        if algorithm not in allowed:
            raise InvalidKeyUsageException(
                f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}."
            )
        return algorithm

    def Sign(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._require_usage(key, "Sign")
        algorithm = self._algorithm_of(key, req.params["SigningAlgorithm"], key.spec.signing_algorithms)
        message, message_type = self._message(req, key, algorithm)
        self._dry_run(req)
        signature = _crypto.sign(
            key.current_material.seed, key.key_spec, algorithm, message, message_type, self.world
        )
        return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm}

    def Verify(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._require_usage(key, "Verify")
        algorithm = self._algorithm_of(key, req.params["SigningAlgorithm"], key.spec.signing_algorithms)
        message, message_type = self._message(req, key, algorithm)
        self._dry_run(req)
        ok = _crypto.verify(
            key.current_material.seed, key.key_spec, algorithm, message, message_type, req.params["Signature"]
        )
        if not ok:
            raise KMSInvalidSignatureException("")
        return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}

    def GenerateMac(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._require_usage(key, "GenerateMac")
        algorithm = self._algorithm_of(key, req.params["MacAlgorithm"], key.spec.mac_algorithms)
        self._dry_run(req)
        mac = _crypto.generate_mac(key.current_material.seed, key.key_spec, algorithm, req.params["Message"])
        return {"Mac": mac, "MacAlgorithm": algorithm, "KeyId": key.arn}

    def VerifyMac(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._require_usage(key, "VerifyMac")
        algorithm = self._algorithm_of(key, req.params["MacAlgorithm"], key.spec.mac_algorithms)
        self._dry_run(req)
        ok = _crypto.verify_mac(
            key.current_material.seed, key.key_spec, algorithm, req.params["Message"], req.params["Mac"]
        )
        if not ok:
            raise KMSInvalidMacException("")
        return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm}

    def GetPublicKey(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        if key.spec.family not in ("RSA", "ECC"):
            raise UnsupportedOperationException(
                f"{key.arn} key spec {key.key_spec} is not valid for GetPublicKey: it has no public key."
            )
        return {
            "KeyId": key.arn,
            "PublicKey": _crypto.public_key_der(key.current_material.seed, key.key_spec),
            "CustomerMasterKeySpec": key.key_spec,
            "KeySpec": key.key_spec,
            "KeyUsage": key.key_usage,
            **_describe_algorithms(key),
        }

    # ------------------------------------------------------------------ rotation

    def _rotatable(self, key: Key, *, bare: bool = False) -> None:
        """Rotation needs a symmetric encryption key with AWS_KMS material. ``bare``: RotateKeyOnDemand, which AWS
        was recorded refusing with no message (LocalStack snapshot
        ``test_rotate_key_on_demand_raises_error_given_non_symmetric_key``, 2025-03-08)."""
        if not key.spec.symmetric_encryption or key.origin != "AWS_KMS":
            raise UnsupportedOperationException(
                "" if bare else f"{key.arn} key spec is not supported for this operation."
            )

    def rotate(self, key: Key, rotation_type: str) -> KeyMaterial:
        """Give ``key`` new current key material now. Older material stays for decryption."""
        material = self._new_material(key.arn, rotation_type)
        key.materials.append(material)
        return material

    def _catch_up_rotation(self, key: Key) -> None:
        """On EnableKey, as GetKeyRotationStatus documents: material not rotated for a year rotates now; otherwise
        the prior schedule resumes, skipping rotations that fell due while the key was disabled."""
        if not key.rotation_enabled or key.next_rotation is None or key.rotation_period_days is None:
            return
        now = self.world.now
        period = timedelta(days=key.rotation_period_days)
        if now - key.current_material.created >= REENABLE_ROTATE_IF_OLDER_THAN:
            self.rotate(key, "AUTOMATIC")
            self.time_events.append(("RotateKey", key))
            key.next_rotation = now + period
        while key.next_rotation <= now:
            key.next_rotation += period

    def EnableKeyRotation(self, req: Request) -> dict[str, Any]:
        period = _in_range(req, "RotationPeriodInDays", DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS)
        key = self._use_key(req)
        self._rotatable(key)
        now = self.world.now
        if not key.rotation_enabled:
            key.next_rotation = now + timedelta(days=period)
        elif key.rotation_period_days != period and key.next_rotation is not None:
            assert key.rotation_period_days is not None
            last = key.next_rotation - timedelta(days=key.rotation_period_days)
            key.next_rotation = max(now, last + timedelta(days=period))
        key.rotation_enabled = True
        key.rotation_period_days = period
        return {}

    def DisableKeyRotation(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._rotatable(key)
        key.rotation_enabled = False
        key.next_rotation = None
        return {}

    def GetKeyRotationStatus(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._rotatable(key)
        enabled = key.rotation_enabled and key.state != PENDING_DELETION
        out: dict[str, Any] = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
        if enabled:
            out["RotationPeriodInDays"] = key.rotation_period_days
            out["NextRotationDate"] = key.next_rotation
        return out

    def RotateKeyOnDemand(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._rotatable(key, bare=True)
        if key.on_demand_rotations >= choices.ON_DEMAND_ROTATIONS_PER_KEY:
            raise LimitExceededException(
                "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
                f"rotations can be performed for this key: {key.arn}"
            )
        if (
            key.rotation_enabled
            and key.next_rotation is not None
            and key.next_rotation - self.world.now <= ON_DEMAND_CONFLICT_WINDOW
        ):
            raise ConflictException(
                "The request was rejected because an automatic rotation of this key is currently in progress or "
                "scheduled to begin within the next 20 minutes."
            )
        key.on_demand_rotations += 1
        self.rotate(key, "ON_DEMAND")
        return {"KeyId": key.arn}

    def ListKeyRotations(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        self._rotatable(key)
        include_all = req.params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        current = key.current_material.material_id
        entries = []
        for m in key.materials:
            if m.rotation_type is None and not include_all:
                continue
            entry: dict[str, Any] = {
                "KeyId": key.arn,
                "KeyMaterialId": m.material_id,
                "KeyMaterialState": "CURRENT" if m.material_id == current else "NON_CURRENT",
            }
            if m.rotation_type is not None:
                entry["RotationDate"] = m.created
                entry["RotationType"] = m.rotation_type
            entries.append(entry)
        chunk, page = _page(entries, req.params, 100)
        return {"Rotations": chunk, **page}

    # ------------------------------------------------------------------ grants

    def CreateGrant(self, req: Request) -> dict[str, Any]:
        p = req.params
        if p.get("GranteeServicePrincipal") or p.get("RetiringServicePrincipal"):
            raise UnsupportedOperationException("Service principal grants are not simulated by kmssim.")
        if "GranteePrincipal" not in p:
            raise ValidationException("GranteePrincipal is required.")
        for field_name in ("GranteePrincipal", "RetiringPrincipal"):
            value = p.get(field_name)
            if value is not None and not _GRANT_PRINCIPAL.match(value):
                raise InvalidArnException(f"{field_name} {value} is not a valid principal ARN.")
        key = self._use_key(req)
        operations = list(dict.fromkeys(p["Operations"]))
        allowed_ops = GRANT_OPERATIONS_BY_KIND.get((key.spec.family, key.key_usage), frozenset())
        bad = [op for op in operations if op not in allowed_ops]
        if bad:
            raise ValidationException(
                f"Grant operations {bad} are not valid for a {key.key_spec} key with key usage {key.key_usage}."
            )
        # A copy: the grant must not change when the caller later changes the dicts it passed.
        constraints = {k: dict(v) for k, v in p["Constraints"].items()} if p.get("Constraints") else None
        for pairs in (constraints or {}).values():
            if isinstance(pairs, dict) and (
                len(pairs) > GRANT_CONSTRAINT_PAIRS
                or any(len(str(v)) > GRANT_CONSTRAINT_VALUE_CHARS for v in pairs.values())
            ):
                raise ValidationException(
                    f"A grant constraint can hold at most {GRANT_CONSTRAINT_PAIRS} encryption context pairs, "
                    f"each value at most {GRANT_CONSTRAINT_VALUE_CHARS} characters."
                )
        if constraints and not key.spec.symmetric_encryption:
            raise ValidationException(
                "Grant constraints are supported only with symmetric encryption KMS keys."
            )
        self._dry_run(req)
        name = p.get("Name")
        if name:
            for g in key.grants.values():
                if g.name == name:
                    same = (
                        g.grantee == p["GranteePrincipal"]
                        and g.retiring == p.get("RetiringPrincipal")
                        and sorted(g.operations) == sorted(operations)
                        and g.constraints == constraints
                    )
                    if same:
                        return {"GrantToken": self._new_token(key, g.grant_id), "GrantId": g.grant_id}
        if len(key.grants) >= GRANTS_PER_KEY:
            raise LimitExceededException(f"The grants quota of {GRANTS_PER_KEY} for {key.arn} is reached.")
        grant_id = hashlib.sha256(self.world.random_bytes(32)).hexdigest()
        key.grants[grant_id] = Grant(
            grant_id=grant_id,
            key_arn=key.arn,
            grantee=p["GranteePrincipal"],
            operations=operations,
            issuing_account=f"arn:aws:iam::{key.account}:root",
            created=self.world.now,
            name=name,
            retiring=p.get("RetiringPrincipal"),
            constraints=constraints,
        )
        return {"GrantToken": self._new_token(key, grant_id), "GrantId": grant_id}

    def _new_token(self, key: Key, grant_id: str) -> str:
        raw = self.world.random_bytes(GRANT_TOKEN_RANDOM_BYTES) + grant_id.encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        self.grant_tokens[token] = (key.arn, grant_id)
        return token

    @staticmethod
    def _grant_entry(g: Grant) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "KeyId": g.key_arn,
            "GrantId": g.grant_id,
            "CreationDate": g.created,
            "GranteePrincipal": g.grantee,
            "IssuingAccount": g.issuing_account,
            "Operations": list(g.operations),
        }
        if g.name:
            entry["Name"] = g.name
        if g.retiring:
            entry["RetiringPrincipal"] = g.retiring
        if g.constraints:
            entry["Constraints"] = {k: dict(v) for k, v in g.constraints.items()}
        return entry

    def ListGrants(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        grants = list(key.grants.values())
        if req.params.get("GrantId"):
            if not GRANT_ID.fullmatch(req.params["GrantId"]):
                raise InvalidGrantIdException(f"Invalid grant ID {req.params['GrantId']}")
            grants = [g for g in grants if g.grant_id == req.params["GrantId"]]
        if req.params.get("GranteePrincipal"):
            grants = [g for g in grants if g.grantee == req.params["GranteePrincipal"]]
        chunk, page = _page([self._grant_entry(g) for g in grants], req.params, 50)
        return {"Grants": chunk, **page}

    def ListRetirableGrants(self, req: Request) -> dict[str, Any]:
        self._authorize(req, "kms:ListRetirableGrants", None, "*")
        retiring = req.params.get("RetiringPrincipal")
        if retiring is None:
            if req.params.get("RetiringServicePrincipal"):
                raise UnsupportedOperationException("Service principal grants are not simulated by kmssim.")
            raise ValidationException("RetiringPrincipal is required.")
        grants = [
            g
            for k in self.keys.values()
            if k.region == req.region and k.deleted is None  # keys of any account (API_ListRetirableGrants)
            for g in k.grants.values()
            if g.retiring == retiring
        ]
        chunk, page = _page([self._grant_entry(g) for g in grants], req.params, 50)
        return {"Grants": chunk, **page}

    def _grant_by_id(self, key: Key, grant_id: str) -> Grant:
        if not GRANT_ID.fullmatch(grant_id):
            raise InvalidGrantIdException(f"Invalid grant ID {grant_id}")
        grant = key.grants.get(grant_id)
        if grant is None:
            raise NotFoundException(f"Grant ID {grant_id} not found")
        return grant

    def RetireGrant(self, req: Request) -> dict[str, Any]:
        p = req.params
        if p.get("GrantToken"):
            found = self.grant_tokens.get(p["GrantToken"])
            if found is None:
                raise InvalidGrantTokenException("Grant token is invalid.")
            key = self.keys[found[0]]
            if key.deleted is not None or found[1] not in key.grants:
                raise NotFoundException("Grant not found.")
            grant = key.grants[found[1]]
        elif p.get("KeyId") and p.get("GrantId"):
            if not p["KeyId"].startswith("arn:"):
                # RetireGrant names the key by its key ARN (API reference, RetireGrant KeyId).
                raise InvalidArnException(f"KeyId {p['KeyId']} is not a key ARN.")
            key = self._resolve(req, p["KeyId"], allow_alias=False)
            grant = self._grant_by_id(key, p["GrantId"])
        else:
            raise ValidationException("Either GrantToken, or both KeyId and GrantId, must be specified.")
        req.keys.append(key)
        # Who may retire (the retiring principal, a grantee whose grant lists RetireGrant, the key's account) is
        # decided by the permission engine with this grant alone; any explicit Deny still wins.
        # https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html#grant-delete
        self._authorize(req, "kms:RetireGrant", key, only_grant=grant)
        self._dry_run(req)
        self._drop_grant(key, grant.grant_id)
        return {}

    def RevokeGrant(self, req: Request) -> dict[str, Any]:
        key = self._use_key(req)
        grant = self._grant_by_id(key, req.params["GrantId"])
        self._dry_run(req)
        self._drop_grant(key, grant.grant_id)
        return {}

    def _drop_grant(self, key: Key, grant_id: str) -> None:
        del key.grants[grant_id]
        for token in [t for t, (arn, gid) in self.grant_tokens.items() if arn == key.arn and gid == grant_id]:
            del self.grant_tokens[token]

    # ------------------------------------------------------------------ time-driven behaviour

    def due_events(self) -> list[tuple[datetime, str, Key]]:
        """Pending rotations and deletions as (time, kind, key)."""
        events: list[tuple[datetime, str, Key]] = []
        for key in self.keys.values():
            if key.deleted is not None:
                continue
            if key.state == PENDING_DELETION and key.deletion_date is not None:
                events.append((key.deletion_date, "DeleteKey", key))
            elif key.state == ENABLED and key.rotation_enabled and key.next_rotation is not None:
                events.append((key.next_rotation, "RotateKey", key))
        return events

    def run_event(self, kind: str, key: Key) -> None:
        """Carry out one due event at the simulator's current time."""
        if kind == "DeleteKey":
            key.deleted = self.world.now
            for ident in [
                i for i, a in self.aliases.items() if a.target_key_id == key.key_id and i[0] == key.account
            ]:
                del self.aliases[ident]
                self._alias_epoch += 1
            for grant_id in list(key.grants):
                self._drop_grant(key, grant_id)
        else:
            self.rotate(key, "AUTOMATIC")
            assert key.rotation_period_days is not None and key.next_rotation is not None
            key.next_rotation = key.next_rotation + timedelta(days=key.rotation_period_days)

    # ------------------------------------------------------------------ persistence

    def to_json(self) -> dict[str, Any]:
        return {
            "keys": [k.to_json() for k in self.keys.values()],
            "aliases": [a.to_json() for a in self.aliases.values()],
            "grant_tokens": [[t, arn, gid] for t, (arn, gid) in self.grant_tokens.items()],
        }

    def load_json(self, data: object, now: datetime, where: str = "operations") -> None:
        """Replace the state with a saved one, checking every relation between keys, aliases, grants and grant
        tokens that the operations keep; DamagedState names the first field that breaks one."""
        f = Fields(data, where)
        keys: dict[str, Key] = {}
        for i, d in enumerate(f.items("keys")):
            at = f.path(f"keys[{i}]")
            key = Key.from_json(d, at)
            if key.arn in keys:
                raise DamagedState(f"{at}.arn", "a second key with this ARN")
            self._check_key_times(key, now, at)
            keys[key.arn] = key
        aliases: dict[tuple[str, str, str], Alias] = {}
        for i, d in enumerate(f.items("aliases")):
            at = f.path(f"aliases[{i}]")
            alias = Alias.from_json(d, at)
            ident = (alias.account, alias.region, alias.name)
            target = keys.get(key_arn(alias.region, alias.account, alias.target_key_id))
            if ident in aliases:
                raise DamagedState(f"{at}.name", "a second alias with this name in the account and Region")
            if target is None or target.deleted is not None:
                raise DamagedState(
                    f"{at}.target_key_id", "names no live key of the alias's account and Region"
                )
            if alias.name.startswith("alias/aws/") != (target.key_manager == "AWS"):
                raise DamagedState(f"{at}.name", "alias/aws/ names exactly the AWS managed keys")
            if alias.updated > now:
                raise DamagedState(f"{at}.updated", "later than the simulator's clock")
            aliases[ident] = alias
        tokens: dict[str, tuple[str, str]] = {}
        for i, row in enumerate(f.items("grant_tokens")):
            at = f.path(f"grant_tokens[{i}]")
            if not isinstance(row, list) or len(row) != 3 or not all(isinstance(x, str) for x in row):
                raise DamagedState(at, "expected [token, key ARN, grant ID]")
            token, arn, gid = row
            if token in tokens:
                raise DamagedState(at, "a second entry for this grant token")
            if arn not in keys or gid not in keys[arn].grants:
                raise DamagedState(at, "names a grant that does not exist")
            if _token_grant_id(token) != gid:
                raise DamagedState(at, "the token does not carry its grant's ID")
            tokens[token] = (arn, gid)
        with_tokens = {ident for ident in tokens.values()}
        for arn, key in keys.items():
            for gid in key.grants:
                if (arn, gid) not in with_tokens:
                    raise DamagedState(f"{where}.grant_tokens", f"grant {gid} of {arn} has no grant token")
        f.done()
        self.keys, self.aliases, self.grant_tokens = keys, aliases, tokens
        self._alias_epoch += 1

    @staticmethod
    def _check_key_times(key: Key, now: datetime, where: str) -> None:
        """Nothing happened after ``now``, and every date ahead is one the operations could have set."""
        past = [
            ("created", key.created),
            ("deletion_scheduled_at", key.deletion_scheduled_at),
            ("deleted", key.deleted),
        ]
        past += [(f"materials[{i}].created", m.created) for i, m in enumerate(key.materials)]
        past += [(f"grants.{g.grant_id}.created", g.created) for g in key.grants.values()]
        for name, when in past:
            if when is not None and when > now:
                raise DamagedState(f"{where}.{name}", "later than the simulator's clock")
        if key.rotation_period_days is not None and not (
            ROTATION_PERIOD_DAYS[0] <= key.rotation_period_days <= ROTATION_PERIOD_DAYS[1]
        ):
            raise DamagedState(f"{where}.rotation_period_days", f"outside {ROTATION_PERIOD_DAYS}")
        if key.next_rotation is not None and key.rotation_period_days is not None:
            if key.next_rotation > now + timedelta(days=key.rotation_period_days):
                raise DamagedState(f"{where}.next_rotation", "more than one rotation period ahead")
            if key.state == ENABLED and key.next_rotation <= now:
                raise DamagedState(f"{where}.next_rotation", "a rotation that is due has not happened")
        if key.pending_window_days is not None and not (
            PENDING_WINDOW_DAYS[0] <= key.pending_window_days <= PENDING_WINDOW_DAYS[1]
        ):
            raise DamagedState(f"{where}.pending_window_days", f"outside {PENDING_WINDOW_DAYS}")
        if key.deleted is None and key.deletion_date is not None and key.deletion_date <= now:
            raise DamagedState(f"{where}.deletion_date", "a deletion that is due has not happened")
        if key.on_demand_rotations > choices.ON_DEMAND_ROTATIONS_PER_KEY:
            raise DamagedState(
                f"{where}.on_demand_rotations", f"above the quota of {choices.ON_DEMAND_ROTATIONS_PER_KEY}"
            )


def _token_grant_id(token: str) -> str | None:
    """The grant ID a grant token carries (see ``_new_token``), or None if it is not one kmssim makes."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    if (
        len(raw) != GRANT_TOKEN_RANDOM_BYTES + 64
        or base64.urlsafe_b64encode(raw).decode().rstrip("=") != token
    ):
        return None
    return raw[GRANT_TOKEN_RANDOM_BYTES:].decode("ascii", "replace")


def operation_names() -> list[str]:
    """The API operations kmssim simulates."""
    return sorted(name for name, fn in vars(KmsOperations).items() if name[:1].isupper() and callable(fn))
