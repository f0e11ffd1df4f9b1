"""The S&OP scorecard: KPI formulas, what each KPI means, and how a value is judged against its target.

Every KPI here is a ratio of totals (docs/formulas.md, KPIs): array inputs are summed first, so
passing the SKU rows of a month gives the month's portfolio figure, volume weighted, and a
big SKU counts more than a small one. Pairs where either side is NaN are dropped (not
measured); a zero or missing denominator gives nan, never an error, so an empty month shows
as "no value" instead of stopping the dashboard. Fractions: 0.97 means 97%.

Forecast accuracy (WAPE, MAPE), bias, tracking signal and FVA are computed by
`genxsop_core.metrics` and `genxsop_core.demand.accuracy`; this module only adds how planners report
them (`forecast_accuracy`) and how they are judged (bias and tracking signal on |value|).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from genxsop_core import metrics

UNITS: tuple[str, ...] = ("percent", "ratio", "days", "currency")
STATUSES: tuple[str, ...] = ("green", "amber", "red", "none")


@dataclass(frozen=True)
class KpiSpec:
    """What a KPI is: its label, how to show it, which way is good, and its definition in one line."""

    label: str
    unit: str  # one of UNITS; "percent" values are fractions (0.97 = 97%)
    higher_is_better: bool
    definition: str
    area: str  # demand | service | inventory | supply | finance: how the page groups the tiles
    absolute: bool = False  # judged on |value|: a bias of -8% is as bad as +8%


KPIS: dict[str, KpiSpec] = {
    "wape": KpiSpec("Forecast error (WAPE)", "percent", False,
                    "sum|consensus - actual| / sum actual over SKU x week rows of the month's plan", "demand"),
    "mape": KpiSpec("Forecast error (MAPE)", "percent", False,
                    "mean of |consensus - actual| / actual over SKU x week rows with demand", "demand"),
    "bias": KpiSpec("Forecast bias", "percent", False,
                    "sum(consensus - actual) / sum actual; positive = over-forecast", "demand", absolute=True),
    "tracking_signal": KpiSpec("Tracking signal", "ratio", False,
                               "running sum of errors / MAD of the consensus plan; |TS| > 4 = persistent bias",
                               "demand", absolute=True),
    "fva": KpiSpec("Forecast value added", "percent", True,
                   "WAPE of the statistical forecast - WAPE of the consensus: what the overrides added", "demand"),
    "fill_rate": KpiSpec("Fill rate", "percent", True, "units shipped / units ordered", "service"),
    "otif": KpiSpec("On time in full", "percent", True, "units shipped on time and in full / units ordered",
                    "service"),
    "inventory_turns": KpiSpec("Inventory turns", "ratio", True,
                               "annualised cost of goods sold / average inventory value", "inventory"),
    "days_of_supply": KpiSpec("Days of supply", "days", False,
                              "average inventory value / cost of goods sold per day", "inventory"),
    "capacity_utilization": KpiSpec("Capacity utilisation", "percent", False,
                                    "hours the shipped units needed / hours available on their resources", "supply"),
    "revenue_vs_plan": KpiSpec("Revenue vs plan", "percent", True,
                               "ordered revenue / revenue of the approved consensus plan - 1", "finance"),
    "margin_vs_plan": KpiSpec("Margin vs plan", "percent", True,
                              "gross margin of the orders / gross margin of the approved consensus plan - 1",
                              "finance"),
}


@dataclass(frozen=True)
class TargetSpec:
    """A target and its RAG thresholds; the same fields as the kpi_target table (a KpiTarget-like)."""

    target: float
    green: float
    amber: float
    higher_is_better: bool


DEFAULT_TARGETS: dict[str, TargetSpec] = {
    "wape": TargetSpec(0.25, 0.25, 0.35, False),
    "mape": TargetSpec(0.30, 0.30, 0.45, False),
    "bias": TargetSpec(0.05, 0.05, 0.10, False),  # on |bias|
    "tracking_signal": TargetSpec(metrics.TRACKING_SIGNAL_LIMIT, metrics.TRACKING_SIGNAL_LIMIT, 6.0, False),  # |TS|
    "fva": TargetSpec(0.0, 0.0, -0.02, True),
    "fill_rate": TargetSpec(0.97, 0.97, 0.93, True),
    "otif": TargetSpec(0.95, 0.95, 0.90, True),
    "inventory_turns": TargetSpec(8.0, 8.0, 6.0, True),
    "days_of_supply": TargetSpec(30.0, 30.0, 45.0, False),
    "capacity_utilization": TargetSpec(0.85, 0.85, 0.95, False),
    "revenue_vs_plan": TargetSpec(0.0, -0.02, -0.05, True),
    "margin_vs_plan": TargetSpec(0.0, -0.02, -0.05, True),
}
"""Demo targets, stored at level total by `kpi_targets.seed_default_targets`."""


def _total(values: ArrayLike, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name} must be a number or a one-dimensional array, got shape {array.shape}")
    return array


def _sums(numerator: ArrayLike, denominator: ArrayLike, names: tuple[str, str]) -> tuple[float, float]:
    """Both sides summed over the pairs where neither is NaN; (nan, nan) when no pair is left."""
    top, bottom = _total(numerator, names[0]), _total(denominator, names[1])
    if len(top) != len(bottom):
        raise ValueError(f"{names[0]} has {len(top)} values but {names[1]} has {len(bottom)}; "
                         "they must be the same length")
    keep = ~(np.isnan(top) | np.isnan(bottom))
    if not keep.any():
        return np.nan, np.nan
    return float(top[keep].sum()), float(bottom[keep].sum())


def _ratio(numerator: ArrayLike, denominator: ArrayLike, names: tuple[str, str],
           positive_only: bool = False) -> float:
    top, bottom = _sums(numerator, denominator, names)
    if np.isnan(bottom) or bottom == 0 or (positive_only and bottom < 0):
        return np.nan
    return top / bottom


def fill_rate(shipped: ArrayLike, ordered: ArrayLike) -> float:
    """Fill rate = sum shipped / sum ordered (higher is better; 1.0 = every unit ordered was shipped).

    The customer's view of supply: short shipments, not lateness. nan when nothing was ordered.
    """
    return _ratio(shipped, ordered, ("shipped", "ordered"))


def otif(on_time_in_full: ArrayLike, ordered: ArrayLike) -> float:
    """OTIF = sum of units shipped on time and in full / sum ordered (higher is better).

    Stricter than fill rate: a late unit counts as a miss. nan when nothing was ordered.
    """
    return _ratio(on_time_in_full, ordered, ("on_time_in_full", "ordered"))


def inventory_turns(cogs: ArrayLike, average_inventory_value: ArrayLike, periods_per_year: float = 1.0) -> float:
    """Inventory turns = COGS x periods_per_year / average inventory value (higher is better).

    `cogs` is the cost of goods sold over one span (a month, a quarter); `periods_per_year`
    annualises it (12 for a calendar month, 365.25 / days for any span, 1 when COGS already
    covers a year), so a month's turns compare with a year's. nan without inventory.
    """
    if not math.isfinite(periods_per_year) or periods_per_year <= 0:
        raise ValueError(f"periods_per_year must be a positive number, got {periods_per_year!r}")
    return _ratio(cogs, average_inventory_value, ("cogs", "average_inventory_value"), positive_only=True) \
        * periods_per_year


def capacity_utilization(load_hours: ArrayLike, available_hours: ArrayLike) -> float:
    """Utilisation = sum(units x hours per unit) / available hours (lower is better up to the target).

    Above 1.0 the plan needs overtime or more capacity than exists. nan without capacity.
    """
    return _ratio(load_hours, available_hours, ("load_hours", "available_hours"), positive_only=True)


def revenue_vs_plan(actual_revenue: ArrayLike, planned_revenue: ArrayLike) -> float:
    """Revenue vs plan = sum actual / sum planned - 1 (higher is better; -0.03 = 3% below plan).

    nan when the plan holds no (or negative) revenue: a ratio to nothing says nothing.
    """
    return _ratio(actual_revenue, planned_revenue, ("actual_revenue", "planned_revenue"), positive_only=True) - 1


def gross_margin(revenue: ArrayLike, cost: ArrayLike) -> float:
    """Gross margin = (sum revenue - sum cost) / sum revenue, as a fraction of revenue (higher is better)."""
    total_revenue, total_cost = _sums(revenue, cost, ("revenue", "cost"))
    if np.isnan(total_revenue) or total_revenue == 0:
        return np.nan
    return (total_revenue - total_cost) / total_revenue


def margin_vs_plan(actual_margin: ArrayLike, planned_margin: ArrayLike) -> float:
    """Margin vs plan = sum actual gross margin / sum planned gross margin - 1, in money (higher is better).

    Moves with volume and with mix: selling more of the low-margin SKUs than planned shows
    here even when revenue is on plan. nan when the plan holds no (or a negative) margin.
    """
    return _ratio(actual_margin, planned_margin, ("actual_margin", "planned_margin"), positive_only=True) - 1


def forecast_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Forecast accuracy = max(0, 1 - WAPE), as planners usually quote it ("78% accurate").

    Floored at 0 because a forecast off by more than the demand is not "negative accurate".
    The scorecard judges WAPE itself (lower is better); this is for display.
    """
    error = metrics.wape(y_true, y_pred)
    return np.nan if np.isnan(error) else max(0.0, 1.0 - error)


def _field(target: Any, name: str) -> Any:
    """A field of a KpiTarget-like: an ORM row, a TargetSpec, a pandas row or a dict."""
    if isinstance(target, dict):
        return target[name]
    return getattr(target, name)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def rag_status(value: float | None, target: Any, kpi: str | None = None) -> str:
    """The traffic light of a value against a target's thresholds: green, amber, red or none.

    Higher is better: value >= green -> green, >= amber -> amber, else red; lower is better,
    mirrored: value <= green -> green, <= amber -> amber, else red (boundaries count as the
    better colour). Pass `kpi` to judge bias and tracking signal on |value|: their thresholds
    are on the size of the bias, whichever its sign. A missing value (NaN, None) or target
    gives "none"; the target value itself is the aim shown, only green and amber decide.
    """
    if target is None or value is None or _missing(value):
        return "none"
    green, amber = _field(target, "green"), _field(target, "amber")
    if _missing(green) or _missing(amber):
        return "none"
    if kpi is not None:
        if kpi not in KPIS:
            raise ValueError(f"unknown KPI {kpi!r}; choose one of {', '.join(KPIS)}")
        if KPIS[kpi].absolute:
            value = abs(value)
    if bool(_field(target, "higher_is_better")):
        return "green" if value >= green else "amber" if value >= amber else "red"
    return "green" if value <= green else "amber" if value <= amber else "red"
