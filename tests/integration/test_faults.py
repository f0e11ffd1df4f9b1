"""Faults on a real database (SQLite, and PostgreSQL where reachable): whatever breaks in the middle of
a use case, the database is left exactly as it was and can be used on.

- A statement fails half-way (the driver's OperationalError after the first writes), or the commit
  itself fails, in an import, a demand or supply plan save, a forecast run's result write and an
  S&OP sign-off (the executive one approves and freezes the plans): every table holds what it held
  (tests/integration/fault_helpers.database_fingerprint), the audit trail included.
- A process is killed (SIGKILL) in the middle of its transaction: an import, a plan save, a forecast
  worker writing its results. Nothing of it remains; the next import or save succeeds; the run is
  marked failed when looked at and can be re-run.
- A heavy model (Chronos-2, Prophet) fails on one series or on all: the run finishes, those series
  fall back to another model, and the selection reason says why.
"""
from __future__ import annotations

import io
import os
import signal
import socket
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.exc import OperationalError

from genxsop_core import forecasting
from genxsop_core.cycle import workflow as cycle
from genxsop_core.cycle.freeze import freezer
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import reason_codes
from genxsop_core.demand.plans import OverrideEdit
from genxsop_core.domain.generations import DataArea
from genxsop_core.domain.models import utcnow
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.forecasting.strategies import chronos as chronos_strategy
from genxsop_core.forecasting.strategies.chronos import Chronos2Strategy
from genxsop_core.forecasting.strategies.prophet import ProphetStrategy
from genxsop_core.io import importer
from genxsop_core.persistence.generations import generations
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.plans import ReceiptEdit
from tests.chronos_tiny import TINY_QUANTILES
from tests.integration.fault_helpers import (
    COMMIT,
    INJECTED,
    database_fingerprint,
    dropped_connection,
    encode_edits,
    failing,
    start_paused,
)
from tests.integration.test_cycle import OWNERS, advance, plan_of
from tests.integration.test_demand_plans import PLANNER
from tests.integration.test_import_service import DEMAND, PRODUCTS, RESOURCES, ROUTINGS, load_all
from tests.integration.test_supply_plans import ADMIN, SUPPLY_PLANNER, small_demand

WEEK1, WEEK2 = date(2025, 2, 3), date(2025, 2, 10)
# One changed row (A-1, 6 Jan: 100 -> 110) and 60 new ones: the insert batch runs before the update.
NEW_WEEKS = pd.date_range("2024-01-01", periods=20, freq="7D")
DEMAND_V2 = DEMAND.replace(b"A-1,2025-01-06,100,95,0", b"A-1,2025-01-06,110,95,0") + "".join(
    f"{sku},{week:%Y-%m-%d},{50 + i},{50 + i},0\n" for sku in ("A-1", "A-2", "B-1")
    for i, week in enumerate(NEW_WEEKS)).encode()
SUPPLY = b"sku,period,planned_receipts,kind,firm\nA-1,2025-02-03,500,make,1\nB-1,2025-02-03,200,buy,0\n"


def refused_without_trace(database_url: str, faults: list[tuple[str, int]], call) -> None:
    """Each fault makes `call` raise the database's error, and leaves every table as it was."""
    before = database_fingerprint(database_url)
    for prefix, nth in faults:
        with failing(database_url, prefix, nth), pytest.raises(OperationalError, match=INJECTED):
            call()
        assert database_fingerprint(database_url) == before, f"a fault at {prefix!r} #{nth} left a trace"


def audit_count(uow_factory) -> int:
    with uow_factory() as uow:
        return uow.audit.count()


@pytest.fixture
def master_data(uow_factory):
    """Products, resources, routings and three rows of demand; no supply yet."""
    for kind, content in (("products", PRODUCTS), ("resources", RESOURCES), ("routings", ROUTINGS),
                          ("demand", DEMAND)):
        importer.import_file(uow_factory(), ADMIN, kind, f"{kind}.csv", content)
    return uow_factory


def test_a_failing_import_writes_nothing_and_the_next_one_succeeds(master_data, database_url):
    f = master_data

    def import_demand() -> importer.ImportResult:
        return importer.import_file(f(), ADMIN, "demand", "demand-v2.csv", DEMAND_V2)

    def import_supply() -> importer.ImportResult:  # the first one also creates the working supply version
        return importer.import_file(f(), ADMIN, "supply", "supply.csv", SUPPLY)

    refused_without_trace(database_url, [("UPDATE demand_actual", 1), ("INSERT INTO audit_log", 1), (COMMIT, 1)],
                          import_demand)
    refused_without_trace(database_url, [("INSERT INTO supply_plan", 1), (COMMIT, 1)], import_supply)

    audited = audit_count(f)
    assert import_demand().summary().endswith("60 new, 1 updated, 2 unchanged")
    assert import_supply().inserted == 2 and audit_count(f) == audited + 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_ends_mid_import_leaves_nothing_and_the_next_import_reconnects(master_data,
                                                                                             database_url):
    f = master_data
    before = database_fingerprint(database_url)
    with dropped_connection(database_url, "UPDATE demand_actual"), \
            pytest.raises(OperationalError, match="terminating connection"):
        importer.import_file(f(), ADMIN, "demand", "demand-v2.csv", DEMAND_V2)
    assert database_fingerprint(database_url) == before
    assert importer.import_file(f(), ADMIN, "demand", "demand-v2.csv", DEMAND_V2).updated == 1


@pytest.fixture
def plans(uow_factory):
    """The import tests' three SKUs over two February weeks: a draft demand and a draft supply plan."""
    load_all(uow_factory, ADMIN)
    reason_codes.add_reason_code(uow_factory(), ADMIN, "PROMO", "Promotion")
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    return plan_of(uow_factory, demand_id, supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id))


OVERRIDES = [OverrideEdit("family", "Juice", WEEK1, 300.0, "PROMO", "trade fair", "1.1", 200.0),
             OverrideEdit("sku", "B-1", WEEK2, 50.0, "PROMO", "listing lost", "1", 100.0)]
RECEIPTS = [ReceiptEdit("A-2", WEEK1, 80.0, "make", "extra shift", 1, 0.0),
            ReceiptEdit("B-1", WEEK2, 60.0, "buy", "supplier offer", 1, 0.0)]


def test_a_failing_plan_save_writes_nothing_and_the_same_edits_save_afterwards(uow_factory, database_url, plans):
    f = uow_factory

    def save_demand() -> int:
        return demand_plans.save_overrides(f(), PLANNER, plans.demand, OVERRIDES)

    def save_supply() -> int:
        return supply_plans.save_receipts(f(), SUPPLY_PLANNER, plans.supply, RECEIPTS)

    refused_without_trace(database_url, [("UPDATE demand_plan", 2), ("INSERT INTO audit_log", 1), (COMMIT, 1)],
                          save_demand)
    refused_without_trace(database_url, [("UPDATE supply_plan", 2), ("INSERT INTO audit_log", 1), (COMMIT, 1)],
                          save_supply)

    audited = audit_count(f)  # the row versions did not move: the grid the planner loaded still saves
    assert save_demand() == 3 and save_supply() == 2 and audit_count(f) == audited + 2


def test_a_failing_sign_off_writes_nothing_not_even_the_executive_approvals(uow_factory, database_url, plans):
    f = uow_factory

    def first_stage() -> str:
        return cycle.sign_off(f(), OWNERS["data_gathering"], plans.cycle, "actuals in")

    def executive() -> str:
        return cycle.sign_off(f(), OWNERS["executive_sop"], plans.cycle, "approved", freeze_with=freezer(f))

    refused_without_trace(database_url, [("INSERT INTO sop_signoff", 1), ("UPDATE sop_cycle", 1), (COMMIT, 1)],
                          first_stage)
    advance(f, plans, to="executive_sop")
    # the sign-off and the audit records are written first, then the two plan approvals, then the cycle
    refused_without_trace(database_url, [("UPDATE plan_version", 1), ("UPDATE sop_cycle", 1),
                                         ("INSERT INTO audit_log", 1), (COMMIT, 1)], executive)

    assert executive() == "closed"
    with f() as uow:
        assert [uow.plans.get(v).status for v in (plans.demand, plans.supply)] == ["approved", "approved"]
        assert uow.plans.cycle(plans.cycle).frozen["demand_version_id"] == plans.demand


HISTORY_WEEKS = pd.date_range("2023-11-06", periods=60, freq="7D")  # enough for Prophet's 24 before a window


def weekly_history() -> bytes:
    """60 weeks of a seasonal, trending demand per SKU (deterministic)."""
    rows = [f"{sku},{week:%Y-%m-%d},{level + 2 * t + 15 * np.sin(2 * np.pi * t / 13):.0f},0,0"
            for sku, level in (("A-1", 100), ("A-2", 60), ("B-1", 200)) for t, week in enumerate(HISTORY_WEEKS)]
    return ("sku,period,ordered_qty,shipped_qty,promo\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def history(uow_factory, monkeypatch):
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")  # the heavy-model tests ask for theirs
    importer.import_file(uow_factory(), ADMIN, "products", "products.csv", PRODUCTS)
    importer.import_file(uow_factory(), ADMIN, "demand", "history.csv", weekly_history())
    return uow_factory


def request(uow_factory, model: str = "naive") -> int:
    return forecast_runs.request_run(uow_factory(), PLANNER, forecast_runs.ForecastRequest("all", (), model, 4))


def run_state(uow_factory, run_id: int) -> tuple:
    with uow_factory() as uow:
        run = uow.forecast_runs.get(run_id)
        return run.status, run.error, len(uow.forecast_runs.results(run_id)), len(uow.forecast_runs.scores(run_id))


def run_actions(uow_factory, run_id: int) -> list[str]:
    with uow_factory() as uow:
        records = uow.audit.search(AuditFilter(entity="forecast_run", key_contains=str(run_id)))
        return [e.action for e in reversed(records) if e.key == str(run_id)]


def without(fingerprint: dict, *tables: str) -> dict:
    """The fingerprint but for these tables (a run's status, progress and heartbeat are written as it goes)."""
    return {table: value for table, value in fingerprint.items() if table not in tables}


def rerun_to_the_end(uow_factory, monkeypatch, run_id: int) -> int:
    monkeypatch.setattr(forecast_runs, "launch_worker", lambda new_id: None)  # the test is the worker
    new_id = forecast_runs.rerun(uow_factory, PLANNER, run_id)
    forecast_runs.execute_run(uow_factory, new_id, workers=1)
    status, error, results, scores = run_state(uow_factory, new_id)
    assert (status, error) == ("done", None) and results > 0 and scores == 3
    return new_id


def test_a_failing_result_write_fails_the_run_with_nothing_saved_and_it_reruns(history, database_url, monkeypatch):
    f = history
    # results, then scores, then the run's completion (the only update of a run that sets its models)
    for prefix, nth in [("INSERT INTO forecast_model_score", 1), ("UPDATE forecast_run SET models", 1), (COMMIT, 1)]:
        run_id = request(f)
        before = database_fingerprint(database_url)
        with failing(database_url, prefix, nth):
            forecast_runs.execute_run(f, run_id, workers=1)
        status, error, results, scores = run_state(f, run_id)
        assert (status, results, scores) == ("failed", 0, 0), prefix
        assert INJECTED in error and "[SQL:" not in error  # the planner reads the reason, not a statement dump
        assert without(database_fingerprint(database_url), "forecast_run") == without(before, "forecast_run"), prefix
        assert run_actions(f, run_id) == ["create"]  # no "complete" record of what was never saved
    rerun_to_the_end(f, monkeypatch, run_id)


def killed(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)  # reaped: its pid is gone, not a zombie
    process.stdout.close()


def test_an_import_killed_mid_transaction_leaves_nothing_and_the_next_import_succeeds(master_data, database_url,
                                                                                      tmp_path):
    f = master_data
    upload = tmp_path / "demand-v2.csv"
    upload.write_bytes(DEMAND_V2)
    before = database_fingerprint(database_url)
    # every row and its audit record written, the commit still to come
    process = start_paused(database_url, tmp_path / "paused", "INSERT INTO audit_log", 1,
                           "import", "demand", "demand-v2.csv", str(upload))
    killed(process)
    assert database_fingerprint(database_url) == before
    result = importer.import_file(f(), ADMIN, "demand", "demand-v2.csv", DEMAND_V2)
    assert (result.inserted, result.updated, result.unchanged) == (60, 1, 2)


def test_a_plan_save_killed_mid_transaction_leaves_nothing_and_the_same_edits_save(uow_factory, database_url, plans,
                                                                                   tmp_path):
    before = database_fingerprint(database_url)
    process = start_paused(database_url, tmp_path / "paused", "UPDATE demand_plan", 2,  # one of three rows written
                           "save_overrides", str(plans.demand), encode_edits(OVERRIDES))
    killed(process)
    assert database_fingerprint(database_url) == before
    assert demand_plans.save_overrides(uow_factory(), PLANNER, plans.demand, OVERRIDES) == 3


def test_a_worker_killed_while_writing_results_is_reaped_and_the_run_reruns(history, database_url, monkeypatch,
                                                                            tmp_path):
    f = history
    run_id = request(f)
    before = database_fingerprint(database_url)
    counters_before = generations(f(), list(DataArea))
    process = start_paused(database_url, tmp_path / "paused", "INSERT INTO forecast_result", 1,
                           "execute_run", str(run_id))
    assert run_state(f, run_id)[0] == "running"
    killed(process)
    assert forecast_runs.reap_dead_runs(f) == [run_id]  # what the Forecasting page does when it is opened
    status, error, results, scores = run_state(f, run_id)
    assert (status, results, scores) == ("failed", 0, 0) and "stopped before finishing" in error
    after = database_fingerprint(database_url)
    assert without(after, "forecast_run", "audit_log", "data_generation") == \
        without(before, "forecast_run", "audit_log", "data_generation")
    moved = {area for area, was, now in zip(DataArea, counters_before, generations(f(), list(DataArea)))
             if now != was}
    assert moved == {DataArea.FORECASTS}  # the reaper's "fail"; the killed worker's write left nothing
    assert run_actions(f, run_id) == ["create", "fail"]  # the reaper's record, none of the worker's
    rerun_to_the_end(f, monkeypatch, run_id)


def stall(uow_factory, run_id: int, status: str, silent_for: timedelta) -> None:
    """The run as a worker that is alive (this process) but silent for a while leaves it; a queued run
    as one no worker ever picked up."""
    with uow_factory() as uow:
        run = uow.forecast_runs.get(run_id)
        run.status, run.created_at = status, utcnow() - silent_for
        if status == "running":
            run.worker, run.heartbeat_at = f"{socket.gethostname()}:{os.getpid()}", utcnow() - silent_for
        uow.commit()


def test_a_silent_worker_or_a_run_never_picked_up_is_failed_when_looked_at_and_reruns(history, monkeypatch):
    f = history
    healthy, silent, forgotten = request(f), request(f), request(f)
    stall(f, healthy, "running", timedelta(seconds=5))
    stall(f, silent, "running", forecast_runs.STALE_AFTER + timedelta(minutes=5))
    stall(f, forgotten, "queued", forecast_runs.STALE_AFTER + timedelta(minutes=5))
    assert sorted(forecast_runs.reap_dead_runs(f)) == [silent, forgotten]  # the Forecasting page does this when opened
    assert forecast_views.get_run(f(), healthy).status == "running"  # a live worker with a recent beat is left alone
    for run_id in (silent, forgotten):
        failed = forecast_views.get_run(f(), run_id)
        assert failed.status == "failed" and "no sign of life from the worker for" in failed.error
        assert run_actions(f, run_id) == ["create", "fail"]
    assert forecast_runs.reap_dead_runs(f) == []  # once
    rerun_to_the_end(f, monkeypatch, silent)


def test_a_run_that_finishes_while_the_reaper_looks_stays_done(history, monkeypatch):
    """The worker commits its results and exits between the reaper reading the run and checking its pid."""
    f = history
    run_id = request(f)
    with f() as uow:
        run = uow.forecast_runs.get(run_id)
        run.status, run.worker, run.heartbeat_at = "running", f"{socket.gethostname()}:999999", utcnow()
        uow.commit()

    def finishes_and_exits(worker: str | None) -> bool:
        with f() as uow:
            run = uow.forecast_runs.get(run_id)
            if run.status == "running":
                run.status, run.finished_at = "done", utcnow()
                uow.commit()
        return False

    monkeypatch.setattr(forecast_runs, "_pid_alive", finishes_and_exits)
    assert forecast_runs.reap_dead_runs(f) == []
    assert run_state(f, run_id)[:2] == ("done", None) and run_actions(f, run_id) == ["create"]


class FakeChronosPipeline:
    """Chronos2Pipeline's interface without torch or weights (tests/unit/test_chronos_strategy.py runs the
    real, tiny one): the 21-level grid around the last value. The strategy's own code runs as it is."""

    quantiles = TINY_QUANTILES
    model_prediction_length = 64

    def predict(self, inputs, prediction_length, batch_size, unrolled_quantiles):
        spread = 0.8 + 0.4 * np.array(self.quantiles)[:, None]
        return [[Paths(float(item["target"][-1]) * spread * np.ones(prediction_length))] for item in inputs]


class Paths:
    def __init__(self, values: np.ndarray):
        self.values = values

    def numpy(self) -> np.ndarray:
        return self.values


HEAVY = {"chronos2": (Chronos2Strategy, "forecast_many"), "prophet": (ProphetStrategy, "forecast")}


@pytest.fixture(params=list(HEAVY))
def heavy(request, monkeypatch) -> str:
    """A heavy model that works here, and the other one out of auto's way."""
    model = request.param
    if model == "chronos2":
        monkeypatch.setattr(chronos_strategy, "_pipeline", FakeChronosPipeline)
        monkeypatch.setattr(chronos_strategy, "_configure_torch_threads", lambda: None)
    reason = HEAVY[model][0]().availability()
    if reason:
        pytest.skip(reason)
    for other, (strategy, _) in HEAVY.items():
        if other != model:
            monkeypatch.setattr(strategy, "availability", lambda self: "left out of this test")
    return model


def break_on(monkeypatch, model: str, skus: set[str]) -> None:
    """The heavy model raises for these SKUs, in backtests and in the final fit alike; others run for real."""
    strategy, method = HEAVY[model]
    original = getattr(strategy, method)

    def broken(self, first, *args):  # a batch (Chronos-2) or one series (Prophet)
        if any(series.unique_id in skus for series in (first if method == "forecast_many" else [first])):
            raise RuntimeError(f"{model} ran out of memory")
        return original(self, first, *args)

    monkeypatch.setattr(strategy, method, broken)


def chosen(uow_factory, run_id: int) -> pd.DataFrame:
    with uow_factory() as uow:
        scores = uow.forecast_runs.scores(run_id)
    return scores[scores.chosen].set_index("sku")


def fallbacks(uow_factory, run_id: int) -> int:
    """The number of fallbacks the run's completion record counts."""
    with uow_factory() as uow:
        return next(e.after["fallbacks"] for e in uow.audit.search(AuditFilter(entity="forecast_run",
                                                                                action="complete"))
                    if e.key == str(run_id))


# The fallback is the engine's, whatever the database: the heavy-model runs are stored on SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_heavy_model_failing_on_one_series_falls_back_there_alone(history, heavy, monkeypatch):
    f = history
    break_on(monkeypatch, heavy, {"B-1"})
    run_id = request(f, heavy)
    forecast_runs.execute_run(f, run_id, workers=1)
    assert run_state(f, run_id)[:2] == ("done", None)
    picks = chosen(f, run_id)
    assert (picks.model["A-1"], picks.model["A-2"]) == (heavy, heavy) and picks.model["B-1"] != heavy
    assert picks.reason["B-1"].startswith(f"{heavy} failed on the final fit (RuntimeError: {heavy} ran out of "
                                          f"memory): fell back to {picks.model['B-1']}")
    assert fallbacks(f, run_id) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("model", ["requested", "auto"])
def test_a_heavy_model_failing_on_every_series_never_fails_the_run_and_says_why(history, heavy, monkeypatch, model):
    f = history
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "10")  # auto takes the heavy model in
    break_on(monkeypatch, heavy, {"A-1", "A-2", "B-1"})
    run_id = request(f, heavy if model == "requested" else "auto")
    forecast_runs.execute_run(f, run_id, workers=1)
    assert run_state(f, run_id)[:2] == ("done", None)
    picks = chosen(f, run_id)
    assert sorted(picks.index) == ["A-1", "A-2", "B-1"] and not picks.model.str.contains(heavy).any()
    assert picks.reason.str.contains(f"{heavy} ran out of memory").all(), picks.reason.to_dict()
    if model == "requested":
        assert fallbacks(f, run_id) == 3


def test_a_blend_member_failing_on_the_final_fit_falls_back_to_the_best_model_that_did_not_fail(monkeypatch):
    history = pd.read_csv(io.BytesIO(weekly_history()), parse_dates=["period"]).query("sku == 'A-1'")
    history = history.rename(columns={"sku": "unique_id", "period": "ds", "ordered_qty": "y"})[["unique_id", "ds", "y"]]
    healthy = forecasting.run(history, 4, workers=1)
    scores = healthy.scores.set_index("model").mae
    ranked = list(scores.drop(index=[m for m in scores.index if m.startswith("combo:")]).sort_values().index)
    blend = healthy.selection.model.iloc[0]
    assert blend == "combo:" + "+".join(sorted(ranked[:3]))  # the three best, the best first among the members
    second = ranked[1]
    strategy = type(forecasting.get_strategy(second))
    original = strategy.forecast

    def fails_on_the_full_history(self, series, horizon, quantiles):
        if type(self) is strategy and len(series.y) == len(history):
            raise RuntimeError("out of memory")
        return original(self, series, horizon, quantiles)

    monkeypatch.setattr(strategy, "forecast", fails_on_the_full_history)
    row = forecasting.run(history, 4, workers=1).selection.iloc[0]
    assert row.fallback and row.model == ranked[0]  # not the failed member again, nor the third best
    assert row.reason == (f"{second} (in {blend}) failed on the final fit (RuntimeError: out of memory): "
                          f"fell back to {ranked[0]}")
