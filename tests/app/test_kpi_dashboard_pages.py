"""The Dashboard (the landing page) and the KPI page in AppTest: every role lands on the dashboard
and reads the scorecard; the hierarchy, KPI and drill-down pickers move what is shown; the
coordinator sets a target and the tiles judge against it."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.domain.permissions import ROLES
from genxsop_core.kpi.formulas import KPIS
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from tests.app.conftest import logged_in, texts

DASHBOARD_TILES = ["wape", "bias", "fill_rate", "otif", "inventory_turns", "days_of_supply", "capacity_utilization",
                   "revenue_vs_plan"]
TARGET_EDITORS = ("admin", "coordinator")
CYCLE_LINE = re.compile(r"^\*\*S&OP [^*]+\*\* · stage \*\*[a-z ]+\*\* · demand plan v\d+ \w+ · "
                        r"(supply plan v\d+ \w+|no supply plan yet)$")


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def kpi_page(role: str):
    at = logged_in(role).run()
    at.switch_page("../pages/kpis.py")
    return run(at)


def tiles(at) -> dict[str, object]:
    """The KPI tiles by their label (without the status dot in front)."""
    return {m.label.split("] ", 1)[-1]: m for m in at.metric}


def chart(at) -> dict:
    """The page's one plotly figure (data and layout)."""
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 1, f"expected one chart, got {len(charts)}"
    return charts[0]


def traces(at) -> list[dict]:
    return chart(at)["data"]


def values(trace: dict) -> np.ndarray:
    y = trace["y"]
    return (np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
            if isinstance(y, dict) else np.array(y, dtype=float))


def children(at):
    return next(d.value for d in at.dataframe if {"key", "target_level"} <= set(d.value.columns))


def has_target_form(at) -> bool:
    return any(b.label == "Save target" for b in at.button) or any(n.key == "kpi_target" for n in at.number_input)


def save_target(at, target: float, green: float, amber: float):
    at.number_input(key="kpi_target").set_value(target)
    at.number_input(key="kpi_green").set_value(green)
    at.number_input(key="kpi_amber").set_value(amber)
    next(b for b in at.button if b.label == "Save target").click()
    return run(at)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lands_on_the_dashboard_and_reads_the_kpi_page(app_db, role):
    at = run(logged_in(role))  # no page chosen: the landing page
    assert [t.value for t in at.title] == ["Dashboard"]
    shown = tiles(at)
    assert list(shown) == [KPIS[k].label for k in DASHBOARD_TILES]
    assert all(m.value != "n/a" and "target" in m.proto.help for m in shown.values())
    outlook = chart(at)
    names = [t.get("name") for t in outlook["data"]]
    assert "Consensus demand" in names and np.nansum(values(outlook["data"][names.index("Consensus demand")])) > 0
    right_axis = [t for t in outlook["data"] if t.get("yaxis") == "y2"]  # a partial month is a trace of its own
    assert {t["name"].removesuffix(", partial month") for t in right_axis} == {"Busiest resource (right axis)"}, names
    axis = outlook["layout"]["yaxis2"]
    assert (axis["side"], axis["title"]["text"], axis["tickformat"]) == ("right", "Utilization", ".0%")
    assert 0.1 < np.nanmax(values(right_axis[0])) < 10  # utilization as a fraction
    exceptions = next(d.value for d in at.dataframe if "money_at_risk" in d.value.columns)
    assert 0 < len(exceptions) <= 10
    assert list(exceptions.columns) == ["sku", "name", "exception", "money_at_risk", "first_stockout"]
    assert exceptions.money_at_risk.is_monotonic_decreasing, list(exceptions.money_at_risk)
    assert [line for line in texts(at).splitlines() if CYCLE_LINE.match(line)], texts(at)

    at.switch_page("../pages/kpis.py")
    run(at)
    assert [t.value for t in at.title] == ["KPIs"]
    assert list(tiles(at)) == [spec.label for spec in KPIS.values()]
    assert at.selectbox(key="kpi_pick").value == next(iter(KPIS))
    names = [t["name"] for t in traces(at)]  # the KPI, then its target lines named in the legend
    assert names[0] == next(iter(KPIS.values())).label and len(children(at)) > 0
    assert names[1:] and all(n.startswith(("Target ", "Green from ", "Amber from ")) for n in names[1:]), names
    assert has_target_form(at) is (role in TARGET_EDITORS)
    assert ("Set the target of" in " ".join(e.label for e in at.expander)) is (role in TARGET_EDITORS)


def test_picking_a_category_changes_the_tiles_and_the_drill_down_lists_children(app_db):
    hierarchy = product_hierarchy(UnitOfWork())
    at = kpi_page("viewer")
    categories = sorted(hierarchy.category.unique())
    table = children(at)
    assert list(table.key) == categories
    assert set(table.target_level) <= {"Default", "Total", "Category"}
    before = {label: m.value for label, m in tiles(at).items()}
    category = categories[0]
    at.selectbox(key="kpi_category").set_value(category)
    run(at)
    after = {label: m.value for label, m in tiles(at).items()}
    assert after.keys() == before.keys()
    assert [label for label in after if after[label] != before[label]], after
    assert f"Category {category}: the last complete month" in texts(at)
    assert list(children(at).key) == sorted(hierarchy[hierarchy.category == category].family.unique())


def test_picking_another_kpi_changes_the_trend_chart(app_db):
    at = kpi_page("executive")
    first = traces(at)[0]
    assert first["name"] == KPIS["wape"].label
    at.selectbox(key="kpi_pick").set_value("fill_rate")
    run(at)
    second = traces(at)[0]
    assert second["name"] == KPIS["fill_rate"].label
    old, new = values(first), values(second)
    assert np.isfinite(new).any()
    assert not np.array_equal(np.nan_to_num(old, nan=-1.0), np.nan_to_num(new, nan=-1.0))
    assert f"**{KPIS['fill_rate'].label}** by month" in texts(at)


def test_the_coordinator_sets_the_fill_rate_target_and_the_tiles_judge_against_it(app_db):
    at = kpi_page("coordinator")
    before = next(m for m in at.metric if m.label.endswith("] Fill rate"))
    assert before.label.startswith(":green[") and "default" in before.proto.help  # 99.0% against the built-in 97%
    at.selectbox(key="kpi_pick").set_value("fill_rate")
    run(at)
    save_target(at, 99.5, 99.2, 95.0)
    assert "Target of Fill rate for All products saved." in [s.value for s in at.success]
    after = next(m for m in at.metric if m.label.endswith("] Fill rate"))
    assert after.value == before.value
    assert after.label.startswith(":orange[")  # below green (99.2%), above amber (95%)
    assert after.proto.help.endswith("target 99.5% (green 99.2%, amber 95.0%)"), after.proto.help
    assert at.number_input(key="kpi_target").value == pytest.approx(99.5)
    at.switch_page("../pages/dashboard.py")
    run(at)
    tile = next(m for m in at.metric if m.label.endswith("] Fill rate"))
    assert tile.label.startswith(":orange[") and "target 99.5%" in tile.proto.help


def test_the_target_form_shows_the_picked_kpis_current_target(app_db):
    at = kpi_page("coordinator")
    at.selectbox(key="kpi_pick").set_value("fill_rate")
    run(at)
    fill_rate = next(m for m in at.metric if m.label.endswith("] Fill rate")).proto.help
    assert "target 97.0% (green 97.0%, amber 93.0%" in fill_rate
    assert [n.value for n in at.number_input] == pytest.approx([97.0, 97.0, 93.0])  # shows WAPE's 25 / 25 / 35


def test_the_outlook_hatches_the_months_the_plan_covers_in_part(app_db):
    at = run(logged_in("viewer"))
    figure = next(spec for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                  if any(t.get("name") == "Supply: made" for t in spec["data"]))
    named = {t.get("name"): t for t in figure["data"]}
    plan = dashboard_views.current_plan(UnitOfWork())
    data = load_plan_data(UnitOfWork(), plan.demand_version_id, plan.supply_version_id)
    outlook = dashboard_views.plan_outlook(data)
    # the rule, checked from the calendar: a plan starting after the 7th holds only some of its first month
    assert bool(outlook.partial.iloc[0]) is (data.periods[0].day > 7)
    assert len(named["Supply: made"]["x"]) == (~outlook.partial).sum()
    if outlook.partial.any():
        hatched = named["Supply: made, partial month"]
        assert hatched["marker"]["pattern"]["shape"] == "/" and len(hatched["x"]) == outlook.partial.sum()
        assert all(re.fullmatch(r"partial month: \d of [45] weeks", text) for text in hatched["customdata"])
        assert "Partial month: not all its weeks planned (hatched bar, open marker)" in named
        assert "Consensus demand, partial month" in named
    # the heading names the months shown and the weeks of a partial one, not "next 12 months"
    heading = f"**Demand, supply and capacity**, {dashboard_views.outlook_span(outlook)}"
    assert heading in [m.value for m in at.markdown]
    assert ("weeks)" in heading) is bool(outlook.partial.any())
