"""Read an uploaded CSV or Excel file into a frame of raw cells, or say clearly why not.

Cells stay raw (text from CSV, Python values from Excel); validation converts them, so
every conversion error can name its row and column.
"""
from __future__ import annotations

import csv
import io
import math
import re
import zipfile

import openpyxl
import pandas as pd

from genxsop_core.domain.exceptions import ValidationFailed, ValidationIssue
from genxsop_core.io.formats import MAX_FILE_NAME_LENGTH

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx")
MAX_XLSX_UNPACKED_BYTES = 512 * 2 ** 20  # guards against zip bombs; ~2 million rows of six columns


def _fail(filename: str, message: str, row: int | None = None, column: str | None = None) -> ValidationFailed:
    return ValidationFailed([ValidationIssue(filename, row, column, message)])


def normalise_header(name: object) -> str:
    """'Unit Cost ' -> 'unit_cost': planners' spreadsheets rarely match our spelling exactly."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _decode(filename: str, content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _fail(
            filename,
            f"is not UTF-8 text (byte 0x{content[error.start]:02X} cannot be read); "
            "save it as 'CSV UTF-8' and import again",
            row=line,
        ) from None
    if "\x00" in text:  # the CSV parser would silently cut the cell at the NUL
        raise _fail(filename, "contains a NUL byte, so it is not a text file (UTF-16 or binary?); "
                    "save it as 'CSV UTF-8' and import again", row=text[: text.index("\x00")].count("\n") + 1)
    return text


def _sniff_delimiter(text: str) -> str:
    header = text.splitlines()[0] if text else ""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _read_csv(filename: str, content: bytes) -> pd.DataFrame:
    text = _decode(filename, content)
    if not text.strip():
        raise _fail(filename, "is empty: expected a header row and at least one data row")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_sniff_delimiter(text), dtype=str,
                            keep_default_na=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:  # text, but not a line of it before the first blank one
        raise _fail(filename, "has no header row: the first line must name the columns", row=1) from None
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+), saw (\d+)", str(error))
        if match:
            raise _fail(filename, f"has {match.group(2)} cells where the header has fewer "
                        "(a stray delimiter or an unquoted comma?)", row=int(match.group(1))) from None
        raise _fail(filename, f"cannot be read as CSV: {error}") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas makes surplus leading cells of row 2 an index
        raise _fail(filename, f"has {len(frame.columns) + frame.index.nlevels} cells where the header has fewer "
                    "(a stray delimiter or an unquoted comma?)", row=2)
    return frame


def _unpacked_size(content: bytes) -> int:
    """Bytes the workbook's parts unpack to (zip reads never go past the declared sizes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        return 0  # not a zip at all: read_excel says so below


def _infinite_cell(content: bytes) -> tuple[int, str | None] | None:
    """Row and header of the first number beyond the float range (which pandas cannot convert)."""
    rows = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0].iter_rows()
    # a blank header cell (the sheet is wider than its header) names no column: None, not "none"
    header = [normalise_header(c.value) if c.value is not None and str(c.value).strip() else None
              for c in next(rows, ())]
    for cells in rows:
        for number, cell in enumerate(cells):
            if isinstance(cell.value, float) and math.isinf(cell.value):
                return cell.row, header[number] if number < len(header) else None
    return None


def _read_xlsx(filename: str, content: bytes) -> pd.DataFrame:
    if not content:
        raise _fail(filename, "is empty: expected a workbook with a header row and data rows")
    if _unpacked_size(content) > MAX_XLSX_UNPACKED_BYTES:
        raise _fail(filename, f"unpacks to more than {MAX_XLSX_UNPACKED_BYTES // 2 ** 20} MB; "
                    "split it into smaller files or export it as CSV")
    try:
        # keep_default_na=False: text such as "NA" (North America) or "null" is text, as it is in a CSV
        return pd.read_excel(io.BytesIO(content), sheet_name=0, dtype=object, engine="openpyxl",
                             keep_default_na=False)
    except OverflowError:
        row, column = _infinite_cell(content) or (None, None)
        raise _fail(filename, "holds a number beyond the largest a database can store (about 1.8e308)",
                    row=row, column=column) from None
    except Exception as error:  # a damaged workbook fails in many ways: zip, zlib, XML, missing parts
        raise _fail(filename, f"is not a readable .xlsx workbook ({type(error).__name__}); "
                    "save it from Excel as .xlsx or export it as CSV") from None


def read_table(filename: str, content: bytes) -> pd.DataFrame:
    """The file's cells with normalised headers, indexed by spreadsheet row number (header = 1).

    Blank rows are dropped but keep their numbering. Raises ValidationFailed when unreadable.
    """
    if len(filename) > MAX_FILE_NAME_LENGTH:
        raise _fail(filename, f"has a file name of {len(filename)} characters; "
                    f"rename it to at most {MAX_FILE_NAME_LENGTH} and import again")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise _fail(filename, f"has an unsupported type {suffix or '(none)'}; use .csv or .xlsx")
    frame = _read_xlsx(filename, content) if suffix == ".xlsx" else _read_csv(filename, content)
    frame.columns = [normalise_header(c) for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")  # the row a spreadsheet shows
    blank = frame.map(lambda v: v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "")
    frame = frame[~blank.all(axis=1)]
    if frame.empty:
        raise _fail(filename, "has a header but no data rows", row=2)
    return frame
