"""Export encoding and templates."""
import io

import pandas as pd

from genxsop_core.io import exporter
from genxsop_core.io.formats import FORMATS
from genxsop_core.io.readers import read_table


def test_formula_injection_is_neutralised():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1", "plain", "@SUM(A1)"], "qty": [1.0, -2.0, 3.0, 4.0]})
    safe = exporter.neutralise_formulas(frame)
    assert list(safe["name"]) == ["'=cmd|' /C calc'!A0", "'+1", "plain", "'@SUM(A1)"]
    assert list(safe["qty"]) == [1.0, -2.0, 3.0, 4.0]  # numbers stay numbers


def test_every_template_reads_back_with_its_own_columns():
    for kind, fmt in FORMATS.items():
        for file_type in ("csv", "xlsx"):
            frame = read_table(f"t.{file_type}", exporter.template(kind, file_type))
            assert list(frame.columns) == fmt.column_names, (kind, file_type)
            assert len(frame) == 1


def test_xlsx_template_has_a_column_guide():
    sheets = pd.read_excel(io.BytesIO(exporter.template("demand", "xlsx")), sheet_name=None)
    assert list(sheets) == ["Demand actuals", "Columns"]
    assert list(sheets["Columns"]["column"]) == FORMATS["demand"].column_names


REPORT = pd.DataFrame({"sku": ["A-1", "B-2"], "on_hand": [12345.6, 7.0], "money_at_risk": [68118.2, None],
                       "service_level": [0.95, 0.975], "first_stockout": [pd.Timestamp("2026-12-07"), pd.NaT],
                       "exception": ["below_safety", "excess"]})


def test_a_report_csv_has_planner_headers_and_machine_readable_values(monkeypatch):
    monkeypatch.setenv("GENXSOP_CURRENCY", "EUR")
    frame = pd.read_csv(io.BytesIO(exporter.encode(REPORT, "csv", "Report", labelled=True)))
    assert list(frame.columns) == ["SKU", "On hand", "Money at risk (EUR)", "Service level", "First stockout",
                                   "Exception"]
    assert frame["On hand"].tolist() == [12345.6, 7.0] and frame["Service level"].tolist() == [0.95, 0.975]
    assert frame["Exception"].tolist() == ["Below safety stock", "Excess"]


def test_an_import_format_export_keeps_its_column_names_and_values():
    frame = pd.DataFrame({"sku": ["A-1"], "on_hand": [540.0], "snapshot_date": [pd.Timestamp("2025-01-06")]})
    csv = pd.read_csv(io.BytesIO(exporter.encode(frame, "csv", "Inventory")))
    xlsx = pd.read_excel(io.BytesIO(exporter.encode(frame, "xlsx", "Inventory")))
    assert list(csv.columns) == list(xlsx.columns) == ["sku", "on_hand", "snapshot_date"]  # still imports


def test_every_xlsx_is_laid_out_by_kind(monkeypatch):
    import openpyxl

    monkeypatch.setenv("GENXSOP_CURRENCY", "GBP")
    sheet = openpyxl.load_workbook(io.BytesIO(exporter.encode(REPORT, "xlsx", "Report", labelled=True))).active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["SKU", "On hand", "Money at risk (GBP)", "Service level",
                                           "First stockout", "Exception"]
    row = sheet[2]
    assert [c.number_format for c in row[1:4]] == ["#,##0", '"£"#,##0', "0.0%"]
    assert row[4].is_date and row[4].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["C"].width > len("Money at risk (GBP)")
