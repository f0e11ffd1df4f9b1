"""POST /demand/actuals: last night's actuals from an ERP, as rows of the demand import format, upserted
by SKU and period with the importer's own validation (io.importer.import_rows): one bad row and
nothing is written, and the error names its row (its position in `rows`, from 1) and column."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from genxsop_core.api.routers.params import NewUow, SignedIn
from genxsop_core.io import importer
from genxsop_core.io.formats import get_format

router = APIRouter(prefix="/demand/actuals", tags=["demand"])
DEMAND = get_format("demand")
MAX_ROWS = 200_000
SOURCE = "demand actuals (API)"  # where a file name stands in messages and the audit trail

_COLUMNS = "; ".join(f"`{c.name}` ({c.type}{', required' if c.required else ''}): {c.help}" for c in DEMAND.columns)


Cell = str | int | float | bool | None  # what a spreadsheet cell can hold: no lists or objects


class ActualsUpload(BaseModel):
    rows: list[dict[str, Cell]] = Field(
        min_length=1, max_length=MAX_ROWS,
        description=f"one object per SKU and bucket, keyed by column: {_COLUMNS}. Values as in a file: "
                    "numbers or numeric text, dates as YYYY-MM-DD, promo as 1/0 or true/false.",
        examples=[[{c.name: c.example for c in DEMAND.columns}]])


class ImportAnswer(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int
    message: str


@router.post("", response_model=ImportAnswer, responses={
    403: {"description": "the role may not import demand (admin, demand planner may)"},
    422: {"description": "a row is invalid: nothing was written; `row` and `column` say where"}})
def post_actuals(upload: Annotated[ActualsUpload, Body()], caller: SignedIn,
                 new_uow: NewUow) -> ImportAnswer:
    """Insert new (SKU, period) rows and update changed ones, in one transaction audited under the caller
    (`key:<name>` for a key); posting the same rows again changes nothing."""
    result = importer.import_rows(new_uow(), caller.actor, "demand", upload.rows, SOURCE)
    return ImportAnswer(rows=result.rows, inserted=result.inserted, updated=result.updated,
                        unchanged=result.unchanged, message=result.summary())
