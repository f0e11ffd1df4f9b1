"""The rebalance switch of the scenarios: the levers applied to the plan as evaluate applies them,
the balanced plan reported with evaluate's figures, and which resource capacity is worth adding on."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.scenarios import rebalanced
from genxsop_core.scenarios.levers import SUMMARY_LABELS, Levers, evaluate
from genxsop_core.supply.balance import balance
from tests.plan_builders import row, small_plan, with_capacity


def test_the_levers_reach_the_plan_that_is_balanced():
    plan = small_plan()
    levers = Levers(demand_change=0.1, demand_change_by_group={"family:Soda": -0.5}, price_change=0.05,
                    unit_cost_change=-0.1, capacity_change={"R1": -0.5}, lead_time_change_days=-20.0,
                    service_level=0.9)
    moved = rebalanced.scenario_plan(plan, levers)
    factor = np.array([1.1, 1.1, 1.1 * 0.5])  # B1, M1, M2
    assert moved.consensus == pytest.approx(plan.consensus * factor[:, None])
    assert moved.error_std == pytest.approx(plan.error_std * factor)
    firm = plan.firm
    assert moved.receipts[firm] == pytest.approx(plan.receipts[firm])  # released orders stay
    assert moved.receipts[~firm] == pytest.approx((plan.receipts * factor[:, None])[~firm])
    assert moved.column("unit_price") == pytest.approx(plan.column("unit_price") * 1.05)
    assert moved.column("unit_cost") == pytest.approx(plan.column("unit_cost") * 0.9)
    assert list(moved.resources.capacity_hours) == [50.0, 80.0]
    assert moved.column("lead_time_days")[row("B1")] == 0.0  # bought: 14 - 20, never below 0
    assert moved.column("lead_time_days")[row("M1")] == 14.0  # made: unchanged
    assert (moved.column("service_level_target") == 0.9).all()
    assert plan.column("unit_price")[0] == 5.0 and list(plan.resources.capacity_hours) == [100.0, 80.0]  # untouched


def test_bad_levers_are_refused_as_evaluate_refuses_them():
    with pytest.raises(InvalidInput, match="no resource R9"):
        rebalanced.evaluate_rebalanced(small_plan(), Levers(capacity_change={"R9": 0.1}))


def test_the_balanced_scenario_reads_like_evaluate():
    plan = with_capacity(small_plan(), R1=60.0)
    result = rebalanced.evaluate_rebalanced(plan)
    solved = balance(plan)
    summary, by_period = result.result.summary, result.result.by_period
    assert set(SUMMARY_LABELS) <= set(summary) and set(evaluate(plan).summary) <= set(summary)
    assert {k: summary[k] for k in SUMMARY_LABELS} == pytest.approx({k: solved.summary[k] for k in SUMMARY_LABELS},
                                                                     nan_ok=True)
    assert list(by_period.columns) == list(evaluate(plan).by_period.columns)
    assert list(by_period.period) == list(plan.periods)
    assert by_period.sold.sum() / by_period.demand.sum() == pytest.approx(summary["fill_rate"])
    assert by_period.revenue.sum() == pytest.approx(summary["revenue"])
    assert by_period.margin.sum() == pytest.approx(summary["margin"])
    assert by_period.inventory_value.mean() == pytest.approx(summary["inventory_value_avg"])
    assert by_period.receipts.sum() == pytest.approx(solved.receipts.quantity.sum())
    assert set(result.result.capacity.columns) == {"resource", "period", "load_hours", "capacity_hours",
                                                    "utilization"}


def test_the_resource_worth_adding_capacity_to_is_the_one_whose_hour_is_worth_most():
    tight = rebalanced.evaluate_rebalanced(with_capacity(small_plan(), R1=60.0))  # the released order needs 50 h
    assert tight.hour_values.resource.iloc[0] == "R1" and tight.hour_values.hour_value_total.iloc[0] > 0
    sentence = rebalanced.worth_adding(tight.hour_values)
    assert sentence.startswith("Capacity is worth adding on R1: one more hour in every week adds ")
    ample = rebalanced.evaluate_rebalanced(with_capacity(small_plan(), R1=1000.0, R2=1000.0))
    assert rebalanced.worth_adding(ample.hour_values) is None


def test_worth_adding_names_the_runner_up_and_counts_the_periods():
    values = pd.DataFrame({"resource": ["OVEN", "FILL", "PACK"], "hour_value_total": [12.5, 3.0, 0.0],
                           "hour_value_peak": [6.0, 3.0, 0.0], "binding_periods": [2, 1, 0]})
    assert rebalanced.worth_adding(values, bucket_days=30.4) == (
        "Capacity is worth adding on OVEN: one more hour in every period adds €12.50 to the balanced plan "
        "(2 periods short of hours, up to €6.00 for a single hour); next is FILL (€3.00).")
