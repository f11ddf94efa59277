"""Notebook 09, envelope encryption end to end: a sealed-file format, a data-key cache, what caching does to cost
and quota (``kmssim.estimate`` and ``kmssim.quota_check``), a picture, and the exercises' checks.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#enveloping (envelope
encryption), https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/data-key-caching.html (data key
caching and its security thresholds), https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
(the shared cryptographic request quota).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ._feedback import Feedback, not_yet, right
from .style import DENIED, HIGHLIGHT, MUTED, NEUTRAL

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from kmssim import Simulator

__all__ = [
    "SEALED_FORMAT",
    "DataKeyCache",
    "Sealed",
    "caching_table",
    "check_opened",
    "check_reuse",
    "plot_caching",
    "read_sealed",
    "seal_file",
]

#: The format tag of a sealed file (a small JSON document written next to nothing else: it is self-contained).
SEALED_FORMAT = "kmssim-course-envelope/1"


def _aad(context: dict[str, str]) -> bytes:
    """The encryption context, bound to the local ciphertext as AES-GCM additional data (canonical JSON)."""
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Sealed:
    """What a sealed file holds: the KMS key's ARN, the encryption context, the encrypted data key, nonce and
    ciphertext. The plaintext data key is never stored."""

    key_id: str
    encryption_context: dict[str, str]
    encrypted_data_key: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)

    def describe(self) -> dict[str, object]:
        """Sizes and names, for showing what is in the file (no secret: the data key is encrypted)."""
        return {
            "KMS key": self.key_id.rsplit("/", 1)[-1],
            "encryption context": self.encryption_context,
            "encrypted data key (bytes)": len(self.encrypted_data_key),
            "nonce (bytes)": len(self.nonce),
            "ciphertext + tag (bytes)": len(self.ciphertext),
        }


def seal_file(kms: Any, key_id: str, source: str | Path, context: dict[str, str]) -> Path:
    """Encrypt ``source`` locally under a fresh data key from KMS; write ``<source>.sealed`` beside it.

    One GenerateDataKey call; the file itself never goes to KMS (which takes at most 4 KB). The plaintext data
    key is used once and dropped. The nonce is the first 12 bytes of the encrypted data key's SHA-256: unique
    because each file has its own data key.
    """
    import hashlib

    src = Path(source)
    resp = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
    nonce = hashlib.sha256(resp["CiphertextBlob"]).digest()[:12]
    ciphertext = AESGCM(resp["Plaintext"]).encrypt(nonce, src.read_bytes(), _aad(context))
    doc = {
        "format": SEALED_FORMAT,
        "key_id": resp["KeyId"],
        "encryption_context": context,
        "encrypted_data_key": base64.b64encode(resp["CiphertextBlob"]).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
    target = src.with_name(src.name + ".sealed")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(target)  # atomic: a reader never sees half a file
    return target


def read_sealed(path: str | Path) -> Sealed:
    """Read a sealed file; ValueError naming the problem when it is not one."""
    try:
        doc = json.loads(Path(path).read_text())
        if doc.get("format") != SEALED_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}, expected {SEALED_FORMAT!r}")
        return Sealed(
            key_id=str(doc["key_id"]),
            encryption_context={str(k): str(v) for k, v in doc["encryption_context"].items()},
            encrypted_data_key=base64.b64decode(doc["encrypted_data_key"], validate=True),
            nonce=base64.b64decode(doc["nonce"], validate=True),
            ciphertext=base64.b64decode(doc["ciphertext"], validate=True),
        )
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ValueError(f"{Path(path).name} is not a readable sealed file: {exc}") from None


class DataKeyCache:
    """Encrypt many messages, reusing one data key for up to ``max_messages`` of them (as the AWS Encryption
    SDK's caching materials manager does with its message limit). Each new data key is one GenerateDataKey."""

    def __init__(self, kms: Any, key_id: str, context: dict[str, str], max_messages: int) -> None:
        if not isinstance(max_messages, int) or isinstance(max_messages, bool) or max_messages < 1:
            raise ValueError(f"max_messages must be a whole number >= 1, got {max_messages!r}")
        self.kms, self.key_id, self.context, self.max_messages = kms, key_id, dict(context), max_messages
        self._key: dict[str, Any] | None = None
        self._used = 0
        self.data_keys_requested = 0

    def encrypt(self, message: bytes) -> tuple[bytes, bytes, bytes]:
        """(encrypted data key, nonce, ciphertext) for one message."""
        if self._key is None or self._used >= self.max_messages:
            self._key = self.kms.generate_data_key(
                KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=self.context
            )
            self._used = 0
            self.data_keys_requested += 1
        self._used += 1
        nonce = self._used.to_bytes(12, "big")  # unique per message under one data key
        ct = AESGCM(self._key["Plaintext"]).encrypt(nonce, message, _aad(self.context))
        return self._key["CiphertextBlob"], nonce, ct


def caching_table(
    messages_per_month: int,
    peak_messages_per_second: float,
    reuse: Sequence[int] = (1, 10, 100, 1000),
    *,
    region: str = "us-east-1",
    month: str = "2026-01",
) -> pd.DataFrame:
    """For each reuse count (messages per data key): KMS requests, the month's cost and the peak quota use.

    Each message is written once (GenerateDataKey) and read once (Decrypt); a cache on both sides divides both
    by the reuse count. Cost from ``kmssim.estimate``; quota from ``kmssim.quota_check`` (GenerateDataKey and
    Decrypt share the symmetric cryptographic quota).
    """
    import math

    import pandas as pd

    from kmssim import estimate, quota_check

    rows = []
    for r in reuse:
        if not isinstance(r, int) or isinstance(r, bool) or r < 1:
            raise ValueError(f"each reuse count must be a whole number >= 1, got {r!r}")
        calls = math.ceil(messages_per_month / r)
        per_second = peak_messages_per_second / r
        est = estimate(
            requests=[
                {"operation": "GenerateDataKey", "count": calls, "region": region},
                {"operation": "Decrypt", "count": calls, "region": region},
            ],
            month=month,
        )
        quota = quota_check(
            [
                {"operation": "GenerateDataKey", "per_second": per_second, "region": region},
                {"operation": "Decrypt", "per_second": per_second, "region": region},
            ]
        ).table.iloc[0]
        rows.append(
            {
                "messages per data key": r,
                "KMS requests per month": 2 * calls,
                "USD per month": est.total,
                "peak requests per second": 2 * per_second,
                "quota per second": quota["limit_per_second"],
                "quota used": f"{quota['utilisation']:.0%}",
                "status": quota["status"],
            }
        )
    return pd.DataFrame(rows)


def plot_caching(table: pd.DataFrame) -> Figure:
    """Cost per month and peak quota use against messages per data key (``table`` from ``caching_table``)."""
    import matplotlib.pyplot as plt

    labels = [str(r) for r in table["messages per data key"]]
    fig, (cost, quota) = plt.subplots(1, 2, figsize=(8, 2.8), dpi=80)
    plt.close(fig)  # detached: pyplot forgets it, the notebook shows it as the cell's value
    cost.bar(labels, [float(v) for v in table["USD per month"]], color=HIGHLIGHT)
    cost.set_yscale("log")
    cost.set_title("KMS cost (USD per month, log scale)")
    cost.set_xlabel("messages per data key")
    peak = [float(v) for v in table["peak requests per second"]]
    limit = float(table["quota per second"].iloc[0])
    quota.bar(labels, peak, color=[DENIED if p > limit else NEUTRAL for p in peak])
    quota.axhline(limit, color=MUTED, linestyle="--")
    quota.text(len(labels) - 0.5, limit, " quota", va="bottom", ha="right")
    quota.set_title("peak requests per second")
    quota.set_xlabel("messages per data key")
    for ax in (cost, quota):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def check_opened(sim: Simulator, plaintext: object, original: str | Path, sealed: str | Path) -> Feedback:
    """The exercise: ``plaintext`` is the original file's content, recovered through a Decrypt of the stored key."""
    if not isinstance(plaintext, bytes | bytearray):
        return not_yet(
            f"the answer should be bytes (AESGCM(...).decrypt returns bytes), got {type(plaintext).__name__}."
        )
    expected = Path(original).read_bytes()
    if bytes(plaintext) != expected:
        return not_yet(
            "these bytes are not the original file. Decrypt the encrypted data key with KMS (passing the same "
            "encryption context), then AESGCM(data_key).decrypt(nonce, ciphertext, aad)."
        )
    box = read_sealed(sealed)
    decrypts = [
        e for e in sim.trail() if e.event_name == "Decrypt" and e.succeeded and box.key_id in e.resources
    ]
    if not decrypts:
        return not_yet(
            "the bytes are right, but the trail shows no Decrypt of the data key: ask KMS for the data key."
        )
    return right(
        f"the file is back ({len(expected)} bytes): one Decrypt of a {len(box.encrypted_data_key)}-byte encrypted "
        "data key in KMS, everything else done locally."
    )


def check_reuse(
    answer: object, peak_messages_per_second: float, region: str, target: float = 0.5
) -> Feedback:
    """The exercise: the smallest messages-per-data-key that keeps the peak at or below ``target`` of the quota."""
    from kmssim import quota_check

    def used(r: int) -> float:
        rates = [
            {"operation": op, "per_second": peak_messages_per_second / r, "region": region}
            for op in ("GenerateDataKey", "Decrypt")
        ]
        return float(quota_check(rates).table.iloc[0]["utilisation"])

    if not isinstance(answer, int) or isinstance(answer, bool) or answer < 1:
        return not_yet(
            f"the answer should be a whole number of messages per data key (>= 1), got {answer!r}."
        )
    if used(answer) > target:
        return not_yet(
            f"with {answer} messages per data key the peak uses {used(answer):.0%} of the quota, above {target:.0%}. "
            "Try a larger number."
        )
    if answer > 1 and used(answer - 1) <= target:
        return not_yet(
            f"{answer} works, but {answer - 1} works too: reuse each data key as little as you can, since each data "
            "key then protects fewer messages."
        )
    return right(f"{answer} messages per data key keeps the peak at {used(answer):.0%} of the quota.")
