"""The plan as aligned arrays: what the inventory, supply and scenario calculators work on.

Loading is the only part that touches the database; everything computed from a `PlanData`
is a pure function of it, so a page or a what-if slider recomputes without a query. Rows are
SKUs (sorted), columns are the periods of the consensus demand plan.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.models import QUANTILE_COLUMNS
from genxsop_core.domain.states import PlanKind, SupplyKind
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.versions import get_version
from genxsop_core.supply.plans import starting_rows

QUANTILE_LEVELS = np.array([int(c[1:]) / 100 for c in QUANTILE_COLUMNS])  # 0.01 ... 0.99, one per stored column
HISTORY_WINDOW_DAYS = 364  # demand variability and the XYZ class look at the last year


@dataclass(frozen=True)
class PlanData:
    """One demand plan version with its supply plan, stock, master data and routings."""

    demand_version_id: int
    supply_version_id: int | None  # None: receipts of the working supply plan
    skus: list[str]
    periods: pd.DatetimeIndex
    products: pd.DataFrame  # product master, one row per SKU in `skus` order
    consensus: np.ndarray  # (n, T) units
    statistical: np.ndarray  # (n, T)
    quantiles: np.ndarray  # (n, T, len(QUANTILE_LEVELS)) demand quantiles scaled to the consensus; NaN without a run
    receipts: np.ndarray  # (n, T) planned receipts
    make: np.ndarray  # (n, T) bool: the receipt is made (loads resources), else bought
    firm: np.ndarray  # (n, T) bool: released orders
    on_hand: np.ndarray  # (n,) latest stock count before the plan starts
    error_std: np.ndarray  # (n,) per-period forecast error sd
    error_std_source: np.ndarray  # (n,) "backtest RMSE" or "history sd"
    history_mean: np.ndarray  # (n,) mean demand per period over the last year
    history_std: np.ndarray  # (n,)
    resources: pd.DataFrame  # resource, name, capacity_hours, cost_per_hour
    hours: np.ndarray  # (n, r) hours per unit on each resource
    bucket_days: float

    @property
    def periods_per_year(self) -> float:
        return 365.25 / self.bucket_days

    def column(self, name: str) -> np.ndarray:
        return self.products[name].to_numpy(dtype=float)


def load_plan_data(uow: UnitOfWork, demand_version_id: int, supply_version_id: int | None = None) -> PlanData:
    """Read one plan into arrays; without a supply version the working supply plan's receipts count."""
    with uow:
        demand_version = get_version(uow, PlanKind.DEMAND, demand_version_id)
        plan = uow.demand_plans.frame([demand_version_id])
        if plan.empty:
            raise InvalidInput(f"demand plan version {demand_version_id} has no rows")
        skus = sorted(plan.sku.unique())
        periods = pd.DatetimeIndex(sorted(plan.period.unique()))
        supply = _supply_rows(uow, plan, supply_version_id)
        products = uow.products.master(skus).set_index("sku").reindex(skus)
        first = periods[0].date()
        stock = uow.inventory.on_hand(first).set_index("sku").on_hand.reindex(skus).fillna(0.0)
        history = uow.demand.history(skus, since=(periods[0] - pd.Timedelta(days=HISTORY_WINDOW_DAYS)).date(),
                                     until=first)
        run_id = demand_version.source_run_id
        results = uow.forecast_runs.results(run_id, skus, future_only=True) if run_id is not None else None
        scores = uow.forecast_runs.scores(run_id) if run_id is not None else None
        resources = uow.resources.frame()
        routings = uow.resources.routings()
    grid = _matrices(plan, supply, skus, periods)
    stats = history.groupby("unique_id").y.agg(["mean", "std"]).reindex(skus)
    error_std, source = _error_std(scores, skus, stats["std"].fillna(0.0).to_numpy())
    quantiles = _quantiles(results, skus, periods, grid["statistical"], grid["consensus"])
    hours = routings.pivot_table(index="sku", columns="resource", values="hours_per_unit", aggfunc="sum")
    hours = hours.reindex(index=skus, columns=list(resources.resource)).fillna(0.0).to_numpy()
    bucket_days = float(np.median(np.diff(periods.values).astype("timedelta64[D]").astype(float))) \
        if len(periods) > 1 else 7.0
    return PlanData(demand_version_id, supply_version_id, skus, periods, products.reset_index(),
                    grid["consensus"], grid["statistical"], quantiles, grid["planned_receipts"], grid["make"],
                    grid["firm"], stock.to_numpy(dtype=float), error_std, source,
                    stats["mean"].fillna(0.0).to_numpy(), stats["std"].fillna(0.0).to_numpy(), resources, hours,
                    bucket_days)


def _supply_rows(uow: UnitOfWork, plan: pd.DataFrame, supply_version_id: int | None) -> pd.DataFrame:
    if supply_version_id is not None:
        get_version(uow, PlanKind.SUPPLY, supply_version_id)
        return uow.supply_plans.frame([supply_version_id])
    working = uow.plans.latest_working(PlanKind.SUPPLY)
    rows = uow.supply_plans.frame([working.id]) if working is not None else \
        pd.DataFrame(columns=["sku", "period", "planned_receipts", "kind", "firm"])
    return starting_rows(plan[["sku", "period"]], rows[["sku", "period", "planned_receipts", "kind", "firm"]],
                         uow.resources.routings())


def _matrices(plan: pd.DataFrame, supply: pd.DataFrame, skus: list[str], periods: pd.DatetimeIndex) -> dict:
    rows_of = pd.Index(skus)

    def wide(frame: pd.DataFrame, column: str, fill: float) -> np.ndarray:
        """(n, T) of `column` by (sku, period); cells the frame lacks get `fill`."""
        row, col = rows_of.get_indexer(frame.sku), periods.get_indexer(pd.to_datetime(frame.period))
        known = (row >= 0) & (col >= 0)
        table = np.full((len(skus), len(periods)), fill, dtype=float)
        table[row[known], col[known]] = frame[column].to_numpy(dtype=float)[known]
        return table

    supply = supply.assign(period=pd.to_datetime(supply.period), make=(supply.kind == SupplyKind.MAKE).astype(float),
                           firm=supply.firm.astype(float))
    return {"consensus": wide(plan, "consensus", 0.0), "statistical": wide(plan, "statistical", 0.0),
            "planned_receipts": wide(supply, "planned_receipts", 0.0),
            "make": wide(supply, "make", 0.0).astype(bool), "firm": wide(supply, "firm", 0.0).astype(bool)}


def _error_std(scores: pd.DataFrame | None, skus: list[str], history_std: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Backtest RMSE of the model the run chose (the error safety stock must cover), else the sd of
    last year's demand."""
    rmse = pd.Series(np.nan, index=skus)
    if scores is not None and not scores.empty:
        chosen = scores[scores.chosen.astype(bool)].drop_duplicates("sku").set_index("sku").rmse
        rmse = chosen.reindex(skus).astype(float)
    known = rmse.notna().to_numpy()
    values = np.where(known, rmse.fillna(0.0).to_numpy(), history_std)
    return values, np.where(known, "backtest RMSE", "history sd")


def _quantiles(results: pd.DataFrame | None, skus: list[str], periods: pd.DatetimeIndex, statistical: np.ndarray,
               consensus: np.ndarray) -> np.ndarray:
    """(n, T, k) forecast quantiles moved to the consensus: scaled by consensus / statistical (an
    override of +30% widens the band by 30%), shifted where the statistical forecast is 0."""
    shape = (len(skus), len(periods), len(QUANTILE_LEVELS))
    if results is None or results.empty:
        return np.full(shape, np.nan)
    future = results.assign(period=pd.to_datetime(results.period))
    index = pd.MultiIndex.from_product([skus, periods], names=["sku", "period"])
    q = future.set_index(["sku", "period"])[list(QUANTILE_COLUMNS)].reindex(index).to_numpy(dtype=float)
    q = q.reshape(shape)
    safe = np.where(statistical > 0, statistical, 1.0)
    scaled = q * (consensus / safe)[..., None]
    shifted = q + (consensus - statistical)[..., None]
    return np.maximum(np.where((statistical > 0)[..., None], scaled, shifted), 0.0)
