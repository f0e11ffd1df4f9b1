"""Hostile import files for the property tests: a sheet model, its CSV/XLSX bytes, an oracle, a sandbox.

A `Sheet` is what a planner's spreadsheet holds: a header and rows of cells (None is a blank
row). `csv_bytes` and `xlsx_bytes` write it the way Excel would; `expected_rows` says, for a
sheet that should import, what each row must read back as (the oracle of the round trip).
`Sandbox` resets a test database to the same small company before every example and
fingerprints every table, so a refused import can be shown to have written nothing.
"""
from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl
import sqlalchemy as sa
from hypothesis import strategies as st

from genxsop_core.domain.models import Base
from genxsop_core.domain.permissions import Actor
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS, FORMULA_STARTS, Column, FileFormat
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork

ADMIN = Actor("alice", ("admin",))
SKUS = ("A-1", "A-2", "B-1")
RESOURCES = ("LINE-1", "LINE-2")
KINDS = tuple(FORMATS)

# The company every example starts from: each kind has a row that an import may update.
BASE_FILES = {
    "products": "sku,name,category,family,unit_cost,unit_price\nA-1,Apple juice,Beverages,Juice,1,2\n"
                "A-2,Orange juice,Beverages,Juice,1.2,2.4\nB-1,Crisps,Snacks,Salty,0.5,1.5\n",
    "resources": "resource,name,capacity_hours\nLINE-1,Filling line,80\nLINE-2,Packing line,40\n",
    "routings": "sku,resource,hours_per_unit\nA-1,LINE-1,0.01\n",
    "demand": "sku,period,ordered_qty\nA-1,2025-01-06,100\n",
    "inventory": "sku,snapshot_date,on_hand\nA-1,2025-01-19,300\n",
    "supply": "sku,period,planned_receipts\nA-1,2025-02-03,500\n",
}

_TRUE = {"1", "true", "yes", "y", "x", "1.0"}
FORMULAS = ("=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3", '=HYPERLINK("http://evil.example","click")',
            "=1+1", "'; DROP TABLE product; --")
# Text a planner may legitimately store: it must import as typed (bar an export's quote) and export neutralised.
ODD_BUT_VALID_TEXT = FORMULAS + (
    "'=quoted by an export", "'; not a formula", "Café crème 250ml", "名前", "😀 emoji", "tab\tinside", "two\nlines",
    "a,b;c\t\"d\"", "\u00a0padded\u00a0", "\x7f del", "\u202eright-to-left", "\ufeffbom", "NA", "null", "None", "N/A",
    "nan")
# Cells no number column may accept, whatever its range.
NOT_NUMBERS = ("abc", "NaN", "nan", "inf", "-Infinity", "1e400", "-1e400", "=1+1", "@SUM(A1)", "1,5", "12abc",
               "0x10", "1" + "0" * 400)
NOT_DATES = ("2025-13-01", "2025-02-30", "yesterday", "=TODAY()", "06/01/2025", "0000-01-01", "45000")
NOT_BOOLS = ("maybe", "2", "=TRUE()", "-1", "oui")
CONTROL_CHARACTERS = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f")


@dataclass
class Sheet:
    """A header and rows of cells; a None row is blank. Row numbers are as a spreadsheet shows them."""

    header: list[str]
    rows: list[list[Any] | None]
    canonical: list[str | None] = field(default_factory=list)  # header as the format names it

    def __post_init__(self) -> None:
        if not self.canonical:
            self.canonical = list(self.header)

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2

    @property
    def last_row(self) -> int:
        return len(self.rows) + 1


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_bytes(sheet: Sheet, newline: str = "\n", bom: bool = False, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, delimiter=delimiter)
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow([] if row is None else [csv_text(v) for v in row])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(sheet: Sheet) -> bytes:
    """As Excel saves it: text that looks like a formula is a text cell, not a formula."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Sheet1"
    for r, row in enumerate([sheet.header, *sheet.rows], start=1):
        for c, value in enumerate(row or [], start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_bytes(sheet: Sheet, file_type: str, **csv_options: Any) -> bytes:
    return xlsx_bytes(sheet) if file_type == "xlsx" else csv_bytes(sheet, **csv_options)


def patch_xlsx(content: bytes, old: bytes, new: bytes) -> bytes:
    """Edit the sheet XML directly: how to write what openpyxl refuses to (a 400-digit number)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, body.replace(old, new) if item.filename.startswith("xl/worksheets/") else body)
    return out.getvalue()


# --- the oracle: what a valid cell must read back as --------------------------------------

def as_read(value: Any, file_type: str) -> Any:
    """A cell as the reader hands it over: CSV is all text; Excel turns dates into datetimes."""
    if file_type == "csv":
        return csv_text(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return None  # openpyxl writes NaN and infinity as an empty cell
        written = f"{value:.16g}"  # what openpyxl (like Excel) keeps of a number: 16 digits
        return float(written) if any(c in written for c in ".eE") else int(written)
    return value


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def expected_cell(column: Column, value: Any) -> Any:
    """The typed value of a cell the importer accepted (None where the default applies)."""
    if _blank(value):
        return column.default
    if column.type == "text":
        text = str(value).strip()
        return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text  # an export's quote
    if column.type == "number":
        return float(value.strip()) if isinstance(value, str) else float(value)
    if column.type == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return datetime.strptime(str(value).strip()[:10], "%Y-%m-%d").date()
    return str(value).strip().lower() in _TRUE


def expected_rows(fmt: FileFormat, sheet: Sheet, file_type: str) -> dict[tuple, dict[str, Any]]:
    """Key -> the row as the export must show it, for a sheet the importer accepted."""
    rows = {}
    for cells in sheet.rows:
        if cells is None or all(_blank(as_read(v, file_type)) for v in cells):
            continue
        assert len(cells) <= len(sheet.header), "a row longer than the header was accepted"
        given = dict(zip(sheet.canonical, [as_read(v, file_type) for v in cells]))
        row = {c.name: expected_cell(c, given.get(c.name)) for c in fmt.columns}
        if fmt.kind == "demand":
            row["shipped_qty"] = row["ordered_qty"] if row["shipped_qty"] is None else row["shipped_qty"]
            otif = row["shipped_on_time_in_full_qty"]
            row["shipped_on_time_in_full_qty"] = row["shipped_qty"] if otif is None else otif
        rows[tuple(row[k] for k in fmt.key)] = row
    return rows


def exported_rows(uow: UnitOfWork, fmt: FileFormat) -> dict[tuple, dict[str, Any]]:
    frame = exporter.export_frame(uow, fmt.kind)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return {tuple(r[k] for k in fmt.key): r for r in records}


# --- strategies ---------------------------------------------------------------------------

_MONDAY = date(2000, 1, 3)
_TEXT_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\u2028\u2029") \
    | st.sampled_from("\t\n\x7f\x85")


def header_variants(name: str) -> st.SearchStrategy[str]:
    """Spellings of a column name a spreadsheet may carry; all normalise to `name`."""
    return st.sampled_from([name, name.upper(), name.replace("_", " ").title(), f" {name} ", name.replace("_", "-")])


def valid_text(column: Column) -> st.SearchStrategy[str]:
    if column.choices:
        return st.sampled_from(column.choices).flatmap(lambda c: st.sampled_from([c, f" {c} "]))
    if column.name in ("sku",) and column is not FORMATS["products"].column("sku"):
        return st.sampled_from(SKUS)
    if column.name == "resource" and column is FORMATS["routings"].column("resource"):
        return st.sampled_from(RESOURCES)
    limit = column.max_length or 200
    return st.one_of(
        st.text(_TEXT_CHARACTERS, min_size=1, max_size=min(limit, 24)),
        st.sampled_from(ODD_BUT_VALID_TEXT),
        st.sampled_from(["x" * limit, "é" * limit, "😀" * limit, " " + "y" * limit + " "]),
        st.sampled_from(SKUS + RESOURCES),
    ).filter(lambda s: s.strip() and len(s.strip()) <= limit)


def valid_number(column: Column, file_type: str) -> st.SearchStrategy[Any]:
    low = column.minimum if column.minimum is not None else -1e308
    high = column.maximum
    in_range = [x for x in (0, 0.0, 0.1, 1e308, 1.7976931348623157e308, 10 ** 30, 5e-324, 2.2250738585072014e-308)
                if x >= low and (high is None or x <= high)]
    numbers = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    if in_range:
        numbers |= st.sampled_from(in_range)
    if high is None or math.floor(high) >= math.ceil(low):
        numbers |= st.integers(min_value=math.ceil(max(low, -1e18)),
                               max_value=10 ** 18 if high is None else math.floor(high))
    if file_type == "csv":
        return numbers.flatmap(lambda x: st.sampled_from([str(x), f" {x} ", repr(float(x))]))
    # openpyxl keeps 16 digits, so the largest doubles round up beyond the float range: not valid
    return (numbers | numbers.map(str)).filter(lambda x: math.isfinite(float(f"{float(x):.16g}")))


def valid_date(column: Column, fmt: FileFormat, file_type: str) -> st.SearchStrategy[Any]:
    if fmt.date_is_bucket == column.name:
        days = st.integers(0, 5000).map(lambda n: _MONDAY + timedelta(weeks=n))
    else:
        days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
    return days | days.map(date.isoformat) | days.map(lambda d: f"{d.isoformat()} 00:00:00")


def valid_bool(file_type: str) -> st.SearchStrategy[Any]:
    words = st.sampled_from(["1", "0", "yes", "no", "TRUE", "false", "Y", "n", "x", "1.0", "0.0", " 1 "])
    return words | st.booleans() if file_type == "xlsx" else words


def valid_cell(fmt: FileFormat, column: Column, file_type: str) -> st.SearchStrategy[Any]:
    if column.type == "text":
        cell = valid_text(column)
    elif column.type == "number":
        cell = valid_number(column, file_type)
    elif column.type == "date":
        cell = valid_date(column, fmt, file_type)
    else:
        cell = valid_bool(file_type)
    return cell if column.required else cell | st.sampled_from([None, "", "  "])


def invalid_cells(fmt: FileFormat, column: Column, file_type: str) -> st.SearchStrategy[Any]:
    """Cells `column` must refuse, each at its own row and column."""
    options: list[st.SearchStrategy[Any]] = []
    if column.required:
        options.append(st.sampled_from([None, "", "   "]))
    if column.type == "text":
        limit = column.max_length or 200
        options.append(st.integers(1, 40).map(lambda n: "z" * (limit + n)))
        options.append(st.just("w" * 100_000))
        if file_type == "csv":  # Excel cannot store control characters at all
            options.append(st.tuples(st.sampled_from(CONTROL_CHARACTERS[1:]), st.sampled_from(SKUS))
                           .map(lambda t: t[1][:1] + t[0] + t[1][1:]))
        if column.choices:
            options.append(st.sampled_from(["bogus", column.choices[0].upper(), FORMULAS[0]]))
        if column.name in ("sku", "resource") and fmt.kind not in ("products", "resources"):
            options.append(st.sampled_from(["NOPE", "a-1", FORMULAS[0], "A-1x"]))
    elif column.type == "number":
        options.append(st.sampled_from(NOT_NUMBERS))
        if column.minimum is not None:
            options.append(st.sampled_from([-1e300, -1e308, -1, -5e-324, column.minimum - 0.001]).map(
                lambda x: str(x) if file_type == "csv" else x))
        if column.maximum is not None:
            options.append(st.sampled_from([1e308, column.maximum + 0.001]).map(
                lambda x: str(x) if file_type == "csv" else x))
        if file_type == "xlsx":
            options.append(st.sampled_from([True, datetime(2025, 1, 6), "1e400"]))
    elif column.type == "date":
        options.append(st.sampled_from(NOT_DATES))
        if fmt.date_is_bucket == column.name:
            options.append(st.integers(0, 5000).map(lambda n: _MONDAY + timedelta(weeks=n, days=1))
                           .map(lambda d: d if file_type == "xlsx" else d.isoformat()))
    else:
        options.append(st.sampled_from(NOT_BOOLS))
    return st.one_of(options)


@st.composite
def valid_sheets(draw: st.DrawFn, fmt: FileFormat, file_type: str, max_rows: int = 6) -> Sheet:
    """A sheet the importer must accept: required columns, some optional ones, unique keys."""
    optional = [c.name for c in fmt.columns if not c.required]
    names = [c.name for c in fmt.columns if c.required] + draw(st.lists(st.sampled_from(optional), unique=True)
                                                             if optional else st.just([]))
    names = draw(st.permutations(names))
    header = [draw(header_variants(n)) for n in names]
    row = st.fixed_dictionaries({n: valid_cell(fmt, fmt.column(n), file_type) for n in names})
    records = draw(st.lists(row, min_size=1, max_size=max_rows,
                            unique_by=lambda r: tuple(str(expected_cell(fmt.column(k), as_read(r.get(k), file_type)))
                                                      for k in fmt.key)))
    if fmt.kind == "demand":
        records = [_consistent_demand(r, file_type) for r in records]
    rows: list[list[Any] | None] = [[r[n] for n in names] for r in records]
    for _ in range(draw(st.integers(0, 2))):  # blank rows keep their numbers
        rows.insert(draw(st.integers(0, len(rows))), None)
    return Sheet(header, rows, names)


def _consistent_demand(record: dict[str, Any], file_type: str) -> dict[str, Any]:
    """OTIF may not exceed shipped (which defaults to ordered): blank it where it would."""
    fmt = FORMATS["demand"]
    values = {k: expected_cell(fmt.column(k), as_read(record.get(k), file_type)) for k in
              ("ordered_qty", "shipped_qty", "shipped_on_time_in_full_qty")}
    shipped = values["ordered_qty"] if values["shipped_qty"] is None else values["shipped_qty"]
    if values["shipped_on_time_in_full_qty"] is not None and values["shipped_on_time_in_full_qty"] > shipped:
        return {**record, "shipped_on_time_in_full_qty": None}
    return record


_RESTORED = [t for t in Base.metadata.sorted_tables if t.name != "audit_log"]


# --- the database -------------------------------------------------------------------------

class Sandbox:
    """A test database holding the base company, restored before each example in one transaction.

    The audit log is append-only (a trigger refuses deletes), so it only grows; fingerprints
    taken before and after one import still show whether that import wrote anything.
    """

    def __init__(self, url: str):
        self.url = url
        self.engine = get_engine(url)
        for kind, text in BASE_FILES.items():
            importer.import_file(self.uow(), ADMIN, kind, f"base_{kind}.csv", text.encode())
        self.base = self._rows()
        self.dirty = False  # set by whoever imports successfully; only then is there anything to restore

    def uow(self) -> UnitOfWork:
        return UnitOfWork(get_session_factory(self.url))

    def _rows(self) -> dict[str, list[dict[str, Any]]]:
        with self.engine.connect() as connection:
            return {t.name: [dict(r) for r in connection.execute(sa.select(t).order_by(*t.primary_key)).mappings()]
                    for t in Base.metadata.sorted_tables}

    def restore(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        with self.engine.begin() as connection:
            for table in reversed(_RESTORED):
                connection.execute(table.delete())
            for table in _RESTORED:
                if self.base[table.name]:
                    connection.execute(table.insert(), self.base[table.name])

    def fingerprint(self) -> dict[str, list[str]]:
        """Every row of every table, as text: equal fingerprints mean nothing was written."""
        return {name: sorted(repr(sorted(r.items())) for r in rows) for name, rows in self._rows().items()}
