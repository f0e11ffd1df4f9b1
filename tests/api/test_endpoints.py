"""The API's own endpoints (health, products, demand actuals, kpi) for every role, on SQLite and PostgreSQL,
the error shape, request ids and size limit, and the OpenAPI schema."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from genxsop_core.domain.permissions import PERMISSIONS, ROLES
from genxsop_core.persistence.repositories import AuditFilter

ACTUALS = "/api/v1/demand/actuals"
IMPORTERS = PERMISSIONS["import.demand"]


def _row(sku: str, period: str, ordered: object = 10, **more: object) -> dict[str, object]:
    return {"sku": sku, "period": period, "ordered_qty": ordered, **more}


def _stored(api, sku: str) -> pd.DataFrame:
    with api.uow() as uow:
        history = uow.demand.history([sku])
    return history


def test_health_answers_anyone_without_saying_where_the_database_is(api):
    answer = api.client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and set(answer.json()) == {"status", "database_millis"}
    assert answer.headers["x-request-id"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_products_and_the_kpis(api, demo, role):
    headers = api.headers(role)
    page = api.client.get("/api/v1/products?limit=5&offset=3", headers=headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == 128 and body["limit"] == 5 and body["offset"] == 3 and len(body["items"]) == 5
    skus = [p["sku"] for p in body["items"]]
    assert skus == sorted(skus) and set(body["items"][0]) >= {"sku", "family", "unit_cost", "status"}
    summary = api.client.get("/api/v1/kpi", headers=headers)
    assert summary.status_code == 200
    fill = next(k for k in summary.json() if k["kpi"] == "fill_rate")
    assert 0 < fill["latest"] <= 1 and fill["status"] in ("green", "amber", "red")


def test_products_come_whole_as_csv_or_parquet_with_the_count_in_a_header(api, demo):
    headers = api.headers("viewer")
    as_csv = api.client.get("/api/v1/products?format=csv", headers=headers)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["x-total-count"] == "128"
    assert len(pd.read_csv(io.StringIO(as_csv.text))) == 128
    as_parquet = api.client.get("/api/v1/products?format=parquet&limit=10", headers=headers)
    frame = pd.read_parquet(io.BytesIO(as_parquet.content))
    assert len(frame) == 10 and list(frame.columns)[:2] == ["sku", "name"]
    bad = api.client.get("/api/v1/products?format=xml", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "format"


def test_kpi_of_a_family_monthly_and_unknown_nodes(api, demo):
    headers = api.headers("executive")
    family = api.client.get("/api/v1/products?limit=1", headers=headers).json()["items"][0]["family"]
    monthly = api.client.get(f"/api/v1/kpi/monthly?level=family&key={family}", headers=headers)
    assert monthly.status_code == 200 and monthly.json()["total"] > 12
    assert {"month", "fill_rate", "revenue"} <= set(monthly.json()["items"][0])
    missing = api.client.get("/api/v1/kpi?level=family&key=No such family", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = api.client.get("/api/v1/kpi?level=planet", headers=headers)
    assert wrong.status_code == 422 and "level must be one of" in wrong.json()["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_only_importing_roles_post_actuals_and_the_write_is_audited_under_the_key(api, demo, role):
    sku = api.client.get("/api/v1/products?limit=1", headers=api.headers(role)).json()["items"][0]["sku"]
    rows = [_row(sku, "2030-01-07", 12, shipped_qty=11), _row(sku, "2030-01-14", "13", promo=True)]
    answer = api.client.post(ACTUALS, json={"rows": rows}, headers=api.headers(role))
    if role not in IMPORTERS:
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        assert _stored(api, sku).ds.max() < pd.Timestamp("2030-01-01")
        return
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"message": ""} == {"rows": 2, "inserted": 2, "updated": 0, "unchanged": 0, "message": ""}
    stored = _stored(api, sku).set_index("ds").y
    assert stored[pd.Timestamp("2030-01-07")] == 12 and stored[pd.Timestamp("2030-01-14")] == 13
    again = api.client.post(ACTUALS, json={"rows": rows}, headers=api.headers(role))
    assert again.json()["unchanged"] == 2  # the same rows again change nothing
    with api.uow() as uow:
        (record,) = [(r.username, r.action, r.key) for r in uow.audit.search(AuditFilter(action="import"), 1)]
    assert record[0] == f"key:{role}-key"


def test_one_bad_row_writes_nothing_and_names_its_row_and_column(api, demo):
    headers = api.headers("demand_planner")
    sku = api.client.get("/api/v1/products?limit=1", headers=headers).json()["items"][0]["sku"]
    rows = [_row(sku, "2030-01-07"), _row(sku, "2030-01-14"), _row(sku, "2030-01-21", -5), _row(sku, "2030-01-28")]
    answer = api.client.post(ACTUALS, json={"rows": rows}, headers=headers)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed" and error["row"] == 3 and error["column"] == "ordered_qty"
    assert error["field"] == "ordered_qty" and error["issues"][0]["row"] == 3
    assert _stored(api, sku).ds.max() < pd.Timestamp("2030-01-01")  # not even the good rows
    unknown = api.client.post(ACTUALS, json={"rows": [_row("NOPE-1", "2030-01-07")]}, headers=headers)
    assert unknown.json()["error"]["row"] == 1 and unknown.json()["error"]["column"] == "sku"
    a_tuesday = api.client.post(ACTUALS, json={"rows": [_row(sku, "2030-01-08")]}, headers=headers)
    assert a_tuesday.json()["error"]["column"] == "period"
    misspelt = api.client.post(ACTUALS, json={"rows": [{**_row(sku, "2030-01-07"), "orderd_qty": 1}]},
                               headers=headers)
    error = misspelt.json()["error"]
    assert "row" not in error and error["column"] == "orderd_qty" and "ordered_qty" in error["message"]


def test_a_malformed_body_is_refused_naming_the_field_and_a_large_one_before_it_is_read(api):
    headers = api.headers("demand_planner")
    empty = api.client.post(ACTUALS, json={"rows": []}, headers=headers)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "rows"
    not_rows = api.client.post(ACTUALS, json={"rows": ["a"]}, headers=headers)
    assert not_rows.status_code == 422 and not_rows.json()["error"]["field"] == "rows.0"
    limit = api.client.app.state.settings.api_max_body_mb * 1024 * 1024
    huge = api.client.post(ACTUALS, content=b"x" * (limit + 1), headers={**headers, "content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"


def test_a_request_id_is_kept_when_tame_and_made_otherwise(api):
    assert api.client.get("/api/v1/health", headers={"X-Request-ID": "erp-run-42"}).headers["x-request-id"] == \
        "erp-run-42"
    made = api.client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith tab"}).headers["x-request-id"]
    assert made != "bad id\twith tab" and len(made) == 16


def test_the_openapi_schema_lists_every_area_with_both_ways_to_sign_in(api):
    schema = api.client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/health", "/api/v1/auth/token", "/api/v1/products", "/api/v1/demand/actuals",
                 "/api/v1/kpi", "/api/v1/kpi/monthly"):
        assert path in paths, path
    assert set(schema["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}
    product = schema["components"]["schemas"]["ProductRow"]
    assert {"sku", "unit_cost", "lead_time_days"} <= set(product["properties"]) and "sku" in product["required"]
    assert "422" in paths["/api/v1/demand/actuals"]["post"]["responses"]
    assert api.client.get("/api/docs").status_code == 200


def test_every_operation_is_under_v1_and_asks_for_a_key_or_token_but_health_and_sign_in(api):
    """A router that forgot `current_caller` would answer anyone: OpenAPI lists each operation's security."""
    paths = api.client.get("/api/openapi.json").json()["paths"]
    open_to_anyone = {("get", "/api/v1/health"), ("post", "/api/v1/auth/token")}
    operations = {(method, path): spec for path, methods in paths.items() for method, spec in methods.items()}
    assert len(operations) > 20 and all(path.startswith("/api/v1/") for _, path in operations)
    for (method, path), spec in operations.items():
        schemes = {name for requirement in spec.get("security", []) for name in requirement}
        expected = set() if (method, path) in open_to_anyone else {"HTTPBearer", "APIKeyHeader"}
        assert schemes == expected, (method, path, schemes)
