"""Grants: permissions for one principal on one key, without changing a policy
(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). Grant tokens make a new grant usable at once
(see ``choices.GRANTS_EFFECTIVE_IMMEDIATELY``); they are secrets and never logged.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .._catalog import GRANT_OPERATIONS_BY_KIND
from .._errors import (
    InvalidArnException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    LimitExceededException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from .._ids import GRANT_ID, GRANT_PRINCIPAL
from .._models import Grant, Key
from .._policy.context import retired_grant_context
from . import operation
from ._kms import GRANTS_PER_KEY, Kms, Request, dry_run, page
from .rotation import drop_grant

GRANT_CONSTRAINT_PAIRS = 8
GRANT_CONSTRAINT_VALUE_CHARS = 384
#: A grant token: this many random bytes, then the grant ID, in unpadded URL-safe base64 (kmssim's format).
GRANT_TOKEN_RANDOM_BYTES = 48


@operation("CreateGrant")
def create_grant(kms: Kms, req: Request) -> dict[str, Any]:
    """API_CreateGrant: the operations must fit the key; a grant with the same name and content is returned
    again (a retry), with a new token."""
    p = req.params
    if p.get("GranteeServicePrincipal") or p.get("RetiringServicePrincipal"):
        raise UnsupportedOperationException("Service principal grants are not simulated by kmssim.")
    if "GranteePrincipal" not in p:
        raise ValidationException("GranteePrincipal is required.")
    for field_name in ("GranteePrincipal", "RetiringPrincipal"):
        value = p.get(field_name)
        if value is not None and not GRANT_PRINCIPAL.match(value):
            raise InvalidArnException(f"{field_name} {value} is not a valid principal ARN.")
    key = kms.use_key(req)
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
        raise ValidationException("Grant constraints are supported only with symmetric encryption KMS keys.")
    dry_run(req)
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
                    return {"GrantToken": _new_token(kms, key, g.grant_id), "GrantId": g.grant_id}
    if len(key.grants) >= GRANTS_PER_KEY:
        raise LimitExceededException(f"The grants quota of {GRANTS_PER_KEY} for {key.arn} is reached.")
    grant_id = hashlib.sha256(kms.world.random_bytes(32)).hexdigest()
    key.grants[grant_id] = Grant(
        grant_id=grant_id,
        key_arn=key.arn,
        grantee=p["GranteePrincipal"],
        operations=operations,
        issuing_account=f"arn:aws:iam::{key.account}:root",
        created=kms.world.now,
        name=name,
        retiring=p.get("RetiringPrincipal"),
        constraints=constraints,
    )
    return {"GrantToken": _new_token(kms, key, grant_id), "GrantId": grant_id}


def _new_token(kms: Kms, key: Key, grant_id: str) -> str:
    raw = kms.world.random_bytes(GRANT_TOKEN_RANDOM_BYTES) + grant_id.encode()
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    kms.grant_tokens[token] = (key.arn, grant_id)
    return token


def _grant_entry(g: Grant) -> dict[str, Any]:
    """A grant as ListGrants lists it (API_GrantListEntry): its CreateGrant parameters and where it stands."""
    entry: dict[str, Any] = {
        "KeyId": g.key_arn,
        "CreationDate": g.created,
        "IssuingAccount": g.issuing_account,
    }
    entry.update(g.as_evaluation_input())
    if g.constraints:
        entry["Constraints"] = {k: dict(v) for k, v in g.constraints.items()}  # a copy the caller may change
    return entry


@operation("ListGrants")
def list_grants(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListGrants."""
    key = kms.use_key(req)
    grants = list(key.grants.values())
    if req.params.get("GrantId"):
        if not GRANT_ID.fullmatch(req.params["GrantId"]):
            raise InvalidGrantIdException(f"Invalid grant ID {req.params['GrantId']}")
        grants = [g for g in grants if g.grant_id == req.params["GrantId"]]
    if req.params.get("GranteePrincipal"):
        grants = [g for g in grants if g.grantee == req.params["GranteePrincipal"]]
    chunk, more = page([_grant_entry(g) for g in grants], req.params, 50)
    return {"Grants": chunk, **more}


@operation("ListRetirableGrants")
def list_retirable_grants(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListRetirableGrants: grants of keys of any account in the Region."""
    kms.authorize(req, "kms:ListRetirableGrants", None, "*")
    retiring = req.params.get("RetiringPrincipal")
    if retiring is None:
        if req.params.get("RetiringServicePrincipal"):
            raise UnsupportedOperationException("Service principal grants are not simulated by kmssim.")
        raise ValidationException("RetiringPrincipal is required.")
    grants = [
        g
        for k in kms.keys.values()
        if k.region == req.region and k.deleted is None  # keys of any account (API_ListRetirableGrants)
        for g in k.grants.values()
        if g.retiring == retiring
    ]
    chunk, more = page([_grant_entry(g) for g in grants], req.params, 50)
    return {"Grants": chunk, **more}


def _grant_by_id(key: Key, grant_id: str) -> Grant:
    if not GRANT_ID.fullmatch(grant_id):
        raise InvalidGrantIdException(f"Invalid grant ID {grant_id}")
    grant = key.grants.get(grant_id)
    if grant is None:
        raise NotFoundException(f"Grant ID {grant_id} not found")
    return grant


@operation("RetireGrant")
def retire_grant(kms: Kms, req: Request) -> dict[str, Any]:
    """API_RetireGrant: by grant token, or by key ARN and grant ID."""
    p = req.params
    if p.get("GrantToken"):
        found = kms.grant_tokens.get(p["GrantToken"])
        if found is None:
            raise InvalidGrantTokenException("Grant token is invalid.")
        key = kms.keys[found[0]]
        if key.deleted is not None or found[1] not in key.grants:
            raise NotFoundException("Grant not found.")
        grant = key.grants[found[1]]
    elif p.get("KeyId") and p.get("GrantId"):
        if not p["KeyId"].startswith("arn:"):
            # RetireGrant names the key by its key ARN (API reference, RetireGrant KeyId).
            raise InvalidArnException(f"KeyId {p['KeyId']} is not a key ARN.")
        key = kms.resolve(req, p["KeyId"], allow_alias=False)
        grant = _grant_by_id(key, p["GrantId"])
    else:
        raise ValidationException("Either GrantToken, or both KeyId and GrantId, must be specified.")
    req.keys.append(key)
    # Who may retire (the retiring principal, a grantee whose grant lists RetireGrant, the key's account) is
    # decided by the permission engine with this grant alone; any explicit Deny still wins.
    # https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html#grant-delete
    req.derived_context.update(retired_grant_context(grant.constraints))
    kms.authorize(req, "kms:RetireGrant", key, only_grant=grant)
    dry_run(req)
    drop_grant(kms, key, grant.grant_id)
    return {}


@operation("RevokeGrant")
def revoke_grant(kms: Kms, req: Request) -> dict[str, Any]:
    """API_RevokeGrant."""
    key = kms.use_key(req)
    grant = _grant_by_id(key, req.params["GrantId"])
    dry_run(req)
    drop_grant(kms, key, grant.grant_id)
    return {}


def token_grant_id(token: str) -> str | None:
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
