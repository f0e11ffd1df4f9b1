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
