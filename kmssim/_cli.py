"""The ``kmssim`` command line: ``kmssim plan`` prices a CloudTrail folder, prints the peaks against the quotas,
replays a proposed key policy, and writes the tables as CSV or JSON; ``kmssim iac`` reads a CloudFormation
template or Terraform plan."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def _write(frame: pd.DataFrame, out: Path | None, name: str, fmt: str) -> None:
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = [
                json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v for v in frame[col]
            ]
    path = out / f"{name}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", date_format="iso", indent=1, default_handler=str)
    print(f"wrote {path}")


def _estimate_frame(est: Any) -> pd.DataFrame:
    frame: pd.DataFrame = est.lines.copy()
    for col in ("quantity", "unit price", "USD"):
        frame[col] = [str(v) for v in frame[col]]
    return frame


def _policies(path: str, keys: Sequence[str]) -> dict[str, Any]:
    doc = json.loads(Path(path).read_text())
    if isinstance(doc, dict) and "Statement" in doc:
        if not keys:
            raise SystemExit(
                "error: --replay holds one policy document; name the key(s) it is for with --key ARN"
            )
        return {k: doc for k in keys}
    if not isinstance(doc, dict):
        raise SystemExit("error: --replay must hold a key policy or {key ARN: key policy}")
    return doc


def plan(args: argparse.Namespace) -> int:
    import kmssim

    progress: Any = False if args.no_progress else ("text" if args.progress else True)
    log = kmssim.read_cloudtrail(args.cloudtrail, progress=progress)
    inventory = args.inventory
    print(
        f"{len(log):,} KMS events read ({sum(log.other_sources.values()):,} records of other services left out)"
    )
    months = [args.month] if args.month else log.months()
    out = Path(args.output) if args.output else None
    frames = []
    for month in months:
        est = log.estimate(month, inventory, account=args.account)
        print(f"\nKMS bill for {month}: ${est.total} USD")
        lines = _estimate_frame(est)
        print(lines[["item", "region", "quantity", "USD"]].to_string(index=False))
        for note in est.notes:
            print(f"  note: {note}")
        frames.append(lines.assign(month=month))
    import pandas as pd

    if frames:
        _write(pd.concat(frames, ignore_index=True), out, "estimate", args.format)
    peaks = log.peaks(inventory)
    print("\nBusiest second per request quota:")
    print(
        peaks[["region", "quota", "peak_per_second", "limit_per_second", "headroom", "when"]].to_string(
            index=False
        )
    )
    _write(peaks, out, "peaks", args.format)
    if args.replay:
        result = log.replay(_policies(args.replay, args.key), keys=inventory)
        print(f"\nReplay: {len(result.table):,} calls, {len(result.changed):,} would change")
        summary = result.summary()
        if not summary.empty:
            print(summary.to_string(index=False))
        _write(result.table, out, "replay", args.format)
        _write(summary, out, "replay_summary", args.format)
    return 0


def iac(args: argparse.Namespace) -> int:
    import kmssim

    infra = kmssim.read_infrastructure(args.source)
    print(infra.keys()[["name", "kind", "region", "key_spec", "simulated", "aliases"]].to_string(index=False))
    for finding in infra.findings:
        print(f"  {finding}")
    requests = json.loads(Path(args.requests).read_text()) if args.requests else None
    log = kmssim.read_cloudtrail(args.cloudtrail, progress=False) if args.cloudtrail else None
    est = infra.estimate(args.month, requests, cloudtrail=log)
    print(f"\nMonthly cost for {args.month}: ${est.total} USD")
    check = infra.policy_check()
    print(check.to_string(index=False))
    out = Path(args.output) if args.output else None
    _write(infra.keys(), out, "keys", args.format)
    _write(infra.findings_table(), out, "findings", args.format)
    _write(_estimate_frame(est), out, "estimate", args.format)
    _write(check, out, "policy_check", args.format)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kmssim", description="Plan AWS KMS cost and policies from real usage."
    )
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="price a CloudTrail log, show peaks against quotas, replay a policy")
    p.add_argument(
        "cloudtrail",
        help="a CloudTrail file (.json, .json.gz, Athena .csv, CloudTrail Lake get-query-results .json or "
        "result_<n>.csv.gz) or an AWSLogs/ folder",
    )
    p.add_argument("--month", help="YYYY-MM (default: every month in the log)")
    p.add_argument("--account", help="the account to bill (default: the log's only account)")
    p.add_argument("--inventory", help="DescribeKey output (JSON) or {key ARN: key spec}, for key specs")
    p.add_argument("--replay", help="a key policy file, or {key ARN: policy}, to decide every call again")
    p.add_argument("--key", action="append", default=[], help="the key ARN a single --replay policy is for")
    p.add_argument("--output", "-o", help="a folder to write the tables to")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--progress", action="store_true", help="a text progress bar even when not on a terminal")
    p.set_defaults(func=plan)
    i = sub.add_parser(
        "iac", help="build a CloudFormation template or Terraform plan, price it, check its policies"
    )
    i.add_argument("source", help="a template (.json, .yaml) or `terraform show -json` output")
    i.add_argument("--month", required=True, help="YYYY-MM")
    i.add_argument("--requests", help="a JSON list of kmssim.estimate request dicts")
    i.add_argument("--cloudtrail", help="take request volumes from this CloudTrail log's month")
    i.add_argument("--output", "-o", help="a folder to write the tables to")
    i.add_argument("--format", choices=["csv", "json"], default="csv")
    i.set_defaults(func=iac)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from . import EstimateInputError, KMSError
    from ._usage import CloudTrailFormatError

    try:
        code: int = args.func(args)
    except (CloudTrailFormatError, EstimateInputError, KMSError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code
