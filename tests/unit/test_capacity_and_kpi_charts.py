"""The capacity heat map and the KPI trend read at 1440 px: labels only where they fit, hover and a
colour bar that says what the colours mean, date ticks without a time, a legend for the target lines,
a time axis that spans the months there are."""
from __future__ import annotations

import numpy as np
import pandas as pd

from genxsop_ui import charts


def check(periods: pd.DatetimeIndex, resources=("FILL-1", "PACK-1")) -> pd.DataFrame:
    rows = [{"resource": r, "period": p, "load_hours": 40.0 + i, "capacity_hours": 80.0}
            for r in resources for i, p in enumerate(periods)]
    frame = pd.DataFrame(rows)
    return frame.assign(utilization=frame.load_hours / frame.capacity_hours, overload_probability=0.25)


def test_a_year_of_weeks_is_read_by_hover_not_by_cell_labels_too_small_to_read():
    weeks = pd.date_range("2027-01-04", periods=52, freq="W-MON")
    heat = charts.utilization_heatmap(check(weeks)).data[0]
    assert heat.texttemplate == ""  # 52 columns: "100%" does not fit a cell
    assert "week of %{x|%d %b %Y}" in heat.hovertemplate and "of capacity" in heat.hovertemplate
    assert heat.customdata[0][0].tolist() == [40.0, 80.0]  # hover: load and capacity hours
    assert "hours" in heat.hovertemplate
    assert "100% (full)" in heat.colorbar.ticktext and heat.colorbar.title.text == "Load"
    axis = charts.utilization_heatmap(check(weeks)).layout.xaxis
    assert "%H" not in axis.tickformat and axis.dtick == 4 * 7 * 86_400_000  # 13 date ticks, no time


def test_a_year_of_months_shows_each_cells_figure_and_a_tick_a_month():
    months = pd.date_range("2027-01-01", periods=12, freq="MS")
    figure = charts.utilization_heatmap(check(months))
    heat = figure.data[0]
    assert heat.texttemplate == "%{text}" and heat.text[0][0] == "50%"
    assert "month of %{x|%b %Y}" in heat.hovertemplate
    assert (figure.layout.xaxis.tickformat, figure.layout.xaxis.dtick) == ("%b %Y", "M1")
    narrow = charts.utilization_heatmap(check(months), labels=False)  # meeting mode's side column
    assert narrow.data[0].texttemplate == "" and narrow.layout.xaxis.dtick == "M3"


def test_the_overload_chance_says_what_it_is():
    weeks = pd.date_range("2027-01-04", periods=8, freq="W-MON")
    heat = charts.utilization_heatmap(check(weeks), "overload_probability").data[0]
    assert "chance the load exceeds capacity" in heat.hovertemplate and heat.customdata is None
    assert heat.colorbar.ticktext[-1] == "100%"


def monthly(n: int) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2026-01-01", periods=n, freq="MS"),
                         "fill_rate": np.linspace(0.95, 0.99, n)})


def test_the_kpi_trend_names_target_green_and_amber_in_its_legend():
    figure = charts.kpi_trend(monthly(6), "fill_rate", "Fill rate", {"target": 0.97, "green": 0.97, "amber": 0.93},
                              percent=True)
    assert figure.layout.showlegend is True
    assert [t.name for t in figure.data] == ["Fill rate", "Target 97.0%", "Green from 97.0%", "Amber from 93.0%"]
    assert not figure.layout.annotations  # no labels written over each other at the right edge


def test_the_kpi_trend_spans_the_months_there_are_a_tick_a_month():
    data = monthly(6)
    axis = charts.kpi_trend(data, "fill_rate", "Fill rate", None, percent=True).layout.xaxis
    low, high = (pd.Timestamp(v) for v in axis.range)
    assert pd.Timedelta(0) < data.month.min() - low <= pd.Timedelta(days=16)
    assert pd.Timedelta(0) < high - data.month.max() <= pd.Timedelta(days=16)
    assert (axis.tickformat, axis.dtick) == ("%b %Y", "M1")
    long = charts.kpi_trend(monthly(35), "fill_rate", "Fill rate", None, percent=True).layout.xaxis
    assert long.dtick == "M3"
