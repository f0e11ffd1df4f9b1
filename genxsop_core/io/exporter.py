"""Export services and file writing: the same tables, in the import format, as CSV or XLSX.

Text cells that a spreadsheet would run as a formula (=, +, -, @, tab or CR at the start)
are prefixed with a quote, so an export opened in Excel never executes what a user typed;
an import drops that quote again, so an export re-imports unchanged.
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from genxsop_core.domain.states import PlanKind
from genxsop_core.io.formats import FORMULA_STARTS, FileFormat, get_format
from genxsop_core.io.tables import BINDINGS
from genxsop_core.persistence.unit_of_work import UnitOfWork


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


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # CRLF rows (RFC 4180) make the writer quote a cell holding a lone CR too: unquoted, a
    # spreadsheet starts a new row there, and the rest of the cell would begin it unneutralised.
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str, notes: pd.DataFrame | None = None) -> bytes:
    sheets = {sheet_name: frame} if notes is None else {sheet_name: frame, "Columns": notes}
    return workbook_bytes(sheets)


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One XLSX with a sheet per table (names cut to Excel's 31 characters), text cells neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _without_control_characters(neutralise_formulas(frame)).to_excel(writer, sheet_name=name[:31],
                                                                             index=False)
    return buffer.getvalue()


def encode(frame: pd.DataFrame, file_type: str, sheet_name: str, notes: pd.DataFrame | None = None) -> bytes:
    if file_type == "csv":
        return to_csv_bytes(frame)
    if file_type == "xlsx":
        return to_xlsx_bytes(frame, sheet_name, notes)
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
