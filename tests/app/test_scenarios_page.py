"""The What-if scenarios page in AppTest: the delta strip for every role, levers that move it,
pinning and comparing scenarios, and the coordinator promoting one to the cycle's plan."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from genxsop_core.domain.permissions import ROLES
from genxsop_core.scenarios.levers import SUMMARY_LABELS
from tests.app.conftest import logged_in, texts

STRIP = ("revenue", "margin", "fill_rate", "stockout_skus", "inventory_value_avg", "utilization_peak", "overloads")
PINNERS = tuple(r for r in ROLES if r != "viewer")
PROMOTERS = ("admin", "coordinator")


def scenarios_page(role: str):
    at = logged_in(role).run()
    at.switch_page("../pages/scenarios.py").run()
    assert not at.exception, at.exception
    return at


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label: str):
    """(value, delta) of the strip's metric called `label`."""
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0].value, found[0].delta


def number(text: str) -> float:
    return float(re.sub(r"[^\d.+-]", "", text))  # "€4,104,200", "97.3%", "+1.2 pts"


def trace(at, title: str, name: str) -> np.ndarray:
    """The y values of trace `name` in the chart titled `title` (plotly ships numpy arrays base64-encoded)."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"].get("title", {}).get("text") != title:
            continue
        for t in spec["data"]:
            if t.get("name") == name:
                y = t["y"]
                return (np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
                        if isinstance(y, dict) else np.array(y, dtype=float))
    raise AssertionError(f"no chart {title!r} with a {name!r} trace")


def comparison(at):
    """The Compare tab's table (rows: figure labels, one column per scenario), or None."""
    return next((d.value.set_index("Figure") for d in at.dataframe if "Baseline" in d.value.columns), None)


def pin(at, name: str, note: str = "") -> int:
    at.text_input(key="sc_name").input(name)
    at.text_area(key="sc_note").input(note)
    at.button(key="sc_pin").click()
    run(at)
    flashes = [s.value for s in at.success]
    found = [m for m in (re.fullmatch(rf"Pinned scenario #(\d+) '{re.escape(name)}'\.", f) for f in flashes) if m]
    assert len(found) == 1, flashes
    return int(found[0].group(1))


@pytest.mark.parametrize("role", ROLES)
def test_renders_for_every_role_with_the_delta_strip_at_the_baseline(app_db, role):
    at = scenarios_page(role)
    assert [t.value for t in at.title] == ["What-if scenarios"]
    assert at.selectbox(key="sc_version").value is not None  # the demo's current draft
    assert [m.label for m in at.metric] == [SUMMARY_LABELS[k] for k in STRIP]
    for m in at.metric:
        assert m.value not in ("", "n/a"), m.label
        assert m.delta == "", (m.label, m.delta)  # no lever moved: no "+0" with a green or red arrow
    assert {"sc_demand", "sc_price", "sc_cost", "sc_capacity", "sc_lead_time"} <= {s.key for s in at.slider}
    assert any(s.key.startswith("sc_cat_") for s in at.slider) and any(s.key.startswith("sc_res_") for s in at.slider)
    assert np.allclose(trace(at, "Revenue per period", "Scenario"), trace(at, "Revenue per period", "Baseline"))
    assert [t.label for t in at.tabs] == ["Pin", "Compare", "Promote"]
    keys = {b.key for b in at.button}
    assert ("sc_pin" in keys) is (role in PINNERS)
    assert "sc_promote" not in keys  # nothing pinned yet
    assert "No pinned scenario on this plan version yet." in texts(at)
    assert ("Pin a scenario first." in texts(at)) is (role in PROMOTERS)


def test_less_demand_lowers_revenue_and_the_scenario_line_leaves_the_baseline(app_db):
    at = scenarios_page("demand_planner")
    before, _ = metric(at, "Revenue")
    at.slider(key="sc_demand").set_value(-10)
    run(at)
    after, delta = metric(at, "Revenue")
    assert after != before and number(after) < number(before)
    assert delta.startswith("-") and delta.endswith("%)"), delta
    assert number(delta.split(" (")[0]) == pytest.approx(number(after) - number(before), abs=2)
    scenario, baseline = trace(at, "Revenue per period", "Scenario"), trace(at, "Revenue per period", "Baseline")
    assert not np.allclose(scenario, baseline) and scenario.sum() < baseline.sum()
    assert scenario.sum() == pytest.approx(number(after), abs=1)  # the metric is the chart's total
    assert baseline.sum() == pytest.approx(number(before), abs=1)


def test_a_price_change_moves_money_figures_only_and_unmoved_ones_show_no_arrow(app_db):
    at = scenarios_page("demand_planner")
    at.slider(key="sc_price").set_value(5)
    run(at)
    assert metric(at, "Revenue")[1].startswith("+")
    for label in ("Fill rate", "SKUs stocking out", "Peak utilization", "Overloaded resource-periods"):  # no unit moves
        assert metric(at, label)[1] == "", label


def test_more_capacity_lowers_peak_utilization(app_db):
    at = scenarios_page("supply_planner")
    peak, _ = metric(at, "Peak utilization")
    overloads, _ = metric(at, "Overloaded resource-periods")
    at.slider(key="sc_capacity").set_value(30)
    run(at)
    new_peak, delta = metric(at, "Peak utilization")
    assert number(new_peak) < number(peak), (peak, new_peak)
    assert delta.startswith("-") and delta.endswith(" pts"), delta
    assert number(metric(at, "Overloaded resource-periods")[0]) <= number(overloads)
    assert trace(at, "Capacity utilization per resource", "Scenario peak").max() == pytest.approx(
        number(new_peak) / 100, abs=0.001)


def test_an_executive_pins_two_scenarios_and_compares_them_with_the_baseline(app_db):
    at = scenarios_page("executive")
    baseline_revenue, _ = metric(at, "Revenue")
    at.slider(key="sc_demand").set_value(-10)
    run(at)
    soft_revenue, _ = metric(at, "Revenue")
    soft = pin(at, "Demand -10%", "Retailers destock in Q1")
    table = comparison(at)
    assert table is not None and list(table.columns) == ["Baseline", f"Demand -10% (#{soft})"]
    assert table.loc["Revenue", "Baseline"] == baseline_revenue
    assert table.loc["Revenue", f"Demand -10% (#{soft})"] == soft_revenue  # the figures as the meeting saw them
    assert f"#{soft} Demand -10%: Retailers destock in Q1" in texts(at)

    at.slider(key="sc_demand").set_value(0)
    at.slider(key="sc_capacity").set_value(30)
    run(at)
    shift = pin(at, "One more shift", "Third shift on the lines from January")
    assert shift != soft
    at.multiselect(key="sc_compare").set_value([soft, shift])
    run(at)
    table = comparison(at)
    both = [f"Demand -10% (#{soft})", f"One more shift (#{shift})"]
    assert list(table.columns) == ["Baseline", *both]
    assert table.loc["Revenue", both[0]] != table.loc["Revenue", both[1]]
    assert table.loc["Peak utilization", both[1]] != table.loc["Peak utilization", "Baseline"]
    assert f"#{shift} One more shift: Third shift on the lines from January" in texts(at)


def test_a_scenario_pinned_second_shows_in_the_compare_table(app_db):
    at = scenarios_page("executive")
    first = pin(at, "Plan as it stands")
    at.slider(key="sc_price").set_value(5)
    run(at)
    second = pin(at, "Price +5%")
    assert set(at.multiselect(key="sc_compare").value) == {first, second}  # the default: the two newest
    assert f"Price +5% (#{second})" in comparison(at).columns


def test_a_viewer_cannot_pin_and_only_the_coordinator_or_an_admin_can_promote(app_db):
    executive = scenarios_page("executive")
    pinned = pin(executive, "Demand +5%")
    assert "sc_promote" not in {b.key for b in executive.button}
    assert "The S&OP coordinator or an admin promotes a pinned scenario" in texts(executive)
    viewer = scenarios_page("viewer")
    keys = {b.key for b in viewer.button}
    assert "sc_pin" not in keys and "sc_promote" not in keys
    assert not [t for t in viewer.text_input if t.key == "sc_name"]
    assert "pinning a scenario is for planners, the coordinator and executives" in texts(viewer)
    assert f"Demand +5% (#{pinned})" in comparison(viewer).columns  # a viewer still reads the pinned scenarios
    assert "The S&OP coordinator or an admin promotes a pinned scenario" in texts(viewer)


def test_the_coordinator_promotes_a_pinned_scenario_to_a_new_plan_version(app_db):
    at = scenarios_page("coordinator")
    picker = at.selectbox(key="sc_version")
    old_label = picker.options[picker.index]
    at.slider(key="sc_demand").set_value(-10)
    run(at)
    scenario_revenue, _ = metric(at, "Revenue")
    pinned = pin(at, "Demand -10%", "Soft Q1")
    at.slider(key="sc_demand").set_value(0)  # back to the plan: after promotion the plan is the scenario
    run(at)
    assert at.selectbox(key="sc_promote_pick").value == pinned
    at.button(key="sc_promote").click()
    run(at)

    picker = at.selectbox(key="sc_version")
    new_id = picker.value
    flashes = [s.value for s in at.success]
    assert flashes and flashes[0].startswith(f"Scenario #{pinned} is now the plan: demand version {new_id}"), flashes
    assert picker.options[picker.index] == "Demand from scenario 'Demand -10%' · draft"
    assert old_label not in picker.options  # superseded versions are hidden
    assert metric(at, "Revenue") == (scenario_revenue, "")  # the new plan carries the scenario: no change
    assert "No pinned scenario on this plan version yet." in texts(at)
    at.switch_page("../pages/dashboard.py")
    run(at)
    assert f"demand plan v{new_id} draft" in texts(at)
