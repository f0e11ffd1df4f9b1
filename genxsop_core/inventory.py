"""Inventory policy formulas (DESIGN.md section 8): pure functions of numbers, arrays or Series.

Quantities are per planning bucket; lead times are in the same buckets. Arguments broadcast
like numpy arrays, so one call computes a whole policy table. Invalid input raises ValueError
with the reason a planner can act on.
"""
from __future__ import annotations

import numpy as np


def project_inventory(on_hand, receipts, demand) -> np.ndarray:
    """Projected inventory at the end of each period: on hand + cumulative receipts - cumulative demand.

    `on_hand` has one value per SKU (shape (n,) or a scalar), `receipts` and `demand` one row
    per SKU and one column per period (shape (n, periods) or (periods,)). Unmet demand is
    carried as a negative balance (a backlog), so the first negative period is the first
    stockout and the most negative balance is the largest shortage.
    """
    receipts = np.asarray(receipts, dtype=float)
    demand = np.asarray(demand, dtype=float)
    if receipts.shape != demand.shape:
        raise ValueError(f"receipts {receipts.shape} and demand {demand.shape} must cover the same SKUs and periods")
    start = np.asarray(on_hand, dtype=float)
    if receipts.ndim == 2:
        start = start.reshape(-1, 1) if start.ndim else start
    return start + np.cumsum(receipts - demand, axis=-1)
