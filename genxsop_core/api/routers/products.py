"""GET /products: the product master in its import format (the columns of io.formats PRODUCTS), paged or
as a CSV or Parquet file; what an ERP or a BI tool joins the plans to."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from genxsop_core.api.routers.params import NewUow, SignedIn, TablePaging
from genxsop_core.api.schemas import FILE_ANSWERS, Page, row_model, table_answer
from genxsop_core.io import exporter

router = APIRouter(prefix="/products", tags=["products"])
ProductRow = row_model("products", "ProductRow")


@router.get("", response_model=Page[ProductRow], responses=FILE_ANSWERS)  # type: ignore[valid-type]
def products(caller: SignedIn, new_uow: NewUow,
             paging: TablePaging) -> Any:
    """The product master, sorted by SKU; every role may read it."""
    frame = exporter.export_frame(new_uow(), "products")
    return table_answer(frame.sort_values("sku", ignore_index=True), paging, "products")
