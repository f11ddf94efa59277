"""The simulated world: accounts, Regions, one virtual clock and one source of randomness.

Time stands still until :meth:`Simulator.advance` moves it; rotations and deletions that fall due on the way
happen then, in time order. Nothing here reads the wall clock.
"""

from __future__ import annotations

import builtins
import errno
import functools
import gc
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import _pipeline, choices
from ._clock import Clock
from ._errors import KMSError
from ._fields import DamagedState, Fields, iso
from ._ids import ACCOUNT_ID, principal_account, uuid4_pair, uuid4_text
from ._meter import Meter
from ._models import Key, KeySummary, Principal
from ._ops import Kms, Request, _saved, key_stores
from ._ops._kms import AWS_MANAGED_ROTATION_DAYS, PENDING_WINDOW_DAYS, ROTATION_PERIOD_DAYS
from ._ops.rotation import run_due_events
from ._policy import parse_policy
from ._pricing._errors import DataFileError
from ._quota import QuotaGate
from ._random import Randomness
from ._trail import AuditEvent, Recorder, Trail

if TYPE_CHECKING:
    import pandas as pd
    from botocore.client import BaseClient

    from ._policy import Decision
    from .pricing import Estimate, PricingTable

DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
STATE_FORMAT = "kmssim-state"
#: Version 2 adds each trail event's ``requestID``; version 1 files (kmssim 0.1) are still read.
STATE_VERSION = 2
READABLE_STATE_VERSIONS = (1, 2)
#: The latest time the simulated clock may show: the first of January of the last year in which every date KMS
#: computes from "now" (a rotation period, a deletion window) still fits a Python datetime. A ``start`` after it,
#: or an ``advance`` past it, raises ValueError. AWS documents no such limit; it is Python's year 9999.
CLOCK_LIMIT = datetime(
    (
        datetime.max.replace(tzinfo=UTC)
        - timedelta(days=max(ROTATION_PERIOD_DAYS[1], PENDING_WINDOW_DAYS[1], AWS_MANAGED_ROTATION_DAYS) + 1)
    ).year,
    1,
    1,
    tzinfo=UTC,
)


def _start_time(start: object) -> datetime:
    """``Simulator(start=...)``: an aware datetime, a date (midnight UTC) or an ISO 8601 string of either."""
    if isinstance(start, str):
        text = start.strip()
        try:
            start = (
                datetime.fromisoformat(text.replace("Z", "+00:00"))
                if "T" in text or " " in text
                else date.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(
                f"start={start!r} is not an ISO 8601 date or time (for example '2026-01-01' or "
                "'2026-01-01T09:30:00Z')"
            ) from None
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime(start.year, start.month, start.day, tzinfo=UTC)
    if not isinstance(start, datetime):
        raise TypeError(f"start must be a datetime, a date or an ISO 8601 string, not {type(start).__name__}")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(
            "start must be timezone-aware (for example datetime(2026, 1, 1, tzinfo=UTC) or '2026-01-01T00:00Z')"
        )
    try:
        when = start.astimezone(UTC)
    except OverflowError:
        when = None
    if when is None or when > CLOCK_LIMIT:
        raise ValueError(
            f"start must be no later than {iso(CLOCK_LIMIT)}, the latest the simulated clock can show"
        )
    return when


def _load_random(data: object, where: str, stream: str) -> Randomness:
    f = Fields(data, where)
    seed = f.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise f.fail("seed", "expected a whole number or null")
    f.text("stream", choices=(stream,))
    counter = f.whole("counter", 0, 2**64 - 1)
    buffer = f.text("buffer")
    if not re.fullmatch(r"(?:[0-9a-f]{2}){0,31}", buffer):
        raise f.fail("buffer", "expected at most 31 bytes as lowercase hex")
    if seed is None and (counter or buffer):
        raise f.fail("counter", "an unseeded stream has no position")
    f.done()
    return Randomness.from_state(f.data)


@functools.cache
def _check_hsms(hsms: object) -> None:
    if isinstance(hsms, bool) or not isinstance(hsms, int) or not 0 <= hsms <= 28:
        raise ValueError(
            f"hsms must be a whole number from 0 to 28 (a CloudHSM cluster's quota), not {hsms!r}"
        )


def simulated_regions() -> tuple[str, ...]:
    """The Regions a client may name: the commercial (``aws`` partition) Regions of ``data/regions.csv``."""
    from .pricing import load_regions

    table = load_regions()
    return tuple(code for code in table.codes() if table[code].partition == "aws")


class Simulator:
    """An in-process, deterministic AWS KMS.

    ``seed``: with an integer, every key ID, ARN, key material, IV, ciphertext, grant token and timestamp is the
    same on every run and machine; with None, the operating system's randomness is used.
    ``account_id`` and ``region``: the defaults for clients. ``start``: the virtual clock's first reading.
    ``enforce_quotas``: raise ThrottlingException for requests above a request quota within one simulated second.
    """

    def __init__(
        self,
        seed: int | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        start: datetime | date | str = DEFAULT_START,
        *,
        enforce_quotas: bool = False,
    ) -> None:
        if not isinstance(account_id, str) or not ACCOUNT_ID.match(account_id):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        if not isinstance(region, str) or region not in simulated_regions():
            raise ValueError(
                f"region {region!r} is not a Region kmssim knows; choose one of {', '.join(simulated_regions())}"
            )
        if not isinstance(enforce_quotas, bool):
            raise TypeError(f"enforce_quotas must be True or False, not {enforce_quotas!r}")
        self.account_id = account_id
        self.region = region
        self.enforce_quotas = enforce_quotas
        self._regions = frozenset(simulated_regions())
        self._clock = Clock(_start_time(start))  # the one clock, with the queue of scheduled events
        self._random = Randomness(seed)  # key IDs, key material, IVs, grant tokens, data keys
        self._id_random = Randomness(seed, "ids")  # request and event IDs, so they never shift the above
        self._principals: dict[str, Principal] = {}
        self._trail = Recorder(self._id_bytes)
        self._meter = Meter()
        self._quota = QuotaGate()
        self.ops = Kms(self)

    # ------------------------------------------------------------------ clock and randomness

    @property
    def now(self) -> datetime:
        """The simulated time (UTC)."""
        return self._clock.now

    @property
    def regions(self) -> tuple[str, ...]:
        """The Regions a client may name."""
        return simulated_regions()

    def schedule(self, when: datetime, kind: str, arn: str) -> None:
        """Put a key's event (``RotateKey``, ``DeleteKey``) on the clock's queue for ``when``."""
        self._clock.schedule(when, kind, arn)

    @property
    def seed(self) -> int | None:
        return self._random.seed

    def random_bytes(self, n: int) -> bytes:
        return self._random.bytes(n)

    def bytes(self, n: int) -> bytes:
        """Random bytes (the RandomSource protocol of ``_crypto``)."""
        return self._random.bytes(n)

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> datetime:
        """Move the clock forward, carrying out every rotation and deletion that falls due, in time order.

        The clock cannot pass ``CLOCK_LIMIT``: a step beyond it raises ValueError and changes nothing.
        """
        for name, amount in (("days", days), ("hours", hours), ("minutes", minutes), ("seconds", seconds)):
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                raise TypeError(f"{name}={amount!r}: give a number")
            if not math.isfinite(amount):
                raise ValueError(f"{name}={amount!r}: give a finite number")
        try:
            step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
            target = self._clock.now + step
        except OverflowError:
            target = None
        if target is None or target > CLOCK_LIMIT:
            raise ValueError(
                f"that step takes the simulated clock past {iso(CLOCK_LIMIT)}, the latest it can show"
            )
        if step < timedelta(0):
            raise ValueError("the simulated clock only moves forward; give a positive duration")
        # The cyclic collector waits while time moves: a year of a large fleet makes hundreds of thousands of
        # events and key materials, none of them in cycles, and each full collection would rescan them all.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._clock.run_until(target, self._run_events)
        finally:
            if collecting:
                gc.enable()
        return self._clock.now

    def _run_events(self, kind: str, when: datetime, arns: Iterator[str]) -> None:
        if kind in key_stores.EVENTS:
            for arn in arns:
                key_stores.run_due(self.ops, kind, arn)
            return
        keys: list[Key] = []
        try:
            run_due_events(self.ops, kind, when, arns, keys)
        finally:  # what was done is on the trail even if the run was interrupted
            if keys:
                self._trail.record_service(kind, keys, self._clock.now)

    # ------------------------------------------------------------------ principals

    def add_principal(
        self,
        arn: str,
        policies: Iterable[str | Mapping[str, Any]] = (),
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Register an IAM user or role (of any account) with its identity policies and tags; returns the ARN."""
        account = principal_account(arn)
        if not account or not arn.startswith(("arn:aws:iam::", "arn:aws:sts::")):
            raise ValueError(
                f"{arn!r} is not an IAM or STS principal ARN (arn:aws:iam::<account>:user/<name>)"
            )
        texts = [p if isinstance(p, str) else json.dumps(p) for p in policies]
        for text in texts:
            from ._policy import parse_policy

            parse_policy(text)
        self._principals[arn] = Principal(arn, account, texts, dict(tags or {}))
        return arn

    def add_cloudhsm_cluster(
        self, *, hsms: int = 2, password: str = "kmsuser-password", region: str | None = None
    ) -> str:
        """Add a simulated AWS CloudHSM cluster (CloudHSM is another service) with ``hsms`` active HSMs and a
        ``kmsuser`` crypto user whose password is ``password``; returns its ID. Its trust anchor certificate is
        ``cloudhsm_trust_anchor(cluster_id)``. The ID and certificate come from the simulator's randomness.
        Its HSMs run from now on the simulated clock; ``bill()`` prices their HSM-hours (AWS CloudHSM's charge)."""
        _check_hsms(hsms)
        raw = self._random.bytes(16)
        letters = "234567abcdefghijklmnopqrstuvwxyz"
        cluster_id = "cluster-" + "".join(letters[b % 32] for b in raw[:11])
        anchor = f"-----BEGIN CERTIFICATE-----\nkmssim-simulated-{raw[11:].hex()}\n-----END CERTIFICATE-----"
        cluster = key_stores.Cluster(
            cluster_id, self.account_id, region or self.region, anchor, 0, anchor, key_stores.digest(password)
        )
        cluster.set_hsms(hsms, self._clock.now)
        self.ops.stores.clusters[cluster_id] = cluster
        return cluster_id

    def cloudhsm_trust_anchor(self, cluster_id: str) -> str:
        """The trust anchor certificate (``customerCA.crt``) of a simulated cluster."""
        return self.ops.stores.clusters[cluster_id].trust_anchor

    def set_cloudhsm_hsms(self, cluster_id: str, hsms: int) -> None:
        """Change how many HSMs of a simulated cluster are active (0 makes connecting fail), from now on the
        simulated clock: added HSMs start now, removed ones (the newest first) stop now, for the HSM-hours."""
        _check_hsms(hsms)
        self.ops.stores.clusters[cluster_id].set_hsms(hsms, self._clock.now)

    def add_external_key_manager(
        self,
        uri_endpoint: str,
        uri_path: str = "/kms/xks/v1",
        *,
        access_key_id: str,
        secret_access_key: str,
        keys: Mapping[str, str] | Iterable[str] = (),
        vpc_endpoint_service: str | None = None,
    ) -> None:
        """Add a simulated external key manager behind an XKS proxy at ``uri_endpoint`` + ``uri_path``, accepting
        the given SigV4 credential, holding AES-256 ``keys`` (IDs, or ID -> "ENABLED"/"DISABLED"). With
        ``vpc_endpoint_service`` (a service name) the proxy is reachable through that VPC endpoint service."""
        statuses = dict(keys) if isinstance(keys, Mapping) else {k: "ENABLED" for k in keys}
        self.ops.stores.managers[(uri_endpoint, uri_path)] = key_stores.KeyManager(
            uri_endpoint,
            uri_path,
            access_key_id,
            key_stores.digest(secret_access_key),
            statuses,
            vpc_endpoint_service,
        )

    def principal(self, arn: str) -> Principal | None:
        return self._principals.get(arn)

    def principals(self) -> list[str]:
        """The ARNs registered with :meth:`add_principal`, in registration order."""
        return list(self._principals)

    def inventory(self, *, include_deleted: bool = False) -> list[KeySummary]:
        """Every key of every account and Region, in creation order, without making an API call.

        Unlike DescribeKey this is not logged in the trail or metered: it is the trainer's view of the world.
        """
        out = []
        for k in self.ops.keys.values():
            if k.deleted is not None and not include_deleted:
                continue
            pending = k.state == "PendingDeletion"
            out.append(
                KeySummary(
                    key_id=k.key_id,
                    arn=k.arn,
                    account=k.account,
                    region=k.region,
                    key_spec=k.key_spec,
                    key_usage=k.key_usage,
                    key_manager=k.key_manager,
                    state="Deleted" if k.deleted is not None else self.ops.stores.state_of(k),
                    description=k.description,
                    aliases=tuple(sorted(self.ops.alias_names(k))) if k.deleted is None else (),
                    created=k.created,
                    multi_region=k.multi_region,
                    rotation_enabled=k.rotation_enabled and not pending,
                    rotation_period_days=k.rotation_period_days if k.rotation_enabled else None,
                    next_rotation=k.next_rotation if k.rotation_enabled and not pending else None,
                    rotations=len(k.rotation_dates),
                    deletion_date=k.deletion_date if pending else None,
                )
            )
        return out

    def root(self, account_id: str | None = None) -> str:
        """The root user ARN of an account (the default principal of clients)."""
        return f"arn:aws:iam::{account_id or self.account_id}:root"

    # ------------------------------------------------------------------ the API

    def client(
        self,
        service_name: str = "kms",
        *,
        region_name: str | None = None,
        principal: str | None = None,
        context: Mapping[str, object] | None = None,
    ) -> BaseClient:
        """A real botocore KMS client whose calls this simulator serves in-process."""
        from ._front import make_client

        if service_name != "kms":
            raise ValueError(f"kmssim simulates the 'kms' service only, not {service_name!r}")
        return make_client(self, region_name or self.region, principal or self.root(), dict(context or {}))

    def call(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        *,
        region: str | None = None,
        principal: str | None = None,
        context: Mapping[str, object] | None = None,
        model: Any = None,
    ) -> dict[str, Any]:
        """Serve one API call directly (no botocore): the response dict, or the KMSError AWS would give.

        ``params`` are checked against botocore's KMS model as botocore's client and the KMS service would
        (types, required members, maximum lengths, enums, patterns); ``model`` is the operation model when the
        caller already has it. The parameters are copied first, so nothing kept aliases the caller's objects.
        A call that fails changes nothing but the trail, which records it (see ``_checkpoint``). Misusing
        ``call`` itself (an operation that is not a string, params that are not a mapping) raises TypeError.
        """
        exchange = _pipeline.run(
            self, operation, params, region=region, principal=principal, context=context, model=model
        )
        if exchange.error is not None:
            raise exchange.error
        assert exchange.result is not None
        return exchange.result

    def _serve(
        self,
        operation: str,
        params: Mapping[str, Any],
        *,
        region: str,
        principal: str,
        context: Mapping[str, object],
        model: Any,
        fresh: bool = False,
    ) -> _pipeline.Exchange:
        """One call for the front (``_front.serve``): the response or error, with its request ID. ``fresh``: see
        ``_pipeline.run``."""
        return _pipeline.run(
            self,
            operation,
            params,
            region=region,
            principal=principal,
            context=context,
            model=model,
            fresh=fresh,
        )

    def _checkpoint(self) -> tuple[Any, ...]:
        """What a failed call must leave as it found: both random streams' positions, the quota counters and
        the tables the operations append to (see ``Kms.checkpoint``). The trail is not in it: a failed call is
        logged, as CloudTrail logs it."""
        buckets = (
            dict(self._quota.buckets)
            if self.enforce_quotas and not choices.FAILED_REQUESTS_USE_QUOTA
            else None
        )
        return self._random.position(), self._id_random.position(), buckets, self.ops.checkpoint()

    def _restore(self, saved: tuple[Any, ...]) -> None:
        position, id_position, buckets, ops = saved
        self._random.restore(position)
        self._id_random.restore(id_position)
        if buckets is not None:
            self._quota.buckets = buckets
        self.ops.rollback(ops)

    def _new_id(self) -> str:
        """A version-4 UUID string from the simulator's ID stream (request and event IDs)."""
        return uuid4_text(self._id_random.bytes(16))

    def _id_bytes(self, n: int) -> builtins.bytes:
        """``n`` bytes of the ID stream (16 make an ID with ``uuid4_text``: the trail draws many at once)."""
        return self._id_random.bytes(n)

    def _new_ids(self) -> tuple[str, str]:
        """A call's request ID and its trail event's ID: the next two IDs of the stream, drawn in one go (the
        same two ``_new_id`` would give in turn; nothing draws an ID between them)."""
        return uuid4_pair(self._id_random.bytes(32))

    def trail(self) -> Trail:
        """The audit trail so far, oldest first."""
        return Trail(self._trail.events)

    # ------------------------------------------------------------------ permissions, for teaching

    def decide(
        self,
        principal: str,
        action: str,
        key_id: str,
        *,
        region: str | None = None,
        context: Mapping[str, object] | None = None,
        request: Mapping[str, Any] | None = None,
    ) -> Decision:
        """What AWS would decide if ``principal`` asked for ``action`` on a key, without doing anything.

        ``action`` must be a KMS permission such as ``kms:Decrypt`` (any case); anything else raises
        :class:`kmssim.UnknownActionError` (a ValueError naming the closest real action). A principal never
        registered with :meth:`add_principal` is evaluated with no IAM policies, and the decision says so in
        its ``hints``.
        """
        from ._policy import require_kms_action
        from ._policy.principals import unregistered_principal_hint

        action = require_kms_action(action)
        if not isinstance(principal, str):
            raise TypeError(f"principal must be an ARN string, not {type(principal).__name__}")
        region = region or self.region
        account = principal_account(principal) or self.account_id
        operation = action.split(":", 1)[-1]
        params = {"KeyId": key_id, **dict(request or {})}
        req = Request(operation, params, account, region, principal, dict(context or {}))
        key = self.ops.resolve(req, key_id, allow_alias=True, create_managed=False)
        decision = self.ops.decide(req, action, key)
        hint = unregistered_principal_hint(principal, self.principals())
        return decision.with_hints(hint) if hint else decision

    def permissions(
        self, principal: str, key_id: str, actions: Sequence[str] | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """What may ``principal`` do to this key: one row per action with the decision and its reason."""
        import pandas as pd

        from ._policy import KEY_ACTIONS

        rows = []
        for action in actions or KEY_ACTIONS:
            d = self.decide(principal, action, key_id, **kwargs)
            rows.append({"action": action, "decision": d.effect, "reason": d.summary()})
        return pd.DataFrame(rows, columns=["action", "decision", "reason"])

    def access_matrix(
        self, key_id: str, principals: Sequence[str], actions: Sequence[str] | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """Principals x actions for one key, each cell "Allow", "ImplicitDeny" or "ExplicitDeny"."""
        import pandas as pd

        from ._policy import KEY_ACTIONS

        acts = list(actions or KEY_ACTIONS)
        data = {a: [self.decide(p, a, key_id, **kwargs).effect for p in principals] for a in acts}
        return pd.DataFrame(data, index=list(principals))

    # ------------------------------------------------------------------ cost

    def usage(self, *, request_ids: bool = False) -> dict[str, Any]:
        """What happened, for billing: every key's life and the request counts (see ``kmssim.bill_from_usage``);
        with ``request_ids``, each request row also has the IDs of the requests it counts."""
        keys = [
            {
                "arn": k.arn,
                "region": k.region,
                "key_spec": k.key_spec,
                "managed_by": "aws" if k.key_manager == "AWS" else "customer",
                "created": k.created,
                "deletion_scheduled": k.deletion_scheduled_at,
                "deleted": k.deleted,
                "rotations": k.rotation_dates,
            }
            for k in self.ops.keys.values()
            if k.account == self.account_id
        ]
        requests = self._meter.rows(self.account_id, request_ids=request_ids)
        out: dict[str, Any] = {"account_id": self.account_id, "keys": keys, "requests": requests}
        clusters = [
            {
                "cluster_id": c.cluster_id,
                "region": c.region,
                "hsms": [[p.start, p.stop] for p in c.hsm_periods],
            }
            for c in self.ops.stores.clusters.values()
            if c.account == self.account_id
        ]
        if clusters:  # AWS CloudHSM's HSM-hours (another service's charge), only when there is a cluster
            out["cloudhsm_clusters"] = clusters
        return out

    def bill(
        self,
        month: str | None = None,
        *,
        free_tier: bool = True,
        pricing: PricingTable | None = None,
        hours: Literal["calendar", 730] = "calendar",
        cloudhsm_pricing: PricingTable | None = None,
    ) -> Estimate:
        """The bill for what happened in the simulator in ``month`` ("YYYY-MM"; default: the current month).

        ``pricing``: another price table, for example ``kmssim.load_pricing().assume_same_as("us-east-1")`` to
        price Regions whose request prices kmssim does not know. Simulated CloudHSM clusters add their
        HSM-hours on a line of their own, billed by AWS CloudHSM, not KMS, at ``cloudhsm_pricing``
        (``kmssim.pricing.load_cloudhsm_pricing()``, data/cloudhsm_pricing.csv).
        Each request line knows the requests it bills:
        ``bill.request_ids(row)``, ``bill.line_of(request_id)``, ``bill.requests()``.
        """
        from .pricing import bill_from_usage

        current = self._meter.month(self._clock.now)
        return bill_from_usage(
            self.usage(request_ids=True),
            month or current,
            free_tier=free_tier,
            pricing=pricing,
            hours=hours,
            cloudhsm_pricing=cloudhsm_pricing,
        )

    def billed_requests(self, month: str | None = None) -> pd.DataFrame:
        """One row per billed request of the simulator's account (of ``month`` when given), oldest first: its
        request_id, month, region, operation, key_spec and key_pair_spec as the bill prices it, and from its
        trail event the event_id, time, key_arn (the first key it named) and error_code (a billed DryRun's
        ``DryRunOperationException``). ``bill.line_of(request_id)`` finds its bill line."""
        import pandas as pd

        from .pricing import parse_month

        if month is not None:
            parse_month(month)
        events = {e.request_id: (i, e) for i, e in enumerate(self._trail.events) if e.request_id is not None}
        rows = []
        for (m, account, region, op, spec, pair), ids in self._meter.request_ids.items():
            if account != self.account_id or (month is not None and m != month):
                continue
            for rid in ids:
                i, e = events[rid]
                first = e.resources[0] if e.resources else None
                rows.append(
                    (i, rid, m, region, op, spec, pair, e.event_id, e.event_time, first, e.error_code)
                )
        rows.sort(key=lambda r: r[0])
        columns = ["request_id", "month", "region", "operation", "key_spec", "key_pair_spec"]
        columns += ["event_id", "time", "key_arn", "error_code"]
        return pd.DataFrame([r[1:] for r in rows], columns=columns)

    # ------------------------------------------------------------------ persistence

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "account_id": self.account_id,
            "region": self.region,
            "now": iso(self._clock.now),
            "enforce_quotas": self.enforce_quotas,
            "random": self._random.state(),
            "id_random": self._id_random.state(),
            "quota_buckets": self._quota.to_json(),
            "principals": [p.to_json() for p in self._principals.values()],
            "operations": _saved.dump(self.ops),
            "trail": [e.to_dict() for e in self._trail.events],
            "requests": self._meter.to_json(),
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the whole state as versioned JSON, atomically (a temporary file renamed over the target).

        A symbolic link is written through: the file it points at is replaced, the link stays. A missing
        folder raises FileNotFoundError naming the folder. Returns ``path`` as given.
        """
        given = Path(path)
        target = Path(os.path.realpath(given)) if given.is_symlink() else given
        data = json.dumps(self.to_json(), indent=1, sort_keys=True)
        folder = target.parent or Path(".")
        if not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder to save the state into", str(folder))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)  # an ordinary file, not mkstemp's owner-only one
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the rename itself reaches the disk
            finally:
                os.close(dir_fd)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return given

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Simulator:
        """Read a state written by :meth:`save`. A corrupted, damaged or foreign file raises
        ``kmssim.DataFileError`` (a ValueError) naming the field and the rule it breaks."""
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise DataFileError(p, "file", f"not a kmssim state file ({reason})") from None
        return cls.from_json(data, source=str(p))

    @classmethod
    def from_json(cls, data: Any, *, source: str = "state") -> Simulator:
        """A simulator from :meth:`to_json` data; ``kmssim.DataFileError`` for anything ``save`` cannot have
        written: a wrong type, a missing or unknown field, a broken relation (a material ID that is not the hash
        of its seed, an alias to a missing key, a grant token without its grant...)."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise DataFileError(source, "format", f'not a kmssim state file (no "format": "{STATE_FORMAT}")')
        if data.get("version") not in READABLE_STATE_VERSIONS:
            raise DataFileError(
                source,
                "version",
                f"kmssim state version {data.get('version')!r}; this kmssim reads versions "
                f"{', '.join(map(str, READABLE_STATE_VERSIONS))}",
            )
        try:
            return cls._from_fields(Fields(data, ""))
        except DamagedState as exc:
            raise DataFileError(source, exc.field, f"the kmssim state is damaged: {exc.problem}") from None

    @classmethod
    def _from_fields(cls, f: Fields) -> Simulator:
        f.text("format")
        version = f.whole("version")
        account = f.text("account_id")
        region = f.text("region")
        now = f.time("now")
        try:
            sim = cls(account_id=account, region=region, start=now)
        except (TypeError, ValueError) as exc:
            raise DamagedState("account_id, region or now", str(exc)) from None
        sim.enforce_quotas = f.flag("enforce_quotas")
        sim._random = _load_random(f.get("random"), "random", "")
        sim._id_random = _load_random(f.get("id_random"), "id_random", "ids")
        if sim._random.seed != sim._id_random.seed:
            raise f.fail("id_random.seed", "differs from random.seed")
        sim._quota.load(f, "quota_buckets")
        for i, d in enumerate(f.items("principals")):
            at = f.path(f"principals[{i}]")
            principal = Principal.from_json(d, at)
            if principal.arn in sim._principals:
                raise DamagedState(f"{at}.arn", "a second principal with this ARN")
            try:
                sim.add_principal(principal.arn, principal.policies, principal.tags)
            except (TypeError, ValueError) as exc:
                raise DamagedState(at, str(exc)) from None
            if sim._principals[principal.arn] != principal:
                raise DamagedState(f"{at}.account", "is not the account of the principal's ARN")
        _saved.load(sim.ops, f.get("operations"), now, version=version)
        for arn, key in sim.ops.keys.items():
            if key.region not in simulated_regions():
                raise DamagedState(f"operations.keys.{arn}.region", "not a Region kmssim knows")
            try:
                parse_policy(key.policy, "key")
            except KMSError as exc:
                raise DamagedState(f"operations.keys.{arn}.policy", exc.message or exc.code) from None
        last = None
        for i, d in enumerate(f.items("trail")):
            event = AuditEvent.from_dict(d, f.path(f"trail[{i}]"), with_request_id=version >= 2)
            if event.event_time > now or (last is not None and event.event_time < last):
                raise DamagedState(f"trail[{i}].eventTime", "out of time order, or later than the clock")
            last = event.event_time
            sim._trail.events.append(event)
        trail_ids = {e.request_id: e.request_id for e in sim._trail.events if e.request_id is not None}
        sim._meter.load(f, "requests", trail_ids)
        f.done()
        return sim

    def __repr__(self) -> str:
        live = sum(1 for k in self.ops.keys.values() if k.deleted is None)
        return (
            f"<Simulator seed={self.seed} account={self.account_id} now={iso(self._clock.now)} keys={live}>"
        )
