"""Balance supply with demand: the best capacity-feasible receipts plan and the value of every constraint.

`balance(plan, options)` is a pure function of a loaded plan (`PlanData`). It solves one linear
programme over SKU x period (model: `balance_model`), and explains the answer (`balance_explain`):
why each receipt is there, which constraint binds each SKU, what one more hour of each resource
is worth. Formulas and the meaning of every column: docs/formulas.md ("Balancing supply with
demand") and docs/api.md.

Solver: HiGHS through `scipy.optimize.linprog(method="highs")` for the LP (its row duals,
`res.ineqlin.marginals`, are the hour values) and `scipy.optimize.milp` for the integer-lot
option (time limit, gap reported). `highspy` is not installed in this environment; scipy's
HiGHS solved the 5,000 SKU x 52 week x 10 resource model within the target (bench/README.md),
so no second dependency is added.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from genxsop_core.plans.data import PlanData

LOST, BACKORDER = "lost", "backorder"
UNMET_MODES = (LOST, BACKORDER)
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
    """

    unmet: str = LOST
    integer_lots: bool = False
    time_limit: float = 30.0
    mip_rel_gap: float = 1e-3
    priority: dict[str, float] = field(default_factory=dict)
    safety_stock_penalty: float = 2.0
    backorder_cost_rate: float = 0.1
    holding_cost_rate: float | None = None


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
    raise NotImplementedError("balance is being built (issue 18)")
