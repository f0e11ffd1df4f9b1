"""/api/v1/scenarios: levers evaluated as the What-if page evaluates them, pinned and promoted by the
roles PERMISSIONS allows."""
from __future__ import annotations

import pytest

from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.domain.states import PlanStatus
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios import SUMMARY_LABELS, Levers, evaluate
from tests.api.roles import READ_ROLES, as_every_role, first_allowed, first_role

SCENARIOS = "/api/v1/scenarios"
LEVERS = {"demand_change": 0.1, "price_change": -0.05}


def test_every_role_evaluates_levers_on_the_current_plan_and_lists_the_pinned(api, demo_history):
    answers = as_every_role(api, "post", f"{SCENARIOS}/evaluate", allowed=READ_ROLES, json={"levers": LEVERS})
    as_every_role(api, "get", f"{SCENARIOS}/pinned", allowed=READ_ROLES)
    plan = current_plan(api.uow())
    expected = evaluate(load_plan_data(api.uow(), plan.demand_version_id, plan.supply_version_id), Levers(**LEVERS))
    answer = answers["viewer"].json()
    assert (answer["demand_version_id"], answer["supply_version_id"]) == (plan.demand_version_id,
                                                                         plan.supply_version_id)
    assert answer["summary"] == pytest.approx(expected.summary)
    assert len(answer["by_period"]) == len(expected.by_period)
    assert sum(p["revenue"] for p in answer["by_period"]) == pytest.approx(expected.summary["revenue"])
    base = api.client.post(f"{SCENARIOS}/evaluate", json={}, headers=api.headers("viewer")).json()
    assert base["summary"]["revenue"] != pytest.approx(answer["summary"]["revenue"])


def test_unknown_and_out_of_range_levers_are_refused_naming_them(api, demo_history):
    viewer = api.headers("viewer")
    unknown = api.client.post(f"{SCENARIOS}/evaluate", json={"levers": {"weather": 1.0}}, headers=viewer)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "levers.weather"
    out_of_range = api.client.post(f"{SCENARIOS}/evaluate", json={"levers": {"demand_change": -2}}, headers=viewer)
    assert out_of_range.status_code == 422 and "demand_change" in out_of_range.json()["error"]["message"]
    no_group = api.client.post(f"{SCENARIOS}/evaluate", headers=viewer,
                               json={"levers": {"demand_change_by_group": {"family:Unicorns": 0.2}}})
    assert no_group.status_code == 422 and "Unicorns" in no_group.json()["error"]["message"]
    missing = api.client.post(f"{SCENARIOS}/evaluate", json={"demand_version_id": 5150}, headers=viewer)
    assert missing.status_code == 404


def test_scenarios_are_pinned_and_promoted_by_the_roles_that_may(api, demo_history):
    pin_allowed = PERMISSIONS["scenario.pin"]
    pinned = as_every_role(api, "post", f"{SCENARIOS}/pinned", allowed=pin_allowed,
                           json={"name": "Price down, volume up", "levers": LEVERS, "note": "for the meeting"})
    scenario_id = first_allowed(pinned, pin_allowed).json()["id"]
    assert all(pinned[r].status_code == 201 for r in pin_allowed)
    listing = api.client.get(f"{SCENARIOS}/pinned", headers=api.headers("viewer")).json()
    ours = next(s for s in listing if s["id"] == scenario_id)
    assert ours["levers"]["demand_change"] == 0.1 and ours["created_by"] == f"key:{first_role(pin_allowed)}-key"
    assert ours["results"]["revenue"] > 0
    nameless = api.client.post(f"{SCENARIOS}/pinned", json={"name": " ", "levers": LEVERS},
                               headers=api.headers("admin"))
    assert nameless.status_code == 422 and "name" in nameless.json()["error"]["message"]

    old = current_plan(api.uow())
    promote_allowed = PERMISSIONS["scenario.promote"]
    promoted = as_every_role(api, "post", f"{SCENARIOS}/pinned/{scenario_id}/promote", allowed=promote_allowed)
    new = first_allowed(promoted, promote_allowed).json()
    assert all(promoted[r].status_code == 409 for r in promote_allowed if r != first_role(promote_allowed))
    assert new["demand_version_id"] != old.demand_version_id and new["supply_version_id"] is not None
    versions = {v["id"]: v for v in api.client.get("/api/v1/demand/plans", headers=api.headers("viewer")).json()}
    assert versions[old.demand_version_id]["status"] == PlanStatus.SUPERSEDED
    assert versions[new["demand_version_id"]]["status"] == PlanStatus.DRAFT
    assert api.client.post(f"{SCENARIOS}/pinned/999/promote", headers=api.headers("admin")).status_code == 404


def test_rebalanced_levers_are_evaluated_and_pinned_with_the_balanced_figures(api, demo_history):
    """`rebalance` answers and pins the figures of the balanced plan, as the pages' switch does."""
    from genxsop_core.scenarios.rebalanced import evaluate_rebalanced

    plan = current_plan(api.uow())
    data = load_plan_data(api.uow(), plan.demand_version_id, plan.supply_version_id)
    expected = evaluate_rebalanced(data, Levers(**LEVERS)).result.summary
    cut = evaluate(data, Levers(**LEVERS)).summary
    answer = api.client.post(f"{SCENARIOS}/evaluate", json={"levers": LEVERS, "rebalance": True},
                             headers=api.headers("viewer")).json()
    for key in SUMMARY_LABELS:  # the figures; the summary also carries the solver's seconds
        assert answer["summary"][key] == pytest.approx(expected[key], nan_ok=True), key
    assert answer["summary"]["inventory_value_avg"] != pytest.approx(cut["inventory_value_avg"])
    made = api.client.post(f"{SCENARIOS}/pinned", json={"name": "Balanced", "levers": LEVERS, "rebalance": True},
                           headers=api.headers("admin"))
    assert made.status_code == 201
    listing = api.client.get(f"{SCENARIOS}/pinned", headers=api.headers("viewer")).json()
    ours = next(s for s in listing if s["id"] == made.json()["id"])
    assert ours["results"]["rebalanced"] is True
    assert ours["results"]["inventory_value_avg"] == pytest.approx(expected["inventory_value_avg"])
