"""GET /kpi: the scorecard of a node of the product hierarchy (each KPI's latest complete month, the
month before, its target and status: kpi.views.kpi_summary, as the KPI page shows it);
GET /kpi/monthly: the monthly scorecard behind it, paged or as a CSV or Parquet file."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from genxsop_core.api.routers.params import NewUow, SignedIn, TablePaging
from genxsop_core.api.schemas import FILE_ANSWERS, Page, rows, table_answer
from genxsop_core.domain.hierarchy import LEVELS
from genxsop_core.kpi import views

router = APIRouter(prefix="/kpi", tags=["kpi"])

Level = Annotated[str, Query(description=f"the hierarchy level: {', '.join(LEVELS)}")]
Key = Annotated[str, Query(description="the category, family or SKU (empty for the total)")]


@router.get("", response_model=list[dict[str, Any]])
def kpi_summary(caller: SignedIn, new_uow: NewUow,
                level: Level = "total", key: Key = "") -> list[dict[str, Any]]:
    """One object per KPI: kpi, label, unit, month, latest, previous, trend, target, green, amber,
    status (green/amber/red/none) and target_level. Every role may read it."""
    return rows(views.kpi_summary(new_uow(), level, key))


@router.get("/monthly", response_model=Page[dict[str, Any]], responses=FILE_ANSWERS)
def kpi_monthly(caller: SignedIn, new_uow: NewUow,
                paging: TablePaging, level: Level = "total", key: Key = "") -> Any:
    """One row per calendar month: complete, the money columns and one column per KPI."""
    return table_answer(views.monthly_kpis(new_uow(), level, key), paging, "kpi_monthly")
