"""Principals and ARNs: who is calling, and what a ``Principal`` element names.

Sources:

* Principal formats in key policies:
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
  and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html ("The
  account ARN and the shortened account ID behave the same way"; role sessions match a role-ARN principal;
  groups and partial wildcards are not valid principals).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kmssim._ids import ACCOUNT_ID, account_root_arn, arn_account, split_arn

__all__ = [
    "ACCOUNT_ID_RE",
    "PRINCIPAL_TYPES",
    "CallerPrincipal",
    "PrincipalKind",
    "arn_account",
    "classify_principal_value",
    "parse_caller",
    "principal_condition_keys",
    "split_arn",
    "unregistered_principal_hint",
]

#: Twelve ASCII digits (the one pattern, :data:`kmssim._ids.ACCOUNT_ID`).
ACCOUNT_ID_RE = ACCOUNT_ID

PrincipalKind = Literal["root", "user", "role", "assumed-role", "federated-user", "service", "unknown"]

#: ``aws:PrincipalType`` for each kind of caller that has one
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype).
PRINCIPAL_TYPES: dict[str, str] = {
    "root": "Account",
    "user": "User",
    "role": "AssumedRole",
    "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser",
}


@dataclass(frozen=True, slots=True)
class CallerPrincipal:
    """The identity making a request, parsed from its ARN (or service principal name)."""

    text: str
    kind: PrincipalKind
    account: str | None
    partition: str
    #: For IAM users and roles: the name without path. For role sessions: the role name.
    name: str | None = None
    #: For role sessions: the session name.
    session: str | None = None
    #: The ARN IAM reports as ``aws:PrincipalArn`` (the role ARN for a role session).
    principal_arn: str | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    def account_principal(self) -> str | None:
        """``arn:<partition>:iam::<account>:root`` for this principal's account."""
        if self.account is None:
            return None
        return account_root_arn(self.account, self.partition)

    def levels(self) -> tuple[str, ...]:
        """Identities AWS may check one after another for ``NotPrincipal`` (session, role, account).

        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        """
        out: list[str] = []
        if self.kind == "service":
            return (self.text.lower(),)
        if self.kind == "assumed-role":
            out.append(self.text)
            if self.principal_arn:
                out.append(self.principal_arn)
        elif self.kind in ("user", "role", "federated-user"):
            out.append(self.text)
        acct = self.account_principal()
        if acct:
            out.append(acct)
        return tuple(out)


@lru_cache(maxsize=4096)
def parse_caller(principal: str) -> CallerPrincipal:
    """Parse the caller: an IAM/STS ARN, a bare account id (its root user) or a service principal name."""
    text = principal.strip() if isinstance(principal, str) else ""
    if ACCOUNT_ID_RE.match(text):
        root = account_root_arn(text)
        return CallerPrincipal(root, "root", text, "aws", principal_arn=root)
    parts = split_arn(text)
    if parts is None:
        if text and "." in text and ":" not in text and "/" not in text:
            return CallerPrincipal(text, "service", None, "aws", name=text.lower())
        return CallerPrincipal(text, "unknown", None, "aws")
    _, partition, service, _region, account, resource = parts
    account_opt = account if ACCOUNT_ID_RE.match(account) else None
    if service == "iam":
        if resource == "root":
            return CallerPrincipal(text, "root", account_opt, partition, principal_arn=text)
        if resource.startswith("user/"):
            name = resource.rsplit("/", 1)[-1]
            return CallerPrincipal(text, "user", account_opt, partition, name=name, principal_arn=text)
        if resource.startswith("role/"):
            name = resource.rsplit("/", 1)[-1]
            return CallerPrincipal(text, "role", account_opt, partition, name=name, principal_arn=text)
    if service == "sts":
        if resource.startswith("assumed-role/"):
            bits = resource.split("/")
            if len(bits) >= 3 and bits[1] and bits[-1]:
                role = bits[1]
                return CallerPrincipal(
                    text,
                    "assumed-role",
                    account_opt,
                    partition,
                    name=role,
                    session="/".join(bits[2:]),
                    principal_arn=f"arn:{partition}:iam::{account}:role/{role}",
                )
        if resource.startswith("federated-user/"):
            name = resource.split("/", 1)[1]
            return CallerPrincipal(
                text, "federated-user", account_opt, partition, name=name, principal_arn=text
            )
    return CallerPrincipal(text, "unknown", account_opt, partition)


@lru_cache(maxsize=4096)
def principal_condition_keys(principal: str) -> tuple[tuple[str, object], ...]:
    """The global condition keys every signed request from ``principal`` carries, in AWS's spelling:
    ``aws:PrincipalServiceName`` for a service, else ``aws:PrincipalArn``, ``aws:PrincipalAccount``,
    ``aws:PrincipalType`` and (IAM users) ``aws:username`` where known
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""
    caller = parse_caller(principal)
    if caller.kind == "service":
        return (("aws:PrincipalServiceName", caller.text),)
    out: list[tuple[str, object]] = []
    if caller.principal_arn:
        out.append(("aws:PrincipalArn", caller.principal_arn))
    if caller.account:
        out.append(("aws:PrincipalAccount", caller.account))
    ptype = PRINCIPAL_TYPES.get(caller.kind)
    if ptype:
        out.append(("aws:PrincipalType", ptype))
    if caller.kind == "user" and caller.name:
        out.append(("aws:username", caller.name))
    return tuple(out)


# What one entry of a Principal element names.
#   ("any",)                      "*"
#   ("account", account_id)       the account principal (root ARN or 12-digit id)
#   ("arn", arn)                  one IAM user, role, role session or federated user
#   ("role", account, role_name)  added alongside ("arn", ...) for a role ARN, so its sessions match
#   ("service", name_lower)
#   ("invalid", reason)
PrincipalEntry = tuple[str, ...]

_ROLE_OR_USER_RE = re.compile(r"^(user|role)/(?:[\x21-\x7e]*/)?[\w+=,.@-]+\Z", re.ASCII)
_SESSION_RE = re.compile(r"^assumed-role/[\w+=,.@-]+/[\w+=,.@-]+\Z", re.ASCII)
_FEDERATED_RE = re.compile(r"^federated-user/[\w+=,.@-]+\Z", re.ASCII)
_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?\Z|^[a-z0-9][a-z0-9.-]*\.amazon\.com\Z")


@lru_cache(maxsize=4096)
def classify_principal_value(kind: str, value: str) -> tuple[PrincipalEntry, ...]:
    """What a ``Principal``/``NotPrincipal`` value names, for ``kind`` ``AWS`` or ``Service``."""
    if kind == "Service":
        if value == "*" or not _SERVICE_RE.match(value.lower()):
            return (("invalid", f"service principal {value!r}"),)
        return (("service", value.lower()),)
    if kind != "AWS":
        return (("invalid", f"principal type {kind!r}"),)
    if value == "*":
        return (("any",),)
    if ACCOUNT_ID_RE.match(value):
        return (("account", value),)
    if "*" in value or "?" in value:
        # "You cannot use a wildcard to match part of a principal name or ARN."
        return (("invalid", f"partial wildcard in {value!r}"),)
    parts = split_arn(value)
    if parts is None:
        return (("invalid", f"{value!r} is not an ARN or account ID"),)
    _, partition, service, region, account, resource = parts
    if not partition or region or not ACCOUNT_ID_RE.match(account):
        return (("invalid", f"{value!r} is not a valid principal ARN"),)
    if service == "iam":
        if resource == "root":
            return (("account", account),)
        if _ROLE_OR_USER_RE.match(resource):
            if resource.startswith("role/"):
                return (("arn", value), ("role", account, resource.rsplit("/", 1)[-1]))
            return (("arn", value),)
        if resource.startswith("group/"):
            # "IAM user groups are not a valid principal in any policy type."
            return (("invalid", f"IAM group {value!r}"),)
        return (("invalid", f"{value!r} is not a valid principal ARN"),)
    if service == "sts" and (_SESSION_RE.match(resource) or _FEDERATED_RE.match(resource)):
        return (("arn", value),)
    return (("invalid", f"{value!r} is not a valid principal ARN"),)


def unregistered_principal_hint(principal: str, registered: Sequence[str]) -> str | None:
    """A note for a decision about an IAM user or role (or session) the simulator does not know.

    Such a principal has no IAM policies and no tags, which is rarely what was meant: often the ARN has a typo.
    None for the account root user and service principals, which are never registered.
    """
    caller = parse_caller(principal)
    if caller.kind in ("root", "service") or principal in registered:
        return None
    text = (
        f"{principal} was never added to this simulator (Simulator.add_principal), so it is evaluated with no "
        "IAM policies and no principal tags."
    )
    close = difflib.get_close_matches(principal, list(registered), n=1, cutoff=0.8)
    if close:
        text += f" Did you mean {close[0]}?"
    elif registered:
        text += (
            " Added principals: " + ", ".join(registered[:5]) + (" ..." if len(registered) > 5 else "") + "."
        )
    return text
