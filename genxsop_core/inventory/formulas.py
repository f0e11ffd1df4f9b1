"""Inventory policy formulas (docs/formulas.md, Inventory): pure functions of numbers, arrays or Series.

Quantities are per planning bucket; lead times are in the same buckets. Arguments broadcast
like numpy arrays, so one call computes a whole policy table: all-scalar input gives a float,
anything else a numpy array. Invalid input raises ValueError with the reason a planner can
act on, naming the argument and the bad value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import ndtri

from genxsop_core.inventory.quantile_draws import DEFAULT_DRAWS, quantile_draws

ABC_LIMITS = (0.80, 0.95)
"""A while the items ranked above hold < 80% of the value, B while < 95%, then C."""
XYZ_LIMITS = (0.5, 1.0)
"""X when cv < 0.5 (steady), Y when cv < 1.0, Z otherwise (erratic or unknown)."""


def _where(mask: np.ndarray, labels: np.ndarray | None) -> str:
    """Where the first flagged entry is, in words: ' for sku X', ' at position 3' or ''."""
    if mask.ndim == 0:
        return ""
    first = tuple(int(i) for i in np.argwhere(mask)[0])
    if labels is not None:
        return f" for sku {labels[first[0]]}"
    return f" at position {first[0] if len(first) == 1 else first}"


def _checked(value: ArrayLike, name: str, *, negative_ok: bool = False, nan_ok: bool = False,
             labels: np.ndarray | None = None) -> np.ndarray:
    """`value` as a float array; a NaN or negative entry (unless allowed) raises ValueError."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not nan_ok and np.isnan(array).any():
        raise ValueError(f"{name} is missing (NaN){_where(np.isnan(array), labels)}; fill it in first")
    if not negative_ok and (array < 0).any():
        bad = array < 0
        raise ValueError(f"{name} must not be negative, got {float(array[bad][0])}{_where(bad, labels)}")
    return array


def _result(value: np.ndarray, *inputs: ArrayLike) -> float | np.ndarray:
    """A Python float when every input was a scalar, else the numpy array."""
    return float(value) if all(np.ndim(x) == 0 for x in inputs) else np.asarray(value, dtype=float)


def _service_level(value: ArrayLike) -> np.ndarray:
    level = _checked(value, "service_level", negative_ok=True, nan_ok=True)
    bad = ~((level > 0) & (level < 1))  # NaN included
    if bad.any():
        got = float(level[bad][0])
        hint = ("100% would need infinite safety stock" if got == 1
                else "pass a fraction, e.g. 0.95 for a 95% cycle service level")
        raise ValueError(f"service_level must be strictly between 0 and 1, got {got}{_where(bad, None)}: {hint}")
    return level


def _per_sku(array: np.ndarray, n: int, name: str) -> np.ndarray:
    try:
        return np.broadcast_to(array, (n,))
    except ValueError:
        raise ValueError(f"{name} needs one value per SKU ({n}) or a single value, got shape {array.shape}") from None


def z_value(service_level: ArrayLike) -> float | np.ndarray:
    """Safety factor z: the standard normal quantile of the cycle service level (0.95 -> 1.6449).

    The share of replenishment cycles without a stockout; 0 and 1 are excluded (z = -inf, +inf).
    """
    return _result(ndtri(_service_level(service_level)), service_level)


def safety_stock(demand_mean: ArrayLike, demand_std: ArrayLike, lead_time: ArrayLike,
                 service_level: ArrayLike, lead_time_std: ArrayLike = 0.0) -> float | np.ndarray:
    """Safety stock for normal demand and lead time: SS = z * sqrt(L * sd_d^2 + d^2 * sd_L^2).

    Covers demand variability over the lead time plus lead-time variability at mean demand
    (demand per period, L and sd_L in periods). Below a 50% service level z < 0 and the
    result is negative: the reorder point then sits below mean lead-time demand.
    """
    d = _checked(demand_mean, "demand_mean")
    sd_d = _checked(demand_std, "demand_std")
    lead = _checked(lead_time, "lead_time")
    sd_lead = _checked(lead_time_std, "lead_time_std")
    z = ndtri(_service_level(service_level))
    spread = np.sqrt(lead * sd_d**2 + d**2 * sd_lead**2)
    return _result(z * spread, demand_mean, demand_std, lead_time, service_level, lead_time_std)


def _row_quantile(sorted_rows: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Per-row quantile at a per-row level, linear between order statistics (as np.quantile)."""
    position = level * (sorted_rows.shape[1] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, sorted_rows.shape[1] - 1)
    rows = np.arange(sorted_rows.shape[0])
    return sorted_rows[rows, low] + (position - low) * (sorted_rows[rows, high] - sorted_rows[rows, low])


def quantile_safety_stock(levels: ArrayLike, quantiles: ArrayLike, lead_time: ArrayLike,
                          service_level: ArrayLike, n_draws: int = DEFAULT_DRAWS, seed: int = 0) -> np.ndarray:
    """Safety stock from forecast quantiles: SS = Q_sl(lead-time demand) - median(lead-time demand).

    The quantile method: no normality assumption, so a skewed forecast gets the stock its
    tail needs. `quantiles` has shape (n_skus, n_periods, len(levels)). Lead-time demand is
    the sum of the first L periods' demand, built from independent draws per period
    (`quantile_draws`); a fractional L counts its last period at the fraction (L = 2.5:
    periods 0 and 1 in full, period 2 at half). When L runs past the forecast horizon the
    last period is repeated for the missing periods. `lead_time` and `service_level` are
    per SKU or single values; the result, never below 0, has shape (n_skus,). Draws are
    shared out over the whole call, so one SKU's result can move slightly with the batch.
    """
    levels = np.asarray(levels, dtype=float)
    values = _checked(quantiles, "quantiles", negative_ok=True)
    if values.ndim != 3:
        raise ValueError(f"quantiles must have shape (n_skus, n_periods, n_levels), got {values.shape}")
    n, n_periods = values.shape[:2]
    lead = _per_sku(_checked(lead_time, "lead_time"), n, "lead_time")
    level = _per_sku(_service_level(service_level), n, "service_level")
    if levels.size and (level > levels.max()).any():
        raise ValueError(f"service_level {float(level.max())} is above the highest forecast quantile level "
                         f"{float(levels.max())}: the forecast does not say how large that tail is")
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    horizon = int(np.ceil(lead.max())) if n else 0
    if horizon == 0:
        return np.zeros(n)
    if n_periods == 0:
        raise ValueError("quantiles has no periods, so there is no demand to cover the lead time with")
    weights = np.clip(lead[:, None] - np.arange(horizon), 0.0, 1.0)  # (n, horizon)
    period = np.minimum(np.arange(horizon), n_periods - 1)
    draws = quantile_draws(levels, values[:, period, :], n_draws, seed)  # (n, horizon, n_draws)
    lead_time_demand = np.sort(np.einsum("nt,ntd->nd", weights, draws), axis=1)
    spread = _row_quantile(lead_time_demand, level) - _row_quantile(lead_time_demand, np.full(n, 0.5))
    return np.maximum(spread, 0.0)


def reorder_point(demand_mean: ArrayLike, lead_time: ArrayLike, safety_stock: ArrayLike) -> float | np.ndarray:
    """Reorder point ROP = d * L + SS: order when the inventory position falls to it."""
    d = _checked(demand_mean, "demand_mean")
    lead = _checked(lead_time, "lead_time")
    ss = _checked(safety_stock, "safety_stock", negative_ok=True)
    return _result(d * lead + ss, demand_mean, lead_time, safety_stock)


def eoq(annual_demand: ArrayLike, order_cost: ArrayLike,
        holding_cost_per_unit_year: ArrayLike) -> float | np.ndarray:
    """Economic order quantity EOQ = sqrt(2 D S / H), balancing ordering against holding cost."""
    demand = _checked(annual_demand, "annual_demand")
    cost = _checked(order_cost, "order_cost")
    holding = _checked(holding_cost_per_unit_year, "holding_cost_per_unit_year")
    if (holding <= 0).any():
        raise ValueError(f"holding_cost_per_unit_year must be greater than 0, got {float(holding[holding <= 0][0])}"
                         f"{_where(holding <= 0, None)}: free holding would make the best order infinite")
    return _result(np.sqrt(2 * demand * cost / holding), annual_demand, order_cost, holding_cost_per_unit_year)


def order_quantity(economic_quantity: ArrayLike, moq: ArrayLike) -> float | np.ndarray:
    """The quantity actually ordered: max(EOQ, MOQ) rounded up to whole MOQ lots; MOQ 0 = no lot rule.

    Suppliers sell in minimum lots, so 200 with a 48-unit lot becomes 5 lots = 240.
    """
    quantity = _checked(economic_quantity, "economic_quantity")
    lot = _checked(moq, "moq")
    safe_lot = np.where(lot > 0, lot, 1.0)
    lots = np.ceil(np.maximum(quantity, lot) / safe_lot - 1e-9)  # 1e-9: 2.1 / 0.3 is 7.000000000000001, still 7 lots
    return _result(np.where(lot > 0, lots * safe_lot, quantity), economic_quantity, moq)


def _cover(on_hand: ArrayLike, demand: ArrayLike, demand_name: str) -> float | np.ndarray:
    """on hand / demand per period; no demand: infinite cover for positive stock, else 0."""
    stock = _checked(on_hand, "on_hand", negative_ok=True)
    rate = _checked(demand, demand_name)
    cover = np.where(rate > 0, stock / np.where(rate > 0, rate, 1.0), np.where(stock > 0, np.inf, 0.0))
    return _result(cover, on_hand, demand)


def days_of_supply(on_hand: ArrayLike, daily_demand: ArrayLike) -> float | np.ndarray:
    """Days of supply = on hand / average daily demand; a backlog (negative stock) gives negative days.

    Zero demand gives inf for stock on hand (it never runs out) and 0 for none or a backlog.
    """
    return _cover(on_hand, daily_demand, "daily_demand")


def weeks_of_cover(on_hand: ArrayLike, weekly_demand: ArrayLike) -> float | np.ndarray:
    """Weeks of cover = on hand / average weekly demand; zero demand as in `days_of_supply`."""
    return _cover(on_hand, weekly_demand, "weekly_demand")


def coefficient_of_variation(demand_mean: ArrayLike, demand_std: ArrayLike) -> float | np.ndarray:
    """CV = std / mean: demand variability relative to its level, the XYZ measure.

    Zero mean gives inf (no level to compare with); a NaN mean or std (too little history)
    gives NaN, which `abc_xyz` classes as Z.
    """
    mean = _checked(demand_mean, "demand_mean", nan_ok=True)
    std = _checked(demand_std, "demand_std", nan_ok=True)
    cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.where(np.isnan(std), np.nan, np.inf))
    return _result(np.where(np.isnan(mean), np.nan, cv), demand_mean, demand_std)


def abc_xyz(frame: pd.DataFrame) -> pd.DataFrame:
    """ABC by cumulative share of annual consumption value (80/15/5), XYZ by cv (<0.5, <1.0, >=1.0).

    Items are ranked by `annual_value` descending (ties by `sku`); an item is A while the
    items ranked above it hold less than 80% of the total, B while less than 95%, else C, so
    the top item is always A. All values zero -> all C. NaN or inf cv -> Z. Returns a copy
    with `value_share`, `cumulative_share`, `abc`, `xyz` and `abc_xyz` ("AX"), rows in input order.
    """
    missing = [c for c in ("sku", "annual_value", "cv") if c not in frame.columns]
    if missing:
        raise ValueError(f"abc_xyz needs columns sku, annual_value and cv; missing: {', '.join(missing)}")
    skus = frame["sku"].to_numpy()
    value = _checked(frame["annual_value"], "annual_value", labels=skus)
    cv = _checked(frame["cv"], "cv", nan_ok=True, labels=skus)
    order = np.lexsort((skus, -value))
    total = value.sum()
    share = value / total if total > 0 else np.zeros_like(value)
    cumulative = np.empty_like(value)
    cumulative[order] = np.cumsum(value[order]) / total if total > 0 else 0.0
    above = np.round(cumulative - share, 12)  # float noise: 8 x 0.1 sums to 0.7999999999999999, yet is 80%
    abc = (np.where(above < ABC_LIMITS[0], "A", np.where(above < ABC_LIMITS[1], "B", "C")) if total > 0
           else np.full(len(frame), "C"))
    xyz = np.where(cv < XYZ_LIMITS[0], "X", np.where(cv < XYZ_LIMITS[1], "Y", "Z"))  # NaN compares False: Z
    result = frame.copy()
    result["value_share"], result["cumulative_share"] = share, cumulative
    result["abc"], result["xyz"] = abc.astype(object), xyz.astype(object)
    result["abc_xyz"] = result["abc"] + result["xyz"]
    return result


def inventory_value(on_hand: ArrayLike, unit_cost: ArrayLike) -> float | np.ndarray:
    """Inventory value = on hand x unit cost; a backlog (negative stock) is worth 0, not a credit."""
    stock = _checked(on_hand, "on_hand", negative_ok=True)
    cost = _checked(unit_cost, "unit_cost")
    return _result(np.maximum(stock, 0.0) * cost, on_hand, unit_cost)


def project_inventory(on_hand: ArrayLike, receipts: ArrayLike, demand: ArrayLike) -> np.ndarray:
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


def projection_flags(balances: ArrayLike, safety_stock: ArrayLike, max_level: ArrayLike) -> pd.DataFrame:
    """Per-SKU exceptions in a `project_inventory` result: stockouts, dips below safety stock, excess.

    `balances` has shape (n, periods); `safety_stock` and `max_level` are per SKU (n,) or per
    SKU and period (n, periods). max_level is typically SS + order quantity: the most an
    (s, Q) policy holds right after a receipt. Row i is SKU i. `first_stockout` is the first
    period with a negative balance (-1 if none); the unit columns are the worst gap:
    shortage = max(0, -min balance), below safety = max(0, SS - balance), excess = max(0,
    balance - max_level), each taken at its worst period.
    """
    balance = np.atleast_2d(_checked(balances, "balances", negative_ok=True))
    ss = _checked(safety_stock, "safety_stock", negative_ok=True)
    top = _checked(max_level, "max_level", negative_ok=True)
    try:
        ss, top = (np.broadcast_to(v[:, None] if v.ndim == 1 else v, balance.shape) for v in (ss, top))
    except ValueError:
        raise ValueError(f"safety_stock {np.shape(safety_stock)} and max_level {np.shape(max_level)} must be "
                         f"per SKU ({balance.shape[0]},) or per SKU and period {balance.shape}") from None
    stockout = balance < 0
    return pd.DataFrame({
        "first_stockout": np.where(stockout.any(axis=1), stockout.argmax(axis=1), -1),
        "stockout_periods": stockout.sum(axis=1),
        "below_safety_periods": (balance < ss).sum(axis=1),
        "excess_periods": (balance > top).sum(axis=1),
        "shortage_units": np.max(-balance, axis=1, initial=0.0),
        "below_safety_units": np.max(ss - balance, axis=1, initial=0.0),
        "excess_units": np.max(balance - top, axis=1, initial=0.0),
    })
