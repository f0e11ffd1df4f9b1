"""The meeting pack's chart images: PNG bytes drawn with matplotlib for the PDF.

Figures are built with the object API (`matplotlib.figure.Figure`, rendered by Agg), never with
pyplot: no display, no global figure state shared between Streamlit sessions, and no browser
(plotly's image export would need kaleido and Chrome on the server).
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.8, 150
MAX_HEAT_SHOWN = 1.5  # utilization above 150% is coloured like 150%: the scale stays readable


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _empty(message: str) -> bytes:
    """A chart that says why there is nothing to draw (the page keeps its place in the pack)."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN / 2))
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12)
    return _png(figure)


def outlook_png(outlook: pd.DataFrame) -> bytes:
    """`outlook_figure` as PNG, or a note when the plan has no month."""
    return _empty("The plan has no periods to show") if outlook.empty else _png(outlook_figure(outlook))


def outlook_figure(outlook: pd.DataFrame) -> Figure:
    """Monthly consensus demand (line) against planned receipts made and bought (stacked bars). A month
    the plan covers only in part (`partial`, dashboard.plan_outlook) is a hatched, lighter bar, an open
    marker off the demand line and "N of M weeks" under its name, as on the Dashboard."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
    axes = figure.add_subplot()
    partial = outlook["partial"].astype(bool).to_numpy()
    labels = [f"{month:%b %Y}" + (f"\n{n} of {m} weeks" if p else "") for month, n, m, p in
              zip(pd.to_datetime(outlook["month"]), outlook["buckets"], outlook["buckets_in_month"], partial)]
    x = np.arange(len(outlook))
    handles: list = []
    for column, bottom, color, label in (("made", None, "#4c78a8", "Made (planned receipts)"),
                                         ("bought", outlook["made"], "#9ecae9", "Bought (planned receipts)")):
        bars = axes.bar(x, outlook[column], bottom=bottom, color=color)
        handles.append(Patch(color=color, label=label))  # the legend shows a whole month's bar
        for bar, part in zip(bars, partial):
            if part:
                bar.set_alpha(0.45)
                bar.set_hatch("//")
    demand = outlook["demand"].to_numpy(dtype=float)
    handles += axes.plot(x, np.where(partial, np.nan, demand), color="#e45756", marker="o", linewidth=2,
                         label="Consensus demand")
    if partial.any():
        handles += axes.plot(x[partial], demand[partial], linestyle="none", marker="o", markersize=8,
                             markerfacecolor="white", markeredgecolor="#e45756", markeredgewidth=2,
                             label="Partial month:\nnot all its weeks planned\n(hatched bar, open marker)")
    axes.set_xticks(x, labels, rotation=45, ha="right")
    axes.set_ylabel("Units")
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    axes.set_title("Demand and supply outlook by month")
    return figure


def capacity_png(capacity: pd.DataFrame) -> bytes:
    """Heat map of utilization per resource and period: red where load exceeds capacity."""
    if capacity.empty:
        return _empty("No resources are loaded by the plan")
    grid = capacity.pivot_table(index="resource", columns="period", values="utilization", aggfunc="max", sort=True)
    values = np.clip(grid.to_numpy(dtype=float), 0.0, MAX_HEAT_SHOWN)  # inf (no capacity) shows as the maximum
    figure = Figure(figsize=(WIDTH_IN, max(2.5, 0.45 * len(grid) + 1.5)))
    axes = figure.add_subplot()
    image = axes.imshow(values, aspect="auto", cmap="RdYlGn_r",
                        norm=TwoSlopeNorm(vcenter=1.0, vmin=0.0, vmax=MAX_HEAT_SHOWN))
    periods = pd.to_datetime(pd.Series(grid.columns))
    step = max(1, len(periods) // 13)
    axes.set_xticks(np.arange(0, len(periods), step), periods.dt.strftime("%d %b %y")[::step], rotation=45,
                    ha="right", fontsize=7)
    axes.set_yticks(np.arange(len(grid)), [str(r) for r in grid.index], fontsize=8)
    colorbar = figure.colorbar(image, ax=axes)
    colorbar.set_ticks([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5])
    colorbar.set_label("Utilization (100% = capacity)")
    colorbar.ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.set_title("Capacity utilization per resource and period")
    return _png(figure)


def pack_charts(outlook: pd.DataFrame, capacity: pd.DataFrame) -> dict[str, bytes]:
    """The charts `meeting_pack.build_pdf` places: "outlook" and "capacity"."""
    return {"outlook": outlook_png(outlook), "capacity": capacity_png(capacity)}
