"""Plan from real usage: read CloudTrail's KMS records, price the month, find the busiest second, replay policies.

Sources: CloudTrail record contents (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
KMS log entries (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html), request
quotas (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), pricing
(https://aws.amazon.com/kms/pricing/).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import choices
from .._pricing import (
    OPERATIONS,
    EstimateInputError,
    PricingTable,
    bill_from_usage,
    quota_limits_for,
)
from .._pricing._catalog import DATA_KEY_PAIR_OPERATIONS, KEYLESS_OPERATIONS
from .._pricing._inputs import month_window, parse_month
from .._pricing._paths import data_dir
from .progress import ProgressArg
from .records import COLUMNS, CloudTrailFormatError, read_columns

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from .._pricing import Estimate
    from .replay import Replay

__all__ = [
    "SERVICE_EVENTS",
    "CloudTrailFormatError",
    "CloudTrailLog",
    "read_cloudtrail",
]

#: Events KMS itself starts (eventType AwsServiceEvent): not API requests, so neither billed nor rate-limited
#: (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html).
SERVICE_EVENTS = frozenset(
    {"RotateKey", "DeleteKey", "DeleteExpiredKeyMaterial", "SynchronizeMultiRegionKey"}
)
#: A throttled request is refused before it is served; it does not count toward the quota it broke.
THROTTLED = "ThrottlingException"
#: A key whose spec neither the inventory nor the log gives is assumed SYMMETRIC_DEFAULT, unless it was used
#: with an operation a symmetric key cannot serve: then the cheapest spec that can (the notes list them all).
ASSUMED_SPEC_FOR_OPERATION = {
    "Sign": "RSA_2048",
    "Verify": "RSA_2048",
    "GetPublicKey": "RSA_2048",
    "GenerateMac": "HMAC_256",
    "VerifyMac": "HMAC_256",
    "DeriveSharedSecret": "ECC_NIST_P256",
}

PEAK_COLUMNS = [
    "account",
    "region",
    "quota",
    "operations",
    "peak_per_second",
    "limit_per_second",
    "utilisation",
    "headroom",
    "when",
]


def _rows(frame: pd.DataFrame, *columns: str) -> Iterator[tuple[Any, ...]]:
    """The values of ``columns``, row by row, as Python objects (faster than iterating the frame's rows)."""
    return zip(*(frame[c].tolist() for c in columns), strict=True)


# ----------------------------------------------------------------------------------------------- inventory


def _load_json_arg(value: object) -> object:
    if isinstance(value, str | Path) and not (
        isinstance(value, str) and value.lstrip().startswith(("{", "["))
    ):
        return json.loads(Path(value).read_text())
    if isinstance(value, str):
        return json.loads(value)
    return value


def _parse_time(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)  # the JSON CLI output of DescribeKey: epoch seconds
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def parse_inventory(inventory: object) -> dict[str, dict[str, Any]]:
    """Key ARN (or bare key ID) -> {key_spec, key_manager, created, deletion_date} from DescribeKey output.

    Accepted: DescribeKey responses (``{"KeyMetadata": {...}}``) or KeyMetadata dicts, one or a list; a mapping
    from key ARN/ID to a key spec string or to such a dict; or a path to a JSON file holding any of these.
    """
    data = _load_json_arg(inventory)
    out: dict[str, dict[str, Any]] = {}

    def meta(key: str | None, m: Mapping[str, Any]) -> None:
        m = m.get("KeyMetadata", m) if isinstance(m.get("KeyMetadata"), Mapping) else m
        ident = key or m.get("Arn") or m.get("KeyId")
        if not isinstance(ident, str):
            raise EstimateInputError("keys", dict(m), "DescribeKey output with KeyMetadata.Arn or KeyId")
        spec = m.get("KeySpec") or m.get("CustomerMasterKeySpec") or m.get("key_spec")
        out[ident] = {
            "key_spec": spec,
            "key_manager": m.get("KeyManager"),
            "created": _parse_time(m.get("CreationDate")),
            "deletion_date": _parse_time(m.get("DeletionDate")),
        }

    if data is None:
        return out
    if isinstance(data, Mapping) and ("KeyMetadata" in data or "KeyId" in data or "Arn" in data):
        meta(None, data)
    elif isinstance(data, Mapping):
        for k, v in data.items():
            if isinstance(v, str):
                out[str(k)] = {"key_spec": v, "key_manager": None, "created": None, "deletion_date": None}
            elif isinstance(v, Mapping):
                meta(str(k), v)
            else:
                raise EstimateInputError(f"keys[{k!r}]", v, "a key spec string or DescribeKey output")
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes):
        for i, item in enumerate(data):
            if not isinstance(item, Mapping):
                raise EstimateInputError(f"keys[{i}]", item, "DescribeKey output (a dict)")
            meta(None, item)
    else:
        raise EstimateInputError("keys", data, "DescribeKey output, a list of it, or {key ARN: key spec}")
    return out


def _lookup(inventory: Mapping[str, dict[str, Any]], arn: str) -> dict[str, Any] | None:
    return inventory.get(arn) or inventory.get(arn.rsplit("/", 1)[-1])


# ----------------------------------------------------------------------------------------------- the log


class CloudTrailLog:
    """KMS events read from CloudTrail, with the month's bill, the busiest seconds and policy replay.

    ``events``: one row per KMS record (see :data:`kmssim._usage.records.COLUMNS`), oldest first;
    ``other_sources``: how many records of other services were left out; ``duplicates``: records dropped
    because their eventID was already read.
    """

    def __init__(
        self, columns: Mapping[str, Sequence[Any]], other_sources: Mapping[str, int], duplicates: int
    ) -> None:
        import pandas as pd

        # From one list per column: pandas infers each column's dtype as it would from rows, without the rows
        # being transposed; an empty log has object columns (pandas would make empty lists float).
        empty = not columns["time"]
        frame = pd.DataFrame(
            {name: columns[name] for name in COLUMNS}, columns=list(COLUMNS), dtype=object if empty else None
        )
        if frame["time"].isna().any():
            bad = frame.loc[frame["time"].isna(), "event_id"].iloc[0]
            raise CloudTrailFormatError(f"a KMS record without eventTime (eventID {bad})")
        try:
            frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise CloudTrailFormatError(f"an eventTime that is not ISO 8601: {exc}") from None
        frame = frame.sort_values("time", kind="stable").reset_index(drop=True)
        self.events: pd.DataFrame = frame
        self.other_sources: dict[str, int] = dict(sorted(other_sources.items()))
        self.duplicates = duplicates
        self._specs: tuple[dict[str, str], list[str]] | None = None

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        others = sum(self.other_sources.values())
        return f"<CloudTrailLog: {len(self)} KMS events, {others} other records left out>"

    # -------------------------------------------------------------------------------- helpers

    def months(self) -> list[str]:
        """The months ("YYYY-MM") the KMS events fall in."""
        if self.events.empty:
            return []
        return sorted(set(self.events["time"].dt.strftime("%Y-%m")))

    def accounts(self) -> list[str]:
        """The calling accounts (userIdentity.accountId) seen."""
        return sorted({a for a in self.events["account"] if a})

    def _month(self, month: str | None) -> str:
        if month is not None:
            parse_month(month)
            return month
        months = self.months()
        if len(months) != 1:
            raise EstimateInputError("month", None, f"one of the log's months {months} ('YYYY-MM')")
        return months[0]

    def _account(self, account: str | None) -> str:
        if account is not None:
            return account
        accounts = self.accounts()
        if len(accounts) != 1:
            raise EstimateInputError("account", None, f"one of the log's accounts {accounts}")
        return accounts[0]

    def key_specs(self, keys: object = None) -> tuple[dict[str, str], list[str]]:
        """Key ARN -> key spec (inventory first, then the log's CreateKey records) and the ARNs assumed symmetric."""
        if keys is None and self._specs is not None:
            return dict(self._specs[0]), list(self._specs[1])
        inventory = parse_inventory(keys)
        created = self.events[self.events["event_name"] == "CreateKey"]
        from_log = {
            arn: spec
            for arn, spec in _rows(created, "key_arn", "created_spec")
            if isinstance(arn, str) and isinstance(spec, str)
        }
        specs: dict[str, str] = {}
        assumed: list[str] = []
        seen = set(self.events["key_arn"].dropna()) | set(self.events["destination_key_arn"].dropna())
        hints = {
            arn: ASSUMED_SPEC_FOR_OPERATION[op]
            for op, arn in zip(
                self.events["event_name"].tolist(), self.events["key_arn"].tolist(), strict=True
            )
            if op in ASSUMED_SPEC_FOR_OPERATION and isinstance(arn, str)
        }
        for arn in sorted(seen):
            entry = _lookup(inventory, arn)
            if entry is not None and entry.get("key_spec"):
                specs[arn] = str(entry["key_spec"])
            elif arn in from_log:
                specs[arn] = from_log[arn]
            else:
                specs[arn] = hints.get(arn, "SYMMETRIC_DEFAULT")
                assumed.append(arn)
        if keys is None:
            self._specs = (dict(specs), list(assumed))
        return specs, assumed

    def _api_calls(self) -> pd.DataFrame:
        ev = self.events
        return ev[(ev["event_type"] != "AwsServiceEvent") & ~ev["event_name"].isin(SERVICE_EVENTS)]

    # -------------------------------------------------------------------------------- estimate

    def usage(
        self, *, keys: object = None, month: str | None = None, account: str | None = None
    ) -> dict[str, Any]:
        """The log as ``Simulator.usage()``'s mapping (keys' lives and request counts), for ``bill_from_usage``."""
        month_s = self._month(month)
        acct = self._account(account)
        inventory = parse_inventory(keys)
        specs, _ = self.key_specs(keys)
        ev = self.events
        ok = ev["error_code"].isna()
        start, _ = month_window(month_s)
        lives: dict[str, dict[str, Any]] = {}

        def life(arn: str) -> dict[str, Any]:
            if arn not in lives:
                entry = _lookup(inventory, arn) or {}
                manager = entry.get("key_manager")
                lives[arn] = {
                    "arn": arn,
                    "region": arn.split(":")[3],
                    "key_spec": specs.get(arn) or entry.get("key_spec") or "SYMMETRIC_DEFAULT",
                    "managed_by": "aws" if manager == "AWS" else "customer",
                    "created": entry.get("created"),
                    "deletion_scheduled": None,
                    "deleted": None,
                    "rotations": [],
                }
            return lives[arn]

        for arn in inventory:
            if arn.startswith("arn:") and arn.split(":")[4] == acct:
                life(arn)
        rows = ev[ok | (ev["event_type"] == "AwsServiceEvent")]
        for name, arn, alias, when in _rows(rows, "event_name", "key_arn", "alias", "time"):
            if not isinstance(arn, str) or arn.split(":")[4] != acct:
                continue
            key = life(arn)
            t = when.to_pydatetime()
            if isinstance(alias, str) and alias.split(":", 5)[-1].startswith("alias/aws/"):
                key["managed_by"] = "aws"
            if name == "CreateKey":
                key["created"] = t
            elif name == "ScheduleKeyDeletion":
                key["deletion_scheduled"] = t
            elif name == "CancelKeyDeletion":
                key["deletion_scheduled"] = None
            elif name == "DeleteKey":
                key["deleted"] = t
            elif name == "RotateKey":
                key["rotations"].append(t)
        for key in lives.values():
            if key["created"] is None:
                key["created"] = start
                key["assumed_created"] = True
        calls = self._api_calls()
        billed = calls["error_code"].isna()
        if choices.BILL_DRY_RUN:
            billed |= calls["error_code"] == "DryRunOperationException"
        if choices.BILL_FAILED_REQUESTS:
            billed |= calls["error_code"] != THROTTLED
        calls = calls[billed & (calls["account"] == acct)]
        counts: dict[tuple[str, str, str, str | None, str | None], int] = {}
        unpriced: dict[str, int] = {}
        months = calls["time"].dt.strftime("%Y-%m").tolist()
        for m, region, op, arn, dest, pair in zip(
            months,
            calls["region"].tolist(),
            calls["event_name"].tolist(),
            calls["key_arn"].tolist(),
            calls["destination_key_arn"].tolist(),
            calls["key_pair_spec"].tolist(),
            strict=True,
        ):
            if op not in OPERATIONS:
                unpriced[op] = unpriced.get(op, 0) + 1
                continue
            spec = None
            if op not in KEYLESS_OPERATIONS:
                spec = specs.get(arn, "SYMMETRIC_DEFAULT") if isinstance(arn, str) else "SYMMETRIC_DEFAULT"
                if (
                    op == "ReEncrypt"
                    and isinstance(dest, str)
                    and specs.get(dest, spec) != "SYMMETRIC_DEFAULT"
                ):
                    spec = specs[dest]  # a request that references an asymmetric key is priced as one
            pair_s = pair if op in DATA_KEY_PAIR_OPERATIONS and isinstance(pair, str) else None
            k = (m, region, op, spec, pair_s)
            counts[k] = counts.get(k, 0) + 1
        requests = [
            {"month": m, "region": r, "operation": op, "key_spec": s, "key_pair_spec": p, "count": n}
            for (m, r, op, s, p), n in sorted(counts.items(), key=lambda kv: tuple(str(x) for x in kv[0]))
        ]
        return {"account_id": acct, "keys": list(lives.values()), "requests": requests, "unpriced": unpriced}

    def estimate(
        self,
        month: str | None = None,
        keys: object = None,
        *,
        account: str | None = None,
        free_tier: bool = True,
        hours: Any = "calendar",
        pricing: PricingTable | None = None,
    ) -> Estimate:
        """The month's KMS bill from the log, as ``kmssim.bill_from_usage`` prices it (the same ``Estimate``).

        ``keys``: a key inventory (DescribeKey output, a list of it, or {key ARN: key spec}); keys neither in it
        nor created in the log are assumed SYMMETRIC_DEFAULT, and keys with no CreateKey record and no
        CreationDate are assumed to exist all month: the notes list both. Billed: API calls of ``account``
        that succeeded, and DryRun calls (:data:`BILL_DRY_RUN`); KMS's own events (rotation, deletion) are not
        requests.
        """
        usage = self.usage(keys=keys, month=month, account=account)
        month_s = self._month(month)
        specs, assumed = self.key_specs(keys)
        created_assumed = [k["arn"] for k in usage["keys"] if k.pop("assumed_created", False)]
        unpriced = usage.pop("unpriced")
        result = bill_from_usage(usage, month_s, pricing=pricing, free_tier=free_tier, hours=hours)
        extra = [
            "from CloudTrail: billed requests are the API calls that succeeded, plus DryRun calls (billed as "
            "standard requests); KMS's own RotateKey/DeleteKey events are not requests"
        ]
        if assumed:
            extra.append(
                f"key spec assumed for {len(assumed)} key(s) not in the inventory and not created in the log "
                "(SYMMETRIC_DEFAULT; RSA_2048 for signing, HMAC_256 for MACs): "
                + ", ".join(f"{a} ({specs[a]})" for a in assumed)
            )
        if created_assumed:
            extra.append(
                f"{len(created_assumed)} key(s) with no CreateKey record or CreationDate assumed to exist all "
                f"month: {', '.join(created_assumed)}"
            )
        if unpriced:
            extra.append(
                "not priced (not KMS API operations): "
                + ", ".join(f"{op} x{n}" for op, n in sorted(unpriced.items()))
            )
        return dataclasses.replace(result, notes=(*result.notes, *extra))

    # -------------------------------------------------------------------------------- peaks

    def peaks(self, keys: object = None, *, quotas: Any = None) -> pd.DataFrame:
        """The busiest second per account, Region and request quota, against the quota's limit.

        Counted: API calls (throttled ones excluded: they were refused). Columns: account, region, quota,
        operations, peak_per_second, limit_per_second, utilisation, headroom (limit - peak), when (the first
        second the peak happened). Operations with no documented quota are not listed.
        """
        import pandas as pd

        specs, _ = self.key_specs(keys)
        calls = self._api_calls()
        calls = calls[calls["error_code"] != THROTTLED]
        if calls.empty:
            return pd.DataFrame(columns=PEAK_COLUMNS)
        spec = [
            None
            if op in KEYLESS_OPERATIONS
            else (specs.get(arn, "SYMMETRIC_DEFAULT") if isinstance(arn, str) else "SYMMETRIC_DEFAULT")
            for op, arn in _rows(calls, "event_name", "key_arn")
        ]
        frame = pd.DataFrame(
            {
                "account": calls["account"].to_numpy(),
                "region": calls["region"].to_numpy(),
                "op": calls["event_name"].to_numpy(),
                "spec": spec,
                "pair": calls["key_pair_spec"]
                .where(calls["event_name"].isin(DATA_KEY_PAIR_OPERATIONS))
                .to_numpy(),
                "second": calls["time"].dt.floor("s").to_numpy(),
            }
        )
        frame = frame.fillna({"spec": "", "pair": ""})
        per_second: pd.DataFrame = (
            frame.groupby(["account", "region", "op", "spec", "pair", "second"])
            .size()
            .rename("n")
            .reset_index()
        )
        limits: dict[tuple[str, str, str, str], list[tuple[str, float]]] = {}
        for region, op, sp, pair in (
            per_second[["region", "op", "spec", "pair"]].drop_duplicates().itertuples(index=False)
        ):
            try:
                limits[(region, op, sp, pair)] = quota_limits_for(
                    op, sp or None, pair or None, region, quotas
                )
            except EstimateInputError:
                limits[(region, op, sp, pair)] = []
        rows = []
        for account, region, op, sp, pair, second, n in zip(
            *(per_second[c].tolist() for c in ("account", "region", "op", "spec", "pair", "second", "n")),
            strict=True,
        ):
            for quota, limit in limits[(region, op, sp, pair)]:
                rows.append((account, region, quota, limit, op, second, n))
        if not rows:
            return pd.DataFrame(columns=PEAK_COLUMNS)
        charged = pd.DataFrame(rows, columns=["account", "region", "quota", "limit", "op", "second", "n"])
        ops = charged.groupby(["account", "region", "quota"])["op"].agg(lambda s: ", ".join(sorted(set(s))))
        pooled = pd.DataFrame(
            charged.groupby(["account", "region", "quota", "limit", "second"], as_index=False)["n"].sum()
        )
        pooled = pooled.sort_values(["n", "second"], ascending=[False, True], kind="stable")
        top = pooled.drop_duplicates(["account", "region", "quota"]).copy()
        top["operations"] = [ops[(a, r, q)] for a, r, q in _rows(top, "account", "region", "quota")]
        out = pd.DataFrame(
            {
                "account": top["account"],
                "region": top["region"],
                "quota": top["quota"],
                "operations": top["operations"],
                "peak_per_second": top["n"].astype(int),
                "limit_per_second": top["limit"].astype(float),
                "utilisation": top["n"] / top["limit"],
                "headroom": top["limit"] - top["n"],
                "when": top["second"],
            }
        )
        return out.sort_values(["utilisation", "region", "quota"], ascending=[False, True, True]).reset_index(
            drop=True
        )

    def requests_per_second(self, region: str | None = None, quota: str | None = None) -> pd.Series:
        """API calls per second over time (all seconds with a call), for a plot; optionally one Region/quota."""
        calls = self._api_calls()
        calls = calls[calls["error_code"] != THROTTLED]
        if region is not None:
            calls = calls[calls["region"] == region]
        if quota is not None:
            specs, _ = self.key_specs()
            keep = []
            for op, arn, pair, reg in _rows(calls, "event_name", "key_arn", "key_pair_spec", "region"):
                sp = None if op in KEYLESS_OPERATIONS else specs.get(arn, "SYMMETRIC_DEFAULT")
                try:
                    names = {
                        q
                        for q, _ in quota_limits_for(
                            op, sp, pair if op in DATA_KEY_PAIR_OPERATIONS else None, reg
                        )
                    }
                except EstimateInputError:
                    names = set()
                keep.append(quota in names)
            calls = calls[keep]
        return calls.groupby(calls["time"].dt.floor("s")).size().rename("requests")

    def plot_peaks(self, ax: Axes | None = None, *, keys: object = None) -> Axes:
        """The busiest second per quota against the quota's limit (horizontal bars; limits as ticks)."""
        from ..course.style import DENIED, NEUTRAL, OKABE_ITO

        if ax is None:
            import matplotlib.pyplot as plt

            peaks = self.peaks(keys)
            _, ax = plt.subplots(figsize=(8, 0.5 * max(len(peaks), 2) + 1.2))
        else:
            peaks = self.peaks(keys)
        labels = [f"{q} ({r})" for q, r in _rows(peaks, "quota", "region")]
        util = [float(u) * 100 for u in peaks["utilisation"]]
        colours = [DENIED if u > 100 else NEUTRAL for u in util]
        ax.barh(labels, util, color=colours)
        ax.axvline(100, color=OKABE_ITO[7], linestyle="--", linewidth=1)
        for i, (p, lim) in enumerate(_rows(peaks, "peak_per_second", "limit_per_second")):
            ax.text(min(util[i], 100) + 1, i, f"{int(p):,}/s of {lim:,.0f}/s", va="center", fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("busiest second, % of the request quota (dashed line: the quota)")
        ax.set_xlim(0, max([110, *[u * 1.1 for u in util]]))
        ax.set_title("Peak requests per second against the KMS request quotas")
        return ax

    # -------------------------------------------------------------------------------- replay

    def replay(
        self,
        key_policies: Mapping[str, Any] | None = None,
        identity_policies: Mapping[str, Sequence[Any]] | None = None,
        grants: Mapping[str, Sequence[Mapping[str, Any]]] | Sequence[Mapping[str, Any]] | None = None,
        *,
        keys: object = None,
    ) -> Replay:
        """Decide every recorded call again under proposed policies; see :func:`kmssim._usage.replay.replay`."""
        from .replay import replay

        return replay(self, key_policies or {}, identity_policies or {}, grants or {}, keys=keys)


def sample_cloudtrail() -> Path:
    """The sample log that ships with kmssim: one simulated month in S3's layout (``data/sample_cloudtrail``)."""
    return data_dir() / "sample_cloudtrail"


def read_cloudtrail(source: object, *, progress: ProgressArg = None) -> CloudTrailLog:
    """Read CloudTrail records and keep the KMS ones (``eventSource`` kms.amazonaws.com).

    ``source``: a ``.json``/``.json.gz`` file as CloudTrail delivers it (``{"Records": [...]}``), LookupEvents
    output, an Athena query result (``.csv``) over AWS's CloudTrail table, CloudTrail Lake query results
    (GetQueryResults output, or a saved ``result_<n>.csv.gz`` with a header row), a folder tree in S3's
    ``AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`` layout (digest and Insights files skipped; Lake
    results saved under ``AWSLogs/<account>/CloudTrail-Lake/Query/`` read, their sign files skipped), or a list of
    records. ``progress``: True for a bar (a widget in a notebook, a text line on a terminal),
    "text", or a function ``f(done, total, label)``. Records with the same eventID are read once.
    """
    # Parsing makes millions of small objects and none of them cycles; Python's cyclic collector would scan the
    # growing heap again and again (it halved the reading speed in benchmarks/bench_cloudtrail.py), so it waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        read = read_columns(source, progress)
        return CloudTrailLog(read.columns, read.other_sources, read.duplicates)
    finally:
        if collecting:
            gc.enable()
