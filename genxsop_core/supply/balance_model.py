"""The balancing linear programme, built as sparse matrices and solved with HiGHS (scipy).

Arrays only (no PlanData, no pandas): `balance.py` prepares them, this module builds and solves.
Cells are SKU x period, flattened SKU-major (cell = i * T + t); resource rows resource-major.

Variables, in this order: q (receipt per cell, in `scale` units: 1 unit, or one MOQ lot with
integer lots), a and b (end stock per cell I = a + b: a up to safety stock, b above it), u (unmet
per cell: lost in the period, or the backlog at its end), o (overtime hours per resource and period).

    balance   I_t - I_{t-1} - scale q_t - u_t (+ u_{t-1} back-ordered) = -d_t  (opening stock on the rhs of t = 0)
    capacity  sum_i hours_ir make_it scale_it q_it - o_rt <= capacity_rt       (dual = value of an hour)
    served    u_t - u_{t-1} <= d_t                                            (back-order only: served >= 0)
    bounds    released cells fixed; inside the lead time 0 <= q <= the planned receipt; o <= overtime limit;
              lost u <= d; 0 <= a <= SS
    minimise  h I + ss (SS - a) + (m + pen) u (lost) | bo pen u + (m + pen) u_T (back-order) + oc o + eps q

The safety-stock floor is soft without a row of its own: the units below it, SS - a, cost ss
each, which is the constant ss x SS minus ss per unit of a (convex as long as ss >= 0: a fills
before b). That halves the rows against an explicit shortfall variable and its row; measured on
bench/supply_balance.py's synthetic 500 SKUs x 52 weeks x 10 resources, HiGHS's dual simplex
went from 18.2 s to 2.6 s (same optimum; a busy 2-core machine, so upper bounds).

Maximising margin - holding - overtime - shortfall is minimising this cost: margin on all demand
is a constant and every unmet unit gives up its margin m.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp
from scipy.sparse.csgraph import connected_components

from genxsop_core.supply import interior_point

SIMPLEX, INTERIOR_POINT, AUTO = "simplex", "interior point", "auto"
METHODS = (AUTO, SIMPLEX, INTERIOR_POINT)
INTERIOR_POINT_CELLS = 50_000
"""From this many SKU x period cells in one part, `auto` solves the LP by interior point
(`interior_point.py`): measured side by side on bench/supply_balance.py's synthetic plan, the two
are about even at 1,000 made SKUs x 52 weeks (41,548 cells: 17.1 s interior point, 15.0 s dual
simplex on a loaded machine) and the interior point is twice as fast at 2,000 (84,708 cells)."""
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


def _previous(cells: int, periods: int) -> sp.csr_matrix:
    """The previous period of the same SKU: a sub-diagonal with the first period of every SKU cut."""
    return sp.diags(np.where(np.arange(1, cells) % periods == 0, 0.0, 1.0), -1, shape=(cells, cells), format="csr")


def _balance_matrix(n: int, periods: int, backorder: bool, scale: np.ndarray) -> sp.csr_matrix:
    """Rows: one per cell; columns q, a, b, u (o does not appear in the balance)."""
    cells = n * periods
    eye = sp.identity(cells, format="csr")
    previous = _previous(cells, periods)
    stock = eye - previous
    unmet = -eye + (previous if backorder else sp.csr_matrix((cells, cells)))
    return sp.hstack([-sp.diags(scale, format="csr"), stock, stock, unmet], format="csr")


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


@dataclass(frozen=True)
class Programme:
    """min c x + constant; a_ub x <= b_ub; a_eq x = b_eq; lower <= x <= upper; q in `scale` units."""

    c: np.ndarray
    a_ub: sp.csr_matrix
    b_ub: np.ndarray
    a_eq: sp.csr_matrix
    b_eq: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integrality: np.ndarray
    scale: np.ndarray
    constant: float


def build(inputs: ModelInputs) -> Programme:
    """The programme of the module doc, as sparse matrices built without a loop over cells."""
    n, periods = inputs.demand.shape
    resources = inputs.hours.shape[1]
    cells = n * periods
    hours_columns = resources * periods
    demand, planned = inputs.demand.ravel(), inputs.planned.ravel()
    firm = inputs.firm.ravel()
    reachable = (np.arange(periods)[None, :] >= inputs.earliest[:, None]).ravel()
    scale, integer = _scale(inputs, reachable & ~firm)

    rhs = -demand.copy()
    rhs[::periods] += inputs.opening_stock - (inputs.opening_backlog if inputs.backorder else 0.0)
    equality = sp.hstack([_balance_matrix(n, periods, inputs.backorder, scale), sp.csr_matrix((cells, hours_columns))],
                         format="csr")
    blocks = [sp.hstack([_capacity_matrix(inputs, scale), sp.csr_matrix((hours_columns, 3 * cells)),
                         -sp.identity(hours_columns, format="csr")], format="csr")]
    bounds = [inputs.capacity.ravel()]
    if inputs.backorder:  # served = demand + backlog before - backlog after >= 0
        served_rhs = demand.copy()
        served_rhs[::periods] += inputs.opening_backlog
        zero = sp.csr_matrix((cells, cells))
        blocks.append(sp.hstack([zero, zero, zero, sp.identity(cells, format="csr") - _previous(cells, periods),
                                 sp.csr_matrix((cells, hours_columns))], format="csr"))
        bounds.append(served_rhs)

    q_low = np.where(firm, planned, 0.0) / scale
    q_high = np.where(firm, planned, np.where(reachable, np.inf, np.maximum(planned, 0.0))) / scale
    safety = inputs.safety_stock.ravel()
    lower = np.concatenate([q_low, np.zeros(3 * cells + hours_columns)])
    upper = np.concatenate([q_high, safety, np.full(cells, np.inf),
                            np.full(cells, np.inf) if inputs.backorder else demand, inputs.overtime_limit.ravel()])

    holding, below = np.repeat(inputs.holding, periods), np.repeat(inputs.safety_penalty, periods)
    unmet_cost = np.repeat(inputs.margin + inputs.shortfall_penalty, periods)
    if inputs.backorder:
        last = np.zeros(cells, dtype=bool)
        last[periods - 1::periods] = True
        unmet_cost = np.repeat(inputs.backorder_rate * inputs.shortfall_penalty, periods) + \
            np.where(last, unmet_cost, 0.0)
    # stock up to safety stock (a) earns back the shortfall penalty it avoids: cost h - p, plus p x SS
    c = np.concatenate([RECEIPT_EPSILON * scale, holding - below, holding, unmet_cost,
                        np.repeat(inputs.overtime_cost, periods)])
    integrality = np.concatenate([integer, np.zeros(3 * cells + hours_columns, dtype=bool)]).astype(int)
    return Programme(c, sp.vstack(blocks, format="csr"), np.concatenate(bounds), equality, rhs, lower, upper,
                     integrality, scale, float(below @ safety))


def _linprog(model: Programme, lower: np.ndarray | None = None, upper: np.ndarray | None = None) -> OptimizeResult:
    """The LP with HiGHS; `fun` includes the constant."""
    bounds = np.column_stack([model.lower if lower is None else lower, model.upper if upper is None else upper])
    result = linprog(model.c, A_ub=model.a_ub, b_ub=model.b_ub, A_eq=model.a_eq, b_eq=model.b_eq, bounds=bounds,
                     method="highs")
    if result.status == 0:
        result.fun = float(result.fun) + model.constant
    return result


def _rounded_lots(x: np.ndarray, integer: np.ndarray, n: int, periods: int, up: bool) -> np.ndarray:
    """Lots per integer cell from a relaxed solution, rounded so each SKU's cumulative lots are the
    relaxed cumulative rounded up (never less received by any period than the relaxation, at most
    one lot more) or to the nearest lot (less stock, perhaps a sale lost)."""
    lots = np.where(integer, x[:n * periods], 0.0).reshape(n, periods)
    cumulative = np.cumsum(lots, axis=1)
    cumulative = np.ceil(cumulative - TOLERANCE) if up else np.round(cumulative)
    return np.diff(cumulative, axis=1, prepend=0.0).ravel()


def _integer_lots(inputs: ModelInputs, model: Programme, time_limit: float,
                  mip_rel_gap: float) -> tuple[OptimizeResult, float, str]:
    """(result, gap, message) for the integer-lot option: the relaxation's lots rounded (and the
    rest re-solved) first; HiGHS's MIP only when that is further than `mip_rel_gap` from the bound,
    within what is left of `time_limit`. The gap is to the best bound known (relaxation or MIP),
    relative to the objective a planner reads (margin - costs), not to the costs alone."""
    started = time.perf_counter()
    n, periods = inputs.demand.shape
    margin_of_all = float((inputs.margin[:, None] * inputs.demand).sum()
                          + (inputs.margin * inputs.opening_backlog).sum() * inputs.backorder)
    relaxed = _linprog(model)
    if relaxed.status != 0:
        return relaxed, np.nan, str(relaxed.message)
    bound = margin_of_all - relaxed.fun  # no integer plan earns more
    integer = model.integrality[:n * periods].astype(bool)
    cells = np.flatnonzero(integer)
    best, best_profit, message = relaxed, -np.inf, ""
    for up in (True, False):
        fixed_low, fixed_high = model.lower.copy(), model.upper.copy()
        fixed_low[cells] = fixed_high[cells] = _rounded_lots(relaxed.x, integer, n, periods, up)[cells]
        rounded = _linprog(model, fixed_low, fixed_high)
        if rounded.status == 0 and margin_of_all - rounded.fun > best_profit:
            best, best_profit = rounded, margin_of_all - rounded.fun
            message = f"relaxation's lots rounded {'up' if up else 'to the nearest'}"

    def gap() -> float:
        return float((bound - best_profit) / max(abs(best_profit), TOLERANCE))

    left = time_limit - (time.perf_counter() - started)
    if np.isfinite(best_profit) and (gap() <= mip_rel_gap or left <= 0):
        return best, gap(), message
    one = sp.csr_matrix((model.a_ub.shape[0], 1)), sp.csr_matrix((model.a_eq.shape[0], 1))
    offset = model.constant - margin_of_all  # the fixed column carries it: HiGHS's gap is on the objective
    result = milp(np.append(model.c, offset), integrality=np.append(model.integrality, 0),
                  bounds=Bounds(np.append(model.lower, 1.0), np.append(model.upper, 1.0)),
                  constraints=[LinearConstraint(sp.hstack([model.a_ub, one[0]], format="csr"), -np.inf, model.b_ub),
                               LinearConstraint(sp.hstack([model.a_eq, one[1]], format="csr"), model.b_eq,
                                                model.b_eq)],
                  options={"time_limit": max(float(left), 1.0), "mip_rel_gap": float(mip_rel_gap)})
    if getattr(result, "mip_dual_bound", None) is not None and np.isfinite(result.mip_dual_bound):
        bound = min(bound, -float(result.mip_dual_bound))
    if result.x is not None and -result.fun > best_profit:
        result.x, result.fun = result.x[:-1], result.fun + margin_of_all
        best, best_profit, message = result, margin_of_all - result.fun, f"HiGHS MIP: {result.message}"
    elif np.isfinite(best_profit):
        message += f" (better than HiGHS MIP's best: {result.message})"
    return (best if np.isfinite(best_profit) else result), (gap() if np.isfinite(best_profit) else np.nan), message


def parts(inputs: ModelInputs) -> list[tuple[np.ndarray, np.ndarray]]:
    """(SKU rows, resource rows) of the independent pieces of the programme: the connected
    components of the SKU-resource routing graph (a SKU joins the resources its made receipts
    load), and every SKU that loads no resource (bought) in one piece with no resource. Nothing
    else links two cells, so each piece is its own LP and together they have the same optimum;
    a single-SKU chain is solved fastest next to others of its kind (one HiGHS call, not one each).
    Resources no SKU loads are in no piece: their overtime is 0 and an hour there is worth 0."""
    n = inputs.hours.shape[0]
    loads = (inputs.hours > 0) & np.asarray(np.any(inputs.make, axis=1))[:, None]
    loaded = loads.any(axis=1)
    result = [] if loaded.all() else [(np.flatnonzero(~loaded), np.zeros(0, dtype=int))]
    if not loaded.any():
        return result
    graph = sp.bmat([[None, sp.csr_matrix(loads)], [sp.csr_matrix(loads.T), None]], format="csr")
    count, label = connected_components(graph, directed=False)
    sku_label, resource_label = label[:n], label[n:]
    for part in np.unique(sku_label[loaded]):
        result.append((np.flatnonzero(loaded & (sku_label == part)), np.flatnonzero(resource_label == part)))
    return result


def _subset(inputs: ModelInputs, skus: np.ndarray, resources: np.ndarray) -> ModelInputs:
    """The inputs of one piece: its SKUs' rows and its resources' columns and rows."""
    per_sku = {name: getattr(inputs, name)[skus] for name in (
        "demand", "opening_stock", "opening_backlog", "planned", "firm", "earliest", "make", "safety_stock",
        "margin", "shortfall_penalty", "holding", "safety_penalty")}
    return replace(inputs, **per_sku, hours=inputs.hours[np.ix_(skus, resources)],
                   capacity=inputs.capacity[resources], overtime_limit=inputs.overtime_limit[resources],
                   overtime_cost=inputs.overtime_cost[resources],
                   lot=None if inputs.lot is None else inputs.lot[skus])


def solve(inputs: ModelInputs, time_limit: float = 30.0, mip_rel_gap: float = 1e-3,
          decompose: bool = True, method: str = AUTO) -> Solution:
    """Build and solve, the LP piece by piece (`parts`: the dual simplex's time grows faster than
    the size, so groups of resources that share no SKU are cheaper apart; bought SKUs cost it
    little either way, and on bench/supply_balance.py's synthetic plan, where routings link every
    made SKU to all ten resources, the time barely changes: bench/README.md, issue 18);
    the integer-lot option as one programme (its time limit and gap are for the whole plan).
    Raises RuntimeError with HiGHS's message if it finds no solution (the caller checks what
    makes the programme infeasible before and turns that into a domain error). `decompose=False`
    solves the LP as one programme (the same optimum; for comparison). `method`: the LP's
    solver, `auto` (dual simplex, interior point from INTERIOR_POINT_CELLS cells per part),
    `simplex` or `interior point`; the integer-lot option always uses HiGHS."""
    pieces = parts(inputs)
    if not decompose or inputs.lot is not None or len(pieces) == 1:
        return _solve_whole(inputs, time_limit, mip_rel_gap, method)
    n, periods = inputs.demand.shape
    receipts, end_stock, unmet, below = (np.zeros((n, periods)) for _ in range(4))
    overtime, hour_value = np.zeros(inputs.capacity.shape), np.zeros(inputs.capacity.shape)
    cost, build_seconds, solve_seconds, messages = 0.0, 0.0, 0.0, []
    for skus, resources in pieces:
        piece = _solve_whole(_subset(inputs, skus, resources), time_limit, mip_rel_gap, method)
        receipts[skus], end_stock[skus], unmet[skus], below[skus] = (
            piece.receipts, piece.end_stock, piece.unmet, piece.below_safety)
        overtime[resources], hour_value[resources] = piece.overtime, piece.hour_value
        cost += piece.cost
        build_seconds, solve_seconds = build_seconds + piece.build_seconds, solve_seconds + piece.solve_seconds
        messages.append(piece.status)
    status = f"{' / '.join(dict.fromkeys(messages))} ({len(pieces)} independent parts)"
    return Solution(receipts, end_stock, unmet, below, overtime, hour_value, cost, build_seconds, solve_seconds,
                    float("nan"), status)


def uses_interior_point(method: str, cells: int) -> bool:
    """Whether an LP part of `cells` SKU x period cells is solved by interior point."""
    return method == INTERIOR_POINT or (method == AUTO and cells >= INTERIOR_POINT_CELLS)


def _solve_lp(model: Programme, interior: bool) -> tuple[bool, np.ndarray | None, float, np.ndarray, str]:
    """(solved, x, objective with the constant, hour values of the capacity rows, message)."""
    if interior:
        found = interior_point.solve_lp(model.c, model.a_ub, model.b_ub, model.a_eq, model.b_eq, model.lower,
                                        model.upper)
        return found.status == 0, found.x, found.fun + model.constant, found.row_duals, found.message
    result = _linprog(model)
    if result.status != 0:
        return False, None, np.nan, np.zeros(model.a_ub.shape[0]), f"HiGHS found no solution: {result.message}"
    return True, result.x, float(result.fun), -result.ineqlin.marginals, str(result.message)


def _solve_whole(inputs: ModelInputs, time_limit: float, mip_rel_gap: float, method: str = AUTO) -> Solution:
    """One programme for all of `inputs`."""
    started = time.perf_counter()
    model = build(inputs)
    built = time.perf_counter()
    hour_value = None
    if model.integrality.any():
        result, gap, message = _integer_lots(inputs, model, time_limit, mip_rel_gap)
        ok = result.x is not None and (result.status == 0 or "MIP" in message)
        x, fun = result.x, float(result.fun)
        if not ok:
            message = f"HiGHS found no solution: {result.message}"
    else:
        ok, x, fun, duals, message = _solve_lp(model, uses_interior_point(method, inputs.demand.size))
        gap = float("nan")
        if ok:
            hour_value = duals[:inputs.capacity.size]
    solved = time.perf_counter()
    if not ok:
        raise RuntimeError(message)
    n, periods = inputs.demand.shape
    cells = n * periods
    x = np.asarray(x)
    q, within, above, unmet = (x[k * cells:(k + 1) * cells].reshape(n, periods) for k in range(4))
    resources = inputs.capacity.shape
    values = np.full(resources, np.nan) if hour_value is None else np.maximum(hour_value, 0.0).reshape(resources)
    return Solution(receipts=q * model.scale.reshape(n, periods), end_stock=within + above, unmet=unmet,
                    below_safety=np.maximum(inputs.safety_stock - within, 0.0),
                    overtime=x[4 * cells:].reshape(resources), hour_value=values, cost=fun,
                    build_seconds=built - started, solve_seconds=solved - built, mip_gap=gap, status=message)
