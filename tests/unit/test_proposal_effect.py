"""What applying proposed receipts does, shown before they are applied (issue 16, item 4)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.inventory.views import compute_view, totals
from genxsop_core.supply import views as supply_views
from genxsop_core.supply.proposal_effect import FIGURES, effect_table, plan_figures, proposal_effect, worse_sentence
from tests.plan_builders import PERIODS, SKUS, row, small_plan, with_capacity


def test_the_figures_now_are_the_tiles_figures():
    plan = small_plan()
    figures, tiles = plan_figures(plan), totals(compute_view(plan))
    for key in ("stockout_skus", "below_safety_skus", "excess_skus", "money_at_risk"):
        assert figures[key] == tiles[key], key
    assert figures["overloads"] == int(supply_views.capacity_check(plan).overloaded.sum())


def test_receipts_that_end_stockouts_but_overload_a_line_and_pile_up_stock_say_so():
    plan = small_plan(on_hand=np.array([50.0, 10.0, -40.0]))  # Cola (M2) starts with a backlog
    added = np.zeros_like(plan.receipts)
    added[row("M2"), 0] = 400.0  # 400 h on Packing (R2, 80 h) and far more Cola than the plan needs
    effect = proposal_effect(plan, added)
    assert list(effect.index) == list(FIGURES) and list(effect.label) == [label for label, _ in FIGURES.values()]
    assert effect.loc["stockout_skus", "with_proposal"] < effect.loc["stockout_skus", "now"]
    assert effect.loc["overloads", "change"] >= 1 and effect.loc["excess_skus", "change"] == 1
    assert effect.loc["inventory_value_avg", "change"] > 0
    assert effect.worse["overloads"] and effect.worse["excess_skus"] and not effect.worse["stockout_skus"]
    assert (effect.change == effect.with_proposal - effect.now).all()


def test_no_receipts_added_change_nothing():
    effect = proposal_effect(small_plan(), np.zeros((len(SKUS), len(PERIODS))))
    assert (effect.change == 0).all() and not effect.worse.any()


def test_the_proposal_carries_what_it_adds_per_sku_and_period():
    plan = with_capacity(small_plan(on_hand=np.array([0.0, 0.0, 0.0])), R1=1000.0, R2=1000.0)
    policy = inventory_policy.policy_table(plan)
    rows = pd.DataFrame([(sku, period, plan.receipts[i, j], "make", 1) for i, sku in enumerate(plan.skus)
                         for j, period in enumerate(plan.periods)],
                        columns=["sku", "period", "planned_receipts", "kind", "row_version"])
    proposal = supply_views.propose(plan, policy, rows)
    assert proposal.added.shape == plan.receipts.shape and proposal.added.sum() > 0
    assert proposal.added.sum() == pytest.approx(
        proposal.receipts.added.sum())
    effect = proposal_effect(plan, proposal.added)
    assert effect.loc["below_safety_skus", "with_proposal"] + effect.loc["stockout_skus", "with_proposal"] <= (
        effect.loc["below_safety_skus", "now"] + effect.loc["stockout_skus", "now"])


def test_what_gets_worse_is_said_in_words_before_applying():
    effect = pd.DataFrame({"label": ["SKUs projected to stock out", "SKUs with excess", "Overloaded resource-periods",
                                     "Money at risk"],
                           "kind": ["count", "count", "count", "money"], "now": [29.0, 1.0, 16.0, 68118.0],
                           "with_proposal": [4.0, 20.0, 20.0, 79768.0]},
                          index=["stockout_skus", "excess_skus", "overloads", "money"])
    effect = effect.assign(change=effect.with_proposal - effect.now, worse=[False, True, True, True])
    sentence = worse_sentence(effect)
    assert sentence is not None and sentence.startswith(
        "Applying these receipts also raises SKUs with excess from 1 to 20, overloaded resource-periods from 16 to 20 "
        "and money at risk from ")
    assert "68,118" in sentence and "79,768" in sentence
    shown = effect_table(effect)
    assert list(shown.change[:3]) == ["-25", "+19", "+4"] and shown.change.iloc[3].startswith("+")
    assert worse_sentence(effect.assign(worse=False)) is None
