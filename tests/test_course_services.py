"""The simulated service and the AWS owned key model of kmssim.course.services.

The three kinds of key: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt;
kms:ViaService: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidTag

import kmssim
from kmssim.course.services import AWS_MANAGED, AWS_OWNED, AwsOwnedKey, SimulatedService

APP = "arn:aws:iam::111122223333:role/App"
USE_KEYS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}],
}


def world(seed: int = 1) -> tuple[kmssim.Simulator, SimulatedService]:
    sim = kmssim.Simulator(seed=seed)
    sim.add_principal(APP, policies=[USE_KEYS])
    return sim, SimulatedService(sim, "dynamodb")


def test_each_kind_round_trips_and_only_kms_kinds_reach_the_trail() -> None:
    sim, ddb = world()
    cmk = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    before = len(sim.trail())
    ddb.put(APP, "a", b"alpha", key=cmk)
    ddb.put(APP, "b", b"bravo", key=AWS_MANAGED)
    after_kms = len(sim.trail())
    ddb.put(APP, "c", b"charlie", key=AWS_OWNED)
    assert len(sim.trail()) == after_kms == before + 2  # the AWS owned key leaves no event
    assert [ddb.get(APP, n) for n in "abc"] == [b"alpha", b"bravo", b"charlie"]
    assert [ddb.items[n].kind for n in "abc"] == ["customer managed", "AWS managed", "AWS owned"]
    assert ddb.items["c"].key_arn is None


def test_service_calls_carry_via_service_so_the_aws_managed_key_policy_allows_them() -> None:
    sim, ddb = world()
    item = ddb.put(APP, "t", b"x", key=AWS_MANAGED)
    assert ddb.endpoint == "dynamodb.us-east-1.amazonaws.com"
    direct = sim.client("kms", principal=APP)
    with pytest.raises(ClientError) as err:
        direct.decrypt(CiphertextBlob=item.encrypted_data_key, EncryptionContext=item.encryption_context)
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert ddb.get(APP, "t") == b"x"
    managed = [k for k in sim.inventory() if k.key_manager == "AWS"]
    assert [k.aliases for k in managed] == [("alias/aws/dynamodb",)]


def test_ebs_is_called_through_ec2() -> None:
    sim = kmssim.Simulator(seed=2)
    assert SimulatedService(sim, "ebs").endpoint == "ec2.us-east-1.amazonaws.com"


def test_encryption_context_is_the_services_documented_one() -> None:
    _sim, ddb = world()
    item = ddb.put(APP, "orders", b"x", key=AWS_OWNED)
    assert item.encryption_context == {
        "aws:dynamodb:tableName": "orders",
        "aws:dynamodb:subscriberId": "111122223333",
    }


def test_aws_owned_key_binds_context_and_is_seeded() -> None:
    one, two = AwsOwnedKey("sqs", seed=3), AwsOwnedKey("sqs", seed=3)
    blob = one.encrypt(b"secret", {"q": "1"})
    assert blob == two.encrypt(b"secret", {"q": "1"})
    assert one.decrypt(blob, {"q": "1"}) == b"secret"
    with pytest.raises(InvalidTag):
        one.decrypt(blob, {"q": "2"})
    assert AwsOwnedKey("sqs", seed=4).encrypt(b"secret", {"q": "1"}) != blob


def test_same_seed_same_ciphertexts() -> None:
    (_, a), (_, b) = world(5), world(5)
    for ddb in (a, b):
        ddb.put(APP, "x", b"data", key=AWS_MANAGED)
        ddb.put(APP, "y", b"data", key=AWS_OWNED)
    assert a.items == b.items


def test_a_refused_put_stores_nothing_and_unknown_items_are_named() -> None:
    sim, ddb = world()
    stranger = sim.add_principal("arn:aws:iam::111122223333:user/Stranger")
    cmk = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError):
        ddb.put(stranger, "z", b"x", key=cmk)
    assert ddb.items == {}
    with pytest.raises(ValueError, match="no item named 'z'"):
        ddb.get(APP, "z")
