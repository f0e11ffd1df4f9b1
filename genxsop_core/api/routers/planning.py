"""What the plan routers (demand and supply plans, inventory, scenarios) share: the hierarchy node a
table is cut to, a plan version as JSON, a status change, the id of what a write created.

No rule lives here: a node is checked by `domain.hierarchy.Node`, a status change by
`plans.versions.change_status` behind each kind's service.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
from fastapi import Query
from pydantic import BaseModel, Field

from genxsop_core.admin.overview import skus_under
from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.domain.exceptions import NotFound
from genxsop_core.domain.hierarchy import Level, Node, check_level
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData, load_plan_data
from genxsop_core.supply.views import supply_version_for


class PlanVersionOut(BaseModel):
    """A demand or supply plan version: its cycle, status, where it came from and who approved it."""

    id: int
    name: str
    status: str = Field(description="draft, submitted, approved or superseded")
    cycle: str | None = Field(None, description="the S&OP cycle it belongs to; none for the working supply plan")
    cycle_month: date | None = None
    source_run_id: int | None = Field(None, description="the forecast run its statistical forecast came from")
    demand_version_id: int | None = Field(None, description="a supply version: the demand version it balances")
    created_by: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None


def versions_out(frame: pd.DataFrame) -> list[PlanVersionOut]:
    """The versions of a listing; a missing date (not approved yet) is null."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [PlanVersionOut.model_validate(row) for row in plain.to_dict("records")]


def version_out(frame: pd.DataFrame, version_id: int, kind: str) -> PlanVersionOut:
    """One version of a listing (`list_versions` of the kind), or NotFound."""
    found = frame[frame.id == version_id]
    if found.empty:
        raise NotFound(f"{kind} plan version {version_id} does not exist")
    return versions_out(found)[0]


class StatusChange(BaseModel):
    change: str = Field(description="submit, send_back or approve", examples=["submit"])
    note: str = Field("", max_length=2000, description="why (kept in the audit trail)")


class StatusChanged(BaseModel):
    id: int
    status: str


class Created(BaseModel):
    """The id of what the write created."""

    id: int


class NodeQuery:
    """`?level=&key=`: the node of the product hierarchy a table is cut to (all products by default)."""

    def __init__(self,
                 level: str = Query(Level.TOTAL, description="total, category, family or sku"),
                 key: str = Query("", description="the category, family or SKU (empty for the total)")):
        self.level, self.key = level, key

    @property
    def node(self) -> Node:
        return Node(check_level(self.level), self.key)

    def skus(self, new_uow: Callable[[], UnitOfWork]) -> list[str] | None:
        """The node's SKUs; None for the total (every row, without a list of 5,000 names to match)."""
        node = self.node
        if node.level == Level.TOTAL:
            return None
        return skus_under(new_uow(), node)


def demand_version_or_current(new_uow: Callable[[], UnitOfWork], version_id: int | None) -> int:
    """The demand version asked for, or the plan of the newest cycle (the one the dashboard shows)."""
    if version_id is not None:
        return version_id
    plan = current_plan(new_uow())
    if plan is None:
        raise NotFound("there is no consensus plan yet: create one from a forecast run (POST /api/v1/demand/plans)")
    return plan.demand_version_id



def plan_data(new_uow: Callable[[], UnitOfWork], demand_version_id: int) -> PlanData:
    """A consensus plan with the supply version of its cycle loaded as arrays, as the What-if page loads it."""
    return load_plan_data(new_uow(), demand_version_id, supply_version_for(new_uow(), demand_version_id))
