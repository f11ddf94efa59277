"""Hypothesis properties of the simulator as a whole."""

from __future__ import annotations

import contextlib
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim
from kmssim._ops import operation_names


def _world() -> tuple[kmssim.Simulator, Any, str, str]:
    """A seeded simulator with a symmetric key (alias/prop) and an RSA key; the same IDs on every call."""
    sim = kmssim.Simulator(seed=123)
    kms = sim.client("kms")
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/prop", TargetKeyId=sym)
    return sim, kms, sym, rsa


_SIM, _KMS, _SYM, _RSA = _world()

contexts = st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=12), max_size=4)
plaintexts = st.binary(min_size=1, max_size=300)
_FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(plaintext=plaintexts, context=contexts, via_alias=st.booleans())
def test_symmetric_round_trip(plaintext: bytes, context: dict[str, str], via_alias: bool) -> None:
    key = "alias/prop" if via_alias else _SYM
    blob = _KMS.encrypt(KeyId=key, Plaintext=plaintext, EncryptionContext=context)["CiphertextBlob"]
    assert _KMS.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == plaintext


@_FAST
@given(
    plaintext=st.binary(min_size=1, max_size=190),
    algorithm=st.sampled_from(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
)
def test_rsa_round_trip(plaintext: bytes, algorithm: str) -> None:
    blob = _KMS.encrypt(KeyId=_RSA, Plaintext=plaintext, EncryptionAlgorithm=algorithm)["CiphertextBlob"]
    out = _KMS.decrypt(CiphertextBlob=blob, KeyId=_RSA, EncryptionAlgorithm=algorithm)
    assert out["Plaintext"] == plaintext


@_FAST
@given(plaintext=plaintexts, context=contexts, data=st.data())
def test_any_flipped_bit_is_invalid_ciphertext(
    plaintext: bytes, context: dict[str, str], data: st.DataObject
) -> None:
    blob = bytearray(
        _KMS.encrypt(KeyId=_SYM, Plaintext=plaintext, EncryptionContext=context)["CiphertextBlob"]
    )
    bit = data.draw(st.integers(0, len(blob) * 8 - 1))
    blob[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(_KMS.exceptions.InvalidCiphertextException):
        _KMS.decrypt(CiphertextBlob=bytes(blob), EncryptionContext=context)


@_FAST
@given(plaintext=plaintexts, context=contexts, other=contexts)
def test_any_other_context_is_invalid_ciphertext(
    plaintext: bytes, context: dict[str, str], other: dict[str, str]
) -> None:
    if other == context:
        return
    blob = _KMS.encrypt(KeyId=_SYM, Plaintext=plaintext, EncryptionContext=context)["CiphertextBlob"]
    with pytest.raises(_KMS.exceptions.InvalidCiphertextException):
        _KMS.decrypt(CiphertextBlob=blob, EncryptionContext=other)


_MODEL = botocore.session.get_session().get_service_model("kms")


def _value(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    t = shape.type_name
    if t == "string":
        if shape.enum:
            return st.one_of(st.sampled_from(list(shape.enum)), st.text(max_size=8))
        return st.one_of(
            st.sampled_from(
                [_SYM, "alias/prop", "alias/aws/s3", "arn:aws:kms:us-east-1:111122223333:key/" + _SYM]
            ),
            st.text(max_size=20),
            st.text(min_size=250, max_size=260),  # beyond some maximum lengths (alias names: 256)
        )
    if t == "blob":
        return st.one_of(st.binary(max_size=64), st.binary(min_size=4090, max_size=4100))
    if t in ("integer", "long"):
        return st.integers(-5, 5000)
    if t == "boolean":
        return st.booleans()
    if t == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=3)
    if t == "map":
        return st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3)
    if t == "structure" and depth < 3:
        members = {n: _value(m, depth + 1) for n, m in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    return st.none()


_OPS = [op for op in operation_names() if op in _MODEL.operation_names]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), op=st.sampled_from(_OPS))
def test_random_parameters_only_ever_give_aws_errors(data: st.DataObject, op: str) -> None:
    shape = _MODEL.operation_model(op).input_shape
    params = data.draw(_value(shape)) if shape is not None else {}
    sim, kms, _, _ = _world()
    with contextlib.suppress(ClientError, ParamValidationError):
        getattr(kms, botocore.xform_name(op))(**{k: v for k, v in params.items() if v is not None})
    with contextlib.suppress(kmssim.KMSError):
        sim.call(op, params)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), op=st.sampled_from(_OPS))
def test_fast_validation_agrees_with_the_worded_one(data: st.DataObject, op: str) -> None:
    from kmssim._validation import _check, _passes

    shape = _MODEL.operation_model(op).input_shape
    if shape is None:
        return
    params = data.draw(_value(shape))
    errors: list[str] = []
    _check(shape, params, "", errors)
    assert _passes(shape)(params) == (not errors)
