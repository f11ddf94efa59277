"""Documented workload presets (``data/scenarios.json``): an estimate, a quota check and a cost lever each.

>>> from kmssim import scenarios
>>> scenarios.names()                                   # doctest: +SKIP
>>> s = scenarios.load("s3-sse-kms"); s.estimate().total, s.estimate_with_lever().total   # doctest: +SKIP

Workload numbers are each preset's stated assumptions; prices and limits come from the data tables.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._errors import DataFileError
from ._estimate import Estimate, estimate
from ._inputs import HoursConvention, parse_month
from ._paths import data_file
from ._quotas import QuotaReport, quota_check
from ._tables import PricingTable, QuotaTable

__all__ = ["Scenario", "load", "load_all", "names"]

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SCENARIO_FIELDS = {
    "name": str,
    "title": str,
    "description": str,
    "month": str,
    "assumptions": list,
    "sources": list,
    "keys": list,
    "requests": list,
    "rates": list,
    "lever": dict,
}
_LEVER_FIELDS = {
    "title": str,
    "text": str,
    "sources": list,
    "assumptions": list,
    "keys": list,
    "requests": list,
    "rates": list,
}


@dataclass(frozen=True, eq=False)
class Scenario:
    """One workload preset. ``lever`` is the text of the change that cuts its cost."""

    name: str
    title: str
    description: str
    month: str
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    keys: tuple[Mapping[str, Any], ...]
    requests: tuple[Mapping[str, Any], ...]
    rates: tuple[Mapping[str, Any], ...]
    lever: str
    lever_title: str
    lever_sources: tuple[str, ...]
    lever_assumptions: tuple[str, ...]
    lever_keys: tuple[Mapping[str, Any], ...]
    lever_requests: tuple[Mapping[str, Any], ...]
    lever_rates: tuple[Mapping[str, Any], ...]

    def __repr__(self) -> str:
        return f"<Scenario {self.name}: {self.title}>"

    def estimate(
        self,
        *,
        free_tier: bool = True,
        hours: HoursConvention = "calendar",
        pricing: PricingTable | None = None,
    ) -> Estimate:
        """The preset's monthly estimate."""
        return self._estimate(self.keys, self.requests, free_tier, hours, pricing)

    def estimate_with_lever(
        self,
        *,
        free_tier: bool = True,
        hours: HoursConvention = "calendar",
        pricing: PricingTable | None = None,
    ) -> Estimate:
        """The estimate once the lever is applied."""
        return self._estimate(self.lever_keys, self.lever_requests, free_tier, hours, pricing)

    def _estimate(
        self,
        keys: tuple[Mapping[str, Any], ...],
        requests: tuple[Mapping[str, Any], ...],
        free_tier: bool,
        hours: HoursConvention,
        pricing: PricingTable | None,
    ) -> Estimate:
        return estimate(
            copy.deepcopy(list(keys)),
            copy.deepcopy(list(requests)),
            month=self.month,
            free_tier=free_tier,
            hours=hours,
            pricing=pricing,
        )

    def saving(self, *, pricing: PricingTable | None = None) -> Decimal:
        """Monthly USD saved by the lever."""
        return self.estimate(pricing=pricing).total - self.estimate_with_lever(pricing=pricing).total

    def quota_check(self, quotas: QuotaTable | None = None) -> QuotaReport:
        """The preset's peak rates against the request quotas."""
        return quota_check(copy.deepcopy(list(self.rates)), quotas)

    def quota_check_with_lever(self, quotas: QuotaTable | None = None) -> QuotaReport:
        """The peak rates once the lever is applied."""
        return quota_check(copy.deepcopy(list(self.lever_rates)), quotas)

    def _repr_html_(self) -> str:
        before, after = self.estimate(), self.estimate_with_lever()
        items = "".join(f"<li>{html.escape(a)}</li>" for a in self.assumptions)
        return (
            f"<div class='kmssim-scenario'><h4>{html.escape(self.title)}</h4>"
            f"<p>{html.escape(self.description)}</p>"
            f"<ul>{items}</ul><p><b>Estimate {html.escape(self.month)}:</b> ${before.total:,}; "
            f"<b>with lever</b> ({html.escape(self.lever_title)}): ${after.total:,}</p>"
            f"<p>{html.escape(self.lever)}</p></div>"
        )


def _check_fields(path: Path, where: str, obj: object, spec: Mapping[str, type]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise DataFileError(path, where, f"expected an object, got {type(obj).__name__}")
    for key in obj:
        if key not in spec:
            raise DataFileError(path, where, f"unknown field {key!r}; expected {sorted(spec)}")
    for key, kind in spec.items():
        if key not in obj:
            raise DataFileError(path, where, f"missing field {key!r}")
        if not isinstance(obj[key], kind):
            raise DataFileError(path, where, f"field {key!r} must be a {kind.__name__}")
    for key in ("assumptions", "sources"):
        values = obj[key]
        if not all(isinstance(v, str) and v for v in values):
            raise DataFileError(path, where, f"field {key!r} must list non-empty strings")
    if not all(v.startswith("https://") for v in obj["sources"]) or not obj["sources"]:
        raise DataFileError(path, where, "field 'sources' must list https URLs")
    return obj


def load_all(path: str | Path | None = None) -> dict[str, Scenario]:
    """Load and validate every preset of ``data/scenarios.json`` (or ``path``), by name.

    Each preset is run once (estimate and quota check, with and without the lever) so a bad preset fails
    here with the file, the preset and the problem."""
    file = data_file("scenarios.json") if path is None else Path(path)
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError(file, "file", f"cannot be read: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise DataFileError(file, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from exc
    if (
        not isinstance(document, dict)
        or document.get("version") != 1
        or not isinstance(document.get("scenarios"), list)
    ):
        raise DataFileError(file, "top level", 'expected an object with "version": 1 and a "scenarios" list')
    out: dict[str, Scenario] = {}
    for i, raw in enumerate(document["scenarios"]):
        where = f"scenario #{i + 1}"
        obj = _check_fields(file, where, raw, _SCENARIO_FIELDS)
        name = obj["name"]
        where = f"scenario #{i + 1} ({name!r})"
        if not isinstance(name, str) or not _SLUG.fullmatch(name):
            raise DataFileError(file, where, "field 'name' must be lower-case words joined by '-'")
        if name in out:
            raise DataFileError(file, where, f"duplicate scenario name {name!r}")
        try:
            parse_month(obj["month"])
        except ValueError as exc:
            raise DataFileError(file, where, str(exc)) from None
        lever = _check_fields(file, f"{where} lever", obj["lever"], _LEVER_FIELDS)
        scenario = Scenario(
            name=name,
            title=obj["title"],
            description=obj["description"],
            month=obj["month"],
            assumptions=tuple(obj["assumptions"]),
            sources=tuple(obj["sources"]),
            keys=tuple(obj["keys"]),
            requests=tuple(obj["requests"]),
            rates=tuple(obj["rates"]),
            lever=lever["text"],
            lever_title=lever["title"],
            lever_sources=tuple(lever["sources"]),
            lever_assumptions=tuple(lever["assumptions"]),
            lever_keys=tuple(lever["keys"]),
            lever_requests=tuple(lever["requests"]),
            lever_rates=tuple(lever["rates"]),
        )
        try:
            scenario.estimate()
            scenario.estimate_with_lever()
            scenario.quota_check()
            scenario.quota_check_with_lever()
            saving = scenario.saving()
        except ValueError as exc:
            raise DataFileError(file, where, str(exc)) from None
        if saving <= 0:
            raise DataFileError(
                file, where, f"the lever must lower the monthly cost; it changes it by {-saving} USD"
            )
        out[name] = scenario
    return out


_CACHE: dict[str, dict[str, Scenario]] = {}


def _default() -> dict[str, Scenario]:
    if "default" not in _CACHE:
        _CACHE["default"] = load_all()
    return _CACHE["default"]


def names() -> list[str]:
    """Names of the bundled presets, in file order."""
    return list(_default())


def load(name: str, path: str | Path | None = None) -> Scenario:
    """One preset by name (from ``path`` if given). KeyError-free: unknown names raise ValueError."""
    presets = _default() if path is None else load_all(path)
    if not isinstance(name, str) or name not in presets:
        raise ValueError(f"unknown scenario {name!r}; expected one of {list(presets)}")
    return presets[name]
