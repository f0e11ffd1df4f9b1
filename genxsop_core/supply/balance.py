"""Balance supply with demand: the best capacity-feasible receipts plan and the value of every constraint.

`balance(plan, options)` is a pure function of a loaded plan (`PlanData`). It solves a linear
programme over SKU x period (model: `balance_model`; its independent parts apart: bought SKUs,
and SKUs that share no resource with the rest), and explains the answer (`balance_explain`):
why each receipt is there, which constraint binds each SKU, what one more hour of each resource
is worth. Formulas and the meaning of every column: docs/formulas.md ("Balancing supply with
demand") and docs/api.md.

Solver: HiGHS through `scipy.optimize.linprog(method="highs")` for the LP (its row duals,
`res.ineqlin.marginals`, are the hour values); a part of 50,000 SKU x period cells or more by
PIQP's interior point (`interior_point.py`: faster there, same optimum). Integer lots:
the relaxation's lots rounded (cumulatively, up and to the nearest lot; the rest re-solved as an
LP) are kept when within the gap of the relaxation's bound, else HiGHS's MIP
(`scipy.optimize.milp`) runs for what is left of the time limit and the better plan is kept; the
gap reported is to the best bound either found. On the demo the rounding beat HiGHS's MIP
incumbent after 20 and 60 s (gap 1.1% against 7.5%), which is why it goes first. `highspy` (1.15)
is not a dependency: on the synthetic plan of bench/supply_balance.py its dual simplex, parallel
dual, interior point (IPX, HiPO) and a warm start (capacity rows added to the solved uncoupled LP)
were no faster than scipy's; PIQP's interior point was (bench/README.md, issue 18).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.inventory import formulas as inventory
from genxsop_core.inventory.policy import lead_time_demand_rate, lead_time_periods
from genxsop_core.plans.data import PlanData
from genxsop_core.supply import balance_explain as explain
from genxsop_core.supply.balance_model import AUTO, METHODS, TOLERANCE, ModelInputs, Solution, solve
from genxsop_core.supply.views import earliest_new_receipt

LOST, BACKORDER = "lost", "backorder"
UNMET_MODES = (LOST, BACKORDER)
UNMET_LABELS = {LOST: "Lost", BACKORDER: "Back-ordered (served later, at a cost)"}  # the planner's words
OVERTIME_COST_FACTOR = 1.5
"""A resource without an overtime cost pays this multiple of its cost per hour for overtime."""

RECEIPT_COLUMNS = ["sku", "period", "quantity", "make", "planned", "change", "firm", "reason"]
CAPACITY_COLUMNS = ["resource", "period", "load_hours", "capacity_hours", "overtime_hours", "overtime_limit",
                    "utilization", "hour_value"]
INVENTORY_COLUMNS = ["sku", "period", "demand", "served", "unmet", "end_stock", "safety_stock"]
BINDING_COLUMNS = ["sku", "constraint", "detail"]


@dataclass(frozen=True)
class BalanceOptions:
    """How the balance trades service, stock and overtime; the defaults suit a weekly plan.

    unmet: "lost" (a unit not served in its period is gone) or "backorder" (it waits, at
        `backorder_cost_rate` x margin x priority per unit and period; still waiting at the end of
        the horizon it is lost).
    integer_lots: receipts a new order can change come in whole MOQ lots (MIP, `time_limit`
        seconds, gap to the best bound reported as summary["mip_gap"]).
    priority: SKU -> weight of its unmet demand (default 1): a lost unit costs its margin (not
        earned) plus margin x priority.
    safety_stock_penalty: cost of a unit below safety stock for a period, as a multiple of the
        SKU's holding cost per period (above 1: keeping safety stock is worth its holding cost,
        far below margin: never at the cost of a sale).
    holding_cost_rate: annual holding cost as a fraction of unit cost for every SKU; None uses
        each SKU's own (product master).
    decompose: solve the LP as independent parts (bought SKUs; SKUs sharing no resource), the
        same optimum much faster; False solves one programme (to compare; bench/supply_balance.py).
    method: the LP's solver: "auto" (HiGHS's dual simplex; PIQP's interior point for a part
        of balance_model.INTERIOR_POINT_CELLS SKU x period cells or more), "simplex" or
        "interior point" (interior_point.py says when each is faster).
    """

    unmet: str = LOST
    integer_lots: bool = False
    time_limit: float = 30.0
    mip_rel_gap: float = 1e-3
    priority: dict[str, float] = field(default_factory=dict)
    safety_stock_penalty: float = 2.0
    backorder_cost_rate: float = 0.1
    holding_cost_rate: float | None = None
    decompose: bool = True
    method: str = AUTO


@dataclass(frozen=True)
class Balance:
    """The balanced plan (all frames sorted by their keys; periods are the plan's Timestamps).

    receipts: RECEIPT_COLUMNS, one row per SKU and period with a receipt now or in the balanced
        plan: quantity (balanced), make (loads resources), planned (today's receipt), change
        (quantity - planned), firm (released order, never changed), reason (a sentence).
    capacity: CAPACITY_COLUMNS, one row per resource and period: load and capacity hours,
        overtime used and allowed, utilization = load / capacity, hour_value = what one more
        hour of capacity there adds to the objective (the dual; 0 where capacity has slack).
    inventory: INVENTORY_COLUMNS, one row per SKU and period: served, unmet (lost in the period,
        or back-ordered at its end), end_stock, safety_stock.
    binding: BINDING_COLUMNS, one row per SKU and what limits it: "capacity" (detail e.g.
        "capacity on FILL-1 in weeks 10-14"), "lead time", "released orders", "safety stock",
        or "none" (demand is met and safety stock kept).
    summary: the keys of scenarios.evaluate(...).summary for the balanced plan (overloads count
        resource-periods over capacity + allowed overtime), plus objective, margin_earned,
        holding_cost, overtime_cost, shortfall_cost, safety_stock_cost, overtime_hours,
        solve_seconds, build_seconds, solver, and mip_gap (integer lots only, else NaN).
    """

    receipts: pd.DataFrame
    capacity: pd.DataFrame
    inventory: pd.DataFrame
    binding: pd.DataFrame
    summary: dict[str, float | int | str]
    options: BalanceOptions


def balance(plan: PlanData, options: BalanceOptions | None = None) -> Balance:
    """The receipts plan that maximises margin - holding - overtime - shortfall costs within capacity.

    Raises InvalidInput with the resource and periods when released orders alone need more hours
    than capacity plus allowed overtime, and for options out of range.
    """
    options = options or BalanceOptions()
    _check(plan, options)
    started = time.perf_counter()
    inputs = model_inputs(plan, options)
    _check_released_orders(plan, inputs)
    try:
        solution = solve(inputs, options.time_limit, options.mip_rel_gap, options.decompose, options.method)
    except RuntimeError as error:  # every cause we know of is checked above; say what HiGHS said
        raise InvalidInput(f"the plan cannot be balanced: {error}") from None
    result = _result(plan, options, inputs, solution)
    result.summary["total_seconds"] = time.perf_counter() - started
    return result


def overtime_columns(resources: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(r,) overtime hours allowed per period and cost per overtime hour, with the defaults: no
    overtime, and OVERTIME_COST_FACTOR x cost_per_hour where the resource names no overtime cost."""
    count = len(resources)
    limit = resources["overtime_hours"] if "overtime_hours" in resources else pd.Series(0.0, index=resources.index)
    cost_per_hour = resources["cost_per_hour"] if "cost_per_hour" in resources else \
        pd.Series(0.0, index=resources.index)
    cost = resources["overtime_cost_per_hour"] if "overtime_cost_per_hour" in resources else \
        pd.Series(np.nan, index=resources.index)
    limit = pd.to_numeric(limit, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    default = OVERTIME_COST_FACTOR * pd.to_numeric(cost_per_hour, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    cost = pd.to_numeric(cost, errors="coerce").to_numpy(dtype=float)
    return limit.reshape(count), np.where(np.isnan(cost), default, cost).reshape(count)


def safety_stock(plan: PlanData) -> np.ndarray:
    """(n,) safety stock as the What-if page computes it: normal demand and lead-time variability."""
    lead_time, lead_time_std = lead_time_periods(plan)
    rate = lead_time_demand_rate(plan, lead_time)
    stock = inventory.safety_stock(rate, plan.error_std, lead_time, plan.column("service_level_target"),
                                   lead_time_std)
    return np.maximum(np.asarray(stock, dtype=float), 0.0)


def _check(plan: PlanData, options: BalanceOptions) -> None:
    problems = []
    if not plan.skus or len(plan.periods) == 0:
        problems.append("the plan has no SKUs or no periods to balance")
    if options.method not in METHODS:
        problems.append(f"the solver must be {', '.join(METHODS)}, not {options.method!r}")
    if options.unmet not in UNMET_MODES:
        problems.append(f"unmet demand must be {' or '.join(UNMET_MODES)}, not {options.unmet!r}")
    for name in ("time_limit", "safety_stock_penalty", "backorder_cost_rate"):
        value = getattr(options, name)
        if not np.isfinite(value) or value < 0 or (name == "time_limit" and value == 0):
            problems.append(f"{name.replace('_', ' ')} must be a number >= 0, got {value!r}")
    if options.holding_cost_rate is not None and not (np.isfinite(options.holding_cost_rate)
                                                       and options.holding_cost_rate >= 0):
        problems.append(f"holding cost rate must be a fraction >= 0, got {options.holding_cost_rate!r}")
    unknown = sorted(set(options.priority) - set(plan.skus))
    if unknown:
        problems.append(f"priority names SKU(s) not in the plan: {', '.join(unknown[:5])}")
    bad = [sku for sku, weight in options.priority.items() if not (np.isfinite(weight) and weight >= 0)]
    if bad:
        problems.append(f"priority must be a weight >= 0, not for {', '.join(map(str, bad[:5]))}")
    if problems:
        raise InvalidInput("; ".join(problems))


def model_inputs(plan: PlanData, options: BalanceOptions) -> ModelInputs:
    """The arrays of the programme (balance_model.ModelInputs) from the loaded plan and the options."""
    n, horizon = plan.consensus.shape
    capacity_hours = plan.resources["capacity_hours"].to_numpy(dtype=float) if len(plan.resources) else np.zeros(0)
    overtime_limit, overtime_cost = overtime_columns(plan.resources)
    cost = plan.column("unit_cost")
    margin = plan.column("unit_price") - cost
    rate = plan.column("holding_cost_rate") if options.holding_cost_rate is None else \
        np.full(n, options.holding_cost_rate)
    holding = cost * rate / plan.periods_per_year
    priority = np.array([options.priority.get(sku, 1.0) for sku in plan.skus])
    on_hand = np.nan_to_num(plan.on_hand)
    return ModelInputs(
        demand=np.maximum(plan.consensus, 0.0), opening_stock=np.maximum(on_hand, 0.0),
        opening_backlog=np.maximum(-on_hand, 0.0), planned=np.maximum(plan.receipts, 0.0), firm=plan.firm,
        earliest=earliest_new_receipt(plan), make=plan.make, hours=plan.hours,
        capacity=np.repeat(capacity_hours[:, None], horizon, axis=1),
        overtime_limit=np.repeat(overtime_limit[:, None], horizon, axis=1), overtime_cost=overtime_cost,
        safety_stock=np.repeat(safety_stock(plan)[:, None], horizon, axis=1), margin=margin,
        shortfall_penalty=np.maximum(margin, 0.0) * priority, holding=holding,
        safety_penalty=options.safety_stock_penalty * holding, backorder=options.unmet == BACKORDER,
        backorder_rate=options.backorder_cost_rate,
        lot=plan.column("moq") if options.integer_lots else None)


def firm_load(inputs: ModelInputs) -> np.ndarray:
    """(r, T) hours the released (fixed) made receipts need."""
    fixed = np.where(inputs.firm & inputs.make, inputs.planned, 0.0)
    return np.einsum("it,ir->rt", fixed, inputs.hours)


def _check_released_orders(plan: PlanData, inputs: ModelInputs) -> None:
    """Released orders alone over capacity + overtime: no plan is feasible; name where."""
    need = firm_load(inputs)
    room = inputs.capacity + inputs.overtime_limit
    over = need > room + TOLERANCE * np.maximum(1.0, room)
    if not over.any():
        return
    weekly = plan.bucket_days == 7.0
    labels = explain.period_labels(plan.periods, weekly)
    where = [f"{resource} in {explain.spans(labels, over[r], weekly)} (needs up to "
             f"{(need[r] - room[r])[over[r]].max():,.1f} h more than its {inputs.capacity[r].max():,.0f} h "
             f"+ {inputs.overtime_limit[r].max():,.0f} h overtime)"
             for r, resource in enumerate(plan.resources["resource"]) if over[r].any()]
    raise InvalidInput("released orders alone need more hours than capacity plus overtime allows: "
                       + "; ".join(where) + ". Allow overtime, add capacity or move a released order.")


def _served(inputs: ModelInputs, unmet: np.ndarray) -> np.ndarray:
    """Units served per cell: demand - lost, or demand + backlog before - backlog after."""
    if not inputs.backorder:
        return inputs.demand - unmet
    before = np.column_stack([inputs.opening_backlog, unmet[:, :-1]])
    return inputs.demand + before - unmet


def _result(plan: PlanData, options: BalanceOptions, inputs: ModelInputs, solution: Solution) -> Balance:
    receipts = np.where(np.abs(solution.receipts) < TOLERANCE, 0.0, solution.receipts)
    unmet = np.where(solution.unmet < TOLERANCE, 0.0, solution.unmet)
    served = np.clip(_served(inputs, unmet), 0.0, None)
    made = inputs.make
    load = np.einsum("it,ir->rt", np.where(made, receipts, 0.0), inputs.hours)
    overtime = np.maximum(load - inputs.capacity, 0.0)
    resources = list(plan.resources["resource"])
    weekly = plan.bucket_days == 7.0
    n, horizon = receipts.shape
    summary = _summary(plan, inputs, solution, served, receipts, unmet, load, overtime)

    changed = (receipts > TOLERANCE) | (inputs.planned > TOLERANCE)
    sku, period = np.nonzero(changed)
    reasons = explain.receipt_reasons(
        plan.skus, plan.periods, weekly, sku=sku, period=period, quantity=receipts[sku, period],
        planned=inputs.planned[sku, period], firm=inputs.firm[sku, period],
        opening=inputs.opening_stock, receipts=receipts, served=served, made=made[sku, period], hours=inputs.hours,
        resources=resources, hour_value=solution.hour_value)
    receipt_frame = pd.DataFrame({
        "sku": np.asarray(plan.skus, dtype=object)[sku], "period": plan.periods[period],
        "quantity": receipts[sku, period], "make": made[sku, period], "planned": inputs.planned[sku, period],
        "change": receipts[sku, period] - inputs.planned[sku, period], "firm": inputs.firm[sku, period],
        "reason": reasons}, columns=RECEIPT_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = np.where(inputs.capacity > 0, load / inputs.capacity, np.where(load > 0, np.inf, 0.0))
    capacity = pd.DataFrame({
        "resource": np.repeat(np.asarray(resources, dtype=object), horizon),
        "period": np.tile(plan.periods, len(resources)), "load_hours": load.ravel(),
        "capacity_hours": inputs.capacity.ravel(), "overtime_hours": overtime.ravel(),
        "overtime_limit": inputs.overtime_limit.ravel(), "utilization": utilization.ravel(),
        "hour_value": solution.hour_value.ravel()}, columns=CAPACITY_COLUMNS)
    inventory_frame = pd.DataFrame({
        "sku": np.repeat(np.asarray(plan.skus, dtype=object), horizon), "period": np.tile(plan.periods, n),
        "demand": inputs.demand.ravel(), "served": served.ravel(), "unmet": unmet.ravel(),
        "end_stock": np.maximum(solution.end_stock, 0.0).ravel(), "safety_stock": inputs.safety_stock.ravel()},
        columns=INVENTORY_COLUMNS)
    binding = explain.binding(
        plan.skus, plan.periods, weekly, unmet=unmet, below=solution.below_safety, end_stock=solution.end_stock,
        safety_stock=inputs.safety_stock, earliest=inputs.earliest, made=np.asarray(made.any(axis=1)),
        hours=inputs.hours, resources=resources, hour_value=solution.hour_value)
    return Balance(receipt_frame, capacity, inventory_frame, binding, summary, options)


def _summary(plan: PlanData, inputs: ModelInputs, solution: Solution, served: np.ndarray, receipts: np.ndarray,
             unmet: np.ndarray, load: np.ndarray, overtime: np.ndarray) -> dict[str, float | int | str]:
    """scenarios.evaluate's figures for the balanced plan, and the objective broken down."""
    price, cost = plan.column("unit_price"), plan.column("unit_cost")
    stock = np.maximum(solution.end_stock, 0.0)
    revenue, margin = (served * price[:, None]).sum(), (served * (price - cost)[:, None]).sum()
    demand = inputs.demand.sum()
    value = stock * cost[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        utilization = load / np.where(inputs.capacity > 0, inputs.capacity, np.nan)
    known = utilization[~np.isnan(utilization)]
    holding = float((inputs.holding[:, None] * solution.end_stock).sum())
    overtime_cost = float((inputs.overtime_cost[:, None] * overtime).sum())
    if inputs.backorder:
        shortfall = float((inputs.backorder_rate * inputs.shortfall_penalty[:, None] * unmet).sum()
                          + (inputs.shortfall_penalty * unmet[:, -1]).sum())
    else:
        shortfall = float((inputs.shortfall_penalty[:, None] * unmet).sum())
    below = float((inputs.safety_penalty[:, None] * solution.below_safety).sum())
    over_limit = load > inputs.capacity + inputs.overtime_limit + TOLERANCE * np.maximum(1.0, inputs.capacity)
    return {
        "revenue": float(revenue), "margin": float(margin),
        "margin_pct": float(margin / revenue) if revenue else float("nan"),
        "fill_rate": float(served.sum() / demand) if demand else float("nan"),
        "lost_units": float(demand - served.sum()),
        "stockout_skus": int((unmet > TOLERANCE).any(axis=1).sum()),
        "inventory_value_avg": float(value.sum(0).mean()), "inventory_value_end": float(value[:, -1].sum()),
        "safety_stock_value": float((inputs.safety_stock[:, 0] * cost).sum()),
        "utilization_avg": float(known.mean()) if known.size else float("nan"),
        "utilization_peak": float(known.max()) if known.size else float("nan"),
        "overloads": int(over_limit.sum()),
        "overtime_periods": int((overtime > TOLERANCE).sum()), "overtime_hours": float(overtime.sum()),
        "objective": float(margin - holding - overtime_cost - shortfall - below),
        "holding_cost": holding, "overtime_cost": overtime_cost, "shortfall_cost": shortfall,
        "safety_stock_cost": below, "build_seconds": solution.build_seconds,
        "solve_seconds": solution.solve_seconds, "mip_gap": solution.mip_gap,
        "solver": "HiGHS MIP (scipy milp)" if inputs.lot is not None else "HiGHS LP (scipy linprog)",
        "status": solution.status, "unmet": "backorder" if inputs.backorder else "lost",
    }


def hour_values(result: Balance) -> pd.DataFrame:
    """Per resource, what more capacity is worth: resource, hour_value_total (one more hour in every
    period), hour_value_peak, binding_periods; most valuable first (which resource to add capacity to)."""
    table = result.capacity.assign(binding=result.capacity.hour_value > TOLERANCE)
    per = table.groupby("resource", as_index=False, sort=False).agg(
        hour_value_total=("hour_value", "sum"), hour_value_peak=("hour_value", "max"),
        binding_periods=("binding", "sum"))
    return per.sort_values("hour_value_total", ascending=False, kind="stable").reset_index(drop=True)
