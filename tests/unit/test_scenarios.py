"""What-if scenarios on a hand-made plan (tests/plan_builders.py), every figure worked out by hand.

The plan (rows B1, M1, M2; three weeks):
    M1 made on R1 (0.5 h), price 10 cost 6, on hand 10, consensus 100/wk, receipts 100/wk (week 1 firm)
    M2 made on R1 (0.5 h) + R2 (1 h), price 20 cost 12, on hand 20, consensus 50/wk, receipts 40, 50, 60
    B1 bought, price 5 cost 2, on hand 50, consensus 40/wk, receipts 0, 0, 60
    R1 100 h, R2 80 h per week
"""
from __future__ import annotations

import json
import math
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.scenarios.levers import (
    HIGHER_IS_BETTER,
    SUMMARY_LABELS,
    Levers,
    demand_factor,
    evaluate,
    scenario_capacity,
    scenario_receipts,
)
from tests.plan_builders import row, small_plan, with_capacity

Z95, Z99, Z90 = (NormalDist().inv_cdf(p) for p in (0.95, 0.99, 0.90))
# Safety stock z * sqrt(L sd^2 + d^2 sdL^2), L and sdL in weeks, d the mean demand over the lead time:
#   M1: L 2, sd 10, d 100, sdL 0 -> z sqrt(200);  M2: L 1, sd 5 -> z 5;  B1: L 2, sd 8, d 40, sdL 1 -> z sqrt(1728)
# valued at cost 6, 12, 2:
SS_VALUE_PER_Z = 6 * math.sqrt(200) + 12 * 5 + 2 * math.sqrt(2 * 64 + 40**2 * 1)


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-12, abs=1e-9)


def test_the_plan_without_levers_by_hand():
    data = small_plan()
    result = evaluate(data)
    s = result.summary
    assert set(s) == set(SUMMARY_LABELS) == set(HIGHER_IS_BETTER)
    # sold = min(demand, stock + receipts), unmet demand lost:
    #   M1: 10+100 -> sells 100 each week, ends 10, 10, 10
    #   M2: 20+40=60 -> 50, ends 10; 10+50=60 -> 50, ends 10; 10+60=70 -> 50, ends 20
    #   B1: 50 -> 40, ends 10; 10 -> 10 (30 lost), ends 0; 0+60 -> 40, ends 20: the week-3 receipt does not
    #       serve week 2's lost demand (a backlog would sell 70 in week 3)
    assert result.by_period.sold.tolist() == [190.0, 160.0, 190.0]
    assert result.by_period.demand.tolist() == [190.0, 190.0, 190.0]
    assert result.by_period.receipts.tolist() == [140.0, 150.0, 220.0]
    # revenue = 300 x 10 + 150 x 20 + 90 x 5 = 3000 + 3000 + 450
    assert s["revenue"] == approx(6450.0)
    assert result.by_period.revenue.tolist() == [2200.0, 2050.0, 2200.0]  # week 2: 1000 + 1000 + 10 x 5
    # margin = 300 x (10-6) + 150 x (20-12) + 90 x (5-2) = 1200 + 1200 + 270
    assert s["margin"] == approx(2670.0) and s["margin_pct"] == approx(2670 / 6450)
    assert s["fill_rate"] == approx(540 / 570) and s["lost_units"] == approx(30.0) and s["stockout_skus"] == 1
    # end stock x cost: wk1 10x6 + 10x12 + 10x2 = 200; wk2 60 + 120 + 0 = 180; wk3 60 + 240 + 40 = 340
    assert result.by_period.inventory_value.tolist() == [200.0, 180.0, 340.0]
    assert s["inventory_value_avg"] == approx(720 / 3) and s["inventory_value_end"] == approx(340.0)
    assert s["safety_stock_value"] == approx(Z95 * SS_VALUE_PER_Z)
    # load: R1 = 0.5 x M1 + 0.5 x M2 = 50+20, 50+25, 50+30; R2 = 1 x M2 = 40, 50, 60
    capacity = result.capacity
    assert capacity.resource.tolist() == ["R1"] * 3 + ["R2"] * 3
    assert capacity.load_hours.tolist() == [70.0, 75.0, 80.0, 40.0, 50.0, 60.0]
    assert capacity.capacity_hours.tolist() == [100.0] * 3 + [80.0] * 3
    np.testing.assert_allclose(capacity.utilization, [0.7, 0.75, 0.8, 0.5, 0.625, 0.75])
    assert s["utilization_avg"] == approx((0.7 + 0.75 + 0.8 + 0.5 + 0.625 + 0.75) / 6)
    assert s["utilization_peak"] == approx(0.8) and s["overloads"] == 0


def test_evaluate_leaves_the_loaded_plan_as_it_was():
    data, fresh = small_plan(), small_plan()
    evaluate(data, Levers(demand_change=0.3, capacity_change={"R2": -0.5}, unit_cost_change=0.2))
    for name in ("consensus", "receipts", "make", "firm", "on_hand", "error_std", "hours"):
        np.testing.assert_array_equal(getattr(data, name), getattr(fresh, name), err_msg=name)
    assert data.resources.equals(fresh.resources) and data.products.equals(fresh.products)


def test_ten_percent_more_demand_with_ample_stock_sells_ten_percent_more():
    data = small_plan(on_hand=np.array([1000.0, 1000.0, 1000.0]))
    before, after = evaluate(data), evaluate(data, Levers(demand_change=0.10))
    # all demand served: 120 x 5 + 300 x 10 + 150 x 20 = 6600, then 1.1 x 6600 = 7260
    assert before.summary["revenue"] == approx(6600.0)
    assert after.summary["revenue"] == approx(7260.0) and after.summary["fill_rate"] == approx(1.0)
    assert after.summary["margin"] == approx(1.1 * (120 * 3 + 300 * 4 + 150 * 8))
    # planned receipts x 1.1, M1's firm week-1 order stays 100:
    #   wk1 100 + 44 + 0 = 144; wk2 110 + 55 + 0 = 165; wk3 110 + 66 + 66 = 242
    np.testing.assert_allclose(after.by_period.receipts, [144.0, 165.0, 242.0])
    receipts = scenario_receipts(data, Levers(demand_change=0.10))
    np.testing.assert_allclose(receipts[row("M1")], [100.0, 110.0, 110.0])
    np.testing.assert_allclose(receipts[row("M2")], [44.0, 55.0, 66.0])
    # safety stock follows the demand: mean and error sd both x 1.1, so z sqrt(...) x 1.1
    assert after.summary["safety_stock_value"] == approx(1.1 * before.summary["safety_stock_value"])


def test_a_category_or_family_lever_moves_only_that_group_and_combines_with_the_total():
    data = small_plan()
    category = Levers(demand_change_by_group={"category:Beverages": 0.20})
    np.testing.assert_allclose(demand_factor(data, category), [1.0, 1.2, 1.2])  # B1 (Snacks) unchanged
    result = evaluate(data, category)
    # demand per week 40 + 120 + 60 = 220; B1 sells as before (40, 10, 40), M1/M2 from their scaled receipts
    assert result.by_period.demand.tolist() == pytest.approx([220.0] * 3)
    np.testing.assert_allclose(scenario_receipts(data, category)[row("B1")], [0.0, 0.0, 60.0])
    np.testing.assert_allclose(scenario_receipts(data, category)[row("M1")], [100.0, 120.0, 120.0])  # firm stays

    family = Levers(demand_change_by_group={"family:Juice": -0.10})
    np.testing.assert_allclose(demand_factor(data, family), [1.0, 0.9, 1.0])

    both = Levers(demand_change=0.10, demand_change_by_group={"category:Beverages": 0.20, "family:Juice": -0.10})
    # B1 1.1; M1 1.1 x 1.2 x 0.9 = 1.188; M2 1.1 x 1.2 = 1.32
    np.testing.assert_allclose(demand_factor(data, both), [1.1, 1.188, 1.32])
    # week-1 demand 40 x 1.1 + 100 x 1.188 + 50 x 1.32 = 44 + 118.8 + 66
    assert evaluate(data, both).by_period.demand[0] == pytest.approx(228.8)


def test_price_and_unit_cost_levers_by_hand():
    data = small_plan()
    base = evaluate(data).summary
    price = evaluate(data, Levers(price_change=0.05)).summary
    # the same units sell: revenue 6450 x 1.05 = 6772.5; margin + 0.05 x 6450 = 2670 + 322.5
    assert price["revenue"] == approx(6772.5) and price["margin"] == approx(2992.5)
    assert price["fill_rate"] == approx(base["fill_rate"])
    assert price["inventory_value_avg"] == approx(base["inventory_value_avg"])

    cost = evaluate(data, Levers(unit_cost_change=0.10)).summary
    # margin - 0.1 x cost of the units sold = 2670 - 0.1 x (300 x 6 + 150 x 12 + 90 x 2) = 2670 - 378
    assert cost["revenue"] == approx(6450.0) and cost["margin"] == approx(2292.0)
    assert cost["inventory_value_avg"] == approx(1.1 * 240) and cost["inventory_value_end"] == approx(1.1 * 340)
    assert cost["safety_stock_value"] == approx(1.1 * Z95 * SS_VALUE_PER_Z)


def test_a_capacity_cut_raises_utilization_in_proportion():
    data = small_plan()
    cut = evaluate(data, Levers(capacity_change={"R2": -0.20}))
    np.testing.assert_allclose(scenario_capacity(data, Levers(capacity_change={"R2": -0.20})), [100.0, 64.0])
    # R2 80 -> 64 h: 40/64, 50/64, 60/64 = old / 0.8; R1 untouched; still no overload, nothing lost
    np.testing.assert_allclose(cut.capacity.utilization, [0.7, 0.75, 0.8, 0.5 / 0.8, 0.625 / 0.8, 0.75 / 0.8])
    assert cut.capacity.capacity_hours.tolist() == pytest.approx([100.0] * 3 + [64.0] * 3)
    assert cut.summary["overloads"] == 0 and cut.summary["revenue"] == approx(6450.0)


def test_load_above_a_cut_capacity_cuts_the_made_receipts_and_loses_sales():
    data = small_plan()
    levers = Levers(capacity_change={"R2": -0.50})
    result = evaluate(data, levers)
    # R2 80 -> 40 h against 40, 50, 60 h: utilization 1.0 (not over), 1.25, 1.5 -> 2 overloads
    np.testing.assert_allclose(result.capacity.utilization[3:], [1.0, 1.25, 1.5])
    assert result.capacity.load_hours.tolist()[3:] == [40.0, 50.0, 60.0]  # what the uncut plan needs
    assert result.summary["overloads"] == 2 and result.summary["utilization_peak"] == approx(1.5)
    # M2 receipts cut to what fits: 40, 50 x 40/50 = 40, 60 x 40/60 = 40
    receipts = scenario_receipts(data, levers)
    np.testing.assert_allclose(receipts[row("M2")], [40.0, 40.0, 40.0])
    np.testing.assert_allclose(receipts[row("M1")], [100.0, 100.0, 100.0])
    # M2: 20+40 -> 50, ends 10; 10+40 -> 50, ends 0; 0+40 -> 40 (10 lost): revenue 6450 - 10 x 20
    assert result.summary["revenue"] == approx(6250.0) and result.summary["lost_units"] == approx(40.0)
    assert result.summary["stockout_skus"] == 2 and result.summary["fill_rate"] == approx(530 / 570)
    assert result.by_period.sold.tolist() == [190.0, 160.0, 180.0]


def test_a_sku_routed_over_two_resources_is_cut_by_the_tighter_one():
    data = small_plan()
    levers = Levers(capacity_change={"R1": -0.25, "R2": -0.50})
    result = evaluate(data, levers)
    # R1 100 -> 75 h against 70, 75, 80: fits 1, 1, 75/80 = 0.9375; R2 40 h against 40, 50, 60: fits 1, 0.8, 2/3
    # M1 (R1 only): 100, 100, 100 x 0.9375 = 93.75
    # M2 (R1 and R2): wk2 min(1, 0.8) x 50 = 40; wk3 min(0.9375, 2/3) x 60 = 40 (R2 decides)
    receipts = scenario_receipts(data, levers)
    np.testing.assert_allclose(receipts[row("M1")], [100.0, 100.0, 93.75])
    np.testing.assert_allclose(receipts[row("M2")], [40.0, 40.0, 40.0])
    np.testing.assert_allclose(receipts[row("B1")], [0.0, 0.0, 60.0])
    np.testing.assert_allclose(result.by_period.receipts, [140.0, 140.0, 193.75])
    # M1 still sells 100 in week 3 (10 + 93.75), ending at 3.75; M2 loses 10 as with R2 alone
    assert result.summary["revenue"] == approx(6250.0)
    assert result.by_period.inventory_value[2] == approx(3.75 * 6 + 0 * 12 + 20 * 2)
    # overloads: R1 week 3 (80/75) and R2 weeks 2 and 3; R1 week 2 is exactly full (75/75), R2 week 1 too
    np.testing.assert_allclose(result.capacity.utilization, [0.7 / 0.75, 1.0, 0.8 / 0.75, 1.0, 1.25, 1.5])
    assert result.summary["overloads"] == 3


def test_more_capacity_on_an_overloaded_resource_wins_the_sales_back():
    data = with_capacity(small_plan(), R2=40.0)
    base = evaluate(data)
    assert base.summary["overloads"] == 2 and base.summary["revenue"] == approx(6250.0)  # as the cut above
    shift = evaluate(data, Levers(capacity_change={"R2": 0.50}))
    # R2 40 -> 60 h against 40, 50, 60: nothing over, M2 sells 50 every week again
    np.testing.assert_allclose(shift.capacity.utilization[3:], [40 / 60, 50 / 60, 1.0])
    assert shift.summary["overloads"] == 0 and shift.summary["revenue"] == approx(6450.0)
    assert shift.summary["lost_units"] == approx(30.0)  # only B1's, which no capacity helps


def test_a_longer_supplier_lead_time_raises_the_bought_skus_safety_stock_only():
    data = small_plan()
    longer = evaluate(data, Levers(lead_time_change_days=7)).summary
    # B1: L 2 -> 3 weeks, d still 40 (flat plan), sd 8, sdL 1: z sqrt(3 x 64 + 1600) = z sqrt(1792); M1, M2 are made
    assert longer["safety_stock_value"] == approx(Z95 * (6 * math.sqrt(200) + 60 + 2 * math.sqrt(1792)))
    assert longer["revenue"] == approx(6450.0)  # the lever moves no receipt
    # lead time never below 0: B1 at L 0 keeps only the lead-time spread: z sqrt(0 + 1600 x 1) = 40 z
    shorter = evaluate(data, Levers(lead_time_change_days=-21)).summary
    assert shorter["safety_stock_value"] == approx(Z95 * (6 * math.sqrt(200) + 60 + 2 * 40))

    all_made = small_plan(make=np.ones((3, 3), dtype=bool), hours=np.array([[0.1, 0.0], [0.5, 0.0], [0.5, 1.0]]))
    assert evaluate(all_made, Levers(lead_time_change_days=7)).summary["safety_stock_value"] == approx(
        evaluate(all_made).summary["safety_stock_value"])


def test_a_higher_service_level_raises_the_safety_stock_value():
    data = small_plan()
    high = evaluate(data, Levers(service_level=0.99)).summary["safety_stock_value"]
    low = evaluate(data, Levers(service_level=0.90)).summary["safety_stock_value"]
    assert high == approx(Z99 * SS_VALUE_PER_Z) and low == approx(Z90 * SS_VALUE_PER_Z)  # 2.326 vs 1.282 z
    assert high > evaluate(data).summary["safety_stock_value"] > low
    # None keeps each SKU's own target
    targets = replace(data, products=data.products.assign(service_level_target=[0.90, 0.99, 0.95]))
    assert evaluate(targets).summary["safety_stock_value"] == approx(
        Z90 * 2 * math.sqrt(1728) + Z99 * 6 * math.sqrt(200) + Z95 * 60)


@pytest.mark.parametrize("levers, message", [
    (Levers(demand_change=-1.0), "demand_change must be a fraction above -1"),
    (Levers(demand_change=-1.5), "demand_change must be a fraction above -1"),
    (Levers(demand_change=float("nan")), "demand_change must be a fraction above -1"),
    (Levers(price_change=-1.0), "price_change must be a fraction above -1"),
    (Levers(unit_cost_change=-2.0), "unit_cost_change must be a fraction above -1"),
    (Levers(demand_change_by_group={"category:Beverages": -1.0}), "demand change of category:Beverages must be"),
    (Levers(capacity_change={"R1": -1.0}), "capacity change of R1 must be a fraction above -1"),
    (Levers(demand_change_by_group={"category:Toys": 0.1}), "no category Toys in the plan"),
    (Levers(demand_change_by_group={"family:Nope": 0.1}), "no family Nope in the plan"),
    (Levers(demand_change_by_group={"family:Beverages": 0.1}), "no family Beverages in the plan"),  # a category
    (Levers(capacity_change={"R9": 0.1}), "no resource R9 in the plan"),
    (Levers(service_level=1.0), "service level must be strictly between 0 and 1, got 1.0"),
    (Levers(service_level=0.0), "service level must be strictly between 0 and 1, got 0.0"),
    (Levers(service_level=95), "service level must be strictly between 0 and 1, got 95"),
    (Levers(lead_time_change_days=float("inf")), "lead time change must be a number of days"),
])
def test_invalid_levers_are_refused_naming_the_lever(levers, message):
    data = small_plan()
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        evaluate(data, levers)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        scenario_receipts(data, levers)


def test_every_problem_with_the_levers_is_named_at_once():
    with pytest.raises(InvalidInput) as caught:
        evaluate(small_plan(), Levers(demand_change=-1, capacity_change={"R9": 0.1}, service_level=1.0))
    text = str(caught.value)
    assert "demand_change" in text and "no resource R9" in text and "service level" in text


def test_levers_round_trip_through_a_dict_and_json_and_unknown_keys_are_refused():
    levers = Levers(demand_change=0.1, demand_change_by_group={"category:Beverages": 0.2, "family:Juice": -0.1},
                    price_change=0.05, unit_cost_change=-0.02, capacity_change={"R2": -0.5},
                    lead_time_change_days=7.0, service_level=0.97)
    assert Levers.from_dict(levers.to_dict()) == levers
    assert Levers.from_dict(json.loads(json.dumps(levers.to_dict()))) == levers  # as a pinned scenario stores it
    assert Levers.from_dict({}) == Levers()
    assert Levers().to_dict() == {"demand_change": 0.0, "demand_change_by_group": {}, "price_change": 0.0,
                                  "unit_cost_change": 0.0, "capacity_change": {}, "lead_time_change_days": 0.0,
                                  "service_level": None}
    with pytest.raises(InvalidInput, match="unknown lever.*demand_chnage.*levers are .*demand_change"):
        Levers.from_dict({"demand_chnage": 0.1})


@pytest.mark.parametrize("levers", [
    Levers(), Levers(demand_change=0.1), Levers(capacity_change={"R1": -0.25, "R2": -0.5}),
    Levers(demand_change=0.3, demand_change_by_group={"family:Soda": 0.2}, capacity_change={"R2": -0.2}),
])
def test_scenario_receipts_are_the_receipts_evaluate_used(levers):
    data = small_plan()
    np.testing.assert_allclose(scenario_receipts(data, levers).sum(0), evaluate(data, levers).by_period.receipts)


def test_a_plan_without_resources_is_evaluated():
    data = small_plan(resources=small_plan().resources.iloc[:0], hours=np.zeros((3, 0)),
                      make=np.zeros((3, 3), dtype=bool))
    result = evaluate(data)
    # nothing is made, so nothing is cut: the same units sell as in the plan with resources
    assert result.summary["revenue"] == approx(6450.0) and result.summary["overloads"] == 0
    assert result.capacity.empty
