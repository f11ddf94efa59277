"""The simulated resources: keys, key material, aliases, grants, principals, audit events.

Plain mutable records; the rules that change them live in ``_ops/``, the checked reading of saved state in
``_fields.py``. Each record turns into plain JSON data and back for ``Simulator.save`` / ``Simulator.load``; key
material is stored only as its 32-byte seed (or, for material imported into an HMAC or asymmetric key, as the
imported key).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import _crypto
from ._crypto import MATERIAL_SEED_BYTES
from ._fields import (
    DamagedState,
    Fields,
    _opt_bytes,
    _opt_iso,
    iso,
    text_list,
    text_map,
)
from ._ids import ACCOUNT_ID, ALIAS_NAME, GRANT_ID, is_key_id, key_arn
from ._keyspecs import IMPORTABLE_KEY_SPECS, KEY_SPECS, KeySpecInfo

ROTATION_TYPES = (None, "AUTOMATIC", "ON_DEMAND")
KEY_STATES = (
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "Creating",
    "Updating",
    "PendingReplicaDeletion",
)
ORIGINS = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
EXPIRATION_MODELS = ("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE")
#: ImportKeyMaterial: ValidTo is at most 365 days after the import (API_ImportKeyMaterial, ValidTo).
MAX_MATERIAL_VALIDITY = timedelta(days=365)
#: The secret an EXTERNAL key's import tokens are sealed with (``_ops/imported``).
IMPORT_SECRET_BYTES = 32
GRANT_CONSTRAINT_KINDS = ("EncryptionContextSubset", "EncryptionContextEquals")
#: A key material ID: 64 lowercase hex digits (API_ImportKeyMaterial, KeyMaterialId).
MATERIAL_ID = re.compile(r"[0-9a-f]{64}")


@dataclass(slots=True)
class KeyMaterial:
    """One version of a key's material. ``seed`` derives the real key (see ``_crypto``), or, for material imported
    into an HMAC or asymmetric key, *is* the key (``_crypto.ImportedKey``); never shown. Saved as ``seed`` (32 bytes)
    or ``imported_key`` (the imported bytes), both base64."""

    material_id: str
    seed: _crypto.Material = field(repr=False)
    created: datetime
    rotation_type: str | None = None  # None for the first material, else "AUTOMATIC" or "ON_DEMAND"

    def to_json(self) -> dict[str, Any]:
        if isinstance(self.seed, _crypto.ImportedKey):
            secret = {"imported_key": base64.b64encode(self.seed.raw).decode()}
        else:
            secret = {"seed": base64.b64encode(self.seed).decode()}
        return {
            "material_id": self.material_id,
            **secret,
            "created": iso(self.created),
            "rotation_type": self.rotation_type,
        }

    @classmethod
    def from_json(
        cls, d: object, where: str, key_arn: str, made_by: tuple[str, ...] = (), key_spec: str | None = None
    ) -> KeyMaterial:
        """``made_by``: other key ARNs the material may have been made for (related multi-Region keys);
        ``key_spec``: the spec of the key, which an imported key must fit."""
        f = Fields(d, where)
        material_id = f.text("material_id")
        seed: _crypto.Material
        if "imported_key" in f.data:
            seed = _imported_key(f, key_spec)
        else:
            encoded = f.text("seed")
            try:
                seed = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise f.fail("seed", "not base64") from None
            if len(seed) != MATERIAL_SEED_BYTES or base64.b64encode(seed).decode() != encoded:
                raise f.fail(
                    "seed", f"a key material seed is {MATERIAL_SEED_BYTES} bytes, in canonical base64"
                )
        if all(material_id != _crypto.material_id(seed, arn) for arn in (key_arn, *made_by)):
            raise f.fail("material_id", "does not match its seed (the material ID is a hash of the seed)")
        material = cls(material_id, seed, f.time("created"), f.text("rotation_type", choices=ROTATION_TYPES))
        f.done()
        return material


def _imported_key(f: Fields, key_spec: str | None) -> _crypto.ImportedKey:
    """The ``imported_key`` of a saved material: canonical base64 of key material its key's spec takes
    (``_crypto.imported_key``, as ImportKeyMaterial checks it)."""
    encoded = f.text("imported_key")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise f.fail("imported_key", "not base64") from None
    if not raw or base64.b64encode(raw).decode() != encoded:
        raise f.fail("imported_key", "imported key material in canonical base64")
    if key_spec is None:
        raise f.fail("imported_key", "imported key material belongs to a key")
    try:
        return _crypto.imported_key(key_spec, raw)
    except ValueError as exc:
        raise f.fail("imported_key", str(exc)) from None


@dataclass
class ImportedMaterial:
    """One key material of a key with Origin EXTERNAL, as ListKeyRotations lists it (API_RotationsListEntry): a
    material associated with the key (the first import, or one rotated in by RotateKeyOnDemand), or one imported
    for on-demand rotation and not rotated in yet (``pending``). Its bytes are a ``KeyMaterial`` in
    ``Key.materials`` exactly while it is imported; this record stays when they are deleted or expire."""

    material_id: str
    description: str | None = None  # KeyMaterialDescription: the one given last for this material
    expiration_model: str | None = None  # of the material's current import; None while it is not imported
    valid_to: datetime | None = None  # when that import expires (KEY_MATERIAL_EXPIRES)
    pending: bool = False  # PENDING_ROTATION (or PENDING_MULTI_REGION_IMPORT_AND_ROTATION on a primary)
    rotated: datetime | None = None  # RotationDate of a material RotateKeyOnDemand made current

    def to_json(self) -> dict[str, Any]:
        return {
            "material_id": self.material_id,
            "description": self.description,
            "expiration_model": self.expiration_model,
            "valid_to": _opt_iso(self.valid_to),
            "pending": self.pending,
            "rotated": _opt_iso(self.rotated),
        }

    @classmethod
    def from_json(cls, d: object, where: str) -> ImportedMaterial:
        f = Fields(d, where)
        record = cls(
            f.text("material_id"),
            f.text("description", optional=True),
            f.text("expiration_model", choices=(None, *EXPIRATION_MODELS)),
            f.time("valid_to", optional=True),
            f.flag("pending"),
            f.time("rotated", optional=True),
        )
        f.done()
        if not MATERIAL_ID.fullmatch(record.material_id):
            raise f.fail("material_id", "not a key material ID (64 lowercase hex digits)")
        if record.pending and record.rotated is not None:
            raise f.fail("rotated", "a material pending rotation has not been rotated in")
        return record


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
    def from_json(cls, d: object, where: str) -> Grant:
        f = Fields(d, where)
        grant = cls(
            f.text("grant_id"),
            f.text("key_arn"),
            f.text("grantee"),
            text_list(f.get("operations"), f.path("operations")),
            f.text("issuing_account"),
            f.time("created"),
            f.text("name", optional=True),
            f.text("retiring", optional=True),
            None,
        )
        constraints = f.get("constraints")
        if constraints is not None:
            if not isinstance(constraints, dict) or not constraints:
                raise f.fail("constraints", "expected null or an object")
            grant.constraints = {}
            for kind, pairs in constraints.items():
                if kind not in GRANT_CONSTRAINT_KINDS:
                    raise f.fail("constraints", f"unknown constraint {kind!r}")
                grant.constraints[kind] = text_map(pairs, f.path(f"constraints.{kind}"))
        f.done()
        return grant


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
    # -- multi-Region keys (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html)
    #: The Region of the primary key of the key's set of related multi-Region keys (its own for the primary);
    #: None for a single-Region key.
    primary_region: str | None = None
    #: When the transient state Creating (a new replica) or Updating (UpdatePrimaryRegion) ends.
    sync_due: datetime | None = None
    # -- imported key material (Origin EXTERNAL; ``_ops/imported``). ``materials`` holds the bytes of the materials
    # that are imported now, in the order of ``imports``: empty before the first import.
    import_secret: bytes | None = field(default=None, repr=False)  # seals this key's import tokens
    #: Every material associated with the key, in the order they became current, then at most one pending
    #: rotation. Related multi-Region keys list the same materials, each with its own import and expiration.
    imports: list[ImportedMaterial] = field(default_factory=list)

    @property
    def spec(self) -> KeySpecInfo:
        return KEY_SPECS[self.key_spec]

    @property
    def current_material(self) -> KeyMaterial:
        """The material Encrypt uses: the newest, except that imported material pending rotation is not used
        until RotateKeyOnDemand makes it current (API_RotateKeyOnDemand)."""
        pending = self.pending_material
        if pending is not None and self.materials[-1].material_id == pending.material_id:
            return self.materials[-2]
        return self.materials[-1]

    # -- imported key material (Origin EXTERNAL), derived from ``imports``

    @property
    def associated(self) -> list[ImportedMaterial]:
        """The materials permanently associated with an EXTERNAL key, oldest first (the last is current)."""
        return [r for r in self.imports if not r.pending]

    @property
    def pending_material(self) -> ImportedMaterial | None:
        """The material imported for on-demand rotation and not rotated in yet, if any."""
        return self.imports[-1] if self.imports and self.imports[-1].pending else None

    @property
    def imported_material_id(self) -> str | None:
        """The material the first import associated with the key, None before it."""
        associated = self.associated
        return associated[0].material_id if associated else None

    @property
    def fully_imported(self) -> bool:
        """Every associated material is imported: only then is the key usable (API_ImportKeyMaterial: "you will
        need to import all of the key materials associated with the KMS key to change its state to Enabled")."""
        associated = self.associated
        return bool(associated) and all(r.expiration_model is not None for r in associated)

    @property
    def expiration_model(self) -> str | None:
        """DescribeKey's ExpirationModel: KEY_MATERIAL_EXPIRES if an imported associated material expires,
        KEY_MATERIAL_DOES_NOT_EXPIRE if the imported ones do not, None while none is imported."""
        models = {r.expiration_model for r in self.associated} - {None}
        if not models:
            return None
        return "KEY_MATERIAL_EXPIRES" if "KEY_MATERIAL_EXPIRES" in models else "KEY_MATERIAL_DOES_NOT_EXPIRE"

    @property
    def valid_to(self) -> datetime | None:
        """DescribeKey's ValidTo: "the earliest time at which any imported key material permanently associated
        with this KMS key expires" (API_KeyMetadata)."""
        dates = [r.valid_to for r in self.associated if r.valid_to is not None]
        return min(dates) if dates else None

    @property
    def rotation_dates(self) -> list[datetime]:
        """When each rotation happened (for the bill and the inventory): an imported material's rotation date
        stays when its bytes are deleted."""
        if self.origin == "EXTERNAL":
            return [r.rotated for r in self.imports if r.rotated is not None]
        return [m.created for m in self.materials if m.rotation_type is not None]

    def imported(self, material_id: str) -> ImportedMaterial | None:
        for r in self.imports:
            if r.material_id == material_id:
                return r
        return None

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
            "primary_region": self.primary_region,
            "sync_due": _opt_iso(self.sync_due),
            "import_secret": None
            if self.import_secret is None
            else base64.b64encode(self.import_secret).decode(),
            "imports": [r.to_json() for r in self.imports],
        }

    @classmethod
    def from_json(cls, d: object, where: str) -> Key:
        """A key from its saved JSON; DamagedState naming the field for any wrong type or broken relation
        (``check``)."""
        f = Fields(d, where)
        key = cls(
            key_id=f.text("key_id"),
            arn=f.text("arn"),
            account=f.text("account"),
            region=f.text("region"),
            key_spec=f.text("key_spec", choices=tuple(KEY_SPECS)),
            key_usage=f.text("key_usage"),
            created=f.time("created"),
            policy=f.text("policy"),
            description=f.text("description"),
            key_manager=f.text("key_manager", choices=("CUSTOMER", "AWS")),
            origin=f.text("origin", choices=ORIGINS),
            multi_region=f.flag("multi_region"),
            state=f.text("state", choices=KEY_STATES),
            tags=f.text_map("tags"),
            rotation_enabled=f.flag("rotation_enabled"),
            rotation_period_days=f.whole("rotation_period_days", 1, 2**31, optional=True),
            next_rotation=f.time("next_rotation", optional=True),
            on_demand_rotations=f.whole("on_demand_rotations"),
            deletion_date=f.time("deletion_date", optional=True),
            deletion_scheduled_at=f.time("deletion_scheduled_at", optional=True),
            pending_window_days=f.whole("pending_window_days", 1, 2**31, optional=True),
            deleted=f.time("deleted", optional=True),
            import_secret=_opt_bytes(f, "import_secret", IMPORT_SECRET_BYTES),
        )
        if "imports" in f.data:
            key.imports = [
                ImportedMaterial.from_json(r, f.path(f"imports[{i}]"))
                for i, r in enumerate(f.items("imports"))
            ]
        else:  # saved before on-demand rotation of imported material: one material, its fields on the key
            key.imports = _one_import(f)
        if "primary_region" in f.data or "sync_due" in f.data:
            key.primary_region = f.text("primary_region", optional=True)
            key.sync_due = f.time("sync_due", optional=True)
        elif key.multi_region:  # saved before replicas existed: every multi-Region key was a primary
            key.primary_region = key.region
        arn = key.arn
        if arn != key_arn(key.region, key.account, key.key_id):
            raise f.fail("arn", "does not match the key's Region, account and key ID")
        # A multi-Region key's material was made by whichever related key was primary then, in its Region.
        made_by = _related_arns(key) if key.multi_region else ()
        key.materials = [
            KeyMaterial.from_json(m, f.path(f"materials[{i}]"), arn, made_by, key.key_spec)
            for i, m in enumerate(f.items("materials"))
        ]
        for i, g in enumerate(f.items("grants")):
            grant = Grant.from_json(g, f.path(f"grants[{i}]"))
            if grant.grant_id in key.grants:
                raise f.fail(f"grants[{i}].grant_id", "a second grant with this ID")
            key.grants[grant.grant_id] = grant
        f.done()
        key.check(where)
        return key

    def check(self, where: str = "key") -> None:
        """Raise DamagedState if the record is not one the operations could have made (every relation
        between its fields that the operations keep)."""

        def fail(name: str, problem: str) -> DamagedState:
            return DamagedState(f"{where}.{name}", problem)

        if not is_key_id(self.key_id) or self.key_id.startswith("mrk-") != self.multi_region:
            raise fail(
                "key_id",
                f"{self.key_id!r} is not a key ID of a {'multi' if self.multi_region else 'single'}-Region key",
            )
        if not ACCOUNT_ID.match(self.account):
            raise fail("account", "not a 12-digit account ID")
        if self.arn != key_arn(self.region, self.account, self.key_id):
            raise fail("arn", "does not match the key's Region, account and key ID")
        if self.key_usage not in KEY_SPECS[self.key_spec].usages:
            raise fail("key_usage", f"{self.key_usage!r} does not fit key spec {self.key_spec}")
        if not self.materials and self.origin != "EXTERNAL":
            raise fail("materials", "a key has at least one key material")
        # A replica gets its primary's materials, which are older than the replica itself.
        replica_made = self.multi_region and self.primary_region != self.region
        imported_key = self.origin == "EXTERNAL" and not self.spec.symmetric_encryption
        for i, m in enumerate(self.materials):
            if isinstance(m.seed, _crypto.ImportedKey) != imported_key:
                raise fail(
                    f"materials[{i}]",
                    "an imported key is the material of an EXTERNAL HMAC or asymmetric key, and only of one",
                )
        if self.origin == "EXTERNAL":  # imported materials come and go; ``_check_imported`` orders them
            for i, m in enumerate(self.materials):
                if m.created < self.created:
                    raise fail(f"materials[{i}].created", "earlier than the key")
        else:
            for i, m in enumerate(self.materials):
                if (m.rotation_type is None) != (i == 0):
                    raise fail(
                        f"materials[{i}].rotation_type", "only the first material has no rotation type"
                    )
                if i and m.created < self.materials[i - 1].created:
                    raise fail(f"materials[{i}].created", "earlier than the material before it")
            first = self.materials[0].created
            if (first > self.created) if self.multi_region else (first != self.created):
                raise fail("materials[0].created", "the first material is made with the key")
        self._check_imported(fail)
        if self.multi_region != (self.primary_region is not None):
            raise fail("primary_region", "a multi-Region key, and only one, names its primary Region")
        if replica_made and self.rotation_enabled:
            raise fail("rotation_enabled", "rotation is a shared property, set on the primary key")
        if (self.state in ("Creating", "Updating")) != (self.sync_due is not None):
            raise fail("sync_due", "set exactly while the key is Creating or Updating")
        if self.state == "Creating" and not replica_made:
            raise fail("state", "only a replica key is Creating")
        if self.state in ("Creating", "Updating", "PendingReplicaDeletion") and not self.multi_region:
            raise fail("state", f"{self.state} is a state of multi-Region keys only")
        if len({m.material_id for m in self.materials}) != len(self.materials):
            raise fail("materials", "two materials share a material ID")
        if self.origin == "EXTERNAL":
            on_demand = len(self.rotation_dates)
        else:
            on_demand = sum(1 for m in self.materials if m.rotation_type == "ON_DEMAND")
        if self.on_demand_rotations != on_demand:
            raise fail(
                "on_demand_rotations", f"{self.on_demand_rotations}, but {on_demand} ON_DEMAND materials"
            )
        if self.rotation_enabled != (self.next_rotation is not None) or (
            self.rotation_enabled and self.rotation_period_days is None
        ):
            raise fail("rotation_enabled", "rotation is enabled exactly when a period and next date are set")
        pending = (self.deletion_date, self.deletion_scheduled_at, self.pending_window_days)
        if self.state == "PendingReplicaDeletion":
            # The waiting period starts when the last replica is deleted (API_ScheduleKeyDeletion).
            if self.pending_window_days is None or self.deletion_date or self.deletion_scheduled_at:
                raise fail("state", "a key pending replica deletion has a waiting period and no dates")
        elif (self.state == "PendingDeletion") != all(v is not None for v in pending) or (
            self.state != "PendingDeletion" and any(v is not None for v in pending)
        ):
            raise fail("state", "a key is pending deletion exactly when its deletion fields are set")
        if self.deletion_scheduled_at is not None and self.pending_window_days is not None:
            try:
                due = self.deletion_scheduled_at + timedelta(days=self.pending_window_days)
            except OverflowError:
                due = None
            if self.deletion_date != due:
                raise fail("deletion_date", "is not the scheduling time plus the waiting period")
        if self.deleted is not None and (self.deleted != self.deletion_date or self.grants):
            raise fail("deleted", "a deleted key was deleted on its deletion date and has no grants")
        for gid, g in self.grants.items():
            if not GRANT_ID.fullmatch(gid) or g.key_arn != self.arn:
                raise fail("grants", f"grant {gid!r} does not belong to this key")
            if g.created < self.created:
                raise fail("grants", f"grant {gid} is older than its key")
            if g.constraints and not self.spec.symmetric_encryption:
                raise fail("grants", "grant constraints exist only on symmetric encryption keys")

    def _check_imported(self, fail: Callable[[str, str], DamagedState]) -> None:
        """The relations ``_ops/imported`` keeps: only EXTERNAL keys have import fields; such a key's ``imports``
        are its associated materials (the first without a rotation date, the others rotated in, in order) and
        at most one pending rotation, last; ``materials`` holds the bytes of exactly the imported ones, in the
        same order, each with its expiration; the key is usable exactly when every associated one is imported."""
        if self.origin != "EXTERNAL":
            if self.import_secret is not None or self.imports:
                raise fail("origin", "only a key with Origin EXTERNAL has imported key material fields")
            if self.state == "PendingImport":
                raise fail("state", "only a key with Origin EXTERNAL can be pending import")
            return
        if self.import_secret is None:
            raise fail("import_secret", "a key with Origin EXTERNAL has an import secret")
        if (
            self.key_spec not in IMPORTABLE_KEY_SPECS
            or self.key_manager != "CUSTOMER"
            or self.rotation_enabled
        ):
            raise fail("origin", f"kmssim does not import key material into this key ({self.key_spec})")
        if not self.spec.symmetric_encryption:
            if len(self.imports) > 1:
                raise fail("imports", "an HMAC or asymmetric key has one key material at most")
            if any(r.description is not None for r in self.imports):
                raise fail("imports", "only symmetric encryption keys describe their key material")
        if len({r.material_id for r in self.imports}) != len(self.imports):
            raise fail("imports", "two entries for one key material")
        if any(r.pending for r in self.imports[:-1]) or (self.imports and self.imports[0].pending):
            raise fail("imports", "only the last of several materials can be pending rotation")
        previous: datetime | None = None
        for i, r in enumerate(self.imports):
            if r.pending:
                continue
            if (r.rotated is None) != (i == 0):
                raise fail(f"imports[{i}].rotated", "set for every associated material but the first")
            if r.rotated is not None and previous is not None and r.rotated < previous:
                raise fail(f"imports[{i}].rotated", "earlier than the rotation before it")
            previous = r.rotated or previous
        held = [r for r in self.imports if r.expiration_model is not None]
        if [m.material_id for m in self.materials] != [r.material_id for r in held]:
            raise fail("materials", "not the bytes of the imported materials, in the order of imports")
        for i, r in enumerate(self.imports):
            if r.expiration_model is None:
                if r.valid_to is not None:
                    raise fail(f"imports[{i}].valid_to", "set, but the material is not imported")
                continue
            material = self.materials[held.index(r)]
            if material.rotation_type != ("ON_DEMAND" if r.rotated is not None else None):
                raise fail(f"imports[{i}].rotated", "does not match the material's rotation type")
            if (r.valid_to is not None) != (r.expiration_model == "KEY_MATERIAL_EXPIRES"):
                raise fail(
                    f"imports[{i}].valid_to", "set exactly when the expiration model is KEY_MATERIAL_EXPIRES"
                )
            if r.valid_to is not None and not (
                material.created < r.valid_to <= material.created + MAX_MATERIAL_VALIDITY
            ):
                raise fail(f"imports[{i}].valid_to", "not after the import, or more than 365 days after it")
        if self.fully_imported:
            if self.state == "PendingImport":
                raise fail("state", "a key whose key material is imported is not PendingImport")
        elif self.state in ("Enabled", "Disabled"):
            raise fail("state", "a key whose key material is not all imported is PendingImport")


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
    def from_json(cls, d: object, where: str) -> Alias:
        f = Fields(d, where)
        alias = cls(
            f.text("name"),
            f.text("account"),
            f.text("region"),
            f.text("target_key_id"),
            f.time("created"),
            f.time("updated"),
        )
        f.done()
        if not ALIAS_NAME.match(alias.name):
            raise f.fail("name", "not an alias name (alias/ and letters, digits, /, _ or -)")
        if alias.updated < alias.created:
            raise f.fail("updated", "earlier than created")
        return alias


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
    def from_json(cls, d: object, where: str) -> Principal:
        f = Fields(d, where)
        principal = cls(
            f.text("arn"),
            f.text("account"),
            text_list(f.get("policies"), f.path("policies")),
            f.text_map("tags"),
        )
        f.done()
        return principal


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


def _one_import(f: Fields) -> list[ImportedMaterial]:
    """The imported material of a key saved before ``imports`` existed, from the key's own fields."""
    material_id = f.text("imported_material_id", optional=True)
    description = f.text("material_description", optional=True)
    model = f.text("expiration_model", choices=(None, *EXPIRATION_MODELS))
    valid_to = f.time("valid_to", optional=True)
    if material_id is None:
        if description is not None or model is not None or valid_to is not None:
            raise f.fail("imported_material_id", "import fields without an imported key material")
        return []
    if not MATERIAL_ID.fullmatch(material_id):
        raise f.fail("imported_material_id", "not a key material ID (64 lowercase hex digits)")
    return [ImportedMaterial(material_id, description, model, valid_to)]


def _related_arns(key: Key) -> tuple[str, ...]:
    """The ARNs a key with ``key``'s account and key ID has in every simulated Region."""
    from ._simulator import simulated_regions  # the Region table is data, read on first use

    return tuple(key_arn(region, key.account, key.key_id) for region in simulated_regions())
