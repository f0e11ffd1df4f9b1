"""Export services and file writing: the same tables, in the import format, as CSV or XLSX.

Text cells that a spreadsheet would run as a formula (=, +, -, @, tab or CR at the start)
are prefixed with a quote, so an export opened in Excel never executes what a user typed;
an import drops that quote again, so an export re-imports unchanged.

Every XLSX is laid out for a planner (`lay_out`): each column's number format from its kind in
the field catalogue (genxsop_core.presentation: #,##0 for units, 0.0% for rates, the currency for
money), dates without a time, widths fitted to the contents and the header row frozen. A report
(`labelled=True`: the meeting pack, the inventory policy) also has the catalogue's headers
("Money at risk (EUR)") and codes in words; a file in an import format keeps its column names and
values, so it still imports. CSV keeps machine-readable values (no separators, no symbols).
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from genxsop_core.config import Currency, load_currency
from genxsop_core.domain.states import PlanKind
from genxsop_core.io.formats import FORMULA_STARTS, FileFormat, get_format
from genxsop_core.io.tables import BINDINGS
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.presentation.fields import field, label
from genxsop_core.presentation.numbers import excel_format, format_value, labelled_codes

MAX_WIDTH = 60  # characters: a longer text runs past the column edge instead of widening it
_SAMPLE_ROWS = 2000  # widths are fitted on the first rows: a long plan's later rows look the same


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Quote text cells that spreadsheets would evaluate (CSV/formula injection)."""
    safe = frame.copy()
    for column in safe.columns:
        if _is_text(safe[column]):
            safe[column] = safe[column].astype(object).map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def _without_control_characters(frame: pd.DataFrame) -> pd.DataFrame:
    """XLSX cannot hold most control characters (openpyxl raises): show each as U+FFFD instead."""
    clean = frame.copy()
    for column in clean.columns:
        if _is_text(clean[column]):
            clean[column] = clean[column].astype(object).map(
                lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v)
    return clean


def _export(uow: UnitOfWork, kind: str, **scope: object) -> pd.DataFrame:
    """The rows of `kind` in import format, inside an open unit of work (supply: the working supply plan)."""
    if kind == "supply":
        version = uow.plans.latest_working(PlanKind.SUPPLY)
        scope["plan_version_id"] = version.id if version else None
    binding = BINDINGS[kind]
    frame = uow.tables.export(binding.model, binding.fields, binding.lookups, binding.key, scope)
    return frame.reindex(columns=get_format(kind).column_names)


def export_frame(uow: UnitOfWork, kind: str) -> pd.DataFrame:
    """The table of `kind` in import format (supply: the working supply plan)."""
    with uow:
        return _export(uow, kind)


def labelled_frame(frame: pd.DataFrame, currency: Currency | None = None,
                   descriptions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A report's frame: codes in words and the catalogue's headers, money headers naming the currency."""
    code = (currency or load_currency()).code
    shown = labelled_codes(frame, descriptions)
    shown.columns = [label(str(c), code) for c in frame.columns]
    return shown


def to_csv_bytes(frame: pd.DataFrame, labelled: bool = False) -> bytes:
    """The frame as CSV: formulas neutralised, zoned timestamps in UTC without the zone (as in XLSX, and
    what a spreadsheet reads as a date; pandas writes a zoned column cell by cell, 0.8 s of a 260,000-row
    plan's 1.7 s)."""
    # CRLF rows (RFC 4180) make the writer quote a cell holding a lone CR too: unquoted, a
    # spreadsheet starts a new row there, and the rest of the cell would begin it unneutralised.
    shown = labelled_frame(frame) if labelled else frame
    zoned = [c for c in shown.columns if isinstance(shown[c].dtype, pd.DatetimeTZDtype)]
    if zoned:
        shown = shown.assign(**{c: shown[c].dt.tz_convert("UTC").dt.tz_localize(None) for c in zoned})
    return neutralise_formulas(shown).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str, notes: pd.DataFrame | None = None,
                  labelled: bool = False) -> bytes:
    sheets = {sheet_name: frame} if notes is None else {sheet_name: frame, "Columns": notes}
    return workbook_bytes(sheets, labelled=labelled)


def _naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetimes in UTC without a zone (Excel has none; PostgreSQL returns them zoned)."""
    def cell(v: object) -> object:
        return pd.Timestamp(v).tz_convert("UTC").tz_localize(None) if isinstance(v, datetime) and v.tzinfo else v
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
        elif out[column].dtype == object:
            out[column] = out[column].map(cell)
    return out


def workbook_bytes(sheets: Mapping[str, pd.DataFrame], labelled: bool = False,
                   descriptions: Mapping[str, str] | None = None,
                   row_kinds: Mapping[str, pd.Series] | None = None) -> bytes:
    """One XLSX with a sheet per table (names cut to Excel's 31 characters), text cells neutralised, each
    sheet laid out (`lay_out`). `labelled`: the catalogue's headers and codes in words (`descriptions` for
    reason codes). `row_kinds`: per sheet, the kind of each row where one column mixes kinds (a KPI's value
    is a rate on one row and days on the next)."""
    currency = load_currency()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            plain = _naive(frame)
            shown = labelled_frame(plain, currency, descriptions) if labelled else plain
            _without_control_characters(neutralise_formulas(shown)).to_excel(writer, sheet_name=name[:31],
                                                                             index=False)
            lay_out(writer.sheets[name[:31]], plain, currency, (row_kinds or {}).get(name))
    return buffer.getvalue()


def lay_out(sheet: Worksheet, frame: pd.DataFrame, currency: Currency,
            row_kinds: pd.Series | None = None) -> None:
    """Number formats by the catalogue's kind of each column of `frame` (the sheet's data, in its order),
    dates without a time unless the field is a moment, widths fitted, the header row frozen."""
    sheet.freeze_panes = "A2"
    for index, name in enumerate(frame.columns, start=1):
        kind = field(str(name)).kind
        widths = [len(str(sheet.cell(row=1, column=index).value or ""))]
        for offset, (cell,) in enumerate(sheet.iter_rows(min_row=2, min_col=index, max_col=index)):
            shown_kind: str = kind
            if row_kinds is not None and offset < len(row_kinds) and kind in ("decimal", "units"):
                shown_kind = str(row_kinds.iloc[offset])
            value = cell.value
            if isinstance(value, datetime):
                moment = shown_kind == "datetime" and value.time() != time(0)
                cell.number_format = "yyyy-mm-dd hh:mm" if moment else "yyyy-mm-dd"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                number_format = excel_format(shown_kind, currency)
                if number_format:
                    cell.number_format = number_format
            if offset < _SAMPLE_ROWS and value is not None:
                widths.append(len(format_value(value, shown_kind, currency) if not isinstance(value, str)
                                  else max(value.split("\n"), key=len)))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widths) + 2, MAX_WIDTH)


def encode(frame: pd.DataFrame, file_type: str, sheet_name: str, notes: pd.DataFrame | None = None,
           labelled: bool = False) -> bytes:
    """CSV or XLSX of a frame; `labelled` (a report, not an import file): the catalogue's headers."""
    if file_type == "csv":
        return to_csv_bytes(frame, labelled)
    if file_type == "xlsx":
        return to_xlsx_bytes(frame, sheet_name, notes, labelled)
    raise ValueError(f"file type must be csv or xlsx, not {file_type!r}")


def column_notes(fmt: FileFormat) -> pd.DataFrame:
    """What each column means: the second sheet of a template."""
    return pd.DataFrame([
        {"column": c.name, "required": "yes" if c.required else "no", "type": c.type,
         "allowed": ", ".join(c.choices) if c.choices else "", "description": c.help}
        for c in fmt.columns
    ])


def loaded_example(uow: UnitOfWork, kind: str) -> pd.DataFrame | None:
    """One row of the loaded data of `kind` in its file's columns (for SKU tables: the latest row of
    the first SKU that has one), or None while there is none. A template starting from it names a
    SKU and resource the planner knows, and imported unchanged it changes nothing."""
    per_sku = "sku" in BINDINGS[kind].lookups and kind != "routings"  # the big tables: read one SKU's rows
    with uow:
        ids = uow.products.ids_by_sku() if per_sku else {}
        rows = _export(uow, kind, product_id=ids[min(ids)]).tail(1) if ids else pd.DataFrame()
        if rows.empty:  # a small table, or the first SKU has no rows: any row will do
            rows = _export(uow, kind).head(1)
    return rows.reset_index(drop=True) if not rows.empty else None


def template(kind: str, file_type: str, uow: UnitOfWork | None = None) -> bytes:
    """An import template: the header, one example row, and (xlsx) a sheet describing columns. Given
    the database, the example row is a row of the loaded data (`loaded_example`) when there is one."""
    fmt = get_format(kind)
    example = loaded_example(uow, kind) if uow is not None else None
    if example is None:
        example = pd.DataFrame([{c.name: c.example for c in fmt.columns}], columns=fmt.column_names)
    return encode(example, file_type, fmt.title, column_notes(fmt))
