"""What-if scenarios: levers on top of a loaded plan, evaluated in one vectorised pass.

A scenario is a named set of levers over a consensus plan and its supply plan (PlanData):
demand change (total, per category, per family), price change, unit cost change, capacity
change per resource, supplier lead-time change (bought SKUs), and a service-level target.
`evaluate(data, levers)` is a pure function of the loaded plan, fast enough to rerun on every
slider move. How the plan responds, in the order it is computed:
1. Demand per SKU = consensus x (1 + total) x (1 + its category's change) x (1 + its family's).
2. Planned (not released) receipts follow the SKU's demand change; released orders stay.
3. Made receipts need routing hours; where a resource's load exceeds its (changed) capacity in
   a period, the made receipts loaded on it are cut to what fits (the tightest resource of a
   SKU decides), so a capacity cut can cost sales and a new shift can win them back.
4. Sales are lost, not backordered, when stock runs out: sold = min(demand, stock + receipts).
   Fill rate = sold / demand; revenue and margin are earned on sold units.
5. Safety stock (normal, with lead-time variability) is recomputed for the service level and
   the lead times of the scenario; its value is at the scenario's unit cost.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.hierarchy import GROUP_LEVELS
from genxsop_core.inventory import formulas as inventory
from genxsop_core.inventory.policy import lead_time_demand_rate, lead_time_periods
from genxsop_core.plans.data import PlanData

SUMMARY_LABELS: dict[str, str] = {
    "revenue": "Revenue", "margin": "Gross margin", "margin_pct": "Gross margin %", "fill_rate": "Fill rate",
    "lost_units": "Lost sales, units", "stockout_skus": "SKUs stocking out",
    "inventory_value_avg": "Average inventory value", "inventory_value_end": "Inventory value at the end",
    "safety_stock_value": "Safety stock value", "utilization_avg": "Average utilization",
    "utilization_peak": "Peak utilization", "overloads": "Overloaded resource-periods",
}
HIGHER_IS_BETTER: dict[str, bool] = {
    "revenue": True, "margin": True, "margin_pct": True, "fill_rate": True, "lost_units": False,
    "stockout_skus": False, "inventory_value_avg": False, "inventory_value_end": False,
    "safety_stock_value": False, "utilization_avg": False, "utilization_peak": False, "overloads": False,
}


@dataclass(frozen=True)
class Levers:
    """Changes are fractions (-0.10 = 10% less); lead time in days; None keeps each SKU's target."""

    demand_change: float = 0.0
    demand_change_by_group: dict[str, float] = field(default_factory=dict)  # "category:X" / "family:Y"
    price_change: float = 0.0
    unit_cost_change: float = 0.0
    capacity_change: dict[str, float] = field(default_factory=dict)  # resource -> change
    lead_time_change_days: float = 0.0  # bought SKUs
    service_level: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Levers:
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise InvalidInput(f"unknown lever(s) {', '.join(sorted(unknown))}; levers are {', '.join(sorted(known))}")
        return cls(**values)


@dataclass(frozen=True)
class ScenarioResult:
    summary: dict[str, float]
    by_period: pd.DataFrame  # period, demand, sold, receipts, revenue, margin, inventory_value
    capacity: pd.DataFrame  # resource, period, load_hours, capacity_hours, utilization


def _check(levers: Levers, data: PlanData) -> None:
    changes = {"demand_change": levers.demand_change, "price_change": levers.price_change,
               "unit_cost_change": levers.unit_cost_change,
               **{f"demand change of {k}": v for k, v in levers.demand_change_by_group.items()},
               **{f"capacity change of {k}": v for k, v in levers.capacity_change.items()}}
    problems = [f"{name} must be a fraction above -1 (-0.1 = 10% less), got {value!r}"
                for name, value in changes.items() if not np.isfinite(value) or value <= -1]
    groups = {f"{level}:{key}" for level in GROUP_LEVELS for key in data.products[level].unique()}
    problems += [f"no {g.replace(':', ' ')} in the plan" for g in levers.demand_change_by_group if g not in groups]
    resources = set(data.resources.resource)
    problems += [f"no resource {r} in the plan" for r in levers.capacity_change if r not in resources]
    if levers.service_level is not None and not 0 < levers.service_level < 1:
        problems.append(f"service level must be strictly between 0 and 1, got {levers.service_level!r}")
    if not np.isfinite(levers.lead_time_change_days):
        problems.append(f"lead time change must be a number of days, got {levers.lead_time_change_days!r}")
    if problems:
        raise InvalidInput("; ".join(problems))


def demand_factor(data: PlanData, levers: Levers) -> np.ndarray:
    """(n,) multiplier of each SKU's consensus demand."""
    factor = np.full(len(data.skus), 1.0 + levers.demand_change)
    for group, change in levers.demand_change_by_group.items():
        level, key = group.split(":", 1)
        factor *= np.where(data.products[level].to_numpy() == key, 1.0 + change, 1.0)
    return factor


def _capacity_cut(data: PlanData, made: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Made receipts cut to what each resource can load per period; returns (receipts, the load
    the uncut receipts need (r, T), which is what utilization and overloads report).

    Released (firm) orders are never cut: they load their resources first, and the planned
    receipts share what is left (the tightest resource of a SKU decides its cut).
    """
    firm = np.where(data.firm, made, 0.0)
    planned = made - firm
    firm_load = np.einsum("it,ir->rt", firm, data.hours)
    planned_load = np.einsum("it,ir->rt", planned, data.hours)
    if data.hours.shape[1] == 0:  # a company that buys everything: nothing to cut
        return made, firm_load
    room = np.maximum(capacity[:, None] - firm_load, 0.0)
    fits = np.where(planned_load > room, room / np.where(planned_load > 0, planned_load, 1.0), 1.0)
    routed = data.hours > 0  # (n, r)
    worst = np.where(routed[:, :, None], fits[None, :, :], 1.0).min(axis=1)  # (n, T)
    return firm + planned * worst, firm_load + planned_load


def scenario_capacity(data: PlanData, levers: Levers) -> np.ndarray:
    """(r,) hours per period of each resource with the capacity levers applied."""
    return data.resources.capacity_hours.to_numpy(dtype=float) * np.array(
        [1.0 + levers.capacity_change.get(r, 0.0) for r in data.resources.resource])


def _feasible_receipts(data: PlanData, factor: np.ndarray, capacity_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Receipts that follow the demand change (released orders stay), made ones cut to capacity;
    and the load (r, T) the uncut made receipts need."""
    receipts = np.where(data.firm, data.receipts, data.receipts * factor[:, None])
    made, load = _capacity_cut(data, np.where(data.make, receipts, 0.0), capacity_hours)
    return np.where(data.make, made, receipts), load


def scenario_receipts(data: PlanData, levers: Levers) -> np.ndarray:
    """(n, T) receipts the scenario plans (steps 2 and 3 of the module doc): what a promoted
    scenario writes into its supply plan."""
    _check(levers, data)
    return _feasible_receipts(data, demand_factor(data, levers), scenario_capacity(data, levers))[0]


def _lost_sales(on_hand: np.ndarray, receipts: np.ndarray, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sold units and end-of-period stock per SKU and period when unmet demand is lost."""
    sold = np.empty_like(demand)
    stock = np.empty_like(demand)
    level = np.maximum(on_hand, 0.0)
    for t in range(demand.shape[1]):
        available = level + receipts[:, t]
        sold[:, t] = np.minimum(demand[:, t], available)
        level = available - sold[:, t]
        stock[:, t] = level
    return sold, stock


def _or_nan(reduce, values: np.ndarray) -> float:  # noqa: ANN001 - a numpy reduction
    """A nan-ignoring reduction that is nan (not an error) when there is nothing to reduce."""
    known = values[~np.isnan(values)]
    return float(reduce(known)) if known.size else float("nan")


def evaluate(data: PlanData, levers: Levers | None = None) -> ScenarioResult:
    """Everything the meeting looks at, for the plan with the levers applied (see module doc)."""
    levers = levers or Levers()
    _check(levers, data)
    factor = demand_factor(data, levers)
    demand = data.consensus * factor[:, None]
    capacity_hours = scenario_capacity(data, levers)
    receipts, load = _feasible_receipts(data, factor, capacity_hours)
    sold, stock = _lost_sales(data.on_hand, receipts, demand)
    price = data.column("unit_price") * (1 + levers.price_change)
    cost = data.column("unit_cost") * (1 + levers.unit_cost_change)
    revenue, margin = sold * price[:, None], sold * (price - cost)[:, None]
    value = stock * cost[:, None]
    lead_time, lead_time_std = lead_time_periods(data)
    bought = ~data.make.any(axis=1)
    lead_time = np.maximum(lead_time + np.where(bought, levers.lead_time_change_days / data.bucket_days, 0.0), 0.0)
    service_level = data.column("service_level_target") if levers.service_level is None else \
        np.full(len(data.skus), levers.service_level)
    rate = lead_time_demand_rate(data, lead_time) * factor
    safety = inventory.safety_stock(rate, data.error_std * factor, lead_time, service_level, lead_time_std)
    utilization = load / np.where(capacity_hours > 0, capacity_hours, np.nan)[:, None]
    total_demand, total_revenue = demand.sum(), revenue.sum()
    summary = {
        "revenue": float(total_revenue), "margin": float(margin.sum()),
        "margin_pct": float(margin.sum() / total_revenue) if total_revenue else float("nan"),
        "fill_rate": float(sold.sum() / total_demand) if total_demand else float("nan"),
        "lost_units": float(total_demand - sold.sum()),
        "stockout_skus": int(((demand - sold) > 1e-9).any(axis=1).sum()),
        "inventory_value_avg": float(value.sum(0).mean()), "inventory_value_end": float(value[:, -1].sum()),
        "safety_stock_value": float((np.asarray(safety) * cost).sum()),
        "utilization_avg": _or_nan(np.nanmean, utilization), "utilization_peak": _or_nan(np.nanmax, utilization),
        "overloads": int((utilization > 1 + 1e-9).sum()),
    }
    by_period = pd.DataFrame({"period": data.periods, "demand": demand.sum(0), "sold": sold.sum(0),
                              "receipts": receipts.sum(0), "revenue": revenue.sum(0), "margin": margin.sum(0),
                              "inventory_value": value.sum(0)})
    capacity = pd.DataFrame({"resource": np.repeat(data.resources.resource.to_numpy(), len(data.periods)),
                             "period": np.tile(data.periods, len(data.resources)),
                             "load_hours": load.ravel(), "capacity_hours": np.repeat(capacity_hours, len(data.periods)),
                             "utilization": utilization.ravel()})
    return ScenarioResult(summary, by_period, capacity)
