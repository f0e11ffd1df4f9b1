"""The supply balance (genxsop_core.supply.balance) on plans small enough to solve by hand.

The base instance: SKUs A (price 10, cost 6: margin 4) and B (price 20, cost 12: margin 8), both made
on one resource R at 1 hour a unit, three weekly periods, no stock, no planned receipts, no lead
time, no forecast error (so no safety stock) and no holding cost unless a test sets one. A lost
unit costs its margin (not earned) plus margin x priority (priority 1 unless set).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData
from genxsop_core.supply.balance import (
    BINDING_COLUMNS,
    CAPACITY_COLUMNS,
    INVENTORY_COLUMNS,
    RECEIPT_COLUMNS,
    BalanceOptions,
    balance,
    hour_values,
    overtime_columns,
)

PERIODS = pd.date_range("2027-03-01", periods=3, freq="7D")  # ISO weeks 9, 10, 11
ONE_PER_PERIOD = 365.25 / 7 / 6  # holding rate that makes a unit costing 6 cost 1 per weekly period
NO_HOLDING = BalanceOptions(holding_cost_rate=0.0)
CENTS = BalanceOptions(holding_cost_rate=ONE_PER_PERIOD / 100)  # 0.01 a period for A, 0.02 for B: no early builds


def tiny_plan(demand: dict[str, list[float]] | None = None, capacity: float = 10.0, overtime: float = 0.0,
              overtime_cost: float | None = None, lead_time_days: float = 0.0, **changes) -> PlanData:
    """The base instance of the module doc; keyword arguments replace PlanData fields."""
    skus = ["A", "B"]
    demand = demand or {"A": [6.0, 6.0, 6.0], "B": [6.0, 6.0, 6.0]}
    consensus = np.array([demand[s] for s in skus])
    products = pd.DataFrame({
        "sku": skus, "name": ["Apple", "Berry"], "category": "Food", "family": "Fruit", "status": "active",
        "unit_cost": [6.0, 12.0], "unit_price": [10.0, 20.0], "lead_time_days": lead_time_days,
        "lead_time_std_days": 0.0, "moq": 1.0, "order_cost": 0.0, "holding_cost_rate": 0.0,
        "service_level_target": 0.95})
    resources = pd.DataFrame({"resource": ["R"], "name": ["Line"], "capacity_hours": [capacity],
                              "cost_per_hour": [0.0], "overtime_hours": [overtime],
                              "overtime_cost_per_hour": [overtime_cost]})
    shape = consensus.shape
    data = PlanData(
        demand_version_id=1, supply_version_id=2, skus=skus, periods=PERIODS, products=products,
        consensus=consensus, statistical=consensus.copy(),
        quantiles=np.full((*shape, len(QUANTILE_LEVELS)), np.nan), receipts=np.zeros(shape),
        make=np.ones(shape, dtype=bool), firm=np.zeros(shape, dtype=bool), on_hand=np.zeros(2),
        error_std=np.zeros(2), error_std_source=np.full(2, "history sd"), history_mean=consensus.mean(1),
        history_std=np.zeros(2), resources=resources, hours=np.ones((2, 1)), bucket_days=7.0)
    return replace(data, **changes)


def grid(frame: pd.DataFrame, column: str, skus: tuple[str, ...] = ("A", "B")) -> np.ndarray:
    """(sku, period) values of a result frame as a matrix, 0 where it has no row."""
    table = frame.pivot_table(index="sku", columns="period", values=column, aggfunc="sum")
    return table.reindex(index=list(skus), columns=PERIODS).fillna(0.0).to_numpy()


def test_capacity_goes_to_the_higher_margin_and_an_hour_is_worth_the_next_unit():
    """10 hours for 12 units a period: B (8 + 8 a unit) is served in full, A (4 + 4) gets 4 of 6.
    Optimum: margin 3 x (6 x 8 + 4 x 4) = 192, lost 6 units of A at 4 = 24, objective 168. One more
    hour serves one more A: worth 4 + 4 = 8 in every period. A cent of holding makes the optimum
    unique (nothing made ahead)."""
    result = balance(tiny_plan(), CENTS)
    assert list(result.receipts.columns) == RECEIPT_COLUMNS and list(result.capacity.columns) == CAPACITY_COLUMNS
    assert list(result.inventory.columns) == INVENTORY_COLUMNS and list(result.binding.columns) == BINDING_COLUMNS
    np.testing.assert_allclose(grid(result.receipts, "quantity"), [[4, 4, 4], [6, 6, 6]], atol=1e-6)
    np.testing.assert_allclose(grid(result.inventory, "unmet"), [[2, 2, 2], [0, 0, 0]], atol=1e-6)
    assert result.summary["margin"] == pytest.approx(192.0)
    assert result.summary["shortfall_cost"] == pytest.approx(24.0)
    assert result.summary["objective"] == pytest.approx(168.0, abs=1e-3)
    assert result.summary["fill_rate"] == pytest.approx(30 / 36)
    assert result.summary["overloads"] == 0 and result.summary["stockout_skus"] == 1
    np.testing.assert_allclose(result.capacity.hour_value, [8.0, 8.0, 8.0], atol=1e-3)
    np.testing.assert_allclose(result.capacity.utilization, [1.0, 1.0, 1.0])
    binding = result.binding.set_index("sku")
    assert binding.loc["A", "constraint"] == "capacity" and binding.loc["A", "detail"] == "capacity on R in weeks 9-11"
    assert hour_values(result).iloc[0].to_dict() == pytest.approx(
        {"resource": "R", "hour_value_total": 24.0, "hour_value_peak": 8.0, "binding_periods": 3}, abs=1e-3)


def test_priority_turns_the_choice_and_the_hour_value_follows():
    """Priority 4 on A: a lost A costs 4 + 16 = 20 > a lost B's 16, so A is served in full and
    B gets 4 a period; an hour is then worth one more B: 16."""
    result = balance(tiny_plan(), replace(CENTS, priority={"A": 4.0}))
    np.testing.assert_allclose(grid(result.receipts, "quantity"), [[6, 6, 6], [4, 4, 4]], atol=1e-6)
    np.testing.assert_allclose(result.capacity.hour_value, [16.0, 16.0, 16.0], atol=1e-3)
    assert result.summary["shortfall_cost"] == pytest.approx(6 * 8.0)


def test_building_ahead_costs_holding_and_the_hours_before_the_peak_are_worth_the_holding_saved():
    """A needs 25 in week 11 only, 10 hours a period, holding 1 a unit and period: make 5, 10, 10.
    Holding 5 x 2 + 10 x 1 = 20. An hour in week 10 saves one unit a period of holding (1), in
    week 11 two (2); week 9 has slack (0). Receipts made ahead say so, and why."""
    plan = tiny_plan({"A": [0.0, 0.0, 25.0], "B": [0.0, 0.0, 0.0]})
    result = balance(plan, BalanceOptions(holding_cost_rate=ONE_PER_PERIOD))
    np.testing.assert_allclose(grid(result.receipts, "quantity")[0], [5, 10, 10], atol=1e-6)
    np.testing.assert_allclose(grid(result.inventory, "end_stock")[0], [5, 15, 0], atol=1e-6)
    assert result.summary["holding_cost"] == pytest.approx(20.0)
    assert result.summary["fill_rate"] == pytest.approx(1.0)
    np.testing.assert_allclose(result.capacity.hour_value, [0.0, 1.0, 2.0], atol=1e-4)
    first = result.receipts.iloc[0]
    assert first.reason == "covers demand of week 11; capacity on R binds in weeks 10-11; made ahead of demand"
    assert result.binding.set_index("sku").loc["A", "detail"] == "capacity on R in weeks 10-11"


def test_overtime_is_used_up_to_its_limit_when_worth_its_cost_and_then_prices_the_hour():
    """A alone, 12 a period on 10 hours with 4 hours of overtime at 2 an hour: serving a unit is
    worth 8, so 2 hours of overtime a period; the marginal hour saves one overtime hour: 2."""
    plan = tiny_plan({"A": [12.0, 12.0, 12.0], "B": [0.0, 0.0, 0.0]}, overtime=4.0, overtime_cost=2.0)
    result = balance(plan, NO_HOLDING)
    np.testing.assert_allclose(result.capacity.overtime_hours, [2.0, 2.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(result.capacity.hour_value, [2.0, 2.0, 2.0], atol=1e-4)
    assert result.summary["overtime_cost"] == pytest.approx(12.0)
    assert result.summary["overtime_hours"] == pytest.approx(6.0)
    assert result.summary["fill_rate"] == pytest.approx(1.0) and result.summary["overloads"] == 0
    assert result.summary["objective"] == pytest.approx(3 * 12 * 4.0 - 12.0, abs=1e-3)


def test_overtime_beyond_its_limit_is_never_used():
    """Demand 30 a period, 10 hours + 4 overtime: 14 made, the rest lost; the hour is worth 8 (a lost unit)."""
    plan = tiny_plan({"A": [30.0, 30.0, 30.0], "B": [0.0, 0.0, 0.0]}, overtime=4.0, overtime_cost=2.0)
    result = balance(plan, NO_HOLDING)
    np.testing.assert_allclose(result.capacity.load_hours, [14.0, 14.0, 14.0], atol=1e-6)
    np.testing.assert_allclose(result.capacity.hour_value, [8.0, 8.0, 8.0], atol=1e-4)


def test_overtime_cost_defaults_to_time_and_a_half_of_the_running_cost():
    resources = pd.DataFrame({"resource": ["R", "S", "T"], "cost_per_hour": [100.0, 40.0, 10.0],
                              "overtime_hours": [8.0, None, 0.0], "overtime_cost_per_hour": [None, 90.0, np.nan]})
    limit, cost = overtime_columns(resources)
    np.testing.assert_allclose(limit, [8.0, 0.0, 0.0])
    np.testing.assert_allclose(cost, [150.0, 90.0, 15.0])
    limit, cost = overtime_columns(pd.DataFrame({"resource": ["R"], "capacity_hours": [5.0]}))  # before migration 0011
    np.testing.assert_allclose(limit, [0.0]) and np.testing.assert_allclose(cost, [0.0])


def test_no_receipt_rises_inside_the_lead_time_and_the_lead_time_is_named():
    """Lead time 14 days: the first new receipt lands in week 11. A planned (not released) receipt of
    3 A in week 9 may stay or shrink, not grow; demand of weeks 9-10 beyond it is lost."""
    receipts = np.zeros((2, 3))
    receipts[0, 0] = 3.0
    plan = tiny_plan({"A": [6.0, 6.0, 6.0], "B": [0.0, 0.0, 0.0]}, capacity=100.0, lead_time_days=14.0,
                     receipts=receipts)
    result = balance(plan, NO_HOLDING)
    made = grid(result.receipts, "quantity")[0]
    np.testing.assert_allclose(made, [3.0, 0.0, 6.0], atol=1e-6)
    np.testing.assert_allclose(grid(result.inventory, "unmet")[0], [3.0, 6.0, 0.0], atol=1e-6)
    lead = result.binding[(result.binding.sku == "A") & (result.binding.constraint == "lead time")]
    assert lead.detail.tolist() == ["no new receipt lands before 2027-03-15; short or below safety stock in weeks 9-10"]


def test_a_planned_receipt_nobody_needs_is_cancelled_and_a_released_one_is_kept():
    """B has no demand: its planned receipt of 5 in week 9 goes, its released order of 4 in week 10
    stays (and takes 4 of week 10's hours from A)."""
    receipts, firm = np.zeros((2, 3)), np.zeros((2, 3), dtype=bool)
    receipts[1, 0], receipts[1, 1], firm[1, 1] = 5.0, 4.0, True
    plan = tiny_plan({"A": [10.0, 10.0, 10.0], "B": [0.0, 0.0, 0.0]}, receipts=receipts, firm=firm)
    result = balance(plan, NO_HOLDING)
    rows = result.receipts.set_index(["sku", "period"])
    assert rows.loc[("B", PERIODS[0]), "quantity"] == pytest.approx(0.0)
    assert rows.loc[("B", PERIODS[0]), "reason"] == "cancelled: demand is covered without it"
    assert rows.loc[("B", PERIODS[1]), "quantity"] == pytest.approx(4.0)
    assert rows.loc[("B", PERIODS[1]), "reason"] == "released order, kept as it is"
    assert bool(rows.loc[("B", PERIODS[1]), "firm"])
    np.testing.assert_allclose(grid(result.receipts, "quantity")[0], [10.0, 6.0, 10.0], atol=1e-6)


def test_lost_sales_are_gone_and_back_orders_are_served_later():
    """A needs 10 in week 9 only, 5 hours a period. Lost: 5 served, 5 lost. Back-ordered: 5 served in
    week 9 and 5 in week 10, at 0.1 x 4 for the unit-period waiting."""
    plan = tiny_plan({"A": [10.0, 0.0, 0.0], "B": [0.0, 0.0, 0.0]}, capacity=5.0)
    lost = balance(plan, NO_HOLDING)
    waited = balance(plan, replace(NO_HOLDING, unmet="backorder"))
    np.testing.assert_allclose(grid(lost.inventory, "served")[0], [5.0, 0.0, 0.0], atol=1e-6)
    assert lost.summary["fill_rate"] == pytest.approx(0.5) and lost.summary["lost_units"] == pytest.approx(5.0)
    np.testing.assert_allclose(grid(waited.inventory, "served")[0], [5.0, 5.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(grid(waited.inventory, "unmet")[0], [5.0, 0.0, 0.0], atol=1e-6)
    assert waited.summary["fill_rate"] == pytest.approx(1.0)
    assert waited.summary["shortfall_cost"] == pytest.approx(5 * 0.1 * 4.0)
    assert waited.summary["objective"] > lost.summary["objective"]


def test_safety_stock_is_a_soft_floor_kept_when_it_costs_less_than_it_is_worth():
    """Forecast error 10 at 95% with no lead time still gives safety stock over one period: it is
    held at the end of every period while capacity allows."""
    plan = tiny_plan({"A": [5.0, 5.0, 5.0], "B": [0.0, 0.0, 0.0]}, capacity=100.0, error_std=np.array([10.0, 0.0]),
                     lead_time_days=7.0)
    result = balance(plan, BalanceOptions(holding_cost_rate=ONE_PER_PERIOD))
    stock = result.inventory[result.inventory.sku == "A"]
    floor = stock.safety_stock.iloc[0]
    assert floor > 0
    np.testing.assert_allclose(stock.end_stock.iloc[1:], floor, rtol=1e-6)  # week 9 is inside the lead time
    assert result.binding.set_index("sku").loc["A", "constraint"] in {"lead time", "safety stock"}


def test_released_orders_over_capacity_name_the_resource_and_weeks():
    firm = np.zeros((2, 3), dtype=bool)
    firm[0, 1:] = True
    receipts = np.where(firm, 15.0, 0.0)
    plan = tiny_plan(receipts=receipts, firm=firm)
    with pytest.raises(InvalidInput, match=r"released orders alone.*R in weeks 10-11 \(needs up to 5\.0 h more"):
        balance(plan)
    allowed = balance(replace(plan, resources=plan.resources.assign(overtime_hours=5.0)), CENTS)
    np.testing.assert_allclose(allowed.capacity.overtime_hours[1:], [5.0, 5.0], atol=1e-6)
    assert allowed.summary["overloads"] == 0


@pytest.mark.parametrize("options, message", [
    (BalanceOptions(unmet="later"), "unmet demand must be lost or backorder"),
    (BalanceOptions(priority={"Z": 2.0}), "priority names SKU"),
    (BalanceOptions(safety_stock_penalty=-1.0), "safety stock penalty must be"),
    (BalanceOptions(holding_cost_rate=float("nan")), "holding cost rate"),
])
def test_options_out_of_range_are_refused(options, message):
    with pytest.raises(InvalidInput, match=message):
        balance(tiny_plan(), options)


def test_a_plan_without_skus_is_refused():
    plan = tiny_plan()
    empty = replace(plan, skus=[], consensus=np.zeros((0, 3)), receipts=np.zeros((0, 3)),
                    make=np.zeros((0, 3), dtype=bool), firm=np.zeros((0, 3), dtype=bool), hours=np.zeros((0, 1)))
    with pytest.raises(InvalidInput, match="no SKUs or no periods"):
        balance(empty)


def test_no_resources_makes_capacity_no_constraint():
    plan = tiny_plan(resources=pd.DataFrame(columns=["resource", "name", "capacity_hours", "cost_per_hour"]),
                     hours=np.zeros((2, 0)))
    result = balance(plan, NO_HOLDING)
    assert result.capacity.empty and result.summary["fill_rate"] == pytest.approx(1.0)
    assert np.isnan(result.summary["utilization_peak"]) and result.summary["overloads"] == 0
    assert set(result.binding.constraint) == {"none"}


def test_zero_capacity_serves_nothing_made_and_says_capacity_binds():
    result = balance(tiny_plan(capacity=0.0), NO_HOLDING)
    assert result.summary["fill_rate"] == pytest.approx(0.0) and result.receipts.empty
    assert result.summary["overloads"] == 0
    np.testing.assert_allclose(result.capacity.hour_value, [16.0, 16.0, 16.0], atol=1e-3)
    assert set(result.binding.constraint) == {"capacity"}


def test_no_demand_receives_nothing():
    result = balance(tiny_plan({"A": [0.0] * 3, "B": [0.0] * 3}), NO_HOLDING)
    assert result.receipts.empty and np.isnan(result.summary["fill_rate"])
    assert result.summary["objective"] == pytest.approx(0.0, abs=1e-6)
    assert set(result.binding.constraint) == {"none"}


def test_integer_lots_come_in_whole_moq_batches_and_report_the_gap():
    """MOQ 4 on A (demand 6 a period, 100 hours): receipts are multiples of 4 and the gap is reported."""
    plan = tiny_plan({"A": [6.0, 6.0, 6.0], "B": [0.0, 0.0, 0.0]}, capacity=100.0)
    plan = replace(plan, products=plan.products.assign(moq=[4.0, 1.0]))
    result = balance(plan, BalanceOptions(integer_lots=True, holding_cost_rate=ONE_PER_PERIOD, time_limit=10))
    made = grid(result.receipts, "quantity")[0]
    np.testing.assert_allclose(made / 4.0, np.round(made / 4.0), atol=1e-6)
    assert made.sum() >= 18.0 - 1e-6 and result.summary["fill_rate"] == pytest.approx(1.0)
    assert 0.0 <= result.summary["mip_gap"] <= 1e-3
    assert np.isnan(result.capacity.hour_value).all()  # a MIP has no duals
    assert result.summary["solver"].startswith("HiGHS MIP")


def two_groups_plan(seed: int = 3) -> PlanData:
    """30 SKUs x 10 weeks: 8 bought (no routing), 12 made on R0/R1 and 10 on R2/R3 (two groups that
    share no resource), capacity under the peak load so it binds, released orders in week 1."""
    rng = np.random.default_rng(seed)
    n, weeks = 30, 10
    skus = [f"S{i:02d}" for i in range(n)]
    consensus = np.round(rng.uniform(20, 80, (n, weeks)) * (1 + 0.5 * np.sin(np.arange(weeks) / 2)))
    hours = np.zeros((n, 4))
    hours[8:20, :2] = rng.uniform(0.02, 0.1, (12, 2)) * (rng.uniform(size=(12, 2)) < 0.7)
    hours[8:20, 0] += 0.01  # every SKU of the group on R0, so R0 and R1 are one group
    hours[20:, 2:] = rng.uniform(0.02, 0.1, (10, 2)) * (rng.uniform(size=(10, 2)) < 0.7)
    hours[20:, 2] += 0.01
    capacity = 0.9 * (consensus.T @ hours).mean(axis=0)
    firm = np.zeros((n, weeks), dtype=bool)
    firm[::3, 0] = True
    cost = rng.uniform(2.0, 15.0, n)
    products = pd.DataFrame({
        "sku": skus, "name": skus, "category": "C", "family": "F", "status": "active", "unit_cost": cost,
        "unit_price": cost * rng.uniform(1.2, 2.0, n), "lead_time_days": rng.choice([0.0, 7.0, 14.0], n),
        "lead_time_std_days": 0.0, "moq": 1.0, "order_cost": 0.0, "holding_cost_rate": 0.25,
        "service_level_target": 0.95})
    resources = pd.DataFrame({"resource": [f"R{r}" for r in range(4)], "name": "line", "capacity_hours": capacity,
                              "cost_per_hour": 50.0, "overtime_hours": 0.1 * capacity,
                              "overtime_cost_per_hour": None})
    return PlanData(1, 2, skus, pd.date_range("2027-01-04", periods=weeks, freq="7D"), products, consensus,
                    consensus.copy(), np.full((n, weeks, len(QUANTILE_LEVELS)), np.nan),
                    np.round(consensus * rng.uniform(0.5, 1.2, (n, weeks))) * firm + 0.0,
                    np.ones((n, weeks), dtype=bool), firm, rng.uniform(0, 100, n), consensus.std(axis=1) * 0.5,
                    np.full(n, "history sd"), consensus.mean(axis=1), consensus.std(axis=1), resources, hours, 7.0)


@pytest.mark.parametrize("unmet", ["lost", "backorder"])
def test_independent_parts_give_the_optimum_of_the_single_programme(unmet):
    from genxsop_core.supply.balance import model_inputs
    from genxsop_core.supply.balance_model import parts

    plan = two_groups_plan()
    options = BalanceOptions(unmet=unmet)
    pieces = parts(model_inputs(plan, options))
    assert sorted((len(skus), tuple(resources)) for skus, resources in pieces) == [(8, ()), (10, (2, 3)),
                                                                                    (12, (0, 1))]
    split, whole = balance(plan, options), balance(plan, replace(options, decompose=False))
    assert "3 independent parts" in split.summary["status"]
    assert "independent parts" not in whole.summary["status"]
    assert split.capacity.hour_value.max() > 0  # capacity binds: the parts' duals are not all zero
    assert split.summary["objective"] == pytest.approx(whole.summary["objective"], rel=1e-9)
    keys = ["sku", "period"]
    receipts = split.receipts.merge(whole.receipts, on=keys, how="outer", suffixes=("", "_whole")).fillna(0.0)
    np.testing.assert_allclose(receipts.quantity, receipts.quantity_whole, atol=1e-6)
    np.testing.assert_allclose(split.capacity.hour_value, whole.capacity.hour_value, atol=1e-6)
    np.testing.assert_allclose(split.capacity.overtime_hours, whole.capacity.overtime_hours, atol=1e-6)
    np.testing.assert_allclose(split.inventory.unmet, whole.inventory.unmet, atol=1e-6)
    for key in ("holding_cost", "overtime_cost", "shortfall_cost", "safety_stock_cost", "fill_rate"):
        assert split.summary[key] == pytest.approx(whole.summary[key], rel=1e-6, abs=1e-6), key
    assert split.binding.equals(whole.binding)


@pytest.mark.parametrize("unmet", ["lost", "backorder"])
def test_interior_point_finds_the_simplex_optimum_and_hour_values(unmet):
    """PIQP (plans past INTERIOR_POINT_CELLS) and HiGHS's dual simplex agree on the plan a
    planner reads: objective, hour values, overtime, unmet demand and every cost of the summary."""
    plan = two_groups_plan()
    simplex = balance(plan, BalanceOptions(unmet=unmet, method="simplex"))
    interior = balance(plan, BalanceOptions(unmet=unmet, method="interior point"))
    assert "PIQP" in interior.summary["status"] and "PIQP" not in simplex.summary["status"]
    assert interior.capacity.hour_value.max() > 0
    assert interior.summary["objective"] == pytest.approx(simplex.summary["objective"], rel=1e-7)
    np.testing.assert_allclose(interior.capacity.hour_value, simplex.capacity.hour_value, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(interior.capacity.overtime_hours, simplex.capacity.overtime_hours, atol=1e-3)
    np.testing.assert_allclose(interior.inventory.unmet, simplex.inventory.unmet, atol=1e-3)
    for key in ("holding_cost", "overtime_cost", "shortfall_cost", "safety_stock_cost", "fill_rate", "overloads"):
        assert interior.summary[key] == pytest.approx(simplex.summary[key], rel=1e-5, abs=1e-3), key


def test_interior_point_on_the_hand_solved_instance():
    """The base instance with capacity 10 and demand 6 + 6 a period: B (margin 8) is served first,
    A gets the 4 hours left, and an hour is worth A's lost margin plus its penalty (4 + 4 = 8)."""
    result = balance(tiny_plan(), replace(NO_HOLDING, method="interior point"))
    served = result.inventory.set_index("sku").served.groupby(level=0).sum()
    assert served["B"] == pytest.approx(18.0, abs=1e-5) and served["A"] == pytest.approx(12.0, abs=1e-5)
    np.testing.assert_allclose(result.capacity.hour_value, 8.0, rtol=1e-6)


def test_auto_switches_to_interior_point_at_the_measured_size():
    from genxsop_core.supply.balance_model import INTERIOR_POINT_CELLS, uses_interior_point

    assert not uses_interior_point("auto", INTERIOR_POINT_CELLS - 1)
    assert uses_interior_point("auto", INTERIOR_POINT_CELLS)
    assert uses_interior_point("interior point", 10) and not uses_interior_point("simplex", 10 ** 7)
    with pytest.raises(InvalidInput, match="the solver must be auto, simplex, interior point, not 'barrier'"):
        balance(tiny_plan(), BalanceOptions(method="barrier"))
