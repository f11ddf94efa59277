"""Property tests: totals never fall when a count grows; the free tier never makes a total negative."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kmssim._pricing import estimate, sweep

REQUESTS: list[dict[str, Any]] = [
    {"operation": "Decrypt"},
    {"operation": "GenerateMac", "key_spec": "HMAC_384"},
    {"operation": "GenerateRandom"},
    {"operation": "Sign", "key_spec": "RSA_2048"},
    {"operation": "Verify", "key_spec": "ECC_NIST_P256"},
    {"operation": "GenerateDataKeyPair", "key_pair_spec": "ECC_NIST_P384"},
    {"operation": "GenerateDataKeyPairWithoutPlaintext", "key_pair_spec": "RSA_2048"},
    {"operation": "Decrypt", "managed_by": "aws"},
    {"operation": "Decrypt", "managed_by": "aws_owned"},
]
REGIONS = ["us-east-1", "us-east-2", "ap-southeast-2"]
KEY_KINDS = ["customer", "aws", "aws_owned"]

counts = st.integers(min_value=0, max_value=5_000_000)
request_rows = st.lists(
    st.tuples(st.sampled_from(range(len(REQUESTS))), st.sampled_from(REGIONS), counts), max_size=6
)
key_rows = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.sampled_from(REGIONS),
        st.sampled_from(KEY_KINDS),
        st.integers(0, 4),
        st.integers(0, 720),
    ),
    max_size=4,
)


def build(
    keys: list[tuple[int, str, str, int, int]], requests: list[tuple[int, str, int]]
) -> tuple[list[Any], list[Any]]:
    k = [{"count": c, "region": r, "managed_by": m, "rotations": rot, "hours": h} for c, r, m, rot, h in keys]
    q = [{**REQUESTS[i], "region": r, "count": c} for i, r, c in requests]
    return k, q


def cost(keys: list[Any], requests: list[Any], free_tier: bool = True, month: str = "2026-06") -> Decimal:
    return estimate(keys, requests, month=month, free_tier=free_tier).exact_total


@settings(max_examples=60, deadline=None)
@given(key_rows, request_rows, st.data(), st.booleans(), st.sampled_from(["2024-04", "2026-06"]))
def test_total_never_decreases_when_a_count_grows(
    keys: list[Any], requests: list[Any], data: st.DataObject, free_tier: bool, month: str
) -> None:
    k, q = build(keys, requests)
    before = cost(k, q, free_tier, month)
    fields = [("key", i, f) for i in range(len(k)) for f in ("count", "rotations", "hours")]
    fields += [("req", i, "count") for i in range(len(q))]
    if not fields:
        assert before == 0
        return
    kind, index, name = data.draw(st.sampled_from(fields))
    bump = data.draw(st.integers(1, 1_000_000))
    target = (k if kind == "key" else q)[index]
    target[name] = min(target[name] + bump, 720) if name == "hours" else target[name] + bump
    after = cost(k, q, free_tier, month)
    assert after >= before
    assert (
        estimate(k, q, month=month, free_tier=free_tier).total
        >= estimate(*build(keys, requests), month=month, free_tier=free_tier).total
    )


@settings(max_examples=60, deadline=None)
@given(key_rows, request_rows)
def test_free_tier_never_makes_a_total_negative_nor_exceeds_the_allowance(
    keys: list[Any], requests: list[Any]
) -> None:
    k, q = build(keys, requests)
    with_free, without = cost(k, q, True), cost(k, q, False)
    assert with_free >= 0
    # Decimal arithmetic here runs at 28 significant digits, so allow rounding at that precision.
    tiny = Decimal("1e-18")
    assert without - Decimal("0.06") - tiny <= with_free <= without + tiny  # 20,000 x $0.000003 at most


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(counts, counts, counts, st.integers(0, 50), st.integers(0, 720)), min_size=1, max_size=8
    )
)
def test_sweep_total_is_monotone_and_non_negative(rows: list[tuple[int, int, int, int, int]]) -> None:
    data = {
        "requests_symmetric": [r[0] for r in rows],
        "requests_asymmetric": [r[1] for r in rows],
        "requests_gdkp_rsa": [r[2] for r in rows],
        "keys": [r[3] for r in rows],
        "key_hours": [r[4] for r in rows],
    }
    base = sweep(data, month="2026-06")
    assert (base["total_cents"] >= 0).all()
    for column in data:
        grown = {
            c: [v + (1 if c == column and (c != "key_hours" or v < 720) else 0) for v in vals]
            for c, vals in data.items()
        }
        assert (sweep(grown, month="2026-06")["total_cents"] >= base["total_cents"]).all()
