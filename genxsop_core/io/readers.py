"""Read an uploaded CSV or Excel file into a frame of raw cells, or say clearly why not.

Cells stay raw (text from CSV, Python values from Excel); validation converts them, so
every conversion error can name its row and column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd

from genxsop_core.exceptions import ValidationFailed, ValidationIssue

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx")


def _fail(filename: str, message: str, row: int | None = None, column: str | None = None) -> ValidationFailed:
    return ValidationFailed([ValidationIssue(filename, row, column, message)])


def normalise_header(name: object) -> str:
    """'Unit Cost ' -> 'unit_cost': planners' spreadsheets rarely match our spelling exactly."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _decode(filename: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _fail(
            filename,
            f"is not UTF-8 text (byte 0x{content[error.start]:02X} cannot be read); "
            "save it as 'CSV UTF-8' and import again",
            row=line,
        ) from None


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
        return pd.read_csv(io.StringIO(text), sep=_sniff_delimiter(text), dtype=str,
                           keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+), saw (\d+)", str(error))
        if match:
            raise _fail(filename, f"has {match.group(2)} cells where the header has fewer "
                        "(a stray delimiter or an unquoted comma?)", row=int(match.group(1))) from None
        raise _fail(filename, f"cannot be read as CSV: {error}") from None


def _read_xlsx(filename: str, content: bytes) -> pd.DataFrame:
    if not content:
        raise _fail(filename, "is empty: expected a workbook with a header row and data rows")
    try:
        return pd.read_excel(io.BytesIO(content), sheet_name=0, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise _fail(filename, f"is not a readable .xlsx workbook ({type(error).__name__}); "
                    "save it from Excel as .xlsx or export it as CSV") from None


def read_table(filename: str, content: bytes) -> pd.DataFrame:
    """The file's cells with normalised headers, indexed by spreadsheet row number (header = 1).

    Blank rows are dropped but keep their numbering. Raises ValidationFailed when unreadable.
    """
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
