"""The monthly S&OP cycle on a real database (SQLite, and PostgreSQL where reachable): each stage
signed off by its owner, the refusals (which write nothing), send-back, the executive freeze and the
frozen plan's immutability, decisions and actions, due dates, and two sign-offs racing.

The plan is the import tests' three SKUs (A-1, A-2, B-1) over two February 2025 weeks (cycle
"S&OP 2025-02"); the imported demand actuals end on 2025-01-13, so data gathering is complete.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from genxsop_core.admin import users
from genxsop_core.admin.audit import search_audit
from genxsop_core.cycle import workflow as cycle
from genxsop_core.cycle.freeze import freezer
from genxsop_core.cycle.workflow import STAGE_LABELS, STAGE_OWNERS, STAGES
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand.plans import OverrideEdit
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.permissions import PERMISSIONS, ROLE_LABELS, ROLES, Actor
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.plans import data as plan_data
from genxsop_core.scenarios.levers import Levers
from genxsop_core.scenarios.pinned import pin, promote
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.plans import ReceiptEdit
from tests.conftest import actor_with
from tests.integration.test_demand_plans import PLANNER
from tests.integration.test_import_service import load_all
from tests.integration.test_supply_plans import ADMIN, COORDINATOR, SUPPLY_PLANNER, small_demand

EXECUTIVE = actor_with("executive")
OWNERS = {"data_gathering": PLANNER, "demand_review": PLANNER, "supply_review": SUPPLY_PLANNER,
          "pre_sop": COORDINATOR, "executive_sop": EXECUTIVE}
WEEK1, WEEK2 = date(2025, 2, 3), date(2025, 2, 10)
JUICE_UP = Levers(demand_change_by_group={"family:Juice": 0.1})


@dataclass(frozen=True)
class Plan:
    demand: int
    supply: int
    cycle: int
    name: str


def plan_of(uow_factory, demand_id: int, supply_id: int) -> Plan:
    with uow_factory() as uow:
        found = uow.plans.cycle(uow.plans.get(demand_id).cycle_id)
        return Plan(demand_id, supply_id, found.id, found.name)


@pytest.fixture
def plan(uow_factory) -> Plan:
    load_all(uow_factory, ADMIN)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    return plan_of(uow_factory, demand_id, supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id))


def trail(uow_factory, name: str) -> list:
    """The cycle's audit records, oldest first."""
    return list(reversed(search_audit(uow_factory(), ADMIN, AuditFilter(entity="sop_cycle", key_contains=name))))


def state(uow_factory, cycle_id: int) -> tuple:
    """Everything a refused call must leave as it was: the audit count, the cycle row, its record."""
    with uow_factory() as uow:
        c = uow.plans.cycle(cycle_id)
        return (uow.audit.count(), c.stage, c.row_version, dict(c.stage_due or {}), c.frozen, c.frozen_by,
                c.closed_at, len(uow.cycles.signoffs(cycle_id)), len(uow.cycles.decisions(cycle_id)),
                len(uow.cycles.actions(cycle_id)))


def refused(uow_factory, cycle_id: int, error, message: str | None, call, *args, **kwargs) -> None:
    before = state(uow_factory, cycle_id)
    with pytest.raises(error, match=re.escape(message) if message else None):
        call(uow_factory(), *args, **kwargs)
    assert state(uow_factory, cycle_id) == before


def status(uow_factory, version_id: int) -> str:
    with uow_factory() as uow:
        return uow.plans.get(version_id).status


def advance(uow_factory, plan: Plan, to: str = "closed", scenario_id: int | None = None) -> None:
    """Submit both plans (if drafts), then each stage's owner signs off until the cycle is at `to`."""
    for module, actor, version_id in ((demand_plans, PLANNER, plan.demand),
                                      (supply_plans, SUPPLY_PLANNER, plan.supply)):
        if status(uow_factory, version_id) == "draft":
            module.change_status(uow_factory(), actor, version_id, "submit")
    while (stage := cycle.cycle_view(uow_factory(), plan.cycle).stage) != to:
        cycle.sign_off(uow_factory(), OWNERS[stage], plan.cycle, f"{stage} checked",
                       freeze_with=freezer(uow_factory, scenario_id))


def test_each_owner_signs_off_their_stage_and_the_cycle_moves_on_audited(uow_factory, plan):
    f = uow_factory
    view = cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 1))
    assert (view.name, view.month, view.stage, view.frozen) == ("S&OP 2025-02", date(2025, 2, 1), "data_gathering",
                                                                None)
    assert view.signoffs.empty and view.overdue == []
    assert [(i.label, i.done, i.required) for i in view.checklist] == [
        ("Demand actuals up to the month before February 2025", True, True),
        ("A finished forecast run for the cycle's plan", False, False)]  # the small plan has no run
    submit_demand = lambda: demand_plans.change_status(f(), PLANNER, plan.demand, "submit")
    submit_supply = lambda: supply_plans.change_status(f(), SUPPLY_PLANNER, plan.supply, "submit")
    steps = [(PLANNER, " actuals to 13 Jan are in ", None),  # data gathering: the demand planner
             (PLANNER, "consensus agreed", submit_demand),  # demand review: the demand planner, plan submitted
             (SUPPLY_PLANNER, "receipts balance demand", submit_supply),  # supply review: the supply planner
             (COORDINATOR, "ready for the executives", None),  # pre-S&OP: the coordinator
             (EXECUTIVE, "approved as presented", None)]  # executive S&OP: the executive, who freezes the plan
    for i, (actor, comment, before) in enumerate(steps):
        stage, following = STAGES[i], STAGES[i + 1]
        if before:
            before()
        assert cycle.sign_off(f(), actor, plan.cycle, comment, freeze_with=freezer(f)) == following
        view = cycle.cycle_view(f(), plan.cycle)
        assert view.stage == following
        assert view.signoffs[["stage", "username", "role", "comment"]].values.tolist()[-1] == [
            stage, actor.username, STAGE_OWNERS[stage], comment.strip()]
        assert len(view.signoffs) == i + 1 and view.signoffs.signed_at.notna().all()
        last = trail(f, plan.name)[-1]
        assert (last.action, last.username, last.key, last.before) == ("sign_off", actor.username, plan.name,
                                                                       {"stage": stage})
        assert {k: v for k, v in last.after.items() if k != "frozen"} == {
            "stage": following, "comment": comment.strip(), "role": STAGE_OWNERS[stage]}
    assert last.after["frozen"] == view.frozen and view.frozen["approved_by"] == EXECUTIVE.username
    records = trail(f, plan.name)
    assert [e.action for e in records] == ["create"] + ["sign_off"] * 5
    assert (records[0].before, records[0].after) == (None, {"month": "2025-02-01", "stage": "data_gathering"})
    assert view.checklist == [] and view.overdue == []
    listed = cycle.list_cycles(f()).set_index("name").loc[plan.name]
    assert (listed.stage, listed.frozen_by) == ("closed", EXECUTIVE.username) and listed.closed_at is not None


def test_only_the_owner_signs_a_stage_with_a_comment_and_refusals_write_nothing(uow_factory, plan):
    f = uow_factory
    advance(f, plan, to="data_gathering")  # plans submitted, cycle still at its first stage
    for stage in STAGES[:-1]:
        owner = STAGE_OWNERS[stage]
        for role in (r for r in ROLES if r != owner):  # admin owns no stage: a sign-off is personal
            message = (f"{role}_user ({role}) may not cycle: signoff" if role == "viewer" else
                       f"{STAGE_LABELS[stage]} is signed off by the {ROLE_LABELS[owner]}; "
                       f"{role}_user is {ROLE_LABELS[role]}")
            refused(f, plan.cycle, PermissionDenied, message, cycle.sign_off, actor_with(role), plan.cycle,
                    "looks fine", freeze_with=freezer(f))
        for empty in ("", "   ", None):
            refused(f, plan.cycle, InvalidInput, "a sign-off needs a comment", cycle.sign_off, OWNERS[stage],
                    plan.cycle, empty, freeze_with=freezer(f))
        if stage == "executive_sop":
            refused(f, plan.cycle, InvalidInput, "the executive sign-off approves and freezes the plan: pass "
                    "freeze_with", cycle.sign_off, EXECUTIVE, plan.cycle, "approved")
            assert status(f, plan.demand) == status(f, plan.supply) == "submitted"
        cycle.sign_off(f(), OWNERS[stage], plan.cycle, "checked", freeze_with=freezer(f))
    assert cycle.cycle_view(f(), plan.cycle).stage == "closed"
    refused(f, plan.cycle, NotFound, "no S&OP cycle 9999", cycle.sign_off, PLANNER, 9999, "checked")


def test_a_stage_with_an_open_required_checklist_item_cannot_be_signed_off(uow_factory, plan):
    f = uow_factory
    stale = plan_of(f, small_demand(f, date(2031, 1, 1)), 0)  # actuals end in 2025: data gathering is open
    refused(f, stale.cycle, Conflict, "Data gathering cannot be signed off yet: Demand actuals up to the month "
            "before January 2031", cycle.sign_off, PLANNER, stale.cycle, "done")
    cycle.sign_off(f(), PLANNER, plan.cycle, "actuals in")
    assert [(i.label, i.done) for i in cycle.cycle_view(f(), plan.cycle).checklist] == [
        ("The cycle has a consensus demand plan", True), ("The consensus plan is submitted", False)]
    refused(f, plan.cycle, Conflict, "Demand review cannot be signed off yet: The consensus plan is submitted",
            cycle.sign_off, PLANNER, plan.cycle, "done")
    demand_plans.change_status(f(), PLANNER, plan.demand, "submit")
    cycle.sign_off(f(), PLANNER, plan.cycle, "consensus submitted")
    refused(f, plan.cycle, Conflict, "Supply review cannot be signed off yet: The supply plan is submitted",
            cycle.sign_off, SUPPLY_PLANNER, plan.cycle, "done")
    supply_plans.change_status(f(), SUPPLY_PLANNER, plan.supply, "submit")
    cycle.sign_off(f(), SUPPLY_PLANNER, plan.cycle, "supply submitted")
    demand_plans.change_status(f(), PLANNER, plan.demand, "send_back")  # the consensus reopened after its review
    refused(f, plan.cycle, Conflict, "Pre-S&OP cannot be signed off yet: Demand and supply plans submitted",
            cycle.sign_off, COORDINATOR, plan.cycle, "done")
    demand_plans.change_status(f(), PLANNER, plan.demand, "submit")
    cycle.sign_off(f(), COORDINATOR, plan.cycle, "both in")
    supply_plans.change_status(f(), SUPPLY_PLANNER, plan.supply, "send_back")
    refused(f, plan.cycle, Conflict, "Executive S&OP cannot be signed off yet: Demand and supply plans submitted "
            "for approval", cycle.sign_off, EXECUTIVE, plan.cycle, "approved", freeze_with=freezer(f))
    assert status(f, plan.demand) == "submitted" and status(f, plan.supply) == "draft"


def test_the_coordinator_sends_a_cycle_back_one_stage_with_a_reason(uow_factory, plan):
    f = uow_factory
    refused(f, plan.cycle, Conflict, "S&OP 2025-02 is at its first stage; there is nothing to go back to",
            cycle.send_back, COORDINATOR, plan.cycle, "redo")
    advance(f, plan, to="supply_review")
    for role in ("demand_planner", "supply_planner", "executive", "viewer"):
        refused(f, plan.cycle, PermissionDenied, f"{role}_user ({role}) may not cycle: manage", cycle.send_back,
                actor_with(role), plan.cycle, "redo")
    refused(f, plan.cycle, InvalidInput, "sending a cycle back needs a reason", cycle.send_back, COORDINATOR,
            plan.cycle, "  ")

    assert cycle.send_back(f(), COORDINATOR, plan.cycle, " B-1 demand looks low ") == "demand_review"

    assert cycle.cycle_view(f(), plan.cycle).stage == "demand_review"
    last = trail(f, plan.name)[-1]
    assert (last.action, last.username, last.key, last.before, last.after) == (
        "send_back", COORDINATOR.username, plan.name, {"stage": "supply_review"},
        {"stage": "demand_review", "reason": "B-1 demand looks low"})
    # signing the stage again after the send-back replaces the planner's earlier sign-off (the audit keeps both)
    assert cycle.sign_off(f(), PLANNER, plan.cycle, "B-1 raised") == "supply_review"
    signoffs = cycle.cycle_view(f(), plan.cycle).signoffs
    assert signoffs[["stage", "username", "comment"]].values.tolist() == [
        ["data_gathering", PLANNER.username, signoffs.comment.iloc[0]],
        ["demand_review", PLANNER.username, "B-1 raised"]]
    assert [e.after["comment"] for e in trail(f, plan.name) if e.action == "sign_off"][-1] == "B-1 raised"
    assert cycle.send_back(f(), ADMIN, plan.cycle, "admin holds cycle.manage too") == "demand_review"


def test_a_closed_cycle_refuses_everything_but_following_up_its_actions(uow_factory, plan):
    f = uow_factory
    users.add_user(f(), ADMIN, "dana", "Dana Planner", "s3cret-passw0rd", ["demand_planner"])
    action = cycle.add_action(f(), COORDINATOR, plan.cycle, "book overtime", "dana", None)
    advance(f, plan)
    closed = "S&OP 2025-02 is closed: its plan is frozen and nothing more can be recorded"
    for role in (r for r in ROLES if r != "viewer"):
        refused(f, plan.cycle, Conflict, closed, cycle.sign_off, actor_with(role), plan.cycle, "again",
                freeze_with=freezer(f))
    refused(f, plan.cycle, Conflict, closed, cycle.send_back, COORDINATOR, plan.cycle, "reopen")
    refused(f, plan.cycle, Conflict, closed, cycle.record_decision, EXECUTIVE, plan.cycle, "one more")
    refused(f, plan.cycle, Conflict, closed, cycle.add_action, COORDINATOR, plan.cycle, "follow up", "dana", None)
    refused(f, plan.cycle, Conflict, closed, cycle.set_due_date, COORDINATOR, plan.cycle, "pre_sop", date(2025, 3, 1))
    cycle.set_action_status(f(), COORDINATOR, action, "done")  # the code lets actions be followed up after closing
    assert cycle.cycle_view(f(), plan.cycle).actions.status.tolist() == ["done"]


def test_the_freeze_refuses_a_scenario_pinned_on_another_cycles_plan(uow_factory, plan):
    f = uow_factory
    march = small_demand(f, date(2025, 3, 1))
    foreign = pin(f(), COORDINATOR, plan_data.load_plan_data(f(), march), "March idea", JUICE_UP)
    advance(f, plan, to="executive_sop")
    refused(f, plan.cycle, (InvalidInput, Conflict), None, cycle.sign_off, EXECUTIVE, plan.cycle, "approved",
            freeze_with=freezer(f, foreign))


def test_the_executive_sign_off_approves_both_plans_and_freezes_their_lineage(uow_factory, plan):
    f = uow_factory
    data = plan_data.load_plan_data(f(), plan.demand, plan.supply)
    policy = inventory_policy.policy_table(data).set_index("sku")
    chosen = pin(f(), COORDINATOR, data, "Juice +10%", JUICE_UP, "the meeting's choice")
    pin(f(), COORDINATOR, data, "Flat", Levers())
    advance(f, plan, to="executive_sop")
    refused(f, plan.cycle, NotFound, "no scenario 9999", cycle.sign_off, EXECUTIVE, plan.cycle, "approved",
            freeze_with=freezer(f, 9999))  # the approvals it had made are rolled back with it
    assert status(f, plan.demand) == status(f, plan.supply) == "submitted"
    assert cycle.sign_off(f(), EXECUTIVE, plan.cycle, "approved", freeze_with=freezer(f, chosen)) == "closed"

    with f() as uow:
        for version_id in (plan.demand, plan.supply):
            version = uow.plans.get(version_id)
            assert (version.status, version.approved_by) == ("approved", EXECUTIVE.username)
            assert version.approved_at is not None
        c = uow.plans.cycle(plan.cycle)
        frozen, frozen_by, frozen_at, closed_at = c.frozen, c.frozen_by, c.frozen_at, c.closed_at
    assert frozen_by == EXECUTIVE.username and frozen_at is not None and closed_at == frozen_at
    assert set(frozen) == {"demand_version_id", "supply_version_id", "forecast_run", "scenario", "inventory_policy",
                           "approved_by", "approved_at"}
    assert (frozen["demand_version_id"], frozen["supply_version_id"]) == (plan.demand, plan.supply)
    assert frozen["forecast_run"] is None  # the small plan comes from no forecast run
    assert frozen["scenario"] == {"id": chosen, "name": "Juice +10%", "levers": JUICE_UP.to_dict(),
                                  "note": "the meeting's choice", "rebalanced": False}
    assert frozen["approved_by"] == EXECUTIVE.username and datetime.fromisoformat(frozen["approved_at"])
    rows = frozen["inventory_policy"]["rows"]
    assert frozen["inventory_policy"]["method"] == "lead_time" and [r["sku"] for r in rows] == ["A-1", "A-2", "B-1"]
    for row in rows:
        assert set(row) == {"sku", "safety_stock", "reorder_point", "order_quantity", "service_level"}
        for column in ("safety_stock", "reorder_point", "order_quantity"):
            assert row[column] == pytest.approx(policy.loc[row["sku"], column], abs=5e-4)
    approvals = [e for e in reversed(search_audit(f(), ADMIN, AuditFilter(entity="plan_version", action="approve")))]
    assert [(e.key, e.username, e.after["note"]) for e in approvals] == [
        (str(plan.demand), EXECUTIVE.username, "executive S&OP sign-off"),
        (str(plan.supply), EXECUTIVE.username, "executive S&OP sign-off")]
    assert cycle.cycle_view(f(), plan.cycle).frozen == frozen


def test_the_freeze_names_the_forecast_run_and_the_promoted_scenario(uow_factory, monkeypatch):
    f = uow_factory
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    load_all(f, ADMIN)
    run_id = forecast_runs.request_run(f(), PLANNER, forecast_runs.ForecastRequest("family", ("Juice",), "naive", 2))
    forecast_runs.execute_run(f, run_id, workers=1)
    demand_id = demand_plans.create_version(f(), PLANNER, run_id, date(2025, 1, 1))
    data = plan_data.load_plan_data(f(), demand_id, supply_plans.create_version(f(), SUPPLY_PLANNER, demand_id))
    scenario = pin(f(), COORDINATOR, data, "Juice +10%", JUICE_UP, rebalance=True)
    plan = plan_of(f, *promote(f(), COORDINATOR, data, scenario))  # the promoted versions are the cycle's plan
    assert [i.done for i in cycle.cycle_view(f(), plan.cycle).checklist] == [True, True]

    advance(f, plan)  # freezer(uow_factory) without a choice: the scenario the plan came from is frozen

    with f() as uow:
        frozen, run = uow.plans.cycle(plan.cycle).frozen, uow.forecast_runs.get(run_id)
        assert frozen["forecast_run"] == {
            "id": run_id, "data_hash": run.data_hash, "models": run.models, "horizon": 2, "quantiles": run.quantiles,
            "scope": {"kind": "family", "values": ["Juice"]}, "created_by": PLANNER.username,
            "finished_at": run.finished_at.isoformat(), "timings": run.timings}
    assert len(frozen["forecast_run"]["data_hash"]) == 64 and "naive" in frozen["forecast_run"]["models"]
    assert (frozen["demand_version_id"], frozen["scenario"]["id"]) == (plan.demand, scenario)
    assert frozen["scenario"]["rebalanced"] is True  # pinned with its plan balanced, and promoted so
    assert [r["sku"] for r in frozen["inventory_policy"]["rows"]] == ["A-1"]  # the run forecast A-1 only


def test_nobody_can_change_the_frozen_plan(uow_factory, plan):
    f = uow_factory
    data = plan_data.load_plan_data(f(), plan.demand, plan.supply)
    scenario = pin(f(), COORDINATOR, data, "Juice +10%", JUICE_UP)
    advance(f, plan)

    def snapshot():
        with f() as uow:
            return (uow.demand_plans.frame([plan.demand]), uow.supply_plans.frame([plan.supply]),
                    uow.plans.get(plan.demand).status, uow.plans.get(plan.supply).status, uow.audit.count())

    before = snapshot()
    attempts = [
        ("demand_plan.edit", lambda a: demand_plans.save_overrides(f(), a, plan.demand, [
            OverrideEdit("sku", "A-1", WEEK1, 150.0, "PROMO", "more", "1", 100.0)]), "approved and read-only"),
        ("supply_plan.edit", lambda a: supply_plans.save_receipts(f(), a, plan.supply, [
            ReceiptEdit("A-2", WEEK2, 50.0, "make", "more", 1, 0.0)]), "approved and read-only"),
        ("demand_plan.edit", lambda a: demand_plans.change_status(f(), a, plan.demand, "send_back"),
         "'send back' applies only to a submitted version"),
        ("supply_plan.edit", lambda a: supply_plans.change_status(f(), a, plan.supply, "send_back"),
         "'send back' applies only to a submitted version"),
        ("scenario.promote", lambda a: promote(f(), a, data, scenario), "is approved and frozen")]
    for role in ROLES:  # every role, admin included
        for permission, attempt, message in attempts:
            allowed = role in PERMISSIONS[permission]
            with pytest.raises(Conflict if allowed else PermissionDenied) as caught:
                attempt(actor_with(role))
            assert (message if allowed else "may not") in str(caught.value), (role, permission)
    after = snapshot()
    for was, now in zip(before[:2], after[:2]):
        assert was.equals(now)
    assert before[2:] == after[2:] == ("approved", "approved", before[4])


def test_decisions_and_actions_are_recorded_by_their_roles_and_audited(uow_factory, plan):
    f = uow_factory
    scenario = pin(f(), COORDINATOR, plan_data.load_plan_data(f(), plan.demand, plan.supply), "Juice +10%", JUICE_UP)
    users.add_user(f(), ADMIN, "dana", "Dana Planner", "s3cret-passw0rd", ["demand_planner"])
    for role in (r for r in ROLES if r not in PERMISSIONS["cycle.decide"]):
        refused(f, plan.cycle, PermissionDenied, f"{role}_user ({role}) may not cycle: decide", cycle.record_decision,
                actor_with(role), plan.cycle, "go")
        refused(f, plan.cycle, PermissionDenied, "may not cycle: decide", cycle.add_action, actor_with(role),
                plan.cycle, "x", "dana", None)
    refused(f, plan.cycle, InvalidInput, "a decision needs its text", cycle.record_decision, EXECUTIVE, plan.cycle, " ")
    refused(f, plan.cycle, NotFound, "no scenario 9999", cycle.record_decision, EXECUTIVE, plan.cycle, "go", 9999)
    refused(f, plan.cycle, InvalidInput, "an action needs its text", cycle.add_action, COORDINATOR, plan.cycle, "",
            "dana", None)
    refused(f, plan.cycle, NotFound, "no user 'ghost' to own the action", cycle.add_action, COORDINATOR, plan.cycle,
            "x", "ghost", None)

    decided = [cycle.record_decision(f(), actor_with(r), plan.cycle, f" take Juice +10% ({r}) ", scenario)
               for r in sorted(PERMISSIONS["cycle.decide"])]
    action = cycle.add_action(f(), COORDINATOR, plan.cycle, " book overtime ", "dana", date(2025, 2, 28))
    dana = Actor("dana", ("demand_planner",))
    refused(f, plan.cycle, InvalidInput, "action status must be one of open, done, dropped, not 'finished'",
            cycle.set_action_status, dana, action, "finished")
    refused(f, plan.cycle, NotFound, "no action 9999", cycle.set_action_status, dana, 9999, "done")
    refused(f, plan.cycle, PermissionDenied, "may not cycle: manage", cycle.set_action_status, SUPPLY_PLANNER, action,
            "done")
    cycle.set_action_status(f(), dana, action, "done")  # its owner
    cycle.set_action_status(f(), COORDINATOR, action, "dropped")  # the coordinator

    view = cycle.cycle_view(f(), plan.cycle)
    assert view.decisions[["id", "text", "scenario_id", "decided_by"]].values.tolist() == [
        [i, f"take Juice +10% ({r})", scenario, f"{r}_user"]
        for i, r in zip(decided, sorted(PERMISSIONS["cycle.decide"]))]
    assert view.actions[["id", "text", "owner", "status", "created_by"]].values.tolist() == [
        [action, "book overtime", "dana", "dropped", COORDINATOR.username]]
    assert str(view.actions.due.iloc[0])[:10] == "2025-02-28"
    records = [(e.action, e.username, e.key, e.before, e.after) for e in trail(f, plan.name)[1:]]
    assert records == [("decide", f"{r}_user", f"{plan.name}|decision {i}", None,
                        {"text": f"take Juice +10% ({r})", "scenario_id": scenario})
                       for i, r in zip(decided, sorted(PERMISSIONS["cycle.decide"]))] + [
        ("add_action", COORDINATOR.username, f"{plan.name}|action {action}", None,
         {"text": "book overtime", "owner": "dana", "due": "2025-02-28"}),
        ("action_status", "dana", f"{plan.name}|action {action}", {"status": "open"}, {"status": "done"}),
        ("action_status", COORDINATOR.username, f"{plan.name}|action {action}", {"status": "done"},
         {"status": "dropped"})]


def test_due_dates_default_from_the_month_can_be_moved_and_show_what_is_overdue(uow_factory, plan):
    f = uow_factory
    view = cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 9))
    assert view.due == {"data_gathering": date(2025, 2, 3), "demand_review": date(2025, 2, 8),
                        "supply_review": date(2025, 2, 13), "pre_sop": date(2025, 2, 17),
                        "executive_sop": date(2025, 2, 22)}
    assert view.overdue == ["data_gathering", "demand_review"]
    assert cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 3)).overdue == []  # due today is not overdue
    refused(f, plan.cycle, PermissionDenied, "may not cycle: manage", cycle.set_due_date, PLANNER, plan.cycle,
            "demand_review", date(2025, 2, 20))
    refused(f, plan.cycle, InvalidInput, "stage must be one of data_gathering, demand_review, supply_review, "
            "pre_sop, executive_sop, not 'closed'", cycle.set_due_date, COORDINATOR, plan.cycle, "closed",
            date(2025, 2, 20))
    cycle.sign_off(f(), PLANNER, plan.cycle, "actuals in")
    assert cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 9)).overdue == ["demand_review"]

    cycle.set_due_date(f(), COORDINATOR, plan.cycle, "demand_review", date(2025, 2, 20))

    view = cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 9))
    assert view.due["demand_review"] == date(2025, 2, 20) and view.due["supply_review"] == date(2025, 2, 13)
    assert view.overdue == []
    assert cycle.cycle_view(f(), plan.cycle, today=date(2025, 2, 21)).overdue == ["demand_review", "supply_review",
                                                                                  "pre_sop"]
    last = trail(f, plan.name)[-1]
    assert (last.action, last.username, last.before, last.after) == (
        "set_due_date", COORDINATOR.username, {"stage_due": {}}, {"stage_due": {"demand_review": "2025-02-20"}})


def race(uow_factory, plan: Plan, monkeypatch) -> None:
    """Another demand planner signs data gathering off after ours loaded the cycle (row version 1), before
    ours commits: ours then updates a cycle row whose row_version has moved on."""
    checklist, raced = cycle.checklist, []

    def another_planner_signs_first(uow, c, stage=None):
        items = checklist(uow, c, stage)
        if not raced:
            raced.append(True)
            assert cycle.sign_off(uow_factory(), Actor("dana", ("demand_planner",)), plan.cycle, "mine first") == (
                "demand_review")
        return items

    monkeypatch.setattr(cycle, "checklist", another_planner_signs_first)
    cycle.sign_off(uow_factory(), PLANNER, plan.cycle, "actuals in")


def test_two_sign_offs_racing_move_the_cycle_once_and_write_only_the_first(uow_factory, plan, monkeypatch):
    f = uow_factory
    with pytest.raises(Conflict):
        race(f, plan, monkeypatch)
    view = cycle.cycle_view(f(), plan.cycle)
    assert view.stage == "demand_review"  # moved once, not twice
    assert view.signoffs[["stage", "username"]].values.tolist() == [["data_gathering", "dana"]]
    assert [(e.action, e.username) for e in trail(f, plan.name)] == [("create", PLANNER.username),
                                                                     ("sign_off", "dana")]


def test_the_second_of_two_racing_sign_offs_gets_a_conflict(uow_factory, plan, monkeypatch):
    with pytest.raises(Conflict, match="S&OP 2025-02 changed while you were signing"):
        race(uow_factory, plan, monkeypatch)
