"""What applying proposed receipts does to the plan, before anyone applies them.

Proposed receipts (supply.views.propose) bring projected inventory back to safety stock; they
look at neither capacity nor excess, so applying them can trade stockouts for overloaded
resources, excess stock and money tied up. The figures here are those the Supply review and
Inventory tiles show, computed on the plan as it is and as it would be with the receipts added.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from genxsop_core.inventory import formulas as inventory
from genxsop_core.inventory.views import compute_view, totals
from genxsop_core.plans.data import PlanData
from genxsop_core.presentation.numbers import format_value
from genxsop_core.supply.views import load_check

FIGURES: dict[str, tuple[str, str]] = {  # key: (label, kind); for every one of them, more is worse
    "stockout_skus": ("SKUs projected to stock out", "count"),
    "below_safety_skus": ("SKUs below safety stock", "count"),
    "excess_skus": ("SKUs with excess", "count"),
    "overloads": ("Overloaded resource-periods", "count"),
    "money_at_risk": ("Money at risk", "money"),
    "inventory_value_avg": ("Average projected inventory value", "money"),
}


def plan_figures(data: PlanData) -> dict[str, float]:
    """The FIGURES of a plan: SKU counts and money at risk as inventory.views.totals counts them
    (one exception per SKU), overloaded resource-periods as the rough-cut check counts them, and
    the value of projected stock (backlog worth 0) averaged over the plan's periods."""
    counts = totals(compute_view(data))
    balances = inventory.project_inventory(data.on_hand, data.receipts, data.consensus)
    value = inventory.inventory_value(balances, data.column("unit_cost")[:, None])
    return {"stockout_skus": counts["stockout_skus"], "below_safety_skus": counts["below_safety_skus"],
            "excess_skus": counts["excess_skus"], "overloads": int(load_check(data).overloaded.sum()),
            "money_at_risk": counts["money_at_risk"],
            "inventory_value_avg": float(np.sum(value, axis=0).mean()) if data.periods.size else 0.0}


def proposal_effect(data: PlanData, added: np.ndarray) -> pd.DataFrame:
    """One row per figure (FIGURES order, indexed by key): label, kind, now, with_proposal,
    change and worse (the figure rises by a whole unit or more: every one of them is better lower)."""
    now, then = plan_figures(data), plan_figures(replace(data, receipts=data.receipts + added))
    table = pd.DataFrame({"label": [label for label, _ in FIGURES.values()],
                          "kind": [kind for _, kind in FIGURES.values()],
                          "now": [float(now[key]) for key in FIGURES],
                          "with_proposal": [float(then[key]) for key in FIGURES]}, index=list(FIGURES))
    table["change"] = table.with_proposal - table.now
    return table.assign(worse=table.change.round() >= 1)


def _signed(change: float, kind: str) -> str:
    if round(change) == 0:
        return "no change"
    return ("+" if change > 0 else "-") + format_value(abs(change), kind)


def effect_table(effect: pd.DataFrame) -> pd.DataFrame:
    """proposal_effect as the planner reads it: figure, now, with_proposal and change as text."""
    return pd.DataFrame({"figure": effect.label,
                         "now": [format_value(v, k) for v, k in zip(effect.now, effect.kind)],
                         "with_proposal": [format_value(v, k) for v, k in zip(effect.with_proposal, effect.kind)],
                         "change": [_signed(v, k) for v, k in zip(effect.change, effect.kind)]})


def _in_sentence(label: str) -> str:
    """A label inside a sentence: "Money at risk" -> "money at risk", "SKUs with excess" as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def worse_sentence(effect: pd.DataFrame) -> str | None:
    """The figures applying would make worse, in one sentence; None when none gets worse."""
    worse = effect[effect.worse]
    if worse.empty:
        return None
    parts = [f"{_in_sentence(r.label)} from {format_value(r.now, r.kind)} to {format_value(r.with_proposal, r.kind)}"
             for r in worse.itertuples()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Applying these receipts also raises {listed}."
