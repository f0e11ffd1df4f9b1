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
