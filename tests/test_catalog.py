"""The operation catalog and the key-spec table against botocore's KMS model, and the registry of handlers.

Every table about operations is derived from ``kmssim._catalog``; these tests check the catalog itself: one row
per operation of the model, every handler registered once under a catalog name with its API page named, and the
key-spec table matching the model's enums.
"""

from __future__ import annotations

import inspect

import botocore.session
import pytest

from kmssim import _catalog, _keyspecs
from kmssim._ops import HANDLERS, operation

MODEL = botocore.session.get_session().get_service_model("kms")


def test_one_row_per_operation_of_the_model() -> None:
    assert set(_catalog.OPERATIONS) == set(MODEL.operation_names)


def test_key_specs_and_pair_specs_are_the_models() -> None:
    assert list(_keyspecs.ALL_KEY_SPECS) != []
    assert set(_keyspecs.ALL_KEY_SPECS) == set(MODEL.shape_for("KeySpec").enum)
    assert set(_keyspecs.DATA_KEY_PAIR_SPECS) == set(MODEL.shape_for("DataKeyPairSpec").enum)
    usages = set(MODEL.shape_for("KeyUsageType").enum)
    assert {u for s in _keyspecs.ALL_KEY_SPECS.values() for u in s.usages} <= usages


def test_grant_operations_are_the_models_enum() -> None:
    assert set(MODEL.shape_for("GrantOperation").enum) == _catalog.GRANT_OPERATIONS


def test_alias_operations_take_a_key_id() -> None:
    """An operation that accepts an alias has a KeyId member (API reference, KeyId of each operation)."""
    for name in _catalog.ALIAS_OPERATIONS:
        members = MODEL.operation_model(name).input_shape.members
        assert "KeyId" in members or "DestinationKeyId" in members, name


def test_keyless_operations_require_no_key() -> None:
    """Keyless operations (governed by IAM policies alone) require no key; ListAliases may filter by one."""
    for name in _catalog.KEYLESS_OPERATIONS:
        shape = MODEL.operation_model(name).input_shape
        required = set(shape.required_members) if shape is not None else set()
        assert not required & {"KeyId", "TargetKeyId", "DestinationKeyId"}, name
    for name in set(_catalog.OPERATIONS) - _catalog.KEYLESS_OPERATIONS:
        shape = MODEL.operation_model(name).input_shape
        assert shape is not None and set(shape.members) & {
            "KeyId",
            "TargetKeyId",
            "AliasName",
            "CiphertextBlob",
        }, name


def test_context_operations_take_an_encryption_context() -> None:
    for name in _catalog.CONTEXT_OPERATIONS:
        members = MODEL.operation_model(name).input_shape.members
        assert any("EncryptionContext" in m for m in members), name


def test_every_handler_is_registered_once_and_names_its_api_page() -> None:
    assert HANDLERS, "no handler registered"
    for name, fn in HANDLERS.items():
        assert name in _catalog.OPERATIONS
        doc = inspect.getdoc(fn) or ""
        assert doc.startswith(f"API_{name}"), f"{fn.__qualname__}: docstring must name API_{name}"


def test_the_registry_refuses_unknown_names_and_second_handlers() -> None:
    with pytest.raises(ValueError, match="not an operation"):
        operation("Encrpyt")
    with pytest.raises(ValueError, match="two handlers"):
        operation("Encrypt")(lambda kms, req: {})
