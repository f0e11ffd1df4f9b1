"""The meeting pack's scenario table says which pinned scenarios were rebalanced: a column in the
XLSX sheet, and the column name in the PDF's side-by-side comparison."""
from __future__ import annotations

import pandas as pd

from genxsop_core.cycle import meeting_pack
from genxsop_core.scenarios.levers import SUMMARY_LABELS
from genxsop_core.scenarios.pinned import REBALANCED

FIGURES = {key: float(i) for i, key in enumerate(SUMMARY_LABELS)}


def pinned() -> pd.DataFrame:
    """Two pinned scenarios as list_pinned returns them: one from before the switch, one rebalanced."""
    return pd.DataFrame({"id": [2, 1], "name": ["Balanced", "Old"], "status": "pinned", "note": ["", "kept"],
                         "created_by": "coordinator", "results": [{**FIGURES, REBALANCED: True}, dict(FIGURES)]})


def test_the_scenario_sheet_marks_the_rebalanced_scenarios():
    table = meeting_pack._scenarios(pinned())
    assert table[REBALANCED].tolist() == [True, False]
    assert table.loc[0, list(SUMMARY_LABELS)].tolist() == list(FIGURES.values())  # the mark is not a figure


def test_the_pdf_comparison_names_a_rebalanced_scenario_so():
    table = meeting_pack._scenario_section(meeting_pack._scenarios(pinned()))[0]
    header = [getattr(cell, "text", str(cell)) for cell in table._cellvalues[0]]  # Paragraphs
    assert header == ["<b>Figure</b>", "<b>Balanced (#2, rebalanced)</b>", "<b>Old (#1)</b>"]
