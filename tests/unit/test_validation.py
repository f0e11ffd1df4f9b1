"""Validation of import files: every problem names file, row and column."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from genxsop_core.domain.exceptions import ValidationFailed
from genxsop_core.io.formats import DEMAND, PRODUCTS, ROUTINGS, SUPPLY
from genxsop_core.io.readers import read_table
from genxsop_core.io.validation import References, validate

REFS = References(skus={"A-1", "A-2"}, resources={"LINE-1"})


def check(fmt, text: str, filename: str = "f.csv", bucket: str = "week"):
    return validate(fmt, read_table(filename, text.encode("utf-8")), filename, bucket, REFS)


def messages(report) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.column, i.message) for i in report.issues]


def test_valid_demand_file_converts_types_and_fills_defaults():
    report = check(DEMAND, "sku,period,ordered_qty,promo\nA-1,2025-01-06,10,1\nA-2,2025-01-06,5,\n")
    assert report.ok, report.issues
    first = report.frame.loc[2]
    assert first.period == date(2025, 1, 6) and first.ordered_qty == 10.0 and first.promo is True
    assert first.shipped_qty == 10.0 and first.shipped_on_time_in_full_qty == 10.0
    assert report.frame.loc[3].promo is False


def test_missing_and_unknown_columns_are_named_on_the_header_row():
    report = check(DEMAND, "sku,period,ordred_qty\nA-1,2025-01-06,10\n")
    found = messages(report)
    assert (1, "ordered_qty") in [(r, c) for r, c, _ in found]
    unknown = [m for r, c, m in found if c == "ordred_qty"]
    assert unknown and "did you mean ordered_qty" in unknown[0]


def test_bad_dates_negative_and_non_numeric_quantities_point_at_their_cells():
    report = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-13-01,10\nA-1,2025-01-06,-3\nA-2,2025-01-06,ten\n")
    found = {(r, c): m for r, c, m in messages(report)}
    assert "is not a date" in found[(2, "period")]
    assert "below the minimum 0" in found[(3, "ordered_qty")]
    assert "'ten' is not a number" in found[(4, "ordered_qty")]
    assert len(found) == 3


def test_unknown_sku_and_resource_are_reported():
    report = check(ROUTINGS, "sku,resource,hours_per_unit\nA-1,LINE-1,0.1\nZZ,LINE-9,0.2\n")
    found = {(r, c): m for r, c, m in messages(report)}
    assert "unknown SKU 'ZZ'" in found[(3, "sku")]
    assert "unknown resource 'LINE-9'" in found[(3, "resource")]


def test_duplicate_keys_name_both_rows():
    report = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-01-06,1\nA-2,2025-01-06,2\nA-1,2025-01-06,3\n")
    assert messages(report) == [(4, "period", "duplicate key (sku=A-1, period=2025-01-06) already on row 2")]


def test_period_must_start_a_bucket():
    weekly = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-01-08,1\n")
    assert "weeks start on Monday: use 2025-01-06" in weekly.issues[0].message
    monthly = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-01-06,1\n", bucket="month")
    assert "months start on the 1st: use 2025-01-01" in monthly.issues[0].message


def test_choices_ranges_and_required_text():
    text = ("sku,name,category,family,unit_cost,unit_price,service_level_target,status\n"
            "P1,,Cat,Fam,1,2,1.5,active\nP2,Two,Cat,Fam,1,2,0.95,retired\n")
    found = {(r, c): m for r, c, m in messages(check(PRODUCTS, text))}
    assert found[(2, "name")] == "is empty but required"
    assert "above the maximum 0.9999" in found[(2, "service_level_target")]
    assert "'retired' is not one of" in found[(3, "status")]


def test_infinite_and_nan_quantities_are_rejected():
    text = "sku,period,planned_receipts\nA-1,2025-01-06,inf\nA-1,2025-01-13,nan\n"
    found = {(r, c): m for r, c, m in messages(check(SUPPLY, text))}
    assert "not a finite number" in found[(2, "planned_receipts")]
    assert "not a finite number" in found[(3, "planned_receipts")]


def test_otif_cannot_exceed_shipped():
    report = check(DEMAND, "sku,period,ordered_qty,shipped_qty,shipped_on_time_in_full_qty\nA-1,2025-01-06,10,8,9\n")
    assert messages(report) == [(2, "shipped_on_time_in_full_qty", "9 exceeds shipped_qty 8")]


def test_blank_rows_keep_spreadsheet_numbering():
    report = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-01-06,1\n,,\nA-2,2025-01-06,x\n")
    assert messages(report) == [(4, "ordered_qty", "'x' is not a number")]


@pytest.mark.parametrize("content, fragment", [
    (b"", "is empty"),
    (b"sku,period,ordered_qty\n", "no data rows"),
    ("sku,period,ordered_qty\nA-1,2025-01-06,1\nCaf\u00e9,2025-01-06,2\n".encode("latin-1"), "is not UTF-8"),
])
def test_unreadable_files_say_why(content: bytes, fragment: str):
    with pytest.raises(ValidationFailed) as caught:
        read_table("orders.csv", content)
    issue = caught.value.issues[0]
    assert issue.file == "orders.csv" and fragment in issue.message


def test_wrong_encoding_names_the_line():
    content = "sku,period,ordered_qty\nA-1,2025-01-06,1\nCaf\u00e9,2025-01-06,2\n".encode("latin-1")
    with pytest.raises(ValidationFailed) as caught:
        read_table("orders.csv", content)
    assert caught.value.issues[0].row == 3


def test_unsupported_type_and_corrupt_workbook():
    with pytest.raises(ValidationFailed, match="unsupported type .pdf"):
        read_table("orders.pdf", b"%PDF")
    with pytest.raises(ValidationFailed, match="not a readable .xlsx"):
        read_table("orders.xlsx", b"not a zip")


def test_semicolon_csv_and_messy_headers_are_understood():
    report = check(DEMAND, "SKU;Period;Ordered Qty\nA-1;2025-01-06;4\n")
    assert report.ok and report.frame.loc[2].ordered_qty == 4.0


def test_excel_cells_keep_their_types():
    buffer = io.BytesIO()
    pd.DataFrame({"sku": ["A-1"], "period": [pd.Timestamp("2025-01-06")], "ordered_qty": [7]}).to_excel(
        buffer, index=False)
    report = validate(DEMAND, read_table("d.xlsx", buffer.getvalue()), "d.xlsx", "week", REFS)
    assert report.ok, report.issues
    assert report.frame.loc[2].period == date(2025, 1, 6) and report.frame.loc[2].ordered_qty == 7.0


def test_issue_text_reads_file_row_column():
    report = check(DEMAND, "sku,period,ordered_qty\nA-1,2025-01-06,-1\n", filename="jan.csv")
    assert str(report.issues[0]) == "jan.csv, row 2, column ordered_qty: -1 is below the minimum 0"
