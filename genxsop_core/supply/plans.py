"""Supply plan versions: planned receipts per SKU and period that balance a consensus demand plan.

One supply version per S&OP cycle, made for that cycle's demand plan version. It starts with a
row for every SKU and period the demand plan covers, filled from the working supply plan (the
open and planned orders imported from the ERP): released orders keep their firm flag and are
not edited here (they change in the ERP and come back by import). Supply planners edit planned
receipts and make/buy in a grid with the same rules as the demand plan: drafts only,
optimistic locking per cell (a save whose cells changed since the grid was loaded is refused
whole, naming both values), every change audited with before and after.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import PlanVersion, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind, SupplyKind
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans import versions as plan_versions
from genxsop_core.plans.versions import (
    add_version,
    editable_version,
    flush_cell_edits,
    get_version,
    refuse_second_version,
    snapshot,
)

KIND = PlanKind.SUPPLY  # the plan versions this module edits
SUPPLY_KINDS: tuple[SupplyKind, ...] = tuple(SupplyKind)


@dataclass(frozen=True)
class ReceiptEdit:
    """One cell of the supply grid as the planner left it."""

    sku: str
    period: date
    planned_receipts: float
    kind: str  # make | buy
    comment: str
    seen_row_version: int  # the row version the planner's grid was built from
    seen_receipts: float  # what the planner saw, for the conflict message


def create_version(uow: UnitOfWork, actor: Actor, demand_version_id: int, name: str | None = None) -> int:
    """A draft supply plan for the cycle of a demand plan version, seeded from the working supply plan."""
    require(actor, "supply_plan.edit")
    with uow:
        demand_version = get_version(uow, PlanKind.DEMAND, demand_version_id)
        cycle = uow.plans.cycle(demand_version.cycle_id)
        if cycle is None:
            raise InvalidInput(f"demand plan version {demand_version_id} belongs to no S&OP cycle")
        refuse_second_version(uow, KIND, cycle)
        demand = uow.demand_plans.frame([demand_version_id])
        if demand.empty:
            raise InvalidInput(f"demand plan version {demand_version_id} has no rows to plan supply for")
        working = uow.plans.latest_working(KIND)
        version = PlanVersion(kind=KIND, name=(name or f"Supply {cycle.month:%Y-%m} for demand v{demand_version_id}")
                              .strip()[:200], cycle_id=cycle.id, demand_version_id=demand_version_id,
                              created_by=actor.username)
        add_version(uow, version)
        rows = starting_rows(demand[["sku", "period"]], _working_rows(uow, working), uow.resources.routings())
        ids = uow.products.ids_by_sku()
        uow.supply_plans.insert_rows([
            {"plan_version_id": version.id, "product_id": ids[r.sku], "period": r.period.date(),
             "planned_receipts": float(r.planned_receipts), "kind": r.kind, "firm": bool(r.firm), "row_version": 1}
            for r in rows.itertuples(index=False)])
        uow.publish(RecordChanged(actor.username, action="create", entity="plan_version", key=str(version.id), after={
            **snapshot(version), "cycle": cycle.name, "copied_from": None if working is None else working.id,
            "skus": int(rows.sku.nunique()), "periods": int(rows.period.nunique()),
            "receipts": float(rows.planned_receipts.sum())}))
        uow.commit()
    return version.id


def _working_rows(uow: UnitOfWork, working: PlanVersion | None) -> pd.DataFrame:
    if working is None:
        return pd.DataFrame(columns=["sku", "period", "planned_receipts", "kind", "firm"])
    return uow.supply_plans.frame([working.id])[["sku", "period", "planned_receipts", "kind", "firm"]]


def starting_rows(cells: pd.DataFrame, working: pd.DataFrame, routings: pd.DataFrame) -> pd.DataFrame:
    """sku, period, planned_receipts, kind, firm for every (sku, period) cell of the demand plan.

    Receipts come from the working plan where it has the cell (others are 0); make/buy is the
    working plan's, else "make" for a SKU with a routing and "buy" for one without.
    """
    rows = cells.drop_duplicates().merge(working, on=["sku", "period"], how="left")
    routed = set(routings.sku)
    default_kind = rows.sku.map(lambda sku: SupplyKind.MAKE if sku in routed else SupplyKind.BUY)
    return rows.assign(planned_receipts=rows.planned_receipts.fillna(0.0).astype(float),
                       kind=rows.kind.where(rows.kind.notna(), default_kind),
                       firm=rows.firm.where(rows.firm.notna(), False).astype(bool))


def change_status(uow: UnitOfWork, actor: Actor, version_id: int, change: str, note: str = "") -> str:
    """submit, send_back or approve the supply plan (plan_versions.change_status)."""
    return plan_versions.change_status(uow, actor, KIND, version_id, change, note)


def _check_edits(edits: Sequence[ReceiptEdit]) -> None:
    """Every problem with the edits at once, each named by SKU and period."""
    problems = []
    for e in edits:
        where = f"{e.sku}, {e.period:%Y-%m-%d}"
        value = e.planned_receipts
        if not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
            problems.append(f"{where}: planned receipts must be a number of units, 0 or more (got {value!r})")
        if e.kind not in SUPPLY_KINDS:
            problems.append(f"{where}: kind must be make or buy (got {e.kind!r})")
    if problems:
        raise InvalidInput("; ".join(problems))


def save_receipts(uow: UnitOfWork, actor: Actor, version_id: int, edits: Sequence[ReceiptEdit]) -> int:
    """Apply the edits in one transaction; returns the number of cells changed.

    Refused as a whole (nothing written) when the version is not a draft, an edit is invalid or
    touches a released (firm) order, or a cell changed since the planner's grid was loaded.
    """
    require(actor, "supply_plan.edit")
    return _write_receipts(uow, actor, version_id, edits, "edit_receipts")


def accept_balanced_receipts(uow: UnitOfWork, actor: Actor, version_id: int, edits: Sequence[ReceiptEdit],
                             skus: Iterable[str] | None = None) -> int:
    """Write the balanced plan's receipts (all of them, or only those of `skus`) into the draft
    supply version; returns the number of cells changed.

    `edits` are the balanced plan's changes as supply.plan_balancing.balanced_plan builds them,
    each carrying the row version it was computed against and the reason in its comment. The
    same write as a hand edit (one transaction, drafts only, released orders refused, a cell
    changed since the balance refuses the whole accept), open to the supply planner and the
    S&OP coordinator, audited as "accept_balanced_receipts" with before and after per cell.
    """
    require(actor, "supply_plan.balance")
    if skus is not None:
        chosen = set(skus)
        edits = [e for e in edits if e.sku in chosen]
    return _write_receipts(uow, actor, version_id, edits, "accept_balanced_receipts")


def _write_receipts(uow: UnitOfWork, actor: Actor, version_id: int, edits: Sequence[ReceiptEdit],
                    action: str) -> int:
    """The write behind every change of planned receipts (hand edits, accepted proposals): drafts
    only, released orders refused, optimistic locking per cell, one audit row named `action`.
    The caller has checked the actor's permission."""
    if not edits:
        return 0
    _check_edits(edits)
    with uow:
        editable_version(uow, KIND, version_id)
        keys = [(e.sku, e.period) for e in edits]
        rows = uow.supply_plans.rows_for_update(version_id, keys)
        missing = [f"{e.sku} {e.period:%Y-%m-%d}" for e in edits if (e.sku, e.period) not in rows]
        if missing:
            raise NotFound(f"no supply plan cell for {', '.join(missing[:10])} in version {version_id}")
        firm = [f"{e.sku} {e.period:%Y-%m-%d}" for e in edits if rows[(e.sku, e.period)].firm]
        if firm:
            raise InvalidInput(f"{', '.join(firm[:10])}: released orders (firm) change in the ERP and come back "
                               "by import, not in the plan")
        _check_versions(edits, rows)
        before, after = {}, {}
        for edit in edits:
            row = rows[(edit.sku, edit.period)]
            cell = f"{edit.sku}|{edit.period:%Y-%m-%d}"
            before[cell] = _cell(row)
            row.planned_receipts, row.kind = float(edit.planned_receipts), edit.kind
            row.comment = edit.comment.strip() or None
            row.author, row.updated_at = actor.username, utcnow()
            after[cell] = _cell(row)
        flush_cell_edits(uow, lambda: _stale_cells(edits, uow.supply_plans.rows_for_update(version_id, keys)))
        uow.publish(RecordChanged(actor.username, action=action, entity="supply_plan", key=str(version_id),
                                  before=before, after=after))
        uow.commit()
    return len(after)


def _cell(row) -> dict:
    return {"planned_receipts": row.planned_receipts, "kind": row.kind, "comment": row.comment}


def _check_versions(edits: Sequence[ReceiptEdit], rows: dict) -> None:
    conflicts = _stale_cells(edits, rows)
    if conflicts:
        raise Conflict("nothing was saved: these cells changed since you loaded the grid; reload, check and "
                       "re-enter: " + "; ".join(conflicts))


def _stale_cells(edits: Sequence[ReceiptEdit], rows: dict) -> list[str]:
    """The edited cells that changed since the planner's grid was loaded, each with both values."""
    conflicts = []
    for edit in edits:
        row = rows[(edit.sku, edit.period)]
        if row.row_version != edit.seen_row_version:
            conflicts.append(f"{edit.sku}, {edit.period:%Y-%m-%d}: you loaded {edit.seen_receipts:,.0f} and entered "
                             f"{edit.planned_receipts:,.0f}, but {row.author or 'someone'} saved "
                             f"{row.planned_receipts:,.0f} at {row.updated_at:%H:%M:%S} since")
    return conflicts
