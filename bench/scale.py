"""Scale figures: 5,000 SKUs x 3 years weekly on PostgreSQL, from import to rendered pages.

Run: .venv/bin/python bench/scale.py [--skus 5000] [--weeks 156] [--quick] [--skip-dask]
     [--model seasonal_naive] [--horizon 26] [--workers 2] [--postgres-admin URL] [--repeats 3]

1. Data: the demo company's generators scaled up (bench/scale_data.py: trend, seasonality,
   promotions, noise, ~10 % intermittent and ~8 % new SKUs; routings, stock counts, supply).
2. A fresh, uniquely named PostgreSQL database (dropped at the end, also after an error),
   migrated with `upgrade_database`.
3. Imports through the real `import_file` service (CSV bytes: read, validate, upsert, audit;
   one transaction each), every kind in import order, then the demand file once more unchanged.
4. A forecast run (request_run + execute_run, the code the background worker runs) over every
   SKU: local worker processes, then over a 2-worker Dask LocalCluster on 127.0.0.1 (worker
   processes, 1 thread each, TCP). Wall time and the run's own load / forecast / save split.
5. A draft consensus plan from the local run and a draft supply plan for it (the services).
6. Pages in Streamlit's AppTest against that database, signed in as admin, each in a new
   session: the first render (the Dashboard's is the process's very first: imports and cold
   caches; later pages find the caches the earlier sessions filled, as on a server) and the
   median of `repeats` reruns after it.
7. Memory: peak summed RSS of this process and its children (local workers, Dask nanny and
   worker processes) per step, sampled every 0.25 s with psutil, and ru_maxrss.
The default model is seasonal_naive, the fastest strategy that forecasts seasonal demand: on
this 2-core machine (shared with other test runs, load average 3-5) auto over 5,000 SKUs took
1,674 s (forecast 1,554 s = 3.2 SKUs/s, save 109 s) with 2 local processes, far beyond a bench
run; `--model auto` measures it again.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import secrets
import signal
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pandas as pd
import sqlalchemy as sa
from scale_data import build_scaled_data, describe

from genxsop_core.admin import users
from genxsop_core.bootstrap import SYSTEM
from genxsop_core.demand import plans as demand_plans
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import IMPORT_ORDER
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.supply import plans as supply_plans

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PAGES = (("Dashboard", None), ("Demand review", "../pages/demand.py"), ("Supply review", "../pages/supply.py"),
         ("Inventory", "../pages/inventory.py"), ("KPIs", "../pages/kpis.py"))
GIB = 1024 ** 3
DEFAULT_MODEL = "seasonal_naive"  # auto over 5,000 SKUs took 28 minutes here (docstring)


@dataclass
class Row:
    step: str
    seconds: float | None
    rows: int | None = None
    peak_rss: int = 0
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        rate = f", {row.rows / row.seconds:,.0f} rows/s" if row.rows and row.seconds else ""
        took = "-" if row.seconds is None else f"{row.seconds:.2f} s"
        print(f"  {row.step}: {took}{rate}{'; ' + row.note if row.note else ''}", flush=True)

    def markdown(self) -> str:
        lines = ["| step | rows | seconds | rows/s | peak RSS, process tree | note |",
                 "| --- | ---: | ---: | ---: | ---: | --- |"]
        for r in self.rows:
            rate = f"{r.rows / r.seconds:,.0f}" if r.rows and r.seconds else ""
            lines.append(f"| {r.step} | {'' if r.rows is None else f'{r.rows:,}'} | "
                         f"{'' if r.seconds is None else f'{r.seconds:.2f}'} | {rate} | "
                         f"{f'{r.peak_rss / GIB:.2f} GiB' if r.peak_rss else ''} | {r.note} |")
        return "\n".join(lines)


def tree_rss() -> int:
    """Summed RSS of this process and all its descendants (shared pages counted in each: an upper bound)."""
    import psutil

    me, total = psutil.Process(), 0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


class PeakRss:
    """Samples `tree_rss` every 0.25 s while the block runs; `.peak` afterwards (0 without psutil)."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        try:
            import psutil  # noqa: F401
            self._enabled = True
        except ImportError:
            self._enabled = False

    def _watch(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss())
            if self._stop.wait(0.25):
                return

    def __enter__(self) -> Self:
        if self._enabled:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, tree_rss())


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, uniquely named database; dropped on the way out whatever happened."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"genxsop_scale_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    print(f"database {name} created", flush=True)
    try:
        yield url
    finally:
        with contextlib.suppress(Exception):
            get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        print(f"database {name} dropped", flush=True)


def uow_factory(url: str) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(get_session_factory(url))


def import_all(url: str, frames: dict[str, pd.DataFrame], report: Report) -> None:
    for kind in IMPORT_ORDER:
        content = exporter.to_csv_bytes(frames[kind])
        with PeakRss() as peak:
            start = time.perf_counter()
            result = importer.import_file(uow_factory(url)(), SYSTEM, kind, f"{kind}.csv", content)
            seconds = time.perf_counter() - start
        report.add(Row(f"import {kind} (CSV, {len(content) / 1e6:.1f} MB)", seconds, result.rows, peak.peak,
                       f"{result.inserted:,} new"))
    content = exporter.to_csv_bytes(frames["demand"])
    with PeakRss() as peak:
        start = time.perf_counter()
        result = importer.import_file(uow_factory(url)(), SYSTEM, "demand", "demand.csv", content)
        seconds = time.perf_counter() - start
    report.add(Row("re-import demand, unchanged", seconds, result.rows, peak.peak,
                   f"{result.unchanged:,} unchanged, {result.inserted + result.updated} written"))


def forecast(url: str, model: str, horizon: int, label: str, report: Report, workers: int | None = None,
             scheduler: str | None = None) -> int | None:
    """One run through the run service, as the background worker does it; returns the run id if done."""
    factory = uow_factory(url)
    run_id = forecast_runs.request_run(factory(), SYSTEM, forecast_runs.ForecastRequest("all", (), model, horizon))
    with PeakRss() as peak:
        start = time.perf_counter()
        forecast_runs.execute_run(factory, run_id, workers=workers, scheduler=scheduler)
        seconds = time.perf_counter() - start
    with factory() as uow:
        run = uow.forecast_runs.get(run_id)
        status, error, timings, skus = run.status, run.error, dict(run.timings or {}), run.progress_total
    if status != "done":
        report.problems.append(f"{label}: run {run_id} {status}: {error}")
        report.add(Row(label, seconds, None, peak.peak, f"FAILED: {error}"))
        return None
    split = ", ".join(f"{k.removesuffix('_s')} {v:.1f} s" for k, v in timings.items())
    report.add(Row(label, seconds, skus, peak.peak, f"{model}, horizon {horizon}; {split}; rows = SKUs"))
    return run_id


def forecast_on_dask(url: str, model: str, horizon: int, report: Report) -> None:
    try:
        from distributed import LocalCluster
    except ImportError:
        report.problems.append("dask.distributed not installed: Dask run skipped")
        return
    with PeakRss() as peak:
        start = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               protocol="tcp", dashboard_address=None, silence_logs=40)
        seconds = time.perf_counter() - start
    try:
        report.add(Row("start Dask LocalCluster (2 worker processes, 1 thread each)", seconds, None, peak.peak,
                       cluster.scheduler_address))
        forecast(url, model, horizon, "forecast run over Dask (2 workers)", report, scheduler=cluster.scheduler_address)
        with contextlib.suppress(Exception):
            from distributed import Client

            with Client(cluster) as client:
                worker_peak = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
            report.add(Row("Dask workers' own ru_maxrss", None, None, 0, ", ".join(
                f"{rss / GIB:.2f} GiB" for rss in worker_peak.values())))
    finally:
        cluster.close()


def plans(url: str, run_id: int, report: Report) -> None:
    factory = uow_factory(url)
    with factory() as uow:
        last = uow.demand.history(uow.demand.skus_in_scope("all", [])).ds.max()
    month = (last + pd.Timedelta(days=7)).to_period("M").to_timestamp().date()
    with PeakRss() as peak:
        start = time.perf_counter()
        demand_id = demand_plans.create_version(factory(), SYSTEM, run_id, month)
        seconds = time.perf_counter() - start
    report.add(Row("create draft consensus plan from the run", seconds, None, peak.peak, f"version {demand_id}"))
    with PeakRss() as peak:
        start = time.perf_counter()
        supply_id = supply_plans.create_version(factory(), SYSTEM, demand_id)
        seconds = time.perf_counter() - start
    report.add(Row("create draft supply plan for it", seconds, None, peak.peak, f"version {supply_id}"))


def render_pages(url: str, repeats: int, report: Report) -> None:
    """The pages' scripts in AppTest, as the admin after login (the session state the login leaves)."""
    from streamlit.logger import set_log_level

    set_log_level("error")  # AppTest outside a server warns of a missing ScriptRunContext on every run
    users.add_user(uow_factory(url)(), SYSTEM, "admin", "Alex Admin", secrets.token_urlsafe(16), ["admin"])
    os.environ.update(GENXSOP_DATABASE_URL=url, GENXSOP_DEMO="0", GENXSOP_BUCKET="week",
                      GENXSOP_COOKIE_KEY=secrets.token_urlsafe(32))
    for title, script in PAGES:
        step(report, f"page {title}", render_page, title, script, repeats, report)


def render_page(title: str, script: str | None, repeats: int, report: Report) -> None:
    """One page in a new session: its first render, then `repeats` reruns."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=900)
    for key, value in {"authentication_status": True, "username": "admin", "name": "Alex Admin",
                       "roles": ["admin"], "logout": False}.items():
        at.session_state[key] = value
    with PeakRss() as peak:
        start = time.perf_counter()
        at.run()  # lands on the Dashboard, like a browser after sign-in
        first = time.perf_counter() - start
        if script:
            at.switch_page(script)
            start = time.perf_counter()
            at.run()
            first = time.perf_counter() - start
        reruns = []
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - start)
    failure = "; ".join(str(e.value)[:200] for e in at.exception)
    errors = "; ".join(str(e.value)[:200] for e in at.error)
    if failure or errors:
        report.problems.append(f"page {title}: {failure or errors}")
    shown = [t.value for t in at.title]
    note = (f"first {first:.2f} s, reruns {', '.join(f'{r:.2f}' for r in reruns)}"
            + ("" if title in shown else f"; title not shown (titles {shown})")
            + (f"; EXCEPTION {failure}" if failure else "") + (f"; st.error {errors}" if errors else ""))
    report.add(Row(f"page {title}: rerun, median of {repeats} (AppTest)", statistics.median(reruns), None,
                   peak.peak, note))


def step(report: Report, label: str, action: Callable[..., object], *args: object) -> None:
    """Run one optional step; a failure is reported and the bench goes on to the next."""
    try:
        action(*args)
    except Exception as error:  # noqa: BLE001 - a failed step is a finding, not the end of the run
        report.problems.append(f"{label} failed: {type(error).__name__}: {str(error).splitlines()[0][:300]}")
        print(f"  {label} FAILED: {error}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--quick", action="store_true", help="300 SKUs (a few minutes; CI)")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"forecast model of both runs (default {DEFAULT_MODEL}; auto: see the module docstring)")
    parser.add_argument("--horizon", type=int, default=26)
    parser.add_argument("--workers", type=int, default=2, help="local worker processes of the local run")
    parser.add_argument("--repeats", type=int, default=3, help="page reruns timed after the first render")
    parser.add_argument("--postgres-admin", default=os.environ.get("GENXSOP_TEST_POSTGRES_URL", ADMIN_URL),
                        help="URL of a database where CREATE/DROP DATABASE may run")
    args = parser.parse_args()
    if args.quick:
        args.skus = min(args.skus, 300)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on `kill` too
    os.environ["GENXSOP_BUCKET"] = "week"
    report = Report()
    started = time.perf_counter()
    print(f"load average at start (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs", flush=True)

    start = time.perf_counter()
    frames = build_scaled_data(args.skus, args.weeks)
    report.add(Row("generate data (numpy/pandas)", time.perf_counter() - start, len(frames["demand"]), 0,
                   describe(frames)))
    try:
        with fresh_database(args.postgres_admin) as url:
            os.environ["GENXSOP_DATABASE_URL"] = url  # import_file and the run service read the settings
            with PeakRss() as peak:
                start = time.perf_counter()
                upgrade_database(url)
                report.add(Row("migrate empty database", time.perf_counter() - start, None, peak.peak))
            import_all(url, frames, report)
            del frames
            run_id = forecast(url, args.model, args.horizon, f"forecast run, local ({args.workers} processes)",
                              report, workers=args.workers)
            if not args.skip_dask:
                step(report, "Dask run", forecast_on_dask, url, args.model, args.horizon, report)
            if run_id is not None:
                step(report, "plans", plans, url, run_id, report)
            render_pages(url, args.repeats, report)
    finally:  # what was measured is printed even when a step failed
        own, children = (resource.getrusage(who).ru_maxrss * 1024
                         for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        print(f"\n## Scale: {args.skus:,} SKUs x {args.weeks} weeks, PostgreSQL, {os.cpu_count()} CPUs\n")
        print(report.markdown())
        print(f"\nru_maxrss: this process {own / GIB:.2f} GiB, largest reaped child (local or Dask worker) "
              f"{children / GIB:.2f} GiB")
        print(f"total {time.perf_counter() - started:.0f} s; load average at end (1, 5, 15 min): "
              f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}")
        if report.problems:
            print("\nproblems:\n" + "\n".join(f"- {p}" for p in report.problems))


if __name__ == "__main__":
    main()
