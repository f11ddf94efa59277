"""KMS keys, aliases, replicas, grants and key policies declared in CloudFormation or a Terraform plan, built
into a simulator, priced and checked.

CloudFormation: AWS::KMS::Key (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html),
AWS::KMS::Alias, AWS::KMS::ReplicaKey; intrinsic functions Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::If
(with Conditions and AWS::NoValue) and the pseudo parameters
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
Terraform: ``terraform show -json`` (https://developer.hashicorp.com/terraform/internals/json-format) with
aws_kms_key, aws_kms_alias, aws_kms_replica_key, aws_kms_grant and aws_kms_key_policy.
Anything not understood is a finding on the result, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import KMSError
from .._policy import default_key_policy
from .._pricing import estimate as price_estimate
from .._simulator import Simulator

if TYPE_CHECKING:
    import pandas as pd

    from .._pricing import Estimate
    from .cloudtrail import CloudTrailLog

__all__ = ["Finding", "Infrastructure", "read_cloudformation", "read_infrastructure", "read_terraform_plan"]

#: Terraform plans without a provider Region (provider v5 takes it from the provider block only): this one.
DEFAULT_REGION = "us-east-1"
#: Account ID used when a template or plan does not fix one (AWS::AccountId is a stack-time value).
DEFAULT_ACCOUNT = "111122223333"
_CFN_KEY = "AWS::KMS::Key"
_CFN_ALIAS = "AWS::KMS::Alias"
_CFN_REPLICA = "AWS::KMS::ReplicaKey"
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
            extra.append(
                f"replica keys billed as keys but not simulated (kmssim has no ReplicateKey yet): {', '.join(replicas)}"
            )
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
            names = [sim.root(), *_policy_principals(policy), *principals]
            who = list(dict.fromkeys(p for p in names if p.startswith("arn:")))
            matrix = sim.access_matrix(k.arn, who, list(actions))
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


def _policy_principals(policy: Mapping[str, Any]) -> list[str]:
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


# ----------------------------------------------------------------------------------------------- YAML


def _cfn_loader() -> Any:
    import yaml  # type: ignore[import-untyped]

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        """PyYAML's safe loader with CloudFormation's short forms and without YAML 1.1 surprises: dates
        (``Version: 2012-10-17``) stay strings, and numbers with a leading zero (account IDs) stay strings."""

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_int(loader: Any, node: Any) -> Any:
        text = loader.construct_scalar(node)
        if len(text) > 1 and text.startswith("0") and text.isdigit():
            return text
        return yaml.SafeLoader.construct_yaml_int(loader, node)

    def construct_tag(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)  # on the first dot only (attributes can hold dots)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        return {f"Fn::{suffix}": value}

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_multi_constructor("!", construct_tag)
    return Loader


def load_template(text: str, where: str) -> dict[str, Any]:
    """A CloudFormation template from JSON or YAML text."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        doc = json.loads(text)
    else:
        import yaml

        try:
            doc = yaml.load(text, Loader=_cfn_loader())
        except yaml.YAMLError as exc:
            raise ValueError(f"{where}: not a YAML template ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ValueError(f"{where}: not a CloudFormation template (no Resources mapping)")
    return doc


# ----------------------------------------------------------------------------------------------- CloudFormation


class _Unresolved(Exception):
    pass


class _Cfn:
    def __init__(
        self, doc: Mapping[str, Any], parameters: Mapping[str, Any], account: str, region: str, stack: str
    ):
        self.doc = doc
        self.account = account
        self.region = region
        self.params: dict[str, Any] = {}
        for name, spec in (doc.get("Parameters") or {}).items():
            if name in parameters:
                self.params[name] = parameters[name]
            elif isinstance(spec, Mapping) and "Default" in spec:
                self.params[name] = spec["Default"]
        self.pseudo: dict[str, Any] = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{stack}/00000000-0000-0000-0000-000000000000",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": None,
        }
        self.attrs: dict[str, dict[str, str]] = {}  # logical -> {"Ref": ..., "Arn": ..., "KeyId": ...}
        self.conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            spec = (self.doc.get("Conditions") or {}).get(name)
            if spec is None:
                raise _Unresolved(f"Condition {name} is not defined")
            self.conditions[name] = bool(self.resolve(spec))
        return self.conditions[name]

    def resolve(self, v: Any) -> Any:
        if isinstance(v, list):
            out = [self.resolve(x) for x in v]
            return [x for x in out if x is not _NO_VALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            ((fn, arg),) = v.items()
            if fn == "Ref":
                return self.ref(str(arg))
            if fn == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else list(arg)
                return self.getatt(str(parts[0]), str(self.resolve(parts[1])))
            if fn == "Fn::Sub":
                return self.sub(arg)
            if fn == "Fn::Join":
                delim, items = arg
                return str(delim).join(str(self.resolve(x)) for x in self.resolve(items))
            if fn == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if fn == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.condition(str(name)) else no)
            if fn == "Fn::Equals":
                a, b = (self.resolve(x) for x in arg)
                return str(a) == str(b)
            if fn == "Fn::Not":
                return not self.resolve(arg[0])
            if fn == "Fn::And":
                return all(self.resolve(x) for x in arg)
            if fn == "Fn::Or":
                return any(self.resolve(x) for x in arg)
            if fn == "Condition":
                return self.condition(str(arg))
            if fn.startswith("Fn::") or fn == "Transform":
                raise _Unresolved(f"{fn} is not supported by kmssim's template reader")
        resolved = {k: self.resolve(x) for k, x in v.items()}
        return {k: x for k, x in resolved.items() if x is not _NO_VALUE}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        if name in self.attrs:
            return self.attrs[name]["Ref"]
        raise _Unresolved(f"Ref {name}: not a parameter with a value, a pseudo parameter or a built resource")

    def getatt(self, name: str, attr: str) -> Any:
        got = self.attrs.get(name, {}).get(attr)
        if got is None:
            raise _Unresolved(f"Fn::GetAtt {name}.{attr}: not an attribute kmssim knows for a built resource")
        return got

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(x) for k, x in (arg[1] or {}).items()}
        else:
            text, variables = arg, {}

        def one(m: re.Match[str]) -> str:
            inner = m.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return str(variables[inner])
            if "." in inner and not inner.startswith("AWS::"):
                res, attr = inner.split(".", 1)
                return str(self.getatt(res, attr))
            return str(self.ref(inner))

        return re.sub(r"\$\{([^}]+)\}", one, str(text))


_NO_VALUE: Any = object()


def _depends(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str):
                found.add(v)
            elif k == "Fn::GetAtt":
                found.add(str(v.split(".", 1)[0] if isinstance(v, str) else v[0]))
            elif k == "Fn::Sub":
                text = v[0] if isinstance(v, list) else v
                for m in re.findall(r"\$\{([^}!][^}]*)\}", str(text)):
                    found.add(m.split(".", 1)[0])
                found |= _depends(v)
            else:
                found |= _depends(v)
    elif isinstance(value, list):
        for v in value:
            found |= _depends(v)
    return found


def _cfn_tags(tags: Any) -> dict[str, str]:
    return {
        str(t["Key"]): str(t.get("Value", "")) for t in tags or [] if isinstance(t, Mapping) and "Key" in t
    }


def read_cloudformation(
    source: str | Path | Mapping[str, Any],
    *,
    parameters: Mapping[str, Any] | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    stack_name: str = "kmssim-stack",
    seed: int = 0,
) -> Infrastructure:
    """Build a CloudFormation template's KMS resources (JSON or YAML, short forms included) into a simulator."""
    if isinstance(source, Mapping):
        doc, where = dict(source), "template"
    else:
        path = Path(source)
        doc, where = load_template(path.read_text(), str(path)), str(path)
    cfn = _Cfn(doc, parameters or {}, account_id, region, stack_name)
    sim = Simulator(seed=seed, account_id=account_id, region=region)
    findings: list[Finding] = []
    declared: list[DeclaredKey] = []
    aliases: dict[str, str] = {}
    resources: dict[str, Any] = doc["Resources"]
    kms_types = {_CFN_KEY, _CFN_ALIAS, _CFN_REPLICA}
    for name, res in resources.items():
        rtype = res.get("Type") if isinstance(res, Mapping) else None
        if isinstance(rtype, str) and rtype.startswith("AWS::KMS::") and rtype not in kms_types:
            findings.append(Finding("unsupported", name, f"{rtype} is not read by kmssim"))
        elif rtype not in kms_types:
            findings.append(Finding("ignored", name, f"{rtype}: not a KMS resource"))
    # Build in dependency order.
    todo = [n for n, r in resources.items() if isinstance(r, Mapping) and r.get("Type") in kms_types]
    done: set[str] = set()
    key_names = {n for n in todo if resources[n]["Type"] in (_CFN_KEY, _CFN_REPLICA)}
    while todo:
        progress = False
        for name in list(todo):
            res = resources[name]
            deps = (_depends(res.get("Properties", {})) | set(_as_list(res.get("DependsOn")))) & set(
                resources
            )
            if not deps <= done:
                continue
            todo.remove(name)
            done.add(name)
            progress = True
            _build_cfn(cfn, sim, name, res, declared, aliases, findings, key_names)
        if not progress:
            for name in todo:
                findings.append(Finding("error", name, "circular or unresolvable dependency: not built"))
            break
    return Infrastructure(sim, where, declared, aliases, findings)


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _build_cfn(
    cfn: _Cfn,
    sim: Simulator,
    name: str,
    res: Mapping[str, Any],
    declared: list[DeclaredKey],
    aliases: dict[str, str],
    findings: list[Finding],
    key_names: set[str],
) -> None:
    rtype = res["Type"]
    if "Condition" in res:
        try:
            if not cfn.condition(str(res["Condition"])):
                findings.append(
                    Finding("ignored", name, f"Condition {res['Condition']} is false: not created")
                )
                return
        except _Unresolved as exc:
            findings.append(Finding("unsupported", name, f"{exc}; built as if the condition were true"))
    try:
        props = cfn.resolve(res.get("Properties", {}))
    except _Unresolved as exc:
        findings.append(Finding("unsupported", name, f"{exc}: resource not built"))
        return
    known = {
        _CFN_KEY: {
            "Description",
            "Enabled",
            "EnableKeyRotation",
            "RotationPeriodInDays",
            "KeyPolicy",
            "KeySpec",
            "KeyUsage",
            "MultiRegion",
            "Origin",
            "PendingWindowInDays",
            "BypassPolicyLockoutSafetyCheck",
            "Tags",
        },
        _CFN_ALIAS: {"AliasName", "TargetKeyId"},
        _CFN_REPLICA: {"PrimaryKeyArn", "KeyPolicy", "Description", "Enabled", "PendingWindowInDays", "Tags"},
    }[rtype]
    for prop in sorted(set(props) - known):
        findings.append(Finding("unsupported", name, f"property {prop} is not read by kmssim"))
    if rtype == _CFN_KEY:
        policy = props.get("KeyPolicy")
        if isinstance(policy, str):
            policy = json.loads(policy)
        key = DeclaredKey(
            name=name,
            region=cfn.region,
            key_spec=str(props.get("KeySpec", "SYMMETRIC_DEFAULT")),
            key_usage=str(props.get("KeyUsage", "ENCRYPT_DECRYPT")),
            policy=policy,
            description=str(props.get("Description", "")),
            enabled=_bool(props.get("Enabled", True)),
            rotation=_bool(props.get("EnableKeyRotation", False)),
            rotation_days=int(props["RotationPeriodInDays"]) if "RotationPeriodInDays" in props else None,
            multi_region=_bool(props.get("MultiRegion", False)),
            bypass=_bool(props.get("BypassPolicyLockoutSafetyCheck", False)),
            tags=_cfn_tags(props.get("Tags")),
        )
        if props.get("Origin", "AWS_KMS") != "AWS_KMS":
            findings.append(
                Finding(
                    "unsupported", name, f"Origin {props['Origin']}: imported key material is not simulated"
                )
            )
            declared.append(key)
            return
        declared.append(key)
        if _create(sim, key, findings):
            assert key.arn is not None
            cfn.attrs[name] = {
                "Ref": key.arn.rsplit("/", 1)[-1],
                "KeyId": key.arn.rsplit("/", 1)[-1],
                "Arn": key.arn,
            }
    elif rtype == _CFN_ALIAS:
        _alias(
            sim, name, str(props.get("AliasName", "")), props.get("TargetKeyId"), declared, aliases, findings
        )
        cfn.attrs[name] = {"Ref": str(props.get("AliasName", ""))}
    else:
        primary = str(props.get("PrimaryKeyArn", ""))
        parts = primary.split(":")
        replica = DeclaredKey(
            name=name,
            region=cfn.region,
            kind="replica",
            primary=primary,
            description=str(props.get("Description", "")),
        )
        src = next((k for k in declared if k.arn == primary), None)
        if src is not None:
            replica.key_spec, replica.key_usage = src.key_spec, src.key_usage
        elif len(parts) < 6:
            findings.append(Finding("assumed", name, "PrimaryKeyArn not resolved; SYMMETRIC_DEFAULT assumed"))
        declared.append(replica)
        findings.append(
            Finding(
                "not-simulated",
                name,
                "replica keys are declared but not simulated (kmssim has no ReplicateKey "
                "yet); the estimate still bills it as a key",
            )
        )
        key_id = primary.rsplit("/", 1)[-1]
        cfn.attrs[name] = {
            "Ref": key_id,
            "KeyId": key_id,
            "Arn": f"arn:aws:kms:{cfn.region}:{cfn.account}:key/{key_id}",
        }
    del key_names


def _bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.lower() == "true"
    return bool(v)


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


def _create(sim: Simulator, key: DeclaredKey, findings: list[Finding]) -> bool:
    if isinstance(key.policy, Mapping):
        _ensure_principals(sim, _policy_principals(key.policy), findings, key.name)
    params: dict[str, Any] = {"KeySpec": key.key_spec, "KeyUsage": key.key_usage}
    if key.description:
        params["Description"] = key.description
    if key.policy is not None:
        params["Policy"] = json.dumps(key.policy)
    if key.bypass:
        params["BypassPolicyLockoutSafetyCheck"] = True
    if key.multi_region:
        params["MultiRegion"] = True
        findings.append(
            Finding("assumed", key.name, "multi-Region key created as a primary; replicas are not simulated")
        )
    if key.tags:
        params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in key.tags.items()]
    try:
        meta = sim.call("CreateKey", params, region=key.region)["KeyMetadata"]
    except KMSError as exc:
        findings.append(Finding("error", key.name, f"CreateKey would fail: {exc.code}: {exc.message}"))
        return False
    key.arn = meta["Arn"]
    try:
        if key.rotation:
            rot: dict[str, Any] = {"KeyId": key.arn}
            if key.rotation_days is not None:
                rot["RotationPeriodInDays"] = key.rotation_days
            sim.call("EnableKeyRotation", rot, region=key.region)
        if not key.enabled:
            sim.call("DisableKey", {"KeyId": key.arn}, region=key.region)
    except KMSError as exc:
        findings.append(Finding("error", key.name, f"{exc.code}: {exc.message}"))
    return True


def _alias(
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


# ----------------------------------------------------------------------------------------------- Terraform

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
            _create(sim, key, findings)
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
            key_t = target(res, "key_id")
            if key_t is None or key_t.arn is None:
                findings.append(
                    Finding("error", address, "key_id does not lead to a key built here: policy not applied")
                )
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
                _ensure_principals(sim, _policy_principals(parsed), findings, address)
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
            _alias(sim, address, alias_name, key_t.arn, declared, aliases, findings)
        else:  # aws_kms_grant
            key_t = target(res, "key_id")
            if key_t is None or key_t.arn is None:
                findings.append(
                    Finding("error", address, "key_id does not lead to a key built here: grant not created")
                )
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


def read_infrastructure(source: str | Path | Mapping[str, Any], **kwargs: Any) -> Infrastructure:
    """A CloudFormation template (JSON/YAML) or a Terraform plan (JSON), told apart by content."""
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
