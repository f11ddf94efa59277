"""KMS resources of a Terraform plan (``terraform show -json``), built into a simulator.

Plan format: https://developer.hashicorp.com/terraform/internals/json-format; resources aws_kms_key,
aws_kms_alias, aws_kms_replica_key, aws_kms_grant and aws_kms_key_policy
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import KMSError
from .._simulator import Simulator
from .iac import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DeclaredKey,
    Finding,
    Infrastructure,
    _ensure_principals,
    create_alias,
    create_key,
    policy_principals,
)

__all__ = ["read_terraform_plan"]

_TF_KEY_ARGS = {
    "description",
    "key_usage",
    "customer_master_key_spec",
    "policy",
    "bypass_policy_lockout_safety_check",
    "deletion_window_in_days",
    "is_enabled",
    "enable_key_rotation",
    "rotation_period_in_days",
    "multi_region",
    "tags",
    "tags_all",
    "region",
    "custom_key_store_id",
    "xks_key_id",
    "arn",
    "id",
    "key_id",
    "timeouts",
}


def _tf_resources(module: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = list(module.get("resources") or [])
    for child in module.get("child_modules") or []:
        out += _tf_resources(child)
    return out


def _tf_config(module: Mapping[str, Any], prefix: str = "") -> dict[str, Mapping[str, Any]]:
    """Configuration resources by absolute address (without index): their expressions' references."""
    out = {prefix + r["address"]: r for r in module.get("resources") or [] if "address" in r}
    for call, spec in (module.get("module_calls") or {}).items():
        out.update(_tf_config(spec.get("module") or {}, f"{prefix}module.{call}."))
    return out


def _base(address: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", address)


def read_terraform_plan(
    source: str | Path | Mapping[str, Any], *, account_id: str = DEFAULT_ACCOUNT, seed: int = 0
) -> Infrastructure:
    """Build the KMS resources of ``terraform show -json`` output into a simulator.

    Values unknown at plan time (key_id, arn, policy when unset) are absent from ``planned_values``; aliases,
    grants and policies are linked to their key through the configuration's references.
    """
    if isinstance(source, Mapping):
        plan, where = dict(source), "plan"
    else:
        path = Path(source)
        plan, where = json.loads(path.read_text()), str(path)
    if not isinstance(plan, dict) or "planned_values" not in plan:
        raise ValueError(
            f"{where}: not a Terraform plan in JSON (terraform show -json <planfile>): no planned_values"
        )
    version = str(plan.get("format_version", "1.0"))
    findings: list[Finding] = []
    if version.split(".")[0] != "1":
        findings.append(Finding("assumed", where, f"format_version {version}: read as 1.x"))
    config = plan.get("configuration") or {}
    expr = ((config.get("provider_config") or {}).get("aws") or {}).get("expressions") or {}
    region = (expr.get("region") or {}).get("constant_value")
    if not isinstance(region, str):
        region = DEFAULT_REGION
        findings.append(
            Finding(
                "assumed",
                "provider.aws",
                f"no constant provider Region in the plan: {DEFAULT_REGION} assumed",
            )
        )
    sim = Simulator(seed=seed, account_id=account_id, region=region)
    conf = _tf_config(config.get("root_module") or {})
    resources = _tf_resources((plan.get("planned_values") or {}).get("root_module") or {})
    actions = {
        rc.get("address"): rc.get("change", {}).get("actions", [])
        for rc in plan.get("resource_changes") or []
    }
    declared: list[DeclaredKey] = []
    aliases: dict[str, str] = {}
    by_address: dict[str, DeclaredKey] = {}
    order = {
        "aws_kms_key": 0,
        "aws_kms_replica_key": 1,
        "aws_kms_key_policy": 2,
        "aws_kms_alias": 3,
        "aws_kms_grant": 4,
    }
    for res in resources:
        rtype = str(res.get("type"))
        address = str(res.get("address"))
        if res.get("mode") == "data":
            findings.append(Finding("ignored", address, "data source: not built"))
        elif rtype.startswith("aws_kms_") and rtype not in order:
            findings.append(Finding("unsupported", address, f"{rtype} is not read by kmssim"))
        elif not rtype.startswith("aws_kms_"):
            findings.append(Finding("ignored", address, f"{rtype}: not a KMS resource"))
        if actions.get(address) == ["delete"]:
            findings.append(Finding("ignored", address, "planned for deletion: not built"))
    kms = sorted(
        (
            r
            for r in resources
            if r.get("mode") != "data"
            and r.get("type") in order
            and actions.get(r.get("address")) != ["delete"]
        ),
        key=lambda r: order[str(r["type"])],
    )

    def target(res: Mapping[str, Any], arg: str) -> DeclaredKey | None:
        values = res.get("values") or {}
        literal = values.get(arg)
        if isinstance(literal, str):
            for k in by_address.values():
                if k.arn and literal in (k.arn, k.arn.rsplit("/", 1)[-1]):
                    return k
        refs = (((conf.get(_base(str(res["address"]))) or {}).get("expressions") or {}).get(arg) or {}).get(
            "references"
        ) or []
        prefix = (
            str(res["address"]).rsplit("aws_kms_", 1)[0] if str(res["address"]).startswith("module.") else ""
        )
        index = re.search(r"(\[[^\]]*\])$", str(res["address"]))
        for ref in refs:
            base = prefix + re.sub(r"\.(key_id|arn|id)$", "", ref)
            for candidate in ([base + index.group(1)] if index else []) + [base]:
                if candidate in by_address:
                    return by_address[candidate]
        return None

    def simulated_key(res: Mapping[str, Any], outcome: str) -> DeclaredKey | None:
        """The simulated key ``key_id`` leads to, or None after an error finding that says ``outcome``."""
        key = target(res, "key_id")
        if key is None or key.arn is None:
            message = f"key_id does not lead to a key built here: {outcome}"
            findings.append(Finding("error", str(res["address"]), message))
            return None
        return key

    for res in kms:
        rtype, address = str(res["type"]), str(res["address"])
        values = res.get("values") or {}
        if rtype == "aws_kms_key":
            for arg in sorted(set(values) - _TF_KEY_ARGS):
                findings.append(Finding("unsupported", address, f"argument {arg} is not read by kmssim"))
            for arg in ("custom_key_store_id", "xks_key_id"):
                if values.get(arg):
                    findings.append(
                        Finding("unsupported", address, f"{arg}: custom key stores are not simulated")
                    )
            policy = values.get("policy")
            key = DeclaredKey(
                name=address,
                region=str(values.get("region") or region),
                key_spec=str(values.get("customer_master_key_spec") or "SYMMETRIC_DEFAULT"),
                key_usage=str(values.get("key_usage") or "ENCRYPT_DECRYPT"),
                policy=json.loads(policy) if isinstance(policy, str) and policy else None,
                description=str(values.get("description") or ""),
                enabled=values.get("is_enabled", True) is not False,
                rotation=bool(values.get("enable_key_rotation")),
                rotation_days=values.get("rotation_period_in_days"),
                multi_region=bool(values.get("multi_region")),
                bypass=bool(values.get("bypass_policy_lockout_safety_check")),
                tags={str(k): str(v) for k, v in (values.get("tags") or {}).items()},
            )
            if key.policy is None:
                findings.append(
                    Finding("assumed", address, "no policy in the plan: the default key policy applies")
                )
            declared.append(key)
            by_address[address] = key
            create_key(sim, key, findings)
        elif rtype == "aws_kms_replica_key":
            provider = (conf.get(_base(address)) or {}).get("provider_config_key", "aws")
            if provider not in ("aws", None) and not values.get("region"):
                findings.append(
                    Finding(
                        "assumed",
                        address,
                        f"provider {provider}: its Region is not in the plan; {region} assumed",
                    )
                )
            primary = target(res, "primary_key_arn")
            replica = DeclaredKey(
                name=address,
                region=str(values.get("region") or region),
                kind="replica",
                primary=primary.arn if primary else values.get("primary_key_arn"),
            )
            if primary is not None:
                replica.key_spec, replica.key_usage = primary.key_spec, primary.key_usage
            else:
                findings.append(
                    Finding(
                        "assumed", address, "primary key not found in the plan: SYMMETRIC_DEFAULT assumed"
                    )
                )
            declared.append(replica)
            findings.append(
                Finding(
                    "not-simulated",
                    address,
                    "replica keys are declared but not simulated (kmssim has "
                    "no ReplicateKey yet); the estimate still bills it as a key",
                )
            )
        elif rtype == "aws_kms_key_policy":
            key_t = simulated_key(res, "policy not applied")
            if key_t is None:
                continue
            params: dict[str, Any] = {
                "KeyId": key_t.arn,
                "PolicyName": "default",
                "Policy": str(values.get("policy")),
            }
            if values.get("bypass_policy_lockout_safety_check"):
                params["BypassPolicyLockoutSafetyCheck"] = True
            try:
                parsed = json.loads(str(values.get("policy")))
                _ensure_principals(sim, policy_principals(parsed), findings, address)
                sim.call("PutKeyPolicy", params, region=key_t.region)
                key_t.policy = parsed
            except (KMSError, ValueError) as exc:
                findings.append(Finding("error", address, f"PutKeyPolicy would fail: {exc}"))
        elif rtype == "aws_kms_alias":
            key_t = target(res, "target_key_id")
            alias_name = values.get("name")
            if not isinstance(alias_name, str):
                findings.append(
                    Finding(
                        "unsupported", address, "alias name unknown at plan time (name_prefix): not created"
                    )
                )
                continue
            if key_t is None:
                findings.append(
                    Finding("error", address, "target_key_id does not lead to a key built here: not created")
                )
                continue
            create_alias(sim, address, alias_name, key_t.arn, declared, aliases, findings)
        else:  # aws_kms_grant
            key_t = simulated_key(res, "grant not created")
            if key_t is None:
                continue
            grant: dict[str, Any] = {
                "KeyId": key_t.arn,
                "GranteePrincipal": values.get("grantee_principal"),
                "Operations": list(values.get("operations") or []),
            }
            if values.get("name"):
                grant["Name"] = values["name"]
            if values.get("retiring_principal"):
                grant["RetiringPrincipal"] = values["retiring_principal"]
            for c in values.get("constraints") or []:
                constraint = {}
                if c.get("encryption_context_equals"):
                    constraint["EncryptionContextEquals"] = c["encryption_context_equals"]
                if c.get("encryption_context_subset"):
                    constraint["EncryptionContextSubset"] = c["encryption_context_subset"]
                if constraint:
                    grant["Constraints"] = constraint
            if not isinstance(grant["GranteePrincipal"], str):
                findings.append(
                    Finding(
                        "unsupported", address, "grantee_principal unknown at plan time: grant not created"
                    )
                )
                continue
            _ensure_principals(
                sim,
                [str(grant["GranteePrincipal"]), str(grant.get("RetiringPrincipal") or "")],
                findings,
                address,
            )
            try:
                sim.call("CreateGrant", grant, region=key_t.region)
            except KMSError as exc:
                findings.append(
                    Finding("error", address, f"CreateGrant would fail: {exc.code}: {exc.message}")
                )
    return Infrastructure(sim, where, declared, aliases, findings)
