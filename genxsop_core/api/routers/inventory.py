"""/inventory/policy: the inventory policy of a plan (safety stock three ways, reorder point, order
quantity, cover, ABC/XYZ, what projected inventory does), its exception list and its totals.

Everything is `inventory.views.inventory_view` of a demand version with the supply version of its
cycle, as the Inventory page shows it. Reads only.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from genxsop_core.api.deps import UowFactory
from genxsop_core.api.routers.params import NewUow, SignedIn, TablePaging
from genxsop_core.api.routers.planning import demand_version_or_current
from genxsop_core.api.schemas import FILE_ANSWERS, Page, table_answer
from genxsop_core.inventory import views as inventory_views
from genxsop_core.inventory.policy import EXCEPTION_KINDS, SAFETY_STOCK_METHODS

router = APIRouter(prefix="/inventory/policy", tags=["inventory"])

METHOD_HELP = "safety stock method: " + "; ".join(f"{k} ({v})" for k, v in SAFETY_STOCK_METHODS.items())


class PlanChoice:
    """`?demand_version_id=&method=`: whose plan, and which safety stock drives the policy."""

    def __init__(self,
                 demand_version_id: int | None = Query(None, description="a consensus plan version; the current "
                                                                         "cycle's plan by default"),
                 method: str = Query("lead_time", description=METHOD_HELP)):
        self.demand_version_id, self.method = demand_version_id, method

    def view(self, new_uow: UowFactory) -> inventory_views.InventoryView:
        version_id = demand_version_or_current(new_uow, self.demand_version_id)
        return inventory_views.inventory_view(new_uow, version_id, self.method)


class PolicySummary(BaseModel):
    demand_version_id: int
    supply_version_id: int | None = Field(description="none: the working supply plan's receipts counted")
    method: str
    inventory_value: float
    stockout_skus: int
    below_safety_skus: int
    excess_skus: int
    money_at_risk: float = Field(description="; ".join(f"{k}: {v}" for k, v in EXCEPTION_KINDS.items()))


@router.get("", response_model=Page[dict[str, Any]], responses=FILE_ANSWERS,
            summary="The policy table: one row per SKU (JSON pages, or CSV or Parquet)")
def policy(choice: Annotated[PlanChoice, Depends()], paging: TablePaging, _caller: SignedIn,
           new_uow: NewUow) -> Any:
    view = choice.view(new_uow)
    return table_answer(view.policy, paging, f"inventory_policy_{view.data.demand_version_id}")


@router.get("/exceptions", response_model=Page[dict[str, Any]], responses=FILE_ANSWERS,
            summary="SKUs projected to stock out, dip below safety stock or hold excess, by money at risk")
def exceptions(choice: Annotated[PlanChoice, Depends()], paging: TablePaging,
               _caller: SignedIn, new_uow: NewUow) -> Any:
    view = choice.view(new_uow)
    return table_answer(view.exceptions, paging, f"inventory_exceptions_{view.data.demand_version_id}")


@router.get("/summary", response_model=PolicySummary, summary="Stock value and the SKUs in each exception")
def summary(choice: Annotated[PlanChoice, Depends()], _caller: SignedIn,
            new_uow: NewUow) -> Any:
    view = choice.view(new_uow)
    return PolicySummary.model_validate({"demand_version_id": view.data.demand_version_id,
                                         "supply_version_id": view.data.supply_version_id, "method": choice.method,
                                         **inventory_views.totals(view)})
