"""Every table on screen goes through here: headers, number formats and codes from the one catalogue
(genxsop_core.presentation), the index hidden and empty cells blank.

`show` draws a read-only table, `edit` an editable grid; a page passes `overrides` (column name ->
a st.column_config column) only for what the catalogue cannot know: editable options, a label that
depends on the page (the level of a grid), limits. Codes (models, stages, exceptions, reason codes)
are shown as words by `show`; `edit` leaves them as they are, since the grid's values go back to the
library.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from genxsop_core.config import Currency, load_currency
from genxsop_core.presentation.fields import Field, field, label
from genxsop_core.presentation.numbers import labelled_codes

# printf formats of the data grid (Streamlit's sprintf takes "," for thousands separators); percentages
# use the grid's own "percent" with a step of 0.001, which shows one decimal (17.9%)
_NUMBER_FORMATS = {"units": "%,.0f", "count": "%,d", "days": "%,.0f", "hours": "%,.0f", "ratio": "%,.2f",
                   "decimal": "%,.1f", "weeks": "%,.1f", "id": "%d"}


def column(name: str, currency: Currency | None = None, file_column: bool = False) -> Any:
    """The st.column_config column of a field, from its label, kind and help in the catalogue; `file_column`
    adds the column's name in an import or export file to the help."""
    found = field(name)
    if file_column:
        found = Field(found.label, found.kind, f"In the file: {name}" + (f". {found.help}" if found.help else ""))
    money = currency or load_currency()
    title = label(name)
    kind = found.kind
    if kind in ("money", "price"):
        return st.column_config.NumberColumn(title, help=found.help,
                                             format=f"{money.symbol}%,.{2 if kind == 'price' else 0}f")
    if kind == "percent":
        return st.column_config.NumberColumn(title, help=found.help, format="percent", step=0.001)
    if kind in _NUMBER_FORMATS:
        return st.column_config.NumberColumn(title, help=found.help, format=_NUMBER_FORMATS[kind])
    if kind == "datetime":
        return st.column_config.DatetimeColumn(title, help=found.help, format="YYYY-MM-DD HH:mm")
    if kind in ("date", "month"):
        return st.column_config.DateColumn(title, help=found.help,
                                           format="YYYY-MM-DD" if kind == "date" else "MMM YYYY")
    if kind == "flag":
        return st.column_config.CheckboxColumn(title, help=found.help)
    return st.column_config.TextColumn(title, help=found.help)


def _fits(kind: str, values: pd.Series) -> bool:
    """Whether a typed column suits the data: a number format on numbers, a date format on dates; any
    other column gets only its label (a text column on numbers would refuse to edit them)."""
    if kind in _NUMBER_FORMATS or kind in ("money", "price", "percent"):
        return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if kind in ("date", "datetime", "month"):
        return pd.api.types.is_datetime64_any_dtype(values) or values.map(
            lambda v: v is None or v != v or hasattr(v, "year")).all()
    return kind == "flag" and pd.api.types.is_bool_dtype(values)


def column_config(frame: pd.DataFrame, overrides: Mapping[str, Any] | None = None,
                  file_columns: bool = False) -> dict[str, Any]:
    """A column_config for every column: the catalogue's, then the page's overrides (None hides a column)."""
    currency = load_currency()
    config: dict[str, Any] = {
        str(c): column(str(c), currency, file_columns) if _fits(field(str(c)).kind, frame[c])
        else st.column_config.Column(label(str(c)), help=f"In the file: {c}" if file_columns else field(str(c)).help)
        for c in frame.columns}
    return config | dict(overrides or {})


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date cells (datetime.date objects) as timestamps, so the date columns format them; others stay."""
    out = frame
    for name in frame.columns:
        if field(str(name)).kind in ("date", "datetime", "month") and frame[name].dtype == object:
            converted = pd.to_datetime(frame[name], errors="coerce", utc=False, format="mixed")
            if converted.notna().sum() == frame[name].notna().sum():
                out = out.assign(**{str(name): converted})
    return out


def _tidy(data: Any) -> pd.DataFrame:
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return frame


def show(data: Any, key: str | None = None, *, column_order: Iterable[str] | None = None,
         overrides: Mapping[str, Any] | None = None, descriptions: Mapping[str, str] | None = None,
         file_columns: bool = False, hide_index: bool = True, **options: Any) -> Any:
    """A read-only table in the planner's words: labelled headers, formatted numbers, codes as words, blanks.
    `descriptions` gives reason codes their description ("PROMO · Promotion planned"); `file_columns` (a
    preview of an import or export file) keeps codes as they are in the file and names each file column in
    its header's help."""
    frame = _tidy(data) if file_columns else labelled_codes(_tidy(data), descriptions)
    frame = _dates(frame)
    return st.dataframe(frame, key=key, hide_index=hide_index, column_order=column_order,
                        column_config=column_config(frame, overrides, file_columns), placeholder="", **options)


def edit(data: pd.DataFrame, key: str | None = None, *, column_order: Iterable[str] | None = None,
         overrides: Mapping[str, Any] | None = None, hide_index: bool = True, **options: Any) -> pd.DataFrame:
    """An editable grid with the catalogue's headers and formats; the values it returns are the library's."""
    frame = _tidy(data)
    return st.data_editor(frame, key=key, hide_index=hide_index, column_order=column_order,
                          column_config=column_config(frame, overrides), placeholder="", **options)
