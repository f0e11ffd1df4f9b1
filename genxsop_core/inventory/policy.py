"""The inventory policy table and projected inventory of a whole plan: pure functions of PlanData.

Per SKU: safety stock three ways side by side (demand variability only, with lead-time
variability, and the quantile method from the forecast's own quantiles of lead-time demand),
reorder point, EOQ and the order quantity in MOQ lots, days of supply and weeks of cover, the
ABC/XYZ class, and what the projected inventory (on hand + planned receipts - consensus) does
over the plan: first stockout, periods below safety stock, excess periods, and the one exception
state the SKU is listed under. The exception list ranks what needs a planner by the money at
stake. Formulas: genxsop_core.inventory.formulas.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.inventory import formulas as inventory
from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData

SAFETY_STOCK_METHODS: dict[str, str] = {
    "lead_time": "Normal, demand and lead-time variability",
    "demand": "Normal, demand variability only",
    "quantile": "Quantiles of lead-time demand (forecast)",
}
STOCKOUT, BELOW_SAFETY, EXCESS = "Stockout", "Below safety stock", "Excess"
EXCEPTION_KINDS: dict[str, str] = {  # in order of precedence: a SKU is listed once, in the first that applies
    STOCKOUT: "revenue lost: largest backlog x unit price",
    BELOW_SAFETY: "revenue at risk: units below safety stock at the lowest point x unit price",
    EXCESS: "value of excess: units above safety stock + order quantity at the peak x unit cost",
}


def lead_time_periods(data: PlanData) -> tuple[np.ndarray, np.ndarray]:
    """Lead time and its sd in planning buckets (product master holds days)."""
    return data.column("lead_time_days") / data.bucket_days, data.column("lead_time_std_days") / data.bucket_days


def lead_time_demand_rate(data: PlanData, lead_time: np.ndarray) -> np.ndarray:
    """Mean consensus demand per period over the coming lead time (at least the first period)."""
    periods = np.arange(data.consensus.shape[1])
    window = periods[None, :] < np.maximum(np.ceil(lead_time), 1)[:, None]
    return (data.consensus * window).sum(1) / window.sum(1)


def quantile_safety_stock(data: PlanData, lead_time: np.ndarray, service_level: np.ndarray) -> np.ndarray:
    """The quantile method where the plan has forecast quantiles that reach the service level (the
    stored ones stop at P99); NaN for the other SKUs."""
    have = ~np.isnan(data.quantiles).any(axis=(1, 2)) & (service_level <= QUANTILE_LEVELS[-1])
    result = np.full(len(data.skus), np.nan)
    if have.any():
        result[have] = inventory.quantile_safety_stock(QUANTILE_LEVELS, data.quantiles[have], lead_time[have],
                                                       service_level[have])
    return result


def policy_table(data: PlanData, method: str = "lead_time") -> pd.DataFrame:
    """One row per SKU: the policy, the class and what projected inventory does (see module doc).

    `method` chooses which safety stock drives the reorder point and the projection flags; the
    quantile method falls back to the lead-time formula for SKUs without forecast quantiles.
    """
    if method not in SAFETY_STOCK_METHODS:
        raise InvalidInput(f"safety stock method must be one of {', '.join(SAFETY_STOCK_METHODS)}, not {method!r}")
    lead_time, lead_time_std = lead_time_periods(data)
    service_level = data.column("service_level_target")
    rate = lead_time_demand_rate(data, lead_time)
    ss_demand = inventory.safety_stock(rate, data.error_std, lead_time, service_level)
    ss_lead_time = inventory.safety_stock(rate, data.error_std, lead_time, service_level, lead_time_std)
    ss_quantile = quantile_safety_stock(data, lead_time, service_level)
    chosen = {"demand": ss_demand, "lead_time": ss_lead_time,
              "quantile": np.where(np.isnan(ss_quantile), ss_lead_time, ss_quantile)}[method]
    horizon_rate = data.consensus.mean(1)
    annual_demand = horizon_rate * data.periods_per_year
    unit_cost = data.column("unit_cost")
    economic = inventory.eoq(annual_demand, data.column("order_cost"), unit_cost * data.column("holding_cost_rate"))
    lot = inventory.order_quantity(economic, data.column("moq"))
    balances = inventory.project_inventory(data.on_hand, data.receipts, data.consensus)
    flags = inventory.projection_flags(balances, chosen, chosen + lot)
    state = exception_state(balances, chosen, chosen + lot, data.periods)
    first = flags.first_stockout.to_numpy()
    classes = inventory.abc_xyz(pd.DataFrame({
        "sku": data.skus, "annual_value": annual_demand * unit_cost,
        "cv": inventory.coefficient_of_variation(data.history_mean, data.history_std)}))
    master = data.products
    return pd.DataFrame({
        "sku": data.skus, "name": master.name, "category": master.category, "family": master.family,
        "abc": classes.abc, "xyz": classes.xyz, "class": classes.abc_xyz,
        "demand_per_period": rate, "error_std": data.error_std, "error_std_source": data.error_std_source,
        "lead_time_periods": lead_time, "service_level": service_level,
        "ss_demand": ss_demand, "ss_lead_time": ss_lead_time, "ss_quantile": ss_quantile, "safety_stock": chosen,
        "reorder_point": inventory.reorder_point(rate, lead_time, chosen), "eoq": economic, "order_quantity": lot,
        "on_hand": data.on_hand,
        "days_of_supply": inventory.days_of_supply(data.on_hand, horizon_rate / data.bucket_days),
        "weeks_of_cover": inventory.weeks_of_cover(data.on_hand, horizon_rate * 7 / data.bucket_days),
        "inventory_value": inventory.inventory_value(data.on_hand, unit_cost),
        "first_stockout": pd.Series(data.periods[np.maximum(first, 0)]).where(first >= 0).to_numpy(),
        "stockout_periods": flags.stockout_periods.to_numpy(),
        "below_safety_periods": flags.below_safety_periods.to_numpy(),
        "excess_periods": flags.excess_periods.to_numpy(),
        "shortage_units": flags.shortage_units.to_numpy(), "below_safety_units": flags.below_safety_units.to_numpy(),
        "excess_units": flags.excess_units.to_numpy(),
        "unit_cost": unit_cost, "unit_price": data.column("unit_price"),
        "exception": state.exception.to_numpy(), "from": state["from"].to_numpy(),
        "until": state.until.to_numpy(),
    })


def exception_state(balances: np.ndarray, safety_stock: ArrayLike, max_level: ArrayLike,
                    periods: pd.DatetimeIndex | np.ndarray) -> pd.DataFrame:
    """Per SKU the one exception it is listed under, and the window of periods it spans.

    balances (n, T) from project_inventory; safety_stock and max_level (n,). Precedence is
    EXCEPTION_KINDS' order: a SKU that stocks out in any period is a Stockout (its periods
    below safety stock and any excess are not listed again), one that only dips below safety
    stock is Below safety stock, one that only rises above safety stock + order quantity is
    Excess; None when the projection stays between the two. `from` and `until` are the first
    and last period in that state (not every period between need be in it).
    """
    low, high = (np.asarray(v, dtype=float)[:, None] for v in (safety_stock, max_level))
    in_state = {STOCKOUT: balances < 0, BELOW_SAFETY: balances < low, EXCESS: balances > high}
    n_skus, n_periods = balances.shape
    state = np.full(n_skus, None, dtype=object)
    first, last = np.zeros(n_skus, dtype=int), np.zeros(n_skus, dtype=int)
    for kind in reversed(EXCEPTION_KINDS):  # the most urgent state written last, over the others
        mask = in_state[kind]
        has = mask.any(axis=1)
        state = np.where(has, kind, state)
        first = np.where(has, mask.argmax(axis=1), first)
        last = np.where(has, n_periods - 1 - mask[:, ::-1].argmax(axis=1), last)
    listed = pd.Series(state).notna().to_numpy()
    dates = pd.Series(pd.to_datetime(np.asarray(periods)))
    return pd.DataFrame({"exception": state, "from": dates.iloc[first].where(listed).to_numpy(),
                         "until": dates.iloc[last].where(listed).to_numpy()})


def exception_list(policy: pd.DataFrame) -> pd.DataFrame:
    """The SKUs with an exception, one row each (see exception_state), ranked by money at risk.

    units and money at risk are those of the SKU's exception (EXCEPTION_KINDS): the largest
    backlog, the deepest dip below safety stock or the peak excess.
    """
    listed = policy[policy.exception.notna()]
    kind = listed.exception
    units = np.select([kind == STOCKOUT, kind == BELOW_SAFETY], [listed.shortage_units, listed.below_safety_units],
                      listed.excess_units)
    money = units * np.where(kind == EXCESS, listed.unit_cost, listed.unit_price)
    columns = ["sku", "name", "family", "class", "exception", "from", "until", "units", "money_at_risk",
               "first_stockout", "on_hand", "safety_stock", "weeks_of_cover"]
    listed = listed.assign(units=units.astype(float), money_at_risk=money.astype(float))[columns]
    return listed.sort_values("money_at_risk", ascending=False, ignore_index=True)


def class_matrix(policy: pd.DataFrame) -> pd.DataFrame:
    """ABC (rows) x XYZ (columns): number of SKUs and inventory value in each cell."""
    counts = pd.crosstab(policy.abc, policy.xyz).reindex(index=list("ABC"), columns=list("XYZ"), fill_value=0)
    value = policy.pivot_table(index="abc", columns="xyz", values="inventory_value", aggfunc="sum")
    value = value.reindex(index=list("ABC"), columns=list("XYZ")).fillna(0.0)
    return pd.concat({"skus": counts, "inventory_value": value}, axis=1)
