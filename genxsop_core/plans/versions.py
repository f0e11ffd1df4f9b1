"""What demand and supply plan versions share: the cycle they belong to, their status flow,
the lock token of a grid cell.

Status moves draft -> submitted -> approved; an approved version is read-only and is kept
(lag snapshots, the frozen plan of a cycle). Each kind has its own edit and approve
permission; the moves and their audit records are the same.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import PlanVersion, SopCycle, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.io.exporter import encode
from genxsop_core.persistence.repositories import DemandPlanRepository, SupplyPlanRepository
from genxsop_core.persistence.unit_of_work import UnitOfWork

KINDS: tuple[PlanKind, ...] = tuple(PlanKind)
SUPERSEDED = PlanStatus.SUPERSEDED  # replaced by a promoted scenario's version; kept, read-only
# status change -> (which permission of the kind, target status, statuses it may start from)
TRANSITIONS: dict[str, tuple[str, PlanStatus, tuple[PlanStatus, ...]]] = {
    "submit": ("edit", PlanStatus.SUBMITTED, (PlanStatus.DRAFT,)),
    "send_back": ("edit", PlanStatus.DRAFT, (PlanStatus.SUBMITTED,)),
    "approve": ("approve", PlanStatus.APPROVED, (PlanStatus.SUBMITTED,)),
}


def permission(kind: str, verb: str) -> str:
    """'demand_plan.edit', 'supply_plan.approve', ..."""
    return f"{kind}_plan.{verb}"


def row_token(row_versions: Sequence[int]) -> str:
    """The lock token of a grid cell: the row versions of the SKU rows under it, in SKU order."""
    return ".".join(str(int(v)) for v in row_versions)


def cycle_name(month: date) -> str:
    return f"S&OP {month:%Y-%m}"


def flush_cell_edits(uow: UnitOfWork, stale_cells: Callable[[], list[str]]) -> None:
    """Write the grid's cell changes; a row another planner saved meanwhile (its row version moved
    under us) refuses them all. The refusal names both values of each such cell, as the token check
    does: `stale_cells()` reads the rows again, as the other planner left them, and describes them."""
    try:
        uow.flush()
        return
    except StaleDataError:
        uow.rollback()
    cells = stale_cells()
    named = f": {'; '.join(cells)}" if cells else ""
    raise Conflict("another planner saved some of these cells while you were saving; nothing of yours was written: "
                   f"reload the grid and apply your edits again{named}")


def _row_repository(uow: UnitOfWork, kind: str) -> DemandPlanRepository | SupplyPlanRepository:
    return uow.demand_plans if kind == PlanKind.DEMAND else uow.supply_plans


def plan_rows(uow: UnitOfWork, kind: str, version_id: int, skus: Sequence[str] | None = None) -> pd.DataFrame:
    """A plan version's rows, one per SKU and period, as stored (the integration API reads a whole plan
    of 5,000 SKUs this way): sku, name, category, family, unit_price, version_id, period, the kind's
    columns, author, updated_at and row_version (the lock token a cell edit carries)."""
    with uow:
        get_version(uow, kind, version_id)
        return _row_repository(uow, kind).frame([version_id], skus)


def export_plan(uow: UnitOfWork, kind: str, version_id: int, file_type: str) -> tuple[bytes, str]:
    """A plan version's rows as CSV or XLSX (text cells neutralised against formula injection) and a file name."""
    with uow:
        name = get_version(uow, kind, version_id).name
        rows = _row_repository(uow, kind)
        frame = rows.frame([version_id])
    frame = frame.assign(period=frame.period.dt.date, version=name,
                         updated_at=pd.to_datetime(frame.updated_at, utc=True).dt.tz_localize(None))
    frame = frame[["version", "sku", "name", "category", "family", "period", *rows.columns, "author", "updated_at"]]
    return encode(frame, file_type, f"{kind} plan"), f"{kind}_plan_{version_id}.{file_type}"


def get_version(uow: UnitOfWork, kind: str, version_id: int) -> PlanVersion:
    version = uow.plans.get(version_id)
    if version is None or version.kind != kind:
        raise NotFound(f"{kind} plan version {version_id} does not exist")
    return version


def version_cycle(uow: UnitOfWork, version: PlanVersion) -> SopCycle:
    """The S&OP cycle a version was made in (its cycle_id is empty once the cycle is deleted)."""
    cycle = uow.plans.cycle(version.cycle_id)
    if cycle is None:
        raise InvalidInput(f"plan version {version.id} belongs to no S&OP cycle")
    return cycle


def editable_version(uow: UnitOfWork, kind: str, version_id: int) -> PlanVersion:
    """The version, if it may still be changed (only a draft can)."""
    version = get_version(uow, kind, version_id)
    if version.status != PlanStatus.DRAFT:
        raise Conflict(f"version {version_id} '{version.name}' is {version.status} and read-only; "
                       "only a draft can be edited")
    return version


def snapshot(version: PlanVersion) -> dict:
    return {"name": version.name, "status": version.status, "source_run_id": version.source_run_id,
            "demand_version_id": version.demand_version_id, "approved_by": version.approved_by}


def cycle_for(uow: UnitOfWork, actor: Actor, month: date) -> SopCycle:
    """The cycle of `month`, opened here when it does not exist yet (audited)."""
    cycle = uow.plans.cycle_by_month(month)
    if cycle is None:
        cycle = SopCycle(name=cycle_name(month), month=month, created_by=actor.username)
        uow.plans.add_cycle(cycle)
        try:
            uow.flush()
        except IntegrityError:  # the cycle's name is unique: someone opened it since we looked
            raise Conflict(f"another planner opened {cycle_name(month)} a moment ago and is creating its plan; "
                           "nothing of yours was written: reload and open theirs") from None
        uow.publish(RecordChanged(actor.username, action="create", entity="sop_cycle", key=cycle.name,
                                  after={"month": month.isoformat(), "stage": cycle.stage}))
    return cycle


def refuse_second_version(uow: UnitOfWork, kind: str, cycle: SopCycle) -> None:
    existing = uow.plans.for_cycle(kind, cycle.id)
    if existing is not None:
        raise Conflict(f"{cycle.name} already has {kind} plan version {existing.id} '{existing.name}' "
                       f"({existing.status}); there is one {kind} plan per cycle")


def add_version(uow: UnitOfWork, version: PlanVersion) -> None:
    """Insert a version (it gets its id); the database refuses a second one of its kind in the cycle
    (partial unique index, migration 0004) when another planner created one a moment before."""
    uow.plans.add(version)
    try:
        uow.flush()
    except IntegrityError:
        raise Conflict(f"another planner has just created the {version.kind} plan of this cycle; there is one "
                       f"{version.kind} plan per cycle: reload and open theirs") from None


def change_status(uow: UnitOfWork, actor: Actor, kind: str, version_id: int, change: str, note: str = "") -> str:
    """submit, send_back or approve; refuses moves the status does not allow. Returns the new status."""
    if change not in TRANSITIONS:
        raise InvalidInput(f"unknown status change {change!r}; use one of {', '.join(TRANSITIONS)}")
    require(actor, permission(kind, TRANSITIONS[change][0]))
    with uow:
        target = move(uow, actor, get_version(uow, kind, version_id), change, note)
        uow.commit()
    return target


def move(uow: UnitOfWork, actor: Actor, version: PlanVersion, change: str, note: str = "") -> str:
    """The status change inside the caller's unit of work (checked and audited); returns the new status."""
    verb, target, allowed_from = TRANSITIONS[change]
    require(actor, permission(version.kind, verb))
    if version.status not in allowed_from:
        raise Conflict(f"version {version.id} is {version.status}: '{change.replace('_', ' ')}' applies only to "
                       f"a {' or '.join(allowed_from)} version")
    before = snapshot(version)
    version.status = target
    if target == PlanStatus.APPROVED:
        version.approved_by, version.approved_at = actor.username, utcnow()
    uow.publish(RecordChanged(actor.username, action=change, entity="plan_version", key=str(version.id),
                              before=before, after={**snapshot(version), "note": note}))
    return target
