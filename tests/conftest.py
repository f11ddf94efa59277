from __future__ import annotations

from typing import Any

import pytest

import kmssim
from kmssim import _front

# Every response the tests see is also parsed by botocore's own JSON parser and compared (see _front.serve).
_front.VERIFY_WITH_BOTOCORE_PARSER = True


@pytest.fixture
def sim() -> kmssim.Simulator:
    return kmssim.Simulator(seed=1)


@pytest.fixture
def kms(sim: kmssim.Simulator) -> Any:
    return sim.client("kms")


@pytest.fixture
def key_id(kms: Any) -> str:
    return str(kms.create_key(Description="test key")["KeyMetadata"]["KeyId"])


def error_code(exc_info: pytest.ExceptionInfo[BaseException]) -> str:
    """The AWS error code of a botocore ClientError."""
    return str(exc_info.value.response["Error"]["Code"])  # type: ignore[attr-defined]


def error_message(exc_info: pytest.ExceptionInfo[BaseException]) -> str:
    return str(exc_info.value.response["Error"]["Message"])  # type: ignore[attr-defined]
