"""The result of a permission check, with explanations for people.

Vocabulary follows the IAM policy simulator (``allowed`` / ``explicitDeny`` / ``implicitDeny``, "matched
statements", "missing context values"):
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html. Access-denied wording follows
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html ("with an explicit deny in a
<type> policy" / "because no <type> policy allows the <action> action").
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = ["DecidingStatement", "Decision", "Effect", "NearMiss", "PolicyType"]

Effect = Literal["Allow", "ImplicitDeny", "ExplicitDeny"]
PolicyType = Literal["resource-based", "identity-based"]


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    from kmssim._policy.document import context_value_text

    return context_value_text(value)


def _label(policy: str, index: int | None, sid: str | None) -> str:
    """``key policy, statement 1 (Sid "X")``, or ``grant <id> (name)`` for a grant."""
    if index is None:
        return policy + (f" ({sid})" if sid else "")
    return f"{policy}, statement {index}" + (f' (Sid "{sid}")' if sid else "")


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a deciding statement or a near miss stands: its policy, statement index and Sid."""

    #: ``"key policy"``, ``"identity policy N"`` (N counts from 0) or ``"grant <GrantId>"``.
    policy: str
    #: Index of the statement within its policy's ``Statement`` list (None for grants and implicit rules).
    index: int | None
    #: The statement's Sid (the grant's Name for a grant).
    sid: str | None

    def label(self) -> str:
        return _label(self.policy, self.index, self.sid)

    def _place(self) -> dict[str, object]:
        return {"policy": self.policy, "index": self.index, "sid": self.sid}


@dataclass(frozen=True, slots=True)
class DecidingStatement(_Placed):
    """A statement (or grant) that decided a request."""

    effect: Literal["Allow", "Deny"]
    #: Why it counts, in words.
    why: str
    statement: Mapping[str, object] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            **self._place(),
            "effect": self.effect,
            "why": self.why,
            "statement": _jsonable(self.statement) if self.statement is not None else None,
        }


@dataclass(frozen=True, slots=True)
class NearMiss(_Placed):
    """An Allow statement or grant that would have applied but for one element."""

    #: The element that failed: Principal, NotPrincipal, Action, Resource, Condition, Grantee, Operations,
    #: Constraints, or KeyPolicy / IdentityPolicy when the other half of a two-sided permission is missing.
    element: str
    detail: str
    condition_key: str | None = None
    operator: str | None = None
    #: For conditions: True when the key was absent from the request, False when its value did not match.
    missing: bool | None = None
    expected: tuple[object, ...] = ()
    actual: object = None

    def to_dict(self) -> dict[str, object]:
        return {
            **self._place(),
            "element": self.element,
            "detail": self.detail,
            "condition_key": self.condition_key,
            "operator": self.operator,
            "missing": self.missing,
            "expected": _jsonable(list(self.expected)),
            "actual": _jsonable(self.actual),
        }


_EFFECT_COLOURS = {"Allow": "#1a7f37", "ImplicitDeny": "#9a6700", "ExplicitDeny": "#cf222e"}


@dataclass(frozen=True, eq=False)
class Decision:
    """Allow, ImplicitDeny or ExplicitDeny for one request, and why."""

    effect: Effect
    principal: str
    action: str
    resource: str
    deciding: tuple[DecidingStatement, ...]
    #: Machine-readable reason: ``key-policy``, ``key-policy+identity-policy``, ``grant``,
    #: ``identity-policy``, ``root-implicit``, ``explicit-deny``, ``no-key-policy-allow``,
    #: ``no-identity-policy-allow``, ``cross-account-unsupported``.
    reason: str
    #: The policy type named in AWS's access-denied message (None when allowed).
    policy_type: PolicyType | None
    #: One sentence saying why (also :meth:`summary`).
    why: str
    _near: Callable[[], tuple[NearMiss, ...]] | None = field(default=None, repr=False)
    _near_cache: list[tuple[NearMiss, ...]] = field(default_factory=list, repr=False)
    #: Notes for the person asking, beyond AWS's answer (e.g. "this principal was never added").
    hints: tuple[str, ...] = field(default=(), repr=False)

    def with_hints(self, *hints: str) -> Decision:
        """The same decision with these notes added (the decision itself is unchanged)."""
        return replace(self, hints=self.hints + tuple(hints))

    @property
    def allowed(self) -> bool:
        return self.effect == "Allow"

    def summary(self) -> str:
        """One sentence saying why."""
        return self.why

    @property
    def granting_grant_id(self) -> str | None:
        """The GrantId of the grant that allowed the request (None unless a grant decided it)."""
        if self.reason != "grant" or not self.deciding:
            return None
        statement = self.deciding[0].statement
        gid = statement.get("GrantId") if statement is not None else None
        return gid if isinstance(gid, str) else None

    @property
    def near_misses(self) -> tuple[NearMiss, ...]:
        """For an implicit deny: statements that nearly matched and the element that failed."""
        if self.effect != "ImplicitDeny" or self._near is None:
            return ()
        if not self._near_cache:
            self._near_cache.append(self._near())
        return self._near_cache[0]

    @property
    def missing_context_keys(self) -> tuple[str, ...]:
        """Condition keys that near-miss statements needed but the request did not have."""
        seen: dict[str, None] = {}
        for n in self.near_misses:
            if n.missing and n.condition_key:
                seen.setdefault(n.condition_key, None)
        return tuple(seen)

    def access_denied_message(
        self, principal: str | None = None, action: str | None = None, resource: str | None = None
    ) -> str:
        """AWS's AccessDeniedException message for this decision ('' when allowed)."""
        if self.allowed:
            return ""
        p = principal if principal is not None else self.principal
        a = action if action is not None else self.action
        r = resource if resource is not None else self.resource
        head = f"User: {p} is not authorized to perform: {a} on resource: {r}"
        ptype = self.policy_type or "resource-based"
        if self.effect == "ExplicitDeny":
            article = "an" if ptype[0] in "aeiou" else "a"
            return f"{head} with an explicit deny in {article} {ptype} policy"
        return f"{head} because no {ptype} policy allows the {a} action"

    # -- presentation ---------------------------------------------------------------------------------------

    def explain(self) -> str:
        """Plain-text explanation."""
        lines = [
            f"Decision: {self.effect}",
            f"  principal: {self.principal}",
            f"  action:    {self.action}",
            f"  resource:  {self.resource}",
            f"Why: {self.why}",
        ]
        if self.deciding:
            lines.append("Deciding statements:" if self.effect != "Allow" else "Allowed by:")
            for d in self.deciding:
                lines.append(f"  - {d.label()}: {d.why}")
        if self.effect == "ImplicitDeny":
            near = self.near_misses
            if near:
                lines.append("Near misses:")
                for n in near:
                    lines.append(f"  - {n.label()}: {n.element}: {n.detail}")
            missing = self.missing_context_keys
            if missing:
                lines.append("Missing context values: " + ", ".join(missing))
            lines.append("AWS would say: " + self.access_denied_message())
        elif self.effect == "ExplicitDeny":
            lines.append("AWS would say: " + self.access_denied_message())
        lines.extend(f"Note: {h}" for h in self.hints)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()

    def _repr_html_(self) -> str:
        e = html.escape
        colour = _EFFECT_COLOURS[self.effect]
        parts = [
            '<div class="kmssim-decision" style="font-family:sans-serif;line-height:1.4">',
            f'<span style="background:{colour};color:white;padding:2px 8px;border-radius:4px;'
            f'font-weight:bold">{e(self.effect)}</span> ',
            f"<code>{e(self.principal)}</code> &rarr; <code>{e(self.action)}</code> on "
            f"<code>{e(self.resource)}</code>",
            f"<p>{e(self.why)}</p>",
        ]
        if self.deciding:
            parts.append(
                "<table><thead><tr><th>policy</th><th>statement</th><th>effect</th><th>why</th></tr></thead><tbody>"
            )
            for d in self.deciding:
                stmt = json.dumps(_jsonable(d.statement), indent=2) if d.statement is not None else ""
                title = f' title="{e(stmt)}"' if stmt else ""
                parts.append(
                    f"<tr><td>{e(d.policy)}</td><td{title}>{e(str(d.index) if d.index is not None else '')}"
                    f"{e(' ' + repr(d.sid) if d.sid else '')}</td><td>{e(d.effect)}</td>"
                    f"<td>{e(d.why)}</td></tr>"
                )
            parts.append("</tbody></table>")
        if self.effect == "ImplicitDeny" and self.near_misses:
            parts.append(
                "<p><b>Near misses</b></p><table><thead><tr><th>where</th><th>element</th>"
                "<th>what failed</th></tr></thead><tbody>"
            )
            for n in self.near_misses:
                parts.append(f"<tr><td>{e(n.label())}</td><td>{e(n.element)}</td><td>{e(n.detail)}</td></tr>")
            parts.append("</tbody></table>")
        if not self.allowed:
            parts.append(
                f"<p><small>AWS would say: <code>{e(self.access_denied_message())}</code></small></p>"
            )
        parts.extend(f'<p class="kmssim-hint"><b>Note:</b> {e(h)}</p>' for h in self.hints)
        parts.append("</div>")
        return "".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Structured form (JSON-serialisable)."""
        return {
            "effect": self.effect,
            "allowed": self.allowed,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "reason": self.reason,
            "policy_type": self.policy_type,
            "summary": self.why,
            "granting_grant_id": self.granting_grant_id,
            "deciding": [d.to_dict() for d in self.deciding],
            "near_misses": [n.to_dict() for n in self.near_misses],
            "missing_context_keys": list(self.missing_context_keys),
            "message": self.access_denied_message() if not self.allowed else None,
            "hints": list(self.hints),
        }
