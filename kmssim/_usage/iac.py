"""KMS keys, aliases, replicas, grants and key policies declared in infrastructure code, built into a simulator,
priced and checked: the result (:class:`Infrastructure`), what was not built (:class:`Finding`), and the
building shared by the CloudFormation reader (``cloudformation.py``) and the Terraform plan reader
(``terraform.py``).

Keys are made with CreateKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html), aliases
with CreateAlias; a key policy must name principals that exist
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
Anything not understood is a finding on the result, never dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import choices
from .._errors import KMSError
from .._policy import default_key_policy
from .._pricing import estimate as price_estimate
from .._simulator import Simulator

if TYPE_CHECKING:
    import pandas as pd

    from .._pricing import Estimate
    from .cloudtrail import CloudTrailLog

__all__ = ["DeclaredKey", "Finding", "Infrastructure", "read_infrastructure"]

#: Terraform plans without a provider Region (provider v5 takes it from the provider block only): this one.
DEFAULT_REGION = "us-east-1"
#: Account ID used when a template or plan does not fix one (AWS::AccountId is a stack-time value).
DEFAULT_ACCOUNT = "111122223333"
POLICY_CHECK_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
)


@dataclass(frozen=True)
class Finding:
    """Something in the template or plan that kmssim did not build, or built on an assumption."""

    severity: str  # "unsupported" | "assumed" | "not-simulated" | "error" | "ignored"
    resource: str
    message: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.resource}: {self.message}"


@dataclass
class DeclaredKey:
    name: str
    region: str
    key_spec: str = "SYMMETRIC_DEFAULT"
    key_usage: str = "ENCRYPT_DECRYPT"
    policy: Any = None
    description: str = ""
    enabled: bool = True
    rotation: bool = False
    rotation_days: int | None = None
    multi_region: bool = False
    bypass: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    arn: str | None = None
    kind: str = "key"  # "key" | "replica"
    primary: str | None = None
    origin: str = "AWS_KMS"  # "AWS_KMS" | "EXTERNAL" | "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE"
    custom_key_store: str | None = None  # the simulated store's ID
    xks_key_id: str | None = None


@dataclass
class Infrastructure:
    """Keys, aliases, replicas and grants a template or plan declares, built into ``simulator``."""

    simulator: Simulator
    source: str
    declared: list[DeclaredKey]
    aliases: dict[str, str]  # alias name -> key logical name
    findings: list[Finding]

    def keys(self) -> pd.DataFrame:
        """One row per declared key or replica: name, kind, region, key_spec, arn (None when not simulated), simulated."""
        import pandas as pd

        rows = [
            {
                "name": k.name,
                "kind": k.kind,
                "region": k.region,
                "key_spec": k.key_spec,
                "key_usage": k.key_usage,
                "rotation": k.rotation,
                "arn": k.arn,
                "simulated": k.arn is not None,
                "aliases": ", ".join(sorted(a for a, t in self.aliases.items() if t == k.name)),
            }
            for k in self.declared
        ]
        cols = ["name", "kind", "region", "key_spec", "key_usage", "rotation", "arn", "simulated", "aliases"]
        return pd.DataFrame(rows, columns=cols)

    def findings_table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [(f.severity, f.resource, f.message) for f in self.findings],
            columns=["severity", "resource", "message"],
        )

    def estimate(
        self,
        month: str,
        requests: Sequence[Mapping[str, Any]] | None = None,
        *,
        cloudtrail: CloudTrailLog | None = None,
        **kwargs: Any,
    ) -> Estimate:
        """The monthly cost of the declared keys (replicas included: each is billed as a key) with request
        volumes typed in (``kmssim.estimate``'s request dicts) or taken from a CloudTrail log's month."""
        keys = [{"key_spec": k.key_spec, "region": k.region} for k in self.declared]
        reqs = list(requests or [])
        if cloudtrail is not None:
            usage = cloudtrail.usage(month=month)
            reqs += [
                {
                    k: v
                    for k, v in {
                        "operation": r["operation"],
                        "count": r["count"],
                        "key_spec": r["key_spec"],
                        "key_pair_spec": r["key_pair_spec"],
                        "region": r["region"],
                    }.items()
                    if v is not None or k == "key_spec"
                }
                for r in usage["requests"]
                if r["month"] == month
            ]
        result = price_estimate(keys, reqs, month=month, **kwargs)
        import dataclasses

        extra = [f"{len(keys)} declared key(s) from {self.source}, each billed the whole month"]
        replicas = [k.name for k in self.declared if k.kind == "replica"]
        if replicas:
            extra.append(f"replica keys, each billed as a key in its own Region: {', '.join(replicas)}")
        return dataclasses.replace(result, notes=(*result.notes, *extra))

    def policy_check(
        self, principals: Sequence[str] = (), actions: Sequence[str] = POLICY_CHECK_ACTIONS
    ) -> pd.DataFrame:
        """Per simulated key and principal: what the declared key policy allows (the simulator's access matrix),
        and whether anyone can still change the policy (``locked_out`` when no listed principal may PutKeyPolicy).

        Principals checked: the account root, every AWS principal the key policies name, and ``principals``.
        """
        import pandas as pd

        sim = self.simulator
        frames = []
        for k in self.declared:
            if k.arn is None:
                continue
            policy = (
                k.policy if isinstance(k.policy, Mapping) else json.loads(default_key_policy(sim.account_id))
            )
            names = [sim.root(), *policy_principals(policy), *principals]
            who = list(dict.fromkeys(p for p in names if p.startswith("arn:")))
            matrix = sim.access_matrix(k.arn, who, list(actions), region=k.region)
            matrix.insert(0, "key", k.name)
            locked = (
                "kms:PutKeyPolicy" not in matrix.columns or not (matrix["kms:PutKeyPolicy"] == "Allow").any()
            )
            matrix["locked_out"] = locked
            lockout = Finding(
                "error", k.name, "no principal checked may call kms:PutKeyPolicy: the key is locked out"
            )
            if locked and lockout not in self.findings:
                self.findings.append(lockout)
            frames.append(matrix.rename_axis("principal").reset_index())
        if not frames:
            return pd.DataFrame(columns=["principal", "key", *actions, "locked_out"])
        return pd.concat(frames, ignore_index=True)


def policy_principals(policy: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    statements = policy.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        principal = st.get("Principal") if isinstance(st, Mapping) else None
        values = principal.get("AWS") if isinstance(principal, Mapping) else principal
        if isinstance(values, str):
            values = [values]
        for v in values or ():
            if isinstance(v, str) and v != "*":
                out.append(v if v.startswith("arn:") else f"arn:aws:iam::{v}:root")
    return out


def _ensure_principals(sim: Simulator, arns: Sequence[str], findings: list[Finding], where: str) -> None:
    """IAM users and roles a policy or grant names must exist (KMS rejects unknown principals); a template names
    principals made elsewhere, so they are added to the simulator, with no policies, and reported."""
    known = set(sim.principals())
    for arn in dict.fromkeys(arns):
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam" and parts[5] != "root" and arn not in known:
            sim.add_principal(arn)
            findings.append(
                Finding("assumed", where, f"principal {arn} assumed to exist (added with no IAM policies)")
            )


def create_key(sim: Simulator, key: DeclaredKey, findings: list[Finding]) -> bool:
    """CreateKey as the template declares it (API_CreateKey), then EnableKeyRotation and DisableKey. A key with
    Origin EXTERNAL is made PendingImport, with no key material: a finding says it must be imported."""
    if isinstance(key.policy, Mapping):
        _ensure_principals(sim, policy_principals(key.policy), findings, key.name)
    params: dict[str, Any] = {"KeySpec": key.key_spec, "KeyUsage": key.key_usage}
    if key.description:
        params["Description"] = key.description
    if key.policy is not None:
        params["Policy"] = json.dumps(key.policy)
    if key.bypass:
        params["BypassPolicyLockoutSafetyCheck"] = True
    if key.multi_region:
        params["MultiRegion"] = True
    if key.origin != "AWS_KMS":
        params["Origin"] = key.origin
    if key.custom_key_store is not None:
        params["CustomKeyStoreId"] = key.custom_key_store
    if key.xks_key_id is not None:
        params["XksKeyId"] = key.xks_key_id
    if key.tags:
        params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in key.tags.items()]
    try:
        meta = sim.call("CreateKey", params, region=key.region)["KeyMetadata"]
    except KMSError as exc:
        findings.append(Finding("error", key.name, f"CreateKey would fail: {exc.code}: {exc.message}"))
        return False
    key.arn = meta["Arn"]
    pending_import = meta["KeyState"] == "PendingImport"
    if pending_import:
        findings.append(
            Finding(
                "assumed",
                key.name,
                "Origin EXTERNAL: created with no key material (PendingImport, as CreateKey leaves it); import "
                "key material (GetParametersForImport, ImportKeyMaterial) before the key can be used",
            )
        )
    try:
        if key.rotation:
            rot: dict[str, Any] = {"KeyId": key.arn}
            if key.rotation_days is not None:
                rot["RotationPeriodInDays"] = key.rotation_days
            sim.call("EnableKeyRotation", rot, region=key.region)
        if not key.enabled and not pending_import:  # a key pending import has no Enabled state to leave
            sim.call("DisableKey", {"KeyId": key.arn}, region=key.region)
    except KMSError as exc:
        findings.append(Finding("error", key.name, f"{exc.code}: {exc.message}"))
    return True


def _stand_in_primary(sim: Simulator, replica: DeclaredKey, findings: list[Finding]) -> str | None:
    """A primary key named by ARN but made elsewhere (another stack, plan or Region): a multi-Region key of the
    default spec made in its Region, so the replica can be replicated from it. None after an error finding."""
    parts = str(replica.primary or "").split(":", 5)
    if len(parts) != 6 or parts[2] != "kms" or not parts[5].startswith("key/mrk-"):
        findings.append(
            Finding(
                "error",
                replica.name,
                f"primary key {replica.primary!r} is neither built here nor a multi-Region key ARN: "
                "replica not created",
            )
        )
        return None
    if parts[4] != sim.account_id:
        findings.append(
            Finding(
                "error",
                replica.name,
                f"primary key in account {parts[4]}: a replica is made in its primary's account "
                f"({sim.account_id} here): replica not created",
            )
        )
        return None
    try:
        meta = sim.call(
            "CreateKey",
            {"MultiRegion": True, "Description": f"kmssim stand-in for {replica.primary}"},
            region=parts[3],
        )["KeyMetadata"]
    except KMSError as exc:
        findings.append(Finding("error", replica.name, f"stand-in primary key: {exc.code}: {exc.message}"))
        return None
    findings.append(
        Finding(
            "assumed",
            replica.name,
            f"primary key {replica.primary} is not built here: a stand-in multi-Region primary "
            f"(SYMMETRIC_DEFAULT, default key policy, not in the estimate) was made in {parts[3]} as "
            f"{meta['Arn']} to replicate from",
        )
    )
    replica.key_spec, replica.key_usage = meta["KeySpec"], meta["KeyUsage"]
    return str(meta["Arn"])


def create_replica(
    sim: Simulator, replica: DeclaredKey, primary: DeclaredKey | None, findings: list[Finding]
) -> bool:
    """ReplicateKey of the declared primary into the replica's Region
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html), with the replica's own key
    policy, description and tags; a primary made elsewhere gets a stand-in (``_stand_in_primary``). The replica
    is Creating until :func:`settle` moves the clock."""
    if primary is not None:
        if primary.arn is None:
            message = "its primary key was not built: replica not created"
            findings.append(Finding("error", replica.name, message))
            return False
        source = primary.arn
        replica.key_spec, replica.key_usage = primary.key_spec, primary.key_usage
    else:
        stand_in = _stand_in_primary(sim, replica, findings)
        if stand_in is None:
            return False
        source = stand_in
    if isinstance(replica.policy, Mapping):
        _ensure_principals(sim, policy_principals(replica.policy), findings, replica.name)
    params: dict[str, Any] = {"KeyId": source, "ReplicaRegion": replica.region}
    if replica.policy is not None:
        params["Policy"] = json.dumps(replica.policy)
    if replica.bypass:
        params["BypassPolicyLockoutSafetyCheck"] = True
    if replica.description:
        params["Description"] = replica.description
    if replica.tags:
        params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in replica.tags.items()]
    try:
        meta = sim.call("ReplicateKey", params, region=source.split(":")[3])["ReplicaKeyMetadata"]
    except KMSError as exc:
        findings.append(Finding("error", replica.name, f"ReplicateKey would fail: {exc.code}: {exc.message}"))
        return False
    replica.arn = meta["Arn"]
    return True


def settle(sim: Simulator, declared: Sequence[DeclaredKey], findings: list[Finding]) -> None:
    """Let new replicas finish Creating (``choices.MULTI_REGION_TRANSITION`` on the simulated clock, as an apply
    waits for them), then disable the replicas declared disabled (DisableKey refuses a Creating key)."""
    replicas = [k for k in declared if k.kind == "replica" and k.arn is not None]
    if not replicas:
        return
    sim.advance(seconds=choices.MULTI_REGION_TRANSITION.total_seconds())
    for k in replicas:
        if not k.enabled:
            assert k.arn is not None
            try:
                sim.call("DisableKey", {"KeyId": k.arn}, region=k.region)
            except KMSError as exc:
                findings.append(Finding("error", k.name, f"DisableKey would fail: {exc.code}: {exc.message}"))


def create_alias(
    sim: Simulator,
    name: str,
    alias: str,
    target: Any,
    declared: list[DeclaredKey],
    aliases: dict[str, str],
    findings: list[Finding],
) -> None:
    key = next((k for k in declared if k.arn and (target in (k.arn, k.arn.rsplit("/", 1)[-1]))), None)
    if key is None or key.arn is None:
        findings.append(
            Finding("error", name, f"alias {alias}: target {target!r} is not a key built here: not created")
        )
        return
    try:
        sim.call("CreateAlias", {"AliasName": alias, "TargetKeyId": key.arn}, region=key.region)
    except KMSError as exc:
        findings.append(Finding("error", name, f"CreateAlias would fail: {exc.code}: {exc.message}"))
        return
    aliases[alias] = key.name


def read_infrastructure(source: str | Path | Mapping[str, Any], **kwargs: Any) -> Infrastructure:
    """A CloudFormation template (JSON/YAML) or a Terraform plan (JSON), told apart by content."""
    from .cloudformation import read_cloudformation  # imported here: both readers import this module
    from .terraform import read_terraform_plan

    if isinstance(source, Mapping):
        doc: Any = source
    else:
        text = Path(source).read_text()
        if not text.lstrip().startswith("{"):
            return read_cloudformation(source, **kwargs)
        doc = json.loads(text)
    if isinstance(doc, Mapping) and "planned_values" in doc:
        kwargs.pop("region", None)
        kwargs.pop("parameters", None)
        kwargs.pop("stack_name", None)
        return read_terraform_plan(source, **kwargs)
    return read_cloudformation(source, **kwargs)
