"""The Inventory page in AppTest: every role renders; the safety stock method, the SKU and the
hierarchy filter change what the page shows; exceptions are ranked by money at risk."""
from __future__ import annotations

import json
import re

import pytest

from genxsop_core.domain.permissions import ROLES
from tests.app.conftest import logged_in, texts
from tests.app.test_supply_page import trace

METHODS = ("demand", "lead_time", "quantile")
METRIC_OF_METHOD = {"demand": "Safety stock: demand variability", "lead_time": "... and lead-time variability",
                    "quantile": "Quantiles of lead-time demand"}


def inventory_page(role: str = "supply_planner"):
    at = logged_in(role).run()
    at.switch_page("../pages/inventory.py").run()
    assert not at.exception, at.exception
    return at


def table(at, column: str):
    """The first dataframe on the page with `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def policy_table(at):
    return table(at, "ss_demand")


def exceptions(at):
    return table(at, "money_at_risk")


def shown_safety_stock(at) -> tuple[str, str]:
    """The SKU and the safety stock the projected-inventory line above the chart names."""
    line = next(m.value for m in at.markdown if " · safety stock " in m.value)
    found = re.match(r"\*\*(\S+)\*\* · .* · safety stock ([\d,]+) ·", line)
    assert found, line
    return found.group(1), found.group(2)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("role", ROLES)
def test_renders_for_every_role_with_the_demo_plan(app_db, role):
    at = inventory_page(role)
    assert "Inventory" in [t.value for t in at.title]
    assert at.selectbox(key="inv_version").value is not None
    assert at.selectbox(key="inv_method").value == "lead_time"
    labels = {m.label for m in at.metric}
    assert {"Inventory value", "SKUs projected to stock out", "Money at risk"} <= labels
    assert len(policy_table(at)) > 0
    assert len(at.get("plotly_chart")) == 2  # projected inventory, ABC/XYZ
    assert not at.data_editor and not at.error


def test_the_safety_stock_method_changes_the_safety_stock(app_db):
    at = inventory_page()
    policy, shown = {}, {}
    for method in METHODS:
        at.selectbox(key="inv_method").set_value(method).run()
        assert not at.exception, at.exception
        policy[method] = policy_table(at).set_index("sku").safety_stock
        sku, value = shown_safety_stock(at)
        shown[method] = value
        if metric(at, METRIC_OF_METHOD[method]) != "n/a":  # the chosen method's figure drives the line
            assert value == metric(at, METRIC_OF_METHOD[method]), (method, sku)
    for a, b in (("demand", "lead_time"), ("lead_time", "quantile"), ("demand", "quantile")):
        assert (policy[a] - policy[b]).abs().max() > 1e-6, (a, b)
    assert len(set(shown.values())) > 1, shown


def test_exceptions_are_ranked_by_money_at_risk(app_db):
    at = inventory_page()
    ranked = exceptions(at)
    assert len(ranked) > 1
    assert ranked.money_at_risk.is_monotonic_decreasing
    assert set(ranked.exception) <= {"Stockout", "Below safety stock", "Excess"}
    assert ranked.sku.is_unique  # one state per SKU: never both "excess" and "below safety"
    assert "each SKU once, under the first of these its projection meets: **Stockout**" in texts(at)
    counts = ranked.exception.value_counts()
    for label, state in (("SKUs projected to stock out", "Stockout"), ("SKUs below safety stock", "Below safety stock"),
                         ("SKUs with excess", "Excess")):
        assert int(metric(at, label)) == counts.get(state, 0), label  # the tiles count the list
    options = at.selectbox(key="inv_chart_sku").options
    assert options[0].split(" · ")[0] == ranked.sku.iloc[0]  # the chart starts with the biggest exception


def test_choosing_a_sku_changes_the_projection_chart(app_db):
    at = inventory_page()
    picker = at.selectbox(key="inv_chart_sku")
    first = shown_safety_stock(at)[0]
    before = trace(at, "Projected inventory"), trace(at, "Consensus demand")
    other = next(o.split(" · ")[0] for o in picker.options if not o.startswith(first + " "))
    picker.set_value(other).run()
    assert not at.exception, at.exception
    assert shown_safety_stock(at)[0] == other
    after = trace(at, "Projected inventory"), trace(at, "Consensus demand")
    assert len(after[0]) == len(before[0])
    assert list(after[0]) != list(before[0]) and list(after[1]) != list(before[1])


def test_filtering_the_policy_table_by_family_keeps_only_that_family(app_db):
    at = inventory_page()
    everything = policy_table(at)
    assert everything.family.nunique() > 1
    at.selectbox(key="inv_filter_family").set_value("Juice").run()
    assert not at.exception, at.exception
    juice = policy_table(at)
    assert len(juice) and set(juice.family) == {"Juice"}
    listed = {o.split(" · ")[0] for o in at.selectbox(key="inv_filter_sku").options[1:]}
    assert set(juice.sku) == listed == set(everything[everything.family == "Juice"].sku)
    at.selectbox(key="inv_filter_sku").set_value(sorted(listed)[0]).run()
    assert list(policy_table(at).sku) == [sorted(listed)[0]]


def test_the_abc_xyz_matrix_counts_every_sku(app_db):
    at = inventory_page()
    assert "ABC by share of annual consumption value" in texts(at)
    charts = [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]
    heatmap = next(d[0] for d in charts if d and d[0].get("type") == "heatmap")
    assert heatmap["x"] == ["X", "Y", "Z"] and heatmap["y"] == ["A", "B", "C"]
    counted = sum(int(cell.split(" SKUs")[0]) for row in heatmap["text"] for cell in row)
    assert counted == len(policy_table(at))
