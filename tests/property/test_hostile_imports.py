"""Hostile files at every importer, on SQLite and PostgreSQL (issue 8, "Bad input").

The property: `import_file` either returns an ImportResult whose rows read back from the
database equal the file's, or raises ValidationFailed whose every issue names the file (and
the row and column where there is one) - never another exception, never a partial write.
PostgreSQL matters here: unlike SQLite it enforces String(n) lengths and refuses NUL bytes.
"""
from __future__ import annotations

import io
import math
import os
import random
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from genxsop_core.domain.exceptions import ValidationFailed
from genxsop_core.io import importer
from genxsop_core.io.formats import FORMATS, MAX_FILE_NAME_LENGTH
from genxsop_core.io.readers import normalise_header
from genxsop_core.io.tables import BINDINGS
from genxsop_core.persistence.db import get_engine
from genxsop_core.persistence.migrate import upgrade_database
from tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_AVAILABLE, _drop_postgres, _fresh_postgres_url
from tests.property.hostile_files import (
    ADMIN,
    FORMULAS,
    KINDS,
    SKUS,
    Sandbox,
    Sheet,
    csv_bytes,
    expected_cell,
    expected_rows,
    exported_rows,
    file_bytes,
    invalid_cells,
    patch_xlsx,
    valid_cell,
    valid_sheets,
    xlsx_bytes,
)

# Modest by default (the suite shares a small machine); HYPOTHESIS_MAX_EXAMPLES=500 for a deep run.
# No shrinking: every example touches a database, and a failure prints the file it drew in full.
PROPERTY = settings(max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "20")), deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One database per backend for the module (as conftest's `database_url`, created once), reset per test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENXSOP_BUCKET", "week")
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'genxsop.db'}"
        elif POSTGRES_AVAILABLE:
            url = _fresh_postgres_url()
        else:
            pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
        upgrade_database(url)
        yield Sandbox(url)
        if request.param == "sqlite":
            get_engine(url).dispose()
        else:
            _drop_postgres(url)


@pytest.fixture
def sandbox(database: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("GENXSOP_BUCKET", "week")
    database.restore()
    return database


def refused(sandbox: Sandbox, kind: str, filename: str, content: bytes) -> ValidationFailed:
    """Import what must be refused: check it is, that each issue is located, and that nothing changed."""
    before = sandbox.fingerprint()
    with pytest.raises(ValidationFailed) as caught:
        importer.import_file(sandbox.uow(), ADMIN, kind, filename, content)
        sandbox.dirty = True
    assert caught.value.issues
    for issue in caught.value.issues:
        assert issue.file == filename, issue
        assert issue.message, issue
    assert sandbox.fingerprint() == before
    return caught.value


def import_or_refuse(sandbox: Sandbox, kind: str, filename: str, content: bytes):
    """The property itself: an ImportResult that touched only its own table, or a clean refusal."""
    before = sandbox.fingerprint()
    try:
        result = importer.import_file(sandbox.uow(), ADMIN, kind, filename, content)
        sandbox.dirty = True
    except ValidationFailed as error:
        assert error.issues and all(i.file == filename and i.message for i in error.issues), error.issues
        assert sandbox.fingerprint() == before
        return error
    after = sandbox.fingerprint()
    target = BINDINGS[kind].model.__tablename__
    untouched = set(before) - {target, "audit_log", "data_generation"}
    assert {t: after[t] for t in untouched} == {t: before[t] for t in untouched}
    # the page caches' generation counters move with a change, and only then
    assert (after["data_generation"] != before["data_generation"]) == bool(result.inserted or result.updated)
    assert result.rows == result.inserted + result.updated + result.unchanged
    assert len(after[target]) == len(before[target]) + result.inserted
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1
    return result


def assert_stored(stored: dict[tuple, dict], expected: dict[tuple, dict]) -> None:
    """Rows read back equal the file's; a number counts as unchanged within the importer's tolerance
    (`importer._same`: 1e-9 relative or absolute), so an existing 0.0 stays 0.0 for a file's 4e-268."""
    for key, row in expected.items():
        assert key in stored, key
        for name, value in row.items():
            got = stored[key][name]
            if isinstance(value, float) and isinstance(got, float):
                assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-9), (key, name, got, value)
            else:
                assert got == value, (key, name, got, value)


def located(error: ValidationFailed) -> set[tuple[int | None, str | None]]:
    return {(i.row, i.column) for i in error.issues}


# --- properties ----------------------------------------------------------------------------

@PROPERTY
@given(data=st.data())
def test_a_valid_file_imports_exactly_and_a_second_import_changes_nothing(sandbox, data):
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    file_type = data.draw(st.sampled_from(["csv", "xlsx"]), label="file_type")
    fmt = FORMATS[kind]
    sheet = data.draw(valid_sheets(fmt, file_type), label="sheet")
    options = data.draw(st.fixed_dictionaries({"newline": st.sampled_from(["\n", "\r\n"]), "bom": st.booleans()}))
    content = file_bytes(sheet, file_type, **(options if file_type == "csv" else {}))
    sandbox.restore()

    result = import_or_refuse(sandbox, kind, f"upload.{file_type}", content)

    assert not isinstance(result, ValidationFailed), [str(i) for i in result.issues]
    expected = expected_rows(fmt, sheet, file_type)
    assert result.rows == len(expected)
    stored = exported_rows(sandbox.uow(), fmt)
    assert_stored(stored, expected)
    again = importer.import_file(sandbox.uow(), ADMIN, kind, f"again.{file_type}", content)
    sandbox.dirty = True
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, result.rows)


@st.composite
def sheets_with_one_defect(draw: st.DrawFn, fmt, file_type: str) -> tuple[Sheet, tuple[int, str]]:
    """A valid sheet spoilt in one place, and the (row, column) an issue must name."""
    sheet = draw(valid_sheets(fmt, file_type))
    filled = [i for i, row in enumerate(sheet.rows) if row is not None]
    defect = draw(st.sampled_from(["cell", "cell", "cell", "duplicate", "missing column", "unknown column"]))
    if defect == "cell":
        index = draw(st.sampled_from(filled))
        position = draw(st.integers(0, len(sheet.header) - 1))
        column = fmt.column(sheet.canonical[position])
        sheet.rows[index][position] = draw(invalid_cells(fmt, column, file_type))
        return sheet, (Sheet.row_number(index), column.name)
    if defect == "duplicate":
        sheet.rows.append(list(sheet.rows[draw(st.sampled_from(filled))]))
        return sheet, (sheet.last_row, fmt.key[-1])
    if defect == "missing column":
        position = draw(st.sampled_from([i for i, n in enumerate(sheet.canonical) if fmt.column(n).required]))
        name = sheet.canonical[position]
        keep = [i for i in range(len(sheet.header)) if i != position]
        rows = [None if r is None else [r[i] for i in keep] for r in sheet.rows]
        return Sheet([sheet.header[i] for i in keep], rows, [sheet.canonical[i] for i in keep]), (1, name)
    header = draw(st.sampled_from(["colour", "Colour ", "unit cost (EUR)", FORMULAS[0], "名前"]))
    value = draw(valid_cell(fmt, fmt.columns[0], file_type))
    rows = [None if r is None else [*r, value] for r in sheet.rows]
    return Sheet([*sheet.header, header], rows, [*sheet.canonical, None]), (1, normalise_header(header))


@PROPERTY
@given(data=st.data())
def test_a_file_with_one_bad_cell_or_column_is_refused_naming_it_and_writes_nothing(sandbox, data):
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    file_type = data.draw(st.sampled_from(["csv", "xlsx"]), label="file_type")
    fmt = FORMATS[kind]
    sheet, where = data.draw(sheets_with_one_defect(fmt, file_type), label="sheet")
    content = file_bytes(sheet, file_type)
    sandbox.restore()

    error = refused(sandbox, kind, f"upload.{file_type}", content)

    assert where in located(error), [str(i) for i in error.issues]
    for issue in error.issues:
        assert issue.row is not None and 1 <= issue.row <= sheet.last_row, issue
        assert issue.column is not None, issue


_JUNK_HEADERS = ["", "colour", "Unnamed: 0", FORMULAS[0], "sku.1", "名前", "\x00sku", "=SUM(A1:A9)", "a;b", "x" * 300]


@st.composite
def chaotic_sheets(draw: st.DrawFn, fmt, file_type: str) -> Sheet:
    """Anything a spreadsheet can hold: odd headers, ragged rows, any cell in any column."""
    names = [c.name for c in fmt.columns] + [n for f in FORMATS.values() for n in f.column_names]
    junk = _JUNK_HEADERS if file_type == "csv" else [h for h in _JUNK_HEADERS if h.isprintable()]
    pairs = draw(st.lists(st.one_of(st.sampled_from(names).map(lambda n: (n, n)),
                                    st.sampled_from(junk).map(lambda h: (h, None))),
                          min_size=0, max_size=9))
    columns = list(fmt.columns)
    cell = st.one_of(
        st.sampled_from(columns).flatmap(lambda c: valid_cell(fmt, c, file_type)),
        st.sampled_from(columns).flatmap(lambda c: invalid_cells(fmt, c, file_type)),
        st.text(max_size=30), st.floats(), st.integers(-10 ** 40, 10 ** 40), st.dates(min_value=date(1900, 3, 1)),
        st.none(),
        st.sampled_from(SKUS),
    )
    rows = draw(st.lists(st.none() | st.lists(cell, max_size=len(pairs) + 2), max_size=6))
    sheet = Sheet([h for h, _ in pairs], rows, [n for _, n in pairs])
    if file_type == "xlsx":  # Excel cannot hold control characters: the file could not exist
        sheet = _printable(sheet)
    return sheet


def _printable(sheet: Sheet) -> Sheet:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(v):  # and no lone CR: XML reads it back as a line feed
        return ILLEGAL_CHARACTERS_RE.sub("", v).replace("\r", "") if isinstance(v, str) else v
    rows = [None if r is None else [clean(v) for v in r] for r in sheet.rows]
    return Sheet([clean(h) for h in sheet.header], rows, sheet.canonical)


@PROPERTY
@given(data=st.data())
def test_any_sheet_is_imported_exactly_or_refused_whole(sandbox, data):
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    file_type = data.draw(st.sampled_from(["csv", "xlsx"]), label="file_type")
    fmt = FORMATS[kind]
    sheet = data.draw(chaotic_sheets(fmt, file_type), label="sheet")
    content = file_bytes(sheet, file_type)
    sandbox.restore()

    outcome = import_or_refuse(sandbox, kind, f"upload.{file_type}", content)

    if isinstance(outcome, ValidationFailed):
        lines = content.count(b"\n") + 1
        for issue in outcome.issues:
            assert issue.row is None or 1 <= issue.row <= max(sheet.last_row, lines), issue
            assert issue.column is None or issue.row == 1 or issue.column in fmt.column_names, issue
        return
    assert None not in sheet.canonical and len(set(sheet.canonical)) == len(sheet.canonical)
    expected = expected_rows(fmt, sheet, file_type)
    assert outcome.rows == len(expected)
    stored = exported_rows(sandbox.uow(), fmt)
    assert_stored(stored, expected)


@st.composite
def damaged_files(draw: st.DrawFn, fmt) -> tuple[str, bytes]:
    """A good file with bytes flipped, cut, inserted or re-encoded; or bytes that were never a file."""
    file_type = draw(st.sampled_from(["csv", "xlsx"]))
    content = bytearray(file_bytes(draw(valid_sheets(fmt, file_type, max_rows=3)), file_type))
    damage = draw(st.sampled_from(["flip", "cut", "insert", "utf-16", "random", "zip", "renamed"]))
    rng = random.Random(draw(st.integers(0, 2 ** 32)))
    if damage == "flip":
        for _ in range(draw(st.integers(1, 8))):
            content[rng.randrange(len(content))] ^= 1 << rng.randrange(8)
    elif damage == "cut":
        content = content[: rng.randrange(len(content))]
    elif damage == "insert":
        at = rng.randrange(len(content) + 1)
        content[at:at] = draw(st.binary(min_size=1, max_size=16))
    elif damage == "utf-16":
        content = bytearray(bytes(content).decode("utf-8", "replace").encode("utf-16"))
    elif damage == "random":
        content = bytearray(draw(st.binary(max_size=600)))
    elif damage == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in draw(st.lists(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "_rels/.rels",
                                                       "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"]),
                                      unique=True)):
                archive.writestr(name, draw(st.binary(max_size=80)))
        content = bytearray(buffer.getvalue())
    if damage == "renamed":
        file_type = "csv" if file_type == "xlsx" else "xlsx"
    return f"upload.{draw(st.sampled_from([file_type, 'txt'] if file_type == 'csv' else [file_type]))}", bytes(content)


@PROPERTY
@given(data=st.data())
def test_damaged_or_random_bytes_are_imported_exactly_or_refused_cleanly(sandbox, data):
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    filename, content = data.draw(damaged_files(FORMATS[kind]), label="file")
    sandbox.restore()
    import_or_refuse(sandbox, kind, filename, content)


# --- named hostile files ---------------------------------------------------------------------
# A file refused while it is read or validated never reaches the database, so those run on
# SQLite only; what must be stored (limits, huge numbers, odd text) runs on both.

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
PRODUCT_HEADER = "sku,name,category,family,unit_cost,unit_price\n"


def products_csv(*rows: str) -> bytes:
    return (PRODUCT_HEADER + "".join(r + "\n" for r in rows)).encode()


def products_sheet(*rows: list) -> Sheet:
    return Sheet(PRODUCT_HEADER.strip().split(","), [list(r) for r in rows])


@SQLITE_ONLY
def test_nul_bytes_are_refused_with_the_line_they_are_on(sandbox):
    # pandas stops a cell at a NUL, so "bad\x00name" would silently have become "bad"
    error = refused(sandbox, "products", "nul.csv", products_csv("N-1,ok,c,f,1,2", "N-2,bad\x00name,c,f,1,2"))
    assert located(error) == {(3, None)} and "NUL" in error.issues[0].message


@SQLITE_ONLY
def test_utf16_and_latin1_files_are_refused_as_not_utf8(sandbox):
    utf16 = products_csv("N-1,ok,c,f,1,2").decode().encode("utf-16")
    assert "UTF-8" in str(refused(sandbox, "products", "utf16.csv", utf16))
    assert "UTF-8" in str(refused(sandbox, "products", "utf16le.csv", utf16[2:]))  # no BOM: NULs everywhere
    latin1 = refused(sandbox, "products", "latin1.csv", products_csv("N-1,ok,c,f,1,2", "N-2,Caf\xe9,c,f,1,2")
                     .replace("é".encode(), b"\xe9"))
    assert located(latin1) == {(3, None)} and "0xE9" in str(latin1)


@SQLITE_ONLY
def test_control_characters_in_text_are_refused_at_their_cell(sandbox):
    rows = [f"N-{i},bell{c}name,c,f,1,2" for i, c in enumerate(["\x01", "\x07", "\x1b", "\x0b", "\x1f"])]
    error = refused(sandbox, "products", "ctrl.csv", products_csv(*rows))
    assert located(error) == {(row, "name") for row in range(2, 7)}
    assert "U+001B" in error.issues[2].message and "\x1b" not in error.issues[2].message  # shown, not sent


@SQLITE_ONLY
def test_rows_longer_than_the_header_are_refused_not_shifted(sandbox):
    # pandas would take the two surplus leading cells of row 2 as an index and shift every value left
    first = refused(sandbox, "products", "shifted.csv", products_csv("N-1,Name,c,f,1,2,3,4"))
    assert located(first) == {(2, None)} and "8 cells" in str(first)
    later = refused(sandbox, "products", "long.csv", products_csv("N-1,Name,c,f,1,2", "N-2,Name,c,f,1,2,3"))
    assert located(later) == {(3, None)}
    no_header = refused(sandbox, "products", "blank-first.csv", b"\n\nN-1,Name,c,f,1,2\n")
    assert located(no_header) == {(1, None)}


@pytest.mark.parametrize("kind", ["products", "resources"])
def test_text_at_its_database_limit_is_stored_and_one_more_character_is_refused(sandbox, kind):
    fmt = FORMATS[kind]
    limits = {c.name: c.max_length for c in fmt.columns if c.type == "text" and not c.choices}
    at_limit = {c.name: "é" * limits[c.name] if c.name in limits else c.example for c in fmt.columns}  # characters
    sheet = Sheet(fmt.column_names, [[at_limit[c] for c in fmt.column_names]])
    assert not isinstance(import_or_refuse(sandbox, kind, "limit.csv", csv_bytes(sheet)), ValidationFailed)
    assert list(exported_rows(sandbox.uow(), fmt)[tuple(at_limit[k] for k in fmt.key)].values()) == \
        [expected_cell(c, at_limit[c.name]) for c in fmt.columns]

    longer = Sheet(fmt.column_names, [[v + "x" if c in limits else v
                                       for c, v in zip(fmt.column_names, sheet.rows[0])]])
    error = refused(sandbox, kind, "long.csv", csv_bytes(longer))
    assert {(i.row, i.column, i.message) for i in error.issues} == {
        (2, c, f"is {n + 1} characters long; at most {n} fit in this column") for c, n in limits.items()}


@SQLITE_ONLY
@pytest.mark.parametrize("kind, column, value", [
    ("demand", "sku", "S" * 65), ("inventory", "sku", "S" * 65), ("supply", "sku", "S" * 65),
    ("supply", "kind", "m" * 11), ("routings", "sku", "S" * 65), ("routings", "resource", "R" * 65),
    ("products", "status", "a" * 21), ("products", "uom", "u" * 21)])
def test_codes_and_choices_longer_than_their_column_are_refused_with_the_limit(sandbox, kind, column, value):
    fmt = FORMATS[kind]
    row = {c.name: c.example for c in fmt.columns} | {"sku": "A-1", "resource": "LINE-1"} | {column: value}
    error = refused(sandbox, kind, "long.csv", csv_bytes(Sheet(fmt.column_names, [[row[c] for c in fmt.column_names]])))
    assert [(i.row, i.column) for i in error.issues] == [(2, column)]
    assert f"at most {fmt.column(column).max_length} fit" in error.issues[0].message


def test_every_text_limit_matches_its_database_column():
    from genxsop_core.domain.models import Product, Resource

    for kind, fmt in FORMATS.items():
        binding = BINDINGS[kind]
        lookups = {"sku": Product.__table__.c.sku, "resource": Resource.__table__.c.code}
        for column in fmt.columns:
            if column.type != "text":
                assert column.max_length is None, (kind, column.name)
                continue
            field = binding.fields.get(column.name)
            db_column = binding.model.__table__.c[field] if field else lookups[column.name]
            assert column.max_length == db_column.type.length, (kind, column.name)


def test_huge_numbers_are_stored_exactly_and_non_finite_ones_refused(sandbox):
    huge = ["1e308", "1.7976931348623157e308", "1" + "0" * 30, "5e-324"]
    content = products_csv(*[f"H-{i},Name,c,f,{cell},2" for i, cell in enumerate(huge)])
    assert not isinstance(import_or_refuse(sandbox, "products", "huge.csv", content), ValidationFailed)
    stored = exported_rows(sandbox.uow(), FORMATS["products"])
    assert [stored[(f"H-{i}",)]["unit_cost"] for i in range(len(huge))] == [float(c) for c in huge]

    bad = ["-1e300", "1e400", "NaN", "inf", "-inf", "1.8e308"]
    error = refused(sandbox, "products", "bad.csv", products_csv(*[f"B-{i},Name,c,f,{c},2" for i, c in enumerate(bad)]))
    assert located(error) == {(row, "unit_cost") for row in range(2, 2 + len(bad))}


@SQLITE_ONLY
def test_numbers_beyond_the_float_range_in_a_workbook_are_refused_at_their_cell(sandbox):
    content = xlsx_bytes(products_sheet(["N-1", "Name", "c", "f", 123456789, 2],
                                        ["N-2", "Name", "c", "f", 1, 987654321]))
    content = patch_xlsx(content, b"<v>123456789</v>", b"<v>1" + b"0" * 400 + b"</v>")  # an integer
    error = refused(sandbox, "products", "big.xlsx", content)
    assert located(error) == {(2, "unit_cost")} and "too large" in str(error)
    content = patch_xlsx(content, b"<v>987654321</v>", b"<v>1e999</v>")  # a decimal: openpyxl makes it inf
    error = refused(sandbox, "products", "big.xlsx", content)
    assert (3, "unit_price") in located(error) and "1.8e308" in str(error)


@SQLITE_ONLY
def test_a_number_beyond_the_float_range_outside_the_header_names_no_column(sandbox):
    # found by test_any_sheet_is_imported_exactly_or_refused_whole: a blank header cell was named "none"
    content = xlsx_bytes(products_sheet(["N-1", "Name", "c", "f", 1, 2], ["N-2", "Name", "c", "f", 1, 2, 987654321]))
    error = refused(sandbox, "products", "wide.xlsx", patch_xlsx(content, b"<v>987654321</v>", b"<v>1e999</v>"))
    assert located(error) == {(3, None)} and "1.8e308" in str(error)


def test_na_and_null_in_a_workbook_are_text_not_blanks(sandbox):
    # pandas reads "NA", "null", "NaN"... in a workbook as missing unless told not to; a CSV keeps them
    sheet = Sheet([*PRODUCT_HEADER.strip().split(","), "lead_time_days"], [["N-1", "null", "NA", "None", 1, 2, 3]])
    import_or_refuse(sandbox, "products", "na.xlsx", xlsx_bytes(sheet))
    stored = exported_rows(sandbox.uow(), FORMATS["products"])[("N-1",)]
    assert (stored["name"], stored["category"], stored["family"]) == ("null", "NA", "None")
    sheet.rows[0][-1] = "NaN"  # in an optional column it used to become the default, silently
    assert located(refused(sandbox, "products", "na.xlsx", xlsx_bytes(sheet))) == {(2, "lead_time_days")}


def test_formulas_in_text_cells_are_stored_as_text(sandbox):
    names = [FORMULAS[0], "@SUM(A1)", '=HYPERLINK("http://evil.example","click")']
    for file_type in ("csv", "xlsx"):
        sheet = products_sheet(*[[f"F-{i}", n, "c", "f", 1, 2] for i, n in enumerate(names)])
        import_or_refuse(sandbox, "products", f"formulas.{file_type}", file_bytes(sheet, file_type))
        stored = exported_rows(sandbox.uow(), FORMATS["products"])
        assert [stored[(f"F-{i}",)]["name"] for i in range(len(names))] == names


@SQLITE_ONLY
def test_an_xlsx_formula_cell_is_read_as_its_value_not_run(sandbox):
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(products_sheet(["F-1", "Name", "c", "f", 1, 2]))))
    workbook.active["B2"] = "=1+1"  # a real formula, saved (as openpyxl saves it) without a cached value
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = refused(sandbox, "products", "formula.xlsx", buffer.getvalue())
    assert located(error) == {(2, "name")} and "empty" in str(error)


def _zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name.replace("__", "/"), body)
    return buffer.getvalue()


@SQLITE_ONLY
def test_random_bytes_and_damaged_workbooks_are_refused_as_unreadable(sandbox):
    good = xlsx_bytes(products_sheet(["N-1", "Name", "c", "f", 1, 2]))
    sheet_data = good.index(b"xl/worksheets/sheet1.xml") + 60  # inside the deflated sheet
    files = {
        "random.xlsx": bytes(random.Random(8).randrange(256) for _ in range(2000)),
        "text.xlsx": PRODUCT_HEADER.encode(),
        "empty-zip.xlsx": b"PK\x05\x06" + b"\x00" * 18,
        "junk-xml.xlsx": _zip(**{"[Content_Types].xml": "<not xml", "xl__workbook.xml": "<x"}),
        "deflate.xlsx": good[:sheet_data] + bytes(b ^ 0x5A for b in good[sheet_data:sheet_data + 40])
        + good[sheet_data + 40:],
        "cut.xlsx": good[: len(good) // 2],
    }
    for name, content in files.items():
        assert "xlsx" in str(refused(sandbox, "products", name, content)), name
    assert "empty" in str(refused(sandbox, "products", "empty.xlsx", b""))


@SQLITE_ONLY
def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(sandbox, monkeypatch):
    monkeypatch.setattr("genxsop_core.io.readers.MAX_XLSX_UNPACKED_BYTES", 10_000)
    sheet = products_sheet(*[[f"N-{i}", "Name " * 20, "c", "f", 1, 2] for i in range(50)])
    assert "unpacks" in str(refused(sandbox, "products", "bomb.xlsx", xlsx_bytes(sheet)))


@SQLITE_ONLY
def test_a_header_without_rows_is_refused(sandbox):
    for kind in KINDS:
        for file_type in ("csv", "xlsx"):
            sheet = Sheet(FORMATS[kind].column_names, [[None] * len(FORMATS[kind].column_names)] * 2)
            content = file_bytes(sheet, file_type)
            assert located(refused(sandbox, kind, f"header.{file_type}", content)) == {(2, None)}, (kind, file_type)


@SQLITE_ONLY
def test_duplicate_keys_blank_required_cells_and_unknown_columns_are_all_listed(sandbox):
    unknown = b"sku,period,ordered_qty,colour\nA-1,2025-01-06,1,red\n"
    assert located(refused(sandbox, "demand", "colour.csv", unknown)) == {(1, "colour")}
    content = (b"sku,period,ordered_qty\nA-1,2025-01-06,1\nA-1,2025-01-06,2\n"
               b",2025-01-13,3\nA-2,,4\nA-2,2025-01-13,\n")
    error = refused(sandbox, "demand", "mixed.csv", content)
    assert located(error) == {(3, "period"), (4, "sku"), (5, "period"), (6, "ordered_qty")}
    assert importer.check_file(sandbox.uow(), "demand", "mixed.csv", content).issues == error.issues  # the preview


@SQLITE_ONLY
def test_a_file_name_longer_than_the_audit_log_holds_is_refused(sandbox):
    name = "n" * (MAX_FILE_NAME_LENGTH + 1) + ".csv"
    assert "file name" in str(refused(sandbox, "products", name, products_csv("N-1,Name,c,f,1,2")))


# --- a big file ----------------------------------------------------------------------------

def big_demand(rows: int) -> tuple[bytes, list[str]]:
    """`rows` demand rows over 100 SKUs and rows/100 weeks; the products file they need."""
    skus = [f"S-{i:03d}" for i in range(100)]
    weeks = [(date(2000, 1, 3) + timedelta(weeks=w)).isoformat() for w in range(rows // len(skus))]
    lines = ["sku,period,ordered_qty,shipped_qty,promo"]
    lines += [f"{sku},{week},{(i * 7) % 500},{(i * 7) % 500},{i % 2}"
              for i, (week, sku) in enumerate((w, s) for w in weeks for s in skus)]
    return ("\n".join(lines) + "\n").encode(), skus


@pytest.mark.slow
def test_a_100k_row_file_with_one_bad_cell_near_the_end_is_refused_naming_it(sandbox):
    content, skus = big_demand(100_000)
    importer.import_file(sandbox.uow(), ADMIN, "products", "p.csv",
                         products_csv(*[f"{s},Name {s},Cat,Fam,1,2" for s in skus]))
    sandbox.dirty = True
    lines = content.split(b"\n")
    bad_row = len(lines) - 3  # the 99,998th data row: lines[i] is spreadsheet row i + 1
    fields = lines[bad_row - 1].split(b",")
    lines[bad_row - 1] = b",".join([*fields[:2], b"12O", *fields[3:]])  # a letter O for a zero
    error = refused(sandbox, "demand", "big.csv", b"\n".join(lines))
    assert located(error) == {(bad_row, "ordered_qty")} and "'12O' is not a number" in str(error)


@pytest.mark.slow
@SQLITE_ONLY
def test_a_valid_100k_row_file_imports_whole(sandbox):
    content, skus = big_demand(100_000)
    importer.import_file(sandbox.uow(), ADMIN, "products", "p.csv",
                         products_csv(*[f"{s},Name {s},Cat,Fam,1,2" for s in skus]))
    sandbox.dirty = True
    result = importer.import_file(sandbox.uow(), ADMIN, "demand", "big.csv", content)
    assert (result.rows, result.inserted) == (100_000, 100_000)
    with sandbox.engine.connect() as connection:
        assert connection.execute(sa.text("select count(*), sum(promo) from demand_actual")).one() == (100_001, 50_000)
