"""The balancing LP by an interior-point method (PIQP), for plans too big for the simplex.

HiGHS's dual simplex (`balance_model`) is exact, returns a vertex (a receipt in one week, not
spread over two weeks that cost the same) and is fastest on plans of a few thousand SKU-weeks
(the demo: 0.15 s). Its iterations grow with the rows, and each costs more as the capacity rows
link more SKU chains: at 4,000 made SKUs x 52 weeks x 10 resources it took 160-350 s on 2 cores.
An interior-point method takes 40-90 iterations whatever the size, each a sparse factorisation of
the KKT system. PIQP (a proximal interior point with a sparse LDL^T) takes the variables' bounds
as they are; Clarabel, tried first, needs a row per bound, which doubles the system it factorises
and made it 2-3x slower than PIQP on the same programme. Measured side by side (bench/README.md,
issue 18, 2 shared cores, load about 10): 1,000 made SKUs 17.1 s against 15.0 s with the simplex,
2,000 SKUs 26.9 s against 57.6 s; the same objective (to 1e-8) and hour values (to 1e-6).

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
    """min c x; a_ub x <= b_ub; a_eq x = b_eq; lower <= x <= upper, with PIQP. Fixed columns
    (lower == upper: released orders, cells inside the lead time) leave the programme first."""
    import piqp  # imported here: only plans past balance_model.INTERIOR_POINT_CELLS need it

    fixed = lower == upper
    free = ~fixed
    known = np.where(fixed, lower, 0.0)
    a_eq, a_ub = sp.csc_matrix(a_eq), sp.csc_matrix(a_ub)
    eq_rhs, ub_rhs = b_eq - a_eq @ known, b_ub - a_ub @ known
    a_eq, a_ub = a_eq[:, free], a_ub[:, free]
    columns = int(free.sum())
    solver = piqp.SparseSolver()
    low, high = lower[free], upper[free]
    solver.setup(sp.csc_matrix((columns, columns)), c[free], a_eq, eq_rhs, a_ub, np.full(ub_rhs.size, -np.inf),
                 ub_rhs, low, high)
    status = solver.solve()
    iterations = int(solver.result.info.iter)
    if status != piqp.PIQP_SOLVED:
        return InteriorPointResult(None, np.nan, np.zeros(a_ub.shape[0]), 2, f"PIQP: {status.name}", iterations)
    x = known.copy()
    x[free] = np.clip(np.asarray(solver.result.x), low, high)
    x = _on_bounds(x, lower, upper)
    duals = np.asarray(solver.result.z_u)
    duals = np.where(duals > SNAP * np.maximum(1.0, np.abs(duals).max(initial=0.0)), duals, 0.0)
    return InteriorPointResult(x, float(c @ x), duals, 0, "PIQP interior point: solved", iterations)


def _on_bounds(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """x with values within SNAP of a finite bound put on it."""
    for bound in (lower, upper):
        finite = np.isfinite(bound)
        at = np.where(finite, bound, 0.0)
        near = finite & (np.abs(x - at) <= SNAP * np.maximum(1.0, np.abs(at)))
        x = np.where(near, bound, x)
    return x
