"""Rough-cut capacity planning: the hours a production plan puts on each resource, against what it has.

utilization = sum(units x hours per unit) / available hours (docs/formulas.md, Supply). The
deterministic check (`resource_load`, `rough_cut`) loads the planned "make" receipts; the
probabilistic one (`overload_probability`) loads draws of the demand forecast, because adding
quantiles across SKUs is not a quantile of the summed load (see `quantile_draws`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from genxsop_core.inventory.quantile_draws import DEFAULT_DRAWS, quantile_draws

LOAD_COLUMNS = ["resource", "period", "load_hours"]
ROUGH_CUT_COLUMNS = ["resource", "name", "period", "load_hours", "capacity_hours", "utilization",
                     "overloaded", "spare_hours"]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")


def _non_negative(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """`column` as floats, refusing NaN and negatives with the first offending row."""
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = ~(values >= 0) | ~np.isfinite(values)
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise ValueError(f"{name} row {frame.index[row]}, column {column}: '{frame[column].iloc[row]}' "
                         "is not a number >= 0")
    return values


def _routed_hours(routings: pd.DataFrame) -> pd.DataFrame:
    """Routings checked: sku, resource, hours_per_unit >= 0 (two rows for one pair add up)."""
    _require_columns(routings, ["sku", "resource", "hours_per_unit"], "routings")
    return routings[["sku", "resource"]].assign(hours_per_unit=_non_negative(routings, "hours_per_unit", "routings"))


def resource_load(plan: pd.DataFrame, routings: pd.DataFrame) -> pd.DataFrame:
    """Load hours per resource and period: sum over SKUs of units x hours per unit.

    plan: `sku`, `period`, `units` (the "make" receipts); routings: `sku`, `resource`,
    `hours_per_unit`. SKUs without a routing add no load and plan rows of 0 units add no row,
    so the result (`resource`, `period`, `load_hours`) has one row per resource and period with
    routed units, sorted by resource and period.
    """
    _require_columns(plan, ["sku", "period", "units"], "plan")
    plan = plan[["sku", "period"]].assign(units=_non_negative(plan, "units", "plan"))
    routed = plan[plan["units"] > 0].merge(_routed_hours(routings), on="sku", how="inner")
    if routed.empty:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in
                             zip(LOAD_COLUMNS, [object, plan["period"].dtype, float])})
    routed["load_hours"] = routed["units"] * routed["hours_per_unit"]
    load = routed.groupby(["resource", "period"], as_index=False, sort=True)["load_hours"].sum()
    return load[LOAD_COLUMNS]


def _capacity_grid(resources: pd.DataFrame, periods: list) -> pd.DataFrame:
    """capacity_hours per resource x period; one row per resource applies to every period.

    A `period` column in `resources` gives capacity by period (a shutdown week, an extra
    shift); then every resource needs a row for every period asked for.
    """
    _require_columns(resources, ["resource", "name", "capacity_hours"], "resources")
    table = resources.assign(capacity_hours=_non_negative(resources, "capacity_hours", "resources"))
    names = table.drop_duplicates("resource")[["resource", "name"]]
    grid = pd.MultiIndex.from_product([names["resource"], periods], names=["resource", "period"]).to_frame(index=False)
    grid = grid.merge(names, on="resource", how="left")
    if "period" not in table.columns:
        repeated = table["resource"][table["resource"].duplicated()]
        if not repeated.empty:
            raise ValueError(f"resources lists resource {repeated.iloc[0]!r} twice; add a period column "
                             "to give capacity by period")
        return grid.merge(table[["resource", "capacity_hours"]], on="resource")
    by_period = table.groupby(["resource", "period"], as_index=False)["capacity_hours"].sum()
    grid = grid.merge(by_period, on=["resource", "period"], how="left")
    if grid["capacity_hours"].isna().any():
        gap = grid[grid["capacity_hours"].isna()].iloc[0]
        raise ValueError(f"resources has no capacity_hours for resource {gap['resource']!r} "
                         f"in period {gap['period']!r}")
    return grid


def rough_cut(load: pd.DataFrame, resources: pd.DataFrame, periods: list) -> pd.DataFrame:
    """Rough-cut capacity table: one row per resource (in `resources` order) x period (in `periods` order).

    utilization = load_hours / capacity_hours (inf when capacity is 0 and load is not, 0 when
    both are 0); overloaded = utilization > 1; spare_hours = capacity - load (negative when
    overloaded). Load outside `periods` is outside the horizon and ignored; load on a resource
    missing from `resources` raises, since it would otherwise vanish from the check.
    """
    _require_columns(load, LOAD_COLUMNS, "load")
    table = _capacity_grid(resources, list(periods))
    unknown = sorted(set(load["resource"]) - set(resources["resource"]), key=str)
    if unknown:
        raise ValueError(f"load is on resource(s) {unknown} that are not in resources")
    if load.empty:  # an empty frame's period dtype may not merge with the horizon's
        table["load_hours"] = 0.0
    else:
        hours = load.groupby(["resource", "period"], as_index=False)["load_hours"].sum()
        table = table.merge(hours, on=["resource", "period"], how="left")
        table["load_hours"] = table["load_hours"].fillna(0.0).astype(float)
    load_hours, capacity = table["load_hours"].to_numpy(), table["capacity_hours"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["utilization"] = np.where(capacity > 0, load_hours / capacity, np.where(load_hours > 0, np.inf, 0.0))
    table["overloaded"] = table["utilization"] > 1
    table["spare_hours"] = capacity - load_hours
    return table[ROUGH_CUT_COLUMNS]


def hours_matrix(routings: pd.DataFrame, skus: Sequence, resources: Sequence) -> np.ndarray:
    """Hours per unit as an (n_skus, n_resources) matrix in the given orders, 0 where not routed.

    Routings for SKUs or resources not listed are left out (the caller chooses the scope).
    """
    routed = _routed_hours(routings)
    table = routed.pivot_table(index="sku", columns="resource", values="hours_per_unit", aggfunc="sum")
    return table.reindex(index=list(skus), columns=list(resources)).fillna(0.0).to_numpy(dtype=float)


def _capacity_per_period(capacity: ArrayLike, n_resources: int, n_periods: int) -> np.ndarray:
    """Capacity (n_resources,) or (n_resources, T) as an (n_resources, T) array >= 0."""
    capacity = np.asarray(capacity, dtype=float)
    if capacity.shape == (n_resources,):
        capacity = np.repeat(capacity[:, None], n_periods, axis=1)
    elif capacity.shape != (n_resources, n_periods):
        raise ValueError(f"capacity must have shape ({n_resources},) or ({n_resources}, {n_periods}), "
                         f"got {capacity.shape}")
    if not np.all(np.isfinite(capacity) & (capacity >= 0)):
        raise ValueError("capacity must be finite hours >= 0")
    return capacity


def overload_probability(levels: ArrayLike, quantiles: ArrayLike, hours: ArrayLike, capacity: ArrayLike,
                         n_draws: int = DEFAULT_DRAWS, seed: int = 0) -> np.ndarray:
    """P(load > capacity) per resource and period (n_resources, T), from demand forecast quantiles.

    load_r,t = sum_i hours_i,r x D_i,t with D_i,t drawn independently per SKU from its
    quantiles (`quantile_draws`); the probability is the share of draws above capacity_r,t.
    Draws are made one period at a time (n_routed_skus x n_draws), each period with its own
    seed derived from `seed`, so memory stays bounded and results are reproducible. SKUs with
    no routed hours are not drawn. Zero capacity with positive expected load gives 1.0.

    levels (k,); quantiles (n_skus, T, k); hours (n_skus, n_resources); capacity
    (n_resources,) or (n_resources, T).
    """
    quantiles = np.asarray(quantiles, dtype=float)
    hours = np.asarray(hours, dtype=float)
    if quantiles.ndim != 3:
        raise ValueError(f"quantiles must have shape (n_skus, periods, levels), got {quantiles.shape}")
    n_skus, n_periods, _ = quantiles.shape
    if hours.ndim != 2 or hours.shape[0] != n_skus:
        raise ValueError(f"hours must have shape ({n_skus}, n_resources) like quantiles' SKUs, got {hours.shape}")
    if not np.all(np.isfinite(hours) & (hours >= 0)):
        raise ValueError("hours must be finite hours per unit >= 0 (0 where not routed)")
    if int(n_draws) < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    capacity = _capacity_per_period(capacity, hours.shape[1], n_periods)

    routed = hours.any(axis=1)
    quantiles, hours = quantiles[routed], hours[routed]
    if np.isnan(quantiles).any():
        sku, period = np.argwhere(np.isnan(quantiles).any(axis=2))[0]
        raise ValueError(f"quantiles for routed SKU row {np.flatnonzero(routed)[sku]}, period {period} contain NaN")
    period_seeds = np.random.SeedSequence(seed).generate_state(max(n_periods, 1))
    probability = np.zeros_like(capacity)
    for period in range(n_periods):
        demand = quantile_draws(levels, quantiles[:, period, :], n_draws=int(n_draws), seed=int(period_seeds[period]))
        load = hours.T @ demand  # (n_resources, n_draws)
        limit = capacity[:, period]
        probability[:, period] = (load > limit[:, None]).mean(axis=1)
        probability[(limit == 0) & (load.mean(axis=1) > 0), period] = 1.0
    return probability
