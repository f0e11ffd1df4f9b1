"""What the demand review screen shows: plan versions, the drill-down chart, the override
grid, the split preview, accuracy by lag with FVA, and the plan export. Reads only.

A node of the product hierarchy is a domain.hierarchy.Node (level, key). Quantities are
units; "revenue" multiplies every SKU by its unit price before adding up. Monthly views add
weekly buckets into the month they start in and say which months a series covers only in part
(periods.month_coverage); comparisons with last cycle's plan are made on the weekly buckets.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from genxsop_core.demand import accuracy
from genxsop_core.demand.disaggregation import split_proportionally
from genxsop_core.demand.plans import KIND, OVERRIDE_LEVELS, OverrideEdit
from genxsop_core.domain.exceptions import InvalidInput, NotFound
from genxsop_core.domain.hierarchy import LEVELS, Level, Node, check_level
from genxsop_core.domain.periods import bucket_of, month_coverage
from genxsop_core.domain.states import PlanStatus
from genxsop_core.persistence.repositories import node_filter
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.grid_changes import changed_rows
from genxsop_core.plans.versions import SUPERSEDED, export_plan, row_token

MEASURES: tuple[str, ...] = ("units", "revenue")
VIEW_BUCKETS: tuple[str, ...] = ("week", "month")
CHART_COLUMNS = ["period", "actual", "statistical", "p10", "p90", "consensus", "last_cycle"]
# the series whose partial months a monthly chart marks; the statistical forecast and its band
# cover the consensus plan's weeks
PARTIAL_SERIES: tuple[str, ...] = ("actual", "consensus", "last_cycle")
MONTH_COLUMNS = [*CHART_COLUMNS, "buckets_in_month", *[f"{s}_buckets" for s in PARTIAL_SERIES],
                 *[f"{s}_partial" for s in PARTIAL_SERIES]]


class Band(StrEnum):
    """Which P10-P90 band a demand chart holds (its `band` column), so the chart and its caption name it.

    Quantiles do not add up: the sum of SKU P90s is above the P90 of their sum unless the SKUs move
    together. A run stores each aggregate node's own band, reconciled with its SKUs'
    (forecasting.hierarchy); that band is in units and per planning bucket, so the revenue measure
    and the monthly view still add the SKUs' (and the weeks') bands, and say so."""

    OWN = "own"  # a SKU's own band (added over weeks in the monthly view)
    RECONCILED = "reconciled"  # the node's own band from the run's reconciled forecasts
    SUMMED = "summed"  # the SKUs' bands added: the run has no reconciled forecasts (older, or reconciliation failed)
    SUMMED_IN_THIS_VIEW = "summed_in_this_view"  # the SKUs' bands added: the run's reconciled band is weekly units


def band_of(chart: pd.DataFrame) -> Band | None:
    """The band a demand chart holds; None when it has none (no forecast run behind the plan)."""
    if "band" not in chart or not chart.p90.notna().any():
        return None
    return Band(chart.band.iloc[0])


def list_versions(uow: UnitOfWork) -> pd.DataFrame:
    """id, name, status, cycle, cycle_month, source_run_id, created_by/at, approved_by/at; newest cycle first."""
    with uow:
        return uow.plans.listing(KIND)


def working_versions(uow: UnitOfWork) -> pd.DataFrame:
    """The versions a plan is still worked from: list_versions less those a promoted scenario
    superseded (they stay on record, read-only, in Demand review)."""
    versions = list_versions(uow)
    return versions[versions.status != SUPERSEDED]


def source_run_id(uow: UnitOfWork, version_id: int) -> int | None:
    """The forecast run a version's statistical forecast (and the chart's band) comes from; None
    for a version made otherwise (a promoted scenario, an import) or whose run was deleted."""
    with uow:
        version = uow.plans.get(version_id)
        return None if version is None else version.source_run_id


def reason_codes(uow: UnitOfWork) -> dict[str, str]:
    """Active reason codes and their descriptions (the managed list the grid offers)."""
    with uow:
        return {r.code: r.description for r in uow.plans.reason_codes()}


def _previous_approved(versions: pd.DataFrame, version_id: int) -> int | None:
    """The approved version of the latest cycle before this version's cycle ("last cycle's plan")."""
    this = versions[versions.id == version_id]
    if this.empty:
        raise NotFound(f"demand plan version {version_id} does not exist")
    month = this.cycle_month.iloc[0]
    earlier = versions[(versions.status == PlanStatus.APPROVED) & (versions.cycle_month < month)]
    return None if earlier.empty else int(earlier.sort_values("cycle_month").id.iloc[-1])


def _checked(measure: str, bucket: str) -> None:
    if measure not in MEASURES:
        raise InvalidInput(f"measure must be units or revenue, not {measure!r}")
    if bucket not in VIEW_BUCKETS:
        raise InvalidInput(f"view must be week or month, not {bucket!r}")


def demand_chart(uow: UnitOfWork, version_id: int | None, node: Node, measure: str = "units",
                 bucket: str = "week") -> pd.DataFrame:
    """History, statistical forecast with its P10-P90 band, consensus and last cycle's plan for a
    node, one row per period (CHART_COLUMNS and `band`; MONTH_COLUMNS in the monthly view, see
    `in_months`). The band of an aggregate in units in the weekly view is the node's own,
    reconciled when the plan's forecast run ran (Band.RECONCILED); otherwise it adds the SKUs'
    P10s and P90s: exact when SKUs move together, wider than the truth when they do not (`Band`).
    The database adds up the node's SKUs (`uow.totals`), so "All products" of 5,000 SKUs reads a
    few hundred rows."""
    _checked(measure, bucket)
    revenue = measure == "revenue"
    band = Band.OWN if node.level == Level.SKU else Band.SUMMED
    with uow:
        node.skus(uow.demand.hierarchy())  # a level that does not exist or a node without products is refused
        products = node_filter(node.level, node.key)
        parts = [uow.totals.actuals(products, revenue)]
        if version_id is not None:
            versions = uow.plans.listing(KIND)
            parts.append(uow.totals.demand_plan(version_id, products, revenue))
            version = uow.plans.get(version_id)
            if version is not None and version.source_run_id is not None:
                band, forecast_band = _forecast_band(uow, version.source_run_id, node, revenue, bucket)
                parts.append(forecast_band)
            previous = _previous_approved(versions, version_id)
            if previous is not None:
                last = uow.totals.demand_plan(previous, products, revenue)
                parts.append(last[["period", "consensus"]].rename(columns={"consensus": "last_cycle"}))
    wide = functools.reduce(lambda left, right: left.merge(right, on="period", how="outer"), parts)
    wide = wide.groupby("period", sort=True).sum(min_count=1)
    chart = wide.reindex(columns=CHART_COLUMNS[1:]).reset_index().rename_axis(columns=None)
    chart["band"] = str(band)
    return in_months(chart) if bucket == "month" else chart


def _forecast_band(uow: UnitOfWork, run_id: int, node: Node, revenue: bool, bucket: str) -> tuple[Band, pd.DataFrame]:
    """period, p10, p90 of a node in a run, and which band that is: the node's own reconciled band
    when the run stored one and the view is weekly units, else its SKUs' bands added up."""
    products = node_filter(node.level, node.key)
    if node.level == Level.SKU:
        return Band.OWN, uow.totals.forecast_band(run_id, products, revenue)
    if not uow.forecast_runs.has_node_results(run_id):
        return Band.SUMMED, uow.totals.forecast_band(run_id, products, revenue)
    if revenue or bucket != "week":
        return Band.SUMMED_IN_THIS_VIEW, uow.totals.forecast_band(run_id, products, revenue)
    own = uow.forecast_runs.node_results(run_id, node.level, node.key)
    if own.empty:  # a node the run did not forecast (its products were elsewhere then): its SKUs' bands
        return Band.SUMMED, uow.totals.forecast_band(run_id, products, revenue)
    return Band.RECONCILED, own[["period", "p10", "p90"]]


def in_months(chart: pd.DataFrame) -> pd.DataFrame:
    """A chart of planning buckets (CHART_COLUMNS) by calendar month (MONTH_COLUMNS): the weeks
    added into the month they start in (a month with no value stays empty), with how many weeks
    the month holds, how many of them actuals, the consensus and last cycle's plan each cover, and
    whether that makes the month partial for that series (periods.month_coverage)."""
    bucket = bucket_of(chart.period)
    month = chart.period.dt.to_period("M").dt.to_timestamp().rename("period")
    monthly = chart.groupby(month, sort=True)[CHART_COLUMNS[1:]].sum(min_count=1)
    monthly["buckets_in_month"] = month_coverage(chart.period, bucket).set_index("month").buckets_in_month
    for series in PARTIAL_SERIES:
        covered = month_coverage(chart.period[chart[series].notna()], bucket).set_index("month")
        monthly[f"{series}_buckets"] = covered.buckets.reindex(monthly.index, fill_value=0)
        monthly[f"{series}_partial"] = covered.partial.reindex(monthly.index, fill_value=False).astype(bool)
    months = monthly.reset_index()[MONTH_COLUMNS]
    return months.assign(band=chart.band.iloc[0]) if "band" in chart and len(chart) else months


def override_grid(uow: UnitOfWork, version_id: int, node: Node, grid_level: str) -> pd.DataFrame:
    """One row per item at `grid_level` under the node and per period: statistical, consensus,
    override (the current consensus where an override exists), reason_code, comment, the last
    author and the lock token the save checks."""
    if grid_level not in OVERRIDE_LEVELS:
        raise InvalidInput(f"overrides are made per {', '.join(OVERRIDE_LEVELS)}, not {grid_level!r}")
    with uow:
        hierarchy = uow.demand.hierarchy()
        skus = node.skus(hierarchy)
        plan = uow.demand_plans.frame([version_id], skus)
    plan = plan.assign(item=plan[grid_level], overridden=plan.override.notna())
    plan = plan.sort_values(["item", "period", "sku"])
    grid = plan.groupby(["item", "period"], sort=True).agg(
        statistical=("statistical", "sum"), consensus=("consensus", "sum"), overridden=("overridden", "any"),
        reason_code=("reason_code", "first"), comment=("comment", "first"), author=("author", "last"),
        row_versions=("row_version", list)).reset_index()
    grid["override"] = grid.consensus.where(grid.overridden)
    grid["token"] = grid.row_versions.map(row_token)
    return grid[["item", "period", "statistical", "override", "consensus", "reason_code", "comment", "author",
                 "token"]]


def grid_levels(node: Node) -> list[str]:
    """The levels a planner may override at under a node: the node's own and every level below."""
    depth = LEVELS.index(check_level(node.level))
    return [level for level in OVERRIDE_LEVELS if LEVELS.index(level) >= depth]


def grid_edits(loaded: pd.DataFrame, edited: pd.DataFrame, grid_level: str) -> list[OverrideEdit]:
    """The cells a planner changed in the override grid, as edits carrying what they loaded."""
    changed = changed_rows(loaded, edited, ["override", "reason_code", "comment"])
    return [OverrideEdit(
        level=grid_level, key=str(r.item), period=pd.Timestamp(r.period).date(),
        value=None if _blank(r.override) else float(r.override),
        reason_code=None if _blank(r.reason_code) else str(r.reason_code),
        comment="" if _blank(r.comment) else str(r.comment),
        seen_token=str(r.token), seen_consensus=float(r.consensus))  # token and consensus are not editable
        for r in changed.itertuples(index=False)]


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value == "" or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class PlanTotals:
    """The few numbers above the chart: the plan over its periods, and against last cycle's plan
    over the planning buckets both cover (comparing different spans would say nothing: a month
    holding one week of this plan against a whole month of last cycle's read -42% where the
    weeks both plans cover read +6%)."""

    statistical: float
    consensus: float
    shared_periods: int  # planning buckets this plan and last cycle's both cover
    consensus_shared: float
    last_cycle_shared: float
    bucket: str = "week"
    shared_from: date | None = None  # the first and last of those buckets
    shared_to: date | None = None

    @property
    def override_change(self) -> float:
        return self.consensus / self.statistical - 1 if self.statistical else 0.0

    @property
    def change_vs_last_cycle(self) -> float | None:
        if not self.shared_periods or not self.last_cycle_shared:
            return None
        return self.consensus_shared / self.last_cycle_shared - 1

    @property
    def shared_span(self) -> str:
        """The span compared, in words: "13 shared weeks, 2027-01-04 to 2027-03-29"."""
        if not self.shared_periods or self.shared_from is None or self.shared_to is None:
            return f"no shared {self.bucket}s"
        count = f"{self.shared_periods} shared {self.bucket}{'' if self.shared_periods == 1 else 's'}"
        if self.shared_from == self.shared_to:
            return f"{count}, {self.shared_from:%Y-%m-%d}"
        return f"{count}, {self.shared_from:%Y-%m-%d} to {self.shared_to:%Y-%m-%d}"


def plan_totals(chart: pd.DataFrame) -> PlanTotals:
    """PlanTotals of a chart of planning buckets (`demand_chart(..., bucket="week")`), whichever view
    the screen shows, so the weekly and the monthly view show the same figures. A monthly chart is
    refused: its months hold different weeks of each plan."""
    if "buckets_in_month" in chart.columns:
        raise InvalidInput("plan totals are taken over the planning buckets: pass the weekly chart, not the monthly")
    planned = chart[chart.consensus.notna()]
    both = planned[planned.last_cycle.notna()]
    return PlanTotals(float(planned.statistical.sum()), float(planned.consensus.sum()), len(both),
                      float(both.consensus.sum()), float(both.last_cycle.sum()), bucket_of(chart.period),
                      both.period.min().date() if len(both) else None,
                      both.period.max().date() if len(both) else None)


def split_preview(uow: UnitOfWork, version_id: int, level: str, key: str, period: date,
                  value: float) -> pd.DataFrame:
    """How a family or category override would land on its SKUs: sku, statistical, share, new consensus."""
    with uow:
        hierarchy = uow.demand.hierarchy()
        skus = Node(level, key).skus(hierarchy)
        plan = uow.demand_plans.frame([version_id], skus)
    rows = plan[plan.period == pd.Timestamp(period)].set_index("sku")
    shares = split_proportionally(float(value), rows.statistical)
    return pd.DataFrame({"sku": shares.index, "statistical": rows.statistical.reindex(shares.index).to_numpy(),
                         "share": (shares / value).fillna(0.0).to_numpy() if value else 0.0,
                         "new_consensus": shares.to_numpy()})


def lag_frame(uow: UnitOfWork, skus: list[str] | None = None) -> pd.DataFrame:
    """Approved versions joined with the actuals that have arrived since: version_id, sku, family,
    category, period, lag (1 = first planned bucket), actual, naive (last actual before the plan),
    statistical, consensus. Approved plans are never changed, so they are the lag snapshots."""
    with uow:
        versions = uow.plans.listing(KIND)
        approved = versions[versions.status == PlanStatus.APPROVED].id.tolist()
        hierarchy = uow.demand.hierarchy()
        wanted = skus if skus is not None else sorted(hierarchy.sku)
        plans = uow.demand_plans.frame(approved, wanted) if approved else pd.DataFrame()
        history = uow.demand.history(wanted) if approved else pd.DataFrame()
    columns = ["version_id", "sku", "family", "category", "period", "lag", "actual", "naive", "statistical",
               "consensus"]
    if plans.empty:
        return pd.DataFrame(columns=columns)
    plans = plans.assign(lag=plans.groupby("version_id").period.rank(method="dense").astype(int))
    actual = history.rename(columns={"unique_id": "sku", "ds": "period", "y": "actual"})[["sku", "period", "actual"]]
    first = plans.groupby("version_id").period.min().rename("first_period")
    before = plans[["version_id", "sku"]].drop_duplicates().join(first, on="version_id").merge(actual, on="sku")
    before = before[before.period < before.first_period].sort_values("period")
    naive = before.groupby(["version_id", "sku"]).actual.last().rename("naive")
    frame = plans.merge(actual, on=["sku", "period"], how="inner").join(naive, on=["version_id", "sku"])
    return frame.dropna(subset=["actual", "naive"])[columns].reset_index(drop=True)


@dataclass
class AccuracyPanel:
    by_lag: pd.DataFrame  # accuracy.accuracy_by_lag at the chosen level
    value_added: pd.DataFrame  # step, wape, fva
    flagged: pd.DataFrame  # accuracy.flag_skus
    lags: list[int]


def accuracy_panel(uow: UnitOfWork, node: Node, level: str = "sku", lag: int | None = None,
                   shortest_if_unknown: bool = False) -> AccuracyPanel:
    """Accuracy of approved plans for the SKUs under a node: per `level` and lag, FVA, flags.

    `lag` None means every lag, unless `shortest_if_unknown`: then a lag the plans do not have
    (or None) means the shortest one they have, so a screen needs one call, not one for the
    lags and one for the panel (each reads the history).
    """
    with uow:
        skus = node.skus(uow.demand.hierarchy())
    frame = lag_frame(uow, skus)
    if frame.empty:
        empty = pd.DataFrame()
        return AccuracyPanel(empty, empty, empty, [])
    lags = sorted(int(v) for v in np.unique(frame.lag))
    if shortest_if_unknown and lag not in lags:
        lag = lags[0]
    chosen = frame if lag is None else frame[frame.lag == lag]
    if chosen.empty:
        return AccuracyPanel(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), lags)
    return AccuracyPanel(accuracy.accuracy_by_lag(chosen, level), accuracy.value_added(frame, lag),
                         accuracy.flag_skus(frame, lag), lags)


def plan_export(uow: UnitOfWork, version_id: int, file_type: str) -> tuple[bytes, str]:
    """The demand plan as CSV or XLSX and a file name (plan_versions.export_plan)."""
    return export_plan(uow, KIND, version_id, file_type)
