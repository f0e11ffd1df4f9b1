"""/api/v1/inventory/policy: the policy table, its exceptions and totals, read by every role, as the
Inventory page computes them (inventory.views)."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.inventory import views as inventory_views
from tests.api.roles import READ_ROLES, as_every_role

POLICY = "/api/v1/inventory/policy"


def test_every_role_reads_the_policy_of_the_current_plan_as_the_inventory_page_shows_it(api, demo_history):
    for path in (f"{POLICY}?limit=5", f"{POLICY}/exceptions?limit=5", f"{POLICY}/summary"):
        as_every_role(api, "get", path, allowed=READ_ROLES)
    plan = current_plan(api.uow())
    view = inventory_views.inventory_view(api.uow, plan.demand_version_id, "demand")
    viewer = api.headers("viewer")

    summary = api.client.get(f"{POLICY}/summary", params={"method": "demand"}, headers=viewer).json()
    assert summary["demand_version_id"] == plan.demand_version_id
    assert summary["supply_version_id"] == plan.supply_version_id
    assert summary == pytest.approx({"demand_version_id": plan.demand_version_id,
                                     "supply_version_id": plan.supply_version_id, "method": "demand",
                                     **inventory_views.totals(view)})

    table = api.client.get(POLICY, params={"method": "demand", "limit": 10_000}, headers=viewer).json()
    assert table["total"] == len(view.policy)
    first = table["items"][0]
    assert (first["sku"], first["safety_stock"]) == (view.policy.sku.iloc[0],
                                                      pytest.approx(view.policy.safety_stock.iloc[0]))
    stockouts = [row for row in table["items"] if row["exception"] == "Stockout"]
    assert [row["first_stockout"] for row in stockouts] == [
        f"{day:%Y-%m-%d}" for day in view.policy.first_stockout[view.policy.exception == "Stockout"]]

    exceptions = api.client.get(f"{POLICY}/exceptions", params={"method": "demand", "format": "csv"},
                                headers=viewer)
    listed = pd.read_csv(io.BytesIO(exceptions.content))
    assert list(listed.sku) == list(view.exceptions.sku)


def test_a_sku_that_never_stocks_out_has_no_first_stockout(api, demo_history):
    table = api.client.get(POLICY, params={"limit": 10_000}, headers=api.headers("viewer")).json()
    assert {row["first_stockout"] for row in table["items"] if row["exception"] != "Stockout"} == {None}


def test_a_plan_version_and_a_method_are_chosen_or_refused_by_name(api, demo_history):
    viewer = api.headers("viewer")
    plan = current_plan(api.uow())
    chosen = api.client.get(f"{POLICY}/summary", params={"demand_version_id": plan.demand_version_id},
                            headers=viewer)
    assert chosen.status_code == 200 and chosen.json()["method"] == "lead_time"
    unknown_method = api.client.get(f"{POLICY}/summary", params={"method": "guess"}, headers=viewer)
    assert unknown_method.status_code == 422 and "guess" in unknown_method.json()["error"]["message"]
    missing = api.client.get(POLICY, params={"demand_version_id": 4040}, headers=viewer)
    assert missing.status_code == 404 and "4040" in missing.json()["error"]["message"]


def test_without_a_plan_the_answer_says_how_to_make_one(api, demo):
    refused = api.client.get(f"{POLICY}/summary", headers=api.headers("viewer"))
    assert refused.status_code == 404 and "forecast run" in refused.json()["error"]["message"]
