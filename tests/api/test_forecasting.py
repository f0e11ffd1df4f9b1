"""/api/v1/forecasting (runs: start, poll, results with quantiles) and the seed's POST /forecast, for
every role. The background worker is not started here (`launch_worker` is replaced by a recorder);
a started run is executed in the test by the code the worker runs (`execute_run`)."""
from __future__ import annotations

import pytest

from genxsop_core.domain.permissions import PERMISSIONS
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from tests.api.roles import READ_ROLES, as_every_role, first_allowed

RUNS = "/api/v1/forecasting/runs"
FORECAST = "/api/v1/forecast"
ALLOWED = PERMISSIONS["forecast.run"]


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The run ids handed to a background worker (none is started)."""
    ids: list[int] = []
    monkeypatch.setattr(forecast_runs, "launch_worker", ids.append)
    return ids


def _demo_run(api) -> int:
    return api.client.get(RUNS, headers=api.headers("viewer")).json()[0]["id"]


def _skus(api, run_id: int, count: int) -> list[str]:
    return forecast_views.run_skus(api.uow(), run_id)[:count]


def test_every_role_reads_runs_progress_and_results_with_the_quantiles_asked_for(api, demo_history):
    run_id = _demo_run(api)
    for path in ("/api/v1/forecasting/models", RUNS, f"{RUNS}/{run_id}", f"{RUNS}/{run_id}/results?limit=3"):
        as_every_role(api, "get", path, allowed=READ_ROLES)
    viewer = api.headers("viewer")
    run = api.client.get(f"{RUNS}/{run_id}", headers=viewer).json()
    assert run["status"] == "done" and run["finished"] and run["progress_done"] == run["progress_total"] > 0
    sku = _skus(api, run_id, 1)[0]
    answer = api.client.get(f"{RUNS}/{run_id}/results", params={"sku": sku, "quantile": [0.1, 0.9]}, headers=viewer)
    page = answer.json()
    stored = forecast_views.run_results(api.uow(), run_id, [sku])
    assert page["total"] == len(stored) == run["horizon"]
    assert set(page["items"][0]) == {"sku", "period", "model", "mean", "p10", "p90"}
    assert [r["p90"] for r in page["items"]] == pytest.approx(list(stored.p90))
    assert all(r["p10"] <= r["p90"] for r in page["items"])
    every = api.client.get(f"{RUNS}/{run_id}/results", params={"limit": 1}, headers=viewer).json()["items"][0]
    assert {"p01", "p50", "p99"} <= set(every)
    unstored = api.client.get(f"{RUNS}/{run_id}/results", params={"quantile": 0.125}, headers=viewer)
    assert unstored.status_code == 422 and unstored.json()["error"]["field"] == "quantile"
    assert api.client.get(f"{RUNS}/987654", headers=viewer).status_code == 404
    assert api.client.get(f"{RUNS}/987654/results", headers=viewer).status_code == 404


def test_a_run_is_started_by_the_forecasting_roles_then_polled_until_its_results_are_there(api, demo_history,
                                                                                           launched):
    skus = _skus(api, _demo_run(api), 3)
    body = {"scope_kind": "skus", "scope_values": skus, "model": "seasonal_naive", "horizon": 4}
    answers = as_every_role(api, "post", RUNS, allowed=ALLOWED, json=body)
    started = first_allowed(answers, ALLOWED)
    assert started.status_code == 202 and all(answers[r].status_code == 202 for r in ALLOWED)
    run_id = started.json()["run_id"]
    assert started.headers["location"] == started.json()["status_url"] == f"{RUNS}/{run_id}"
    assert launched == sorted(answers[r].json()["run_id"] for r in ALLOWED)
    viewer = api.headers("viewer")
    queued = api.client.get(f"{RUNS}/{run_id}", headers=viewer).json()
    assert (queued["status"], queued["progress_total"], queued["finished"]) == ("queued", 3, False)
    assert queued["created_by"].startswith("key:")

    forecast_runs.execute_run(api.uow, run_id, workers=1)
    done = api.client.get(f"{RUNS}/{run_id}", headers=viewer).json()
    assert (done["status"], done["progress_done"]) == ("done", 3)
    results = api.client.get(f"{RUNS}/{run_id}/results", params={"quantile": 0.5}, headers=viewer).json()
    assert results["total"] == 3 * 4 and {r["sku"] for r in results["items"]} == set(skus)

    refused = api.client.post(RUNS, json={**body, "horizon": 500}, headers=api.headers("admin"))
    assert refused.status_code == 422 and "horizon" in refused.json()["error"]["message"]


def test_the_forecast_endpoint_answers_a_few_skus_at_once_and_stores_nothing(api, demo_history, launched):
    skus = _skus(api, _demo_run(api), 2)
    runs_before = len(api.client.get(RUNS, headers=api.headers("viewer")).json())
    body = {"item_ids": skus, "prediction_length": 3, "model": "seasonal_naive", "quantiles": [0.9, 0.1, 0.5]}
    answers = as_every_role(api, "post", FORECAST, allowed=ALLOWED, json=body)
    answer = first_allowed(answers, ALLOWED).json()
    assert answer["prediction_length"] == 3 and len(answer["forecasts"]) == 2 * 3
    assert {p["item_id"] for p in answer["forecasts"]} == set(skus)
    for point in answer["forecasts"]:
        levels = point["quantiles"]
        assert set(levels) == {"0.1", "0.5", "0.9"} and levels["0.1"] <= levels["0.5"] <= levels["0.9"]
        assert point["model"] == "seasonal_naive"
    assert len(api.client.get(RUNS, headers=api.headers("viewer")).json()) == runs_before and launched == []


@pytest.mark.parametrize(("change", "field"), [
    ({"prediction_length": 0}, "prediction_length"),
    ({"prediction_length": 366}, "prediction_length"),
    ({"prediction_length": 200}, "prediction_length"),  # within the seed's 1..365, beyond the engine's buckets
    ({"model": "crystal_ball"}, "model"),
    ({"quantiles": [0.1, 1.5]}, "quantiles"),
    ({"item_ids": []}, "item_ids"),
])
def test_the_forecast_endpoint_refuses_its_limits_naming_the_field(api, demo_history, change, field):
    body = {"item_ids": _skus(api, _demo_run(api), 2), "prediction_length": 3, "model": "seasonal_naive", **change}
    refused = api.client.post(FORECAST, json=body, headers=api.headers(next(iter(sorted(ALLOWED)))))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field


def test_an_unknown_sku_is_named(api, demo_history):
    refused = api.client.post(FORECAST, json={"item_ids": ["NO-SUCH-SKU"], "prediction_length": 2},
                              headers=api.headers("admin"))
    assert refused.status_code == 404 and "NO-SUCH-SKU" in refused.json()["error"]["message"]


def test_a_large_forecast_request_becomes_a_run(api, demo_history, launched):
    skus = _skus(api, _demo_run(api), 11)
    answer = api.client.post(FORECAST, json={"item_ids": skus, "prediction_length": 8, "model": "seasonal_naive",
                                             "quantiles": [0.05, 0.95]}, headers=api.headers("demand_planner"))
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["run_id"]
    assert launched == [run_id] and answer.headers["location"] == f"{RUNS}/{run_id}"
    run = api.client.get(f"{RUNS}/{run_id}", headers=api.headers("viewer")).json()
    assert (run["status"], run["horizon"], run["progress_total"]) == ("queued", 8, 11)
    unstored = api.client.post(FORECAST, json={"item_ids": skus, "prediction_length": 8, "quantiles": [0.025]},
                               headers=api.headers("demand_planner"))
    assert unstored.status_code == 422 and unstored.json()["error"]["field"] == "quantiles"
