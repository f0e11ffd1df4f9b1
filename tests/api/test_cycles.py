"""/api/v1/sop-cycles: where the cycle stands, decisions, actions, sign-offs and send-backs, for every
role: the stage's owner signs off, the roles PERMISSIONS allows decide and manage."""
from __future__ import annotations

from genxsop_core.admin import users
from genxsop_core.bootstrap import SYSTEM
from genxsop_core.cycle import workflow as cycle
from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.domain.states import CycleStage
from tests.api.roles import READ_ROLES, as_every_role, first_allowed, first_role

CYCLES = "/api/v1/sop-cycles"
PASSWORD = "Sign-off-by-Friday-7"


def _current(api) -> int:
    return current_plan(api.uow()).cycle_id


def test_every_role_reads_where_the_cycle_stands(api, demo_history):
    cycle_id = _current(api)
    for path in (CYCLES, f"{CYCLES}/current", f"{CYCLES}/{cycle_id}", f"{CYCLES}/{cycle_id}/decisions",
                 f"{CYCLES}/{cycle_id}/actions"):
        as_every_role(api, "get", path, allowed=READ_ROLES)
    viewer = api.headers("viewer")
    view = cycle.cycle_view(api.uow(), cycle_id)
    current = api.client.get(f"{CYCLES}/current", headers=viewer).json()
    assert (current["id"], current["name"], current["stage"]) == (view.id, view.name, view.stage)
    assert current["due"] == {stage: f"{day}" for stage, day in view.due.items()}
    assert [item["label"] for item in current["checklist"]] == [item.label for item in view.checklist]
    listing = api.client.get(CYCLES, headers=viewer).json()
    open_cycle = next(c for c in listing if c["id"] == cycle_id)
    assert open_cycle["stage"] == view.stage
    assert any(c["stage"] == CycleStage.CLOSED and c["closed_at"] for c in listing)
    assert api.client.get(f"{CYCLES}/31337", headers=viewer).status_code == 404


def test_an_open_cycle_is_not_closed(api, demo_history):
    listing = api.client.get(CYCLES, headers=api.headers("viewer")).json()
    assert next(c for c in listing if c["id"] == _current(api))["closed_at"] is None


def test_decisions_and_actions_are_recorded_by_the_roles_that_decide(api, demo_history):
    cycle_id = _current(api)
    allowed = PERMISSIONS["cycle.decide"]
    decided = as_every_role(api, "post", f"{CYCLES}/{cycle_id}/decisions", allowed=allowed,
                            json={"text": "Hold the price for Q1"})
    assert all(decided[r].status_code == 201 for r in allowed)
    decisions = api.client.get(f"{CYCLES}/{cycle_id}/decisions", headers=api.headers("viewer")).json()
    assert sorted(d["decided_by"] for d in decisions) == sorted(f"key:{r}-key" for r in allowed)
    blank = api.client.post(f"{CYCLES}/{cycle_id}/decisions", json={"text": "  "}, headers=api.headers("admin"))
    assert blank.status_code == 422 and "text" in blank.json()["error"]["message"]

    users.add_user(api.uow(), SYSTEM, "sam", "Sam Supply", PASSWORD, ["supply_planner"])
    added = as_every_role(api, "post", f"{CYCLES}/{cycle_id}/actions", allowed=allowed,
                          json={"text": "Qualify a second supplier", "owner": "sam", "due": "2099-02-01"})
    action_id = first_allowed(added, allowed).json()["id"]
    nobody = api.client.post(f"{CYCLES}/{cycle_id}/actions", json={"text": "x", "owner": "ghost"},
                             headers=api.headers("admin"))
    assert nobody.status_code == 404 and "ghost" in nobody.json()["error"]["message"]

    # anyone's action: the roles that manage the cycle; one's own: its owner (a person with a token)
    managed = as_every_role(api, "post", f"{CYCLES}/actions/{action_id}/status",
                            allowed=PERMISSIONS["cycle.manage"], json={"status": "dropped"})
    assert first_allowed(managed, PERMISSIONS["cycle.manage"]).json() == {"id": action_id, "status": "dropped"}
    token = api.client.post("/api/v1/auth/token", data={"username": "sam", "password": PASSWORD}).json()
    own = api.client.post(f"{CYCLES}/actions/{action_id}/status", json={"status": "done"},
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    assert own.status_code == 200
    actions = api.client.get(f"{CYCLES}/{cycle_id}/actions", headers=api.headers("viewer")).json()
    assert next(a for a in actions if a["id"] == action_id)["status"] == "done"
    unknown = api.client.post(f"{CYCLES}/actions/{action_id}/status", json={"status": "someday"},
                              headers=api.headers("admin"))
    assert unknown.status_code == 422 and "someday" in unknown.json()["error"]["message"]


def test_the_stage_owner_signs_off_once_the_checklist_holds_and_the_coordinator_sends_back(api, demo_history):
    cycle_id = _current(api)
    stage = cycle.cycle_view(api.uow(), cycle_id).stage
    assert stage == CycleStage.DEMAND_REVIEW
    owner = cycle.STAGE_OWNERS[stage]
    path = f"{CYCLES}/{cycle_id}/sign-off"
    early = as_every_role(api, "post", path, allowed={owner}, json={"comment": "consensus reviewed"})
    assert early[owner].status_code == 409 and "submitted" in early[owner].json()["error"]["message"]

    demand_plans.change_status(api.uow(), SYSTEM, current_plan(api.uow()).demand_version_id, "submit")
    signed = api.client.post(path, json={"comment": "consensus reviewed"}, headers=api.headers(owner))
    assert signed.json() == {"id": cycle_id, "stage": CycleStage.SUPPLY_REVIEW}
    view = cycle.cycle_view(api.uow(), cycle_id)
    assert (view.signoffs.username.iloc[-1], view.signoffs.comment.iloc[-1]) == (f"key:{owner}-key",
                                                                                 "consensus reviewed")

    allowed = PERMISSIONS["cycle.manage"]
    back = as_every_role(api, "post", f"{CYCLES}/{cycle_id}/send-back", allowed=allowed,
                         json={"reason": "supply needs the new promotion"})
    assert back[first_role(allowed)].json() == {"id": cycle_id, "stage": CycleStage.DEMAND_REVIEW}
    no_reason = api.client.post(f"{CYCLES}/{cycle_id}/send-back", json={"reason": ""}, headers=api.headers("admin"))
    assert no_reason.status_code == 422
