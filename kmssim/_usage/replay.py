"""Replay recorded KMS calls under proposed policies with the permission engine (``kmssim.evaluate``).

AWS's IAM policy simulator cannot simulate key policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html); this decides every
recorded call again, from what CloudTrail logged about it (principal, key, encryption context, Region, time).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import choices
from .._policy import actions_for_operation, build_request_context, evaluate
from .._policy.actions import KEY_ACTION_SET

if TYPE_CHECKING:
    import pandas as pd

    from .cloudtrail import CloudTrailLog

__all__ = ["REPLAY_COLUMNS", "Replay", "replay"]

DENIED_CODE = "AccessDeniedException"
REPLAY_COLUMNS = [
    "time",
    "event_name",
    "principal",
    "key_arn",
    "recorded",
    "decision",
    "changed",
    "explanation",
    "event_id",
]


@dataclass(frozen=True)
class Replay:
    """One row per replayed event (``table``) and the changed calls grouped (``summary()``)."""

    table: pd.DataFrame
    assumptions: tuple[str, ...]

    @property
    def changed(self) -> pd.DataFrame:
        return self.table[self.table["changed"]].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Changed calls grouped by principal, action and key: how many, from what to what, first and last time."""
        import pandas as pd

        ch = self.changed
        cols = ["principal", "action", "key_arn", "recorded", "decision", "calls", "first", "last"]
        if ch.empty:
            return pd.DataFrame(columns=cols)
        ch = ch.assign(action="kms:" + ch["event_name"])
        out = (
            ch.groupby(["principal", "action", "key_arn", "recorded", "decision"], dropna=False)
            .agg(calls=("event_id", "size"), first=("time", "min"), last=("time", "max"))
            .reset_index()
            .sort_values(["calls", "principal"], ascending=[False, True])
            .reset_index(drop=True)
        )
        return out[cols]

    def __repr__(self) -> str:
        return f"<Replay: {len(self.table)} events, {int(self.table['changed'].sum())} would change>"

    def _repr_html_(self) -> str:
        head = f"<p><b>{len(self.table)} recorded calls replayed; {len(self.changed)} would change.</b></p>"
        notes = "".join(f"<li>{html.escape(a)}</li>" for a in self.assumptions)
        return head + self.summary().to_html(index=False) + f"<ul>{notes}</ul>"


def _recorded(error: object) -> str:
    return "Deny" if error == DENIED_CODE else "Allow"


def _context_request(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """CloudTrail's camelCase requestParameters as the API's PascalCase request."""
    return {k[:1].upper() + k[1:]: v for k, v in params.items()}


def _grants_for(grants: Any, key: str) -> Sequence[Mapping[str, Any]]:
    if isinstance(grants, Mapping):
        found = grants.get(key) or grants.get(key.rsplit("/", 1)[-1]) or ()
        return list(found)
    return [g for g in grants if g.get("KeyId") in (key, key.rsplit("/", 1)[-1])]


def replay(
    log: CloudTrailLog,
    key_policies: Mapping[str, Any],
    identity_policies: Mapping[str, Sequence[Any]],
    grants: Any,
    *,
    keys: object = None,
) -> Replay:
    """Decide each recorded call again.

    ``key_policies``: {key ARN: policy (JSON text or dict)}; keys without one keep their recorded outcome.
    ``identity_policies``: {principal ARN: [policies]}; for an assumed role, the role ARN or the session ARN.
    Principals not listed: see :data:`ASSUME_RECORDED_IAM`. ``grants``: {key ARN: [ListGrants entries]} or a
    list of ListGrants entries (matched on KeyId). The request context is rebuilt from the record: principal,
    key ARN and Region, the encryption context, the encryption algorithm, aws:SourceIp (when an IP address was
    logged), kms:ViaService (when a service DNS name was logged) and the event time.
    """
    import pandas as pd

    specs, _ = log.key_specs(keys)
    proposed = {str(k): v for k, v in key_policies.items()}
    by_id = {k.rsplit("/", 1)[-1]: v for k, v in proposed.items()}
    ev = log.events
    rows = []
    cache: dict[tuple[Any, ...], tuple[str, str]] = {}
    ips: list[Any]
    records: list[dict[str, Any]] = ev.to_dict("records")  # type: ignore[assignment]
    for rec in records:
        recorded = _recorded(rec["error_code"])
        key = rec["key_arn"]
        policy = None
        if isinstance(key, str):
            policy = proposed.get(key, by_id.get(key.rsplit("/", 1)[-1]))
        if (
            policy is None
            or rec["event_type"] == "AwsServiceEvent"
            or not str(rec["principal"]).startswith("arn:")
        ):
            why = (
                "no proposed policy for this key: the recorded outcome is kept"
                if policy is None
                else "not a call by an IAM principal (a service event or service principal): kept as recorded"
            )
            rows.append(
                (
                    rec["time"],
                    rec["event_name"],
                    rec["principal"],
                    key,
                    recorded,
                    recorded,
                    False,
                    why,
                    rec["event_id"],
                )
            )
            continue
        principal = rec["principal"]
        listed = identity_policies.get(principal)
        if listed is None and isinstance(rec["role_arn"], str):
            listed = identity_policies.get(rec["role_arn"])
        decision, why = "Allow", ""
        for action in actions_for_operation(rec["event_name"]):
            target = key
            if action == "kms:ReEncryptTo" and isinstance(rec["destination_key_arn"], str):
                target = rec["destination_key_arn"]
            target_policy = (
                proposed.get(target, by_id.get(target.rsplit("/", 1)[-1])) if target != key else policy
            )
            if target_policy is None or action not in KEY_ACTION_SET:
                continue
            if listed is not None:
                ips = list(listed)
                assumed = False
            elif choices.ASSUME_RECORDED_IAM and recorded == "Allow":
                ips = [
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": action, "Resource": target}],
                    }
                ]
                assumed = True
            else:
                ips, assumed = [], False
            params = rec["request_parameters"] if isinstance(rec["request_parameters"], Mapping) else {}
            ctx_key = (
                principal,
                action,
                target,
                repr(sorted(params.items(), key=lambda kv: kv[0])),
                rec["source_ip"],
                rec["via_service"],
                assumed,
                id(listed),
            )
            hit = cache.get(ctx_key)
            if hit is None:
                global_ctx: dict[str, object] = {}
                if isinstance(rec["source_ip"], str):
                    global_ctx["aws:SourceIp"] = rec["source_ip"]
                if isinstance(rec["via_service"], str) and rec["via_service"].endswith(".amazonaws.com"):
                    service = rec["via_service"].removesuffix(".amazonaws.com")
                    global_ctx["kms:ViaService"] = f"{service}.{rec['region']}.amazonaws.com"
                parts = target.split(":")
                context = build_request_context(
                    operation=action,
                    principal_arn=principal,
                    key={
                        "arn": target,
                        "account": parts[4],
                        "region": parts[3],
                        "key_spec": specs.get(target, "SYMMETRIC_DEFAULT"),
                    },
                    request=_context_request(rec["event_name"], params),
                    now=rec["time"].to_pydatetime(),
                    global_context=global_ctx,
                )
                d = evaluate(
                    key_policy=target_policy,
                    identity_policies=ips,
                    grants=_grants_for(grants, target),
                    principal=principal,
                    action=action,
                    resource=target,
                    context=context,
                )
                by = "; ".join(f"{st.label()}: {st.why}" for st in d.deciding)
                text = (
                    d.summary()
                    + (f" [{by}]" if by else "")
                    + (" (IAM side assumed as recorded)" if assumed else "")
                )
                hit = cache[ctx_key] = ("Allow" if d.allowed else "Deny", text)
            if hit[0] == "Deny":
                decision, why = hit
                break
            why = hit[1]
        if not why:
            why = "no key-policy permission applies to this call: the recorded outcome is kept"
            decision = recorded
        rows.append(
            (
                rec["time"],
                rec["event_name"],
                principal,
                key,
                recorded,
                decision,
                decision != recorded,
                why,
                rec["event_id"],
            )
        )
    table = pd.DataFrame.from_records(rows, columns=REPLAY_COLUMNS)
    assumptions = [
        "keys without a proposed policy keep their recorded outcome",
        "a call is recorded as denied when CloudTrail logged AccessDeniedException; any other outcome means "
        "it was authorized",
    ]
    if choices.ASSUME_RECORDED_IAM:
        assumptions.append(
            "principals with no identity policies given: their IAM policies are assumed to allow what the "
            "recorded call did"
        )
    unknown = sorted(set(proposed) - set(ev["key_arn"].dropna()) - set(ev["destination_key_arn"].dropna()))
    if unknown:
        assumptions.append(f"proposed policies for keys the log never used: {', '.join(unknown)}")
    return Replay(table, tuple(assumptions))
