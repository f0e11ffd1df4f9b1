"""A scenario evaluated with the balanced plan instead of the cut-to-capacity rule.

`levers.evaluate` keeps the planned receipts and cuts the made ones where a resource runs out of
hours. With the meeting's "rebalance" switch the scenario's plan (the levers' demand, prices,
costs, capacity, supplier lead times and service level applied to the loaded plan) is balanced
by `supply.balance`: receipts planned again to the best feasible plan, overtime included, and
the value of one more hour per resource says where capacity is worth adding. The figures are
the same keys as `evaluate`'s, so the delta strip and the charts read them alike. Pure.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from genxsop_core.plans.data import PlanData
from genxsop_core.presentation.numbers import format_value, plural
from genxsop_core.scenarios.levers import Levers, ScenarioResult, _check, demand_factor, scenario_capacity
from genxsop_core.supply.balance import Balance, BalanceOptions, balance, hour_values


@dataclass(frozen=True)
class Rebalanced:
    result: ScenarioResult  # evaluate's figures, by period and capacity, for the balanced plan
    balance: Balance
    hour_values: pd.DataFrame  # supply.balance.hour_values: the most valuable resource first


def scenario_plan(data: PlanData, levers: Levers) -> PlanData:
    """The loaded plan with the levers applied as `evaluate` applies them: demand (and its
    forecast error and quantiles) scaled, planned receipts following demand (released orders
    stay), prices and costs changed, capacity per resource changed, bought SKUs' lead time moved
    (never below 0) and, when set, one service level for every SKU."""
    _check(levers, data)
    factor = demand_factor(data, levers)
    bought = ~data.make.any(axis=1)
    products = data.products.assign(
        unit_price=data.column("unit_price") * (1 + levers.price_change),
        unit_cost=data.column("unit_cost") * (1 + levers.unit_cost_change),
        lead_time_days=np.where(bought, np.maximum(data.column("lead_time_days") + levers.lead_time_change_days, 0.0),
                                data.column("lead_time_days")))
    if levers.service_level is not None:
        products = products.assign(service_level_target=levers.service_level)
    return replace(data, products=products, consensus=data.consensus * factor[:, None],
                   statistical=data.statistical * factor[:, None], quantiles=data.quantiles * factor[:, None, None],
                   receipts=np.where(data.firm, data.receipts, data.receipts * factor[:, None]),
                   error_std=data.error_std * factor, history_mean=data.history_mean * factor,
                   history_std=data.history_std * factor,
                   resources=data.resources.assign(capacity_hours=scenario_capacity(data, levers)))


def _grid(frame: pd.DataFrame, column: str, data: PlanData) -> np.ndarray:
    """(n, T) of a balance frame's column in the plan's SKU and period order; missing cells 0."""
    wide = frame.pivot_table(index="sku", columns="period", values=column, aggfunc="sum")
    return wide.reindex(index=data.skus, columns=data.periods).fillna(0.0).to_numpy(dtype=float)


def receipts_grid(plan: PlanData, result: Balance) -> np.ndarray:
    """(n, T) receipts of the balanced plan in the plan's SKU and period order (released orders as
    they are): what a promoted rebalanced scenario's supply plan holds."""
    return _grid(result.receipts, "quantity", plan)


def scenario_result(plan: PlanData, result: Balance) -> ScenarioResult:
    """The balance as `evaluate` reports a scenario: its summary, and per period demand, sold
    (served), receipts, revenue and margin on sold units and the value of end stock."""
    served, stock = _grid(result.inventory, "served", plan), _grid(result.inventory, "end_stock", plan)
    price, cost = plan.column("unit_price"), plan.column("unit_cost")
    by_period = pd.DataFrame({
        "period": plan.periods, "demand": _grid(result.inventory, "demand", plan).sum(0), "sold": served.sum(0),
        "receipts": receipts_grid(plan, result).sum(0), "revenue": (served * price[:, None]).sum(0),
        "margin": (served * (price - cost)[:, None]).sum(0), "inventory_value": (stock * cost[:, None]).sum(0)})
    capacity = result.capacity[["resource", "period", "load_hours", "capacity_hours", "utilization"]]
    figures = {key: value for key, value in result.summary.items() if not isinstance(value, str)}  # not the solver
    return ScenarioResult(figures, by_period, capacity.reset_index(drop=True))


def evaluate_rebalanced(data: PlanData, levers: Levers | None = None,
                        options: BalanceOptions | None = None) -> Rebalanced:
    """The scenario with its plan balanced (module doc); InvalidInput when it cannot be balanced."""
    plan = scenario_plan(data, levers or Levers())
    result = balance(plan, options)
    return Rebalanced(scenario_result(plan, result), result, hour_values(result))


def worth_adding(values: pd.DataFrame, bucket_days: float = 7.0) -> str | None:
    """Which resource is worth adding capacity to, in a sentence: the one whose extra hour in
    every period adds most to the balanced plan (hour_values' first row); None when no resource
    is short of hours (every hour value 0). Periods are called weeks in a weekly plan."""
    bucket = "week" if bucket_days == 7.0 else "period"
    if values.empty or not values.hour_value_total.iloc[0] > 0:
        return None
    best = values.iloc[0]
    sentence = (f"Capacity is worth adding on {best.resource}: one more hour in every {bucket} adds "
                f"{format_value(best.hour_value_total, 'price')} to the balanced plan "
                f"({plural(int(best.binding_periods), bucket)} short of hours, up to "
                f"{format_value(best.hour_value_peak, 'price')} for a single hour)")
    runner_up = values[values.hour_value_total > 0].iloc[1:2]
    if not runner_up.empty:
        sentence += (f"; next is {runner_up.resource.iloc[0]} "
                     f"({format_value(runner_up.hour_value_total.iloc[0], 'price')})")
    return sentence + "."
