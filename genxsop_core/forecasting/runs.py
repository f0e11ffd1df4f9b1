"""Forecast runs as a service: request, background execution, persistence, audit, recovery.

A run is requested (checked, stored as `queued`, audited), then executed by a worker
process that is detached from the web session: the planner may leave the page or close
the browser. The worker keeps status, progress and a heartbeat on the ForecastRun row; a
run whose worker died is marked failed when anyone next looks, and can be re-run.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess  # nosec B404 # the worker: our own module, fixed argv, no shell
import sys
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.exc import DBAPIError

from genxsop_core import forecasting
from genxsop_core.admin import logs
from genxsop_core.config import load_settings
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import GenXSOPError, InvalidInput, NotFound
from genxsop_core.domain.models import QUANTILE_COLUMNS, ForecastModelScore, ForecastResult, ForecastRun, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import UNFINISHED_RUN, RunStatus
from genxsop_core.forecasting import late_history as late
from genxsop_core.forecasting import run_hierarchy
from genxsop_core.forecasting.frames import MAX_HORIZON
from genxsop_core.persistence.unit_of_work import UnitOfWork

SCOPE_KINDS = ("all", "category", "family", "skus")
QUANTILE_LEVELS: tuple[float, ...] = tuple(int(c[1:]) / 100 for c in QUANTILE_COLUMNS)
HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(seconds=120)

_log = logging.getLogger("genxsop.forecast_runs")
UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class ForecastRequest:
    scope_kind: str = "all"
    scope_values: tuple[str, ...] = ()
    model: str = "auto"
    horizon: int = 26
    late_history: str = late.DEFAULT  # SKUs whose history stops early: "own_end" or "zeros" (late_history.py)

    def scope(self) -> dict:
        return {"kind": self.scope_kind, "values": list(self.scope_values)}


def _check(request: ForecastRequest) -> None:
    if request.scope_kind not in SCOPE_KINDS:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPE_KINDS)}, not {request.scope_kind!r}")
    if request.scope_kind != "all" and not request.scope_values:
        raise InvalidInput(f"choose at least one {request.scope_kind.rstrip('s')} for the scope")
    if not isinstance(request.horizon, int) or not 1 <= request.horizon <= MAX_HORIZON:
        raise InvalidInput(f"horizon must be 1 to {MAX_HORIZON} buckets, not {request.horizon!r}")
    if request.model != "auto":
        reason = forecasting.get_strategy(request.model).availability()  # an unknown model is refused here
        if reason:
            raise InvalidInput(f"model {request.model} is unavailable here: {reason}")
    late.check_choice(request.late_history)


def request_run(uow: UnitOfWork, actor: Actor, request: ForecastRequest) -> int:
    """Check and store a run request (status queued); returns the run id. Does not start it."""
    require(actor, "forecast.run")
    _check(request)
    with uow:
        skus = uow.demand.skus_in_scope(request.scope_kind, request.scope_values)
        if not skus:
            raise InvalidInput(f"the scope {request.scope_kind} {', '.join(request.scope_values)} holds no active SKUs")
        run = ForecastRun(created_by=actor.username, scope=request.scope(), models=[request.model],
                          horizon=request.horizon, quantiles=list(QUANTILE_LEVELS), status=RunStatus.QUEUED,
                          progress_total=len(skus), late_history={"choice": request.late_history})
        uow.forecast_runs.add(run)
        uow.flush()
        uow.publish(RecordChanged(actor.username, action="create", entity="forecast_run", key=str(run.id),
                                  after={"scope": run.scope, "model": request.model, "horizon": request.horizon,
                                         "skus": len(skus), "late_history": request.late_history}))
        uow.commit()
        return run.id


def launch_worker(run_id: int) -> subprocess.Popen:
    """Start `python -m genxsop_core run-forecast ID` in its own session, detached from the app."""
    log_dir = os.environ.get("GENXSOP_LOG_DIR")
    log_file = os.path.join(log_dir, f"forecast-run-{run_id}.log") if log_dir else None
    # the worker gets its own descriptor of the log file: ours is closed once it has started
    with open(log_file, "ab") if log_file else nullcontext(subprocess.DEVNULL) as output:
        return subprocess.Popen([sys.executable, "-m", "genxsop_core", "run-forecast", str(run_id)],  # nosec B603
                                stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True,
                                env={**os.environ, **logs.ids_for_child()})  # its log lines carry our user and session


def start_run(uow_factory: UowFactory, actor: Actor, request: ForecastRequest) -> int:
    """Request a run and hand it to a background worker process."""
    run_id = request_run(uow_factory(), actor, request)
    launch_worker(run_id)
    return run_id


def rerun(uow_factory: UowFactory, actor: Actor, run_id: int) -> int:
    """Start a new run with the same request as an earlier (typically failed) one."""
    with uow_factory() as uow:
        run = uow.forecast_runs.get(run_id)
        if run is None:
            raise NotFound(f"no forecast run {run_id}")
        request = ForecastRequest(run.scope.get("kind", "all"), tuple(run.scope.get("values", [])),
                                  run.models[0], run.horizon, _late_choice(run))
    return start_run(uow_factory, actor, request)


def _late_choice(run: ForecastRun) -> str:
    """The run's choice for SKUs whose history stops early; runs requested before there was one get the default."""
    return str((run.late_history or {}).get("choice", late.DEFAULT))


def _update(uow_factory: UowFactory, run_id: int, **values: object) -> None:
    with uow_factory() as uow:
        run = uow.forecast_runs.get(run_id)
        for field, value in values.items():
            setattr(run, field, value)
        uow.commit()


def _data_hash(history: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(history, index=False).to_numpy().tobytes()).hexdigest()


class _Heartbeat(threading.Thread):
    """Touches the run every few seconds so a long chunk never looks like a dead worker."""

    def __init__(self, uow_factory: UowFactory, run_id: int):
        super().__init__(daemon=True)
        self.uow_factory, self.run_id, self.stopped = uow_factory, run_id, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                _update(self.uow_factory, self.run_id, heartbeat_at=utcnow())
            except Exception:  # noqa: BLE001 - a missed beat is not fatal
                _log.warning("heartbeat of run %s failed", self.run_id, exc_info=True)


def execute_run(uow_factory: UowFactory, run_id: int, workers: int | None = None,
                scheduler: str | None = None) -> None:
    """Do the work of a queued run (called in the worker process). Never raises for data problems:
    a failed run is recorded as failed with its reason. Every log line inside carries the run id."""
    with logs.context(run=run_id):
        _execute_run(uow_factory, run_id, workers, scheduler)


def _execute_run(uow_factory: UowFactory, run_id: int, workers: int | None, scheduler: str | None) -> None:
    settings = load_settings()
    with uow_factory() as uow:
        run = uow.forecast_runs.get(run_id)
        if run is None:
            raise NotFound(f"no forecast run {run_id}")
        if run.status != RunStatus.QUEUED:
            raise InvalidInput(f"run {run_id} is {run.status}, not queued")
        run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, utcnow(), utcnow()
        run.worker = f"{socket.gethostname()}:{os.getpid()}"
        scope, model, horizon, actor = run.scope, run.models[0], run.horizon, run.created_by
        late_choice = _late_choice(run)
        uow.commit()
    _log.info("forecast run %s started by %s", run_id, actor, extra={"model": model, "horizon": horizon,
                                                                   "scope": scope, "worker": run.worker})
    heartbeat = _Heartbeat(uow_factory, run_id)
    heartbeat.start()
    timings: dict[str, float] = {}
    try:
        started = time.perf_counter()
        with uow_factory() as uow:
            skus = uow.demand.skus_in_scope(scope.get("kind", "all"), scope.get("values", []))
            history = uow.demand.history(skus)
            promotions = uow.demand.planned_promotions(skus)
        timings["load_s"] = round(time.perf_counter() - started, 3)
        if history.empty:
            raise InvalidInput("no demand history for the SKUs in scope")

        def progress(done: int, total: int) -> None:
            _update(uow_factory, run_id, progress_done=done, progress_total=total, heartbeat_at=utcnow())

        started = time.perf_counter()
        output = forecasting.run(
            history, horizon, model, QUANTILE_LEVELS, future_promo=promotions,
            workers=workers or settings.forecast_workers, scheduler=scheduler or settings.dask_scheduler,
            progress=progress, heavy_max_series=settings.auto_heavy_max_skus, late_history=late_choice)
        timings["forecast_s"] = round(time.perf_counter() - started, 3)
        _update(uow_factory, run_id, late_history=late.run_record(late_choice, output.stopped_early, history.ds.max()))
        started = time.perf_counter()
        with uow_factory() as uow:
            products = uow.demand.hierarchy()
        reconciled = run_hierarchy.reconcile_or_keep(
            history, products, output, horizon, QUANTILE_LEVELS, model=model,
            workers=workers or settings.forecast_workers, scheduler=scheduler or settings.dask_scheduler,
            heavy_max_series=settings.auto_heavy_max_skus)
        output = reconciled.output  # the SKUs' reconciled forecasts: they add up to the nodes' (docs/forecasting.md)
        timings["reconcile_s"] = round(time.perf_counter() - started, 3)
        _save(uow_factory, run_id, actor, output, reconciled.nodes, _data_hash(history), timings)
        _log.info("forecast run %s done: %d SKUs in %.1f s", run_id, len(output.selection), timings["forecast_s"],
                  extra={"skus": len(output.selection), **timings})
    except Exception as error:  # noqa: BLE001 - the run records why it failed
        _log.exception("forecast run %s failed", run_id)
        _update(uow_factory, run_id, status=RunStatus.FAILED, finished_at=utcnow(), error=_reason(error))
    finally:
        heartbeat.stopped.set()


def _reason(error: BaseException) -> str:
    """Why a run failed, in a sentence the Run history shows the planner: our own errors already are
    one; a database error gives its own message (not the statement and its rows); anything else is
    named as unexpected, with the exception's type kept in brackets for whoever reads the log."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        return f"the database stopped the run: {error.orig} ({type(error.orig).__name__})"
    if isinstance(error, GenXSOPError):
        return str(error)
    if isinstance(error, MemoryError):
        return f"the machine ran out of memory ({type(error).__name__}: {error}); try fewer SKUs or one model"
    return f"stopped on an unexpected error: {error} ({type(error).__name__}); the application log has the details"


def _save(uow_factory: UowFactory, run_id: int, actor: str, output: forecasting.ForecastOutput,
          nodes: pd.DataFrame, data_hash: str, timings: dict[str, float]) -> None:
    """Results, reconciled node forecasts, scores and the run's completion: one transaction."""
    started = time.perf_counter()
    with uow_factory() as uow:
        ids = uow.products.ids_by_sku()
        forecasts = output.forecasts
        rows = [{"run_id": run_id, "product_id": ids[r.unique_id], "period": r.ds.date(), "model": r.model,
                 "window": None, "mean": float(r.mean), **{q: float(getattr(r, q)) for q in QUANTILE_COLUMNS}}
                for r in forecasts.itertuples(index=False)]
        backtests = output.backtests
        rows += [{"run_id": run_id, "product_id": ids[b.unique_id], "period": b.ds.date(), "model": b.model,
                  "window": int(b.window), "mean": float(b.mean), **dict.fromkeys(QUANTILE_COLUMNS)}
                 for b in backtests.itertuples(index=False)]
        uow.tables.insert_many(ForecastResult, rows)
        uow.forecast_runs.add_node_results(run_id, nodes)
        reasons = dict(zip(output.selection.unique_id, output.selection.reason))
        scores = output.scores.replace({np.nan: None})
        uow.tables.insert_many(ForecastModelScore, [
            {"run_id": run_id, "product_id": ids[s.unique_id], "model": s.model, "mae": s.mae, "rmse": s.rmse,
             "wape": s.wape, "smape": s.smape, "mase": s.mase, "bias": s.bias, "chosen": bool(s.chosen),
             "reason": reasons[s.unique_id] if s.chosen else ""} for s in scores.itertuples(index=False)])
        unscored = set(output.selection.unique_id) - set(scores.unique_id[scores.chosen.astype(bool)])
        uow.tables.insert_many(ForecastModelScore, [
            {"run_id": run_id, "product_id": ids[s.unique_id], "model": s.model, "chosen": True, "reason": s.reason}
            for s in output.selection.itertuples(index=False) if s.unique_id in unscored])
        run = uow.forecast_runs.get(run_id)
        if run is None:  # deleted while it ran
            raise NotFound(f"no forecast run {run_id}")
        timings["save_s"] = round(time.perf_counter() - started, 3)
        run.status, run.finished_at, run.data_hash = RunStatus.DONE, utcnow(), data_hash
        run.progress_done = run.progress_total = len(output.selection)
        run.timings = timings
        run.models = [run.models[0], *sorted(set(output.scores.model) | set(output.selection.model))]
        uow.publish(RecordChanged(actor, action="complete", entity="forecast_run", key=str(run_id),
                                  before={"status": RunStatus.RUNNING},
                                  after={"status": RunStatus.DONE, "skus": len(output.selection), "timings": timings,
                                         "fallbacks": int(output.selection.fallback.sum()),
                                         "reconciled_nodes": int(nodes[["level", "node"]].drop_duplicates().shape[0])}))
        uow.commit()


def _pid_alive(worker: str | None) -> bool:
    if not worker or ":" not in worker:
        return False
    host, pid = worker.rsplit(":", 1)
    if host != socket.gethostname():
        return True  # another machine's worker: only the heartbeat can tell
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def _why_gone(run: ForecastRun, now: datetime) -> str | None:
    """Why the run's worker is gone (process dead, or no heartbeat for too long); None while it may be working."""
    if run.status not in UNFINISHED_RUN:
        return None
    beat = run.heartbeat_at or run.created_at
    beat = beat if beat.tzinfo else beat.replace(tzinfo=now.tzinfo)
    if run.status == RunStatus.RUNNING and not _pid_alive(run.worker):
        return "the worker process stopped before finishing"
    if now - beat > STALE_AFTER:
        return f"no sign of life from the worker for {int((now - beat).total_seconds())} s"
    return None


def reap_dead_runs(uow_factory: UowFactory) -> list[int]:
    """Mark failed the runs whose worker is gone.

    A worker that commits its results and exits just after the run was read looks dead: the run is
    read again, its row locked, before it is marked, so a finished run is never turned into a failed one.
    """
    now = utcnow()
    reaped = []
    with uow_factory() as uow:
        for run in uow.forecast_runs.unfinished():
            if _why_gone(run, now) is None:
                continue
            uow.forecast_runs.lock(run)
            error = _why_gone(run, now)
            if error is None:
                continue
            run.status, run.finished_at, run.error = RunStatus.FAILED, now, error
            uow.publish(RecordChanged("system", action="fail", entity="forecast_run", key=str(run.id),
                                      before={"status": RunStatus.RUNNING},
                                      after={"status": RunStatus.FAILED, "error": run.error}))
            reaped.append(run.id)
        uow.commit()
    return reaped
