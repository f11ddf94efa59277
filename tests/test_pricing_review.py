"""Cost and quota edge cases found in review, each once wrong or an internal error.

Sources: https://aws.amazon.com/kms/pricing/,
https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim
from kmssim._pricing import DataFileError, load_quotas, scenarios
from kmssim._pricing._paths import data_dir


def test_quota_counts_per_simulated_second_not_a_refilling_bucket() -> None:
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    kms = sim.client("kms")
    passed = 0
    for _ in range(20):  # one request every 0.05 s for one second; CreateKey allows 5 per second
        try:
            kms.create_key()
            passed += 1
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ThrottlingException"
        sim.advance(seconds=0.05)
    assert passed == 5


def test_new_second_opens_a_new_window() -> None:
    sim = kmssim.Simulator(seed=2, enforce_quotas=True)
    kms = sim.client("kms")
    sim.advance(seconds=0.9)
    for _ in range(5):
        kms.create_key()
    sim.advance(seconds=0.1)
    for _ in range(5):
        kms.create_key()
    with pytest.raises(ClientError):
        kms.create_key()


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (kmssim.estimate, {"keys": 5, "month": "2026-06"}),
        (kmssim.estimate, {"keys": None, "month": "2026-06"}),
        (kmssim.estimate, {"requests": {"operation": "Decrypt"}, "month": "2026-06"}),
        (kmssim.quota_check, {"rates": None}),
        (kmssim.quota_check, {"rates": 5}),
        (kmssim.quota_check, {"rates": [{"operation": "Decrypt", "per_second": float("inf")}]}),
        (scenarios.load, {"name": ["s3-sse-kms"]}),
    ],
)
def test_bad_input_is_a_value_error(call: Any, args: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        call(**args)


@pytest.mark.parametrize("spec", ["RSA_2048", "HMAC_256", "ECC_NIST_P256"])
def test_only_symmetric_keys_have_rotations_to_charge(spec: str) -> None:
    with pytest.raises(kmssim.EstimateInputError, match="rotations"):
        kmssim.estimate(keys=[{"key_spec": spec, "rotations": 2}], month="2026-06")


@pytest.mark.parametrize(
    ("operation", "key_spec"),
    [("Sign", "SYMMETRIC_DEFAULT"), ("Decrypt", "ECC_NIST_P256"), ("GenerateRandom", "RSA_2048")],
)
def test_quota_check_refuses_impossible_combinations(operation: str, key_spec: str) -> None:
    with pytest.raises(kmssim.EstimateInputError):
        kmssim.quota_check([{"operation": operation, "key_spec": key_spec, "per_second": 10}])


def _data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def test_csv_with_bom_loads_and_non_utf8_is_named(tmp_path: Path) -> None:
    folder = _data_copy(tmp_path)
    quotas = folder / "kms_request_quotas.csv"
    quotas.write_bytes(b"\xef\xbb\xbf" + quotas.read_bytes())
    assert load_quotas(quotas)
    quotas.write_bytes(quotas.read_bytes() + b"\xff\xfe broken\n")
    with pytest.raises(DataFileError, match=r"kms_request_quotas\.csv.*not UTF-8"):
        load_quotas(quotas)


def test_data_key_pair_quota_rows_are_checked(tmp_path: Path) -> None:
    folder = _data_copy(tmp_path)
    quotas = folder / "kms_request_quotas.csv"
    text = quotas.read_text(encoding="utf-8")
    assert ",RSA_2048," in text
    quotas.write_text(text.replace(",RSA_2048,", ",RSA_2O48,", 1), encoding="utf-8")
    with pytest.raises(DataFileError, match="key_types"):
        load_quotas(quotas)


def test_a_lever_must_lower_the_cost(tmp_path: Path) -> None:
    folder = _data_copy(tmp_path)
    path = folder / "scenarios.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["scenarios"][0]["lever"]["requests"].append({"operation": "Decrypt", "count": 10**9})
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataFileError, match="lever must lower"):
        scenarios.load_all(path)


def test_every_bundled_lever_saves_money() -> None:
    for name in scenarios.names():
        assert scenarios.load(name).saving() > 0, name


def test_reencrypt_to_an_asymmetric_key_is_metered_as_asymmetric() -> None:
    sim = kmssim.Simulator(seed=4, start=datetime(2026, 6, 1, tzinfo=UTC))
    kms = sim.client("kms")
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"]
    kms.re_encrypt(
        CiphertextBlob=blob, DestinationKeyId=rsa, DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    rows = {(r["operation"], r["key_spec"]) for r in sim.usage()["requests"]}
    assert ("ReEncrypt", "RSA_2048") in rows


def test_bill_hours_convention() -> None:
    sim = kmssim.Simulator(seed=5, start=datetime(2026, 6, 1, tzinfo=UTC))
    sim.client("kms").create_key()
    sim.advance(days=30)
    assert sim.bill("2026-06").total == Decimal("1.00")
    assert sim.bill("2026-06", hours=730).total == Decimal("0.99")  # 720 of 730 hours
