"""Like-for-like monthly figures: which months a series covers only in part (one rule, periods.month_coverage),
how the monthly demand chart, the outlook charts and the PDF chart show them, and "vs last cycle's plan"
taken over the weeks both plans cover whatever the view."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from genxsop_core.cycle.dashboard import outlook_span
from genxsop_core.cycle.pack_charts import outlook_figure
from genxsop_core.demand.views import CHART_COLUMNS, in_months, plan_totals
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.periods import bucket_of, month_coverage
from genxsop_ui import charts

# a plan starting on the last Monday of November 2026 (Mondays 2, 9, 16, 23, 30): one week of November
PLAN = pd.date_range("2026-11-30", periods=13, freq="W-MON")  # to 2027-02-22: Dec 4, Jan 4, Feb 4 of 4 weeks


def test_a_week_counts_in_the_month_it_starts_in_and_a_month_missing_weeks_is_partial():
    coverage = month_coverage(PLAN, "week")
    assert coverage.month.dt.strftime("%Y-%m").tolist() == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert coverage.buckets.tolist() == [1, 4, 4, 4]
    assert coverage.buckets_in_month.tolist() == [5, 4, 4, 4]
    assert coverage.partial.tolist() == [True, False, False, False]


def test_a_plan_cut_before_the_last_monday_leaves_its_last_month_partial():
    coverage = month_coverage(pd.date_range("2027-03-01", "2027-03-22", freq="W-MON"), "week")  # 4 of 5 Mondays
    assert (coverage.buckets.item(), coverage.buckets_in_month.item(), coverage.partial.item()) == (4, 5, True)


@pytest.mark.parametrize("month, mondays", [("2027-03", 5), ("2027-02", 4), ("2026-11", 5), ("2026-12", 4),
                                            ("2024-02", 4), ("2024-04", 5), ("2027-05", 5)])
def test_the_weeks_of_a_month_are_its_mondays(month, mondays):
    days = pd.date_range(f"{month}-01", periods=31, freq="D")
    every_monday = days[(days.month == days[0].month) & (days.weekday == 0)]
    assert len(every_monday) == mondays
    coverage = month_coverage(every_monday, "week")
    assert coverage.buckets_in_month.item() == mondays and not coverage.partial.item()


def test_under_monthly_buckets_every_month_is_whole_and_the_bucket_is_read_from_the_spacing():
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    assert bucket_of(months) == "month" and bucket_of(PLAN) == "week"
    assert not month_coverage(months, "month").partial.any()
    assert month_coverage(pd.DatetimeIndex([]), "week").empty
    with pytest.raises(InvalidInput):
        month_coverage(months, "quarter")


def weekly_chart() -> pd.DataFrame:
    """Actuals to the week before the plan; this plan from 2026-11-30 at 110 a week; last cycle's plan
    from a month earlier to 2026-12-28 at 100 a week: all five weeks of November, and five weeks shared."""
    weeks = pd.date_range("2026-09-07", "2027-02-22", freq="W-MON")
    chart = pd.DataFrame({"period": weeks}).reindex(columns=CHART_COLUMNS)
    history, planned = weeks < PLAN[0], weeks >= PLAN[0]
    last = (weeks >= pd.Timestamp("2026-11-02")) & (weeks <= pd.Timestamp("2026-12-28"))
    chart.loc[history, "actual"] = 100.0
    chart.loc[planned, ["statistical", "consensus", "p10", "p90"]] = [100.0, 110.0, 80.0, 130.0]
    chart.loc[last, "last_cycle"] = 100.0
    return chart.astype({c: float for c in CHART_COLUMNS[1:]})


def test_vs_last_cycle_is_taken_over_the_weeks_both_plans_cover_and_says_which():
    totals = plan_totals(weekly_chart())
    assert totals.change_vs_last_cycle == pytest.approx(0.10)  # 550 against 500: the same five weeks
    assert (totals.consensus_shared, totals.last_cycle_shared) == (550.0, 500.0)
    assert totals.shared_span == "5 shared weeks, 2026-11-30 to 2026-12-28"
    assert (totals.shared_from, totals.shared_to) == (date(2026, 11, 30), date(2026, 12, 28))


def test_a_monthly_chart_is_refused_for_the_comparison_it_would_get_wrong():
    monthly = in_months(weekly_chart())
    # what adding months compared: November held 1 week of this plan against 5 of last cycle's,
    # 550 against 900 (-39%) where the weeks both plans cover read +10%
    shared = monthly[monthly.consensus.notna() & monthly.last_cycle.notna()]
    assert (shared.consensus.sum(), shared.last_cycle.sum()) == (550.0, 900.0)
    with pytest.raises(InvalidInput, match="weekly"):
        plan_totals(monthly)


def test_the_span_reads_in_words_for_one_week_and_for_none():
    one = weekly_chart()
    one.loc[one.period > PLAN[0], "last_cycle"] = np.nan
    assert plan_totals(one).shared_span == "1 shared week, 2026-11-30"
    none = weekly_chart().assign(last_cycle=np.nan)
    totals = plan_totals(none)
    assert totals.change_vs_last_cycle is None and totals.shared_span == "no shared weeks"


def test_the_monthly_chart_marks_for_each_series_the_months_it_covers_in_part():
    monthly = in_months(weekly_chart()).set_index("period")
    november = monthly.loc["2026-11-01"]
    assert (november.buckets_in_month, november.actual_buckets, november.consensus_buckets,
            november.last_cycle_buckets) == (5, 4, 1, 5)
    assert november.actual_partial and november.consensus_partial and not november.last_cycle_partial
    december = monthly.loc["2026-12-01"]
    assert not december.consensus_partial and not december.last_cycle_partial  # all 4 December weeks
    assert monthly.loc["2026-10-01", "actual_buckets"] == 4 and not monthly.loc["2026-10-01", "actual_partial"]
    assert monthly.consensus.sum() == pytest.approx(110.0 * len(PLAN))  # nothing lost in the roll-up


def trace(figure, name: str):
    return next(t for t in figure.data if t.name == name)


def test_the_demand_chart_draws_partial_months_as_open_markers_off_the_line():
    monthly = in_months(weekly_chart())
    figure = charts.demand_review(monthly, "units", aggregate=True)
    line, partial = trace(figure, "Consensus"), trace(figure, "Consensus, partial month")
    november = list(pd.to_datetime(monthly.period)).index(pd.Timestamp("2026-11-01"))
    assert np.isnan(line.y[november])  # no cliff: the line starts with the first whole month
    assert list(partial.y) == [110.0] and partial.marker.symbol == charts.PARTIAL_MARKER
    assert list(partial.customdata) == ["partial month: 1 of 5 weeks"]
    assert list(trace(figure, "Actual, partial month").customdata) == ["partial month: 4 of 5 weeks"]
    assert any(t.name == charts.PARTIAL_LEGEND for t in figure.data)
    weekly = charts.demand_review(weekly_chart(), "units", aggregate=True)
    assert not any("partial" in (t.name or "").lower() for t in weekly.data)


@pytest.mark.parametrize("aggregate, monthly, name", [
    (False, False, "P10-P90"),
    (True, False, "P10-P90: sum of the SKU P10s and P90s (wider than the truth)"),
    (False, True, "P10-P90: sum of the weekly P10s and P90s (wider than the truth)"),
    (True, True, "P10-P90: sum of the SKU and weekly P10s and P90s (wider than the truth)")])
def test_the_band_is_named_for_what_it_is_and_the_caption_says_the_same(aggregate, monthly, name):
    frame = in_months(weekly_chart()) if monthly else weekly_chart()
    figure = charts.demand_review(frame, "units", aggregate=aggregate)
    assert any(t.name == name for t in figure.data)
    caption = charts.demand_band_caption(aggregate, monthly)
    assert ("SKUs' P10s and P90s" in caption) is aggregate and ("wider than the true" in caption) is (name != "P10-P90")


def outlook() -> pd.DataFrame:
    months = month_coverage(PLAN, "week")
    return months.assign(demand=months.buckets * 110.0, made=months.buckets * 80.0, bought=months.buckets * 20.0,
                         load_hours=1.0, capacity_hours=2.0, peak_utilization=0.5)


def test_the_dashboard_outlook_hatches_a_partial_month_and_keeps_it_off_the_demand_line():
    figure = charts.demand_supply_capacity(outlook())
    made, partial = trace(figure, "Supply: made"), trace(figure, "Supply: made, partial month")
    assert len(made.x) == 3 and list(partial.y) == [80.0] and partial.marker.pattern.shape == "/"
    assert list(partial.customdata) == ["partial month: 1 of 5 weeks"]
    assert np.isnan(trace(figure, "Consensus demand").y[0])
    assert list(trace(figure, "Consensus demand, partial month").y) == [110.0]
    assert any((t.name or "").startswith("Partial month") for t in figure.data)


def test_the_outlook_heading_names_its_months_and_the_weeks_of_a_partial_one():
    assert outlook_span(outlook()) == "Nov 2026 to Feb 2027 (Nov 2026: 1 of 5 weeks)"
    whole = outlook().iloc[1:]
    assert outlook_span(whole) == "Dec 2026 to Feb 2027"  # no "next 12 months" when the plan holds fewer
    assert outlook_span(whole.iloc[:0]) == "no months planned"


def test_the_pack_chart_hatches_a_partial_month_and_names_its_weeks():
    figure = outlook_figure(outlook())
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert labels[0] == "Nov 2026\n1 of 5 weeks" and labels[1] == "Dec 2026"
    hatched = [bar.get_hatch() for bar in axes.patches]
    assert hatched[0] == "//" and hatched[4] == "//" and not any(hatched[1:4])  # made, then bought, per month
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert any(text.startswith("Partial month") for text in legend)
    demand = axes.lines[0].get_ydata()
    assert np.isnan(demand[0]) and list(demand[1:]) == [440.0] * 3
