"""The planning endpoints (demand and supply plans, inventory, forecasting, scenarios, S&OP cycles) over a
real uvicorn server on 127.0.0.1 (`serve-api`, tests/api/test_server.py's `server`), every role: each
read answers every role, each kind of write only the roles PERMISSIONS allows (403 and nothing audited
for the others). The behaviour behind each endpoint is tested with the TestClient beside this file."""
from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.domain.states import PlanKind
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.plans.versions import plan_rows
from tests.api.roles import READ_ROLES, as_every_role, first_allowed
from tests.api.test_server import server  # noqa: F401 - the fixture

V1 = "/api/v1"


@dataclass
class OverHttp:
    """What tests.api.roles needs of `api`, with its client a real HTTP connection to the server."""

    client: httpx.Client
    api: object

    def key(self, role: str) -> str:
        return self.api.key(role)

    def headers(self, role: str) -> dict[str, str]:
        return self.api.headers(role)

    def uow(self):  # noqa: ANN201 - a UnitOfWork
        return self.api.uow()


@pytest.fixture
def http(api, server) -> OverHttp:  # noqa: F811 - `server` is the imported fixture
    with httpx.Client(base_url=server, timeout=120) as client:
        yield OverHttp(client, api)


def test_every_planning_read_answers_every_role_over_http(http, demo_history):
    plan = current_plan(http.uow())
    run_id = forecast_views.list_runs(http.uow(), 1)[0].id
    reads = [
        "/demand/plans", f"/demand/plans/{plan.demand_version_id}",
        f"/demand/plans/{plan.demand_version_id}/rows?limit=5", f"/demand/plans/{plan.demand_version_id}/grid?limit=5",
        "/demand/plans/accuracy?limit=5", "/demand/plans/accuracy/value-added",
        "/supply/plans", f"/supply/plans/{plan.supply_version_id}",
        f"/supply/plans/{plan.supply_version_id}/rows?limit=5",
        "/inventory/policy?limit=5", "/inventory/policy/exceptions?limit=5", "/inventory/policy/summary",
        "/forecasting/runs", f"/forecasting/runs/{run_id}", f"/forecasting/runs/{run_id}/results?limit=5",
        "/scenarios/pinned", "/sop-cycles", "/sop-cycles/current", f"/sop-cycles/{plan.cycle_id}",
        f"/sop-cycles/{plan.cycle_id}/decisions", f"/sop-cycles/{plan.cycle_id}/actions",
    ]
    for path in reads:
        answers = as_every_role(http, "get", f"{V1}{path}", allowed=READ_ROLES)
        assert all(answer.status_code == 200 for answer in answers.values()), path
    evaluated = as_every_role(http, "post", f"{V1}/scenarios/evaluate", allowed=READ_ROLES,
                              json={"levers": {"demand_change": 0.05}})
    assert evaluated["viewer"].json()["summary"]["revenue"] > 0
    csv = http.client.get(f"{V1}/demand/plans/{plan.demand_version_id}/rows", params={"format": "csv"},
                          headers=http.headers("viewer"))
    assert csv.headers["content-type"].startswith("text/csv") and int(csv.headers["x-total-count"]) > 0


def test_each_kind_of_planning_write_answers_only_its_roles_over_http(http, demo_history):
    plan = current_plan(http.uow())
    demand = plan_rows(http.uow(), PlanKind.DEMAND, plan.demand_version_id).iloc[0]
    supply = plan_rows(http.uow(), PlanKind.SUPPLY, plan.supply_version_id)
    receipt = supply[~supply.firm.astype(bool)].iloc[0]
    sku = forecast_views.run_skus(http.uow(), forecast_views.list_runs(http.uow(), 1)[0].id)[0]
    writes = [
        ("demand_plan.edit", f"/demand/plans/{plan.demand_version_id}/overrides", {"edits": [{
            "key": demand.sku, "period": f"{demand.period:%Y-%m-%d}", "value": 10.0, "reason_code": "PROMO",
            "comment": "over HTTP", "token": str(demand.row_version), "seen_consensus": demand.consensus}]}),
        ("supply_plan.edit", f"/supply/plans/{plan.supply_version_id}/receipts", {"edits": [{
            "sku": receipt.sku, "period": f"{receipt.period:%Y-%m-%d}", "planned_receipts": 5.0, "kind": receipt.kind,
            "row_version": int(receipt.row_version), "seen_receipts": receipt.planned_receipts}]}),
        ("forecast.run", "/forecast", {"item_ids": [sku], "prediction_length": 2, "model": "seasonal_naive"}),
        ("scenario.pin", "/scenarios/pinned", {"name": "Over HTTP", "levers": {"price_change": 0.02}}),
        ("cycle.decide", f"/sop-cycles/{plan.cycle_id}/decisions", {"text": "Decided over HTTP"}),
    ]
    for permission, path, body in writes:
        answers = as_every_role(http, "post", f"{V1}{path}", allowed=PERMISSIONS[permission], json=body)
        assert first_allowed(answers, PERMISSIONS[permission]).status_code in (200, 201), path
