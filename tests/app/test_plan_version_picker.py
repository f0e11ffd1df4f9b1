"""The one plan-version picker and the hand-off from an action to the next run, in AppTest: the
helper on its own, then a new demand and supply version created on their pages, selected in the
picker and announced once, and the same version labels on every page that picks a plan."""
from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.app.conftest import logged_in


def handoff_script() -> None:
    """A page with one action: it leaves a message and a selection, and one for another page."""
    import streamlit as st

    from genxsop_ui import handoff

    applied = handoff.arrive("here")
    st.caption(f"applied: {sorted(applied)}")
    st.selectbox("Pick", ["a", "b", "c"], key="pick")
    st.text_input("Note", key="note")
    if st.button("Act elsewhere", key="elsewhere"):
        handoff.rerun("elsewhere", "Not for this page.", {"pick": "b"})
    if st.button("Act", key="act"):
        handoff.rerun("here", "Done.", {"pick": "c", "note": ""})


def test_a_handoff_is_shown_once_and_sets_the_widgets_before_they_are_drawn():
    at = AppTest.from_function(handoff_script, default_timeout=30).run()
    assert not at.success and at.caption[0].value == "applied: []"
    at.button(key="elsewhere").click().run()  # left for another page: this one neither shows nor applies it
    assert not at.success and at.selectbox(key="pick").value == "a"
    at.text_input(key="note").input("typed")
    at.button(key="act").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Done."]  # not the other page's message
    assert at.selectbox(key="pick").value == "c" and at.text_input(key="note").value == ""
    assert at.caption[0].value == "applied: ['note', 'pick']"
    at.run()
    assert not at.success and at.caption[0].value == "applied: []"  # shown once
    assert at.selectbox(key="pick").value == "c"  # a selection stays the user's afterwards


def on_page(role: str, script: str) -> AppTest:
    at = logged_in(role).run()
    at.switch_page(f"../pages/{script}.py").run()
    assert not at.exception, at.exception
    return at


def test_a_new_demand_and_supply_version_is_selected_and_announced_on_its_page(app_db):
    month = date(date.today().year + 2, 1, 1)  # a cycle the demo has no plan for
    demand = on_page("demand_planner", "demand")
    run_id = demand.selectbox(key="dm_new_run").value
    demand.date_input(key="dm_new_month").set_value(month)
    demand.button(key="dm_create").click().run()
    assert not demand.exception, demand.exception
    picker = demand.selectbox(key="dm_version")
    new_demand = picker.value
    assert [s.value for s in demand.success] == [f"Draft plan {new_demand} created from run {run_id}."]
    assert picker.options[picker.index] == f"Consensus {month:%Y-%m} from run {run_id} · draft"
    demand.run()
    assert not demand.success and demand.selectbox(key="dm_version").value == new_demand

    supply = on_page("supply_planner", "supply")
    offered = supply.selectbox(key="sp_new_demand")
    assert offered.value == new_demand  # the newest cycle first; it has no supply plan yet
    assert offered.options[offered.index].startswith(f"Consensus {month:%Y-%m} from run {run_id} · draft · ")
    supply.button(key="sp_create").click().run()
    assert not supply.exception, supply.exception
    picker = supply.selectbox(key="sp_version")
    assert [s.value for s in supply.success] == [
        f"Draft supply plan {picker.value} created for demand version {new_demand}."]
    assert picker.options[picker.index] == f"Supply {month:%Y-%m} for demand v{new_demand} · draft"


def test_every_page_that_picks_a_demand_plan_labels_the_versions_alike(app_db):
    demand = on_page("coordinator", "demand").selectbox(key="dm_version")
    inventory = on_page("coordinator", "inventory").selectbox(key="inv_version")
    scenarios = on_page("coordinator", "scenarios").selectbox(key="sc_version")
    assert inventory.options == scenarios.options == demand.options  # no superseded version in the demo
    assert all(" · " in label for label in demand.options)
    assert inventory.value == scenarios.value == demand.value  # the newest cycle's plan first
