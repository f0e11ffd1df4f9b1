"""/api/v1/supply/plans: versions, planned receipts, receipt edits, status and new versions, for every role."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from genxsop_core.bootstrap import SYSTEM
from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.plans.versions import plan_rows
from tests.api.roles import READ_ROLES, as_every_role, first_allowed, first_role

PLANS = "/api/v1/supply/plans"


def _draft(api) -> dict:
    listing = api.client.get(PLANS, headers=api.headers("viewer")).json()
    return next(v for v in listing if v["status"] == PlanStatus.DRAFT)


def test_every_role_reads_supply_versions_and_receipts(api, demo_history):
    draft = _draft(api)
    version_id = draft["id"]
    for path in (PLANS, f"{PLANS}/{version_id}", f"{PLANS}/{version_id}/rows?limit=5"):
        as_every_role(api, "get", path, allowed=READ_ROLES)
    stored = plan_rows(api.uow(), PlanKind.SUPPLY, version_id)
    viewer = api.headers("viewer")
    assert draft["demand_version_id"] is not None and draft["cycle"]
    page = api.client.get(f"{PLANS}/{version_id}/rows", params={"limit": 3}, headers=viewer).json()
    assert page["total"] == len(stored)
    assert [(r["sku"], r["planned_receipts"], r["kind"], r["firm"]) for r in page["items"]] == [
        (r.sku, r.planned_receipts, r.kind, bool(r.firm)) for r in stored.head(3).itertuples()]
    parquet = api.client.get(f"{PLANS}/{version_id}/rows", params={"format": "parquet"}, headers=viewer)
    assert pd.read_parquet(io.BytesIO(parquet.content)).planned_receipts.sum() == \
        pytest.approx(stored.planned_receipts.sum())
    assert api.client.get(f"{PLANS}/424242", headers=viewer).status_code == 404
    demand_id = draft["demand_version_id"]  # a demand version is no supply version
    assert api.client.get(f"{PLANS}/{demand_id}/rows", headers=viewer).status_code == 404


def _edit(row, receipts: float) -> dict:
    return {"sku": row.sku, "period": f"{row.period:%Y-%m-%d}", "planned_receipts": receipts, "kind": row.kind,
            "comment": "ERP capacity feed", "row_version": int(row.row_version),
            "seen_receipts": float(row.planned_receipts)}


def test_receipts_are_edited_only_by_the_roles_that_edit_supply_plans(api, demo_history):
    version_id = _draft(api)["id"]
    stored = plan_rows(api.uow(), PlanKind.SUPPLY, version_id)
    row = stored[~stored.firm.astype(bool)].iloc[0]
    allowed = PERMISSIONS["supply_plan.edit"]
    answers = as_every_role(api, "post", f"{PLANS}/{version_id}/receipts", allowed=allowed,
                            json={"edits": [_edit(row, 777.0)]})
    editor = first_role(allowed)
    assert answers[editor].json() == {"changed": 1}
    assert all(answers[r].status_code == 409 for r in allowed if r != editor)
    cell = plan_rows(api.uow(), PlanKind.SUPPLY, version_id, [row.sku]).set_index("period").loc[row.period]
    assert (cell.planned_receipts, cell.author) == (777.0, f"key:{editor}-key")
    with api.uow() as uow:
        edited = [a.username for a in uow.audit.search(AuditFilter(entity="supply_plan", action="edit_receipts"))]
    assert [name for name in edited if name != SYSTEM.username] == [f"key:{editor}-key"]  # the demo's own edits
    negative = api.client.post(f"{PLANS}/{version_id}/receipts", headers=api.headers(editor),
                               json={"edits": [{**_edit(row, -5.0), "row_version": int(cell.row_version)}]})
    assert negative.status_code == 422 and "0 or more" in negative.json()["error"]["message"]
    firm = stored[stored.firm.astype(bool)]
    if len(firm):
        released = api.client.post(f"{PLANS}/{version_id}/receipts", headers=api.headers(editor),
                                   json={"edits": [_edit(firm.iloc[0], 1.0)]})
        assert released.status_code == 422 and "released" in released.json()["error"]["message"]


def test_status_and_new_versions_follow_the_supply_permissions(api, demo_history):
    version_id = _draft(api)["id"]
    path = f"{PLANS}/{version_id}/status"
    submitted = as_every_role(api, "post", path, allowed=PERMISSIONS["supply_plan.edit"], json={"change": "submit"})
    assert first_allowed(submitted, PERMISSIONS["supply_plan.edit"]).json()["status"] == "submitted"
    sent_back = as_every_role(api, "post", path, allowed=PERMISSIONS["supply_plan.edit"], json={"change": "send_back"})
    assert first_allowed(sent_back, PERMISSIONS["supply_plan.edit"]).json()["status"] == "draft"

    with api.uow() as uow:
        run_id = uow.plans.get(_draft(api)["demand_version_id"]).source_run_id
    demand_id = demand_plans.create_version(api.uow(), SYSTEM, run_id, date(2099, 1, 1))  # a cycle without supply
    allowed = PERMISSIONS["supply_plan.edit"]
    answers = as_every_role(api, "post", PLANS, allowed=allowed, json={"demand_version_id": demand_id})
    created = first_allowed(answers, allowed)
    assert created.status_code == 201
    assert all(answers[r].status_code == 409 for r in allowed if r != first_role(allowed))  # one per cycle
    version = api.client.get(f"{PLANS}/{created.json()['id']}", headers=api.headers("viewer")).json()
    assert version["demand_version_id"] == demand_id and version["cycle_month"] == "2099-01-01"
