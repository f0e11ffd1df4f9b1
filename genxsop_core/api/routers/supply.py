"""/supply/plans: supply plan versions, their planned receipts, receipt edits and status changes.

Reads go to `supply.views` and `plans.versions.plan_rows`; writes to `supply.plans` (drafts only,
released orders refused, optimistic locking per cell, audited with the caller's name).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
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
from genxsop_core.api.schemas import FILE_ANSWERS, Page, table_answer
from genxsop_core.plans.versions import plan_rows
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply import views as supply_views

router = APIRouter(prefix="/supply/plans", tags=["supply plans"])

PLAN_COLUMNS = ["version_id", "sku", "name", "category", "family", "period", "planned_receipts", "kind", "firm",
                "comment", "author", "updated_at", "row_version"]


class SupplyPlanRow(BaseModel):
    """One SKU and period of a supply plan version."""

    version_id: int
    sku: str
    name: str
    category: str
    family: str
    period: date
    planned_receipts: float
    kind: str = Field(description="make or buy")
    firm: bool = Field(description="a released order: changes in the ERP and comes back by import")
    comment: str | None
    author: str | None
    updated_at: datetime | None
    row_version: int = Field(description="send it back as `row_version` of an edit of this cell")


class NewSupplyVersion(BaseModel):
    demand_version_id: int = Field(description="the consensus plan version to balance")
    name: str | None = Field(None, max_length=200)


class ReceiptIn(BaseModel):
    sku: str
    period: date
    planned_receipts: float
    kind: str = Field(description="make or buy")
    comment: str = ""
    row_version: int = Field(description="the row_version the value was read with; a cell changed since is "
                                         "refused (409)")
    seen_receipts: float = Field(description="the planned receipts read with it, named if the save is refused")


class Receipts(BaseModel):
    edits: list[ReceiptIn] = Field(min_length=1)


class Changed(BaseModel):
    changed: int = Field(description="cells changed")


@router.get("", response_model=list[PlanVersionOut], summary="Supply plan versions per cycle, newest first")
def versions(_caller: SignedIn, new_uow: NewUow) -> Any:
    return versions_out(supply_views.list_versions(new_uow()))


@router.post("", response_model=Created, status_code=201,
             summary="A draft supply plan for a consensus plan version, seeded from the working supply plan")
def create_version(body: NewSupplyVersion, caller: SignedIn,
                   new_uow: NewUow) -> Any:
    return Created(id=supply_plans.create_version(new_uow(), caller.actor, body.demand_version_id, body.name))


@router.get("/{version_id}", response_model=PlanVersionOut, summary="One supply plan version")
def version(version_id: int, _caller: SignedIn,
            new_uow: NewUow) -> Any:
    return version_out(supply_views.list_versions(new_uow()), version_id, "supply")


@router.get("/{version_id}/rows", response_model=Page[SupplyPlanRow], responses=FILE_ANSWERS,
            summary="Planned receipts, one row per SKU and period (JSON pages, or CSV or Parquet)")
def plan(version_id: int, node: Annotated[NodeQuery, Depends()], paging: TablePaging,
         _caller: SignedIn, new_uow: NewUow) -> Any:
    frame = plan_rows(new_uow(), supply_plans.KIND, version_id, node.skus(new_uow))
    return table_answer(frame[PLAN_COLUMNS], paging, f"supply_plan_{version_id}")


@router.post("/{version_id}/receipts", response_model=Changed,
             summary="Change planned receipts and make/buy of a draft (all or nothing)")
def edit_receipts(version_id: int, body: Receipts, caller: SignedIn,
                  new_uow: NewUow) -> Any:
    edits = [supply_plans.ReceiptEdit(sku=e.sku, period=e.period, planned_receipts=e.planned_receipts, kind=e.kind,
                                      comment=e.comment, seen_row_version=e.row_version,
                                      seen_receipts=e.seen_receipts) for e in body.edits]
    return Changed(changed=supply_plans.save_receipts(new_uow(), caller.actor, version_id, edits))


@router.post("/{version_id}/status", response_model=StatusChanged, summary="Submit, send back or approve")
def change_status(version_id: int, body: StatusChange, caller: SignedIn,
                  new_uow: NewUow) -> Any:
    status = supply_plans.change_status(new_uow(), caller.actor, version_id, body.change, body.note)
    return StatusChanged(id=version_id, status=status)
