"""KPI tiles: value, change from the month before, and a red/amber/green dot against the target."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from genxsop_ui import deltas, formatting


def kpi_tiles(summary: pd.DataFrame, kpis: list[str], per_row: int = 4) -> None:
    """One st.metric per KPI of `summary` (kpi_views.summary_of), in rows of `per_row`."""
    rows = summary.set_index("kpi").loc[kpis]
    for start in range(0, len(rows), per_row):
        for column, (_kpi, row) in zip(st.columns(per_row), rows.iloc[start:start + per_row].iterrows()):
            target = "no target" if pd.isna(row.target) else (
                f"target {formatting.kpi_value(row.target, row.unit)} (green "
                f"{formatting.kpi_value(row.green, row.unit)}, amber {formatting.kpi_value(row.amber, row.unit)}"
                f"{', default' if row.target_level == 'default' else ''})")
            month = "" if row.month is None or pd.isna(row.month) else f"{pd.Timestamp(row.month):%B %Y}; "
            column.metric(f"{formatting.STATUS_DOTS[row.status]} {row.label}",
                          formatting.kpi_value(row.latest, row.unit),
                          deltas.shown_delta(formatting.kpi_trend(row.trend, row.unit)),
                          delta_color="normal" if row.higher_is_better else "inverse",
                          help=f"{month}{target}", border=True)
