"""The policy lab: edit a key policy and IAM policies, pick a principal and an action, see the decision.

The model is :func:`lab_decision` and :func:`lab_matrix` (policy texts in, a :class:`kmssim.Decision` or a
principals x actions table out, or the error message AWS would give); :class:`PolicyLabApp` only wires widgets
to them. Evaluation: :func:`kmssim.evaluate`, the same engine the simulator runs on every call
(https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from .. import KMSError
from ..policy import (
    Decision,
    UnknownActionError,
    build_request_context,
    default_key_policy,
    evaluate,
    parse_policy,
    require_kms_action,
    validate_key_policy,
)
from ._base import App, error_html, esc

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .. import Simulator

__all__ = [
    "LAB_ACTIONS",
    "LabSetup",
    "PolicyLabApp",
    "lab_decision",
    "lab_key_policy",
    "lab_matrix",
    "matrix_html",
    "parse_pairs",
    "plot_access_matrix",
]

#: The AWS documentation's example key ID.
LAB_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
#: The key users' permissions the KMS console writes for a symmetric key (key-policy-default.html).
KEY_USER_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
#: Actions offered in the lab: key use, grants and key administration.
LAB_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:RevokeGrant",
    "kms:EnableKeyRotation",
    "kms:ScheduleKeyDeletion",
    "kms:PutKeyPolicy",
)
EFFECT_COLOURS: Mapping[str, str] = {"Allow": "#1a7f37", "ImplicitDeny": "#9a6700", "ExplicitDeny": "#cf222e"}
EFFECT_SYMBOLS: Mapping[str, str] = {"Allow": "✓", "ImplicitDeny": "–", "ExplicitDeny": "✗"}


def lab_key_policy(account_id: str, key_user: str) -> str:
    """The default key policy (root statement enabling IAM) plus a key-user statement for ``key_user``."""
    doc = json.loads(default_key_policy(account_id))
    doc["Statement"].append(
        {
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": {"AWS": key_user},
            "Action": list(KEY_USER_ACTIONS),
            "Resource": "*",
        }
    )
    return json.dumps(doc, indent=2)


def _identity_policy(actions: Sequence[str], resource: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}],
        },
        indent=2,
    )


@dataclass
class LabSetup:
    """The lab's world: one key, its policy, and principals with their IAM identity policies ('' = none)."""

    account_id: str = "111122223333"
    region: str = "us-east-1"
    now: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    key_policy: str = ""
    identity_policies: dict[str, str] = field(default_factory=dict)

    @property
    def key_arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account_id}:key/{LAB_KEY_ID}"

    @property
    def principals(self) -> list[str]:
        return list(self.identity_policies)

    @classmethod
    def default(
        cls, account_id: str = "111122223333", region: str = "us-east-1", now: datetime | None = None
    ) -> LabSetup:
        """Root, a key-user role, an IAM user allowed by IAM, one with no policy, and a role in another account."""
        role = f"arn:aws:iam::{account_id}:role/AppRole"
        setup = cls(account_id, region, now or datetime(2026, 1, 1, tzinfo=UTC))
        setup.key_policy = lab_key_policy(account_id, role)
        key_arn = setup.key_arn
        other = "444455556666" if account_id != "444455556666" else "777788889999"
        setup.identity_policies = {
            f"arn:aws:iam::{account_id}:root": "",
            role: "",
            f"arn:aws:iam::{account_id}:user/Alice": _identity_policy(
                ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], key_arn
            ),
            f"arn:aws:iam::{account_id}:user/Bob": "",
            f"arn:aws:iam::{other}:role/Partner": _identity_policy(
                ["kms:Decrypt", "kms:DescribeKey"], key_arn
            ),
        }
        return setup


def parse_pairs(text: str, what: str = "encryption context") -> dict[str, str]:
    """``"k=v, k2=v2"`` -> ``{"k": "v", "k2": "v2"}``; ValueError naming the bad part."""
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ValueError(f"{what}: {part!r} is not key=value (write pairs like k=v, k2=v2)")
        if key in out:
            raise ValueError(f"{what}: the key {key!r} appears twice")
        out[key] = value
    return out


def _error_text(exc: Exception, where: str) -> str:
    if isinstance(exc, KMSError):
        return f"{where}: {exc.code}: {exc.message}"
    return f"{where}: {exc}"


def _action_error(exc: UnknownActionError) -> str:
    """A misspelt or non-KMS action, in plain words: AWS would not say Allow or Deny, it has no such action."""
    return (
        f"Action: {exc.message} There is no decision to show: KMS has no such permission, so a policy that "
        'seems to allow it (for example through "kms:*") allows nothing.'
    )


def _check_policies(setup: LabSetup) -> str:
    """The first error in the key policy or an identity policy, as AWS would word it; '' when all parse."""
    try:
        validate_key_policy(setup.key_policy, account_id=setup.account_id)
    except KMSError as exc:
        return _error_text(exc, "Key policy")
    for principal, text in setup.identity_policies.items():
        if text.strip():
            try:
                parse_policy(text, "identity")
            except KMSError as exc:
                return _error_text(exc, f"IAM policy of {principal}")
    return ""


def _decide(
    setup: LabSetup,
    principal: str,
    action: str,
    encryption_context: Mapping[str, str],
    extra: Mapping[str, str],
) -> Decision:
    request: dict[str, object] = {"KeyId": setup.key_arn}
    if encryption_context:
        request["EncryptionContext"] = dict(encryption_context)
    key = {
        "arn": setup.key_arn,
        "account": setup.account_id,
        "region": setup.region,
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "origin": "AWS_KMS",
        "multi_region": False,
        "tags": {},
        "aliases": [],
    }
    context = build_request_context(
        operation=action,
        principal_arn=principal,
        key=key,
        request=request,
        now=setup.now,
        global_context=dict(extra),
    )
    text = setup.identity_policies.get(principal, "")
    return evaluate(
        key_policy=setup.key_policy,
        identity_policies=[text] if text.strip() else [],
        principal=principal,
        action=action,
        resource=setup.key_arn,
        context=context,
    )


@dataclass(frozen=True)
class LabOutcome:
    """A decision (or a principals x actions table), or the error message shown instead."""

    decision: Decision | None = None
    matrix: pd.DataFrame | None = None
    error: str = ""


def _lab_inputs(
    setup: LabSetup, actions: Sequence[str], encryption_context: str, request_context: str
) -> tuple[list[str], dict[str, str], dict[str, str]] | str:
    """The actions (canonical), encryption context and request context of a request, or the first error shown
    instead: an unknown action, a malformed context text, then a policy AWS would refuse."""
    try:
        canonical = [require_kms_action(a) for a in actions]
    except UnknownActionError as exc:
        return _action_error(exc)
    try:
        ec = parse_pairs(encryption_context, "Encryption context")
        extra = parse_pairs(request_context, "Request context")
    except ValueError as exc:
        return str(exc)
    return _check_policies(setup) or (canonical, ec, extra)


def lab_decision(
    setup: LabSetup, principal: str, action: str, encryption_context: str = "", request_context: str = ""
) -> LabOutcome:
    """Evaluate one request against the lab's policies. Context texts are ``k=v, k2=v2``."""
    inputs = _lab_inputs(setup, [action], encryption_context, request_context)
    if isinstance(inputs, str):
        return LabOutcome(error=inputs)
    (action,), ec, extra = inputs
    try:
        return LabOutcome(decision=_decide(setup, principal, action, ec, extra))
    except (KMSError, ValueError, TypeError) as exc:
        return LabOutcome(error=_error_text(exc, "Evaluation"))


def lab_matrix(
    setup: LabSetup,
    actions: Sequence[str] = LAB_ACTIONS,
    encryption_context: str = "",
    request_context: str = "",
) -> LabOutcome:
    """Every principal x every action: "Allow", "ImplicitDeny" or "ExplicitDeny"."""
    inputs = _lab_inputs(setup, actions, encryption_context, request_context)
    if isinstance(inputs, str):
        return LabOutcome(error=inputs)
    actions, ec, extra = inputs
    data = {a: [_decide(setup, p, a, ec, extra).effect for p in setup.principals] for a in actions}
    return LabOutcome(matrix=pd.DataFrame(data, index=setup.principals))


def short_principal(arn: str) -> str:
    """``arn:aws:iam::111122223333:role/AppRole`` -> ``role/AppRole (111122223333)``."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] in ("iam", "sts"):
        return f"{parts[5]} ({parts[4]})"
    return arn


def matrix_html(matrix: pd.DataFrame) -> str:
    """The access matrix as a coloured HTML table (each cell names its effect)."""
    head = "".join(
        f"<th style='padding:2px 6px;font-size:0.85em'>{esc(str(a).removeprefix('kms:'))}</th>"
        for a in matrix.columns
    )
    rows = []
    for principal, row in matrix.iterrows():
        cells = "".join(
            f"<td title='{esc(effect)}' style='padding:2px 6px;text-align:center;color:white;"
            f"background:{EFFECT_COLOURS.get(str(effect), '#57606a')}'>"
            f"{EFFECT_SYMBOLS.get(str(effect), '?')} {esc(effect)}</td>"
            for effect in row
        )
        rows.append(
            f"<tr><th style='text-align:left;padding:2px 6px' title='{esc(principal)}'>"
            f"{esc(short_principal(str(principal)))}</th>{cells}</tr>"
        )
    return (
        "<table style='border-collapse:separate;border-spacing:2px;font-size:0.8em'>"
        f"<thead><tr><th>principal \\ action</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def plot_access_matrix(matrix: pd.DataFrame, ax: Axes | None = None, title: str = "Who may do what") -> Axes:
    """Draw a principals x actions matrix of effects (as from ``Simulator.access_matrix``); returns the Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    order = ["Allow", "ImplicitDeny", "ExplicitDeny"]
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.75 * len(matrix.columns), 1.0 + 0.5 * len(matrix.index)))
    codes = [[order.index(str(v)) for v in row] for _, row in matrix.iterrows()]
    ax.imshow(codes, cmap=ListedColormap([EFFECT_COLOURS[e] for e in order]), vmin=0, vmax=2, aspect="auto")
    ax.set_xticks(range(len(matrix.columns)))
    ax.set_xticklabels([str(a).removeprefix("kms:") for a in matrix.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(matrix.index)))
    ax.set_yticklabels([short_principal(str(p)) for p in matrix.index])
    for i, row in enumerate(codes):
        for j, code in enumerate(row):
            ax.text(j, i, EFFECT_SYMBOLS[order[code]], ha="center", va="center", color="white")
    ax.set_title(title)
    handles = [Patch(color=EFFECT_COLOURS[e], label=e) for e in order]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


class PolicyLabApp(App):
    """Key policy + IAM policy + request -> Allow / ImplicitDeny / ExplicitDeny, explained.

    DOM classes: ``kmssim-policy``, ``kmssim-principal``, ``kmssim-action``, ``kmssim-identity-policy``,
    ``kmssim-context``, ``kmssim-request-context``, ``kmssim-evaluate`` (inputs); ``kmssim-decision``,
    ``kmssim-error``, ``kmssim-matrix`` (outputs) and ``kmssim-policy-lab`` (the app).

    ``sim`` (optional) supplies the account, Region and simulated time; the lab never changes it.
    """

    def __init__(self, sim: Simulator | None = None) -> None:
        if sim is not None:
            self.setup = LabSetup.default(sim.account_id, sim.region, sim.now)
        else:
            self.setup = LabSetup.default()
        principals = self.setup.principals
        role = principals[1]
        self.policy = widgets.Textarea(
            value=self.setup.key_policy,
            description="Key policy",
            layout=widgets.Layout(width="98%", height="320px"),
        )
        self.principal = widgets.Dropdown(
            options=principals, value=role, description="Principal", layout=widgets.Layout(width="98%")
        )
        self.action = widgets.Dropdown(options=list(LAB_ACTIONS), value="kms:Decrypt", description="Action")
        self.identity_policy = widgets.Textarea(
            value=self.setup.identity_policies[role],
            description="IAM policy",
            placeholder="(no IAM policy) paste an identity policy of the selected principal here",
            layout=widgets.Layout(width="98%", height="160px"),
        )
        self.context = widgets.Text(
            value="",
            description="Encryption context",
            placeholder="k=v, k2=v2",
            style={"description_width": "140px"},
        )
        self.request_context = widgets.Text(
            value="",
            description="Request context",
            placeholder="aws:SourceIp=203.0.113.10, kms:ViaService=s3.us-east-1.amazonaws.com",
            style={"description_width": "140px"},
            layout=widgets.Layout(width="98%"),
        )
        self.evaluate_button = widgets.Button(description="Evaluate", button_style="primary", icon="check")
        self.decision, self.error, self.matrix = (widgets.HTML() for _ in range(3))
        self.add_css_classes(
            "kmssim-",
            "policy principal action identity_policy context request_context evaluate_button decision error matrix",
            evaluate_button="evaluate",
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<h3>KMS policy lab</h3><p>Key <code>{esc(self.setup.key_arn)}</code>. Edit the policies, "
                    "pick who calls what, press <b>Evaluate</b>.</p>"
                ),
                self.policy,
                self.principal,
                self.identity_policy,
                widgets.HBox([self.action, self.context]),
                self.request_context,
                self.evaluate_button,
                self.error,
                self.decision,
                widgets.HTML("<h4>Who may do what (this policy, this context)</h4>"),
                self.matrix,
            ]
        )
        self.widget.add_class("kmssim-policy-lab")
        self.outcome = LabOutcome()
        self.principal.observe(self._on_principal, names="value")
        self.identity_policy.observe(self._on_identity_policy, names="value")
        self.evaluate_button.on_click(self._on_evaluate)
        self.evaluate()

    def evaluate(self) -> LabOutcome:
        """Read the inputs, evaluate, and show the decision, the matrix or the error."""
        self.setup.key_policy = str(self.policy.value)
        self.setup.identity_policies[str(self.principal.value)] = str(self.identity_policy.value)
        ec, extra = str(self.context.value), str(self.request_context.value)
        self.outcome = lab_decision(self.setup, str(self.principal.value), str(self.action.value), ec, extra)
        self.error.value = error_html(self.outcome.error)
        self.decision.value = self.outcome.decision._repr_html_() if self.outcome.decision is not None else ""
        grid = lab_matrix(self.setup, LAB_ACTIONS, ec, extra)
        self.matrix.value = matrix_html(grid.matrix) if grid.matrix is not None else ""
        return self.outcome

    def _on_principal(self, change: Mapping[str, Any]) -> None:
        self.identity_policy.value = self.setup.identity_policies.get(str(change["new"]), "")

    def _on_identity_policy(self, change: Mapping[str, Any]) -> None:
        self.setup.identity_policies[str(self.principal.value)] = str(change["new"])

    def _on_evaluate(self, _button: object) -> None:
        self.evaluate()
