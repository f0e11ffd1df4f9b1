"""/demand/plans: consensus plan versions, their rows (pull the approved plan into the ERP), overrides,
status changes, and the accuracy of approved plans by lag.

Reads go to `demand.views` and `plans.versions.plan_rows`; writes to `demand.plans` (role-checked,
optimistic locking, audited with the caller's name).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from genxsop_core.api.routers.params import NewUow, SignedIn, TablePaging
from genxsop_core.api.routers.planning import (
    Created,
    NodeQuery,
    PlanVersionOut,
    StatusChange,
    StatusChanged,
    version_out,
    versions_out,
)
from genxsop_core.api.schemas import FILE_ANSWERS, Page, rows, table_answer
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.demand.accuracy import FORECAST_STEPS
from genxsop_core.domain.hierarchy import Level
from genxsop_core.plans.versions import plan_rows

router = APIRouter(prefix="/demand/plans", tags=["demand plans"])
Node = Annotated[NodeQuery, Depends()]
Lag = Annotated[int | None, Query(ge=1, description="one lag (buckets ahead); every lag by default")]

PLAN_COLUMNS = ["version_id", "sku", "name", "category", "family", "period", "statistical", "override", "consensus",
                "reason_code", "comment", "author", "updated_at", "row_version"]


class DemandPlanRow(BaseModel):
    """One SKU and period of a consensus plan version."""

    version_id: int
    sku: str
    name: str
    category: str
    family: str
    period: date
    statistical: float
    override: float | None
    consensus: float
    reason_code: str | None
    comment: str | None
    author: str | None
    updated_at: datetime | None
    row_version: int = Field(description="send it back as the `token` of an override of this SKU and period")


class GridRow(BaseModel):
    """One item (SKU, family or category) and period of the override grid."""

    item: str
    period: date
    statistical: float
    override: float | None
    consensus: float
    reason_code: str | None
    comment: str | None
    author: str | None
    token: str = Field(description="the row versions of the item's SKU rows: send it back with an override")


class NewVersion(BaseModel):
    run_id: int = Field(description="a finished forecast run")
    cycle_month: date = Field(description="any day of the S&OP cycle's month")
    name: str | None = Field(None, max_length=200)


class OverrideIn(BaseModel):
    level: str = Field(Level.SKU, description="sku, family or category")
    key: str = Field(description="the SKU, family or category")
    period: date
    value: float | None = Field(description="the new consensus in units; null removes the override")
    reason_code: str | None = None
    comment: str = ""
    token: str = Field(description="the row_version of the SKU row (rows) or the token of the grid cell (grid) "
                                   "the value was read from; a cell changed since is refused (409)")
    seen_consensus: float = Field(description="the consensus read with the token, named if the save is refused")


class Overrides(BaseModel):
    edits: list[OverrideIn] = Field(min_length=1)


class Changed(BaseModel):
    changed: int = Field(description="SKU rows changed")


class AccuracySummary(BaseModel):
    lags: list[int] = Field(description="the lags the approved plans have actuals for")
    value_added: list[dict[str, Any]] = Field(description=f"per step ({', '.join(FORECAST_STEPS)}): wape, fva")
    flagged: list[dict[str, Any]] = Field(description="SKUs with a persistent bias: sku, family, wape, bias, "
                                                      "tracking_signal, flag")


@router.get("", response_model=list[PlanVersionOut], summary="Consensus plan versions, newest cycle first")
def versions(_caller: SignedIn, new_uow: NewUow, include_superseded: Annotated[bool, Query(
        description="also the versions a promoted scenario replaced")] = True) -> Any:
    listing = demand_views.list_versions(new_uow()) if include_superseded else demand_views.working_versions(new_uow())
    return versions_out(listing)


@router.post("", response_model=Created, status_code=201, summary="A draft consensus plan from a finished forecast run")
def create_version(body: NewVersion, caller: SignedIn, new_uow: NewUow) -> Any:
    return Created(id=demand_plans.create_version(new_uow(), caller.actor, body.run_id, body.cycle_month, body.name))


@router.get("/accuracy", response_model=Page[dict[str, Any]], responses=FILE_ANSWERS,
            summary="Accuracy of the approved plans by lag: WAPE, MAPE, bias, tracking signal")
def accuracy(node: Node, paging: TablePaging, _caller: SignedIn, new_uow: NewUow,
             by: Annotated[str, Query(description="group by total, category, family or sku")] = Level.SKU,
             lag: Lag = None) -> Any:
    panel = demand_views.accuracy_panel(new_uow(), node.node, by, lag)
    return table_answer(panel.by_lag, paging, "demand_plan_accuracy")


@router.get("/accuracy/value-added", response_model=AccuracySummary,
            summary="Forecast value added (naive, statistical, consensus) and the SKUs flagged for bias")
def value_added(node: Node, _caller: SignedIn, new_uow: NewUow, lag: Lag = None) -> Any:
    panel = demand_views.accuracy_panel(new_uow(), node.node, Level.SKU, lag)
    return AccuracySummary(lags=panel.lags, value_added=rows(panel.value_added), flagged=rows(panel.flagged))


@router.get("/{version_id}", response_model=PlanVersionOut, summary="One consensus plan version")
def version(version_id: int, _caller: SignedIn, new_uow: NewUow) -> Any:
    return version_out(demand_views.list_versions(new_uow()), version_id, "demand")


@router.get("/{version_id}/rows", response_model=Page[DemandPlanRow], responses=FILE_ANSWERS,
            summary="The plan's rows, one per SKU and period (JSON pages, or the whole plan as CSV or Parquet)")
def plan(version_id: int, node: Node, paging: TablePaging, _caller: SignedIn, new_uow: NewUow) -> Any:
    frame = plan_rows(new_uow(), demand_plans.KIND, version_id, node.skus(new_uow))
    return table_answer(frame[PLAN_COLUMNS], paging, f"demand_plan_{version_id}")


@router.get("/{version_id}/grid", response_model=Page[GridRow], responses=FILE_ANSWERS,
            summary="The override grid: one row per item at a level under a node and per period, with lock tokens")
def grid(version_id: int, node: Node, paging: TablePaging, _caller: SignedIn, new_uow: NewUow,
         at: Annotated[str, Query(description="the items' level: sku, family or category")] = Level.FAMILY) -> Any:
    frame = demand_views.override_grid(new_uow(), version_id, node.node, at)
    return table_answer(frame, paging, f"demand_plan_{version_id}_{at}")


@router.post("/{version_id}/overrides", response_model=Changed,
             summary="Override the consensus of SKUs, families or categories (all or nothing)")
def override(version_id: int, body: Overrides, caller: SignedIn,
             new_uow: NewUow) -> Any:
    edits = [demand_plans.OverrideEdit(level=e.level, key=e.key, period=e.period, value=e.value,
                                       reason_code=e.reason_code, comment=e.comment, seen_token=e.token,
                                       seen_consensus=e.seen_consensus) for e in body.edits]
    return Changed(changed=demand_plans.save_overrides(new_uow(), caller.actor, version_id, edits))


@router.post("/{version_id}/status", response_model=StatusChanged,
             summary="Submit, send back or approve the consensus plan")
def change_status(version_id: int, body: StatusChange, caller: SignedIn,
                  new_uow: NewUow) -> Any:
    status = demand_plans.change_status(new_uow(), caller.actor, version_id, body.change, body.note)
    return StatusChanged(id=version_id, status=status)
