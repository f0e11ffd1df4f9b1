"""What the landing dashboard reads besides the KPI tiles: the current plan, its next twelve
months (demand against supply and capacity), and where the current S&OP cycle stands. Reads only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genxsop_core.domain.periods import bucket_of, month_coverage
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData
from genxsop_core.plans.versions import get_version, version_cycle

OUTLOOK_MONTHS = 12


@dataclass(frozen=True)
class CurrentPlan:
    demand_version_id: int
    supply_version_id: int | None
    cycle_id: int
    cycle: str
    cycle_stage: str
    demand_status: str
    supply_status: str | None


def current_plan(uow: UnitOfWork) -> CurrentPlan | None:
    """The plan of the newest cycle: its demand version (not one a scenario superseded) and supply version."""
    with uow:
        versions = uow.plans.listing(PlanKind.DEMAND)
        versions = versions[(versions.status != PlanStatus.SUPERSEDED) & versions.cycle.notna()]
        if versions.empty:
            return None
        demand = versions.iloc[0]
        cycle = version_cycle(uow, get_version(uow, PlanKind.DEMAND, int(demand.id)))
        supply = uow.plans.for_cycle(PlanKind.SUPPLY, cycle.id)
        return CurrentPlan(int(demand.id), supply.id if supply else None, cycle.id, cycle.name, cycle.stage,
                           demand.status, supply.status if supply else None)


def plan_outlook(data: PlanData, months: int = OUTLOOK_MONTHS) -> pd.DataFrame:
    """Per month of the plan (at most `months`): consensus demand, planned receipts made and bought
    (units), the hours the made receipts need against the hours the resources have, the busiest
    resource's utilization, and how many of the month's weeks the plan covers (buckets of
    buckets_in_month; partial when not all: periods.month_coverage). A plan starting on the last
    Monday of a month holds one week of it, so that month's totals are not comparable with the next."""
    month = data.periods.to_period("M").to_timestamp()
    by_month = pd.Series(np.arange(len(data.periods)), index=data.periods).groupby(month.values)
    load = np.einsum("it,ir->rt", np.where(data.make, data.receipts, 0.0), data.hours)  # (r, T)
    capacity = data.resources.capacity_hours.to_numpy(dtype=float)
    rows = []
    for first_day, columns in list(by_month)[:months]:
        t = columns.to_numpy()
        hours_needed, hours_available = load[:, t].sum(1), capacity * len(t)
        rows.append({"month": first_day, "demand": data.consensus[:, t].sum(),
                     "made": (data.receipts[:, t] * data.make[:, t]).sum(),
                     "bought": (data.receipts[:, t] * ~data.make[:, t]).sum(),
                     "load_hours": hours_needed.sum(), "capacity_hours": hours_available.sum(),
                     "peak_utilization": float(np.max(hours_needed / np.where(hours_available > 0, hours_available,
                                                                              np.nan)))})
    coverage = month_coverage(data.periods, bucket_of(data.periods))
    outlook = pd.DataFrame(rows, columns=["month", "demand", "made", "bought", "load_hours", "capacity_hours",
                                          "peak_utilization"])
    return outlook.merge(coverage, on="month", how="left")


def outlook_span(outlook: pd.DataFrame) -> str:
    """The months an outlook covers, in words, naming those the plan covers in part: the chart's
    heading says "Nov 2026 to Oct 2027 (Nov 2026: 1 of 5 weeks)", not "next 12 months", when the
    first month holds one week of the plan."""
    if outlook.empty:
        return "no months planned"
    months = pd.DatetimeIndex(outlook.month)
    span = f"{months[0]:%b %Y}" + (f" to {months[-1]:%b %Y}" if len(months) > 1 else "")
    partial = outlook[outlook.get("partial", pd.Series(False, index=outlook.index)).fillna(False).astype(bool)]
    if partial.empty:
        return span
    notes = "; ".join(f"{row.month:%b %Y}: {int(row.buckets)} of {int(row.buckets_in_month)} weeks"
                      for row in partial.itertuples())
    return f"{span} ({notes})"
