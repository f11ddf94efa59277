"""The course's pictures: key states, a key's life on the simulated clock, the trail, a decision's path, a bill.

Every function returns a ``matplotlib.figure.Figure`` (matplotlib is imported only when a picture is drawn). The
figure is detached from pyplot, so drawing many pictures leaks nothing, and a notebook shows it as the cell's
value. Colours come from :mod:`kmssim.course.style` (Okabe-Ito, safe for the common colour blindnesses); things
that mean the same share a colour everywhere. Each drawn element that a test or a reader may look for carries a
``gid`` (``state:Enabled``, ``step:explicit-deny``, ``outcome:Allow``...).

Sources: key states https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html; rotation
https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html; deletion
https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html; the order of a permission decision
https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from .style import ALLOWED, DENIED, HIGHLIGHT, MUTED, NEUTRAL, OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .. import Simulator, Trail
    from ..policy import Decision
    from ..pricing import Estimate

__all__ = [
    "DECISION_STEPS",
    "IMPLICIT_DENY",
    "TIMELINE_EVENTS",
    "cost_breakdown",
    "decision_path",
    "key_state_diagram",
    "key_state_transitions",
    "key_timeline",
    "trail_over_time",
]

#: An implicit deny is neither allowed nor explicitly denied: the reddish purple of the palette.
IMPLICIT_DENY = OKABE_ITO[6]
#: Pictures are for a screen and stored in notebooks: a modest resolution keeps each PNG small.
DPI = 80
_WHITE = "#FFFFFF"
_INK = OKABE_ITO[7]

# ----------------------------------------------------------------------------------------------- helpers


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    plt.close(fig)  # detached: pyplot forgets it, the notebook still shows it as the cell's value
    return fig, ax


def _box(
    ax: Axes, x: float, y: float, text: str, *, face: str, edge: str, gid: str, w: float, h: float
) -> None:
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=face,
        edgecolor=edge,
        linewidth=2.5 if edge != MUTED else 1.2,
        gid=gid,
        zorder=2,
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3, color=_INK)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str, *, lit: bool) -> None:
    colour = HIGHLIGHT if lit else MUTED
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        zorder=1,
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "lw": 2.2 if lit else 1.2,
            "shrinkA": 4,
            "shrinkB": 4,
        },
    )
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(
            mx,
            my,
            label,
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
            color=_INK,
            bbox={"facecolor": _WHITE, "edgecolor": "none", "pad": 1},
        )


def _num(t: datetime) -> float:
    """A datetime as matplotlib's date number."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(t))  # type: ignore[no-untyped-call]


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    ax.tick_params(axis="x", labelsize=8, labelrotation=20)


def _bare(ax: Axes) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")


# ------------------------------------------------------------------------------------------- key states

#: The calls that move a key between states, with the parameters they need (CancelKeyDeletion leaves a key
#: Disabled; ScheduleKeyDeletion's shortest waiting period is 7 days).
_STATE_CALLS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("DisableKey", "disable_key", {}),
    ("EnableKey", "enable_key", {}),
    ("ScheduleKeyDeletion", "schedule_key_deletion", {"PendingWindowInDays": 7}),
    ("CancelKeyDeletion", "cancel_key_deletion", {}),
)
#: The clock's own transition: the waiting period ends and KMS deletes the key.
WAITING_PERIOD_ENDS = "waiting period ends"
_WAIT_DAYS = 31  # longer than the longest waiting period (30 days)


def _replay(path: Sequence[str]) -> tuple[Simulator, str]:
    from .. import Simulator

    sim = Simulator(seed=0)
    kms: Any = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    calls = {name: (method, params) for name, method, params in _STATE_CALLS}
    for step in path:
        if step == WAITING_PERIOD_ENDS:
            sim.advance(days=_WAIT_DAYS)
        else:
            method, params = calls[step]
            getattr(kms, method)(KeyId=key_id, **params)
    return sim, key_id


def _state(sim: Simulator, key_id: str) -> str:
    return next(k.state for k in sim.inventory(include_deleted=True) if k.key_id == key_id)


@lru_cache(maxsize=1)
def key_state_transitions() -> tuple[tuple[str, str, str], ...]:
    """``(from state, call or event, to state)`` for every state change a customer managed key can make.

    Found by asking the simulator, not retyped: starting from a new key, every state-changing call (and letting the
    waiting period end) is tried in every state reached, through the public client; a call KMS refuses in that
    state is no transition.
    """
    from botocore.exceptions import ClientError

    start_sim, start_key = _replay(())
    paths: dict[str, tuple[str, ...]] = {_state(start_sim, start_key): ()}
    edges: list[tuple[str, str, str]] = []
    frontier = list(paths)
    while frontier:
        state = frontier.pop(0)
        for step in [name for name, _m, _p in _STATE_CALLS] + [WAITING_PERIOD_ENDS]:
            try:
                sim, key_id = _replay((*paths[state], step))
            except ClientError:
                continue
            after = _state(sim, key_id)
            if after == state:
                continue
            edges.append((state, step, after))
            if after not in paths:
                paths[after] = (*paths[state], step)
                frontier.append(after)
    return tuple(edges)


#: Where each known state sits in the diagram; a state the simulator adds later goes on the row below.
_STATE_PLACES = {
    "Enabled": (0.0, 2.0),
    "Disabled": (4.6, 2.0),
    "PendingDeletion": (4.6, 0.0),
    "Deleted": (0.0, 0.0),
}


def key_state_diagram(current: str | None = None) -> Figure:
    """The key states and the calls between them, with ``current`` (a ``KeyState``, or ``"Deleted"``) lit."""
    edges = key_state_transitions()
    states = list(dict.fromkeys([s for e in edges for s in (e[0], e[2])]))
    if current is not None and current not in states:
        raise ValueError(
            f"{current!r} is not a key state kmssim simulates; the states are {', '.join(states)}"
        )
    places = dict(_STATE_PLACES)
    for i, s in enumerate(x for x in states if x not in places):
        places[s] = (1.8 * i, -1.6)
    fig, ax = _figure(7.5, 3.4)
    w, h = 1.7, 0.6
    for s in states:
        lit = s == current
        _box(
            ax,
            *places[s],
            s,
            face=HIGHLIGHT if lit else _WHITE,
            edge=_INK if lit else MUTED,
            gid=f"state:{s}",
            w=w,
            h=h,
        )
    between: dict[frozenset[str], int] = {}
    for src, _step, dst in edges:
        between[frozenset((src, dst))] = between.get(frozenset((src, dst)), 0) + 1
    for src, step, dst in edges:
        (x0, y0), (x1, y1) = places[src], places[dst]
        dx, dy = x1 - x0, y1 - y0
        length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        nx, ny = -dy / length, dx / length  # the normal, left of the direction of travel
        # Two calls between the same two states (DisableKey, EnableKey) run on parallel lines, each labelled on
        # its own side; the picture reads the same whichever way round the edges come.
        off = 0.16 if between[frozenset((src, dst))] > 1 else 0.0
        side = 0.4 + 0.7 * abs(nx) if between[frozenset((src, dst))] > 1 else -0.3
        ux, uy = dx / length, dy / length
        trim_x = w / 2 + 0.05 if abs(ux) > 0.01 else 0.0
        trim = min(
            abs(trim_x / ux) if abs(ux) > 0.01 else 9.0, abs((h / 2 + 0.05) / uy) if abs(uy) > 0.01 else 9.0
        )
        sx, sy = x0 + ux * trim + nx * off, y0 + uy * trim + ny * off
        ex, ey = x1 - ux * trim + nx * off, y1 - uy * trim + ny * off
        _arrow(ax, (sx, sy), (ex, ey), "", lit=src == current)
        ax.text(
            (sx + ex) / 2 + nx * side,
            (sy + ey) / 2 + ny * side,
            step,
            ha="center",
            va="center",
            fontsize=8,
            color=_INK,
            zorder=4,
        )
    xs = [p[0] for p in places.values()]
    ys = [p[1] for p in places.values()]
    ax.set_xlim(min(xs) - 1.1, max(xs) + 1.1)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    _bare(ax)
    ax.set_title("Key states" + (f": this key is {current}" if current else ""), fontsize=10)
    return fig


# ------------------------------------------------------------------------------------------- timelines

#: What a key's timeline marks, each kind in its own colour and marker.
TIMELINE_EVENTS: dict[str, tuple[str, str]] = {
    "CreateKey": (NEUTRAL, "o"),
    "RotateKey": (ALLOWED, "^"),
    "RotateKeyOnDemand": (ALLOWED, "v"),
    "DisableKey": (MUTED, "s"),
    "EnableKey": (NEUTRAL, "s"),
    "ScheduleKeyDeletion": (DENIED, "X"),
    "CancelKeyDeletion": (HIGHLIGHT, "P"),
    "DeleteKey": (_INK, "D"),
}


def _label_key(sim: Simulator, arn: str) -> str:
    for k in sim.inventory(include_deleted=True):
        if k.arn == arn:
            return k.aliases[0] if k.aliases else (k.description or k.key_id[:8])
    return arn.rsplit("/", 1)[-1][:8]


def key_timeline(sim: Simulator, key_ids: Sequence[str] | None = None) -> Figure:
    """Each key's life on the simulated clock: creation, rotations, deletion scheduled or cancelled, deletion.

    Read from the trail (successful calls and KMS's own events), so it shows what happened, when it happened; the
    days a key waited for deletion are shaded. ``key_ids``: key IDs or ARNs to show (default: every key).
    """
    keys = list(sim.inventory(include_deleted=True))
    if key_ids is not None:
        wanted = set(key_ids)
        keys = [k for k in keys if k.key_id in wanted or k.arn in wanted]
        missing = wanted - {k.key_id for k in keys} - {k.arn for k in keys}
        if missing:
            raise ValueError(f"no such key in the simulator: {', '.join(sorted(missing))}")
    fig, ax = _figure(7.5, 0.6 * max(len(keys), 2) + 1.4)
    seen: set[str] = set()
    now = sim.now
    for row, key in enumerate(keys):
        events = [
            e
            for e in sim.trail()
            if key.arn in e.resources and e.succeeded and e.event_name in TIMELINE_EVENTS
        ]
        end = next((e.event_time for e in events if e.event_name == "DeleteKey"), now)
        ax.plot(
            [_num(key.created), _num(end)], [row, row], color=MUTED, lw=3, zorder=1, solid_capstyle="butt"
        )
        pending: datetime | None = None
        for e in events:
            if e.event_name == "ScheduleKeyDeletion":
                pending = e.event_time
            elif e.event_name in ("CancelKeyDeletion", "DeleteKey") and pending is not None:
                ax.fill_between(
                    [_num(pending), _num(e.event_time)], row - 0.2, row + 0.2, color=DENIED, alpha=0.25, lw=0
                )
                pending = None
        if pending is not None:
            ax.fill_between(
                [_num(pending), _num(now)],
                row - 0.2,
                row + 0.2,
                color=DENIED,
                alpha=0.25,
                lw=0,
                gid="pending-deletion",
            )
        for e in events:
            colour, marker = TIMELINE_EVENTS[e.event_name]
            label = e.event_name if e.event_name not in seen else None
            seen.add(e.event_name)
            ax.scatter(
                [_num(e.event_time)],
                [row],
                color=colour,
                marker=marker,
                s=60,
                zorder=3,
                label=label,
                edgecolors=_INK,
                linewidths=0.5,
                gid=f"event:{e.event_name}",
            )
    ax.axvline(_num(now), color=_INK, ls="--", lw=1, gid="now")
    ax.text(_num(now), len(keys) - 0.4, " now", fontsize=8, va="bottom")
    ax.set_yticks(range(len(keys)), [_label_key(sim, k.arn) for k in keys])
    ax.set_ylim(-0.7, len(keys) - 0.1)
    ax.invert_yaxis()
    _date_axis(ax)
    if seen:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Keys on the simulated clock (shaded: waiting for deletion)", fontsize=10)
    fig.tight_layout()
    return fig


def trail_over_time(trail: Trail) -> Figure:
    """Every trail event as a dot: time across, the call down; succeeded in green, refused or failed in vermillion."""
    names = list(dict.fromkeys(e.event_name for e in trail))
    fig, ax = _figure(7.5, 0.3 * max(len(names), 3) + 1.3)
    for ok, colour, label in ((True, ALLOWED, "succeeded"), (False, DENIED, "failed")):
        points = [(_num(e.event_time), names.index(e.event_name)) for e in trail if e.succeeded is ok]
        if points:
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                color=colour,
                s=30,
                label=label,
                marker="o" if ok else "X",
                zorder=2,
                gid=f"trail:{label}",
            )
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_ylim(-0.7, max(len(names), 1) - 0.3)
    ax.invert_yaxis()
    ax.grid(axis="y", color=MUTED, lw=0.5)
    _date_axis(ax)
    if len(trail):
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"The trail: {len(trail)} events", fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class _Step:
    gid: str
    question: str
    exit_label: str
    outcome: str  # the effect when the request leaves the flow at this step


#: The order KMS decides in (the policy-evaluation page), top to bottom; each step can end the decision.
DECISION_STEPS: tuple[_Step, ...] = (
    _Step("explicit-deny", "A Deny statement matches?\n(key policy or IAM policy)", "yes", "ExplicitDeny"),
    _Step("cross-account", "Another account: may this\naction cross accounts?", "no", "ImplicitDeny"),
    _Step("key-policy", "The key policy allows\nthe caller itself?", "yes", "Allow"),
    _Step("identity-policy", "The key policy trusts the account\nand an IAM policy allows?", "yes", "Allow"),
    _Step("grant", "A grant allows it?", "yes", "Allow"),
)
_NOTHING_ALLOWS = "nothing-allows"

#: ``Decision.reason`` -> the step where the request left the flow (``nothing-allows``: it fell through them all).
_REASON_EXIT = {
    "explicit-deny": "explicit-deny",
    "cross-account-unsupported": "cross-account",
    "key-policy": "key-policy",
    "key-policy+identity-policy": "identity-policy",
    "identity-policy": "identity-policy",
    "root-implicit": "identity-policy",
    "grant": "grant",
    "no-identity-policy-allow": _NOTHING_ALLOWS,
    "no-key-policy-allow": _NOTHING_ALLOWS,
}
_EFFECT_COLOUR = {"Allow": ALLOWED, "ImplicitDeny": IMPLICIT_DENY, "ExplicitDeny": DENIED}
_EFFECT_WORDS = {"Allow": "Allow", "ImplicitDeny": "Implicit deny", "ExplicitDeny": "Explicit deny"}


def decision_path(decision: Decision) -> Figure:
    """The policy-evaluation flow with the path ``decision`` took lit, ending at its effect."""
    exit_at = _REASON_EXIT.get(decision.reason)
    if exit_at is None:
        raise ValueError(f"a decision with reason {decision.reason!r} has no place in the evaluation flow")
    gids = [s.gid for s in DECISION_STEPS]
    last = len(gids) if exit_at == _NOTHING_ALLOWS else gids.index(exit_at)
    fig, ax = _figure(6.5, 6.0)
    qw, qh, ow, oh, gap = 3.4, 0.7, 1.7, 0.55, 1.35
    for i, step in enumerate(DECISION_STEPS):
        y = -i * gap
        visited = i <= last
        _box(
            ax,
            0,
            y,
            step.question,
            face=_WHITE,
            edge=HIGHLIGHT if visited else MUTED,
            gid=f"step:{step.gid}",
            w=qw,
            h=qh,
        )
        ended_here = i == last
        colour = _EFFECT_COLOUR[step.outcome]
        _box(
            ax,
            3.5,
            y,
            _EFFECT_WORDS[step.outcome],
            face=colour if ended_here else _WHITE,
            edge=_INK if ended_here else MUTED,
            gid=f"outcome:{step.gid}",
            w=ow,
            h=oh,
        )
        _arrow(ax, (qw / 2, y), (3.5 - ow / 2, y), step.exit_label, lit=ended_here)
        below = -(i + 1) * gap
        _arrow(
            ax,
            (0, y - qh / 2),
            (0, below + (oh if i == len(gids) - 1 else qh) / 2),
            "no" if step.exit_label == "yes" else "yes",
            lit=i < last,
        )
    y_end = -len(gids) * gap
    fell = last == len(gids)
    _box(
        ax,
        0,
        y_end,
        "Nothing allows it: Implicit deny",
        face=IMPLICIT_DENY if fell else _WHITE,
        edge=_INK if fell else MUTED,
        gid=f"outcome:{_NOTHING_ALLOWS}",
        w=qw,
        h=oh,
    )
    ax.set_xlim(-qw / 2 - 0.2, 3.5 + ow / 2 + 0.2)
    ax.set_ylim(y_end - 0.6, qh)
    _bare(ax)
    title = f"{decision.action}: {_EFFECT_WORDS[decision.effect]}\n" + textwrap.fill(decision.why, 70)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------- cost


def cost_breakdown(estimate: Estimate, by: Literal["kind", "line"] = "kind") -> Figure:
    """The bill as bars: per kind of charge (``by="kind"``: keys, each request class, rotations, free tier) or per
    line of the bill (``by="line"``), one colour per kind; the free tier, a credit, in green to the left of zero."""
    lines = estimate.lines
    kinds = [str(c) for c in lines["price_class"]]
    order = list(dict.fromkeys(kinds))
    palette = [c for c in OKABE_ITO if c not in (ALLOWED, _INK)]
    colour_of = {
        c: (ALLOWED if c.startswith("free") else palette[i % len(palette)]) for i, c in enumerate(order)
    }
    several_regions = lines["region"].nunique() > 1
    bars: list[tuple[str, str, float]] = []  # (label, kind, USD)
    if by == "kind":
        for kind in order:
            total = sum((v for v, k in zip(lines["USD"], kinds, strict=True) if k == kind), Decimal(0))
            bars.append((kind.replace("_", " "), kind, float(total)))
    elif by == "line":
        for item, region, kind, usd in zip(lines["item"], lines["region"], kinds, lines["USD"], strict=True):
            bars.append((f"{item} ({region})" if several_regions else str(item), kind, float(usd)))
    else:
        raise ValueError(f"by={by!r}: give 'kind' or 'line'")
    fig, ax = _figure(7.0, 0.35 * max(len(bars), 3) + 1.2)
    top = max([v for _l, _k, v in bars] + [0.0]) or 1.0
    shown: set[str] = set()
    for i, (label, kind, value) in enumerate(bars):
        ax.barh(i, value, color=colour_of[kind], label=None if kind in shown else kind, gid=f"{by}:{label}")
        shown.add(kind)
        amount = f"{abs(value):,.2f}" if abs(value) >= 0.01 or value == 0 else f"{abs(value):.6f}"
        text = ("-$" if value < 0 else "$") + amount
        ax.text(max(value, 0.0) + top * 0.01, i, text, va="center", ha="left", fontsize=7)
    ax.set_yticks(range(len(bars)), [b[0] for b in bars], fontsize=8)
    ax.set_xlim(min(min(v for _l, _k, v in bars), 0.0) - top * 0.02, top * 1.25)
    ax.invert_yaxis()
    ax.axvline(0, color=_INK, lw=0.8)
    ax.set_xlabel("USD")
    ax.set_title(f"What it cost in {estimate.month}: ${estimate.total:,} in all", fontsize=10)
    fig.tight_layout()
    return fig
