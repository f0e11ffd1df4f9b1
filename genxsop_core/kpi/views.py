"""What the KPI page and the dashboard read: the scorecard per month for a node of the product
hierarchy, the summary tiles against their targets, and the drill-down to a node's children.
Reads only; the formulas are in `kpis`, `metrics`, `accuracy` and `inventory`.

Months are calendar months; a weekly bucket counts in the month it starts in. A month is
complete once the data runs past its last bucket. Per month, for the SKUs under the node:
- service: fill rate and OTIF from the units ordered, shipped, and shipped on time in full.
- money: revenue = ordered units x unit price (what customers asked for, so it compares with
  the demand plan, which plans orders); COGS = shipped units x unit cost; gross margin on what
  was shipped: (shipped units x unit price - COGS) / (shipped units x unit price).
- inventory, in money so SKUs of any unit add up: the month's value is the mean over its stock
  counts of on hand x unit cost; turns = COGS x (365.25 / days the month's buckets cover) /
  inventory value; days of supply = inventory value / COGS per day.
- capacity: hours the shipped units need (x routing hours per unit) on the resources the node's
  SKUs are made on, loaded by everything made there (a line is as busy as all its products
  make it), / their capacity hours per bucket x buckets in the month. Bought-in nodes: nan.
- the month's plan: the approved consensus version whose first planned bucket falls in the
  month (lag 1 in months; the newest version if two do), scored on its buckets of that month
  with the actuals of `lag_frame`: WAPE, MAPE and bias over SKU x bucket rows, FVA of the
  consensus over the statistical forecast, revenue and margin (ordered units) vs plan on the
  same rows. The tracking signal runs bucket by bucket over the node's errors across all
  planned months and is reported at each month's last bucket. Months without one: nan.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genxsop_core import metrics
from genxsop_core.demand import accuracy
from genxsop_core.demand.views import lag_frame
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.hierarchy import Level, Node, child_level
from genxsop_core.inventory import formulas as inventory
from genxsop_core.kpi import formulas as kpis
from genxsop_core.kpi.formulas import KPIS
from genxsop_core.kpi.targets import list_targets, target_for, with_defaults
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.supply import capacity

DAYS_PER_YEAR = 365.25
MONTHLY_COLUMNS = ["month", "complete", "ordered_units", "shipped_units", "revenue", "cogs", "gross_margin",
                   "inventory_value", *KPIS]
SUMMARY_COLUMNS = ["kpi", "label", "unit", "higher_is_better", "month", "latest", "previous", "trend", "target",
                   "green", "amber", "status", "target_level"]
CHILD_COLUMNS = ["level", "key", "name", "month", "value", "target", "green", "amber", "higher_is_better", "status",
                 "target_level"]
_PLAN_KPIS = ["wape", "mape", "bias", "fva", "revenue_vs_plan", "margin_vs_plan"]
_DEMAND_SUMS = ["ordered", "shipped", "on_time_in_full", "revenue", "shipped_revenue", "cogs"]


@dataclass(frozen=True)
class KpiData:
    """Everything the scorecard is computed from, read once (one query per table)."""

    products: pd.DataFrame  # sku, name, category, family, unit_cost, unit_price
    demand: pd.DataFrame  # sku, period, month, ordered, shipped, on_time_in_full
    calendar: pd.DataFrame  # index month: buckets, days (covered by the buckets), complete
    snapshots: pd.DataFrame  # sku, snapshot_date, month, on_hand
    resources: pd.DataFrame  # resource, name, capacity_hours (per bucket), cost_per_hour
    routings: pd.DataFrame  # sku, resource, hours_per_unit
    load: pd.DataFrame  # index month, one column per resource: hours the shipped units needed
    plans: pd.DataFrame  # lag_frame rows of each month's own plan, with month, unit_price, unit_cost
    targets: pd.DataFrame  # kpi_targets.with_defaults(list_targets)


def load_kpi_data(uow: UnitOfWork) -> KpiData:
    """Read what the scorecard needs; compute any node with `compute_monthly` without reading again."""
    with uow:
        products = uow.products.master()[["sku", "name", "category", "family", "unit_cost", "unit_price"]]
        demand = uow.demand.service()
        snapshots = uow.inventory.snapshots()
        resources, routings = uow.resources.frame(), uow.resources.routings()
    targets = with_defaults(list_targets(uow))
    lags = lag_frame(uow)
    demand = demand.assign(period=pd.to_datetime(demand.period))
    demand = demand.assign(month=_month(demand.period))
    snapshots = snapshots.assign(snapshot_date=pd.to_datetime(snapshots.snapshot_date))
    snapshots = snapshots.assign(month=_month(snapshots.snapshot_date))
    calendar = _calendar(demand.period)
    load = _shipped_load(demand, routings, calendar)
    return KpiData(products, demand, calendar, snapshots, resources, routings, load, _month_plans(lags, products),
                   targets)


def monthly_kpis(uow: UnitOfWork, level: str = "total", key: str = "") -> pd.DataFrame:
    """One row per month (MONTHLY_COLUMNS: month, complete, the money columns, one column per KPI)."""
    data = load_kpi_data(uow)
    return compute_monthly(data, Node(level, key).skus(data.products))


def kpi_summary(uow: UnitOfWork, level: str = "total", key: str = "") -> pd.DataFrame:
    """`summary_of` the freshly loaded scorecard data."""
    return summary_of(load_kpi_data(uow), level, key)


def summary_of(data: KpiData, level: str = "total", key: str = "") -> pd.DataFrame:
    """One row per KPI (SUMMARY_COLUMNS): its latest value, the month before, the trend, the target
    that applies (`target_for`; "default" = the built-in one while none is stored) and the status.

    Latest = the last complete month with a value for that KPI (`month` says which: accuracy
    exists only for planned months, inventory only for months with a stock count).
    """
    monthly = compute_monthly(data, Node(level, key).skus(data.products)).set_index("month")
    parents = _parents(data.products, level, key)
    rows = []
    for kpi, spec in KPIS.items():
        month, latest, previous = _latest(monthly, kpi)
        found = target_for(data.targets, kpi, level, key, parents)
        rows.append({"kpi": kpi, "label": spec.label, "unit": spec.unit, "month": month, "latest": latest,
                     "previous": previous, "trend": latest - previous, **_target_columns(found, kpi),
                     "status": kpis.rag_status(latest, found, kpi)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def kpi_by_children(uow: UnitOfWork, kpi: str, level: str, key: str = "") -> pd.DataFrame:
    """`children_of` the freshly loaded scorecard data."""
    return children_of(load_kpi_data(uow), kpi, level, key)


def children_of(data: KpiData, kpi: str, level: str, key: str = "") -> pd.DataFrame:
    """The drill-down (CHILD_COLUMNS): a KPI for each child of the node (total -> categories,
    category -> families, family -> SKUs) in the month the node's own tile shows, with the
    target that applies to each child and its status. A SKU has no children: no rows."""
    if kpi not in KPIS:
        raise InvalidInput(f"unknown KPI {kpi!r}; choose one of {', '.join(KPIS)}")
    skus = Node(level, key).skus(data.products)
    below = child_level(level)
    if below is None:
        return pd.DataFrame(columns=CHILD_COLUMNS)
    month, _, _ = _latest(compute_monthly(data, skus).set_index("month"), kpi)
    under = data.products[data.products.sku.isin(skus)]
    rows = []
    for child, members in under.groupby(below, sort=True):
        values = compute_monthly(data, members.sku).set_index("month")[kpi]
        value = np.nan if month is None else float(values.get(month, np.nan))
        found = target_for(data.targets, kpi, below, child, members.iloc[0])
        rows.append({"level": str(below), "key": child,
                     "name": members.name.iloc[0] if below is Level.SKU else child, "month": month,
                     "value": value, **_target_columns(found, kpi), "status": kpis.rag_status(value, found, kpi)})
    return pd.DataFrame(rows, columns=CHILD_COLUMNS)


def compute_monthly(data: KpiData, skus: Iterable[str]) -> pd.DataFrame:
    """The pure part of `monthly_kpis`: the scorecard of the given SKUs from already loaded data."""
    chosen = set(skus)
    months = data.calendar
    costs = data.products[["sku", "unit_price", "unit_cost"]]
    demand = data.demand[data.demand.sku.isin(chosen)].merge(costs, on="sku")
    demand = demand.assign(revenue=demand.ordered * demand.unit_price,
                           shipped_revenue=demand.shipped * demand.unit_price, cogs=demand.shipped * demand.unit_cost)
    sums = demand.groupby("month")[_DEMAND_SUMS].sum().reindex(months.index, fill_value=0.0).astype(float)
    value = _inventory_value(data, chosen, costs)
    frame = pd.DataFrame({
        "complete": months.complete, "ordered_units": sums.ordered, "shipped_units": sums.shipped,
        "revenue": sums.revenue, "cogs": sums.cogs,
        "gross_margin": _each(kpis.gross_margin, sums.shipped_revenue, sums.cogs),
        "inventory_value": value, "fill_rate": _each(kpis.fill_rate, sums.shipped, sums.ordered),
        "otif": _each(kpis.otif, sums.on_time_in_full, sums.ordered),
        "inventory_turns": _each(lambda cogs, stock, days: kpis.inventory_turns(cogs, stock, DAYS_PER_YEAR / days),
                                 sums.cogs, value, months.days),
        "days_of_supply": _days_of_supply(value, sums.cogs / months.days),
        "capacity_utilization": _capacity_utilization(data, chosen),
        "tracking_signal": np.nan}, index=months.index)
    plans = data.plans[data.plans.sku.isin(chosen)]
    if not plans.empty:
        scored = {month: _plan_kpis(rows) for month, rows in plans.groupby("month")}
        frame = frame.join(pd.DataFrame.from_dict(scored, orient="index"))
        frame["tracking_signal"] = _tracking_signal(plans).reindex(months.index)
    return frame.reindex(columns=MONTHLY_COLUMNS[1:]).rename_axis("month").reset_index()


def _month(days: pd.Series) -> pd.Series:
    return days.dt.to_period("M").dt.to_timestamp()


def _calendar(periods: pd.Series) -> pd.DataFrame:
    """Per month: the buckets that start in it, the days they cover, and whether it is complete.

    The bucket is read from the data: monthly when every bucket starts on the 1st, a month
    apart; otherwise weekly (7 days).
    """
    buckets = pd.Series(np.sort(periods.unique()), dtype="datetime64[ns]")
    gaps = buckets.diff().dropna()
    monthly = len(buckets) > 1 and bool((buckets.dt.day == 1).all()) and gaps.min() >= pd.Timedelta(days=28)
    days = buckets.dt.days_in_month if monthly else pd.Series(7, index=buckets.index)
    calendar = pd.DataFrame({"month": _month(buckets), "days": days}).groupby("month").agg(
        buckets=("days", "size"), days=("days", "sum"))
    if buckets.empty:
        return calendar.assign(complete=pd.Series(dtype=bool))
    after_last = (buckets.iloc[-1] + pd.Timedelta(days=int(days.iloc[-1]))).to_period("M").to_timestamp()
    return calendar.assign(complete=calendar.index < after_last)


def _month_plans(lags: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """The rows of each month's own plan: the version whose first planned bucket is in the month."""
    costs = products[["sku", "unit_price", "unit_cost"]]
    if lags.empty:
        return lags.assign(month=pd.Series(dtype="datetime64[ns]")).merge(costs, on="sku")
    lags = lags.assign(month=_month(lags.period))
    first_month = _month(lags.groupby("version_id").period.transform("min"))
    own = lags[lags.month == first_month]
    own = own[own.version_id == own.groupby("month").version_id.transform("max")]
    return own.merge(costs, on="sku", how="left")


def _each(kpi: Callable[..., float], *columns: pd.Series) -> pd.Series:
    """A KPI per month from the month's totals (the KPI functions take totals or rows alike)."""
    return pd.Series([kpi(*values) for values in zip(*columns)], index=columns[0].index, dtype=float)


def _inventory_value(data: KpiData, chosen: set[str], costs: pd.DataFrame) -> pd.Series:
    """Mean over each month's stock counts of the value on hand (a SKU not counted holds 0)."""
    counts = data.snapshots[["snapshot_date", "month"]].drop_duplicates().set_index("snapshot_date").month
    stock = data.snapshots[data.snapshots.sku.isin(chosen)].merge(costs, on="sku")
    stock = stock.assign(value=inventory.inventory_value(stock.on_hand.to_numpy(float),
                                                         stock.unit_cost.to_numpy(float)))
    per_count = stock.groupby("snapshot_date").value.sum().reindex(counts.index, fill_value=0.0)
    return per_count.groupby(counts).mean().reindex(data.calendar.index)


def _days_of_supply(value: pd.Series, cogs_per_day: pd.Series) -> pd.Series:
    counted = value.notna()
    days = pd.Series(np.nan, index=value.index)
    if counted.any():
        days[counted] = inventory.days_of_supply(value[counted].to_numpy(), cogs_per_day[counted].to_numpy())
    return days


def _shipped_load(demand: pd.DataFrame, routings: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """Hours per resource and month the shipped units of every made SKU needed (capacity.resource_load)."""
    load = capacity.resource_load(demand[["sku", "period"]].assign(units=demand.shipped), routings)
    load = load.assign(month=_month(pd.to_datetime(load.period)))
    return load.pivot_table(index="month", columns="resource", values="load_hours", aggfunc="sum", fill_value=0.0) \
        .reindex(calendar.index, fill_value=0.0)


def _capacity_utilization(data: KpiData, chosen: set[str]) -> pd.Series:
    """The resources the node's SKUs are made on, loaded by everything made there, against their hours."""
    lines = sorted(set(data.routings.resource[data.routings.sku.isin(chosen)]))
    if not lines:
        return pd.Series(np.nan, index=data.calendar.index)
    load = data.load.reindex(columns=lines, fill_value=0.0).sum(axis=1)
    hours = data.resources.capacity_hours[data.resources.resource.isin(lines)].sum()
    return _each(kpis.capacity_utilization, load, data.calendar.buckets * hours)


def _plan_kpis(rows: pd.DataFrame) -> dict[str, float]:
    actual, consensus = rows.actual.astype(float), rows.consensus.astype(float)
    margin = rows.unit_price - rows.unit_cost
    return {"wape": metrics.wape(actual, consensus), "mape": metrics.mape(actual, consensus),
            "bias": metrics.bias(actual, consensus), "fva": _consensus_value_added(rows),
            "revenue_vs_plan": kpis.revenue_vs_plan(actual * rows.unit_price, consensus * rows.unit_price),
            "margin_vs_plan": kpis.margin_vs_plan(actual * margin, consensus * margin)}


def _consensus_value_added(rows: pd.DataFrame) -> float:
    try:
        steps = accuracy.value_added(rows)
    except ValueError:  # no row where every step has a value: nothing to compare
        return np.nan
    return float(steps.set_index("step").fva["consensus"])


def _tracking_signal(plans: pd.DataFrame) -> pd.Series:
    """The running tracking signal of the node's plan, bucket by bucket, at each month's last bucket."""
    by_bucket = plans.groupby("period")[["consensus", "actual"]].sum().sort_index()
    signal = pd.Series(metrics.tracking_signal((by_bucket.consensus - by_bucket.actual).to_numpy(float)),
                       index=by_bucket.index)
    return signal.groupby(_month(signal.index.to_series())).last()


def _latest(monthly: pd.DataFrame, kpi: str) -> tuple[pd.Timestamp | None, float, float]:
    """(month, value, value of the month before) of the last complete month with a value."""
    values = monthly[kpi][monthly.complete.astype(bool)].dropna()
    if values.empty:
        return None, np.nan, np.nan
    month = values.index[-1]
    return month, float(values.iloc[-1]), float(monthly[kpi].get(month - pd.DateOffset(months=1), np.nan))


def _parents(products: pd.DataFrame, level: str, key: str) -> pd.Series | None:
    """The node's row of the hierarchy (its category and family), for the target fallback."""
    if level == "total":
        return None
    rows = products[products[level] == key]
    return rows.iloc[0] if not rows.empty else None


def _target_columns(found: pd.Series | None, kpi: str) -> dict[str, Any]:
    """The target's numbers, its direction (the KPI's own without a target) and where it came from."""
    if found is None:
        return {"target": np.nan, "green": np.nan, "amber": np.nan, "higher_is_better": KPIS[kpi].higher_is_better,
                "target_level": "none"}
    source = "default" if found.get("source") == "default" else found.level
    return {"target": float(found.target), "green": float(found.green), "amber": float(found.amber),
            "higher_is_better": bool(found.higher_is_better), "target_level": source}
