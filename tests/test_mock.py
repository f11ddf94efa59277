"""``kmssim.mock()`` serves unmodified boto3 code, as moto's ``mock_aws`` does."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, EndpointConnectionError, NoRegionError

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


# --- Documentation snippets: a default Region, and no other service sent to the internet -------------------------
# botocore takes the Region from the client, then AWS_DEFAULT_REGION, then the shared config file, and raises
# NoRegionError otherwise: https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html


@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine with no Region anywhere: no environment variable, an empty shared config file, and a fresh boto3
    default session (another test may have set one up with a Region). Returns the config file's path."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return config


def test_no_region_configured_gives_the_simulators_region(unconfigured: Path) -> None:
    with pytest.raises(NoRegionError):  # the premise: outside the mock, this machine has no Region
        boto3.client("kms")
    with kmssim.mock(seed=5) as sim:
        arn = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    assert sim.region == "us-east-1"  # a new simulator's default Region
    assert arn.startswith("arn:aws:kms:us-east-1:111122223333:key/")
    assert "AWS_DEFAULT_REGION" not in os.environ  # restored on exit


def test_default_region_follows_the_given_simulator(unconfigured: Path) -> None:
    with kmssim.mock(kmssim.Simulator(seed=5, region="eu-west-3")):
        arn = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-3:")


@pytest.mark.parametrize("where", ["AWS_DEFAULT_REGION", "config file"])
def test_a_configured_region_is_kept(unconfigured: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    if where == "config file":
        unconfigured.write_text("[default]\nregion = ap-southeast-2\n")
    else:
        monkeypatch.setenv(where, "ap-southeast-2")
    with kmssim.mock(seed=5):
        arn = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:ap-southeast-2:")


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to resolve a host name or open a connection is recorded and fails (a socket guard)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        attempts.append(args)
        raise OSError("network attempted (socket guard)")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_the_socket_guard_sees_an_s3_call_outside_the_mock(
    unconfigured: Path, monkeypatch: pytest.MonkeyPatch, network_attempts: list[object]
) -> None:
    """Without the mock, the same call goes for the network: the guard below would notice if mock() let it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
    s3 = boto3.client("s3", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
    with pytest.raises(EndpointConnectionError):
        s3.list_buckets()
    assert network_attempts


@pytest.mark.parametrize("service, call", [("s3", "list_buckets"), ("sts", "get_caller_identity")])
def test_other_services_are_refused_locally(
    unconfigured: Path, network_attempts: list[object], service: str, call: str
) -> None:
    with kmssim.mock(seed=1) as sim:
        client = boto3.client(service)  # type: ignore[call-overload]
        with pytest.raises(BotoCoreError) as caught:
            getattr(client, call)()
        kms = boto3.client("kms")  # KMS still served beside the refusal
        kms.create_key()
    assert type(caught.value).__name__ == "ServiceNotSimulatedError"
    message = str(caught.value)
    assert "serves AWS KMS only" in message and f"{service}." in message and "refused locally" in message
    assert network_attempts == []
    assert [e.event_name for e in sim.trail()] == ["CreateKey"]


def test_other_services_go_to_moto_when_it_is_active_too(unconfigured: Path) -> None:
    from moto import mock_aws

    with mock_aws(), kmssim.mock(seed=2) as sim:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kmssim-and-moto")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kmssim-and-moto"]
        boto3.client("kms").create_key()
    assert [e.event_name for e in sim.trail()] == ["CreateKey"]


def test_outside_any_mock_other_services_are_not_refused(unconfigured: Path) -> None:
    with kmssim.mock():
        pass
    from moto import mock_aws

    with mock_aws():  # served by moto, not refused: kmssim's handler is idle outside its mock
        assert boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"] == []
