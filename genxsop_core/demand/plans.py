"""Consensus demand plan versions: create from a forecast run, override, submit, approve.

One demand plan version per S&OP cycle (month). It starts as a copy of a finished forecast
run's statistical forecast; planners override SKUs, families or categories (a family or
category change is split to its SKUs in proportion to their statistical forecast), each
override with a reason code and a comment. Status moves draft -> submitted -> approved;
an approved version is read-only and stays as the lag snapshot accuracy is measured on.

Optimistic locking: the grid a planner edits carries the row versions it was built from.
A save whose rows changed since then is refused as a whole with both values named, so
nothing is silently overwritten and the planner's own edits stay in their grid.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from genxsop_core.demand.disaggregation import split_proportionally
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.hierarchy import BOTTOM_UP, Level
from genxsop_core.domain.models import PlanVersion, utcnow
from genxsop_core.domain.periods import bucket_start
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind, RunStatus
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans import versions as plan_versions
from genxsop_core.plans.versions import (
    add_version,
    cycle_for,
    editable_version,
    flush_cell_edits,
    refuse_second_version,
    row_token,
    snapshot,
)

KIND = PlanKind.DEMAND  # the plan versions this module edits
OVERRIDE_LEVELS: tuple[Level, ...] = BOTTOM_UP  # a planner overrides any node but the total


@dataclass(frozen=True)
class OverrideEdit:
    """One cell of the override grid as the planner left it."""

    level: str  # sku | family | category
    key: str  # the SKU, family or category
    period: date
    value: float | None  # the new consensus for this item and period; None removes the override
    reason_code: str | None
    comment: str
    seen_token: str  # row versions the planner's grid was built from (see `row_token`)
    seen_consensus: float  # what the planner saw, for the conflict message


def create_version(uow: UnitOfWork, actor: Actor, run_id: int, cycle_month: date, name: str | None = None) -> int:
    """A draft consensus plan for the cycle of `cycle_month`, from a finished forecast run."""
    require(actor, "demand_plan.edit")
    with uow:
        run = uow.forecast_runs.get(run_id)
        if run is None:
            raise NotFound(f"forecast run {run_id} does not exist")
        if run.status != RunStatus.DONE:
            raise InvalidInput(f"forecast run {run_id} is {run.status}; a plan starts from a finished run")
        forecast = uow.forecast_runs.results(run_id, future_only=True)
        version_id = insert_version(uow, actor, forecast.rename(columns={"mean": "statistical"}), cycle_month,
                             name or f"Consensus {cycle_month:%Y-%m} from run {run_id}", run_id)
        uow.commit()
    return version_id


def insert_version(uow: UnitOfWork, actor: Actor, forecast: pd.DataFrame, cycle_month: date, name: str,
            run_id: int | None) -> int:
    """Insert the version and its rows (sku, period, statistical) inside the caller's unit of work."""
    require(actor, "demand_plan.edit")
    cycle = cycle_for(uow, actor, bucket_start(cycle_month, "month"))
    refuse_second_version(uow, KIND, cycle)
    if forecast.empty:
        raise InvalidInput("the forecast holds no future periods to plan")
    version = PlanVersion(kind=KIND, name=name.strip()[:200], cycle_id=cycle.id, source_run_id=run_id,
                          created_by=actor.username)
    add_version(uow, version)
    ids = uow.products.ids_by_sku()
    uow.demand_plans.insert_rows([
        {"plan_version_id": version.id, "product_id": ids[sku], "period": pd.Timestamp(period).date(),
         "statistical": float(value), "consensus": float(value), "row_version": 1}
        for sku, period, value in zip(forecast["sku"], forecast["period"], forecast["statistical"])])
    uow.publish(RecordChanged(actor.username, action="create", entity="plan_version", key=str(version.id), after={
        **snapshot(version), "cycle": cycle.name, "skus": int(forecast["sku"].nunique()),
        "periods": int(forecast["period"].nunique())}))
    return version.id


def change_status(uow: UnitOfWork, actor: Actor, version_id: int, change: str, note: str = "") -> str:
    """submit, send_back or approve the consensus plan (plan_versions.change_status)."""
    return plan_versions.change_status(uow, actor, KIND, version_id, change, note)


def _check_edits(edits: Sequence[OverrideEdit], reason_codes: set[str], hierarchy: pd.DataFrame) -> None:
    """Every problem with the edits at once, each named by item and period."""
    problems = []
    for e in edits:
        where = f"{e.level} {e.key}, {e.period:%Y-%m-%d}"
        if e.level not in OVERRIDE_LEVELS:
            problems.append(f"{where}: overrides are made per {', '.join(OVERRIDE_LEVELS)}")
            continue
        if e.key not in set(hierarchy[e.level]):
            problems.append(f"{where}: no such {e.level}")
        if e.value is None:
            continue
        if not isinstance(e.value, numbers.Real) or not math.isfinite(e.value) or e.value < 0:
            problems.append(f"{where}: the override must be a number of units, 0 or more (got {e.value!r})")
        if not e.reason_code:
            problems.append(f"{where}: a reason code is required")
        elif e.reason_code not in reason_codes:
            problems.append(f"{where}: unknown reason code {e.reason_code!r}")
        if not (e.comment or "").strip():
            problems.append(f"{where}: a comment is required")
    if problems:
        raise InvalidInput("; ".join(problems))


def save_overrides(uow: UnitOfWork, actor: Actor, version_id: int, edits: Sequence[OverrideEdit]) -> int:
    """Apply the edits in one transaction; returns the number of SKU rows changed.

    Refused as a whole (nothing written) when the version is not a draft, an edit is invalid,
    or someone changed a row since the planner's grid was loaded (Conflict naming both values).
    """
    require(actor, "demand_plan.edit")
    if not edits:
        return 0
    with uow:
        editable_version(uow, KIND, version_id)
        hierarchy = uow.demand.hierarchy()
        _check_edits(edits, {r.code for r in uow.plans.reason_codes()}, hierarchy)
        planned = uow.demand_plans.skus(version_id)  # SKUs added to a family later are not in this plan
        members = {e: sorted(set(hierarchy.sku[hierarchy[e.level] == e.key]) & planned) for e in edits}
        missing = [f"{e.level} {e.key}" for e in edits if not members[e]]
        if missing:
            raise NotFound(f"{', '.join(sorted(set(missing)))}: no SKU of it is in this plan version")
        keys = [(s, e.period) for e in edits for s in members[e]]
        rows = uow.demand_plans.rows_for_update(version_id, keys)
        _check_tokens(edits, members, rows)
        before: dict[str, dict] = {}
        after: dict[str, dict] = {}
        for edit in edits:
            cells = [rows[(sku, edit.period)] for sku in members[edit] if (sku, edit.period) in rows]
            values = _member_values(edit, members[edit], cells)
            for sku, row in zip(members[edit], cells):
                cell = f"{sku}|{edit.period:%Y-%m-%d}"
                before.setdefault(cell, _cell(row))
                value = values[sku]
                row.override = value
                row.consensus = row.statistical if value is None else value
                row.reason_code = edit.reason_code if value is not None else None
                row.comment = edit.comment.strip() if value is not None else None
                row.author, row.updated_at = actor.username, utcnow()
                after[cell] = {**_cell(row), "via": f"{edit.level} {edit.key}"}
        flush_cell_edits(uow, lambda: _stale_cells(edits, members, uow.demand_plans.rows_for_update(version_id, keys)))
        uow.publish(RecordChanged(actor.username, action="override", entity="demand_plan", key=str(version_id),
                                  before=before, after=after))
        uow.commit()
    return len(after)


def _cell(row) -> dict:
    return {"override": row.override, "consensus": row.consensus, "reason_code": row.reason_code,
            "comment": row.comment}


def _member_values(edit: OverrideEdit, skus: list[str], cells: list) -> dict[str, float | None]:
    """What each SKU under the edited item gets: the value itself, or its proportional share."""
    if edit.value is None:
        return dict.fromkeys(skus)
    if edit.level == Level.SKU:
        return {skus[0]: float(edit.value)}
    shares = split_proportionally(float(edit.value), pd.Series([c.statistical for c in cells], index=skus))
    return {sku: float(v) for sku, v in shares.items()}


def _check_tokens(edits: Sequence[OverrideEdit], members: dict, rows: dict) -> None:
    conflicts = _stale_cells(edits, members, rows)
    if conflicts:
        raise Conflict("nothing was saved: these cells changed since you loaded the grid; reload, check and "
                       "re-enter: " + "; ".join(conflicts))


def _stale_cells(edits: Sequence[OverrideEdit], members: dict, rows: dict) -> list[str]:
    """The edited cells whose rows changed since the planner's grid was loaded, each with both values."""
    conflicts = []
    for edit in edits:
        found = [rows.get((sku, edit.period)) for sku in members[edit]]
        cells = [c for c in found if c is not None]
        if len(cells) < len(found):
            raise NotFound(f"{edit.level} {edit.key} has no plan row for {edit.period:%Y-%m-%d} in this version")
        if row_token([c.row_version for c in cells]) != edit.seen_token:
            now = sum(c.consensus for c in cells)
            latest = max(cells, key=lambda c: c.updated_at)
            mine = "remove the override" if edit.value is None else f"{edit.value:,.0f}"
            conflicts.append(f"{edit.level} {edit.key}, {edit.period:%Y-%m-%d}: you loaded {edit.seen_consensus:,.0f} "
                             f"and entered {mine}, but {latest.author or 'someone'} saved {now:,.0f} at "
                             f"{latest.updated_at:%H:%M:%S} since")
    return conflicts
