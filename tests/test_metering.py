"""Bills from what happened in the simulator, and quotas enforced on the simulated clock.

Pricing rules: https://aws.amazon.com/kms/pricing/. Quotas:
https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

from .conftest import error_code, error_message


def test_bill_matches_estimate_for_the_same_usage() -> None:
    sim = kmssim.Simulator(seed=1, start=datetime(2026, 6, 1, tzinfo=UTC))
    kms = sim.client("kms")
    sim.advance(days=15)  # the key exists for the second half of June only
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(30):
        blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
        kms.decrypt(CiphertextBlob=blob)
    bill = sim.bill("2026-06")
    expected = kmssim.estimate(
        keys=[{"count": 1, "hours": 15 * 24}],
        requests=[
            {"operation": "CreateKey", "count": 1},
            {"operation": "Encrypt", "count": 30},
            {"operation": "Decrypt", "count": 30},
        ],
        month="2026-06",
    )
    assert bill.total == expected.total == Decimal("0.50")
    without_free_tier = sim.bill("2026-06", free_tier=False)
    assert without_free_tier.total >= bill.total


def test_pending_deletion_is_not_billed_and_cancel_is() -> None:
    sim = kmssim.Simulator(seed=2, start=datetime(2026, 6, 1, tzinfo=UTC))
    kms = sim.client("kms")
    deleted = kms.create_key()["KeyMetadata"]["KeyId"]
    cancelled = kms.create_key()["KeyMetadata"]["KeyId"]
    sim.advance(days=10)
    kms.schedule_key_deletion(KeyId=deleted, PendingWindowInDays=7)
    kms.schedule_key_deletion(KeyId=cancelled, PendingWindowInDays=7)
    sim.advance(days=1)
    kms.cancel_key_deletion(KeyId=cancelled)
    sim.advance(days=30)
    usage = {k["arn"].rsplit("/", 1)[1]: k for k in sim.usage()["keys"]}
    assert usage[deleted]["deletion_scheduled"] == datetime(2026, 6, 11, tzinfo=UTC)
    assert usage[deleted]["deleted"] == datetime(2026, 6, 18, tzinfo=UTC)
    assert usage[cancelled]["deletion_scheduled"] is None
    key_lines = sim.bill("2026-06").lines
    assert not key_lines.empty
    # 10 days for the deleted key, 30 for the one whose deletion was cancelled.
    key_cost = sim.bill("2026-06").total
    assert key_cost == Decimal("1.33")


def test_rotations_are_metered_when_they_happen() -> None:
    sim = kmssim.Simulator(seed=3, start=datetime(2026, 1, 1, tzinfo=UTC))
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    sim.advance(days=365)
    rotations = sim.usage()["keys"][0]["rotations"]
    assert len(rotations) == 4
    december = sim.bill("2026-12")
    assert december.total == Decimal("3.00")  # the key plus the first two rotations; later ones are free


def test_requests_counted_by_operation_spec_and_region() -> None:
    sim = kmssim.Simulator(seed=4)
    west = sim.client("kms", region_name="eu-west-1")
    key = west.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    west.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    with pytest.raises(ClientError):
        west.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_384")
    rows = {(r["operation"], r["key_spec"], r["region"]): r["count"] for r in sim.usage()["requests"]}
    assert rows == {("CreateKey", None, "eu-west-1"): 1, ("Sign", "ECC_NIST_P256", "eu-west-1"): 1}


def test_quota_throttles_within_one_simulated_second() -> None:
    sim = kmssim.Simulator(seed=5, enforce_quotas=True)
    kms = sim.client("kms")
    for _ in range(5):  # CreateKey: 5 requests per second
        kms.create_key()
    with pytest.raises(ClientError) as e:
        kms.create_key()
    assert error_code(e) == "ThrottlingException"
    assert "exceeded the rate" in error_message(e)
    assert len(kms.list_keys()["Keys"]) == 5
    assert sim.trail()[-2].error_code == "ThrottlingException"
    sim.advance(seconds=1)
    kms.create_key()
    assert len(kms.list_keys()["Keys"]) == 6


def test_fractional_quota() -> None:
    sim = kmssim.Simulator(seed=6, enforce_quotas=True)
    kms = sim.client("kms")
    key: Any = kms.create_key()["KeyMetadata"]["KeyId"]
    limit = dict(kmssim.quota_limits_for("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "RSA_4096", "us-east-1"))
    per_second = next(iter(limit.values()))
    calls = 0
    with pytest.raises(ClientError) as e:
        for _ in range(int(per_second) + 2):
            kms.generate_data_key_pair_without_plaintext(KeyId=key, KeyPairSpec="RSA_4096")
            calls += 1
    assert error_code(e) == "ThrottlingException"
    assert calls == max(1, int(per_second))


def test_quotas_not_enforced_by_default() -> None:
    kms = kmssim.Simulator(seed=7).client("kms")
    for _ in range(20):
        kms.create_key()


def test_bill_in_a_commercial_region_without_its_own_price_list() -> None:
    """Issue 11: London's request price is the pricing page's uniform rate (data/README.md), not a refusal."""
    sim = kmssim.Simulator(seed=8, region="eu-west-2", start=datetime(2026, 6, 1, tzinfo=UTC))
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=key, Plaintext=b"x")
    bill = sim.bill("2026-06")
    assert bill.total == Decimal("1.00")
    assert any(n.startswith("requests_symmetric in eu-west-2 is uniform") for n in bill.notes)


def test_bill_in_a_region_without_known_prices_is_refused() -> None:
    sim = kmssim.Simulator(seed=8, region="eu-west-2", start=datetime(2026, 6, 1, tzinfo=UTC))
    sim.client("kms").create_key()
    usage = sim.usage()
    usage["keys"] = [{**k, "region": "us-gov-west-1"} for k in usage["keys"]]  # GovCloud: not simulated
    with pytest.raises(kmssim.EstimateInputError, match="us-gov-west-1"):
        kmssim.bill_from_usage(usage, "2026-06")  # never invented
