"""Responses real AWS was recorded returning, replayed against kmssim (issue 10, "AWS fidelity found by replaying
recordings of real AWS").

Sources: LocalStack's KMS snapshot tests (``tests/aws/services/kms/test_kms.snapshot.json``), recorded against real
AWS; the snapshot key of each case is named in its test. The two alias messages come from another emulator's test
suite (moto's ``test__create_alias__raises_if_...``), AWS's documented behaviour being the refusal itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim
from kmssim import _front


def _raw_error(kms: Any, call: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """The error code and the raw JSON body kmssim put on the wire for a failing call."""
    bodies: list[bytes] = []
    serve = _front.serve

    def spy(*args: Any, **kwargs: Any) -> Any:
        http, parsed = serve(*args, **kwargs)
        bodies.append(http.content)
        return http, parsed

    _front.serve = spy
    try:
        with pytest.raises(ClientError) as exc_info:
            getattr(kms, call)(**params)
    finally:
        _front.serve = serve
    return str(exc_info.value.response["Error"]["Code"]), json.loads(bodies[-1])


@pytest.fixture
def kms() -> Any:
    return kmssim.Simulator(seed=3).client("kms")


def test_invalid_ciphertext_has_no_message_member(kms: Any) -> None:
    """``test_encrypt_decrypt_encryption_context`` / ``decrypt_response_without_encryption_context``: bare."""
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"a": "b"})["CiphertextBlob"]
    code, body = _raw_error(kms, "decrypt", CiphertextBlob=blob)
    assert code == "InvalidCiphertextException"
    assert body == {"__type": "InvalidCiphertextException"}


def test_invalid_signature_has_no_message_member(kms: Any) -> None:
    """``test_sign_verify[RSA_2048-RSASSA_PSS_SHA_256]`` / ``bad-signature``: bare."""
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    other = kms.sign(KeyId=key, Message=b"bad", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    code, body = _raw_error(
        kms, "verify", KeyId=key, Message=b"good", Signature=other, SigningAlgorithm="RSASSA_PSS_SHA_256"
    )
    assert (code, body) == ("KMSInvalidSignatureException", {"__type": "KMSInvalidSignatureException"})


def test_invalid_mac_has_no_message_member(kms: Any) -> None:
    """``test_invalid_verify_mac[HMAC_256-HMAC_SHA_256-some different important message]``: bare."""
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = kms.generate_mac(KeyId=key, Message=b"a", MacAlgorithm="HMAC_SHA_256")["Mac"]
    code, body = _raw_error(kms, "verify_mac", KeyId=key, Message=b"b", Mac=mac, MacAlgorithm="HMAC_SHA_256")
    assert (code, body) == ("KMSInvalidMacException", {"__type": "KMSInvalidMacException"})


def test_rotate_key_on_demand_on_an_asymmetric_key_is_bare(kms: Any) -> None:
    """``test_rotate_key_on_demand_raises_error_given_non_symmetric_key`` / ``error-response`` (RSA_4096)."""
    key = kms.create_key(KeySpec="RSA_4096", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    code, body = _raw_error(kms, "rotate_key_on_demand", KeyId=key)
    assert (code, body) == ("UnsupportedOperationException", {"__type": "UnsupportedOperationException"})


def test_errors_with_a_message_keep_it(kms: Any) -> None:
    """A recorded error with a message still carries it: ``... is disabled.`` for a disabled key."""
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    code, body = _raw_error(kms, "encrypt", KeyId=key["KeyId"], Plaintext=b"x")
    assert code == "DisabledException"
    assert body == {"__type": "DisabledException", "message": f"{key['Arn']} is disabled."}


def test_mac_algorithm_enum_in_aws_order(kms: Any) -> None:
    """``test_invalid_generate_mac[HMAC_256-INVALID]`` / ``generate-mac``: AWS's order, not the model's."""
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as exc_info:
        kms.generate_mac(KeyId=key, Message=b"a", MacAlgorithm="INVALID")
    assert exc_info.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]"
    )


def test_key_usage_and_key_spec_enums_start_in_aws_order(kms: Any) -> None:
    """``test_hmac_create_key_invalid_operations``: the recorded values first, in AWS's order; newer ones after."""
    with pytest.raises(ClientError) as exc_info:
        kms.create_key(KeyUsage="INVALID")
    listed = exc_info.value.response["Error"]["Message"].split("[", 1)[1].rstrip("]").split(", ")
    assert listed[:3] == ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"]
    with pytest.raises(ClientError) as exc_info:
        kms.create_key(KeySpec="INVALID")
    listed = exc_info.value.response["Error"]["Message"].split("[", 1)[1].rstrip("]").split(", ")
    assert listed[:12] == [
        "RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256", "ECC_NIST_P521", "HMAC_384", "RSA_3072",
        "ECC_SECG_P256K1", "RSA_4096", "SYMMETRIC_DEFAULT", "HMAC_256", "HMAC_224", "HMAC_512",
    ]  # fmt: skip
    assert "ML_DSA_44" in listed[12:]


def test_create_alias_with_a_colon(kms: Any) -> None:
    """moto ``test__create_alias__raises_if_alias_has_restricted_characters_semicolon``."""
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as exc_info:
        kms.create_alias(AliasName="alias/my:alias", TargetKeyId=key)
    error = exc_info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "alias/my:alias contains invalid characters for an alias",
    )


@pytest.mark.parametrize("target", ["alias/my-alias", "arn:aws:kms:us-east-1:111122223333:alias/my-alias"])
def test_alias_target_that_is_an_alias(kms: Any, target: str) -> None:
    """moto ``test__create_alias__raises_if_target_key_id_is_existing_alias``; UpdateAlias likewise."""
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/my-alias", TargetKeyId=key)
    for call, name in (("create_alias", "alias/other"), ("update_alias", "alias/my-alias")):
        with pytest.raises(ClientError) as exc_info:
            getattr(kms, call)(AliasName=name, TargetKeyId=target)
        error = exc_info.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "ValidationException",
            "Aliases must refer to keys. Not aliases",
        )
