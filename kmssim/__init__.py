"""kmssim: an in-process, deterministic AWS KMS simulator for learning KMS and planning its cost.

>>> import kmssim
>>> sim = kmssim.Simulator(seed=7)
>>> kms = sim.client("kms")
>>> key_id = kms.create_key()["KeyMetadata"]["KeyId"]
>>> blob = kms.encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
>>> kms.decrypt(CiphertextBlob=blob)["Plaintext"]
b'hi'

Public modules: :mod:`kmssim.policy` (the permission engine), :mod:`kmssim.pricing` (prices, estimates, bills,
quotas), :mod:`kmssim.choices` (the readings taken where AWS is silent), :mod:`kmssim.apps` and
:mod:`kmssim.course`. ``import kmssim`` loads only the error classes and the choices; every other name is
imported on first use (PEP 562), so pandas, matplotlib, ipywidgets and botocore come only with a feature that
needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import _errors, choices
from ._errors import *  # noqa: F403 - every KMS error class, as _errors.__all__ lists them

if TYPE_CHECKING:
    from . import policy, pricing
    from ._front import ServiceNotSimulatedError, mock
    from ._models import KeySummary
    from ._simulator import Simulator
    from ._trail import AuditEvent, Trail
    from ._usage import (
        CloudTrailFormatError,
        CloudTrailLog,
        Finding,
        Infrastructure,
        Replay,
        read_cloudformation,
        read_cloudtrail,
        read_infrastructure,
        read_terraform_plan,
        sample_cloudtrail,
    )
    from .policy import Decision, UnknownActionError, evaluate
    from .pricing import (
        DataFileError,
        Estimate,
        EstimateInputError,
        PricingTable,
        QuotaReport,
        QuotaTable,
        bill_from_usage,
        estimate,
        load_pricing,
        load_quotas,
        price_class,
        quota_check,
        quota_limits_for,
        scenarios,
        sweep,
    )

__version__ = "0.1.0"

#: Where each lazily imported name lives (a module relative to this package).
_HOMES: dict[str, str] = {
    "._simulator": "Simulator",
    "._front": "ServiceNotSimulatedError mock",
    "._models": "KeySummary",
    "._trail": "AuditEvent Trail",
    ".policy": "Decision UnknownActionError evaluate",
    ".pricing": "DataFileError Estimate EstimateInputError PricingTable QuotaReport QuotaTable bill_from_usage "
    "estimate load_pricing load_quotas price_class quota_check quota_limits_for scenarios sweep",
    "._usage": "CloudTrailFormatError CloudTrailLog Finding Infrastructure Replay read_cloudformation "
    "read_cloudtrail read_infrastructure read_terraform_plan sample_cloudtrail",
}
_HOME_OF: dict[str, str] = {name: home for home, names in _HOMES.items() for name in names.split()}
#: Public submodules, importable as attributes (``kmssim.policy.evaluate`` after ``import kmssim``).
_SUBMODULES = frozenset({"apps", "course", "policy", "pricing"})

__all__ = [
    "AuditEvent",
    "CloudTrailFormatError",
    "CloudTrailLog",
    "DataFileError",
    "Decision",
    "Estimate",
    "EstimateInputError",
    "Finding",
    "Infrastructure",
    "KeySummary",
    "PricingTable",
    "QuotaReport",
    "QuotaTable",
    "Replay",
    "ServiceNotSimulatedError",
    "Simulator",
    "Trail",
    "UnknownActionError",
    "bill_from_usage",
    "choices",
    "estimate",
    "evaluate",
    "load_pricing",
    "load_quotas",
    "mock",
    "policy",
    "price_class",
    "pricing",
    "quota_check",
    "quota_limits_for",
    "read_cloudformation",
    "read_cloudtrail",
    "read_infrastructure",
    "read_terraform_plan",
    "sample_cloudtrail",
    "scenarios",
    "sweep",
]
__all__ += _errors.__all__


# Hidden from type checkers, so that a misspelt name is an error there rather than an ``object``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """Import a public name's module on first use and keep the name here (PEP 562)."""
        if name in _SUBMODULES:
            return importlib.import_module(f".{name}", __name__)
        home = _HOME_OF.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
