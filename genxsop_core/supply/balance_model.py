"""The balancing linear programme, built as sparse matrices and solved with HiGHS (scipy).

Arrays only (no PlanData, no pandas): `balance.py` prepares them, this module builds and solves.
Cells are SKU x period, flattened SKU-major (cell = i * T + t); resource rows resource-major.

Variables, in this order: q (receipt per cell, in `scale` units: 1 unit, or one MOQ lot with
integer lots), I (end stock per cell), u (unmet per cell: lost in the period, or the backlog at
its end), z (units below safety stock per cell), o (overtime hours per resource and period).

    balance   I_t - I_{t-1} - scale q_t - u_t (+ u_{t-1} back-ordered) = -d_t  (opening stock on the rhs of t = 0)
    capacity  sum_i hours_ir make_it scale_it q_it - o_rt <= capacity_rt       (dual = value of an hour)
    safety    -I_t - z_t <= -SS_t                                             (soft floor)
    served    u_t - u_{t-1} <= d_t                                            (back-order only: served >= 0)
    bounds    released cells fixed; inside the lead time 0 <= q <= the planned receipt; o <= overtime limit;
              lost u <= d
    minimise  sum h I + (m + pen) u (lost) | bo pen u + (m + pen) u_T (back-order) + ss z + oc o + eps q

Maximising margin - holding - overtime - shortfall is minimising this cost: margin on all demand
is a constant and every unmet unit gives up its margin m.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp

RECEIPT_EPSILON = 1e-6
"""Cost per unit received: among plans of equal value, prefer the one that receives less."""
TOLERANCE = 1e-6


@dataclass(frozen=True)
class ModelInputs:
    """Everything the programme needs, as arrays: (n, T) per cell, (r, T) per resource and period."""

    demand: np.ndarray  # (n, T) >= 0
    opening_stock: np.ndarray  # (n,) >= 0
    opening_backlog: np.ndarray  # (n,) >= 0, back-order mode only
    planned: np.ndarray  # (n, T) today's receipts
    firm: np.ndarray  # (n, T) bool: fixed at `planned`
    earliest: np.ndarray  # (n,) int: first period a receipt may rise above `planned`
    make: np.ndarray  # (n, T) bool: the receipt loads resources
    hours: np.ndarray  # (n, r)
    capacity: np.ndarray  # (r, T)
    overtime_limit: np.ndarray  # (r, T)
    overtime_cost: np.ndarray  # (r,)
    safety_stock: np.ndarray  # (n, T)
    margin: np.ndarray  # (n,) unit margin
    shortfall_penalty: np.ndarray  # (n,) cost per unmet unit beyond its margin (margin x priority)
    holding: np.ndarray  # (n,) per unit and period
    safety_penalty: np.ndarray  # (n,) per unit below safety stock and period
    backorder: bool
    backorder_rate: float
    lot: np.ndarray | None  # (n,) lot size of the integer-lot option; None: continuous


@dataclass(frozen=True)
class Solution:
    receipts: np.ndarray  # (n, T)
    end_stock: np.ndarray  # (n, T)
    unmet: np.ndarray  # (n, T)
    below_safety: np.ndarray  # (n, T)
    overtime: np.ndarray  # (r, T)
    hour_value: np.ndarray  # (r, T); NaN with integer lots (a MIP has no duals)
    cost: float  # the minimised objective, without the constant margin of all demand
    build_seconds: float
    solve_seconds: float
    mip_gap: float  # NaN for the LP
    status: str


def _balance_matrix(n: int, periods: int, backorder: bool, scale: np.ndarray) -> sp.csr_matrix:
    """Rows: one per cell; columns q, I, u, z, o-less (o does not appear in the balance)."""
    cells = n * periods
    eye = sp.identity(cells, format="csr")
    # previous period of the same SKU: a sub-diagonal with the first period of every SKU cut
    previous = sp.diags(np.where(np.arange(1, cells) % periods == 0, 0.0, 1.0), -1, shape=(cells, cells), format="csr")
    stock = eye - previous
    unmet = -eye + (previous if backorder else sp.csr_matrix((cells, cells)))
    receipts = -sp.diags(scale, format="csr")
    return sp.hstack([receipts, stock, unmet, sp.csr_matrix((cells, cells))], format="csr")


def _capacity_matrix(inputs: ModelInputs, scale: np.ndarray) -> sp.csr_matrix:
    """Rows (r, t): hours the cells' receipts load; columns q only (n x T)."""
    n, periods = inputs.demand.shape
    resources = inputs.hours.shape[1]
    sku, res = np.nonzero(inputs.hours > 0)
    t = np.tile(np.arange(periods), sku.size)
    sku_t, res_t = np.repeat(sku, periods), np.repeat(res, periods)
    cell = sku_t * periods + t
    values = inputs.hours[sku_t, res_t] * inputs.make.ravel()[cell] * scale[cell]
    keep = values != 0
    return sp.csr_matrix((values[keep], (res_t[keep] * periods + t[keep], cell[keep])),
                         shape=(resources * periods, n * periods))


def _scale(inputs: ModelInputs, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units per q variable and which q are integer: one MOQ lot for cells a new order can change."""
    cells = inputs.demand.size
    if inputs.lot is None:
        return np.ones(cells), np.zeros(cells, dtype=bool)
    lot = np.repeat(inputs.lot, inputs.demand.shape[1])
    integer = free & (lot > 1)  # a lot of one unit (or none) is any quantity: no integer variable needed
    return np.where(integer, lot, 1.0), integer


def build(inputs: ModelInputs) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray, sp.csr_matrix, np.ndarray,
                                       np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """c, A_ub, b_ub, A_eq, b_eq, lower, upper, integrality, scale of the programme (module doc)."""
    n, periods = inputs.demand.shape
    resources = inputs.hours.shape[1]
    cells = n * periods
    demand, planned = inputs.demand.ravel(), inputs.planned.ravel()
    firm = inputs.firm.ravel()
    reachable = (np.arange(periods)[None, :] >= inputs.earliest[:, None]).ravel()
    free = reachable & ~firm
    scale, integer = _scale(inputs, free)

    equality = _balance_matrix(n, periods, inputs.backorder, scale)
    rhs = -demand.copy()
    opening = inputs.opening_stock - (inputs.opening_backlog if inputs.backorder else 0.0)
    rhs[::periods] += opening
    overtime_columns = sp.csr_matrix((cells, resources * periods))
    equality = sp.hstack([equality, overtime_columns], format="csr")

    zero = sp.csr_matrix((cells, cells))
    eye = sp.identity(cells, format="csr")
    capacity = sp.hstack([_capacity_matrix(inputs, scale), sp.csr_matrix((resources * periods, 3 * cells)),
                          -sp.identity(resources * periods, format="csr")], format="csr")
    safety = sp.hstack([zero, -eye, zero, -eye, sp.csr_matrix((cells, resources * periods))], format="csr")
    blocks, bounds = [capacity, safety], [inputs.capacity.ravel(), -inputs.safety_stock.ravel()]
    if inputs.backorder:
        previous = sp.diags(np.where(np.arange(1, cells) % periods == 0, 0.0, 1.0), -1, shape=(cells, cells))
        served_rhs = demand.copy()
        served_rhs[::periods] += inputs.opening_backlog
        blocks.append(sp.hstack([zero, zero, eye - previous, zero, sp.csr_matrix((cells, resources * periods))],
                                format="csr"))
        bounds.append(served_rhs)
    inequality = sp.vstack(blocks, format="csr")

    fixed = firm
    q_low = np.where(fixed, planned, 0.0) / scale
    q_high = np.where(fixed, planned, np.where(reachable, np.inf, np.maximum(planned, 0.0))) / scale
    u_high = np.full(cells, np.inf) if inputs.backorder else demand
    lower = np.concatenate([q_low, np.zeros(3 * cells + resources * periods)])
    upper = np.concatenate([q_high, np.full(cells, np.inf), u_high, np.full(cells, np.inf),
                            inputs.overtime_limit.ravel()])

    per_cell = np.repeat
    unmet_cost = per_cell(inputs.margin + inputs.shortfall_penalty, periods)
    if inputs.backorder:
        last = np.zeros(cells, dtype=bool)
        last[periods - 1::periods] = True
        waiting = per_cell(inputs.backorder_rate * inputs.shortfall_penalty, periods)
        unmet_cost = waiting + np.where(last, unmet_cost, 0.0)
    c = np.concatenate([RECEIPT_EPSILON * scale, per_cell(inputs.holding, periods), unmet_cost,
                        per_cell(inputs.safety_penalty, periods), np.repeat(inputs.overtime_cost, periods)])
    integrality = np.concatenate([integer, np.zeros(3 * cells + resources * periods, dtype=bool)]).astype(int)
    return (c, inequality, np.concatenate(bounds), equality, rhs, lower, upper, integrality, scale)


def _linprog(c: np.ndarray, a_ub: sp.csr_matrix, b_ub: np.ndarray, a_eq: sp.csr_matrix, b_eq: np.ndarray,
             lower: np.ndarray, upper: np.ndarray) -> OptimizeResult:
    return linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=np.column_stack([lower, upper]),
                   method="highs")


def _rounded_lots(x: np.ndarray, integer: np.ndarray, n: int, periods: int, up: bool) -> np.ndarray:
    """Lots per integer cell from a relaxed solution, rounded so each SKU's cumulative lots are the
    relaxed cumulative rounded up (never less received by any period than the relaxation, at most
    one lot more) or to the nearest lot (less stock, perhaps a sale lost)."""
    lots = np.where(integer, x[:n * periods], 0.0).reshape(n, periods)
    cumulative = np.cumsum(lots, axis=1)
    cumulative = np.ceil(cumulative - TOLERANCE) if up else np.round(cumulative)
    return np.diff(cumulative, axis=1, prepend=0.0).ravel()


def _integer_lots(inputs: ModelInputs, model: tuple, time_limit: float, mip_rel_gap: float) -> tuple:
    """(result, gap, message) for the integer-lot option: the relaxation's lots rounded up (and the
    rest re-solved) first; HiGHS's MIP only when that is further than `mip_rel_gap` from the bound,
    within what is left of `time_limit`. The gap is to the best bound known (relaxation or MIP),
    relative to the objective a planner reads (margin - costs), not to the costs alone."""
    c, a_ub, b_ub, a_eq, b_eq, lower, upper, integrality, _ = model
    started = time.perf_counter()
    n, periods = inputs.demand.shape
    margin_of_all = float((inputs.margin[:, None] * inputs.demand).sum()
                          + (inputs.margin * inputs.opening_backlog).sum() * inputs.backorder)
    relaxed = _linprog(c, a_ub, b_ub, a_eq, b_eq, lower, upper)
    if relaxed.status != 0:
        return relaxed, np.nan, str(relaxed.message)
    bound = margin_of_all - relaxed.fun  # no integer plan earns more
    integer = integrality[:n * periods].astype(bool)
    cells = np.flatnonzero(integer)
    best, best_profit, message = relaxed, -np.inf, ""
    for up in (True, False):
        fixed_low, fixed_high = lower.copy(), upper.copy()
        fixed_low[cells] = fixed_high[cells] = _rounded_lots(relaxed.x, integer, n, periods, up)[cells]
        rounded = _linprog(c, a_ub, b_ub, a_eq, b_eq, fixed_low, fixed_high)
        if rounded.status == 0 and margin_of_all - rounded.fun > best_profit:
            best, best_profit = rounded, margin_of_all - rounded.fun
            message = f"relaxation's lots rounded {'up' if up else 'to the nearest'}"

    def gap() -> float:
        return float((bound - best_profit) / max(abs(best_profit), TOLERANCE))

    left = time_limit - (time.perf_counter() - started)
    if np.isfinite(best_profit) and (gap() <= mip_rel_gap or left <= 0):
        return best, gap(), message
    one = sp.csr_matrix((a_ub.shape[0], 1)), sp.csr_matrix((a_eq.shape[0], 1))
    result = milp(np.append(c, -margin_of_all), integrality=np.append(integrality, 0),
                  bounds=Bounds(np.append(lower, 1.0), np.append(upper, 1.0)),
                  constraints=[LinearConstraint(sp.hstack([a_ub, one[0]], format="csr"), -np.inf, b_ub),
                               LinearConstraint(sp.hstack([a_eq, one[1]], format="csr"), b_eq, b_eq)],
                  options={"time_limit": max(float(left), 1.0), "mip_rel_gap": float(mip_rel_gap)})
    if getattr(result, "mip_dual_bound", None) is not None and np.isfinite(result.mip_dual_bound):
        bound = min(bound, -float(result.mip_dual_bound))
    if result.x is not None and -result.fun > best_profit:
        result.x, result.fun = result.x[:-1], result.fun + margin_of_all
        best, best_profit, message = result, margin_of_all - result.fun, f"HiGHS MIP: {result.message}"
    elif np.isfinite(best_profit):
        message += f" (better than HiGHS MIP's best: {result.message})"
    return (best if np.isfinite(best_profit) else result), (gap() if np.isfinite(best_profit) else np.nan), message


def solve(inputs: ModelInputs, time_limit: float = 30.0, mip_rel_gap: float = 1e-3) -> Solution:
    """Build and solve; raises RuntimeError with HiGHS's message if it finds no solution (the
    caller checks what makes the programme infeasible before and turns that into a domain error)."""
    started = time.perf_counter()
    model = build(inputs)
    c, a_ub, b_ub, a_eq, b_eq, lower, upper, integrality, scale = model
    built = time.perf_counter()
    hour_value = None
    if integrality.any():
        result, gap, message = _integer_lots(inputs, model, time_limit, mip_rel_gap)
        ok = result.x is not None and (result.status == 0 or "MIP" in message)
    else:
        result = _linprog(c, a_ub, b_ub, a_eq, b_eq, lower, upper)
        ok, gap, message = result.status == 0, float("nan"), str(result.message)
        if ok:
            hour_value = -result.ineqlin.marginals[:inputs.capacity.size]
    solved = time.perf_counter()
    if not ok:
        raise RuntimeError(f"HiGHS found no solution: {result.message}")
    n, periods = inputs.demand.shape
    cells = n * periods
    x = np.asarray(result.x)
    block = [x[k * cells:(k + 1) * cells].reshape(n, periods) for k in range(4)]
    resources = inputs.capacity.shape
    values = np.full(resources, np.nan) if hour_value is None else np.maximum(hour_value, 0.0).reshape(resources)
    return Solution(receipts=block[0] * scale.reshape(n, periods), end_stock=block[1], unmet=block[2],
                    below_safety=block[3], overtime=x[4 * cells:].reshape(resources), hour_value=values,
                    cost=float(result.fun), build_seconds=built - started, solve_seconds=solved - built,
                    mip_gap=gap, status=message)
