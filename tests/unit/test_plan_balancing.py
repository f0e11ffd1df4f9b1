"""The balanced plan beside the plan now: the figures compared (overtime now is the load above
capacity), computed on the small hand-made plan."""
from __future__ import annotations

import pytest

from genxsop_core.supply import plan_balancing
from genxsop_core.supply.balance import balance
from tests.plan_builders import small_plan, with_capacity


def test_overtime_now_is_the_load_above_capacity_and_the_balance_leaves_no_overload():
    plan = with_capacity(small_plan(), R2=45.0)  # M2's receipts 40, 50, 60 need 1 h each on R2: 5 h and 15 h over
    table = plan_balancing.figures(plan, balance(plan))
    assert list(table.index) == list(plan_balancing.FIGURES)
    assert table.now["overtime_hours"] == pytest.approx(20.0)
    assert table.now["overloads"] == 2 and table.balanced["overloads"] == 0
    assert table.change["overloads"] == -2
    assert table.balanced["overtime_hours"] == pytest.approx(0.0)  # the plan's resources allow no overtime
    assert bool(table.higher_is_better["fill_rate"]) and not bool(table.higher_is_better["overtime_hours"])
