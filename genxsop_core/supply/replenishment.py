"""Propose the receipts that keep projected inventory at or above safety stock (netting, MRP style).

The supply plan already holds planned receipts; what is missing is the quantity that keeps the
projection (`project_inventory`: on hand + cumulative receipts - cumulative demand) at or above
safety stock in every period a new receipt can still reach. Periods before a SKU's
`earliest_period` are inside its lead time or frozen fence: nothing new lands there, so a
shortage there is carried as a backlog, covered by the first receipt that can land, and
reported by `unfixable_shortage` as the quantity to expedite.

Arrays are one row per SKU and one column per period; the walk over periods is a Python loop
(planning horizons are 26-52 buckets) and every step is vectorised over SKUs.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from genxsop_core.inventory.formulas import project_inventory

_TOLERANCE = 1e-9
"""Shortfalls this small (relative to the lot) are rounding noise, not a reason to add a lot."""


def _plan_grid(receipts: ArrayLike, demand: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Receipts and demand as (n, T) float arrays of the same shape; demand must be >= 0."""
    receipts, demand = np.asarray(receipts, dtype=float), np.asarray(demand, dtype=float)
    if demand.ndim != 2:
        raise ValueError(f"demand must have one row per SKU and one column per period, got shape {demand.shape}")
    if receipts.shape != demand.shape:
        raise ValueError(f"receipts {receipts.shape} and demand {demand.shape} must cover the same SKUs and periods")
    if not np.all(np.isfinite(receipts)):
        raise ValueError("receipts must be finite numbers (found NaN or inf)")
    if not np.all(demand >= 0) or not np.all(np.isfinite(demand)):
        raise ValueError(f"demand must be finite and >= 0, found {_first_bad(demand)}")
    return receipts, demand


def _first_bad(values: np.ndarray) -> str:
    """The first negative or non-finite value and where it is, for an error message a planner can act on."""
    bad = np.argwhere(~(np.isfinite(values) & (values >= 0)))[0]
    where = ", ".join(f"{axis} {i}" for axis, i in zip(("SKU row", "period"), bad))
    return f"{values[tuple(bad)]} at {where}"


def _per_sku(values: ArrayLike, n_skus: int, name: str) -> np.ndarray:
    """A scalar or one value per SKU, as an (n,) float array."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        return np.full(n_skus, float(array))
    if array.shape != (n_skus,):
        raise ValueError(f"{name} must have one value per SKU ({n_skus},), got shape {array.shape}")
    return array


def _opening_stock(on_hand: ArrayLike, n_skus: int) -> np.ndarray:
    on_hand = _per_sku(on_hand, n_skus, "on_hand")
    if not np.all(np.isfinite(on_hand)):
        raise ValueError("on_hand must be finite numbers (a backlog is a negative number, not NaN)")
    return on_hand


def _fence(earliest_period: ArrayLike, n_skus: int) -> np.ndarray:
    """First period a new receipt may land, per SKU, as ints; values past the horizon are allowed."""
    fence = _per_sku(earliest_period, n_skus, "earliest_period")
    if not np.all(np.isfinite(fence)) or np.any(fence != np.floor(fence)) or np.any(fence < 0):
        bad = fence[~(np.isfinite(fence) & (fence == np.floor(fence)) & (fence >= 0))][0]
        raise ValueError(f"earliest_period must be a whole period index >= 0, got {bad}")
    return fence.astype(np.int64)


def _safety_stock_grid(safety_stock: ArrayLike, shape: tuple[int, int]) -> np.ndarray:
    """Safety stock per SKU (n,) or per SKU and period (n, T), as an (n, T) array >= 0."""
    stock = np.asarray(safety_stock, dtype=float)
    if stock.ndim == 1 and stock.shape == (shape[0],):
        stock = np.repeat(stock[:, None], shape[1], axis=1)
    elif stock.ndim == 0:
        stock = np.full(shape, float(stock))
    elif stock.shape != shape:
        raise ValueError(f"safety_stock must have shape ({shape[0]},) or {shape} like demand, got {stock.shape}")
    if not np.all(np.isfinite(stock) & (stock >= 0)):
        raise ValueError(f"safety_stock must be finite and >= 0, found {_first_bad(stock)}")
    return stock


def _round_up_to_lots(shortfall: np.ndarray, lot_size: np.ndarray) -> np.ndarray:
    """Smallest whole number of lots covering each shortfall; lot size 0 means the exact quantity.

    lots = ceil(shortfall / lot_size); float noise (a billionth of a lot over) is not rounded up to a lot.
    """
    has_lot = lot_size > 0
    lots = np.ceil(shortfall / np.where(has_lot, lot_size, 1.0) - _TOLERANCE)
    return np.where(has_lot, np.maximum(lots, 0.0) * lot_size, shortfall)


def propose_receipts(on_hand: ArrayLike, receipts: ArrayLike, demand: ArrayLike, safety_stock: ArrayLike,
                     lot_size: ArrayLike, earliest_period: ArrayLike) -> np.ndarray:
    """Receipts to add (n, T), >= 0 and in whole lots, so the projection never ends a period below safety stock.

    Walking the periods from each SKU's `earliest_period`: with projected inventory
    P_t = on_hand + sum_{s<=t} (receipts_s + added_s - demand_s), wherever P_t < SS_t the
    smallest number of lots ceil((SS_t - P_t) / lot_size) is added in period t (the exact
    shortfall when lot_size is 0). A backlog built up inside the fence is part of P at
    `earliest_period`, so the first receipt covers it and safety stock together. An
    `earliest_period` at or past the horizon means nothing can be added for that SKU.

    on_hand (n,); receipts, demand (n, T); safety_stock (n,) or (n, T); lot_size (n,), the
    MOQ; earliest_period (n,) int. Scalars stand for the same value for every SKU.
    """
    receipts, demand = _plan_grid(receipts, demand)
    n_skus, n_periods = demand.shape
    start = _opening_stock(on_hand, n_skus)
    stock = _safety_stock_grid(safety_stock, demand.shape)
    lots = _per_sku(lot_size, n_skus, "lot_size")
    if not np.all(np.isfinite(lots) & (lots >= 0)):
        raise ValueError(f"lot_size must be finite and >= 0 (0 = any quantity), found {_first_bad(lots)}")
    fence = _fence(earliest_period, n_skus)

    projected = project_inventory(start, receipts, demand)
    added = np.zeros_like(demand)
    added_so_far = np.zeros(n_skus)
    for period in range(n_periods):
        shortfall = stock[:, period] - (projected[:, period] + added_so_far)
        shortfall = np.where((period >= fence) & (shortfall > 0), shortfall, 0.0)
        added[:, period] = _round_up_to_lots(shortfall, lots)
        added_so_far += added[:, period]
    return added


def unfixable_shortage(on_hand: ArrayLike, receipts: ArrayLike, demand: ArrayLike,
                       earliest_period: ArrayLike) -> np.ndarray:
    """Largest backlog (n,) inside the fence, max(0, -min_{t < earliest_period} P_t): what must be expedited.

    No new receipt lands before `earliest_period`, so a negative projection there (P_t from
    `project_inventory` with the receipts already planned) will happen unless someone
    expedites; 0 when the fence holds no stockout or starts at period 0.
    """
    receipts, demand = _plan_grid(receipts, demand)
    n_skus, n_periods = demand.shape
    fence = _fence(earliest_period, n_skus)
    projected = project_inventory(_opening_stock(on_hand, n_skus), receipts, demand)
    inside_fence = np.arange(n_periods)[None, :] < fence[:, None]
    backlog = np.where(inside_fence, -projected, 0.0)
    return np.maximum(backlog.max(axis=1, initial=0.0), 0.0)
