"""What the supply review screen shows: supply versions, the receipts grid, rough-cut capacity
with the probability of overload, proposed receipts, and the plan export. Reads only; writes go
through genxsop_core.supply.plans.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genxsop_core.domain.states import PlanKind
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData
from genxsop_core.plans.grid_changes import changed_rows
from genxsop_core.plans.versions import export_plan, get_version
from genxsop_core.supply import capacity, replenishment
from genxsop_core.supply.plans import KIND, ReceiptEdit

GRID_MAX_SKUS = 500  # a selection beyond this (26,000 rows a year weekly) is no grid to work in
GRID_COLUMNS = ["sku", "period", "planned_receipts", "kind", "firm", "comment", "author", "row_version"]
PROPOSAL_COMMENT = "Proposed: keeps projected inventory at or above safety stock"


def list_versions(uow: UnitOfWork) -> pd.DataFrame:
    """Supply versions per cycle with the demand version they balance; newest cycle first."""
    with uow:
        versions = uow.plans.listing(KIND)
    return versions[versions.cycle.notna()]  # the working plan (imports) is not a cycle version


def supply_version_for(uow: UnitOfWork, demand_version_id: int) -> int | None:
    """The supply version of the demand version's cycle, if one exists."""
    with uow:
        demand = get_version(uow, PlanKind.DEMAND, demand_version_id)
        supply = uow.plans.for_cycle(KIND, demand.cycle_id) if demand.cycle_id is not None else None
        return None if supply is None else supply.id


def receipts_grid(uow: UnitOfWork, version_id: int, skus: list[str]) -> pd.DataFrame:
    """One row per SKU and period of the version (GRID_COLUMNS), for the editable grid."""
    with uow:
        get_version(uow, KIND, version_id)
        rows = uow.supply_plans.frame([version_id], skus)
    return rows[GRID_COLUMNS].reset_index(drop=True)


def grid_edits(loaded: pd.DataFrame, edited: pd.DataFrame) -> list[ReceiptEdit]:
    """The cells a planner changed, carrying the row version and value they loaded."""
    changed = changed_rows(loaded, edited, ["planned_receipts", "kind", "comment"])
    return [ReceiptEdit(sku=str(r.sku), period=pd.Timestamp(r.period).date(),
                        planned_receipts=float("nan") if pd.isna(r.planned_receipts) else float(r.planned_receipts),
                        kind=str(r.kind), comment="" if pd.isna(r.comment) else str(r.comment),
                        seen_row_version=int(r.row_version), seen_receipts=float(r.planned_receipts_loaded))
            for r in changed.itertuples(index=False)]


def capacity_check(data: PlanData, n_draws: int = 500) -> pd.DataFrame:
    """Rough-cut capacity per resource and period: load of the planned make receipts against
    capacity, and the probability that the load demand would need exceeds it (from the forecast
    quantiles moved to the consensus; NaN without them)."""
    check = load_check(data)
    have = ~np.isnan(data.quantiles).any(axis=(1, 2))
    probability = np.full((len(data.resources), len(data.periods)), np.nan)
    if have.any():
        probability = capacity.overload_probability(QUANTILE_LEVELS, data.quantiles[have], data.hours[have],
                                                    data.resources.capacity_hours.to_numpy(dtype=float),
                                                    n_draws=n_draws)
    chance = pd.DataFrame(probability, index=list(data.resources.resource), columns=data.periods)
    chance = chance.stack(future_stack=True).rename("overload_probability").rename_axis(["resource", "period"])
    return check.join(chance, on=["resource", "period"])


def load_check(data: PlanData) -> pd.DataFrame:
    """The deterministic part of capacity_check (capacity.rough_cut of the planned make receipts),
    without the overload probability's draws."""
    make = np.where(data.make, data.receipts, 0.0)
    plan = pd.DataFrame({"sku": np.repeat(data.skus, len(data.periods)),
                         "period": np.tile(data.periods, len(data.skus)), "units": make.ravel()})
    routings = pd.DataFrame([(sku, res, h) for i, sku in enumerate(data.skus)
                             for j, res in enumerate(data.resources.resource) if (h := data.hours[i, j]) > 0],
                            columns=["sku", "resource", "hours_per_unit"])
    load = capacity.resource_load(plan[plan.units > 0], routings)
    return capacity.rough_cut(load, data.resources, list(data.periods))


def monthly_utilization(check: pd.DataFrame) -> pd.DataFrame:
    """A capacity check added up by month (weeks count in the month they start in): resource,
    period (the month), load and capacity hours, and utilization of the month's sums, not the
    average of its weeks."""
    month = check.period.dt.to_period("M").dt.to_timestamp()
    monthly = check.assign(period=month).groupby(["resource", "period"], as_index=False).agg(
        load_hours=("load_hours", "sum"), capacity_hours=("capacity_hours", "sum"))
    return monthly.assign(utilization=monthly.load_hours / monthly.capacity_hours)


@dataclass(frozen=True)
class Proposal:
    receipts: pd.DataFrame  # sku, period, planned_receipts (now), added, proposed, row_version
    expedite: pd.DataFrame  # sku, units: backlog inside the lead time no new order can prevent
    edits: list[ReceiptEdit]
    added: np.ndarray  # (n, T) units added per SKU and period of the plan, as in PlanData.receipts


def earliest_new_receipt(data: PlanData) -> np.ndarray:
    """The first period a new order can arrive: after the lead time, and not before a released order."""
    lead_time, _ = inventory_policy.lead_time_periods(data)
    after_firm = np.where(data.firm.any(1), data.firm.shape[1] - np.argmax(data.firm[:, ::-1], axis=1), 0)
    return np.maximum(np.ceil(lead_time).astype(int), after_firm)


def propose(data: PlanData, policy: pd.DataFrame, rows: pd.DataFrame, not_before: int = 0) -> Proposal:
    """Receipts that keep projected inventory at or above safety stock, no earlier than the lead
    time allows (nor period index `not_before`).

    Bought SKUs come in whole order quantities (EOQ rounded up to MOQ lots: the (s, Q) policy);
    made SKUs in MOQ batches, so production follows demand (for a line, capacity is the constraint,
    not the order cost). Capacity is not checked and excess is not avoided: proposal_effect shows
    what applying it does to both. `policy` is inventory_policy.policy_table(data)
    (its safety stock is the target), `rows` the version's grid rows (receipts_grid over all SKUs),
    whose row versions the edits carry.
    """
    earliest = np.maximum(earliest_new_receipt(data), not_before)
    made = data.make.any(axis=1)
    lots = np.where(made, data.column("moq"), policy.order_quantity.to_numpy(dtype=float))
    added = replenishment.propose_receipts(data.on_hand, data.receipts, data.consensus,
                                           policy.safety_stock.to_numpy(dtype=float), lots, earliest)
    expedite = replenishment.unfixable_shortage(data.on_hand, data.receipts, data.consensus, earliest)
    sku_index, period_index = np.nonzero(added > 0)
    cells = pd.DataFrame({"sku": np.asarray(data.skus)[sku_index], "period": data.periods[period_index],
                          "added": added[sku_index, period_index]})
    cells = cells.merge(rows.assign(period=pd.to_datetime(rows.period)), on=["sku", "period"], how="left")
    cells = cells.assign(proposed=cells.planned_receipts + cells.added)
    edits = [ReceiptEdit(r.sku, r.period.date(), float(r.proposed), r.kind, PROPOSAL_COMMENT, int(r.row_version),
                         float(r.planned_receipts)) for r in cells.itertuples(index=False)]
    shortfall = pd.DataFrame({"sku": data.skus, "units": expedite})
    return Proposal(cells[["sku", "period", "planned_receipts", "added", "proposed", "kind"]],
                    shortfall[shortfall.units > 0].reset_index(drop=True), edits, added)


def plan_export(uow: UnitOfWork, version_id: int, file_type: str) -> tuple[bytes, str]:
    """The supply plan as CSV or XLSX and a file name (plan_versions.export_plan)."""
    return export_plan(uow, KIND, version_id, file_type)
