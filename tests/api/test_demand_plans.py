"""/api/v1/demand/plans: versions, rows (JSON pages, CSV, Parquet), the override grid, overrides,
status changes and accuracy by lag, for every role, on the demo company with its planning history."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from genxsop_core.demand import views as demand_views
from genxsop_core.domain.hierarchy import Node
from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.plans.versions import plan_rows
from tests.api.roles import READ_ROLES, as_every_role, audit_rows, first_allowed, first_role

PLANS = "/api/v1/demand/plans"


def _draft(api) -> dict:
    """The current cycle's draft consensus plan of the demo history."""
    listing = api.client.get(PLANS, headers=api.headers("viewer")).json()
    return next(v for v in listing if v["status"] == PlanStatus.DRAFT)


def test_every_role_reads_versions_rows_grid_and_accuracy(api, demo_history):
    draft = _draft(api)
    version_id = draft["id"]
    stored = plan_rows(api.uow(), PlanKind.DEMAND, version_id)
    family = stored.family.iloc[0]
    reads = [f"{PLANS}", f"{PLANS}/{version_id}", f"{PLANS}/{version_id}/rows?limit=10",
             f"{PLANS}/{version_id}/grid?level=family&key={family}&at=sku",
             f"{PLANS}/accuracy?by=family", f"{PLANS}/accuracy/value-added?lag=1"]
    for path in reads:
        as_every_role(api, "get", path, allowed=READ_ROLES)
    viewer = api.headers("viewer")
    assert api.client.get(f"{PLANS}/{version_id}", headers=viewer).json()["source_run_id"] == draft["source_run_id"]

    page = api.client.get(f"{PLANS}/{version_id}/rows", params={"limit": 10, "offset": 5}, headers=viewer).json()
    assert page["total"] == len(stored) and page["offset"] == 5 and len(page["items"]) == 10
    sixth = stored.iloc[5]
    assert (page["items"][0]["sku"], page["items"][0]["period"]) == (sixth.sku, f"{sixth.period:%Y-%m-%d}")
    assert page["items"][0]["consensus"] == pytest.approx(sixth.consensus)

    as_csv = api.client.get(f"{PLANS}/{version_id}/rows", params={"format": "csv"}, headers=viewer)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["x-total-count"] == str(len(stored))
    csv_rows = pd.read_csv(io.BytesIO(as_csv.content))
    assert len(csv_rows) == len(stored) and csv_rows.consensus.sum() == pytest.approx(stored.consensus.sum())
    as_parquet = api.client.get(f"{PLANS}/{version_id}/rows", params={"format": "parquet", "level": "family",
                                                                       "key": family}, headers=viewer)
    cut = pd.read_parquet(io.BytesIO(as_parquet.content))
    assert set(cut.family) == {family} and len(cut) == (stored.family == family).sum()

    grid = api.client.get(f"{PLANS}/{version_id}/grid", params={"at": "family", "limit": 10_000}, headers=viewer)
    families = grid.json()["items"]
    assert {row["item"] for row in families} == set(stored.family)
    assert sum(row["consensus"] for row in families) == pytest.approx(stored.consensus.sum())

    by_lag = api.client.get(f"{PLANS}/accuracy", params={"by": "family", "lag": 1, "limit": 10_000},
                            headers=viewer).json()
    expected = demand_views.accuracy_panel(api.uow(), Node(), "family", 1).by_lag
    assert by_lag["total"] == len(expected) > 0
    assert {row["family"]: row["wape"] for row in by_lag["items"]} == pytest.approx(dict(zip(expected.family,
                                                                                                expected.wape)))
    fva = api.client.get(f"{PLANS}/accuracy/value-added", headers=viewer).json()
    assert [s["step"] for s in fva["value_added"]] == ["naive", "statistical", "consensus"] and fva["lags"][0] == 1


def test_refusals_are_json_naming_what_is_wrong(api, demo_history):
    viewer = api.headers("viewer")
    missing = api.client.get(f"{PLANS}/9999/rows", headers=viewer)
    assert missing.status_code == 404 and "9999" in missing.json()["error"]["message"]
    assert api.client.get(f"{PLANS}/9999", headers=viewer).status_code == 404
    bad_level = api.client.get(f"{PLANS}/{_draft(api)['id']}/rows", params={"level": "aisle"}, headers=viewer)
    assert bad_level.status_code == 422 and "aisle" in bad_level.json()["error"]["message"]
    too_many = api.client.get(f"{PLANS}/{_draft(api)['id']}/rows", params={"limit": 10_001}, headers=viewer)
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "limit"
    assert api.client.get(PLANS).status_code == 401


def _override(row: pd.Series, value: float, reason: str = "PROMO") -> dict:
    return {"level": "sku", "key": row.sku, "period": f"{row.period:%Y-%m-%d}", "value": value,
            "reason_code": reason, "comment": "ERP promotion feed", "token": str(row.row_version),
            "seen_consensus": row.consensus}


def test_overrides_are_saved_only_for_the_roles_that_edit_plans_and_audited_with_the_key(api, demo_history):
    version_id = _draft(api)["id"]
    row = plan_rows(api.uow(), PlanKind.DEMAND, version_id).iloc[0]
    allowed = PERMISSIONS["demand_plan.edit"]
    answers = as_every_role(api, "post", f"{PLANS}/{version_id}/overrides", allowed=allowed,
                            json={"edits": [_override(row, 123.0)]})
    saver = first_role(allowed)
    assert answers[saver].json() == {"changed": 1}
    assert all(answers[r].status_code == 409 for r in allowed if r != saver)  # the row moved under their token
    after = plan_rows(api.uow(), PlanKind.DEMAND, version_id, [row.sku])
    cell = after[after.period == row.period].iloc[0]
    assert (cell.consensus, cell.override, cell.reason_code, cell.author) == (123.0, 123.0, "PROMO", f"key:{saver}-key")
    with api.uow() as uow:
        audited = [a.username for a in uow.audit.search(AuditFilter(entity="demand_plan", action="override"))]
    assert audited == [f"key:{saver}-key"]

    stale = api.client.post(f"{PLANS}/{version_id}/overrides", json={"edits": [_override(row, 150.0)]},
                            headers=api.headers(saver))
    assert stale.status_code == 409 and "123" in stale.json()["error"]["message"]
    before = audit_rows(api)
    unknown_reason = api.client.post(f"{PLANS}/{version_id}/overrides", json={"edits": [_override(cell, 1.0, "NOPE")]},
                                     headers=api.headers(saver))
    assert unknown_reason.status_code == 422 and "NOPE" in unknown_reason.json()["error"]["message"]
    assert audit_rows(api) == before
    empty = api.client.post(f"{PLANS}/{version_id}/overrides", json={"edits": []}, headers=api.headers(saver))
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "edits"


def test_status_changes_follow_the_edit_and_approve_permissions(api, demo_history):
    version_id = _draft(api)["id"]
    path = f"{PLANS}/{version_id}/status"
    submitted = as_every_role(api, "post", path, allowed=PERMISSIONS["demand_plan.edit"],
                              json={"change": "submit", "note": "from the ERP"})
    assert first_allowed(submitted, PERMISSIONS["demand_plan.edit"]).json() == {"id": version_id,
                                                                               "status": "submitted"}
    approved = as_every_role(api, "post", path, allowed=PERMISSIONS["demand_plan.approve"], json={"change": "approve"})
    assert first_allowed(approved, PERMISSIONS["demand_plan.approve"]).json()["status"] == "approved"
    assert api.client.get(f"{PLANS}/{version_id}", headers=api.headers("viewer")).json()["approved_by"]
    unknown = api.client.post(path, json={"change": "shred"}, headers=api.headers("admin"))
    assert unknown.status_code == 422 and "shred" in unknown.json()["error"]["message"]


def test_a_version_is_created_from_a_finished_run_by_the_roles_that_edit_plans(api, demo_history):
    run_id = _draft(api)["source_run_id"]
    next_month = date(2099, 1, 1)
    allowed = PERMISSIONS["demand_plan.edit"]
    answers = as_every_role(api, "post", PLANS, allowed=allowed,
                            json={"run_id": run_id, "cycle_month": f"{next_month}"})
    created = first_allowed(answers, allowed)
    assert created.status_code == 201
    version = api.client.get(f"{PLANS}/{created.json()['id']}", headers=api.headers("viewer")).json()
    assert version["cycle_month"] == "2099-01-01" and version["status"] == "draft"
    assert all(answers[r].status_code == 409 for r in allowed if answers[r] is not created)  # one plan per cycle
