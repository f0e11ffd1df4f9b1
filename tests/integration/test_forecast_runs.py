"""Forecast runs on a real database: validation, persistence, audit, failure and dead workers."""
from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.exceptions import InvalidInput, PermissionDenied
from genxsop_core.domain.models import QUANTILE_COLUMNS
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with
from tests.integration.test_import_service import table_counts

PLANNER = actor_with("demand_planner")


def juice(model: str = "auto", horizon: int = 6) -> forecast_runs.ForecastRequest:
    return forecast_runs.ForecastRequest("family", ("Juice",), model, horizon)


@pytest.mark.parametrize("request_, message", [
    (forecast_runs.ForecastRequest("family", ()), "choose at least one family"),
    (forecast_runs.ForecastRequest("family", ("No such family",)), "holds no active SKUs"),
    (forecast_runs.ForecastRequest("all", (), "arima"), "unknown model 'arima'"),
    (forecast_runs.ForecastRequest("all", (), "auto", 0), "horizon must be 1 to 104"),
    (forecast_runs.ForecastRequest("all", (), "auto", 105), "horizon must be 1 to 104"),
    (forecast_runs.ForecastRequest("planet", ()), "scope must be one of"),
])
def test_bad_requests_get_a_clear_error_and_write_nothing(demo, database_url, request_, message):
    before = table_counts(database_url)
    with pytest.raises(InvalidInput, match=message):
        forecast_runs.request_run(demo(), PLANNER, request_)
    assert table_counts(database_url) == before


@pytest.mark.parametrize("role", ["viewer", "executive", "supply_planner", "coordinator"])
def test_only_planners_and_admins_start_runs(demo, role):
    with pytest.raises(PermissionDenied):
        forecast_runs.request_run(demo(), actor_with(role), juice())


def test_a_run_is_persisted_with_quantiles_choices_scores_hash_timings_and_audit(demo, admin):
    run_id = forecast_runs.request_run(demo(), PLANNER, juice(horizon=6))
    forecast_runs.execute_run(demo, run_id, workers=1)
    run = forecast_views.get_run(demo(), run_id)
    assert run.status == "done", run.error
    skus = forecast_views.run_skus(demo(), run_id)
    assert run.progress_done == run.progress_total == len(skus) > 5
    with demo() as uow:
        stored = uow.forecast_runs.get(run_id)
        results = uow.forecast_runs.results(run_id)
        scores = uow.forecast_runs.scores(run_id)
        assert len(stored.data_hash) == 64 and {"load_s", "forecast_s", "save_s"} <= set(stored.timings)
        timings = dict(stored.timings)
    # Run history's seconds are every timed step the run took, the hierarchy step among them
    assert "reconcile_s" in timings
    assert run.seconds == pytest.approx(sum(v for k, v in timings.items() if k.endswith("_s")), abs=1e-3)
    assert run.seconds > timings["forecast_s"]
    future, backtests = results[results.window.isna()], results[results.window.notna()]
    assert len(future) == 6 * len(skus)
    assert future[list(QUANTILE_COLUMNS)].notna().all().all()
    assert (future.p10 <= future.p90).all()
    chosen = scores[scores.chosen]
    assert sorted(chosen.sku) == skus and chosen.reason.str.len().min() > 10
    assert len(backtests) and backtests.window.min() == 1 and backtests[list(QUANTILE_COLUMNS)].isna().all().all()
    # a SKU's backtest forecasts are its chosen model's, stored under that model's name
    assert (backtests.model == backtests.sku.map(future.groupby("sku").model.first())).all()
    trail = search_audit(demo(), admin, AuditFilter(entity="forecast_run"))
    assert [(e.action, e.username) for e in reversed(trail)] == [("create", PLANNER.username),
                                                                ("complete", PLANNER.username)]
    board = forecast_views.leaderboard(demo(), run_id).set_index("model")
    assert board.skus_won.sum() == len(skus)
    blends = chosen.model[chosen.model.str.startswith("combo:")]
    for member in ("ets", "theta", "seasonal_naive"):
        if member in board.index:
            in_blend = blends.str.split(r"[:+]").map(lambda m: member in m)  # noqa: B023 - used at once
            assert board.in_chosen_blend[member] == in_blend.sum()
    view = forecast_views.sku_forecast(demo(), run_id, skus[0])
    assert len(view.forecast) == 6 and len(view.history) > 100 and view.reason


def test_two_runs_compare_per_sku(demo):
    first = forecast_runs.request_run(demo(), PLANNER, juice("naive", 4))
    second = forecast_runs.request_run(demo(), PLANNER, juice("moving_average", 4))
    for run_id in (first, second):
        forecast_runs.execute_run(demo, run_id, workers=1)
    table = forecast_views.compare_runs(demo(), first, second).table
    assert set(table.model_a) == {"naive"} and set(table.model_b) == {"moving_average"}
    assert (table.change == table.total_b - table.total_a).all()


def test_a_crashing_run_is_marked_failed_with_its_reason(demo, monkeypatch):
    def explode(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr("genxsop_core.forecasting.run", explode)
    run_id = forecast_runs.request_run(demo(), PLANNER, juice())
    forecast_runs.execute_run(demo, run_id, workers=1)
    run = forecast_views.get_run(demo(), run_id)
    assert run.status == "failed"
    assert run.error == "the machine ran out of memory (MemoryError: out of memory); try fewer SKUs or one model"
    with demo() as uow:
        assert uow.forecast_runs.results(run_id).empty  # nothing half-saved


def test_a_dead_worker_is_reaped_and_the_run_can_be_rerun(demo, monkeypatch):
    run_id = forecast_runs.request_run(demo(), PLANNER, juice("naive", 4))
    with demo() as uow:
        run = uow.forecast_runs.get(run_id)
        run.status, run.worker = "running", f"{socket.gethostname()}:999999"  # no such process
        uow.commit()
    assert forecast_runs.reap_dead_runs(demo) == [run_id]
    failed = forecast_views.get_run(demo(), run_id)
    assert failed.status == "failed" and "stopped before finishing" in failed.error
    launched: list[int] = []
    monkeypatch.setattr(forecast_runs, "launch_worker", lambda new_id: launched.append(new_id))
    new_id = forecast_runs.rerun(demo, PLANNER, run_id)
    assert launched == [new_id] and new_id != run_id
    forecast_runs.execute_run(demo, new_id, workers=1)
    rerun = forecast_views.get_run(demo(), new_id)
    assert (rerun.status, rerun.scope, rerun.model, rerun.horizon) == ("done", failed.scope, "naive", 4)


@pytest.mark.slow
def test_background_worker_survives_alone_and_a_killed_one_is_reaped(demo, database_url, monkeypatch):
    """The real detached worker process: one finishes on its own, one is killed mid-run."""
    monkeypatch.setenv("GENXSOP_DATABASE_URL", database_url)
    monkeypatch.setenv("GENXSOP_FORECAST_WORKERS", "1")
    finished = forecast_runs.start_run(demo, PLANNER, juice("naive", 4))
    deadline = time.monotonic() + 120
    while forecast_views.get_run(demo(), finished).status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert forecast_views.get_run(demo(), finished).status == "done"

    run_id = forecast_runs.request_run(demo(), PLANNER, forecast_runs.ForecastRequest("all", (), "auto", 26))
    worker = forecast_runs.launch_worker(run_id)
    while forecast_views.get_run(demo(), run_id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert forecast_runs.reap_dead_runs(demo) == [run_id]
    assert forecast_views.get_run(demo(), run_id).status == "failed"


@pytest.mark.slow
def test_a_background_run_logs_json_lines_with_its_run_id_and_the_planner_who_asked(demo, database_url,
                                                                                    monkeypatch, tmp_path):
    import json

    from genxsop_core.admin import logs

    monkeypatch.setenv("GENXSOP_DATABASE_URL", database_url)
    monkeypatch.setenv("GENXSOP_FORECAST_WORKERS", "1")
    monkeypatch.setenv("GENXSOP_LOG_DIR", str(tmp_path))
    with logs.context(user=PLANNER.username, session="browser-session-1"):
        run_id = forecast_runs.start_run(demo, PLANNER, juice("naive", 4))
    deadline = time.monotonic() + 120
    while forecast_views.get_run(demo(), run_id).status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert forecast_views.get_run(demo(), run_id).status == "done"
    lines = [json.loads(line) for line in (tmp_path / logs.LOG_FILE_NAME).read_text().splitlines()]
    of_run = [line for line in lines if line.get("run") == run_id]
    assert any("started" in line["message"] for line in of_run)
    assert any("done" in line["message"] for line in of_run)
    assert all((line["user"], line["session"]) == (PLANNER.username, "browser-session-1") for line in of_run)
