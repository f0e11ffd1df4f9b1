"""The supply balance on generated plans: capacity plus overtime is never exceeded, released orders
never change, nothing new lands inside the lead time, and stock adds up. A plan whose released
orders alone need more hours than it has is refused with a message naming the resource."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData
from genxsop_core.supply.balance import BalanceOptions, balance, model_inputs

AMOUNT = st.floats(0.0, 60.0, allow_nan=False, allow_infinity=False)


@st.composite
def plans(draw: st.DrawFn) -> PlanData:
    n, periods, resources = draw(st.integers(1, 4)), draw(st.integers(1, 6)), draw(st.integers(1, 3))
    consensus = draw(arrays(float, (n, periods), elements=AMOUNT))
    firm = draw(arrays(bool, (n, periods)))
    receipts = draw(arrays(float, (n, periods), elements=AMOUNT))
    make = draw(arrays(bool, (n, periods)))
    hours = draw(arrays(float, (n, resources), elements=st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0])))
    skus = [f"S{i}" for i in range(n)]
    products = pd.DataFrame({
        "sku": skus, "name": skus, "category": "C", "family": "F", "status": "active",
        "unit_cost": draw(arrays(float, n, elements=st.floats(0.5, 20.0))),
        "unit_price": draw(arrays(float, n, elements=st.floats(0.5, 40.0))),
        "lead_time_days": draw(arrays(float, n, elements=st.sampled_from([0.0, 7.0, 14.0, 30.0]))),
        "lead_time_std_days": 0.0, "moq": draw(arrays(float, n, elements=st.sampled_from([1.0, 5.0, 20.0]))),
        "order_cost": 0.0, "holding_cost_rate": 0.25, "service_level_target": 0.95})
    table = pd.DataFrame({"resource": [f"R{r}" for r in range(resources)], "name": "line",
                          "capacity_hours": draw(arrays(float, resources, elements=AMOUNT)), "cost_per_hour": 10.0,
                          "overtime_hours": draw(arrays(float, resources, elements=st.floats(0.0, 20.0))),
                          "overtime_cost_per_hour": None})
    return PlanData(
        demand_version_id=1, supply_version_id=2, skus=skus,
        periods=pd.date_range("2027-01-04", periods=periods, freq="7D"), products=products,
        consensus=consensus, statistical=consensus.copy(),
        quantiles=np.full((n, periods, len(QUANTILE_LEVELS)), np.nan), receipts=receipts, make=make, firm=firm,
        on_hand=draw(arrays(float, n, elements=st.floats(-20.0, 60.0))),
        error_std=draw(arrays(float, n, elements=st.floats(0.0, 10.0))), error_std_source=np.full(n, "history sd"),
        history_mean=consensus.mean(1), history_std=np.zeros(n), resources=table, hours=hours, bucket_days=7.0)


OPTIONS = st.builds(BalanceOptions, unmet=st.sampled_from(["lost", "backorder"]),
                    integer_lots=st.sampled_from([False, False, True]), time_limit=st.just(5.0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), options=OPTIONS)
def test_capacity_plus_overtime_is_never_exceeded(plan: PlanData, options: BalanceOptions):
    inputs = model_inputs(plan, options)
    firm_load = np.einsum("it,ir->rt", np.where(plan.firm & plan.make, plan.receipts, 0.0), plan.hours)
    room = inputs.capacity + inputs.overtime_limit
    if (firm_load > room + 1e-6 * np.maximum(1.0, room)).any():
        try:
            balance(plan, options)
        except InvalidInput as error:
            assert "released orders alone" in str(error) and "R" in str(error)
            return
        raise AssertionError("released orders over capacity + overtime were not refused")
    result = balance(plan, options)
    capacity = result.capacity
    slack = 1e-6 * np.maximum(1.0, capacity.capacity_hours + capacity.overtime_limit)
    assert (capacity.load_hours <= capacity.capacity_hours + capacity.overtime_limit + slack).all()
    assert (capacity.overtime_hours <= capacity.overtime_limit + slack).all()
    assert result.summary["overloads"] == 0

    quantity = np.zeros_like(plan.receipts)
    rows = result.receipts
    quantity[[plan.skus.index(s) for s in rows.sku], plan.periods.get_indexer(rows.period)] = rows.quantity
    np.testing.assert_allclose(quantity[plan.firm], np.maximum(plan.receipts, 0)[plan.firm], atol=1e-6)
    inside = np.arange(len(plan.periods))[None, :] < inputs.earliest[:, None]
    assert (quantity[inside] <= np.maximum(plan.receipts, 0)[inside] + 1e-6).all()
    assert (quantity >= -1e-9).all()

    stock = result.inventory.end_stock.to_numpy().reshape(plan.consensus.shape)
    unmet = result.inventory.unmet.to_numpy().reshape(plan.consensus.shape)
    served = result.inventory.served.to_numpy().reshape(plan.consensus.shape)
    opening = inputs.opening_stock - (inputs.opening_backlog if options.unmet == "backorder" else 0.0)
    position = opening[:, None] + np.cumsum(quantity - plan.consensus, axis=1)
    signed = stock - (unmet if options.unmet == "backorder" else 0.0)
    lost = 0.0 if options.unmet == "backorder" else np.cumsum(unmet, axis=1)
    np.testing.assert_allclose(signed, position + lost, atol=1e-5 * max(1.0, float(np.abs(position).max())))
    assert (served >= -1e-6).all()
    if options.unmet == "lost":
        assert (served <= plan.consensus + 1e-6).all()


def test_released_orders_over_a_line_without_hours_are_refused():
    """The refusal the property allows for, on one plan made to need it: a released order of 60
    units at 2 h a unit on a line with no hours."""
    skus = ["S0"]
    base = PlanData(1, 2, skus, pd.date_range("2027-01-04", periods=1, freq="7D"),
                    pd.DataFrame({"sku": skus, "name": skus, "category": "C", "family": "F", "status": "active",
                                  "unit_cost": [1.0], "unit_price": [2.0], "lead_time_days": [0.0],
                                  "lead_time_std_days": 0.0, "moq": 1.0, "order_cost": 0.0,
                                  "holding_cost_rate": 0.25, "service_level_target": 0.95}),
                    np.array([[10.0]]), np.array([[10.0]]), np.full((1, 1, len(QUANTILE_LEVELS)), np.nan),
                    np.array([[60.0]]), np.array([[True]]), np.array([[True]]), np.zeros(1), np.zeros(1),
                    np.full(1, "history sd"), np.zeros(1), np.zeros(1),
                    pd.DataFrame({"resource": ["R0"], "name": "line", "capacity_hours": [0.0],
                                  "cost_per_hour": 0.0}), np.array([[2.0]]), 7.0)
    try:
        balance(base)
    except InvalidInput as error:
        assert "R0 in week 1" in str(error)
    else:
        raise AssertionError("not refused")
