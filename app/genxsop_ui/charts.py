"""Plotly figures shared by pages: one look for history, forecasts and their uncertainty."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

ACTUAL = "#1f2937"
FORECAST = "#1f5f8b"
BAND = "rgba(31, 95, 139, 0.18)"
INNER_BAND = "rgba(31, 95, 139, 0.30)"
BACKTEST = "#d97706"


def _title(text: str) -> str:
    """A chart title made of user data (SKU and family names): Plotly reads <b>, <a href> and the like in
    titles as markup, so the brackets go in as entities and show as typed."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


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
    figure.update_layout(title=_title(title), height=430, margin=dict(t=40 if title else 10, b=10),
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
    figure.update_layout(title=_title(title), height=430, margin=dict(t=40 if title else 10, b=10),
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


SAFETY = "#dc2626"
RECEIPTS = "#6b7280"


def projected_inventory(frame: pd.DataFrame, title: str = "") -> go.Figure:
    """Projected inventory with its safety stock and maximum level, receipts as bars, stockouts marked."""
    figure = go.Figure()
    figure.add_bar(x=frame.period, y=frame.receipts, name="Planned receipts", marker_color=RECEIPTS, opacity=0.45)
    figure.add_scatter(x=frame.period, y=frame.demand, name="Consensus demand", line=dict(color=CONSENSUS, width=2))
    figure.add_scatter(x=frame.period, y=frame.projected, name="Projected inventory",
                       line=dict(color=FORECAST, width=3))
    figure.add_scatter(x=frame.period, y=frame.safety_stock, name="Safety stock",
                       line=dict(color=SAFETY, width=2, dash="dash"))
    figure.add_scatter(x=frame.period, y=frame.max_level, name="Safety stock + order quantity",
                       line=dict(color=LAST_CYCLE, width=1.5, dash="dot"))
    out = frame[frame.stockout]
    if len(out):
        figure.add_scatter(x=out.period, y=out.projected, name="Stockout", mode="markers",
                           marker=dict(color=SAFETY, size=10, symbol="x"))
    figure.update_layout(title=_title(title), height=430, margin=dict(t=40 if title else 10, b=10), yaxis_title="Units",
                         legend=dict(orientation="h", y=-0.15), hovermode="x unified", barmode="overlay")
    return figure


def utilization_heatmap(check: pd.DataFrame, value: str = "utilization") -> go.Figure:
    """Resources x periods, coloured by utilization (or overload probability); > 100% is red."""
    table = check.pivot_table(index="resource", columns="period", values=value, aggfunc="first")
    text = table.map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
    upper = 1.3 if value == "utilization" else 1.0
    figure = go.Figure(go.Heatmap(
        z=table.to_numpy(), x=list(table.columns), y=list(table.index), text=text.to_numpy(),
        texttemplate="%{text}", zmin=0, zmax=upper,
        colorscale=[[0, "#ecfdf5"], [0.6 / upper, "#a7f3d0"], [0.85 / upper, "#fde68a"], [1.0 / upper, "#f87171"],
                    [1, "#991b1b"]] if value == "utilization" else "Reds",
        colorbar=dict(title="Load" if value == "utilization" else "P(over)", tickformat=".0%")))
    figure.update_layout(height=80 + 45 * len(table), margin=dict(t=10, b=10), xaxis_title=None)
    return figure


def class_matrix(matrix: pd.DataFrame) -> go.Figure:
    """ABC x XYZ: number of SKUs in each cell, coloured by the inventory value they hold."""
    counts, value = matrix["skus"], matrix["inventory_value"]
    text = [[f"{int(c)} SKUs<br>{v:,.0f}" for c, v in zip(cr, vr)]
            for cr, vr in zip(counts.to_numpy(), value.to_numpy())]
    figure = go.Figure(go.Heatmap(z=value.to_numpy(), x=[f"{x}" for x in counts.columns],
                                  y=[f"{a}" for a in counts.index], text=text, texttemplate="%{text}",
                                  colorscale="Blues", colorbar=dict(title="Value")))
    figure.update_layout(height=320, margin=dict(t=10, b=10), yaxis=dict(autorange="reversed"),
                         xaxis_title="XYZ (variability)", yaxis_title="ABC (value)")
    return figure


def scenario_lines(baseline: pd.DataFrame, scenario: pd.DataFrame, column: str, title: str) -> go.Figure:
    """One figure per period, baseline against scenario."""
    figure = go.Figure()
    figure.add_scatter(x=baseline.period, y=baseline[column], name="Baseline", line=dict(color=LAST_CYCLE, width=2))
    figure.add_scatter(x=scenario.period, y=scenario[column], name="Scenario", line=dict(color=FORECAST, width=3))
    figure.update_layout(title=title, height=320, margin=dict(t=40, b=10), legend=dict(orientation="h", y=-0.2),
                         hovermode="x unified")
    return figure


def scenario_utilization(baseline: pd.DataFrame, scenario: pd.DataFrame) -> go.Figure:
    """Peak and average utilization per resource, baseline against scenario; 100% marked."""
    def per_resource(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.groupby("resource").utilization.agg(["mean", "max"])

    base, new = per_resource(baseline), per_resource(scenario)
    figure = go.Figure()
    figure.add_bar(x=base.index, y=base["max"], name="Baseline peak", marker_color=LAST_CYCLE)
    figure.add_bar(x=new.index, y=new["max"], name="Scenario peak", marker_color=FORECAST)
    figure.add_scatter(x=new.index, y=new["mean"], name="Scenario average", mode="markers",
                       marker=dict(color=CONSENSUS, size=10, symbol="diamond"))
    figure.add_hline(y=1.0, line=dict(color=SAFETY, dash="dash"))
    figure.update_layout(title="Capacity utilization per resource", height=320, margin=dict(t=40, b=10),
                         yaxis=dict(tickformat=".0%"), barmode="group", legend=dict(orientation="h", y=-0.2))
    return figure


def demand_supply_capacity(outlook: pd.DataFrame) -> go.Figure:
    """Per month: planned supply (made and bought, stacked) against consensus demand, and the busiest
    resource's utilization on the right axis with 100% marked."""
    figure = go.Figure()
    figure.add_bar(x=outlook.month, y=outlook.made, name="Supply: made", marker_color=FORECAST)
    figure.add_bar(x=outlook.month, y=outlook.bought, name="Supply: bought", marker_color="#93c5fd")
    figure.add_scatter(x=outlook.month, y=outlook.demand, name="Consensus demand", mode="lines+markers",
                       line=dict(color=CONSENSUS, width=3))
    figure.add_scatter(x=outlook.month, y=outlook.peak_utilization, name="Busiest resource (right axis)",
                       yaxis="y2", mode="lines+markers", line=dict(color=SAFETY, width=2, dash="dot"))
    figure.add_hline(y=1.0, yref="y2", line=dict(color=SAFETY, width=1, dash="dash"))
    figure.update_layout(barmode="stack", height=400, margin=dict(t=10, b=10), hovermode="x unified",
                         yaxis=dict(title="Units"), legend=dict(orientation="h", y=-0.15),
                         yaxis2=dict(title="Utilization", overlaying="y", side="right", tickformat=".0%",
                                     rangemode="tozero", showgrid=False))
    return figure


def kpi_trend(monthly: pd.DataFrame, kpi: str, label: str, target: dict | None, percent: bool) -> go.Figure:
    """A KPI month by month with its target line and green/amber thresholds."""
    figure = go.Figure()
    figure.add_scatter(x=monthly.month, y=monthly[kpi], name=label, mode="lines+markers",
                       line=dict(color=FORECAST, width=3))
    if target:
        for name, color in (("target", ACTUAL), ("green", CONSENSUS), ("amber", "#d97706")):
            value = target.get(name)
            if value is not None and value == value:
                figure.add_hline(y=value, line=dict(color=color, width=1.5, dash="dash" if name != "target" else
                                                    "solid"), annotation_text=name, annotation_position="right")
    figure.update_layout(height=360, margin=dict(t=10, b=10), hovermode="x unified", showlegend=False,
                         yaxis=dict(tickformat=".0%" if percent else ",.2f"))
    return figure
