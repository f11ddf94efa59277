"""Save, damage, load: a damaged state file is refused cleanly or loads into a simulator that works.

Law: ``Simulator.load`` of a damaged file either raises ``kmssim.DataFileError`` (a ValueError naming the field)
or returns a simulator that saves back exactly what it read and then serves calls, advances, bills and shows
its trail with no error other than an AWS one ("saved state written atomically and checked on load").
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim

ALICE = "arn:aws:iam::111122223333:user/Alice"


@functools.cache
def _saved() -> str:
    sim = kmssim.Simulator(seed=21, enforce_quotas=True)
    sim.add_principal(ALICE, tags={"team": "a"})
    kms = sim.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "t", "TagValue": "v"}])["KeyMetadata"]["KeyId"]
    kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    kms.create_alias(AliasName="alias/a", TargetKeyId=key)
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    kms.rotate_key_on_demand(KeyId=key)
    kms.create_grant(
        KeyId=key,
        GranteePrincipal=ALICE,
        Operations=["Decrypt"],
        Constraints={"EncryptionContextSubset": {"app": "x"}},
    )
    kms.encrypt(KeyId="alias/a", Plaintext=b"x", EncryptionContext={"app": "x"})
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=other, PendingWindowInDays=7)
    sim.advance(days=100)
    return json.dumps(sim.to_json(), indent=1, sort_keys=True)


def _exercise(sim: kmssim.Simulator) -> None:
    """Everything that once crashed on a wrongly typed field, each allowed to fail only with an AWS error."""
    sim.trail().to_dataframe()
    sim.inventory(include_deleted=True)
    sim.bill()
    for operation, params in [
        ("ListAliases", {}),
        ("ListKeys", {}),
        ("CreateKey", {}),
        ("Encrypt", {"KeyId": "alias/a", "Plaintext": b"x", "EncryptionContext": {"app": "x"}}),
        ("ListRetirableGrants", {"RetiringPrincipal": ALICE}),
    ]:
        try:
            sim.call(operation, params)
        except kmssim.KMSError as exc:
            assert exc.code != "KMSInternalException", exc
    for key in sim.inventory():
        for operation in ("DescribeKey", "ListGrants", "GetKeyRotationStatus", "GetKeyPolicy"):
            try:
                sim.call(operation, {"KeyId": key.key_id})
            except kmssim.KMSError as exc:
                assert exc.code != "KMSInternalException", exc
    sim.advance(days=800)


def _check(text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return  # not JSON: load says so (covered in test_trust_core)
    try:
        sim = kmssim.Simulator.from_json(data)
    except kmssim.DataFileError:
        return
    assert json.dumps(sim.to_json(), indent=1, sort_keys=True) == json.dumps(data, indent=1, sort_keys=True)
    _exercise(sim)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


_PATHS = _paths(json.loads(_saved()))
_SETTINGS = settings(
    max_examples=int(os.environ.get("KMSSIM_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@_SETTINGS
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=3))
def test_byte_flips(flips: list[tuple[int, int]]) -> None:
    raw = bytearray(_saved().encode())
    for at, bits in flips:
        raw[at % len(raw)] ^= bits
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # load refuses bytes that are not UTF-8
    _check(text)


_REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.just("2026-01-01T00:00:00Z"),
    st.just("9999-12-31T23:59:59Z"),
)


@_SETTINGS
@given(path=st.sampled_from(_PATHS), delete=st.booleans(), value=_REPLACEMENTS)
def test_field_deletions_and_type_changes(path: tuple[Any, ...], delete: bool, value: Any) -> None:
    data = json.loads(_saved())
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    _check(json.dumps(data))


def test_the_undamaged_file_loads_and_works() -> None:
    _check(_saved())


def test_a_rotation_due_exactly_now_saves_loads_and_runs_on_the_next_advance(tmp_path: Any) -> None:
    # EnableKeyRotation with a shorter period whose date has passed makes the rotation due now (kmssim counts the
    # new period from the last rotation: ``rotation.enable_key_rotation``); the next advance runs it. A state
    # saved then is not damaged.
    def world() -> tuple[kmssim.Simulator, str]:
        sim = kmssim.Simulator(seed=1, start="2026-01-01")
        kms = sim.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        sim.advance(days=120)
        kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=97)
        sim.advance(days=90)
        kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
        return sim, key

    kept, key = world()
    path = tmp_path / "due-now.json"
    kept.save(path)
    loaded = kmssim.Simulator.load(path)
    for sim in (kept, loaded):
        assert not sim.client("kms").list_key_rotations(KeyId=key)["Rotations"]
        sim.advance(days=1)
    assert [e.to_dict() for e in loaded.trail()] == [e.to_dict() for e in kept.trail()]
    assert len(loaded.trail().filter(event_name="RotateKey")) == 1
