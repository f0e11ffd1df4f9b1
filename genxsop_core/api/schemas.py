"""Shared answer models and the one way a table leaves the API: a JSON page, a CSV or a Parquet file.

A router that answers a table takes `paging: Paging = Depends()` and returns
`table_answer(frame, paging, "products")`: JSON pages (`Page`: items, limit, offset, total) by
default, `?format=csv` (the exporter's CSV: formula-like text quoted, as every export) or
`?format=parquet` for the whole table or the page asked for (`X-Total-Count` says how many rows
there are). Declare `response_model=Page[RowModel]` so OpenAPI shows the row's fields.
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

import numpy as np
import pandas as pd
from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, create_model

from genxsop_core.io.exporter import to_csv_bytes
from genxsop_core.io.formats import Column, get_format

DEFAULT_PAGE_ROWS = 500
MAX_PAGE_ROWS = 10_000  # a JSON page; CSV and Parquet answer the whole table unless a limit is given
TableFormat = Literal["json", "csv", "parquet"]
Row = TypeVar("Row")
# the other answers of a table endpoint, for OpenAPI: `responses=FILE_ANSWERS`
FILE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}},
          "description": "a page of rows (JSON), or with ?format=csv|parquet the rows as a file"}}
_TYPES: dict[str, type] = {"text": str, "number": float, "date": date, "bool": bool}


class Page(BaseModel, Generic[Row]):
    """One page of a table: `total` rows in all, these from `offset` on."""

    items: list[Row]
    limit: int
    offset: int
    total: int


class Paging:
    """The query parameters of a table: `?limit=&offset=&format=`."""

    def __init__(self,
                 limit: Annotated[int | None, Query(ge=1, le=MAX_PAGE_ROWS, description=(
                     f"rows per page (JSON: default {DEFAULT_PAGE_ROWS}; CSV and Parquet: every row)"))] = None,
                 offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
                 format: Annotated[TableFormat, Query(description="json (a page), csv or parquet (a file)")] = "json"):
        self.limit, self.offset, self.format = limit, offset, format

    def window(self, total: int) -> tuple[int, int]:
        """(first row, rows) this request asks for out of `total`."""
        limit = self.limit if self.limit is not None else (DEFAULT_PAGE_ROWS if self.format == "json" else total)
        return self.offset, max(0, min(limit, total - self.offset))


def json_value(value: Any) -> Any:
    """A cell as JSON: dates as ISO text, a missing value (None, NaN, NaT, NA) as null, numpy scalars as
    Python values."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return _moment_text(value, value == value.normalize())
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return json_value(value.item())
    return value


def _moment_text(moment: pd.Timestamp, at_midnight: bool) -> str:
    """A day (a moment at midnight) as its date, any other moment in full, ISO 8601."""
    return moment.date().isoformat() if at_midnight else moment.isoformat()


def _json_column(column: pd.Series) -> list[Any]:
    """A column's cells as JSON values: numbers a whole column at a time (most cells of a plan), the
    rest cell by cell."""
    if (pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column)) and not column.hasnans:
        return column.to_numpy().tolist()
    if pd.api.types.is_float_dtype(column) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return [None if math.isnan(v) else v for v in column.to_numpy().tolist()]
    if pd.api.types.is_datetime64_any_dtype(column):  # as json_value: a day at midnight, else the moment
        midnight = (column == column.dt.normalize()).to_numpy().tolist()
        return [None if v is pd.NaT else _moment_text(v, day) for v, day in zip(column.tolist(), midnight, strict=True)]
    return [v if isinstance(v, str) else json_value(v) for v in column.tolist()]


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    values = [_json_column(frame.iloc[:, i]) for i in range(len(columns))]
    return [dict(zip(columns, record, strict=True)) for record in zip(*values, strict=True)]


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def table_answer(frame: pd.DataFrame, paging: Paging, name: str) -> Any:
    """The page of `frame` that `paging` asks for: a Page for JSON, else a file named `<name>.csv|parquet`."""
    first, count = paging.window(len(frame))
    part = frame.iloc[first:first + count]
    if paging.format == "json":
        return Page[dict[str, Any]](items=rows(part), limit=paging.limit or DEFAULT_PAGE_ROWS, offset=first,
                                    total=len(frame))
    headers = {"X-Total-Count": str(len(frame)),
               "Content-Disposition": f'attachment; filename="{name}.{paging.format}"'}
    if paging.format == "csv":
        return Response(to_csv_bytes(part), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(parquet_bytes(part), media_type="application/vnd.apache.parquet", headers=headers)


def _field_of(column: Column) -> tuple[Any, Any]:
    kind = _TYPES[column.type]
    return (kind if column.required else kind | None), Field(description=column.help, examples=[column.example])


def row_model(kind: str, name: str) -> type[BaseModel]:
    """The row of an import format (io.formats) as a pydantic model: a table's columns, types and help
    are declared once, in the format, and OpenAPI shows them from there."""
    fmt = get_format(kind)
    fields: dict[str, Any] = {c.name: _field_of(c) for c in fmt.columns}
    return create_model(name, __doc__=fmt.help, **fields)


class Message(BaseModel):
    """A short answer to a write that returns nothing else."""

    message: str = Field(description="what happened, in words")
