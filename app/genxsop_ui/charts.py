"""Plotly figures shared by pages: one look for history, forecasts and their uncertainty."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from genxsop_core.presentation.numbers import format_value

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


PARTIAL_MARKER = "circle-open"
PARTIAL_LEGEND = "Partial month: not all its weeks (open marker)"


def partial_month_text(weeks: pd.Series, weeks_in_month: pd.Series, partial: pd.Series) -> list[str]:
    """Hover text of a month a series covers only in part ("partial month: 1 of 5 weeks"), "" for a whole one."""
    return [f"partial month: {n:.0f} of {m:.0f} weeks" if p else "" for n, m, p in zip(weeks, weeks_in_month, partial)]


def _line_by_month(figure: go.Figure, x: pd.Series, y: pd.Series, partial: pd.Series | None, text: list[str],
                   name: str, line: dict, value_format: str = ",.0f", **trace: object) -> None:
    """A line of whole months, with the months it covers only in part as open markers off the line
    (a month holding one week of a plan would otherwise draw a cliff). `partial` None: no monthly view."""
    if partial is None:
        figure.add_scatter(x=x, y=y, name=name, line=line, **trace)
        return
    partial = partial.astype(bool)
    figure.add_scatter(x=x, y=y.where(~partial), name=name, line=line, mode="lines+markers", legendgroup=name,
                       **trace)
    shown = partial & y.notna()
    if shown.any():
        figure.add_scatter(x=x[shown], y=y[shown], name=f"{name}, partial month", legendgroup=name, showlegend=False,
                           mode="markers", marker=dict(symbol=PARTIAL_MARKER, size=11, color=line["color"],
                                                       line=dict(width=2, color=line["color"])),
                           customdata=[t for t, s in zip(text, shown) if s],
                           hovertemplate=f"%{{y:{value_format}}} (%{{customdata}})", **trace)


def _partial_legend(figure: go.Figure, text: str = PARTIAL_LEGEND) -> None:
    """One legend entry saying what an open marker (and a hatched bar) means."""
    figure.add_scatter(x=[None], y=[None], name=text, mode="markers", hoverinfo="skip",
                       marker=dict(symbol=PARTIAL_MARKER, size=11, color=ACTUAL, line=dict(width=2, color=ACTUAL)))


RECONCILED_BAND_NAME = "Reconciled P10-P90"
SUMMED_BAND_WHY = {  # why an aggregate's band is a sum (demand_views.Band), said after the caption
    "summed": "This plan's forecast run has no reconciled band: it was made before runs stored one, or its "
              "reconciliation failed (the application log says why).",
    "summed_in_this_view": "The reconciled P10-P90 is drawn in units in the weekly view: quantiles of weeks "
                           "do not add up into months, nor of units into revenue.",
}


def demand_band_name(aggregate: bool, monthly: bool, band: str | None = None) -> str:
    """The legend name of the demand review's band: what it is. Quantiles do not add up: a sum of
    P90s is above the P90 of the sum (unless everything moves together), so a band added over SKUs
    (an aggregate node) or over weeks (the monthly view) is wider than the true P10-P90; a
    reconciled band (`band` "reconciled", demand_views.Band) is the node's own."""
    if band == "reconciled":
        return RECONCILED_BAND_NAME
    summed = [part for part, yes in (("SKU", aggregate), ("weekly", monthly)) if yes]
    if not summed:
        return "P10-P90"
    return f"P10-P90: sum of the {' and '.join(summed)} P10s and P90s (wider than the truth)"


def demand_band_caption(aggregate: bool, monthly: bool, band: str | None = None) -> str:
    """The sentence under the demand review chart, saying what `demand_band_name` says, in full, and
    for an aggregate's summed band why it is not the reconciled one (`band`, demand_views.Band)."""
    if band == "reconciled":
        return ("The band is this node's reconciled P10-P90 from the forecast run: its own forecast range, "
                "reconciled with its SKUs' forecasts so that they add up to it. It is narrower than the sum of "
                "the SKUs' bands because SKUs do not all move together.")
    if not aggregate and not monthly:
        return "The band is this SKU's P10-P90 forecast range."
    summed = " and ".join(part for part, yes in (("its SKUs' P10s and P90s", aggregate),
                                                 ("the weeks' P10s and P90s of each month", monthly)) if yes)
    why = f" {SUMMED_BAND_WHY[band]}" if aggregate and band in SUMMED_BAND_WHY else ""
    partial = " Open markers are months a series covers only in part." if monthly else ""
    return (f"The band adds {summed}: exact only when they all move together, wider than the true P10-P90 "
            f"when they do not.{why}{partial}")


def demand_review(frame: pd.DataFrame, measure: str, title: str = "", aggregate: bool = False) -> go.Figure:
    """History, statistical forecast with its P10-P90 band, consensus and last cycle's plan. A monthly
    frame (demand_views.in_months) marks the months each series covers only in part, and an aggregate
    (a node above SKU) names its band for what it is (`demand_band_name`, from the frame's `band`)."""
    monthly = "buckets_in_month" in frame
    band = str(frame.band.iloc[0]) if "band" in frame and len(frame) else None

    def partial_of(series: str) -> tuple[pd.Series | None, list[str]]:
        if not monthly:
            return None, []
        partial = frame[f"{series}_partial"]
        return partial, partial_month_text(frame[f"{series}_buckets"], frame.buckets_in_month, partial)

    figure = go.Figure()
    plan_partial, plan_text = partial_of("consensus")
    _line_by_month(figure, frame.period, frame.actual, *partial_of("actual"), "Actual",
                   dict(color=ACTUAL, width=1.5))
    if frame.p90.notna().any():
        whole = frame if plan_partial is None else frame[~plan_partial.astype(bool)]  # a partial month has no band
        figure.add_scatter(x=whole.period, y=whole.p90, line=dict(width=0), showlegend=False, hoverinfo="skip")
        figure.add_scatter(x=whole.period, y=whole.p10, fill="tonexty", fillcolor=BAND, line=dict(width=0),
                           name=demand_band_name(aggregate, monthly, band))
    _line_by_month(figure, frame.period, frame.statistical, plan_partial, plan_text, "Statistical",
                   dict(color=FORECAST, width=2, dash="dash"))
    _line_by_month(figure, frame.period, frame.consensus, plan_partial, plan_text, "Consensus",
                   dict(color=CONSENSUS, width=3))
    if frame.last_cycle.notna().any():
        _line_by_month(figure, frame.period, frame.last_cycle, *partial_of("last_cycle"), "Last cycle's plan",
                       dict(color=LAST_CYCLE, width=2, dash="dot"))
    if monthly and frame.filter(like="_partial").to_numpy().any():
        _partial_legend(figure)
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


HEATMAP_LABELLED_PERIODS = 16  # more columns than this at 1440 px and a cell's "100%" no longer fits


def _period_axis(periods: pd.Series, roomy: bool) -> tuple[str, dict]:
    """Weeks or months, from the spacing of the periods: the words hover uses, and date ticks without a
    time that stay apart (every fourth week; every month, or every third when not `roomy`)."""
    days = pd.Series(sorted(pd.to_datetime(periods.unique()))).diff().dt.days.median()
    if pd.notna(days) and days >= 28:
        return "month of %{x|%b %Y}", dict(tickformat="%b %Y", dtick="M1" if roomy else "M3")
    return "week of %{x|%d %b %Y}", dict(tickformat="%-d %b<br>%Y", dtick=4 * 7 * 86_400_000)


def utilization_heatmap(check: pd.DataFrame, value: str = "utilization", labels: bool | None = None) -> go.Figure:
    """Resources x periods, coloured by utilization (or overload probability); > 100% is red. Each cell
    shows its figure when the periods fit (`labels` None: up to HEATMAP_LABELLED_PERIODS; False for a
    narrow column), else hover tells it; the colour bar says what the colours mean."""
    table = check.pivot_table(index="resource", columns="period", values=value, aggfunc="first")
    labels = table.shape[1] <= HEATMAP_LABELLED_PERIODS if labels is None else labels
    text = table.map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
    load = value == "utilization"
    upper = 1.3 if load else 1.0
    when, xaxis = _period_axis(check.period, roomy=labels)
    if load and {"load_hours", "capacity_hours"} <= set(check.columns):
        custom = np.dstack([check.pivot_table(index="resource", columns="period", values=hours, aggfunc="first")
                            .reindex(index=table.index, columns=table.columns).to_numpy()
                            for hours in ("load_hours", "capacity_hours")])  # hover: hours behind each share
        detail = " (%{customdata[0]:,.0f} of %{customdata[1]:,.0f} hours)"
    else:
        custom, detail = None, ""
    what = "load %{z:.0%} of capacity" + detail if load else "chance the load exceeds capacity: %{z:.0%}"
    figure = go.Figure(go.Heatmap(
        z=table.to_numpy(), x=list(table.columns), y=list(table.index), text=text.to_numpy(),
        texttemplate="%{text}" if labels else "", customdata=custom, zmin=0, zmax=upper, xgap=1, ygap=1,
        hovertemplate=f"<b>%{{y}}</b> · {when}<br>{what}<extra></extra>",
        colorscale=[[0, "#ecfdf5"], [0.6 / upper, "#a7f3d0"], [0.85 / upper, "#fde68a"], [1.0 / upper, "#f87171"],
                    [1, "#991b1b"]] if load else "Reds",
        colorbar=dict(title=dict(text="Load" if load else "Chance of<br>overload"),
                      tickvals=[0, 0.6, 0.85, 1.0, 1.3] if load else [0, 0.25, 0.5, 0.75, 1.0],
                      ticktext=["0%", "60%", "85%", "100% (full)", "130% or more"] if load else
                      ["0%", "25%", "50%", "75%", "100%"])))
    figure.update_layout(height=80 + 45 * len(table), margin=dict(t=10, b=10), xaxis=dict(title=None, **xaxis),
                         yaxis=dict(title=None))
    return figure


def hour_value_heatmap(capacity: pd.DataFrame, labels: bool | None = None) -> go.Figure:
    """Resources x periods of a balanced plan, coloured by what one more hour of capacity there adds
    (its `hour_value`, in the currency); blank where the resource has hours to spare. Labels as
    utilization_heatmap's."""
    table = capacity.pivot_table(index="resource", columns="period", values="hour_value", aggfunc="first")
    labels = table.shape[1] <= HEATMAP_LABELLED_PERIODS if labels is None else labels
    shown = table.map(lambda v: format_value(v, "price") if pd.notna(v) and v > 0 else "")
    hover = shown.map(lambda text: f"one more hour adds {text}" if text else "hours to spare: one more adds nothing")
    when, xaxis = _period_axis(capacity.period, roomy=labels)
    figure = go.Figure(go.Heatmap(
        z=table.to_numpy(), x=list(table.columns), y=list(table.index), text=shown.to_numpy(),
        texttemplate="%{text}" if labels else "", customdata=hover.to_numpy(), zmin=0, xgap=1, ygap=1,
        colorscale="Blues", hovertemplate=f"<b>%{{y}}</b> · {when}<br>%{{customdata}}<extra></extra>",
        colorbar=dict(title=dict(text="Value of<br>an hour"))))
    figure.update_layout(height=80 + 45 * len(table), margin=dict(t=10, b=10), xaxis=dict(title=None, **xaxis),
                         yaxis=dict(title=None))
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
    resource's utilization on the right axis with 100% marked. A month the plan covers only in part
    (dashboard.plan_outlook's `partial`) is a hatched, lighter bar and an open marker off the lines."""
    partial = outlook.partial.astype(bool)
    text = partial_month_text(outlook.buckets, outlook.buckets_in_month, partial)
    figure = go.Figure()
    for column, name, color in (("made", "Supply: made", FORECAST), ("bought", "Supply: bought", "#93c5fd")):
        figure.add_bar(x=outlook.month[~partial], y=outlook[column][~partial], name=name, legendgroup=name,
                       marker=dict(color=color))
        if partial.any():  # a trace of its own, so that the legend shows a whole month's bar
            figure.add_bar(x=outlook.month[partial], y=outlook[column][partial], name=f"{name}, partial month",
                           legendgroup=name, showlegend=False, opacity=0.5,
                           marker=dict(color=color, pattern=dict(shape="/", fillmode="overlay")),
                           customdata=[t for t, p in zip(text, partial) if p],
                           hovertemplate="%{y:,.0f} (%{customdata})")
    _line_by_month(figure, outlook.month, outlook.demand, partial, text, "Consensus demand",
                   dict(color=CONSENSUS, width=3))
    _line_by_month(figure, outlook.month, outlook.peak_utilization, partial, text, "Busiest resource (right axis)",
                   dict(color=SAFETY, width=2, dash="dot"), value_format=".0%", yaxis="y2")
    if partial.any():
        _partial_legend(figure, "Partial month: not all its weeks planned (hatched bar, open marker)")
    figure.add_hline(y=1.0, yref="y2", line=dict(color=SAFETY, width=1, dash="dash"))
    figure.update_layout(barmode="stack", height=400, margin=dict(t=10, b=10), hovermode="x unified",
                         yaxis=dict(title="Units"), legend=dict(orientation="h", y=-0.15),
                         yaxis2=dict(title="Utilization", overlaying="y", side="right", tickformat=".0%",
                                     rangemode="tozero", showgrid=False))
    return figure


THRESHOLD_LINES = (("target", "Target", ACTUAL, "solid"), ("green", "Green from", CONSENSUS, "dash"),
                   ("amber", "Amber from", "#d97706", "dot"))


def kpi_trend(monthly: pd.DataFrame, kpi: str, label: str, target: dict | None, percent: bool) -> go.Figure:
    """A KPI month by month with its target line and green/amber thresholds, each named in the legend
    with its value; the time axis spans the months there are, a tick a month (every third past 13)."""
    figure = go.Figure()
    shown = "{:.1%}" if percent else "{:,.2f}"
    figure.add_scatter(x=monthly.month, y=monthly[kpi], name=label, mode="lines+markers",
                       line=dict(color=FORECAST, width=3))
    months = pd.to_datetime(monthly.month)
    span = [months.min(), months.max()] if len(months) else []
    for name, words, color, dash in THRESHOLD_LINES if target and span else ():
        value = target.get(name)
        if value is not None and value == value:
            figure.add_scatter(x=span, y=[value, value], mode="lines", name=f"{words} {shown.format(value)}",
                               line=dict(color=color, width=1.5, dash=dash), hoverinfo="skip")
    xaxis: dict = dict(tickformat="%b %Y", dtick="M1" if len(months) <= 13 else "M3")
    if span:
        xaxis["range"] = [span[0] - pd.Timedelta(days=15), span[1] + pd.Timedelta(days=15)]
    figure.update_layout(height=360, margin=dict(t=10, b=10), hovermode="x unified", showlegend=True,
                         legend=dict(orientation="h", y=-0.15), xaxis=xaxis,
                         yaxis=dict(tickformat=".0%" if percent else ",.2f"))
    return figure
