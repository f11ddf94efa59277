"""The CloudTrail panel: load a CloudTrail log (the sample, a path or an upload), see the month's bill, the
busiest second against each request quota, and replay a tightened key policy over every recorded call.

The model is :func:`load_log`, :func:`analyse` and :func:`replay_policy` (inputs in, results or an error message
out); :class:`CloudTrailPanel` only reads widget values, calls them and writes HTML and a PNG. Embed it with
``CloudTrailPanel().widget``. CSS classes: ``kmssim-ct-source``, ``kmssim-ct-load``, ``kmssim-ct-upload``,
``kmssim-ct-month``, ``kmssim-ct-bill``, ``kmssim-ct-peaks``, ``kmssim-ct-key``, ``kmssim-ct-policy``,
``kmssim-ct-replay``, ``kmssim-ct-replay-result``, ``kmssim-ct-error``.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import (
    CloudTrailFormatError,
    CloudTrailLog,
    Estimate,
    EstimateInputError,
    KMSError,
    Replay,
    read_cloudtrail,
    sample_cloudtrail,
)
from ._base import App, error_html, esc, format_usd, html_table

__all__ = ["CloudTrailPanel", "PanelResult", "analyse", "load_log", "replay_policy", "sample_path"]

_ERRORS = (CloudTrailFormatError, EstimateInputError, KMSError, ValueError, OSError)


def sample_path() -> Path:
    """The sample log made with kmssim (``data/sample_cloudtrail``; regenerate: scripts/make_sample_cloudtrail.py)."""
    return sample_cloudtrail()


@dataclass(frozen=True)
class PanelResult:
    """The month's bill and peaks for a log (None with ``error`` set when something is wrong)."""

    estimate: Estimate | None = None
    peaks_png: bytes = b""
    peaks_html: str = ""
    error: str = ""


def load_log(source: str | bytes, name: str = "upload.json") -> tuple[CloudTrailLog | None, str]:
    """A log from a path (file or folder) or the bytes of an uploaded ``.json``/``.json.gz``/``.csv`` file."""
    try:
        if isinstance(source, bytes):
            data = gzip.decompress(source) if source[:2] == b"\x1f\x8b" else source
            suffix = ".csv" if name.lower().endswith((".csv", ".csv.gz")) else ".json"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(data)
                return read_cloudtrail(path), ""
        if not source.strip():
            return None, "Give a path to a CloudTrail file or folder, or upload a file."
        return read_cloudtrail(Path(source.strip())), ""
    except _ERRORS as exc:
        return None, str(exc)


def analyse(log: CloudTrailLog, month: str) -> PanelResult:
    """The bill of ``month`` and the peaks plot (PNG) of the log."""
    try:
        bill = log.estimate(month)
        peaks = log.peaks()
    except _ERRORS as exc:
        return PanelResult(error=str(exc))
    from matplotlib.figure import Figure  # no pyplot: the notebook's backend is left alone

    fig = Figure(figsize=(8, 0.45 * max(len(peaks), 2) + 1.3))
    log.plot_peaks(ax=fig.subplots())
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    rows = [
        (
            r["region"],
            r["quota"],
            f"{int(r['peak_per_second']):,}",
            f"{r['limit_per_second']:,.0f}",
            f"{r['utilisation']:.1%}",
            str(r["when"]),
        )
        for r in peaks.to_dict("records")
    ]
    table = html_table(["Region", "quota", "peak/s", "limit/s", "used", "when"], rows)
    return PanelResult(estimate=bill, peaks_png=buf.getvalue(), peaks_html=table)


def replay_policy(log: CloudTrailLog, key_arn: str, policy_text: str) -> tuple[Replay | None, str]:
    """Replay ``policy_text`` (a key policy in JSON) for ``key_arn``; the result or an error message."""
    if not key_arn:
        return None, "Pick the key the policy is for."
    try:
        policy = json.loads(policy_text)
    except ValueError as exc:
        return None, f"The policy is not JSON: {exc}"
    try:
        return log.replay({key_arn: policy}), ""
    except _ERRORS as exc:
        return None, str(exc)


def default_policy(account: str) -> str:
    """A starting point for the replay box: the default key policy plus a Deny of Decrypt for everyone but one role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Enable IAM policies",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "Decrypt only for the orders service",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "StringNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/orders-service"}
                    },
                },
            ],
        },
        indent=2,
    )


class CloudTrailPanel(App):
    """Bill, peaks and replay for a CloudTrail log; ``CloudTrailPanel().widget`` embeds it (for example as a tab)."""

    def __init__(self, source: str | None = None) -> None:
        self.log: CloudTrailLog | None = None
        self.last_replay: Replay | None = None
        self.source = widgets.Text(
            value=str(source or sample_path()), description="log", layout={"width": "70%"}
        )
        self.load = widgets.Button(description="Load", button_style="primary")
        self.upload = widgets.FileUpload(accept=".json,.gz,.csv", multiple=False, description="Upload")
        self.month = widgets.Dropdown(description="month", options=[])
        self.summary = widgets.HTML()
        self.bill = widgets.HTML()
        self.peaks = widgets.Image(format="png")
        self.peaks_table = widgets.HTML()
        self.key = widgets.Dropdown(description="key", options=[], layout={"width": "70%"})
        self.policy = widgets.Textarea(value="", rows=12, layout={"width": "95%"})
        self.replay = widgets.Button(description="Replay the policy")
        self.replay_result = widgets.HTML()
        self.error = widgets.HTML()
        self.add_css_classes(
            "kmssim-ct-", "source load upload month bill peaks key policy replay replay_result error"
        )
        self.load.on_click(lambda _: self._load(self.source.value))
        self.upload.observe(self._uploaded, names="value")
        self.month.observe(lambda _: self._analyse(), names="value")
        self.replay.on_click(lambda _: self._replay())
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>CloudTrail: what last month cost, its busiest second, and a policy replay</h3>"
                ),
                widgets.HBox([self.source, self.load, self.upload]),
                self.error,
                self.summary,
                self.month,
                self.bill,
                self.peaks,
                self.peaks_table,
                widgets.HTML("<b>Replay a proposed key policy over every recorded call</b>"),
                self.key,
                self.policy,
                self.replay,
                self.replay_result,
            ]
        )
        self._load(self.source.value)

    # ------------------------------------------------------------------ callbacks

    def _uploaded(self, change: Any) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0] if isinstance(files, list | tuple) else next(iter(files.values()))
        self._set_log(*load_log(bytes(item["content"]), str(item.get("name", "upload.json"))))

    def _load(self, path: str) -> None:
        self._set_log(*load_log(path))

    def _set_log(self, log: CloudTrailLog | None, error: str) -> None:
        self.error.value = error_html(error)
        self.replay_result.value = ""
        if log is None:
            self.log = None
            self.summary.value = self.bill.value = self.peaks_table.value = ""
            self.peaks.value = b""
            self.month.options = []
            self.key.options = []
            return
        self.log = log
        others = sum(log.other_sources.values())
        self.summary.value = (
            f"<p>{len(log):,} KMS events from {esc(', '.join(log.accounts()))}; {others:,} records of other "
            "services left out.</p>"
        )
        keys = sorted(set(log.events["key_arn"].dropna()))
        self.key.options = keys
        self.key.value = keys[0] if keys else None
        if log.accounts() and not self.policy.value:
            self.policy.value = default_policy(log.accounts()[0])
        months = log.months()
        self.month.options = months
        if months:
            self.month.value = months[-1]
        self._analyse()

    def _analyse(self) -> None:
        if self.log is None or not self.month.value:
            return
        result = analyse(self.log, str(self.month.value))
        self.error.value = error_html(result.error)
        if result.estimate is None:
            self.bill.value = self.peaks_table.value = ""
            self.peaks.value = b""
            return
        est = result.estimate
        rows = [
            (r["item"], r["region"], r["quantity"], format_usd(Decimal(r["USD"])))
            for r in est.lines.to_dict("records")
        ]
        notes = "".join(f"<li>{esc(n)}</li>" for n in est.notes)
        self.bill.value = (
            f"<p><b>Bill for {esc(est.month)}: {format_usd(est.total)}</b></p>"
            + html_table(["item", "Region", "quantity", "USD"], rows)
            + f"<ul style='font-size:smaller'>{notes}</ul>"
        )
        self.peaks.value = result.peaks_png
        self.peaks_table.value = result.peaks_html

    def _replay(self) -> None:
        self.replay_result.value = ""
        if self.log is None:
            self.error.value = error_html("Load a log first.")
            return
        result, error = replay_policy(self.log, str(self.key.value or ""), self.policy.value)
        self.error.value = error_html(error)
        self.last_replay = result
        if result is None:
            return
        summary = result.summary()
        rows = [
            (r["principal"], r["action"], r["recorded"], r["decision"], r["calls"])
            for r in summary.to_dict("records")
        ]
        self.replay_result.value = (
            f"<p><b>{len(result.table):,} recorded calls replayed; {len(result.changed):,} would change.</b></p>"
            + html_table(["principal", "action", "recorded", "now", "calls"], rows)
        )
