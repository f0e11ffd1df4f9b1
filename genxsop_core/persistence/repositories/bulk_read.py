"""Large query results as frames, without a Python object per date and a Row per row.

SQLAlchemy builds a Row for every result row and turns each date and timestamp into a Python
object, which pandas then parses once more: a 5,000-SKU x 52-week plan (260,000 rows) took
3.4 s to read that way, most of it in those objects. Here dates and timestamps leave the database
as numbers (`epoch_days`, `epoch_microseconds`, compiled for each dialect), the query still runs
through SQLAlchemy (binds, events, the session's transaction), the rows are fetched as the
driver's plain tuples, and numpy converts whole columns. bench/api.py prints the figures.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, Float, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_MICROSECONDS = "us"


class epoch_days(FunctionElement[int]):  # noqa: N801 # an SQL function's name, as sqlalchemy's own
    """Days from 1970-01-01 to a DATE column."""

    type = BigInteger()
    inherit_cache = True


class epoch_microseconds(FunctionElement[int]):  # noqa: N801
    """Microseconds from 1970-01-01 00:00 UTC to a timestamp column (stored in UTC)."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_days)
def _epoch_days(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday of a date is its midnight (n + 0.5): the difference is a whole number
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(epoch_microseconds)
def _epoch_microseconds(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"


@compiles(epoch_microseconds, "sqlite")
def _epoch_microseconds_sqlite(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here): whole seconds, then the six digits
    column = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"


def read_frame(session: Session, query: Select, dates: Iterable[str] = (),
               timestamps: Iterable[str] = ()) -> pd.DataFrame:
    """The rows of `query` as a frame. Columns named in `dates` must be selected as `epoch_days(...)`
    and come back as datetime64 days; those in `timestamps` as `epoch_microseconds(...)`, returned
    in UTC. Boolean columns come back as bool (SQLite stores 0 and 1); others as the driver gives
    them (floats as float64, NULL as NaN), so select plain numbers and text."""
    result = session.connection().execute(query)  # Core, in the session's transaction: a CursorResult
    try:
        keys = list(result.keys())
        values = result.cursor.fetchall()  # the driver's tuples, no Row objects
    finally:
        result.close()
    frame = pd.DataFrame.from_records(values, columns=keys, coerce_float=True) if values \
        else pd.DataFrame({key: pd.Series(dtype=object) for key in keys})
    for name in dates:
        frame[name] = pd.to_datetime(np.asarray(frame[name], dtype=float), unit="D")
    for name in timestamps:
        frame[name] = pd.to_datetime(np.asarray(frame[name], dtype=float), unit=_MICROSECONDS, utc=True)
    for column in query.selected_columns:
        if isinstance(column.type, Boolean):
            frame[column.key] = frame[column.key].astype(bool)
        elif isinstance(column.type, Float):  # a column of NULLs only would stay None objects
            frame[column.key] = frame[column.key].astype(float)
    return frame
