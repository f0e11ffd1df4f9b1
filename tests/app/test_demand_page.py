"""The Demand review page in AppTest: every role renders, a planner overrides, a viewer only reads."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from genxsop_core.domain.permissions import ROLES
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
    assert save.label == "Save 1 change(s)"
    save.click().run()
    assert not at.exception, at.exception
    assert any("Saved: 1 SKU-period cell(s) changed." in s.value for s in at.success)
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
