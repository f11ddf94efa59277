"""kmssim._validation: the one validator and the one helper that words KMS's "validation error detected"."""

from __future__ import annotations

import pytest

from kmssim import ValidationException
from kmssim._validation import (
    constraint_failure,
    copy_params,
    operation_model,
    validate_params,
    validation_error,
    validation_message,
)


def _message(operation: str, params: dict[str, object]) -> str:
    with pytest.raises(ValidationException) as caught:
        validate_params(operation_model(operation).input_shape, params)
    return caught.value.message


def test_validation_error_words_one_failure_as_kms_does() -> None:
    error = validation_error(1025, "numberOfBytes", "Member must have value less than or equal to 1024")
    assert isinstance(error, ValidationException)
    assert error.message == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value less than or equal to 1024"
    )


def test_validation_error_without_the_value_and_with_bytes() -> None:
    hidden = validation_error(None, "policy", "Member must satisfy regular expression pattern: x+")
    assert hidden.message == (
        "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: x+"
    )
    blob = validation_error(b"abc", "ciphertextBlob", "Member must have length less than or equal to 2")
    assert blob.message.startswith(
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]' at 'ciphertextBlob'"
    )


def test_validation_message_counts_and_joins() -> None:
    one = constraint_failure("Value '0'", "limit", "Member must have value greater than or equal to 1")
    two = constraint_failure("Value", "grantTokens", "Member must have length less than or equal to 10")
    assert validation_message([one]) == "1 validation error detected: " + one
    assert validation_message([one, two]) == "2 validation errors detected: " + one + "; " + two


def test_the_validator_words_several_failures_in_kms_order() -> None:
    message = _message(
        "Encrypt",
        {"KeyId": "k" * 2049, "Plaintext": b"x", "EncryptionAlgorithm": "NOPE", "GrantTokens": ["t"] * 11},
    )
    assert message == (
        f"3 validation errors detected: Value '{'k' * 2049}' at 'keyId' failed to satisfy constraint: Member "
        "must have length less than or equal to 2048; Value at 'grantTokens' failed to satisfy constraint: "
        "Member must have length less than or equal to 10; Value 'NOPE' at 'encryptionAlgorithm' failed to "
        "satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, "
        "RSAES_OAEP_SHA_256, SM2PKE]"
    )


def test_the_validator_names_nested_paths_and_hides_secrets() -> None:
    message = _message("Encrypt", {"KeyId": "k", "Plaintext": b"x" * 4097, "GrantTokens": ["t" * 8193]})
    assert message == (
        "2 validation errors detected: Value at 'plaintext' failed to satisfy constraint: Member must have "
        "length less than or equal to 4096; Value at 'grantTokens.1.member' failed to satisfy constraint: "
        "Member must have length less than or equal to 8192"
    )


def test_valid_parameters_pass_and_none_is_not_checked() -> None:
    validate_params(
        operation_model("Encrypt").input_shape, {"KeyId": "k", "Plaintext": b"x", "GrantTokens": None}
    )
    validate_params(None, {"anything": 1})


def test_copy_params_copies_containers_and_keeps_plain_values() -> None:
    ba = bytearray(b"x")
    nested = {"a": [1, ("é", b"b")], "c": ba, "d": None, "e": True}
    out = copy_params(nested)
    assert out == {"a": [1, ["é", b"b"]], "c": bytearray(b"x"), "d": None, "e": True}
    assert out is not nested and out["a"] is not nested["a"] and out["c"] is not ba


def test_copy_params_refuses_deep_values_with_the_helpers_wording() -> None:
    deep: dict[str, object] = {}
    inner = deep
    for _ in range(40):
        inner["k"] = {}
        inner = inner["k"]  # type: ignore[assignment]
    with pytest.raises(ValidationException) as caught:
        copy_params(deep)
    assert caught.value.message.startswith("1 validation error detected: Value at 'k.k.k.k")
    assert caught.value.message.endswith(
        "failed to satisfy constraint: Member must not be nested more than 32 levels deep"
    )
