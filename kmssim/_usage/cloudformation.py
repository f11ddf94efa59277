"""KMS resources of a CloudFormation template (JSON or YAML, short forms included), built into a simulator.

AWS::KMS::Key (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html),
AWS::KMS::Alias, AWS::KMS::ReplicaKey; intrinsic functions Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::If
(with Conditions and AWS::NoValue) and the pseudo parameters
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._simulator import Simulator
from .iac import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DeclaredKey,
    Finding,
    Infrastructure,
    create_alias,
    create_key,
    create_replica,
    settle,
)

__all__ = ["load_template", "read_cloudformation"]

_CFN_KEY = "AWS::KMS::Key"
_CFN_ALIAS = "AWS::KMS::Alias"
_CFN_REPLICA = "AWS::KMS::ReplicaKey"

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
    settle(sim, declared, findings)
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
        key.origin = str(props.get("Origin", "AWS_KMS"))  # AWS_KMS or EXTERNAL (the property's values)
        declared.append(key)
        if create_key(sim, key, findings):
            assert key.arn is not None
            cfn.attrs[name] = {
                "Ref": key.arn.rsplit("/", 1)[-1],
                "KeyId": key.arn.rsplit("/", 1)[-1],
                "Arn": key.arn,
            }
    elif rtype == _CFN_ALIAS:
        create_alias(
            sim, name, str(props.get("AliasName", "")), props.get("TargetKeyId"), declared, aliases, findings
        )
        cfn.attrs[name] = {"Ref": str(props.get("AliasName", ""))}
    else:
        # The replica is made in the stack's Region (aws-resource-kms-replicakey.html), from PrimaryKeyArn.
        primary = str(props.get("PrimaryKeyArn", ""))
        policy = props.get("KeyPolicy")
        if isinstance(policy, str):
            policy = json.loads(policy)
        replica = DeclaredKey(
            name=name,
            region=cfn.region,
            kind="replica",
            primary=primary,
            policy=policy,
            description=str(props.get("Description", "")),
            enabled=_bool(props.get("Enabled", True)),
            multi_region=True,
            tags=_cfn_tags(props.get("Tags")),
        )
        declared.append(replica)
        src = next((k for k in declared if k.arn == primary), None)
        key_id = primary.rsplit("/", 1)[-1]
        if create_replica(sim, replica, src, findings):
            assert replica.arn is not None
            key_id = replica.arn.rsplit("/", 1)[-1]
        cfn.attrs[name] = {
            "Ref": key_id,
            "KeyId": key_id,
            "Arn": replica.arn or f"arn:aws:kms:{cfn.region}:{cfn.account}:key/{key_id}",
        }
    del key_names


def _bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.lower() == "true"
    return bool(v)
