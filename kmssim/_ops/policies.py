"""Key policies: every key has exactly one, named ``default`` (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)."""

from __future__ import annotations

from typing import Any

from .._errors import MalformedPolicyDocumentException, NotFoundException
from .._models import Key
from .._policy import build_request_context, lockout_check_passes, validate_key_policy
from . import operation
from ._kms import Kms, Request


def check_policy(kms: Kms, req: Request, key: Key, policy: str, *, bypass: bool) -> None:
    """Validate a new key policy for ``key`` and run the lockout safety check (API_PutKeyPolicy): the new
    policy, with the caller's IAM policies, must let the caller call PutKeyPolicy on this key afterwards."""
    validate_key_policy(policy, account_id=req.account, principal_exists=kms.principal_exists)
    if bypass:
        return
    policies, tags = kms.identity(req.principal)
    context = build_request_context(
        operation="PutKeyPolicy",
        principal_arn=req.principal,
        principal_tags=tags,
        key=kms.key_facts(key),
        request={"KeyId": key.arn, "Policy": policy},
        now=kms.world.now,
        global_context=req.global_context,
    )
    if not lockout_check_passes(
        policy, principal=req.principal, identity_policies=policies, context=context, resource=key.arn
    ):
        raise MalformedPolicyDocumentException(
            "The new key policy will not allow you to update the key policy in the future."
        )


def _policy_name(req: Request) -> None:
    if req.params.get("PolicyName", "default") != "default":
        raise NotFoundException("Invalid policy name")


@operation("PutKeyPolicy")
def put_key_policy(kms: Kms, req: Request) -> dict[str, Any]:
    """API_PutKeyPolicy."""
    key = kms.use_key(req)
    _policy_name(req)
    bypass = bool(req.params.get("BypassPolicyLockoutSafetyCheck"))
    check_policy(kms, req, key, req.params["Policy"], bypass=bypass)
    key.policy = req.params["Policy"]
    return {}


@operation("GetKeyPolicy")
def get_key_policy(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GetKeyPolicy."""
    key = kms.use_key(req)
    _policy_name(req)
    return {"Policy": key.policy, "PolicyName": "default"}


@operation("ListKeyPolicies")
def list_key_policies(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListKeyPolicies."""
    kms.use_key(req)
    return {"PolicyNames": ["default"], "Truncated": False}
