"""The S&OP cycle page and Meeting mode in AppTest: every role renders the demo's current cycle at
demand review; the stage owners walk it through every sign-off to the executive approval and the
freeze; decisions, actions, the meeting pack and a send-back; meeting mode walks its five steps."""
from __future__ import annotations

import json
import re

import pytest

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.hierarchy import Node
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.levers import Levers
from genxsop_core.supply import plans as supply_plans
from tests.app.conftest import logged_in, texts

AGENDA = ("KPIs against targets", "Demand review", "Supply review and capacity", "Scenarios", "Decisions")
WRITE_KEYS = ("cy_sign_off", "cy_send_back", "cy_decide", "cy_add_action", "cy_pack")
STAGE_LINE = re.compile(r"\*\*Now: ([^*]+)\*\*, signed off by the (.+)$")


def run(what):  # an AppTest, or a widget after an interaction
    at = what.run()
    assert not at.exception, at.exception
    return at


def open_page(role: str, page: str):
    at = logged_in(role).run()
    at.switch_page(f"../pages/{page}.py")
    return run(at)


def buttons(at) -> set[str]:
    return {b.key for b in at.button}


def now(at) -> str:
    """The stage the page says the selected cycle stands at."""
    return next(m.group(1) for m in map(STAGE_LINE.search, (e.value for e in at.markdown)) if m)


def table(at, column: str):
    """The first dataframe with `column` (decisions: decided_by, actions: owner, sign-offs: signed_at)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def sign(at, comment: str):
    """Sign off the current stage with `comment`, on `at` or on a fresh cycle page of the role `at` names."""
    at = open_page(at, "cycle") if isinstance(at, str) else at
    at.text_area(key="cy_comment").input(comment)
    return run(at.button(key="cy_sign_off").click())


def submit(page: str, role: str, key: str) -> None:
    assert any("is now submitted" in s for s in successes(run(open_page(role, page).button(key=key).click())))


def successes(at) -> list[str]:
    return [s.value for s in at.success]


def to_executive_sop():
    """The current cycle brought to executive S&OP through the library: plans submitted, three sign-offs."""
    plan = dashboard_views.current_plan(UnitOfWork())
    demand_plans.change_status(UnitOfWork(), Actor("demand", ("demand_planner",)), plan.demand_version_id, "submit")
    supply_plans.change_status(UnitOfWork(), Actor("supply", ("supply_planner",)), plan.supply_version_id, "submit")
    for user, role in (("demand", "demand_planner"), ("supply", "supply_planner"), ("coordinator", "coordinator")):
        cycle.sign_off(UnitOfWork(), Actor(user, (role,)), plan.cycle_id, "Checked")
    return plan


def pin(version_id: int, name: str) -> int:
    return pinned_scenarios.pin(UnitOfWork(), Actor("coordinator", ("coordinator",)),
                                load_plan_data(UnitOfWork(), version_id), name, Levers(demand_change=-0.1))


@pytest.mark.parametrize("role", ROLES)
def test_cycle_page_renders_for_every_role_at_demand_review(app_db, role):
    at = open_page(role, "cycle")
    assert [t.value for t in at.title] == ["S&OP cycle"]
    picker = at.selectbox(key="cy_cycle")
    assert picker.options[picker.index].endswith(" · Demand review")  # the current cycle, newest first
    assert [o.split(" · ")[1] for o in picker.options[1:]] == ["Closed"] * 3  # the demo's past cycles
    assert now(at) == "Demand review"
    checklist = {"☑ The cycle has a consensus demand plan", "☐ The consensus plan is submitted"}
    assert checklist <= set(texts(at).split("\n"))
    assert [t.label for t in at.tabs] == ["Decisions", "Actions", "Sign-offs", "Meeting pack", "History"]
    keys = buttons(at)
    assert ("cy_sign_off" in keys) is (role == "demand_planner")  # only the owner of the current stage
    assert ("cy_send_back" in keys) is (role in PERMISSIONS["cycle.manage"])
    assert ("cy_decide" in keys) is (role in PERMISSIONS["cycle.decide"])
    assert ("cy_pack" in keys) is (role in PERMISSIONS["cycle.pack"])
    assert list(table(at, "signed_at").stage) == ["Data gathering"]  # the demo planner signed it off


def test_signing_off_before_the_plan_is_submitted_shows_the_checklist_and_the_stage_stays(app_db):
    at = sign("demand_planner", "   ")
    assert [e.value for e in at.error] == ["a sign-off needs a comment: what was checked, what is open"]
    sign(at, "Reviewed the overrides")
    assert [e.value for e in at.error] == ["Demand review cannot be signed off yet: The consensus plan is submitted"]
    assert now(at) == "Demand review" and list(table(at, "signed_at").stage) == ["Data gathering"]
    assert now(open_page("coordinator", "cycle")) == "Demand review"


def test_the_stage_owners_walk_the_cycle_to_the_executive_approval(app_db):
    submit("demand", "demand_planner", "dm_submit")
    at = sign("demand_planner", "Overrides reviewed with sales")
    assert successes(at)[0] == "Demand review signed off." and now(at) == "Supply review"
    assert "cy_sign_off" not in buttons(at) and "✅ **Demand review**" in texts(at)

    submit("supply", "supply_planner", "sp_submit")
    assert now(open_page("supply_planner", "cycle")) == "Supply review"
    at = sign("supply_planner", "Capacity checked, overtime in week 3")
    assert successes(at)[0] == "Supply review signed off." and now(at) == "Pre-S&OP"

    at = sign("coordinator", "Scenarios ready for the meeting")
    assert successes(at)[0] == "Pre-S&OP signed off." and now(at) == "Executive S&OP"

    at = open_page("executive", "cycle")
    assert at.selectbox(key="cy_scenario").options[0] == "The plan as it stands"
    assert "freezes them with their lineage" in texts(at)
    sign(at, "Approved as presented")
    assert successes(at)[0] == "Executive S&OP signed off."
    name = at.selectbox(key="cy_cycle").options[0].split(" · ")[0]
    assert f"{name} is closed: the plan was approved by executive and is frozen." in successes(at)
    assert at.selectbox(key="cy_cycle").options[0] == f"{name} · Closed"
    assert not buttons(at) & set(WRITE_KEYS[:4])  # a closed cycle takes no sign-off, decision or action
    signoffs = table(at, "signed_at")
    assert list(zip(signoffs.stage, signoffs.username)) == [
        ("Data gathering", "demand"), ("Demand review", "demand"), ("Supply review", "supply"),
        ("Pre-S&OP", "coordinator"), ("Executive S&OP", "executive")]  # stages in words, not codes
    assert signoffs.comment.iloc[-1] == "Approved as presented"
    lineage = json.loads(at.json[0].value)
    assert lineage["approved_by"] == "executive" and lineage["scenario"] is None
    assert table(at, "frozen_by").iloc[0][["stage", "frozen_by"]].tolist() == ["Closed", "executive"]  # History

    demand = open_page("demand_planner", "demand")
    assert "This version is approved and read-only." in [c.value for c in demand.caption]
    assert not demand.data_editor
    assert not buttons(demand) & {"dm_save", "dm_submit", "dm_send_back", "dm_approve"}


def test_the_executive_approves_the_scenario_the_meeting_chose(app_db):
    plan = to_executive_sop()
    chosen = pin(plan.demand_version_id, "Cautious demand")
    at = open_page("executive", "cycle")
    assert at.selectbox(key="cy_scenario").options == ["The plan as it stands", f"#{chosen} Cautious demand"]
    at.selectbox(key="cy_scenario").set_value(chosen)
    sign(at, "We go with the cautious case")
    assert successes(at)[0] == "Executive S&OP signed off."
    lineage = json.loads(at.json[0].value)
    assert lineage["scenario"]["name"] == "Cautious demand" and lineage["scenario"]["id"] == chosen


def test_the_executive_is_offered_only_the_scenarios_of_this_cycle(app_db):
    versions = demand_views.list_versions(UnitOfWork())
    past = int(versions[versions.status == "approved"].id.iloc[0])
    old = pin(past, "Last cycle's case")
    plan = to_executive_sop()
    chosen = pin(plan.demand_version_id, "Cautious demand")
    at = open_page("executive", "cycle")
    options = at.selectbox(key="cy_scenario").options
    if f"#{old} Last cycle's case" in options:  # offered, and the freeze refuses it
        at.selectbox(key="cy_scenario").set_value(old)
        sign(at, "Approved")
        assert "pinned on another cycle's plan" in at.error[0].value and now(at) == "Executive S&OP"
    assert options == ["The plan as it stands", f"#{chosen} Cautious demand"], options


def test_a_viewer_sees_no_sign_off_decision_action_or_pack_controls(app_db):
    at = open_page("viewer", "cycle")
    assert not buttons(at) & set(WRITE_KEYS)
    assert not at.text_area and not at.text_input  # no comment, reason, decision or action fields
    assert "No pack generated for this cycle yet." in texts(at)


def test_the_executive_records_a_decision(app_db):
    at = open_page("executive", "cycle")
    run(at.button(key="cy_decide").click())
    assert [e.value for e in at.error] == ["a decision needs its text"] and table(at, "decided_by").empty
    at.text_input(key="cy_decision_text").input("Hold prices through Q1")
    run(at.button(key="cy_decide").click())
    decisions = table(at, "decided_by")
    assert "Decision recorded." in successes(at) and list(decisions.decided_by) == ["executive"]
    assert list(decisions.text) == ["Hold prices through Q1"]
    assert list(table(open_page("viewer", "cycle"), "decided_by").text) == ["Hold prices through Q1"]


def test_the_coordinator_adds_an_action_and_its_owner_marks_it_done(app_db):
    at = open_page("coordinator", "cycle")
    at.text_input(key="cy_action_text").input("Confirm the co-packer slot")
    at.selectbox(key="cy_action_owner").set_value("supply")
    run(at.button(key="cy_add_action").click())
    assert "Action added." in successes(at)
    actions = table(at, "owner")
    assert list(zip(actions.text, actions.owner, actions.status)) == [("Confirm the co-packer slot", "supply", "Open")]
    owner = open_page("supply_planner", "cycle")
    done = next(b for b in owner.button if b.label == "Mark done: Confirm the co-packer slot")
    run(done.click())
    assert list(table(owner, "owner").status) == ["Done"]


def test_the_coordinator_generates_the_meeting_pack(app_db):
    at = open_page("coordinator", "cycle")
    run(at.button(key="cy_pack").click())
    assert "Meeting pack generated." in successes(at)
    labels = [d.proto.label for d in at.get("download_button")]
    files = sorted(label.split(" · ")[0] for label in labels)
    assert len(files) == 2 and files[0].endswith(".pdf") and files[1].endswith(".xlsx"), labels
    assert all(label.split(" · ")[2] == "coordinator" for label in labels)
    assert "No pack generated for this cycle yet." not in texts(at)


def test_the_coordinator_sends_the_cycle_back_and_the_owner_signs_it_off_again(app_db):
    at = open_page("coordinator", "cycle")
    run(at.button(key="cy_send_back").click())
    assert [e.value for e in at.error] == ["sending a cycle back needs a reason"] and now(at) == "Demand review"
    at.text_input(key="cy_back_reason").input("Actuals of last week were incomplete")
    run(at.button(key="cy_send_back").click())
    assert "Sent back one stage." in successes(at) and now(at) == "Data gathering"
    assert at.selectbox(key="cy_cycle").options[0].endswith(" · Data gathering")
    assert "cy_send_back" not in buttons(at)  # the first stage: nothing to go back to
    at = sign("demand_planner", "Actuals reloaded")  # signing the stage off again after the send-back
    assert not at.error and now(at) == "Demand review", [e.value for e in at.error]


def heading(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def step_to(at, step: int):
    for _ in range(step - 1):
        run(at.button(key="mt_next").click())
    assert heading(at).endswith(f" · {step}/5 · {AGENDA[step - 1]}")
    return at


@pytest.mark.parametrize("role", ROLES)
def test_meeting_mode_renders_for_every_role(app_db, role):
    at = open_page(role, "meeting")
    assert re.fullmatch(r"### S&OP \d{4}-\d{2} · 1/5 · KPIs against targets", heading(at)), heading(at)
    assert at.button(key="mt_previous").disabled and not at.button(key="mt_next").disabled
    assert at.metric  # the KPI tiles


def test_next_walks_the_agenda_and_previous_goes_back(app_db):
    at = open_page("coordinator", "meeting")
    cycle = heading(at).split(" · ")[0]
    for step, title in enumerate(AGENDA, start=1):
        assert heading(at) == f"{cycle} · {step}/5 · {title}"
        assert at.button(key="mt_previous").disabled is (step == 1)
        assert at.button(key="mt_next").disabled is (step == 5)
        if step < 5:
            run(at.button(key="mt_next").click())
    for step in range(4, 0, -1):
        if step == 3:  # leaving the scenario sliders moved (the capacity chart of step 3 shares their key)
            run(at.slider(key="mt_capacity").set_value(20))
        run(at.button(key="mt_previous").click())
        assert heading(at) == f"{cycle} · {step}/5 · {AGENDA[step - 1]}"
    assert at.button(key="mt_previous").disabled


def test_less_demand_on_step_4_changes_the_revenue_metric(app_db):
    at = step_to(open_page("coordinator", "meeting"), 4)
    assert len(at.metric) == 7
    before = next(m for m in at.metric if m.label == "Revenue")
    run(at.slider(key="mt_demand").set_value(-10))
    after = next(m for m in at.metric if m.label == "Revenue")
    assert after.value != before.value
    assert after.delta and after.delta.startswith("-"), after.delta


def test_the_executive_records_a_decision_on_step_5(app_db):
    at = step_to(open_page("executive", "meeting"), 5)
    at.text_input(key="mt_decision").input("Run the -10% demand case as the plan")
    run(at.button(key="mt_decide").click())
    assert "Decision recorded." in successes(at) and heading(at).endswith("5/5 · Decisions")
    assert list(table(at, "decided_by").text) == ["Run the -10% demand case as the plan"]


def test_a_viewer_has_no_decision_control_in_meeting_mode(app_db):
    at = step_to(open_page("viewer", "meeting"), 5)
    assert "mt_decide" not in buttons(at) and not at.text_input and table(at, "decided_by").empty


def test_a_second_click_does_not_record_the_decision_twice(app_db):
    at = step_to(open_page("executive", "meeting"), 5)
    at.text_input(key="mt_decision").input("Hold prices through Q1")
    run(at.button(key="mt_decide").click())
    run(at.button(key="mt_decide").click())
    assert list(table(at, "decided_by").text) == ["Hold prices through Q1"], at.text_input(key="mt_decision").value


def test_the_demand_step_compares_with_last_cycle_over_the_shared_weeks_and_names_the_band(app_db):
    at = step_to(open_page("executive", "meeting"), 2)
    plan = dashboard_views.current_plan(UnitOfWork())
    weekly = demand_views.demand_chart(UnitOfWork(), plan.demand_version_id, Node(), "revenue", "week")
    totals = demand_views.plan_totals(weekly)
    tile = next(m for m in at.metric if m.label == "vs last cycle's plan")
    assert tile.value == f"{totals.change_vs_last_cycle:+.1%}"  # as the Demand review shows it, either view
    assert re.fullmatch(r"\d+ shared weeks?, \d{4}-\d{2}-\d{2}( to \d{4}-\d{2}-\d{2})?", tile.delta), tile.delta
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t.get("name") for t in figure["data"]}
    assert "P10-P90: sum of the SKU and weekly P10s and P90s (wider than the truth)" in names
    assert "The band adds its SKUs' P10s and P90s and the weeks' P10s and P90s of each month" in texts(at)
    assert ("Consensus, partial month" in names) is bool(demand_views.in_months(weekly).consensus_partial.any())


def test_the_supply_step_outlook_marks_the_months_the_plan_covers_in_part(app_db):
    at = step_to(open_page("executive", "meeting"), 3)
    figure = next(spec for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
                  if any(t.get("name") == "Supply: made" for t in spec["data"]))
    names = {t.get("name") for t in figure["data"]}
    plan = dashboard_views.current_plan(UnitOfWork())
    outlook = dashboard_views.plan_outlook(load_plan_data(UnitOfWork(), plan.demand_version_id,
                                                          plan.supply_version_id))
    assert ("Supply: made, partial month" in names) is bool(outlook.partial.any())
