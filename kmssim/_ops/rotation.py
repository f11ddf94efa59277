"""Key rotation (automatic and on demand), and the events the simulated clock runs when they fall due.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html and the API page named on each
handler. A rotation gives the key new current material; older material stays, so old ciphertexts still decrypt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from .. import choices
from .._clock import DELETE, EXPIRE_MATERIAL, ROTATE, SYNC
from .._errors import (
    ConflictException,
    KMSInvalidStateException,
    LimitExceededException,
    UnsupportedOperationException,
)
from .._models import Key, KeyMaterial
from .._states import (
    CREATING,
    ENABLED,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    PENDING_STATES,
    UPDATING,
)
from . import operation
from ._kms import DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS, Kms, Request, in_range, page
from .imported import expire_material, imported_rotation_entries, pending_rotation, rotate_in, rotation_entry

#: RotateKeyOnDemand: ConflictException when an automatic rotation is due this soon (API_RotateKeyOnDemand).
ON_DEMAND_CONFLICT_WINDOW = timedelta(minutes=20)
#: GetKeyRotationStatus: on EnableKey, material not rotated for this long is rotated at once; otherwise the
#: prior schedule resumes (rotations missed while disabled are skipped).
REENABLE_ROTATE_IF_OLDER_THAN = timedelta(days=365)


def _rotatable(key: Key, *, bare: bool = False) -> None:
    """Rotation needs a symmetric encryption key with AWS_KMS material. ``bare``: RotateKeyOnDemand, which AWS
    was recorded refusing with no message (LocalStack snapshot
    ``test_rotate_key_on_demand_raises_error_given_non_symmetric_key``, 2025-03-08)."""
    if not key.spec.symmetric_encryption:
        raise UnsupportedOperationException(
            "" if bare else f"{key.arn} key spec is not supported for this operation."
        )
    if key.origin != "AWS_KMS":
        if bare:
            # AWS rotates imported symmetric material on demand since 2025-06 (``imported.pending_rotation``); a
            # key pending import is refused (recorded: test_rotate_key_on_demand_on_external_key_with_no_key_material).
            if key.state == PENDING_IMPORT:
                raise KMSInvalidStateException(f"{key.arn} is pending import.")
            return
        # Key-state table, footnote 6: automatic rotation is not for imported key material.
        raise UnsupportedOperationException(
            f"{key.arn} origin is {key.origin} which is not valid for this operation."
        )


def _not_replica(key: Key) -> None:
    """Rotation is a shared property of multi-Region keys, set and run on the primary key only
    (API_EnableKeyRotation, API_RotateKeyOnDemand). AWS's error for a replica is not documented."""
    if key.multi_region and key.region != key.primary_region:
        raise UnsupportedOperationException(
            f"{key.arn} is a multi-Region replica key. Manage its rotation on the primary key in "
            f"{key.primary_region}."
        )


def rotate(kms: Kms, key: Key, rotation_type: str) -> KeyMaterial:
    """Give ``key`` new current key material now. Older material stays for decryption. A multi-Region primary
    key's new material is copied to every replica (multi-region-keys-manage.html#multi-region-rotate)."""
    material = kms.new_material(key.arn, rotation_type)
    key.materials.append(material)
    if key.multi_region:
        for replica in kms.replicas(key):
            replica.materials.append(replace(material))
            replica.on_demand_rotations = key.on_demand_rotations
    return material


def catch_up_rotation(kms: Kms, req: Request, key: Key) -> None:
    """On EnableKey, as GetKeyRotationStatus documents: material not rotated for a year rotates now; otherwise
    the prior schedule resumes, skipping rotations that fell due while the key was disabled."""
    if not key.rotation_enabled or key.next_rotation is None or key.rotation_period_days is None:
        return
    now = kms.world.now
    period = timedelta(days=key.rotation_period_days)
    if now - key.current_material.created >= REENABLE_ROTATE_IF_OLDER_THAN:
        rotate(kms, key, "AUTOMATIC")
        req.service_events.append((ROTATE, key))
        key.next_rotation = now + period
    while key.next_rotation <= now:
        key.next_rotation += period


def run_due_events(kms: Kms, kind: str, when: datetime, arns: Iterable[str], acted: list[Key]) -> None:
    """Carry out the ``kind`` events the clock found due at ``when`` (the clock shows it), one per key ARN, in
    order, each only if its key still warrants it: an automatic rotation (and the next one scheduled), the
    deletion of a key whose waiting period is over, the end of a multi-Region key's Creating or Updating state,
    or the deletion of imported key material at its ValidTo. Each key acted on is appended to ``acted`` as soon
    as it is done (so an interrupted run still tells the trail what it did)."""
    if kind == ROTATE:
        _rotate_all_due(kms, when, arns, acted)
        return
    keys, runner = kms.keys, _RUNNERS[kind]
    for arn in arns:
        key = keys.get(arn)
        if key is not None and key.deleted is None and runner(kms, key, when) is not None:
            acted.append(key)


def _delete(kms: Kms, key: Key, when: datetime) -> Key | None:
    """The key, its aliases (in its own Region: a related multi-Region key keeps its aliases) and its grants
    go. The last replica of a primary pending replica deletion starts the primary's waiting period
    (API_ScheduleKeyDeletion)."""
    if key.state != PENDING_DELETION or key.deletion_date != when:
        return None
    key.deleted = kms.world.now
    kms.key_gone(key)
    for ident in [
        i
        for i, a in kms.aliases.items()
        if a.target_key_id == key.key_id and i[0] == key.account and i[1] == key.region
    ]:
        del kms.aliases[ident]
        kms.aliases_changed()
    for grant_id in list(key.grants):
        drop_grant(kms, key, grant_id)
    primary = kms.primary_of(key)
    if primary is not None and primary.state == PENDING_REPLICA_DELETION and not kms.replicas(primary):
        assert primary.pending_window_days is not None
        primary.state = PENDING_DELETION
        primary.deletion_scheduled_at = when
        primary.deletion_date = when + timedelta(days=primary.pending_window_days)
        kms.schedule(primary)
    return key


#: Rotation periods as timedeltas, made once per period (an automatic rotation's next date is on the hot path
#: of ``advance``; there are at most 2,471 periods, 90 to 2,560 days).
_PERIODS: dict[int, timedelta] = {}


#: The states in which a key's automatic rotation runs: a key keeps its schedule while Updating
#: (API_UpdatePrimaryRegion).
_ROTATING_STATES = frozenset((ENABLED, UPDATING))


def _rotate_all_due(kms: Kms, when: datetime, arns: Iterable[str], rotated: list[Key]) -> None:
    """The automatic rotations due at ``when``: each key still enabled (or Updating) with rotation on and this
    date as its next rotation gets new material, and its next rotation one period later (rotate-keys.html).
    One loop for the instant's keys, as a fleet created together rotates together."""
    keys, schedule = kms.keys, kms.world.schedule
    for arn in arns:
        key = keys.get(arn)
        if (
            key is None
            or key.deleted is not None
            or key.state not in _ROTATING_STATES
            or not key.rotation_enabled
            or key.next_rotation != when
        ):
            continue
        days = key.rotation_period_days
        assert days is not None
        rotate(kms, key, "AUTOMATIC")
        period = _PERIODS.get(days)
        if period is None:
            period = _PERIODS[days] = timedelta(days=days)
        key.next_rotation = next_rotation = when + period
        schedule(next_rotation, ROTATE, arn)  # still enabled and rotating: the next one is due
        rotated.append(key)


def _synchronized(kms: Kms, key: Key, when: datetime) -> Key | None:
    """A new replica leaves Creating, a key of an UpdatePrimaryRegion leaves Updating: both become Enabled, the
    state UpdatePrimaryRegion requires of both keys (API_ReplicateKey, API_UpdatePrimaryRegion)."""
    if key.state not in (CREATING, UPDATING) or key.sync_due != when:
        return None
    # A replica of an EXTERNAL key is made without key material: PendingImport (API_ReplicateKey).
    key.state = ENABLED if key.origin != "EXTERNAL" or key.fully_imported else PENDING_IMPORT
    key.sync_due = None
    kms.schedule(key)
    return key


def _expire(kms: Kms, key: Key, when: datetime) -> Key | None:
    expired = expire_material(kms, key, when)
    kms.schedule(key)  # the next material to expire, if any
    return key if expired else None


#: The runner of each kind of event but ROTATE, which ``_rotate_all_due`` runs for a whole instant at once.
_RUNNERS: dict[str, Callable[[Kms, Key, datetime], Key | None]] = {
    DELETE: _delete,
    SYNC: _synchronized,
    EXPIRE_MATERIAL: _expire,
}


def drop_grant(kms: Kms, key: Key, grant_id: str) -> None:
    """Remove a grant and its grant tokens."""
    del key.grants[grant_id]
    for token in [t for t, (arn, gid) in kms.grant_tokens.items() if arn == key.arn and gid == grant_id]:
        del kms.grant_tokens[token]


@operation("EnableKeyRotation")
def enable_key_rotation(kms: Kms, req: Request) -> dict[str, Any]:
    """API_EnableKeyRotation: RotationPeriodInDays 90-2560, default 365; a new period counts from the last
    rotation date."""
    period = in_range(req, "RotationPeriodInDays", DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS)
    key = kms.use_key(req)
    _rotatable(key)
    _not_replica(key)
    now = kms.world.now
    if not key.rotation_enabled:
        key.next_rotation = now + timedelta(days=period)
    elif key.rotation_period_days != period and key.next_rotation is not None:
        assert key.rotation_period_days is not None
        last = key.next_rotation - timedelta(days=key.rotation_period_days)
        key.next_rotation = max(now, last + timedelta(days=period))
    key.rotation_enabled = True
    key.rotation_period_days = period
    kms.schedule(key)
    return {}


@operation("DisableKeyRotation")
def disable_key_rotation(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DisableKeyRotation."""
    key = kms.use_key(req)
    _rotatable(key)
    _not_replica(key)
    key.rotation_enabled = False
    key.next_rotation = None
    return {}


@operation("GetKeyRotationStatus")
def get_key_rotation_status(kms: Kms, req: Request) -> dict[str, Any]:
    """API_GetKeyRotationStatus: a key pending deletion shows rotation disabled; a multi-Region replica shows
    its primary key's rotation, a shared property (API_ReplicateKey)."""
    key = kms.use_key(req)
    _rotatable(key)
    source = kms.primary_of(key) or key
    enabled = source.rotation_enabled and key.state not in PENDING_STATES
    out: dict[str, Any] = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
    if enabled:
        out["RotationPeriodInDays"] = source.rotation_period_days
        out["NextRotationDate"] = source.next_rotation
    return out


@operation("RotateKeyOnDemand")
def rotate_key_on_demand(kms: Kms, req: Request) -> dict[str, Any]:
    """API_RotateKeyOnDemand: at most ``choices.ON_DEMAND_ROTATIONS_PER_KEY`` per key; ConflictException while
    an automatic rotation is due within 20 minutes. An EXTERNAL key makes its material pending rotation current
    (``imported.rotate_in``), in every related multi-Region key."""
    key = kms.use_key(req)
    _rotatable(key, bare=True)
    _not_replica(key)
    if key.on_demand_rotations >= choices.ON_DEMAND_ROTATIONS_PER_KEY:
        raise LimitExceededException(
            "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
            f"rotations can be performed for this key: {key.arn}"
        )
    if (
        key.rotation_enabled
        and key.next_rotation is not None
        and key.next_rotation - kms.world.now <= ON_DEMAND_CONFLICT_WINDOW
    ):
        raise ConflictException(
            "The request was rejected because an automatic rotation of this key is currently in progress or "
            "scheduled to begin within the next 20 minutes."
        )
    pending = pending_rotation(kms, key) if key.origin == "EXTERNAL" else None
    key.on_demand_rotations += 1
    if pending is not None:
        rotate_in(kms, key, pending)
    else:
        rotate(kms, key, "ON_DEMAND")
    return {"KeyId": key.arn}


@operation("ListKeyRotations")
def list_key_rotations(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ListKeyRotations: with IncludeKeyMaterial ALL_KEY_MATERIAL, the original material too."""
    key = kms.use_key(req)
    include_all = req.params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
    if key.origin == "EXTERNAL":
        chunk, more = page(imported_rotation_entries(kms, key, include_all), req.params, 100)
        return {"Rotations": chunk, **more}
    _rotatable(key)
    current = key.current_material.material_id
    entries = [
        rotation_entry(
            key,
            m.material_id,
            "CURRENT" if m.material_id == current else "NON_CURRENT",
            m.created,
            m.rotation_type,
        )
        for m in key.materials
        if m.rotation_type is not None or include_all
    ]
    chunk, more = page(entries, req.params, 100)
    return {"Rotations": chunk, **more}
