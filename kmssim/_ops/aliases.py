"""Aliases: friendly names for keys in one account and Region (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html).

An alias operation needs permission on the alias (from an IAM policy) and on each key it touches.
"""

from __future__ import annotations

from typing import Any

from .. import choices
from .._errors import (
    AlreadyExistsException,
    InvalidAliasNameException,
    KMSInvalidStateException,
    LimitExceededException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from .._ids import ALIAS_NAME, alias_arn
from .._models import Alias, Key
from .._states import PENDING_DELETION, check_state
from . import operation
from ._kms import ALIASES_PER_KEY, AWS_MANAGED_SERVICES, Kms, Request, page

_ALIAS_PREFIX_MESSAGE = (
    'Alias must start with the prefix "alias/". Please see '
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
)
#: CreateAlias/UpdateAlias naming an alias as the target (moto's and local-kms's observed wording).
ALIAS_TARGET_IS_ALIAS_MESSAGE = "Aliases must refer to keys. Not aliases"


def _check_prefix(name: str) -> None:
    """Every alias name starts with ``alias/``; ``alias/aws/`` is reserved for AWS managed keys (NotAuthorized,
    as moto and local-kms answer: AWS documents no error code)."""
    if not name.startswith("alias/"):
        raise ValidationException(_ALIAS_PREFIX_MESSAGE)
    if name.startswith("alias/aws/"):
        raise NotAuthorizedException("")


def _check_new_name(name: str) -> None:
    _check_prefix(name)
    if ":" in name:
        raise ValidationException(f"{name} contains invalid characters for an alias")
    if name == "alias/" or not ALIAS_NAME.match(name):
        raise InvalidAliasNameException(
            f"Alias {name} is not valid: an alias name can contain only alphanumeric characters, "
            "forward slashes (/), underscores (_), and dashes (-)."
        )


def _target(kms: Kms, req: Request, target: str) -> Key:
    if target.startswith("alias/") or ":alias/" in target:
        raise ValidationException(ALIAS_TARGET_IS_ALIAS_MESSAGE)
    key = kms.resolve(req, target, allow_alias=False)
    if key.account != req.account:
        raise NotFoundException(f"Key '{key.arn}' does not exist")
    return key


def _existing(kms: Kms, req: Request, name: str) -> Alias:
    alias = kms.aliases.get((req.account, req.region, name))
    if alias is None:
        raise NotFoundException(f"Alias {alias_arn(req.region, req.account, name)} is not found.")
    return alias


def _key_class(key: Key) -> str:
    """UpdateAlias's notion of key type: symmetric, asymmetric (RSA or ECC) or HMAC (API_UpdateAlias)."""
    return key.spec.family if key.spec.family in ("symmetric", "hmac") else "asymmetric"


def _check_compatible(old: Key, new: Key, name: str) -> None:
    """UpdateAlias: "The current and new KMS key must be the same type ... and they must have the same key
    usage". No error code is documented for this case; local-kms answers ValidationException."""
    if _key_class(old) != _key_class(new) or old.key_usage != new.key_usage:
        raise ValidationException(
            f"{new.arn} is not compatible with alias {name}: the current and new KMS key must be of the "
            "same type (both symmetric, both asymmetric or both HMAC) and have the same key usage."
        )


@operation("CreateAlias")
def create_alias(kms: Kms, req: Request) -> dict[str, Any]:
    """API_CreateAlias: at most 50 aliases per key; the name must be new in the account and Region."""
    name = req.params["AliasName"]
    _check_new_name(name)
    key = _target(kms, req, req.params["TargetKeyId"])
    req.keys.append(key)
    a_arn = alias_arn(req.region, req.account, name)
    kms.authorize(req, "kms:CreateAlias", None, a_arn)
    kms.authorize(req, "kms:CreateAlias", key)
    check_state("CreateAlias", key.state, key.arn)
    if (req.account, req.region, name) in kms.aliases:
        raise AlreadyExistsException(f"An alias with the name {a_arn} already exists")
    if len(kms.alias_names(key)) >= ALIASES_PER_KEY:
        raise LimitExceededException(f"Too many aliases for key {key.arn}: the quota is {ALIASES_PER_KEY}.")
    now = kms.world.now
    kms.aliases[(req.account, req.region, name)] = Alias(name, req.account, req.region, key.key_id, now, now)
    kms.aliases_changed()
    return {}


@operation("UpdateAlias")
def update_alias(kms: Kms, req: Request) -> dict[str, Any]:
    """API_UpdateAlias: the new key must be of the same type (symmetric, asymmetric, HMAC) and key usage."""
    name = req.params["AliasName"]
    _check_prefix(name)
    alias = _existing(kms, req, name)
    new_key = _target(kms, req, req.params["TargetKeyId"])
    old_key = kms.find_key(req.account, req.region, alias.target_key_id)
    req.keys.append(new_key)
    a_arn = alias_arn(req.region, req.account, name)
    kms.authorize(req, "kms:UpdateAlias", None, a_arn)
    if old_key is not None:
        kms.authorize(req, "kms:UpdateAlias", old_key)
    kms.authorize(req, "kms:UpdateAlias", new_key)
    if new_key.state == PENDING_DELETION:
        raise KMSInvalidStateException(f"{new_key.arn} is pending deletion.")
    if old_key is not None:
        _check_compatible(old_key, new_key, name)
    alias.target_key_id, alias.updated = new_key.key_id, kms.world.now
    kms.aliases_changed()
    return {}


@operation("DeleteAlias")
def delete_alias(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DeleteAlias."""
    name = req.params["AliasName"]
    _check_prefix(name)
    alias = _existing(kms, req, name)
    kms.authorize(req, "kms:DeleteAlias", None, alias_arn(req.region, req.account, name))
    key = kms.find_key(req.account, req.region, alias.target_key_id)
    if key is not None:
        req.keys.append(key)
        kms.authorize(req, "kms:DeleteAlias", key)
    del kms.aliases[(req.account, req.region, name)]
    kms.aliases_changed()
    return {}


@operation("ListAliases")
def list_aliases(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListAliases: sorted by name; see ``choices.LIST_PREDEFINED_AWS_ALIASES``."""
    kms.authorize(req, "kms:ListAliases", None, "*")
    target: str | None = None
    if req.params.get("KeyId"):
        target = kms.resolve(req, req.params["KeyId"], allow_alias=False).key_id
    entries: dict[str, dict[str, Any]] = {}
    if choices.LIST_PREDEFINED_AWS_ALIASES and target is None:
        for service in AWS_MANAGED_SERVICES:
            name = f"alias/aws/{service}"
            entries[name] = {"AliasName": name, "AliasArn": alias_arn(req.region, req.account, name)}
    for (acct, region, name), a in kms.aliases.items():
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
    chunk, more = page([entries[n] for n in sorted(entries)], req.params, 50)
    return {"Aliases": chunk, **more}
