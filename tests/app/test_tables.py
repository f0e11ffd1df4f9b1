"""Tables on screen read in the planner's words (app/genxsop_ui/tables.py over the field catalogue): every
shown column has a label without snake_case, no text cell reads "None" or "nan", codes are words, and the
KPI drill-down's status is a dot and a word, not the literal markdown `:orange[●]`."""
from __future__ import annotations

import json

import pytest

from tests.app.conftest import logged_in


def page(name: str, role: str = "admin"):
    at = logged_in(role).run()
    at.switch_page(f"../pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def headers(element) -> dict[str, str]:
    """Column name -> the header shown (the column_config label; a hidden column is left out)."""
    config = json.loads(element.proto.columns or "{}")
    return {name: (column.get("label") if isinstance(column, dict) else column)
            for name, column in config.items() if name != "_index" and not (isinstance(column, dict)
                                                                             and column.get("hidden"))}


@pytest.mark.parametrize("name", ["inventory", "forecasting", "kpis"])
def test_tables_show_planner_labels_and_no_none_or_codes(app_db, name):
    at = page(name)
    assert at.dataframe, "the page shows at least one table"
    for element in at.dataframe:
        shown = headers(element)
        assert set(map(str, element.value.columns)) <= set(shown), "every column configured from the catalogue"
        assert not [label for label in shown.values() if not label or "_" in label], shown
        text = [v for v in element.value.select_dtypes(include="object").to_numpy().ravel() if isinstance(v, str)]
        assert not {"None", "nan", "NaT"} & set(text)  # missing values stay missing: drawn blank (placeholder)
        assert not [t for t in text if t.startswith(("combo:", ":orange[", ":green[", ":red["))]


def test_the_kpi_drill_down_shows_the_status_as_a_dot_and_a_word(app_db):
    at = page("kpis", "viewer")
    drill = next(d.value for d in at.dataframe if "target_level" in d.value.columns)
    assert set(drill.status) <= {"🟢 Green", "🟠 Amber", "🔴 Red", "⚪ No target"}
