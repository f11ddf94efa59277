"""Parse policy JSON into immutable, pre-compiled statements (cached by text).

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and the element
references under https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html; key-policy
specifics from https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html.

:func:`parse_policy` rejects documents that cannot be interpreted at all (not JSON, wrong element types,
unknown elements or operators, a bad ``Effect`` or ``Version``). Rules that only the KMS API enforces when a
key policy is stored (principals, size, characters, forbidden condition keys) live in
:mod:`kmssim._policy.validation`.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from kmssim import choices
from kmssim._errors import MalformedPolicyDocumentException
from kmssim._ids import split_arn
from kmssim._policy.conditions import (
    CompiledCondition,
    arn_like,
    arn_template_components,
    compile_condition,
    full_regex,
    parse_operator,
)
from kmssim._policy.patterns import (
    MISSING,
    Template,
    any_of_regex,
    compile_template,
    context_string,
    wildcard_regex,
)
from kmssim._policy.principals import CallerPrincipal, classify_principal_value

__all__ = [
    "ACCOUNT",
    "DIRECT",
    "NONE",
    "VARIABLES_VERSION",
    "VERSIONS",
    "CompiledPolicy",
    "CompiledStatement",
    "PolicyKind",
    "parse_policy",
]

PolicyKind = Literal["key", "identity"]

#: Versions the policy grammar allows; policy variables work only in the newer one.
VERSIONS = ("2008-10-17", "2012-10-17")
VARIABLES_VERSION = "2012-10-17"

TOP_LEVEL_ELEMENTS = frozenset({"Version", "Id", "Statement"})
STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)

#: Principal-match strengths.
NONE, ACCOUNT, DIRECT = 0, 1, 2

_CACHE_SIZE = 2048


def _malformed(message: str) -> MalformedPolicyDocumentException:
    return MalformedPolicyDocumentException(message)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledStatement:
    """One statement, compiled for fast matching. ``raw`` is a read-only view of its JSON."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    raw: Mapping[str, object]
    # Principal / NotPrincipal
    has_principal: bool
    principal_negated: bool
    principal_any: bool
    principal_any_aws: bool
    principal_accounts: frozenset[str]
    principal_arns: frozenset[str]
    principal_roles: frozenset[tuple[str, str]]
    principal_services: frozenset[str]
    principal_invalid: tuple[str, ...]
    # Action / NotAction (None: the element is missing, so the statement has no effect)
    actions: tuple[str, ...] | None
    action_negated: bool
    # Resource / NotResource
    resources: tuple[str | Template, ...] | None
    resource_negated: bool
    conditions: tuple[CompiledCondition, ...]
    _action_rx: re.Pattern[str] | None = field(repr=False)
    _has_templates: bool = field(default=False, repr=False)
    _action_memo: dict[str, bool] = field(default_factory=dict, repr=False)
    _resource_memo: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    # -- matching ------------------------------------------------------------------------------------------

    def matches_action(self, action_lower: str) -> bool:
        memo = self._action_memo.get(action_lower)
        if memo is not None:
            return memo
        if self._action_rx is None:
            hit = False
        else:
            hit = self._action_rx.match(action_lower) is not None
            if self.action_negated:
                hit = not hit
        if len(self._action_memo) > 4096:
            self._action_memo.clear()
        self._action_memo[action_lower] = hit
        return hit

    def matches_resource(self, resource: str, ctx: Mapping[str, object]) -> bool:
        if self.resources is None:
            return False
        memo = self._resource_memo.get(resource)
        if memo is None:
            memo = any(_resource_like(p, resource) for p in self.resources if isinstance(p, str))
            if len(self._resource_memo) > 4096:
                self._resource_memo.clear()
            self._resource_memo[resource] = memo
        hit = memo
        if not hit and self._has_templates:
            templates = [p for p in self.resources if isinstance(p, Template)]
            hit = any(_template_resource_like(p, resource, ctx) for p in templates)
            if (
                self.resource_negated
                and not choices.UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR
                and any(p.resolve(ctx) is None for p in templates)
            ):
                return False
        return (not hit) if self.resource_negated else hit

    def principal_level(self, caller: CallerPrincipal) -> int:
        """How a ``Principal`` element names the caller: DIRECT, ACCOUNT (its account principal) or NONE."""
        if not self.has_principal or self.principal_negated:
            return NONE
        if self.principal_any:
            return DIRECT
        if caller.kind == "service":
            return DIRECT if caller.name in self.principal_services else NONE
        if self.principal_any_aws:
            return DIRECT
        if caller.text in self.principal_arns:
            return DIRECT
        if caller.kind == "assumed-role" and (caller.account, caller.name) in self.principal_roles:
            return DIRECT
        if caller.account is not None and caller.account in self.principal_accounts:
            # The account principal "represents the account and its administrators, including the root user".
            return DIRECT if caller.kind == "root" else ACCOUNT
        return NONE

    def not_principal_applies(self, caller: CallerPrincipal) -> bool:
        """Whether a ``NotPrincipal`` statement covers the caller (the caller is not among the exceptions)."""
        if self.principal_any:
            return False
        levels = caller.levels()
        if not choices.NOT_PRINCIPAL_CHECKS_EVERY_LEVEL:
            levels = levels[:1]
        return any(not self._lists(level) for level in levels)

    def _lists(self, identity: str) -> bool:
        if identity in self.principal_arns or identity in self.principal_services:
            return True
        if self.principal_any_aws and not identity.endswith(".amazonaws.com"):
            return True
        parts = split_arn(identity)
        return parts is not None and parts[5] == "root" and parts[4] in self.principal_accounts

    def conditions_hold(self, ctx: Mapping[str, object]) -> bool:
        for c in self.conditions:  # noqa: SIM110 - a plain loop is faster than all() on this hot path
            if not c.check(ctx):
                return False
        return True


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    """A parsed policy document."""

    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[CompiledStatement, ...]
    document: Mapping[str, object]
    _by_action: dict[str, tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]] = field(
        default_factory=dict, repr=False
    )
    #: True when no statement has a Condition or a policy variable: decisions ignore the request context
    #: (worked out once here; every request reads it).
    context_free: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        free = all(not s.conditions and not s._has_templates for s in self.statements)
        object.__setattr__(self, "context_free", free)

    def for_action(
        self, action_lower: str
    ) -> tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]:
        """``(deny_statements, allow_statements)`` whose Action element covers this action (memoised)."""
        hit = self._by_action.get(action_lower)
        if hit is None:
            deny = tuple(s for s in self.statements if not s.allow and s.matches_action(action_lower))
            allow = tuple(s for s in self.statements if s.allow and s.matches_action(action_lower))
            hit = (deny, allow)
            if len(self._by_action) > 4096:
                self._by_action.clear()
            self._by_action[action_lower] = hit
        return hit


# ----------------------------------------------------------------------------------------------------------
# resource matching


def _resource_like(pattern: str, resource: str) -> bool:
    """``Resource`` matching: ``*`` matches anything; ARNs match component by component.

    Wildcards work within each of the first five colon-separated components; the sixth (resource) component
    may contain colons and slashes
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    """
    if pattern == "*":
        return True
    if split_arn(resource) is not None:
        return arn_like(pattern, resource)
    return wildcard_regex(pattern).match(resource) is not None


def _template_resource_like(template: Template, resource: str, ctx: Mapping[str, object]) -> bool:
    resolved = template.resolve(ctx)
    if resolved is None:  # a variable without a value: "a Resource containing it matches nothing"
        return False
    if split_arn(resource) is not None:
        comps = arn_template_components(template, ctx)
        if comps is None:
            return resolved[0] == "*"
        parts = resource.split(":", 5)
        return all(full_regex(c).match(p) is not None for c, p in zip(comps, parts, strict=True))
    return full_regex(resolved[1]).match(resource) is not None


# ----------------------------------------------------------------------------------------------------------
# parsing


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        if k in out:
            raise _malformed(f"The policy contains the element {k!r} more than once in the same block.")
        out[k] = v
    return out


def load_json(text: str) -> dict[str, object]:
    """Parse policy JSON (duplicate keys are an error, as in the IAM grammar)."""
    try:
        doc = json.loads(text, object_pairs_hook=_reject_duplicates)
    except MalformedPolicyDocumentException:
        raise
    except (ValueError, RecursionError) as exc:
        raise _malformed(f"The policy is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _malformed("The policy must be a JSON object.")
    return doc


def _string_list(value: object, element: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value and not allow_empty:
            raise _malformed(f"The {element} element must not be an empty list.")
        return tuple(value)
    raise _malformed(f"The {element} element must be a string or a list of strings.")


_ACTION_RE = re.compile(r"^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?_-]*)\Z")


def _compile_statement(index: int, st: object, kind: PolicyKind, variables: bool) -> CompiledStatement:
    where = f"statement {index}"
    if not isinstance(st, dict):
        raise _malformed(f"Each statement must be a JSON object ({where} is not).")
    for name in st:
        if name not in STATEMENT_ELEMENTS:
            raise _malformed(f"The policy contains an unknown element {name!r} in {where}.")
    sid = st.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise _malformed(f"The Sid in {where} must be a string.")
    effect = st.get("Effect")
    if effect not in ("Allow", "Deny"):
        # The Effect value is case-sensitive.
        raise _malformed(f'The Effect in {where} must be exactly "Allow" or "Deny" (got {effect!r}).')
    if "Action" in st and "NotAction" in st:
        raise _malformed(f"A statement cannot contain both Action and NotAction ({where}).")
    if "Resource" in st and "NotResource" in st:
        raise _malformed(f"A statement cannot contain both Resource and NotResource ({where}).")
    if "Principal" in st and "NotPrincipal" in st:
        raise _malformed(f"A statement cannot contain both Principal and NotPrincipal ({where}).")
    if kind == "identity" and ("Principal" in st or "NotPrincipal" in st):
        raise _malformed("Policy document should not specify a principal.")

    # Principal
    has_principal = "Principal" in st or "NotPrincipal" in st
    negated = "NotPrincipal" in st
    p_any = p_any_aws = False
    accounts: set[str] = set()
    arns: set[str] = set()
    roles: set[tuple[str, str]] = set()
    services: set[str] = set()
    invalid: list[str] = []
    if has_principal:
        pv = st["NotPrincipal" if negated else "Principal"]
        if pv == "*":
            p_any = True
        elif isinstance(pv, dict):
            if not pv:
                invalid.append("empty principal")
            for ptype, pval in pv.items():
                values = _string_list(pval, "Principal")
                for v in values:
                    for entry in classify_principal_value(ptype, v):
                        tag = entry[0]
                        if tag == "any":
                            p_any_aws = True
                        elif tag == "account":
                            accounts.add(entry[1])
                        elif tag == "arn":
                            arns.add(entry[1])
                        elif tag == "role":
                            roles.add((entry[1], entry[2]))
                        elif tag == "service":
                            services.add(entry[1])
                        else:
                            invalid.append(entry[1])
        else:
            raise _malformed(f'The Principal in {where} must be "*" or an object such as {{"AWS": ...}}.')

    # Action
    actions: tuple[str, ...] | None = None
    action_rx: re.Pattern[str] | None = None
    action_key = "NotAction" if "NotAction" in st else "Action"
    if action_key in st:
        actions = _string_list(st[action_key], action_key, allow_empty=True)
        for a in actions:
            if not _ACTION_RE.match(a):
                raise _malformed(f"The {action_key} {a!r} in {where} is not of the form service:action.")
        if actions:
            action_rx = any_of_regex(a.lower() for a in actions)

    # Resource
    resources: tuple[str | Template, ...] | None = None
    resource_key = "NotResource" if "NotResource" in st else "Resource"
    if resource_key in st:
        raw_resources = _string_list(st[resource_key], resource_key, allow_empty=True)
        for r in raw_resources:
            if r != "*" and split_arn(r) is None and "${" not in r:
                raise _malformed(f'The {resource_key} {r!r} in {where} must be "*" or an ARN.')
        resources = tuple(compile_template(r) if variables else r for r in raw_resources)

    # Condition
    conditions: list[CompiledCondition] = []
    if "Condition" in st:
        block = st["Condition"]
        if not isinstance(block, dict):
            raise _malformed(f"The Condition in {where} must be an object.")
        for op, tests in block.items():
            if parse_operator(op) is None:
                raise _malformed(f"The policy uses an unknown condition operator {op!r} in {where}.")
            if not isinstance(tests, dict) or not tests:
                raise _malformed(f"The {op} condition in {where} must map condition keys to values.")
            for key, value in tests.items():
                if not key or not isinstance(key, str):
                    raise _malformed(f"The {op} condition in {where} has an empty condition key.")
                scalars = value if isinstance(value, list) else [value]
                if not scalars or not all(
                    isinstance(v, str | bool | int | float) and v is not None for v in scalars
                ):
                    raise _malformed(
                        f"The value of {key!r} under {op} in {where} must be a string, number or boolean, "
                        "or a non-empty list of them."
                    )
                cond = compile_condition(op, key, value, variables=variables)
                assert cond is not None  # the operator was checked above
                conditions.append(cond)

    return CompiledStatement(
        index=index,
        sid=sid,
        effect=effect,
        raw=MappingProxyType(st),
        has_principal=has_principal,
        principal_negated=negated,
        principal_any=p_any,
        principal_any_aws=p_any_aws,
        principal_accounts=frozenset(accounts),
        principal_arns=frozenset(arns),
        principal_roles=frozenset(roles),
        principal_services=frozenset(services),
        principal_invalid=tuple(invalid),
        actions=actions,
        action_negated=action_key == "NotAction" and actions is not None,
        resources=resources,
        resource_negated=resource_key == "NotResource" and resources is not None,
        conditions=tuple(conditions),
        _action_rx=action_rx,
        _has_templates=resources is not None and any(isinstance(r, Template) for r in resources),
    )


def compile_document(doc: Mapping[str, object], kind: PolicyKind) -> CompiledPolicy:
    """Compile an already-loaded JSON document."""
    for name in doc:
        if name not in TOP_LEVEL_ELEMENTS:
            raise _malformed(f"The policy contains an unknown element {name!r}.")
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise _malformed(f'The policy Version must be "2012-10-17" or "2008-10-17" (got {version!r}).')
    pid = doc.get("Id")
    if pid is not None and not isinstance(pid, str):
        raise _malformed("The policy Id must be a string.")
    if "Statement" not in doc:
        raise _malformed("The policy must contain a Statement element.")
    raw_statements = doc["Statement"]
    statements_list = raw_statements if isinstance(raw_statements, list) else [raw_statements]
    if not statements_list:
        raise _malformed("The policy must have at least one statement.")
    variables = version == VARIABLES_VERSION
    statements = tuple(_compile_statement(i, st, kind, variables) for i, st in enumerate(statements_list))
    return CompiledPolicy(
        kind=kind,
        version=version if isinstance(version, str) else None,
        id=pid if isinstance(pid, str) else None,
        statements=statements,
        document=MappingProxyType(dict(doc)),
    )


_TEXT_CACHE: OrderedDict[tuple[str, str], CompiledPolicy] = OrderedDict()
_OBJECT_CACHE: dict[int, tuple[object, object, CompiledPolicy]] = {}


def _from_text(text: str, kind: PolicyKind) -> CompiledPolicy:
    key = (kind, text)
    hit = _TEXT_CACHE.get(key)
    if hit is not None:
        return hit
    compiled = compile_document(load_json(text), kind)
    _TEXT_CACHE[key] = compiled
    if len(_TEXT_CACHE) > _CACHE_SIZE:
        _TEXT_CACHE.popitem(last=False)
    return compiled


def _plain(value: object, depth: int = 0) -> object:
    """Mappings as dicts and tuples as lists, so any JSON-like structure can be serialised."""
    if depth > 64:
        raise _malformed("The policy is nested too deeply.")
    if isinstance(value, Mapping):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    return value


def parse_policy(
    policy: str | Mapping[str, object] | CompiledPolicy, kind: PolicyKind = "identity"
) -> CompiledPolicy:
    """Parse and compile a policy given as JSON text or a mapping; the result is cached.

    A mapping is cached by identity and re-checked for equality on every use, so mutating it after an
    evaluation is noticed. Raises :class:`MalformedPolicyDocumentException` for documents that cannot be read.
    """
    if isinstance(policy, CompiledPolicy):
        return policy
    if isinstance(policy, str):
        hit = _TEXT_CACHE.get((kind, policy))  # the hit, without a call: every request comes here
        return hit if hit is not None else _from_text(policy, kind)
    if isinstance(policy, Mapping):
        entry = _OBJECT_CACHE.get(id(policy))
        if entry is not None and entry[0] is policy and entry[2].kind == kind and entry[1] == policy:
            return entry[2]
        try:
            text = json.dumps(_plain(policy), allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise _malformed(f"The policy cannot be written as JSON: {exc}") from None
        compiled = _from_text(text, kind)
        if len(_OBJECT_CACHE) > _CACHE_SIZE:
            _OBJECT_CACHE.clear()
        _OBJECT_CACHE[id(policy)] = (policy, json.loads(text), compiled)
        return compiled
    raise _malformed(f"A policy must be JSON text or a mapping, not {type(policy).__name__}.")


def context_value_text(value: object) -> str:
    """A request-context value for display."""
    if value is MISSING:
        return "(missing)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(context_value_text(v) for v in value) + "]"
    s = context_string(value)
    return "(missing)" if s is None else s
