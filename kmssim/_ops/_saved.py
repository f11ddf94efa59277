"""The operations' state in a saved file: written as plain JSON, and on reading checked for every relation the
operations keep between keys, aliases, grants and grant tokens (``DamagedState`` names the first field that
breaks one)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import choices
from .._ids import key_arn
from .._models import Alias, DamagedState, Fields, Key
from .._states import ENABLED
from ._kms import PENDING_WINDOW_DAYS, ROTATION_PERIOD_DAYS, Kms
from .grants import token_grant_id


def dump(kms: Kms) -> dict[str, Any]:
    """The keys, aliases and grant tokens as JSON data (``Simulator.save``)."""
    return {
        "keys": [k.to_json() for k in kms.keys.values()],
        "aliases": [a.to_json() for a in kms.aliases.values()],
        "grant_tokens": [[t, arn, gid] for t, (arn, gid) in kms.grant_tokens.items()],
    }


def load(kms: Kms, data: object, now: datetime, where: str = "operations") -> None:
    """Replace the state with a saved one, checking every relation between keys, aliases, grants and grant
    tokens that the operations keep; DamagedState names the first field that breaks one."""
    f = Fields(data, where)
    keys: dict[str, Key] = {}
    for i, d in enumerate(f.items("keys")):
        at = f.path(f"keys[{i}]")
        key = Key.from_json(d, at)
        if key.arn in keys:
            raise DamagedState(f"{at}.arn", "a second key with this ARN")
        _check_key_times(key, now, at)
        keys[key.arn] = key
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
    f.done()
    kms.keys, kms.aliases, kms.grant_tokens = keys, aliases, tokens
    kms.aliases_changed()
    for key in keys.values():
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
        if key.state == ENABLED and key.next_rotation <= now:
            raise DamagedState(f"{where}.next_rotation", "a rotation that is due has not happened")
    if key.pending_window_days is not None and not (
        PENDING_WINDOW_DAYS[0] <= key.pending_window_days <= PENDING_WINDOW_DAYS[1]
    ):
        raise DamagedState(f"{where}.pending_window_days", f"outside {PENDING_WINDOW_DAYS}")
    if key.deleted is None and key.deletion_date is not None and key.deletion_date <= now:
        raise DamagedState(f"{where}.deletion_date", "a deletion that is due has not happened")
    if key.deleted is None and key.valid_to is not None and key.valid_to <= now:
        # ImportKeyMaterial: the clock deletes imported material at its ValidTo (``imported.expire_material``).
        raise DamagedState(f"{where}.valid_to", "imported key material whose expiry is due has not expired")
    if key.on_demand_rotations > choices.ON_DEMAND_ROTATIONS_PER_KEY:
        raise DamagedState(
            f"{where}.on_demand_rotations", f"above the quota of {choices.ON_DEMAND_ROTATIONS_PER_KEY}"
        )
