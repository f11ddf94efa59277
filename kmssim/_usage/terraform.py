"""KMS resources of a Terraform plan (``terraform show -json``), built into a simulator.

Plan format: https://developer.hashicorp.com/terraform/internals/json-format; resources aws_kms_key,
aws_kms_external_key, aws_kms_custom_key_store, aws_kms_alias, aws_kms_replica_key, aws_kms_replica_external_key,
aws_kms_grant and aws_kms_key_policy
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key and the pages beside it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import choices
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
    create_replica,
    policy_principals,
    settle,
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
#: aws_kms_external_key's arguments and attributes (resources/kms_external_key).
_TF_EXTERNAL_ARGS = {
    "description",
    "enabled",
    "key_material_base64",
    "key_spec",
    "key_usage",
    "multi_region",
    "policy",
    "bypass_policy_lockout_safety_check",
    "deletion_window_in_days",
    "valid_to",
    "expiration_model",
    "key_state",
    "tags",
    "tags_all",
    "region",
    "arn",
    "id",
}
#: Stand-ins for the credentials of a custom key store that are unknown at plan time (never real secrets).
_ASSUMED_PASSWORD = "kmssim-assumed-kmsuser-password"
_ASSUMED_ACCESS_KEY_ID = "KMSSIMASSUMEDACCESSKEYID"
_ASSUMED_SECRET = "kmssimAssumedXksProxySecretAccessKey00000000"


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
    stores: dict[str, tuple[str, str]] = {}  # address -> (simulated store ID, store type)
    order = {
        "aws_kms_custom_key_store": 0,
        "aws_kms_key": 1,
        "aws_kms_external_key": 1,
        "aws_kms_replica_key": 2,
        "aws_kms_replica_external_key": 2,
        "aws_kms_key_policy": 3,
        "aws_kms_alias": 4,
        "aws_kms_grant": 5,
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

    def referenced(res: Mapping[str, Any], arg: str, pool: Mapping[str, Any]) -> str | None:
        """The address in ``pool`` that ``arg`` of ``res`` refers to in the configuration."""
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
                if candidate in pool:
                    return candidate
        return None

    def target(res: Mapping[str, Any], arg: str) -> DeclaredKey | None:
        literal = (res.get("values") or {}).get(arg)
        if isinstance(literal, str):
            for k in by_address.values():
                if k.arn and literal in (k.arn, k.arn.rsplit("/", 1)[-1]):
                    return k
        found = referenced(res, arg, by_address)
        return by_address[found] if found is not None else None

    def provider_region(address: str, values: Mapping[str, Any]) -> str:
        """A resource's Region: its own ``region`` argument (provider v6), else its provider configuration's
        constant Region, else the default provider's (with a finding)."""
        if isinstance(values.get("region"), str):
            return str(values["region"])
        provider = (conf.get(_base(address)) or {}).get("provider_config_key", "aws")
        if provider in ("aws", None):
            return region
        spec = (config.get("provider_config") or {}).get(provider) or {}
        there = ((spec.get("expressions") or {}).get("region") or {}).get("constant_value")
        if isinstance(there, str):
            return there
        message = f"provider {provider}: its Region is not in the plan; {region} assumed"
        findings.append(Finding("assumed", address, message))
        return region

    xks_key_ids = [
        str(r["values"]["xks_key_id"])
        for r in kms
        if r.get("type") == "aws_kms_key" and isinstance((r.get("values") or {}).get("xks_key_id"), str)
    ]
    for res in (r for r in kms if r["type"] == "aws_kms_custom_key_store"):
        address = str(res["address"])
        built = _custom_key_store(sim, address, res.get("values") or {}, region, xks_key_ids, findings)
        if built is not None:
            stores[address] = built
    if stores:
        _connect(sim, stores, findings)

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
        if rtype == "aws_kms_custom_key_store":
            continue  # built above
        if rtype == "aws_kms_key":
            for arg in sorted(set(values) - _TF_KEY_ARGS):
                findings.append(Finding("unsupported", address, f"argument {arg} is not read by kmssim"))
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
            store_address = referenced(res, "custom_key_store_id", stores)
            literal_store = values.get("custom_key_store_id")
            if store_address is None and isinstance(literal_store, str):
                store_address = next((a for a, (i, _) in stores.items() if i == literal_store), None)
            if store_address is not None:
                key.custom_key_store, store_type = stores[store_address]
                key.origin = store_type  # AWS_CLOUDHSM or EXTERNAL_KEY_STORE: the provider sets it
                if store_type == "EXTERNAL_KEY_STORE" and isinstance(values.get("xks_key_id"), str):
                    key.xks_key_id = str(values["xks_key_id"])
            elif literal_store or (
                (conf.get(_base(address)) or {}).get("expressions", {}).get("custom_key_store_id")
            ):
                findings.append(
                    Finding(
                        "assumed",
                        address,
                        "custom_key_store_id names a key store not built here: the key is built in KMS's "
                        "own key store",
                    )
                )
            if key.policy is None:
                findings.append(
                    Finding("assumed", address, "no policy in the plan: the default key policy applies")
                )
            declared.append(key)
            by_address[address] = key
            create_key(sim, key, findings)
        elif rtype == "aws_kms_external_key":
            for arg in sorted(set(values) - _TF_EXTERNAL_ARGS):
                findings.append(Finding("unsupported", address, f"argument {arg} is not read by kmssim"))
            policy = values.get("policy")
            key = DeclaredKey(
                name=address,
                region=str(values.get("region") or region),
                key_spec=str(values.get("key_spec") or "SYMMETRIC_DEFAULT"),
                key_usage=str(values.get("key_usage") or "ENCRYPT_DECRYPT"),
                policy=json.loads(policy) if isinstance(policy, str) and policy else None,
                description=str(values.get("description") or ""),
                multi_region=bool(values.get("multi_region")),
                bypass=bool(values.get("bypass_policy_lockout_safety_check")),
                tags={str(k): str(v) for k, v in (values.get("tags") or {}).items()},
                origin="EXTERNAL",
            )
            declared.append(key)
            by_address[address] = key
            if create_key(sim, key, findings) and values.get("key_material_base64"):
                # The material is a secret: never echoed, and not imported (the simulator's state would hold
                # it, and a saved file would write it to disk).
                findings.append(
                    Finding(
                        "not-simulated",
                        address,
                        "key_material_base64 is set but not imported by kmssim (the simulator's state, and "
                        "any file it saves, would hold the key material); the key stays PendingImport"
                        + ("; valid_to is not applied" if values.get("valid_to") else ""),
                    )
                )
        elif rtype == "aws_kms_replica_key":
            primary = target(res, "primary_key_arn")
            policy = values.get("policy")
            replica = DeclaredKey(
                name=address,
                region=provider_region(address, values),
                kind="replica",
                primary=primary.arn if primary else values.get("primary_key_arn"),
                policy=json.loads(policy) if isinstance(policy, str) and policy else None,
                description=str(values.get("description") or ""),
                enabled=values.get("enabled", True) is not False,
                multi_region=True,
                bypass=bool(values.get("bypass_policy_lockout_safety_check")),
                tags={str(k): str(v) for k, v in (values.get("tags") or {}).items()},
            )
            declared.append(replica)
            by_address[address] = replica
            if primary is None and not isinstance(values.get("primary_key_arn"), str):
                findings.append(
                    Finding(
                        "error",
                        address,
                        "primary_key_arn does not lead to a key built here and is unknown at plan time: "
                        "replica not created (billed as a SYMMETRIC_DEFAULT key)",
                    )
                )
                continue
            create_replica(sim, replica, primary, findings)
        elif rtype == "aws_kms_replica_external_key":
            primary = target(res, "primary_key_arn")
            replica = DeclaredKey(
                name=address,
                region=provider_region(address, values),
                kind="replica",
                primary=primary.arn if primary else values.get("primary_key_arn"),
                origin="EXTERNAL",
            )
            if primary is not None:
                replica.key_spec, replica.key_usage = primary.key_spec, primary.key_usage
            declared.append(replica)
            findings.append(
                Finding(
                    "not-simulated",
                    address,
                    "replica not made: ReplicateKey needs its primary's imported key material, which kmssim "
                    "does not import from a plan (key_material_base64 is a secret a saved state would hold); "
                    "the estimate bills it as a key",
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
    settle(sim, declared, findings)
    return Infrastructure(sim, where, declared, aliases, findings)


def _credential(values: Mapping[str, Any]) -> dict[str, Any]:
    block = values.get("xks_proxy_authentication_credential")
    if isinstance(block, list):  # a nested block is a list of one object in the plan
        block = block[0] if block else None
    return dict(block) if isinstance(block, Mapping) else {}


def _custom_key_store(
    sim: Simulator,
    address: str,
    values: Mapping[str, Any],
    region: str,
    xks_key_ids: list[str],
    findings: list[Finding],
) -> tuple[str, str] | None:
    """An aws_kms_custom_key_store made with CreateCustomKeyStore (API_CreateCustomKeyStore) on a simulated
    CloudHSM cluster or external key manager, since neither is a KMS resource. Secrets from the plan (the
    kmsuser password, the XKS proxy secret) are passed to the simulator, which keeps only their SHA-256, and
    are never named in a finding."""
    store_type = str(values.get("custom_key_store_type") or "AWS_CLOUDHSM")
    where = str(values.get("region") or region)
    name = values.get("custom_key_store_name")
    if not isinstance(name, str):
        findings.append(
            Finding("unsupported", address, "custom_key_store_name unknown at plan time: not created")
        )
        return None
    params: dict[str, Any] = {"CustomKeyStoreName": name, "CustomKeyStoreType": store_type}
    if store_type == "AWS_CLOUDHSM":
        password = values.get("key_store_password")
        known = isinstance(password, str) and bool(password)
        secret = str(password) if known else _ASSUMED_PASSWORD
        cluster = sim.add_cloudhsm_cluster(hsms=2, password=secret, region=where)
        declared_cluster = values.get("cloud_hsm_cluster_id")
        findings.append(
            Finding(
                "assumed",
                address,
                f"AWS CloudHSM cluster {declared_cluster if isinstance(declared_cluster, str) else '(unknown at plan time)'} "
                f"simulated as {cluster} with 2 active HSMs and its own trust anchor certificate (the plan's is "
                "not checked); kmsuser password "
                + ("from the plan (not shown)" if known else "unknown at plan time: a stand-in is used"),
            )
        )
        params.update(
            CloudHsmClusterId=cluster,
            TrustAnchorCertificate=sim.cloudhsm_trust_anchor(cluster),
            KeyStorePassword=secret,
        )
    else:
        cred = _credential(values)
        access_key_id = cred.get("access_key_id")
        raw_secret = cred.get("raw_secret_access_key")
        known = isinstance(access_key_id, str) and isinstance(raw_secret, str)
        access_key_id = str(access_key_id) if known else _ASSUMED_ACCESS_KEY_ID
        raw_secret = str(raw_secret) if known else _ASSUMED_SECRET
        endpoint = values.get("xks_proxy_uri_endpoint")
        path = values.get("xks_proxy_uri_path")
        connectivity = values.get("xks_proxy_connectivity")
        service = values.get("xks_proxy_vpc_endpoint_service_name")
        if not all(isinstance(v, str) for v in (endpoint, path, connectivity)):
            findings.append(
                Finding(
                    "unsupported",
                    address,
                    "xks_proxy_uri_endpoint, xks_proxy_uri_path or xks_proxy_connectivity unknown at plan "
                    "time: not created",
                )
            )
            return None
        sim.add_external_key_manager(
            str(endpoint),
            str(path),
            access_key_id=access_key_id,
            secret_access_key=raw_secret,
            keys=xks_key_ids,
            vpc_endpoint_service=str(service)
            if connectivity == "VPC_ENDPOINT_SERVICE" and isinstance(service, str)
            else None,
        )
        findings.append(
            Finding(
                "assumed",
                address,
                f"external key manager simulated behind the XKS proxy at {endpoint}{path}, reachable, holding "
                f"the plan's {len(xks_key_ids)} external key ID(s), enabled; authentication credential "
                + ("from the plan (not shown)" if known else "unknown at plan time: a stand-in is used"),
            )
        )
        params.update(
            XksProxyUriEndpoint=endpoint,
            XksProxyUriPath=path,
            XksProxyConnectivity=connectivity,
            XksProxyAuthenticationCredential={"AccessKeyId": access_key_id, "RawSecretAccessKey": raw_secret},
        )
        if isinstance(service, str):
            params["XksProxyVpcEndpointServiceName"] = service
    try:
        store_id = sim.call("CreateCustomKeyStore", params, region=where)["CustomKeyStoreId"]
    except KMSError as exc:
        message = f"CreateCustomKeyStore would fail: {exc.code}: {exc.message}"
        findings.append(Finding("error", address, message))
        return None
    return str(store_id), store_type


def _connect(sim: Simulator, stores: dict[str, tuple[str, str]], findings: list[Finding]) -> None:
    """Terraform does not connect a custom key store, and KMS makes keys only in a connected one
    (API_CreateKey): each store is connected with ConnectCustomKeyStore and the simulated clock moves until the
    connections finish (``choices.CLOUDHSM_CONNECT_TIME``, ``XKS_CONNECT_TIME``), with a finding saying so."""
    waits = []
    for address, (store_id, store_type) in stores.items():
        try:
            sim.call("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
        except KMSError as exc:
            message = f"ConnectCustomKeyStore would fail: {exc.code}: {exc.message}"
            findings.append(Finding("error", address, message))
            continue
        wait = choices.CLOUDHSM_CONNECT_TIME if store_type == "AWS_CLOUDHSM" else choices.XKS_CONNECT_TIME
        waits.append(wait)
        findings.append(
            Finding(
                "assumed",
                address,
                f"connected with ConnectCustomKeyStore (Terraform does not connect a store; keys are made only "
                f"in a connected one): {wait.total_seconds() / 60:g} minutes on the simulated clock",
            )
        )
    if waits:
        sim.advance(seconds=max(waits).total_seconds())
