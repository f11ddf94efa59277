"""The checks of notebooks 00-04 (``kmssim.course``): right answers pass, each kind of wrong answer says what to fix.

Every simulator here is built through the public client, as a learner would in the notebook.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import kmssim
from kmssim.course import basics, encryption, keys, permissions
from kmssim.course import time as clock

ANY_KMS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


# ------------------------------------------------------------------------------------- 00: decrypt only
# Key policies: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html


def _alice_and_bob() -> tuple[kmssim.Simulator, Any, str, str]:
    sim = kmssim.Simulator(seed=5)
    alice = sim.add_principal("arn:aws:iam::111122223333:user/alice", policies=[ANY_KMS])
    bob = sim.add_principal("arn:aws:iam::111122223333:user/bob", policies=[ANY_KMS])
    kms = sim.client("kms", principal=alice)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "kms:*", "Resource": "*"}],
    }
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    return sim, kms, key_id, bob


def _add_statement(kms: Any, key_id: str, statement: dict[str, Any]) -> None:
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    policy["Statement"].append(statement)
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


def test_decrypt_only_right() -> None:
    sim, kms, key_id, bob = _alice_and_bob()
    _add_statement(
        kms, key_id, {"Effect": "Allow", "Principal": {"AWS": bob}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    result = basics.check_decrypt_only(sim, key_id, bob)
    assert result.ok and str(result).startswith("Right")


def test_decrypt_only_nothing_done_says_where_to_look() -> None:
    sim, _kms, key_id, bob = _alice_and_bob()
    result = basics.check_decrypt_only(sim, key_id, bob)
    assert not result.ok
    assert "still refused" in result.message and "put_key_policy" in result.hint


def test_decrypt_only_too_much() -> None:
    sim, kms, key_id, bob = _alice_and_bob()
    _add_statement(
        kms, key_id, {"Effect": "Allow", "Principal": {"AWS": bob}, "Action": "kms:*", "Resource": "*"}
    )
    result = basics.check_decrypt_only(sim, key_id, bob)
    assert not result.ok and "kms:Encrypt" in result.message and "kms:*" in result.hint


def test_decrypt_only_deny_instead_of_allow() -> None:
    sim, kms, key_id, bob = _alice_and_bob()
    _add_statement(
        kms, key_id, {"Effect": "Deny", "Principal": {"AWS": bob}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    result = basics.check_decrypt_only(sim, key_id, bob)
    assert not result.ok and "Effect" in result.hint


def test_decrypt_only_unknown_principal() -> None:
    sim, _kms, key_id, _bob = _alice_and_bob()
    result = basics.check_decrypt_only(sim, key_id, "arn:aws:iam::111122223333:user/carol")
    assert not result.ok and "sim.add_principal" in result.hint


def test_feedback_renders_as_text_and_html() -> None:
    sim, _kms, key_id, bob = _alice_and_bob()
    result = basics.check_decrypt_only(sim, key_id, bob)
    assert repr(result).startswith("Not yet: ") and "\nLook at: " in repr(result)
    assert "kmssim-check" in result._repr_html_() and "Look at" in result._repr_html_()
    assert bool(result) is False


# ------------------------------------------------------------------------------------- 01: signing key
# Key usages: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html


def test_signing_key_right_and_wrong() -> None:
    sim = kmssim.Simulator(seed=6)
    kms = sim.client("kms")
    signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    alias = "alias/release-signing"

    assert "no alias" in keys.check_signing_key(sim, signer, alias).message
    kms.create_alias(AliasName=alias, TargetKeyId=symmetric)
    wrong_usage = keys.check_signing_key(sim, symmetric, alias)
    assert (
        not wrong_usage.ok and "ENCRYPT_DECRYPT" in wrong_usage.message and "SIGN_VERIFY" in wrong_usage.hint
    )
    elsewhere = keys.check_signing_key(sim, signer, alias)
    assert not elsewhere.ok and "another key" in elsewhere.message

    kms.delete_alias(AliasName=alias)
    kms.create_alias(AliasName=alias, TargetKeyId=signer)
    assert keys.check_signing_key(sim, signer, alias).ok
    response = kms.describe_key(KeyId=signer)
    not_an_id = keys.check_signing_key(sim, response, alias)
    assert not not_an_id.ok and "KeyMetadata" in not_an_id.hint
    assert "no key" in keys.check_signing_key(sim, "1234abcd-0000-0000-0000-000000000000", alias).message
    kms.disable_key(KeyId=signer)
    assert "Disabled" in keys.check_signing_key(sim, signer, alias).message


# ------------------------------------------------------------------------------------- 02: envelope
# Envelope encryption: https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#enveloping

REPORT = b"quarterly report"
CONTEXT = {"purpose": "report"}


def _envelope(
    kms: Any, key_id: str, *, context: dict[str, str] = CONTEXT, data: bytes = REPORT
) -> dict[str, Any]:
    dk = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
    nonce = os.urandom(12)
    return {
        "encrypted_key": dk["CiphertextBlob"],
        "nonce": nonce,
        "ciphertext": AESGCM(dk["Plaintext"]).encrypt(nonce, data, None),
        "context": context,
    }


def test_envelope_right_and_leaves_the_simulator_alone() -> None:
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    envelope = _envelope(kms, key_id)
    events, bill = len(sim.trail()), sim.usage()
    assert encryption.check_envelope(sim, envelope, REPORT, CONTEXT).ok
    assert len(sim.trail()) == events and sim.usage() == bill


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda e: e.pop("nonce"), "no nonce"),
        (lambda e: e.update(nonce=b"short"), "12 random bytes"),
        (lambda e: e.update(context={"purpose": "other"}), "the exercise asks for"),
        (lambda e: e.update(Plaintext=b"k" * 32), "plaintext data key"),
        (lambda e: e.update(encrypted_key=b"not a ciphertext"), "cannot decrypt"),
        (lambda e: e.update(ciphertext=b"tampered" * 4), "AES-GCM cannot open"),
    ],
)
def test_envelope_wrong(change: Any, words: str) -> None:
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    envelope = _envelope(kms, key_id)
    change(envelope)
    result = encryption.check_envelope(sim, envelope, REPORT, CONTEXT)
    assert not result.ok and words in result.message and result.hint


def test_envelope_other_data_and_not_a_dict() -> None:
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    other = _envelope(kms, key_id, data=b"something else")
    assert "other data" in encryption.check_envelope(sim, other, REPORT, CONTEXT).message
    assert "should be a dict" in encryption.check_envelope(sim, [1, 2], REPORT, CONTEXT).message


# ------------------------------------------------------------------------------------- 03: rotation
# Rotation periods: https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html


def test_rotation_right_and_wrong() -> None:
    sim = kmssim.Simulator(seed=8)
    kms = sim.client("kms")
    alias = "alias/reports"
    assert "no alias" in clock.check_rotation(sim, alias, 90, 2).message
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    assert "off" in clock.check_rotation(sim, alias, 90, 2).message
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=120)
    wrong_period = clock.check_rotation(sim, alias, 90, 2)
    assert (
        not wrong_period.ok and "120" in wrong_period.message and "RotationPeriodInDays" in wrong_period.hint
    )
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    sim.advance(days=90)
    once = clock.check_rotation(sim, alias, 90, 2)
    assert not once.ok and "1 time" in once.message and "sim.advance" in once.hint
    sim.advance(days=90)
    assert clock.check_rotation(sim, alias, 90, 2).ok


# ------------------------------------------------------------------------------------- 04: through IAM
# The default key policy delegates to IAM: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html


def _learner_world() -> tuple[kmssim.Simulator, Any, str, str, dict[str, Any]]:
    sim = kmssim.Simulator(seed=9)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]
    learner = sim.add_principal("arn:aws:iam::111122223333:user/learner")
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    policy["Statement"].append(
        {"Effect": "Deny", "Principal": {"AWS": learner}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(policy))
    iam = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": key["Arn"]}],
    }
    sim.add_principal(learner, policies=[iam])
    return sim, kms, key["KeyId"], learner, policy


def test_allowed_by_iam_right() -> None:
    sim, _kms, key_id, learner, _policy = _learner_world()
    iam = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}],
    }
    sim.add_principal(learner, policies=[iam])
    assert permissions.check_allowed_by_iam(sim, learner, "kms:DescribeKey", key_id, "kms:Decrypt").ok


def test_allowed_by_iam_not_yet_and_by_the_key_policy() -> None:
    sim, kms, key_id, learner, policy = _learner_world()
    nothing = permissions.check_allowed_by_iam(sim, learner, "kms:DescribeKey", key_id, "kms:Decrypt")
    assert not nothing.ok and "still refused" in nothing.message and "IAM policy" in nothing.hint
    policy["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": learner}, "Action": "kms:DescribeKey", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    by_key_policy = permissions.check_allowed_by_iam(sim, learner, "kms:DescribeKey", key_id, "kms:Decrypt")
    assert not by_key_policy.ok and "key policy" in by_key_policy.message


def test_allowed_by_iam_but_the_deny_is_gone() -> None:
    sim, kms, key_id, learner, policy = _learner_world()
    policy["Statement"] = [s for s in policy["Statement"] if s["Effect"] != "Deny"]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    iam = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    sim.add_principal(learner, policies=[iam])
    result = permissions.check_allowed_by_iam(sim, learner, "kms:DescribeKey", key_id, "kms:Decrypt")
    assert not result.ok and "explicit deny should still apply" in result.message
    other = permissions.check_allowed_by_iam(
        sim, "arn:aws:iam::111122223333:user/x", "kms:DescribeKey", key_id, "x"
    )
    assert not other.ok and "not a principal" in other.message
