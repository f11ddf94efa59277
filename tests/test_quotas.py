"""Request quotas: the examples of the AWS "Request quotas" page, pooling, and table validation.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html (reference section 5).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from kmssim._pricing import (
    DataFileError,
    EstimateInputError,
    QuotaReport,
    load_quotas,
    quota_charges,
    quota_check,
    quota_limits_for,
)
from kmssim._pricing._paths import data_file

SYMMETRIC = "Cryptographic operations (symmetric) request rate"
RSA = "Cryptographic operations (RSA) request rate"
ECC = "Cryptographic operations (ECC and SM2) request rate"
XKS = {"custom_key_store_type": "EXTERNAL_KEY_STORE"}


def status(report: QuotaReport, quota: str, region: str = "us-east-1") -> str:
    rows = report.table[(report.table["quota"] == quota) & (report.table["region"] == region)]
    assert len(rows) == 1, report.table
    return str(rows["status"].iloc[0])


def test_page_example_shared_symmetric_quota_of_ten_thousand() -> None:
    """ "7,000 GenerateDataKey ... and 2,000 Decrypt requests per second" are not throttled; "9,500
    GenerateDataKey requests and 1,000 Encrypt" are, in a Region whose shared quota is 10,000."""
    ok = quota_check(
        [
            {"operation": "GenerateDataKey", "per_second": 7_000, "region": "ca-central-1"},
            {"operation": "Decrypt", "per_second": 2_000, "region": "ca-central-1"},
        ]
    )
    assert ok.ok and status(ok, SYMMETRIC, "ca-central-1") == "ok"
    assert ok.table["headroom_per_second"].iloc[0] == 1_000
    over = quota_check(
        [
            {"operation": "GenerateDataKey", "per_second": 9_500, "region": "ca-central-1"},
            {"operation": "Encrypt", "per_second": 1_000, "region": "ca-central-1"},
        ]
    )
    assert not over.ok and status(over, SYMMETRIC, "ca-central-1") == "throttled"
    row = over.throttled().iloc[0]
    assert row["planned_per_second"] == 10_500 and row["operations"] == "Encrypt, GenerateDataKey"


def test_page_example_rsa_quota_shared_by_encrypt_decrypt_sign_verify() -> None:
    """ "400 Encrypt requests and 200 Decrypt requests ... plus 250 Sign requests and 150 Verify requests"
    fit a 1,000-per-second RSA quota; one more request per second would not."""
    rates: list[dict[str, Any]] = [
        {"operation": "Encrypt", "per_second": 400, "key_spec": "RSA_2048"},
        {"operation": "Decrypt", "per_second": 200, "key_spec": "RSA_4096"},
        {"operation": "Sign", "per_second": 250, "key_spec": "RSA_3072"},
        {"operation": "Verify", "per_second": 150, "key_spec": "RSA_2048"},
    ]
    assert quota_check(rates).ok
    rates.append({"operation": "Sign", "per_second": 1, "key_spec": "RSA_2048"})
    assert status(quota_check(rates), RSA) == "throttled"


def test_page_example_ecc_and_sm2_share_one_quota() -> None:
    """ "400 Sign requests and 200 Verify requests with ECC KMS keys ... plus 250 Sign requests and 150 Verify
    requests with SM2 KMS keys" (SM2 exists in the China Regions)."""
    rates = [
        {"operation": "Sign", "per_second": 400, "key_spec": "ECC_NIST_P256", "region": "cn-north-1"},
        {"operation": "Verify", "per_second": 200, "key_spec": "ECC_SECG_P256K1", "region": "cn-north-1"},
        {"operation": "Sign", "per_second": 250, "key_spec": "SM2", "region": "cn-north-1"},
        {"operation": "Verify", "per_second": 150, "key_spec": "SM2", "region": "cn-north-1"},
    ]
    report = quota_check(rates)
    assert report.ok and report.table["planned_per_second"].tolist() == [1_000.0]
    assert quota_limits_for("Encrypt", "SM2", None, "cn-north-1") == [(ECC, 1000.0)]
    assert quota_limits_for("Encrypt", "ECC_NIST_P256", None, "us-east-1") == []


def test_page_example_london_crypto_and_enable_key_are_independent() -> None:
    """ "in the Europe (London) Region, you can perform 10,000 cryptographic operations on symmetric KMS keys
    plus 5 EnableKey operations per second" (the table lists London's shared quota as 20,000)."""
    report = quota_check(
        [
            {"operation": "Decrypt", "per_second": 10_000, "region": "eu-west-2"},
            {"operation": "EnableKey", "per_second": 5, "region": "eu-west-2"},
        ]
    )
    assert report.ok and len(report.table) == 2
    assert quota_limits_for("Decrypt", "SYMMETRIC_DEFAULT", None, "eu-west-2") == [(SYMMETRIC, 20_000.0)]


@pytest.mark.parametrize(
    ("region", "limit"),
    [("us-east-1", 100_000), ("us-west-2", 100_000), ("eu-west-1", 100_000), ("us-east-2", 20_000),
     ("ap-northeast-1", 20_000), ("eu-central-1", 20_000), ("sa-east-1", 10_000), ("us-gov-west-1", 10_000)],
)  # fmt: skip
def test_symmetric_quota_by_region(region: str, limit: int) -> None:
    assert quota_limits_for("GenerateDataKey", "SYMMETRIC_DEFAULT", None, region) == [
        (SYMMETRIC, float(limit))
    ]


def test_page_example_custom_key_store_counts_twice_but_management_once() -> None:
    """ "an Encrypt operation on a KMS key in a custom key store ... in us-east-1 counts toward the
    Cryptographic operations (symmetric) request rate (100,000) ... and toward a Custom key store request
    quota (1,800)"; "PutKeyPolicy ... applies only to its account-level quota (15 requests per second)"."""
    assert quota_limits_for(
        "Encrypt", "SYMMETRIC_DEFAULT", None, "us-east-1", custom_key_store_type="AWS_CLOUDHSM"
    ) == [
        (SYMMETRIC, 100_000.0),
        ("Custom key store request quota (AWS CloudHSM key store)", 1_800.0),
    ]
    assert quota_limits_for(
        "PutKeyPolicy", "SYMMETRIC_DEFAULT", None, "us-east-1", custom_key_store_type="AWS_CLOUDHSM"
    ) == [("PutKeyPolicy request rate", 15.0)]
    report = quota_check(
        [
            {"operation": "Decrypt", "per_second": 1_000, **XKS, "custom_key_store_id": "a"},
            {"operation": "Decrypt", "per_second": 1_000, **XKS, "custom_key_store_id": "b"},
            {"operation": "GenerateRandom", "per_second": 900, **XKS, "custom_key_store_id": "a"},
        ]
    )  # fmt: skip
    stores = report.table[report.table["pool"] != ""].set_index("pool")
    assert stores.loc["a", "status"] == "throttled" and stores.loc["b", "status"] == "ok"
    assert status(report, SYMMETRIC) == "ok"


def test_replicate_key_counts_two_create_key_requests_in_the_replica_region() -> None:
    """ "A ReplicateKey operation counts as one ReplicateKey request in the primary key's Region and two
    CreateKey requests in the replica's Region.\""""
    charges = quota_charges(
        "ReplicateKey", "SYMMETRIC_DEFAULT", region="us-east-1", replica_region="eu-west-1"
    )
    assert [(c.region, c.quota, c.units) for c in charges] == [
        ("us-east-1", "ReplicateKey request rate", 1),
        ("eu-west-1", "CreateKey request rate", 2),
    ]
    report = quota_check([{"operation": "ReplicateKey", "per_second": 3, "replica_region": "eu-west-1"}])
    assert status(report, "ReplicateKey request rate") == "ok"
    assert status(report, "CreateKey request rate", "eu-west-1") == "throttled"
    with pytest.raises(EstimateInputError, match="replica_region"):
        quota_check([{"operation": "ReplicateKey", "per_second": 1}])


def test_update_primary_region_counts_in_both_regions() -> None:
    report = quota_check(
        [{"operation": "UpdatePrimaryRegion", "per_second": 5, "primary_region": "ap-southeast-2"}]
    )
    assert report.ok and sorted(report.table["region"]) == ["ap-southeast-2", "us-east-1"]
    with pytest.raises(EstimateInputError, match="primary_region"):
        quota_charges("UpdatePrimaryRegion", "SYMMETRIC_DEFAULT")


@pytest.mark.parametrize(
    ("pair", "region", "limit"),
    [("RSA_2048", "us-east-1", 20.0), ("RSA_2048", "cn-north-1", 1.0), ("RSA_3072", "cn-northwest-1", 0.5),
     ("RSA_4096", "eu-west-1", 1.0), ("RSA_4096", "cn-north-1", 0.1), ("ECC_NIST_P384", "us-east-1", 100.0),
     ("ECC_NIST_EDWARDS25519", "us-east-1", 100.0), ("SM2", "cn-north-1", 25.0)],
)  # fmt: skip
def test_generate_data_key_pair_quota_per_key_pair_spec(pair: str, region: str, limit: float) -> None:
    """GenerateDataKeyPair(WithoutPlaintext) share a quota per key pair spec, not the crypto quota."""
    for op in ("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"):
        assert quota_limits_for(op, "SYMMETRIC_DEFAULT", pair, region) == [
            (f"GenerateDataKeyPair ({pair}) request rate", limit)
        ]


def test_hmac_generate_random_and_get_public_key() -> None:
    assert quota_limits_for("GenerateMac", "HMAC_256", None, "us-east-1") == [(SYMMETRIC, 100_000.0)]
    assert quota_limits_for("GenerateRandom", None, None, "us-east-1") == [(SYMMETRIC, 100_000.0)]
    assert quota_limits_for("GetPublicKey", "RSA_2048", None, "us-east-1") == [
        ("GetPublicKey request rate", 2_000.0)
    ]
    assert quota_limits_for("Sign", "ML_DSA_44", None, "us-east-1") == [
        ("Cryptographic operations (ML-DSA) request rate", 1_000.0)
    ]


def test_aws_owned_keys_and_undocumented_quotas_are_reported_not_counted() -> None:
    """ "The use of AWS owned keys does not count against request quotas for your AWS account.\""""
    report = quota_check(
        [
            {"operation": "Decrypt", "per_second": 10**6, "managed_by": "aws_owned"},
            {"operation": "Decapsulate", "per_second": 10, "key_spec": "ML_KEM_768", "label": "ML-KEM"},
            {"operation": "Decrypt", "per_second": 50, "managed_by": "aws"},
        ]
    )
    assert report.ok and report.unmatched == ("ML-KEM",) and len(report.excluded) == 1
    assert quota_charges("Decrypt", "SYMMETRIC_DEFAULT", managed_by="aws_owned") == []
    page = report._repr_html_()
    assert "no quota would throttle" in page and "no documented quota: ML-KEM" in page
    assert repr(report) == "<QuotaReport: 1 quotas checked, 0 would throttle>"


def test_quota_report_html_when_throttled() -> None:
    report = quota_check([{"operation": "CreateKey", "per_second": 6}])
    assert "1 quota(s) would throttle" in report._repr_html_()
    assert report.throttled()["headroom_per_second"].tolist() == [-1.0]


@pytest.mark.parametrize(
    ("rate", "needle"),
    [
        ({"operation": "Decrypt", "per_second": -1}, "rates[0].per_second -1"),
        ({"operation": "Decrypt", "per_second": "fast"}, "rates[0].per_second 'fast'"),
        ({"operation": "Decrypt"}, "rates[0].per_second None"),
        ({"per_second": 1}, "rates[0].operation None"),
        ({"operation": "Decrypt", "per_second": 1, "speed": 2}, "rates[0].speed 2"),
        ({"operation": "Decrypt", "per_second": 1, "region": "xx-east-1"}, "invalid region 'xx-east-1'"),
        (
            {"operation": "Decrypt", "per_second": 1, "custom_key_store_type": "HSM"},
            "custom_key_store_type 'HSM'",
        ),
        ({"operation": "Decrypt", "per_second": 1, "managed_by": "them"}, "managed_by 'them'"),
        ({"operation": "GenerateDataKeyPair", "per_second": 1}, "key_pair_spec None"),
    ],
)
def test_quota_check_bad_input(rate: dict[str, Any], needle: str) -> None:
    with pytest.raises(EstimateInputError) as info:
        quota_check([rate])
    assert needle in str(info.value)
    with pytest.raises(EstimateInputError, match="quotas"):
        quota_check([], quotas="data/kms_request_quotas.csv")  # type: ignore[arg-type]


def test_quota_table_lists_every_documented_quota() -> None:
    table = load_quotas()
    assert len(table.names()) == 56  # 4 shared crypto, 2 key store, 9 key pair, 41 operation quotas
    frame = table.to_frame()
    assert set(frame["source_url"]) == {
        "https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html"
    }
    assert frame.loc[frame["quota"] == SYMMETRIC, "quota_code"].unique().tolist() == ["L-6E3AF000"]
    assert (
        "KMS request quotas" in table._repr_html_()
        and repr(table) == "<QuotaTable data/kms_request_quotas.csv: 56 quotas>"
    )


def _broken(tmp_path: Path, row: int, column: str, value: str) -> Path:
    with data_file("kms_request_quotas.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(column)] = value
    out = tmp_path / "quotas.csv"
    with out.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return out


@pytest.mark.parametrize(
    ("row", "column", "value", "problem"),
    [
        (20, "operations", "CreateKeys", "column 'operations': unknown KMS operation 'CreateKeys'"),
        (2, "region", "eu-west-9", "column 'region': unknown Region 'eu-west-9'"),
        (3, "region", "us-east-2", f"duplicate row for quota '{SYMMETRIC}' in Region 'us-east-2'"),
        (20, "limit_per_second", "fast", "column 'limit_per_second': 'fast' is not a decimal number"),
        (20, "limit_per_second", "0", "must be greater than 0"),
        (20, "adjustable", "maybe", "column 'adjustable': 'maybe'"),
        (20, "kind", "other", "column 'kind': 'other'"),
        (1, "key_types", "symmetric;quantum", "column 'key_types'"),
        (12, "operations", "Encrypt[magic]", "unknown key type(s) ['magic']"),
    ],
)  # fmt: skip
def test_broken_quota_table_names_file_row_and_problem(
    tmp_path: Path, row: int, column: str, value: str, problem: str
) -> None:
    path = _broken(tmp_path, row, column, value)
    with pytest.raises(DataFileError) as info:
        load_quotas(path)
    assert (
        str(path) in str(info.value)
        and f"row {row} (line {row + 1})" in str(info.value)
        and problem in str(info.value)
    )
