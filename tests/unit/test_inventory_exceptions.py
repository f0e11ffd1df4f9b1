"""The exception list: one state per SKU, named in words, by precedence (docs/formulas.md)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.inventory import views as inventory_views
from tests.plan_builders import PERIODS, row, small_plan

WEEKS = pd.date_range("2025-02-03", periods=4, freq="7D")


def test_each_sku_gets_one_state_by_precedence_with_the_window_it_spans():
    balances = np.array([[500.0, 300.0, 5.0, 2.0],   # excess, then below safety stock
                         [-5.0, 50.0, 500.0, 3.0],   # a stockout, excess and a dip below safety stock
                         [50.0, 60.0, 70.0, 80.0],   # between safety stock and the maximum
                         [50.0, 900.0, 900.0, 50.0]])  # excess only
    state = inventory_policy.exception_state(balances, np.full(4, 10.0), np.full(4, 200.0), WEEKS)
    assert state.exception.tolist() == ["Below safety stock", "Stockout", None, "Excess"]
    assert state["from"].tolist()[:2] == [WEEKS[2], WEEKS[0]] and state["from"].iloc[3] == WEEKS[1]
    assert state.until.tolist()[:2] == [WEEKS[3], WEEKS[0]] and state.until.iloc[3] == WEEKS[2]
    assert pd.isna(state["from"].iloc[2]) and pd.isna(state.until.iloc[2])


def test_a_sku_in_excess_and_below_safety_stock_is_listed_once():
    plan = small_plan()
    on_hand, receipts = plan.on_hand.copy(), plan.receipts.copy()
    on_hand[row("B1")] = 900.0  # far above safety stock + order quantity in week 1 ...
    receipts[row("B1")] = 0.0
    consensus = plan.consensus.copy()
    consensus[row("B1")] = [20.0, 20.0, 855.0]  # ... and below safety stock (not out) in week 3
    plan = small_plan(on_hand=on_hand, receipts=receipts, consensus=consensus)
    policy = inventory_policy.policy_table(plan)
    b1 = policy.set_index("sku").loc["B1"]
    assert b1.excess_periods > 0 and b1.below_safety_periods > 0 and b1.stockout_periods == 0  # both happen
    listed = inventory_policy.exception_list(policy)
    assert listed.sku.is_unique
    crisps = listed.set_index("sku").loc["B1"]
    assert crisps.exception == "Below safety stock" and crisps["from"] == PERIODS[2]
    assert crisps.units == b1.below_safety_units and crisps.money_at_risk == b1.below_safety_units * b1.unit_price
    assert set(listed.exception) <= set(inventory_policy.EXCEPTION_KINDS)


def test_the_tiles_count_the_skus_of_the_list_under_their_one_state():
    plan = small_plan(on_hand=np.array([900.0, -30.0, 20.0]))
    view = inventory_views.compute_view(plan)
    totals = inventory_views.totals(view)
    counted = totals["stockout_skus"] + totals["below_safety_skus"] + totals["excess_skus"]
    assert counted == len(view.exceptions) > 0
    assert totals["money_at_risk"] == view.exceptions.money_at_risk.sum()
