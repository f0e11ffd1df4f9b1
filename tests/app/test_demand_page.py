"""The Demand review page in AppTest: every role renders, a planner overrides, a viewer only reads."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.domain.permissions import ROLES
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from tests.app.conftest import logged_in, texts


def demand_page(role: str):
    at = logged_in(role).run()
    at.switch_page("../pages/demand.py").run()
    assert not at.exception, at.exception
    return at


def consensus_line(at) -> list[float]:
    """The y values of the chart's Consensus trace (plotly ships numpy arrays base64-encoded)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    y = next(t for t in spec["data"] if t.get("name") == "Consensus")["y"]
    values = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else np.array(y)
    return [float(v) for v in values if v is not None and not np.isnan(v)]


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.mark.parametrize("role", ROLES)
def test_renders_for_every_role_with_the_demo_plan(app_db, role):
    at = demand_page(role)
    assert "Demand review" in texts(at)
    assert at.selectbox(key="dm_version").value is not None  # the demo's current draft
    editable = role in ("admin", "demand_planner")
    assert bool(at.data_editor) is editable
    assert bool([b for b in at.button if b.key == "dm_create"]) is editable


def test_a_planner_overrides_a_sku_and_the_consensus_changes(app_db):
    at = demand_page("demand_planner")
    at.selectbox(key="dm_family").set_value("Juice").run()
    sku = at.selectbox(key="dm_sku").options[1].split(" · ")[0]  # options come formatted
    at.selectbox(key="dm_sku").set_value(sku).run()
    before_line, before_total = consensus_line(at), metric(at, "Consensus")
    grid = at.data_editor[0].value
    first = grid.iloc[0]
    at.session_state["dm_grid_0"] = {"edited_rows": {0: {"override": float(first.consensus) + 500,
                                                         "reason_code": "PROMO", "comment": "Retailer feature"}},
                                     "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    save = at.button(key="dm_save")
    assert save.label == "Save 1 change"
    save.click().run()
    assert not at.exception, at.exception
    assert any("Saved: 1 SKU-period cell changed." in s.value for s in at.success)
    after_line = consensus_line(at)
    assert after_line[0] == pytest.approx(before_line[0] + 500)
    assert after_line[1:] == pytest.approx(before_line[1:])
    assert metric(at, "Consensus") != before_total
    assert at.data_editor[0].value.iloc[0].author == "demand"


def test_an_override_without_a_reason_is_refused_and_nothing_changes(app_db):
    at = demand_page("demand_planner")
    at.selectbox(key="dm_family").set_value("Juice").run()
    before = consensus_line(at)
    at.session_state["dm_grid_0"] = {"edited_rows": {0: {"override": 1.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="dm_save").click().run()
    assert any("a reason code is required" in e.value and "a comment is required" in e.value for e in at.error)
    assert consensus_line(at) == pytest.approx(before)


def test_a_family_override_shows_the_split_before_saving(app_db):
    at = demand_page("demand_planner")
    at.selectbox(key="dm_family").set_value("Juice").run()
    at.radio(key="dm_grid_level").set_value("family").run()
    grid = at.data_editor[0].value
    assert set(grid["item"]) == {"Juice"}
    at.session_state["dm_grid_0"] = {"edited_rows": {0: {"override": 1000.0, "reason_code": "CUSTOMER",
                                                         "comment": "Tender won"}},
                                     "added_rows": [], "deleted_rows": []}
    at.run()
    assert "How the changes land on SKUs" in texts(at)
    split = next(d.value for d in at.dataframe if "new_consensus" in d.value.columns)
    assert split.new_consensus.sum() == pytest.approx(1000.0)
    at.button(key="dm_save").click().run()
    assert consensus_line(at)[0] == pytest.approx(1000.0)


def test_a_viewer_reads_the_plan_without_an_editable_grid(app_db):
    at = demand_page("viewer")
    assert not at.data_editor
    assert any("demand planners and admins change it" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key in ("dm_save", "dm_submit", "dm_approve")]


def test_submit_then_approve_makes_the_version_read_only(app_db):
    at = demand_page("demand_planner")
    at.button(key="dm_submit").click().run()
    assert any("is now submitted" in s.value for s in at.success)
    assert not at.data_editor  # submitted: read-only until sent back
    coordinator = demand_page("coordinator")
    coordinator.button(key="dm_approve").click().run()
    assert any("is now approved" in s.value for s in coordinator.success)
    again = demand_page("demand_planner")
    assert not again.data_editor
    assert any("approved and read-only" in c.value for c in again.caption)


def test_accuracy_of_past_cycles_shows_value_added(app_db):
    at = demand_page("demand_planner")
    at.selectbox(key="dm_family").set_value("Juice").run()
    assert at.selectbox(key="dm_lag").value == 1
    assert len(at.get("plotly_chart")) == 2  # the demand chart and the FVA waterfall
    table = next(d.value for d in at.dataframe if "tracking_signal" in d.value.columns and "lag" in d.value.columns)
    assert set(table.lag) == {1}
    # WAPE = sum|e| / sum|A| is undefined (NaN) exactly where a SKU sold nothing in the measured weeks
    assert table.wape.notna().equals(table.actual > 0) and table.wape.notna().sum() >= len(table) - 2


SHARED_SPAN = re.compile(r"\d+ shared weeks?, \d{4}-\d{2}-\d{2}( to \d{4}-\d{2}-\d{2})?")


def chart_traces(at) -> dict[str, dict]:
    return {t.get("name"): t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}


@pytest.mark.parametrize("measure", ["units", "revenue"])
def test_vs_last_cycle_is_the_same_figure_weekly_and_monthly_and_names_the_weeks_compared(app_db, measure):
    at = demand_page("viewer")
    at.radio(key="dm_measure").set_value(measure).run()
    tile = next(m for m in at.metric if m.label == "Consensus vs last cycle's plan")
    weekly = (tile.value, tile.delta)
    assert re.fullmatch(r"[+-]\d+\.\d%", weekly[0]), weekly  # the demo has last cycle's approved plan
    span = SHARED_SPAN.search(texts(at))
    assert span, texts(at)
    at.radio(key="dm_bucket").set_value("month").run()
    assert not at.exception, at.exception
    tile = next(m for m in at.metric if m.label == "Consensus vs last cycle's plan")
    assert (tile.value, tile.delta) == weekly  # a month holding one week of this plan no longer compares
    assert span.group(0) in texts(at) and span.group(0) in tile.help


def test_the_monthly_chart_marks_the_months_a_series_covers_in_part(app_db):
    at = demand_page("viewer")
    at.radio(key="dm_bucket").set_value("month").run()
    traces = chart_traces(at)
    partial = [t for name, t in traces.items() if name and name.endswith(", partial month")]
    assert all(t["marker"]["symbol"] == "circle-open" for t in partial)
    assert all(re.fullmatch(r"partial month: \d of [45] weeks", text) for t in partial for text in t["customdata"])
    # the demo's plan starts the week after today's last completed one: after the 7th, its first month is partial
    first_week = first_plan_week()
    starts_mid_month = first_week.day > 7
    consensus = traces.get("Consensus, partial month", {"x": []})
    assert (first_week.strftime("%Y-%m-01") in [x[:10] for x in consensus["x"]]) is starts_mid_month
    if partial:
        assert "Partial month: not all its weeks (open marker)" in traces
        assert "Open markers are months a series covers only in part." in texts(at)


def first_plan_week() -> pd.Timestamp:
    plan = dashboard_views.current_plan(UnitOfWork())
    return load_plan_data(UnitOfWork(), plan.demand_version_id).periods[0]


def test_the_band_of_an_aggregate_is_its_reconciled_band_and_a_skus_its_own(app_db):
    at = demand_page("viewer")  # All products; the demo's run stored reconciled node forecasts
    band = "Reconciled P10-P90"
    assert band in chart_traces(at)
    assert "The band is this node's reconciled P10-P90" in texts(at)
    at.selectbox(key="dm_family").set_value("Juice").run()
    assert band in chart_traces(at)
    sku = at.selectbox(key="dm_sku").options[1].split(" · ")[0]
    at.selectbox(key="dm_sku").set_value(sku).run()
    assert "P10-P90" in chart_traces(at) and band not in chart_traces(at)
    assert "The band is this SKU's P10-P90 forecast range." in texts(at) and "SKUs' P10s" not in texts(at)
