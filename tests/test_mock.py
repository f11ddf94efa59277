"""``kmssim.mock()`` serves unmodified boto3 code, as moto's ``mock_aws`` does."""

from __future__ import annotations

import os

import boto3
import pytest

import kmssim

from .scripts import envelope_encryption


def test_unmodified_boto3_script_runs_under_mock() -> None:
    with kmssim.mock(seed=3) as sim:
        result = envelope_encryption.main()
    assert result["opened"] == b"order #1"
    assert str(result["key_arn"]).startswith("arn:aws:kms:eu-west-1:111122223333:key/")
    assert result["missing"] == "NotFoundException"
    assert [e.event_name for e in sim.trail()] == [
        "CreateKey",
        "CreateAlias",
        "GenerateDataKey",
        "Decrypt",
        "DescribeKey",
    ]


def test_mock_as_decorator_uses_given_simulator() -> None:
    sim = kmssim.Simulator(seed=9)

    @kmssim.mock(sim)
    def make_key() -> str:
        return str(boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"])

    key_id = make_key()
    assert sim.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"] == key_id


def test_mock_restores_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with kmssim.mock():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "KMSSIMEXAMPLEKEY"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_default_session_client_is_served() -> None:
    boto3.setup_default_session(region_name="us-east-1")
    with kmssim.mock(seed=4) as sim:
        kms = boto3.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert sim.ops.keys[f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"].key_id == key_id


def test_mock_principal_and_same_seed_same_ids() -> None:
    with kmssim.mock(seed=11) as a:
        first = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    with kmssim.mock(seed=11) as b:
        second = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    assert first == second and a is not b
