"""Plotly figures shared by pages: one look for history, forecasts and their uncertainty."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

ACTUAL = "#1f2937"
FORECAST = "#1f5f8b"
BAND = "rgba(31, 95, 139, 0.18)"
INNER_BAND = "rgba(31, 95, 139, 0.30)"
BACKTEST = "#d97706"


def forecast_fan(history: pd.DataFrame, forecast: pd.DataFrame, backtests: pd.DataFrame | None = None,
                 title: str = "") -> go.Figure:
    """History, the mean forecast, its P10-P90 and P25-P75 bands, and backtest forecasts."""
    figure = go.Figure()
    figure.add_scatter(x=history.ds, y=history.y, name="Actual", line=dict(color=ACTUAL, width=1.5))
    promos = history[history.get("promo", 0) > 0] if "promo" in history else history.iloc[0:0]
    if len(promos):
        figure.add_scatter(x=promos.ds, y=promos.y, name="Promotion", mode="markers",
                           marker=dict(color="#dc2626", size=6, symbol="diamond"))
    for low, high, fill, name in (("p10", "p90", BAND, "P10-P90"), ("p25", "p75", INNER_BAND, "P25-P75")):
        if low in forecast and high in forecast:
            figure.add_scatter(x=forecast.ds, y=forecast[high], line=dict(width=0), showlegend=False,
                               hoverinfo="skip")
            figure.add_scatter(x=forecast.ds, y=forecast[low], fill="tonexty", fillcolor=fill, line=dict(width=0),
                               name=name)
    figure.add_scatter(x=forecast.ds, y=forecast["mean"], name="Forecast", line=dict(color=FORECAST, width=2.5))
    if backtests is not None and len(backtests):
        for window, part in backtests.groupby("window"):
            figure.add_scatter(x=part.ds, y=part["mean"], name=f"Backtest {window}", legendgroup="backtest",
                               line=dict(color=BACKTEST, width=1.5, dash="dot"), showlegend=window == 1)
    figure.update_layout(title=title, height=430, margin=dict(t=40 if title else 10, b=10),
                         legend=dict(orientation="h", y=-0.15), yaxis_title="Units", hovermode="x unified")
    return figure


CONSENSUS = "#047857"
LAST_CYCLE = "#9ca3af"


def demand_review(frame: pd.DataFrame, measure: str, title: str = "") -> go.Figure:
    """History, statistical forecast with its P10-P90 band, consensus and last cycle's plan."""
    figure = go.Figure()
    figure.add_scatter(x=frame.period, y=frame.actual, name="Actual", line=dict(color=ACTUAL, width=1.5))
    if frame.p90.notna().any():
        figure.add_scatter(x=frame.period, y=frame.p90, line=dict(width=0), showlegend=False, hoverinfo="skip")
        figure.add_scatter(x=frame.period, y=frame.p10, fill="tonexty", fillcolor=BAND, line=dict(width=0),
                           name="P10-P90")
    figure.add_scatter(x=frame.period, y=frame.statistical, name="Statistical",
                       line=dict(color=FORECAST, width=2, dash="dash"))
    figure.add_scatter(x=frame.period, y=frame.consensus, name="Consensus", line=dict(color=CONSENSUS, width=3))
    if frame.last_cycle.notna().any():
        figure.add_scatter(x=frame.period, y=frame.last_cycle, name="Last cycle's plan",
                           line=dict(color=LAST_CYCLE, width=2, dash="dot"))
    figure.update_layout(title=title, height=430, margin=dict(t=40 if title else 10, b=10),
                         legend=dict(orientation="h", y=-0.15), hovermode="x unified",
                         yaxis_title="Revenue" if measure == "revenue" else "Units")
    return figure


def value_added_waterfall(steps: pd.DataFrame) -> go.Figure:
    """Forecast Value Added: WAPE of naive, then what each step took off (or added)."""
    first = steps.iloc[0]
    figure = go.Figure(go.Waterfall(
        x=steps.step.tolist(), measure=["absolute", *["relative"] * (len(steps) - 1)],
        y=[first.wape * 100, *(-steps.fva.iloc[1:] * 100).tolist()],
        text=[f"{v:.1%}" for v in steps.wape], textposition="outside",
        decreasing=dict(marker=dict(color=CONSENSUS)), increasing=dict(marker=dict(color="#dc2626")),
        totals=dict(marker=dict(color=FORECAST))))
    figure.update_layout(height=320, margin=dict(t=10, b=10), yaxis_title="WAPE, %", showlegend=False)
    return figure
