"""Notebook 06, the three kinds of KMS key: a comparison built from what the simulator shows, a picture, the check.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-mgmt (the three kinds and the
legacy note on AWS managed keys), https://aws.amazon.com/kms/pricing/ (no key charge for AWS managed and AWS owned
keys; requests on AWS managed keys are charged).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ._feedback import Feedback, not_yet, right
from .services import SimulatedService, StoredItem
from .style import DENIED, HIGHLIGHT, NEUTRAL

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from kmssim import Simulator

__all__ = ["KIND_COLOURS", "check_audited_item", "comparison", "plot_comparison"]

#: One colour per kind of key, the same in every picture of the notebook.
KIND_COLOURS = {"customer managed": HIGHLIGHT, "AWS managed": NEUTRAL, "AWS owned": DENIED}

_CRYPTO_EVENTS = frozenset(
    {"Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt"}
)


def _trail_uses(sim: Simulator, arn: str) -> int:
    return sum(1 for e in sim.trail() if arn in e.resources and e.event_name in _CRYPTO_EVENTS)


def _row(sim: Simulator, service: SimulatedService, principal: str, item: StoredItem) -> dict[str, object]:
    if item.key_arn is None:  # the AWS owned key: nothing of it is visible from the account
        return {
            "kind": item.kind,
            "item": item.name,
            "key": "(not shown to you)",
            "in your account": False,
            "KeyManager": "",
            "you can change its policy": False,
            "direct call allowed": "no key to call",
            "call through the service": "the service's own",
            "uses in your trail": 0,
            "key charge (USD/month)": Decimal(0),
        }
    summary = {k.arn: k for k in sim.inventory()}.get(item.key_arn)
    bill = sim.bill()
    detail = bill.key_detail
    usd = Decimal(0)
    if detail is not None and not detail.empty:
        usd = sum((Decimal(v) for v in detail.loc[detail["arn"] == item.key_arn, "USD"]), Decimal(0))
    return {
        "kind": item.kind,
        "item": item.name,
        "key": item.key_arn.rsplit("/", 1)[-1],
        "in your account": summary is not None,
        "KeyManager": summary.key_manager if summary else "",
        "you can change its policy": sim.decide(sim.root(), "kms:PutKeyPolicy", item.key_arn).effect
        == "Allow",
        "direct call allowed": sim.decide(principal, "kms:Decrypt", item.key_arn).effect,
        "call through the service": sim.decide(
            principal, "kms:Decrypt", item.key_arn, context={"kms:ViaService": service.endpoint}
        ).effect,
        "uses in your trail": _trail_uses(sim, item.key_arn),
        "key charge (USD/month)": usd,
    }


def comparison(sim: Simulator, service: SimulatedService, principal: str) -> pd.DataFrame:
    """One column per item the service stored (named by its kind of key): what the simulator shows of that key.

    Every cell is read from the simulator: ``inventory()`` (is the key in the account, who manages it),
    ``decide()`` (may the account change the policy; may ``principal`` call KMS directly, and through the
    service), ``trail()`` (cryptographic uses logged) and ``bill()`` (the key's charge this month).
    """
    import pandas as pd

    rows = [_row(sim, service, principal, item) for item in service.items.values()]
    return pd.DataFrame(rows).set_index("kind").T if rows else pd.DataFrame()


def plot_comparison(table: pd.DataFrame) -> Figure:
    """Two panels per kind of key (``table`` from ``comparison``): uses in your trail, and the key charge."""
    import matplotlib.pyplot as plt

    fig, (left, right_ax) = plt.subplots(1, 2, figsize=(8, 2.4), dpi=80, sharey=True)
    plt.close(fig)  # detached: pyplot forgets it, the notebook shows it as the cell's value
    table = table.T
    kinds = list(table.index)
    colours = [KIND_COLOURS.get(k, NEUTRAL) for k in kinds]
    bars = left.barh(kinds, [int(v) for v in table["uses in your trail"]], color=colours)
    left.bar_label(bars, padding=3)
    left.set_title("uses in your trail")
    left.invert_yaxis()
    bars = right_ax.barh(kinds, [float(v) for v in table["key charge (USD/month)"]], color=colours)
    right_ax.bar_label(bars, labels=[f"${float(v):.2f}" for v in table["key charge (USD/month)"]], padding=3)
    right_ax.set_title("key charge (USD per month)")
    right_ax.set_xlim(0, 1.4)
    left.set_xlim(0, max(int(v) for v in table["uses in your trail"]) * 1.25 + 1)
    for ax in (left, right_ax):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def check_audited_item(sim: Simulator, service: SimulatedService, name: str, principal: str) -> Feedback:
    """The exercise: ``name`` must be stored under a key whose policy the account controls and whose every use
    shows in the trail, by ``principal``: a customer managed key."""
    item = service.items.get(name)
    if item is None:
        stored = ", ".join(sorted(service.items)) or "nothing yet"
        return not_yet(
            f"{service.name} holds no item named {name!r} (it holds: {stored}). Call service.put(...)."
        )
    if item.kind == "AWS owned":
        return not_yet(
            "it is stored under the service's AWS owned key: that key is not in your account, has no policy you can "
            "read, and no use of it reaches your trail. Pass key= a key you created with create_key."
        )
    if item.kind == "AWS managed":
        return not_yet(
            f"it is stored under {service.aws_managed_alias}: its uses show in the trail, but its policy is fixed "
            "(anyone in the account may use it through the service) and you cannot change it. Use a customer "
            "managed key."
        )
    assert item.key_arn is not None
    if not any(
        e.event_name == "GenerateDataKey" and item.key_arn in e.resources and e.principal == principal
        for e in sim.trail()
    ):
        return not_yet(
            f"the trail shows no GenerateDataKey by {principal} for it: store it as that principal."
        )
    return right(
        f"{name!r} is protected by customer managed key {item.key_arn.rsplit('/', 1)[-1]}: you write its policy, "
        "and the trail shows the GenerateDataKey the service made for it on your behalf."
    )
