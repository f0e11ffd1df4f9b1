"""The balancing LP by an interior-point method (Clarabel), for plans too big for the simplex.

HiGHS's dual simplex (`balance_model`) is exact, returns a vertex (a receipt in one week, not
spread over two weeks that cost the same) and is fastest on plans of a few thousand SKU-weeks
(the demo: 0.15 s). Its iterations grow with the rows, and each costs more as the capacity rows
link more SKU chains: at 4,000 made SKUs x 52 weeks x 10 resources it took 160-260 s on 2 cores.
An interior-point method takes 40-55 iterations whatever the size, each a sparse factorisation of
the KKT system (Clarabel's LDL with an AMD ordering keeps the SKU chains' fill local, the
capacity rows' block small and dense); measured side by side on the same programme (bench/README.md,
issue 18): 1,000 SKUs 8.9 s against 2.4 s with the simplex, 2,000 SKUs about even, 5,000 SKUs
88 s against 160-260 s, the same objective and hour values to 1e-7.

What a planner reads must not show the method: values an interior point leaves a hair inside a
bound (1e-9 receipts, 1e-10 hours of slack) are put on the bound. Where two plans cost exactly the
same (ties) the interior point may split a receipt between them; the objective, hour values and
every figure of the summary are those of the optimum either way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

SNAP = 1e-7
"""A value this close to a bound (relative to max(1, |bound|)) is read as on it."""
SOLVED = ("Solved", "AlmostSolved")


@dataclass(frozen=True)
class InteriorPointResult:
    """What `balance_model` reads from a solver: `x`, `fun` (without the constant), the capacity
    rows' duals (an hour's value, >= 0) and HiGHS-like `status` (0 solved) and `message`."""

    x: np.ndarray | None
    fun: float
    row_duals: np.ndarray
    status: int
    message: str
    iterations: int


def solve_lp(c: np.ndarray, a_ub: sp.csr_matrix, b_ub: np.ndarray, a_eq: sp.csr_matrix, b_eq: np.ndarray,
             lower: np.ndarray, upper: np.ndarray) -> InteriorPointResult:
    """min c x; a_ub x <= b_ub; a_eq x = b_eq; lower <= x <= upper, with Clarabel. Fixed columns
    (lower == upper: released orders, cells inside the lead time) leave the programme first, and
    finite bounds become rows of the nonnegative cone (Clarabel takes no bounds of its own)."""
    import clarabel  # imported here: only plans past balance_model.INTERIOR_POINT_CELLS need it

    fixed = lower == upper
    free = ~fixed
    known = np.where(fixed, lower, 0.0)
    a_eq, a_ub = sp.csc_matrix(a_eq), sp.csc_matrix(a_ub)
    eq_rhs, ub_rhs = b_eq - a_eq @ known, b_ub - a_ub @ known
    a_eq, a_ub = a_eq[:, free], a_ub[:, free]
    low, high = lower[free], upper[free]
    columns = int(free.sum())
    identity = sp.identity(columns, format="csr")
    has_low, has_high = np.isfinite(low), np.isfinite(high)
    a = sp.vstack([a_eq, a_ub, -identity[has_low], identity[has_high]], format="csc")
    b = np.concatenate([eq_rhs, ub_rhs, -low[has_low], high[has_high]])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    cones = [clarabel.ZeroConeT(a_eq.shape[0]), clarabel.NonnegativeConeT(a.shape[0] - a_eq.shape[0])]
    solution = clarabel.DefaultSolver(sp.csc_matrix((columns, columns)), c[free], a, b, cones, settings).solve()
    status = str(solution.status)
    if status not in SOLVED:
        return InteriorPointResult(None, np.nan, np.zeros(a_ub.shape[0]), 2, f"Clarabel: {status}",
                                   int(solution.iterations))
    x = known.copy()
    x[free] = np.clip(np.asarray(solution.x), low, high)
    x = _on_bounds(x, lower, upper)
    duals = np.asarray(solution.z)[a_eq.shape[0]:a_eq.shape[0] + a_ub.shape[0]]
    duals = np.where(duals > SNAP * np.maximum(1.0, np.abs(duals).max(initial=0.0)), duals, 0.0)
    return InteriorPointResult(x, float(c @ x), duals, 0, f"Clarabel interior point: {status}",
                               int(solution.iterations))


def _on_bounds(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """x with values within SNAP of a finite bound put on it."""
    for bound in (lower, upper):
        finite = np.isfinite(bound)
        near = finite & (np.abs(x - np.where(finite, bound, 0.0)) <= SNAP * np.maximum(1.0, np.abs(
            np.where(finite, bound, 0.0))))
        x = np.where(near, bound, x)
    return x
