"""The supply balance on the demo company's current plan (as the app seeds it): no resource-period
beyond capacity + overtime, and at least the fill rate and margin of the plan cut to capacity."""
from __future__ import annotations

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios import evaluate
from genxsop_core.supply.balance import balance


def test_the_demo_plan_balances_within_capacity_plus_overtime(demo_history):
    plan = dashboard_views.current_plan(demo_history())
    data = load_plan_data(demo_history(), plan.demand_version_id, plan.supply_version_id)
    assert (data.resources.overtime_hours > 0).all()  # the demo's Saturday shift reaches the plan
    result = balance(data)
    capacity = result.capacity
    assert (capacity.load_hours <= capacity.capacity_hours + capacity.overtime_limit + 1e-6).all()
    assert result.summary["overloads"] == 0
    cut = evaluate(data).summary
    assert cut["overloads"] > 0  # the plan as it stands overloads resources: there is something to balance
    assert result.summary["fill_rate"] >= cut["fill_rate"]
    assert result.summary["margin"] > cut["margin"]
    assert set(result.binding.sku) == set(data.skus)
    assert result.receipts.reason.str.len().gt(0).all()
