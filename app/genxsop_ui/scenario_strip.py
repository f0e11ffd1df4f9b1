"""The baseline-vs-scenario delta strip: the few figures the meeting watches, green or red when they move."""
from __future__ import annotations

import streamlit as st

from genxsop_core.scenarios import levers as scenarios
from genxsop_ui import deltas, formatting

STRIP: tuple[str, ...] = ("revenue", "margin", "fill_rate", "stockout_skus", "inventory_value_avg",
                          "utilization_peak", "overloads")


def delta_strip(baseline: scenarios.ScenarioResult, scenario: scenarios.ScenarioResult, per_row: int = 4) -> None:
    """Rows of `per_row` metrics: seven in one row cut the figures short on a laptop screen."""
    columns = [column for start in range(0, len(STRIP), per_row) for column in st.columns(per_row)]
    for column, key in zip(columns, STRIP):
        new, old = scenario.summary[key], baseline.summary[key]
        column.metric(scenarios.SUMMARY_LABELS[key], formatting.figure(key, new),
                      deltas.shown_delta(formatting.change(key, new, old)),
                      delta_color="normal" if scenarios.HIGHER_IS_BETTER[key] else "inverse")
