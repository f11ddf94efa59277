"""The simulated resources: keys, key material, aliases, grants, principals, audit events.

Plain mutable records; the rules that change them live in ``_operations.py``. Each record turns into plain JSON
data and back for ``Simulator.save`` / ``Simulator.load``; key material is stored only as its 32-byte seed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._keyspecs import KEY_SPECS, KeySpecInfo


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def from_iso(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _opt_iso(t: datetime | None) -> str | None:
    return None if t is None else iso(t)


def _opt_from_iso(s: str | None) -> datetime | None:
    return None if s is None else from_iso(s)


@dataclass
class KeyMaterial:
    """One version of a key's material. ``seed`` derives the real key (see ``_crypto``); never shown."""

    material_id: str
    seed: bytes = field(repr=False)
    created: datetime
    rotation_type: str | None = None  # None for the first material, else "AUTOMATIC" or "ON_DEMAND"

    def to_json(self) -> dict[str, Any]:
        return {
            "material_id": self.material_id,
            "seed": base64.b64encode(self.seed).decode(),
            "created": iso(self.created),
            "rotation_type": self.rotation_type,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KeyMaterial:
        seed = base64.b64decode(d["seed"], validate=True)
        if len(seed) != 32:
            raise ValueError("key material seed must be 32 bytes")
        if d["rotation_type"] not in (None, "AUTOMATIC", "ON_DEMAND"):
            raise ValueError(f"unknown rotation type {d['rotation_type']!r}")
        return cls(d["material_id"], seed, from_iso(d["created"]), d["rotation_type"])


@dataclass
class Grant:
    grant_id: str
    key_arn: str
    grantee: str
    operations: list[str]
    issuing_account: str
    created: datetime
    name: str | None = None
    retiring: str | None = None
    constraints: dict[str, dict[str, str]] | None = None

    def as_evaluation_input(self) -> dict[str, Any]:
        """The dict shape the permission engine takes (CreateGrant's parameters)."""
        d: dict[str, Any] = {
            "GrantId": self.grant_id,
            "GranteePrincipal": self.grantee,
            "Operations": list(self.operations),
        }
        if self.name:
            d["Name"] = self.name
        if self.retiring:
            d["RetiringPrincipal"] = self.retiring
        if self.constraints:
            d["Constraints"] = self.constraints
        return d

    def to_json(self) -> dict[str, Any]:
        return {
            "grant_id": self.grant_id,
            "key_arn": self.key_arn,
            "grantee": self.grantee,
            "operations": self.operations,
            "issuing_account": self.issuing_account,
            "created": iso(self.created),
            "name": self.name,
            "retiring": self.retiring,
            "constraints": self.constraints,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Grant:
        return cls(
            d["grant_id"],
            d["key_arn"],
            d["grantee"],
            list(d["operations"]),
            d["issuing_account"],
            from_iso(d["created"]),
            d["name"],
            d["retiring"],
            d["constraints"],
        )


@dataclass
class Key:
    key_id: str
    arn: str
    account: str
    region: str
    key_spec: str
    key_usage: str
    created: datetime
    policy: str
    description: str = ""
    key_manager: str = "CUSTOMER"
    origin: str = "AWS_KMS"
    multi_region: bool = False
    state: str = "Enabled"
    tags: dict[str, str] = field(default_factory=dict)
    materials: list[KeyMaterial] = field(default_factory=list)
    rotation_enabled: bool = False
    rotation_period_days: int | None = None
    next_rotation: datetime | None = None
    on_demand_rotations: int = 0
    deletion_date: datetime | None = None
    deletion_scheduled_at: datetime | None = None
    pending_window_days: int | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    deleted: datetime | None = None

    @property
    def spec(self) -> KeySpecInfo:
        return KEY_SPECS[self.key_spec]

    @property
    def current_material(self) -> KeyMaterial:
        return self.materials[-1]

    def material(self, material_id: str) -> KeyMaterial | None:
        for m in self.materials:
            if m.material_id == material_id:
                return m
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "arn": self.arn,
            "account": self.account,
            "region": self.region,
            "key_spec": self.key_spec,
            "key_usage": self.key_usage,
            "created": iso(self.created),
            "policy": self.policy,
            "description": self.description,
            "key_manager": self.key_manager,
            "origin": self.origin,
            "multi_region": self.multi_region,
            "state": self.state,
            "tags": self.tags,
            "materials": [m.to_json() for m in self.materials],
            "rotation_enabled": self.rotation_enabled,
            "rotation_period_days": self.rotation_period_days,
            "next_rotation": _opt_iso(self.next_rotation),
            "on_demand_rotations": self.on_demand_rotations,
            "deletion_date": _opt_iso(self.deletion_date),
            "deletion_scheduled_at": _opt_iso(self.deletion_scheduled_at),
            "pending_window_days": self.pending_window_days,
            "grants": [g.to_json() for g in self.grants.values()],
            "deleted": _opt_iso(self.deleted),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Key:
        key = cls(
            key_id=d["key_id"],
            arn=d["arn"],
            account=d["account"],
            region=d["region"],
            key_spec=d["key_spec"],
            key_usage=d["key_usage"],
            created=from_iso(d["created"]),
            policy=d["policy"],
            description=d["description"],
            key_manager=d["key_manager"],
            origin=d["origin"],
            multi_region=d["multi_region"],
            state=d["state"],
            tags=dict(d["tags"]),
            materials=[KeyMaterial.from_json(m) for m in d["materials"]],
            rotation_enabled=d["rotation_enabled"],
            rotation_period_days=d["rotation_period_days"],
            next_rotation=_opt_from_iso(d["next_rotation"]),
            on_demand_rotations=d["on_demand_rotations"],
            deletion_date=_opt_from_iso(d["deletion_date"]),
            deletion_scheduled_at=_opt_from_iso(d["deletion_scheduled_at"]),
            pending_window_days=d["pending_window_days"],
            deleted=_opt_from_iso(d["deleted"]),
        )
        key.grants = {g["grant_id"]: Grant.from_json(g) for g in d["grants"]}
        key.check()
        return key

    def check(self) -> None:
        """Raise ValueError if the record is not one the operations could have made."""
        if self.key_spec not in KEY_SPECS:
            raise ValueError(f"unknown key spec {self.key_spec!r}")
        if self.key_usage not in KEY_SPECS[self.key_spec].usages:
            raise ValueError(f"key usage {self.key_usage!r} does not fit key spec {self.key_spec}")
        if self.state not in ("Enabled", "Disabled", "PendingDeletion"):
            raise ValueError(f"unknown key state {self.state!r}")
        if not self.materials:
            raise ValueError(f"key {self.key_id} has no key material")
        if self.rotation_enabled and (self.rotation_period_days is None or self.next_rotation is None):
            raise ValueError(f"key {self.key_id} has rotation enabled without a period and next date")
        if self.state == "PendingDeletion" and self.deletion_date is None:
            raise ValueError(f"key {self.key_id} is pending deletion without a deletion date")
        for flag in (self.multi_region, self.rotation_enabled):
            if not isinstance(flag, bool):
                raise ValueError(f"key {self.key_id}: a boolean field holds {flag!r}")


@dataclass
class Alias:
    name: str
    account: str
    region: str
    target_key_id: str
    created: datetime
    updated: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "account": self.account,
            "region": self.region,
            "target_key_id": self.target_key_id,
            "created": iso(self.created),
            "updated": iso(self.updated),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Alias:
        return cls(
            d["name"],
            d["account"],
            d["region"],
            d["target_key_id"],
            from_iso(d["created"]),
            from_iso(d["updated"]),
        )


@dataclass
class Principal:
    """An IAM principal known to the simulator, with its identity policies and tags."""

    arn: str
    account: str
    policies: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"arn": self.arn, "account": self.account, "policies": self.policies, "tags": self.tags}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Principal:
        return cls(d["arn"], d["account"], list(d["policies"]), dict(d["tags"]))


@dataclass(frozen=True)
class KeySummary:
    """A read-only view of one key, as ``Simulator.keys()`` lists it (reading it logs and meters nothing)."""

    key_id: str
    arn: str
    account: str
    region: str
    key_spec: str
    key_usage: str
    key_manager: str
    state: str
    description: str
    aliases: tuple[str, ...]
    created: datetime
    multi_region: bool
    rotation_enabled: bool
    rotation_period_days: int | None
    next_rotation: datetime | None
    rotations: int
    deletion_date: datetime | None
