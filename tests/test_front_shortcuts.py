"""The two pieces of botocore's per-call work a simulator's client skips, and why it changes nothing a user sees.

A client from ``Simulator.client`` resolves its endpoint once (KMS's endpoint rule set reads only client
settings) and skips botocore's ``ParamValidator`` on parameters a compiled check proves it would pass; every
``ParamValidationError`` is still botocore's own. See ``kmssim/_front.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidator
from hypothesis import given, settings
from hypothesis import strategies as st

import kmssim
from kmssim import _front
from kmssim._validation import botocore_accepts

_MODEL = botocore.session.Session().get_service_model("kms")


def _plain_client() -> Any:
    """A botocore KMS client exactly as botocore makes it: nothing of kmssim's."""
    return botocore.session.Session().create_client(
        "kms", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )


def test_kms_endpoint_rule_set_reads_no_operation_parameter() -> None:
    # The premise of resolving once: no KMS operation feeds the rule set (no static, dynamic or operation
    # context parameters) and the service has no client context parameters.
    assert _front.endpoint_is_per_client(_MODEL)


def test_the_endpoint_resolved_once_is_the_one_botocore_resolves_for_every_operation() -> None:
    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms", region_name="eu-west-2")
    kms.list_keys()
    ours = kms._ruleset_resolver.construct_endpoint(
        operation_model=_MODEL.operation_model("Encrypt"), call_args={}, request_context={}
    )
    plain = botocore.session.Session().create_client(
        "kms", region_name="eu-west-2", aws_access_key_id="a", aws_secret_access_key="b"
    )
    for name in _MODEL.operation_names:
        theirs = plain._ruleset_resolver.construct_endpoint(
            operation_model=_MODEL.operation_model(name), call_args={}, request_context={}
        )
        assert theirs == ours, name
    assert ours.url == "https://kms.eu-west-2.amazonaws.com"


def test_a_failed_endpoint_resolution_is_not_kept() -> None:
    kms = kmssim.Simulator(seed=1).client("kms")
    calls: list[str] = []

    def flaky(**_: Any) -> None:  # a real botocore hook on the resolution itself
        calls.append("resolve")
        if len(calls) == 1:
            raise RuntimeError("resolution failed")

    kms.meta.events.register("before-endpoint-resolution.kms", flaky)
    with pytest.raises(RuntimeError, match="resolution failed"):
        kms.list_keys()
    kms.list_keys()  # resolved again, and now kept
    kms.list_keys()
    assert calls == ["resolve", "resolve"]


def test_the_client_sends_a_fixed_user_agent() -> None:
    kms = kmssim.Simulator(seed=1).client("kms")
    assert kms.meta.config.user_agent == _front.USER_AGENT


# ------------------------------------------------------------------------------------ parameter validation


@pytest.mark.parametrize(
    "params",
    [
        {},  # missing KeyId and Plaintext
        {"KeyId": 123, "Plaintext": b"x"},
        {"KeyId": "", "Plaintext": b"x"},  # shorter than the model's min
        {"KeyId": "alias/a", "Plaintext": b"x", "Bogus": 1},
        {"KeyId": "alias/a", "Plaintext": b"x", "EncryptionContext": {"a": 1}},
        {"KeyId": "alias/a", "Plaintext": b"x", "GrantTokens": "not-a-list"},
        {"KeyId": None, "Plaintext": b"x"},
    ],
)
def test_every_parameter_error_is_botocores_own(params: dict[str, Any]) -> None:
    kms = kmssim.Simulator(seed=1).client("kms")
    with pytest.raises(ParamValidationError) as ours:
        kms.encrypt(**params)
    with pytest.raises(ParamValidationError) as theirs:
        _plain_client().encrypt(**params)
    assert str(ours.value) == str(theirs.value)


def test_values_botocore_accepts_but_the_check_does_not_vouch_for_still_pass() -> None:
    # A bytearray plaintext is valid for botocore; its validator decides it.
    kms = kmssim.Simulator(seed=1).client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert not botocore_accepts(_MODEL.operation_model("Encrypt").input_shape)(
        {"KeyId": key, "Plaintext": bytearray(b"x")}
    )
    blob = kms.encrypt(KeyId=key, Plaintext=bytearray(b"x"))["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_the_usual_calls_take_the_shortcut() -> None:
    accepts = botocore_accepts
    assert accepts(_MODEL.operation_model("Encrypt").input_shape)(
        {"KeyId": "alias/a", "Plaintext": b"x", "EncryptionContext": {"purpose": "bench"}}
    )
    assert accepts(_MODEL.operation_model("Decrypt").input_shape)({"CiphertextBlob": b"x" * 40})
    assert accepts(_MODEL.operation_model("GenerateDataKey").input_shape)(
        {"KeyId": "alias/a", "NumberOfBytes": 32, "GrantTokens": ["t"], "DryRun": False}
    )


def _values(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a shape: mostly of the right type and around its minimum, sometimes of another type."""
    wrong = st.sampled_from(
        [None, 1, True, 1.5, "s", b"b", bytearray(b"b"), [], (), {}, dt.datetime(2026, 1, 1)]
    )
    t, lo = shape.type_name, shape.metadata.get("min", 0)
    right: st.SearchStrategy[Any]
    if t == "string":
        right = (
            st.text(min_size=max(lo - 1, 0), max_size=lo + 3)
            if not shape.enum
            else st.sampled_from(list(shape.enum))
        )
    elif t == "blob":
        right = st.binary(max_size=lo + 2)
    elif t in ("integer", "long"):
        right = st.integers(min_value=lo - 1 if "min" in shape.metadata else -5, max_value=lo + 8)
    elif t == "boolean":
        right = st.booleans()
    elif t == "list" and depth < 4:
        right = st.lists(_values(shape.member, depth + 1), min_size=max(lo - 1, 0), max_size=lo + 2)
    elif t == "map" and depth < 4:
        keys = st.one_of(st.text(max_size=3), st.sampled_from([1, None, b"b", True]))  # hashable ones
        right = st.dictionaries(keys, _values(shape.value, depth + 1), max_size=3)
    elif t == "structure" and depth < 4:
        members = {name: _values(m, depth + 1) for name, m in shape.members.items()}
        required = shape.metadata.get("required", [])
        with_required = st.fixed_dictionaries(
            {name: members[name] for name in required},
            optional={name: m for name, m in members.items() if name not in required},
        )
        right = st.one_of(
            with_required, st.fixed_dictionaries({}, optional=members | {"Unknown": st.just(1)})
        )
    else:
        right = wrong
    return st.one_of(*[right] * 8, wrong)


_INPUT_SHAPES = [
    _MODEL.operation_model(name).input_shape
    for name in sorted(_MODEL.operation_names)
    if _MODEL.operation_model(name).input_shape is not None
]


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_what_the_check_vouches_for_botocore_passes(data: st.DataObject) -> None:
    shape = data.draw(st.sampled_from(_INPUT_SHAPES))
    params = data.draw(_values(shape))
    if botocore_accepts(shape)(params):
        assert not ParamValidator().validate(params, shape).has_errors()


def test_a_client_without_botocores_validator_is_left_as_it_is() -> None:
    # Only botocore's own ParamValidator is replaced; a client made with validation off has none to replace.
    client = _front._session().create_client(
        "kms",
        region_name="us-east-1",
        config=Config(parameter_validation=False),
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    _front.validate_proven_params_once(client)
    assert not hasattr(client._serializer, "_param_validator")
