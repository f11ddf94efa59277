"""The operations' state in a saved file: written as plain JSON, and on reading checked for every relation the
operations keep between keys, aliases, grants and grant tokens (``DamagedState`` names the first field that
breaks one)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import _crypto, choices
from .._catalog import OPERATIONS
from .._fields import DamagedState, Fields, parse_time
from .._ids import key_arn
from .._models import Alias, Key
from .._states import ENABLED
from . import key_stores
from ._kms import PENDING_WINDOW_DAYS, ROTATION_PERIOD_DAYS, Kms
from .grants import token_grant_id
from .last_usage import LastUsage


def dump(kms: Kms) -> dict[str, Any]:
    """The keys, aliases and grant tokens as JSON data (``Simulator.save``)."""
    return {
        "keys": [k.to_json() for k in kms.keys.values()],
        "aliases": [a.to_json() for a in kms.aliases.values()],
        "grant_tokens": [[t, arn, gid] for t, (arn, gid) in kms.grant_tokens.items()],
        "last_usage": [[arn, *used.to_json()] for arn, used in kms.last_usage.items()],
        "key_stores": key_stores.dump(kms.stores),
    }


def load(kms: Kms, data: object, now: datetime, where: str = "operations", *, version: int = 2) -> None:
    """Replace the state with a saved one, checking every relation between keys, aliases, grants and grant
    tokens that the operations keep; DamagedState names the first field that breaks one. ``version`` 1 (kmssim
    0.1) has no ``last_usage``."""
    f = Fields(data, where)
    keys: dict[str, Key] = {}
    for i, d in enumerate(f.items("keys")):
        at = f.path(f"keys[{i}]")
        key = Key.from_json(d, at)
        if key.arn in keys:
            raise DamagedState(f"{at}.arn", "a second key with this ARN")
        _check_key_times(key, now, at)
        keys[key.arn] = key
    _check_related_keys(keys, f.path("keys"))
    aliases: dict[tuple[str, str, str], Alias] = {}
    for i, d in enumerate(f.items("aliases")):
        at = f.path(f"aliases[{i}]")
        alias = Alias.from_json(d, at)
        ident = (alias.account, alias.region, alias.name)
        target = keys.get(key_arn(alias.region, alias.account, alias.target_key_id))
        if ident in aliases:
            raise DamagedState(f"{at}.name", "a second alias with this name in the account and Region")
        if target is None or target.deleted is not None:
            raise DamagedState(f"{at}.target_key_id", "names no live key of the alias's account and Region")
        if alias.name.startswith("alias/aws/") != (target.key_manager == "AWS"):
            raise DamagedState(f"{at}.name", "alias/aws/ names exactly the AWS managed keys")
        if alias.updated > now:
            raise DamagedState(f"{at}.updated", "later than the simulator's clock")
        aliases[ident] = alias
    tokens: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(f.items("grant_tokens")):
        at = f.path(f"grant_tokens[{i}]")
        if not isinstance(row, list) or len(row) != 3 or not all(isinstance(x, str) for x in row):
            raise DamagedState(at, "expected [token, key ARN, grant ID]")
        token, arn, gid = row
        if token in tokens:
            raise DamagedState(at, "a second entry for this grant token")
        if arn not in keys or gid not in keys[arn].grants:
            raise DamagedState(at, "names a grant that does not exist")
        if token_grant_id(token) != gid:
            raise DamagedState(at, "the token does not carry its grant's ID")
        tokens[token] = (arn, gid)
    with_tokens = {ident for ident in tokens.values()}
    for arn, key in keys.items():
        for gid in key.grants:
            if (arn, gid) not in with_tokens:
                raise DamagedState(f"{where}.grant_tokens", f"grant {gid} of {arn} has no grant token")
    last_usage = _last_usage(f, keys, now) if version >= 2 else {}
    stores = key_stores.load(f.get("key_stores"), keys, f.path("key_stores")) if version >= 2 else None
    f.done()
    kms.keys, kms.aliases, kms.grant_tokens, kms.last_usage = keys, aliases, tokens, last_usage
    if stores is not None:
        kms.stores = stores
        for store in stores.stores.values():
            _schedule_store(kms, store)
    kms.aliases_changed()
    kms.live_keys = {}
    for key in keys.values():
        if key.deleted is None:
            kms.live_keys[(key.account, key.region)] = kms.live_keys.get((key.account, key.region), 0) + 1
        kms.schedule(key)


def _check_key_times(key: Key, now: datetime, where: str) -> None:
    """Nothing happened after ``now``, and every date ahead is one the operations could have set."""
    past = [
        ("created", key.created),
        ("deletion_scheduled_at", key.deletion_scheduled_at),
        ("deleted", key.deleted),
    ]
    past += [(f"materials[{i}].created", m.created) for i, m in enumerate(key.materials)]
    past += [(f"grants.{g.grant_id}.created", g.created) for g in key.grants.values()]
    past += [(f"imports[{i}].rotated", r.rotated) for i, r in enumerate(key.imports)]
    for name, when in past:
        if when is not None and when > now:
            raise DamagedState(f"{where}.{name}", "later than the simulator's clock")
    if key.rotation_period_days is not None and not (
        ROTATION_PERIOD_DAYS[0] <= key.rotation_period_days <= ROTATION_PERIOD_DAYS[1]
    ):
        raise DamagedState(f"{where}.rotation_period_days", f"outside {ROTATION_PERIOD_DAYS}")
    if key.next_rotation is not None and key.rotation_period_days is not None:
        if key.next_rotation > now + timedelta(days=key.rotation_period_days):
            raise DamagedState(f"{where}.next_rotation", "more than one rotation period ahead")
        # Due exactly now is a live state (EnableKeyRotation with a shorter period whose date has passed sets
        # now; the next advance runs it); only a date already behind the clock is one that was skipped.
        if key.state == ENABLED and key.next_rotation < now:
            raise DamagedState(f"{where}.next_rotation", "a rotation that is due has not happened")
    if key.pending_window_days is not None and not (
        PENDING_WINDOW_DAYS[0] <= key.pending_window_days <= PENDING_WINDOW_DAYS[1]
    ):
        raise DamagedState(f"{where}.pending_window_days", f"outside {PENDING_WINDOW_DAYS}")
    if key.deleted is None and key.deletion_date is not None and key.deletion_date <= now:
        raise DamagedState(f"{where}.deletion_date", "a deletion that is due has not happened")
    if key.sync_due is not None and key.sync_due <= now:
        raise DamagedState(f"{where}.sync_due", "a Creating or Updating state that is over has not ended")
    for i, r in enumerate(key.imports):
        if key.deleted is None and r.valid_to is not None and r.valid_to <= now:
            # ImportKeyMaterial: the clock deletes imported material at its ValidTo (``imported.expire_material``).
            raise DamagedState(
                f"{where}.imports[{i}].valid_to", "imported key material whose expiry is due has not expired"
            )
    if key.on_demand_rotations > choices.ON_DEMAND_ROTATIONS_PER_KEY:
        raise DamagedState(
            f"{where}.on_demand_rotations", f"above the quota of {choices.ON_DEMAND_ROTATIONS_PER_KEY}"
        )


def _last_usage(f: Fields, keys: dict[str, Key], now: datetime) -> dict[str, LastUsage]:
    """Each row: [key ARN, operation, time, trail event ID, request ID] of a key's last cryptographic use."""
    found: dict[str, LastUsage] = {}
    shape = "[key ARN, operation, ISO time, event ID, request ID]"
    for at, row in f.rows("last_usage", shape, lambda r: len(r) == 5 and all(isinstance(x, str) for x in r)):
        arn, op, when, event_id, request_id = row
        key = keys.get(arn)
        if key is None or arn in found:
            raise DamagedState(at, "names no key, or a key a second time")
        if op not in OPERATIONS or not OPERATIONS[op].crypto:
            raise DamagedState(at, f"{op!r} is not a cryptographic operation")
        time = parse_time(when, f"{at}[2]")
        if time > now or time < key.created:
            raise DamagedState(at, "a use before the key existed, or later than the clock")
        found[arn] = LastUsage(op, time, event_id, request_id)
    return found


def _schedule_store(kms: Kms, store: key_stores.KeyStore) -> None:
    """A store caught connecting or disconnecting when saved finishes at load (the remaining wait is not saved)."""
    if store.state == key_stores.CONNECTING:
        kms.world.schedule(kms.world.now, key_stores.CONNECT_DONE, store.store_id)
    elif store.state == key_stores.DISCONNECTING:
        kms.world.schedule(kms.world.now, key_stores.DISCONNECT_DONE, store.store_id)


def _check_related_keys(keys: dict[str, Key], where: str) -> None:
    """The relations of each set of related multi-Region keys (same account and key ID): all live keys agree on
    the primary's Region; while a replica lives, its primary lives; the replicas hold the primary's materials
    and rotation count; a primary pending replica deletion still has a replica
    (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html)."""
    sets: dict[tuple[str, str], list[Key]] = {}
    for key in keys.values():
        if key.multi_region and key.deleted is None:
            sets.setdefault((key.account, key.key_id), []).append(key)
    for related in sets.values():
        at = f"{where}.{related[0].arn}"
        regions = {k.primary_region for k in related}
        if len(regions) != 1:
            raise DamagedState(f"{at}.primary_region", "related keys name different primary Regions")
        primary = next((k for k in related if k.region == k.primary_region), None)
        if primary is None:
            raise DamagedState(f"{at}.primary_region", "a replica key whose primary key does not exist")
        if primary.origin == "EXTERNAL":
            _check_imported_set(primary, related, where)
        else:
            _check_copied_materials(primary, related, where)
        if primary.state == "PendingReplicaDeletion" and len(related) == 1:
            raise DamagedState(f"{at}.state", "pending replica deletion, but the key has no replica")


def _check_imported_set(primary: Key, related: list[Key], where: str) -> None:
    """Related keys with imported key material list the same materials (ID, rotation date, pending or not) and
    rotation count, and hold the same bytes for a material wherever it is imported; each has its own imports and
    expirations (multi-region-keys-import.html)."""
    shape = [(r.material_id, r.pending, r.rotated) for r in primary.imports]
    seeds: dict[str, _crypto.Material] = {}
    for k in related:
        at = f"{where}.{k.arn}"
        if k.origin != "EXTERNAL" or [(r.material_id, r.pending, r.rotated) for r in k.imports] != shape:
            raise DamagedState(f"{at}.imports", "a related key lists other key materials than its primary")
        if k.on_demand_rotations != primary.on_demand_rotations:
            raise DamagedState(f"{at}.on_demand_rotations", "not the rotation count of its primary key")
        for m in k.materials:
            if seeds.setdefault(m.material_id, m.seed) != m.seed:
                raise DamagedState(
                    f"{at}.materials", "other bytes under the key material ID of a related key"
                )


def _check_copied_materials(primary: Key, related: list[Key], where: str) -> None:
    """Replicas of a key with AWS_KMS material hold copies of its primary's materials and rotation count."""
    shape = [(m.material_id, m.seed, m.created, m.rotation_type) for m in primary.materials]
    for k in related:
        if k is primary:
            continue
        if [(m.material_id, m.seed, m.created, m.rotation_type) for m in k.materials] != shape:
            raise DamagedState(
                f"{where}.{k.arn}.materials", "a replica holds other materials than its primary"
            )
        if k.created < primary.materials[0].created or k.on_demand_rotations != primary.on_demand_rotations:
            raise DamagedState(f"{where}.{k.arn}", "a replica older than its key material or rotations")
