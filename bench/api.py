"""Integration API figures against a real uvicorn server on PostgreSQL, beside the targets of issue 19.

Run: .venv/bin/python bench/api.py [--skus 5000] [--history-weeks 56] [--post-rows 100000] [--clients 20]
     [--requests 50] [--repeats 3] [--postgres-admin URL]

1. A fresh, uniquely named PostgreSQL database (bench/scale.py's `fresh_database`, dropped at the
   end), migrated; the company of bench/scale_data.py (the demo's generators scaled to `--skus`)
   with `--history-weeks` of actuals imported through the importer (CSV, as scale.py does).
2. A consensus plan of every SKU x 52 weeks, inserted by the plan service (`demand.plans.insert_version`)
   from a seasonal naive statistical forecast (last year's week), so no forecast run is needed.
3. `python -m genxsop_core serve-api --workers N` on 127.0.0.1 (uvicorn; `--workers`, default 2, one
   per core), an API key per use (a viewer reads, a demand planner posts), all calls over HTTP with httpx.
4. Pull the plan: `GET /demand/plans/{id}/rows` as Parquet, as CSV, and the first JSON page of 10,000 rows
   (each page reads the plan again, so paging through it costs that many reads).
5. Post the `--post-rows` actual rows of the weeks after the history (100,000: about 20 weeks) in one
   `POST /demand/actuals`, then the same rows again (validated, nothing written).
6. `--clients` threads, each with its own connection, reading one SKU's plan (52 rows) `--requests`
   times, with no pause between requests: latency percentiles, throughput, and the CPU each request
   cost the server's processes, PostgreSQL and this client (all on the same machine), against a
   server of 1 process and one of `--workers` processes.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import socket
import statistics
import subprocess  # nosec B404 # the server under test: our own module, fixed argv
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pandas as pd
import psutil
from common import median_seconds, runs_text
from scale import ADMIN_URL, fresh_database, uow_factory
from scale_data import build_scaled_data, describe

from genxsop_core.admin import api_keys
from genxsop_core.api.schemas import parquet_bytes, rows
from genxsop_core.bootstrap import SYSTEM
from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.periods import bucket_start
from genxsop_core.domain.states import PlanKind
from genxsop_core.io import exporter, importer
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.plans.versions import plan_rows

PLAN_WEEKS = 52
PAGE_ROWS = 10_000
TARGETS = {"pull": 2.0, "post": 10.0, "p50": 0.050}  # seconds: issue 19


def split_weeks(demand: pd.DataFrame, history_weeks: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first `history_weeks` weeks of actuals (imported) and the rest (posted through the API)."""
    first = sorted(demand.period.unique())[:history_weeks]
    held = demand.period.isin(first)
    return demand[held].reset_index(drop=True), demand[~held].reset_index(drop=True)


def load_company(url: str, frames: dict[str, pd.DataFrame], history: pd.DataFrame) -> None:
    """Import the products and the history, through the importer as a file (as bench/scale.py does)."""
    for kind, frame in (("products", frames["products"]), ("demand", history)):
        start = time.perf_counter()
        result = importer.import_file(uow_factory(url)(), SYSTEM, kind, f"{kind}.csv", exporter.to_csv_bytes(frame))
        print(f"import {kind}: {result.rows:,} rows in {time.perf_counter() - start:.1f} s", flush=True)


def seasonal_plan(history: pd.DataFrame, skus: list[str]) -> pd.DataFrame:
    """sku, period, statistical for every SKU and the 52 weeks after the history: each SKU's week of the
    year before (the seasonal naive forecast), 0 where a new SKU has no such week."""
    weeks = pd.to_datetime(history.period)
    last = weeks.max()
    recent = history.assign(period=weeks + timedelta(weeks=PLAN_WEEKS))[weeks > last - timedelta(weeks=PLAN_WEEKS)]
    grid = pd.MultiIndex.from_product([skus, pd.date_range(last + timedelta(weeks=1), periods=PLAN_WEEKS, freq="7D")],
                                      names=["sku", "period"])
    statistical = recent.set_index(["sku", "period"]).ordered_qty.astype(float).reindex(grid, fill_value=0.0)
    return statistical.rename("statistical").reset_index()


def create_plan(url: str, plan: pd.DataFrame) -> int:
    start = time.perf_counter()
    with uow_factory(url)() as uow:
        version_id = demand_plans.insert_version(uow, SYSTEM, plan, bucket_start(plan.period.min().date(), "month"),
                                                 "Bench consensus", None)
        uow.commit()
    print(f"consensus plan {version_id}: {len(plan):,} rows in {time.perf_counter() - start:.1f} s", flush=True)
    return version_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def api_server(url: str, workers: int) -> Iterator[tuple[str, psutil.Process]]:
    """`python -m genxsop_core serve-api --workers N` on a free port; its base URL and process until the
    block ends."""
    port = free_port()
    env = {**os.environ, "GENXSOP_DATABASE_URL": url, "GENXSOP_DEMO": "0",
           "GENXSOP_API_SECRET": secrets.token_urlsafe(32)}
    server = subprocess.Popen([sys.executable, "-m", "genxsop_core", "serve-api", "--port", str(port),  # nosec B603
                               "--workers", str(workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve-api did not answer on port {port} (exit code {server.poll()})")
            time.sleep(0.3)
        yield base, psutil.Process(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def pull_plan(base: str, key: str, version_id: int, repeats: int) -> dict[str, tuple[float, list[float], str]]:
    headers = {"X-API-Key": key}
    path = f"{base}/demand/plans/{version_id}/rows"
    figures = {}
    with httpx.Client(headers=headers, timeout=120) as client:
        for file_type in ("parquet", "csv"):
            sizes = []

            def pull(file_type: str = file_type, sizes: list = sizes) -> None:
                answer = client.get(path, params={"format": file_type})
                answer.raise_for_status()
                sizes.append(len(answer.content))
            median, runs = median_seconds(pull, repeats)
            figures[file_type] = (median, runs, f"{sizes[-1] / 1e6:.1f} MB")
        pages = []

        def first_page() -> None:
            answer = client.get(path, params={"limit": PAGE_ROWS})
            answer.raise_for_status()
            body = answer.json()
            pages.append(f"one page of {len(body['items']):,} of {body['total']:,} rows")
        median, runs = median_seconds(first_page, repeats)
        figures["json"] = (median, runs, pages[-1])
    return figures


def post_actuals(base: str, key: str, rows: pd.DataFrame) -> list[tuple[str, float, str]]:
    body = {"rows": rows.assign(period=pd.to_datetime(rows.period).dt.strftime("%Y-%m-%d")).to_dict("records")}
    figures = []
    with httpx.Client(headers={"X-API-Key": key}, timeout=300) as client:
        for label in ("new rows", "the same rows again"):
            start = time.perf_counter()
            answer = client.post(f"{base}/demand/actuals", json=body)
            seconds = time.perf_counter() - start
            answer.raise_for_status()
            figures.append((label, seconds, answer.json()["message"]))
    return figures


def concurrent_reads(base: str, key: str, version_id: int, skus: list[str], clients: int,
                     requests: int) -> tuple[list[float], float]:
    """Each client reads one SKU's plan `requests` times on its own connection; latencies and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    path = f"{base}/demand/plans/{version_id}/rows"

    def client_loop(index: int) -> None:
        mine = []
        with httpx.Client(headers={"X-API-Key": key}, timeout=60) as client:
            for i in range(requests):
                sku = skus[(index * requests + i) % len(skus)]
                start = time.perf_counter()
                answer = client.get(path, params={"level": "sku", "key": sku, "limit": PLAN_WEEKS})
                mine.append(time.perf_counter() - start)
                answer.raise_for_status()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start


def cpu_seconds(server: psutil.Process) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, PostgreSQL's and this one (the clients)."""
    def used(processes: list[psutil.Process]) -> float:
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                total += sum(process.cpu_times()[:2])
        return total
    postgres = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres")]
    return {"server": used([server, *server.children(recursive=True)]), "postgres": used(postgres),
            "client": time.process_time()}


@dataclass
class SmallReads:
    alone: list[float]  # latencies of one client alone
    latencies: list[float]  # of every client at once
    wall: float
    cpu: dict[str, float]  # seconds per request at once: server, postgres, client


def small_reads(url: str, key: str, version_id: int, skus: list[str], workers: int, clients: int,
                requests: int) -> SmallReads:
    """One client alone, then `clients` at once, against a server of `workers` processes."""
    with api_server(url, workers) as (base, server):
        concurrent_reads(base, key, version_id, skus, clients, 2)  # warm up every process and connection
        alone, _ = concurrent_reads(base, key, version_id, skus, 1, requests)
        before = cpu_seconds(server)
        latencies, wall = concurrent_reads(base, key, version_id, skus, clients, requests)
        after = cpu_seconds(server)
    return SmallReads(alone, latencies, wall, {part: (after[part] - before[part]) / len(latencies) for part in before})


def where_the_pull_goes(url: str, version_id: int) -> list[tuple[str, float]]:
    """The plan pull's steps in this process, without HTTP: read the rows into a frame (plans.versions.plan_rows),
    encode them as Parquet, as CSV, and 10,000 of them as JSON values (api.schemas)."""
    start = time.perf_counter()
    frame = plan_rows(uow_factory(url)(), PlanKind.DEMAND, version_id)
    steps = [("read the plan into a frame (plan_rows)", time.perf_counter() - start)]
    for label, encode in (("encode Parquet", parquet_bytes), ("encode CSV (exporter)", exporter.to_csv_bytes),
                          (f"{PAGE_ROWS:,} rows as JSON values", lambda f: rows(f.head(PAGE_ROWS)))):
        start = time.perf_counter()
        encode(frame)
        steps.append((label, time.perf_counter() - start))
    return steps


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--history-weeks", type=int, default=56, help="weeks of actuals imported first (>= 52)")
    parser.add_argument("--post-rows", type=int, default=100_000, help="actual rows posted through the API in one call")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="small reads per client")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="server processes (the small reads also run on 1)")
    parser.add_argument("--postgres-admin", default=ADMIN_URL)
    args = parser.parse_args()
    post_weeks = -(-args.post_rows // args.skus) + 2  # new SKUs have no rows before their launch
    frames = build_scaled_data(args.skus, args.history_weeks + post_weeks)
    print(describe(frames), flush=True)
    with fresh_database(args.postgres_admin) as url:
        upgrade_database(url)
        history, later = split_weeks(frames["demand"], args.history_weeks)
        later = later.sort_values(["period", "sku"]).head(args.post_rows)
        load_company(url, frames, history)
        version_id = create_plan(url, seasonal_plan(history, sorted(frames["products"].sku)))
        viewer = api_keys.create_key(uow_factory(url)(), SYSTEM, "bench-bi", "viewer").key
        poster = api_keys.create_key(uow_factory(url)(), SYSTEM, "bench-erp", "demand_planner").key
        with api_server(url, args.workers) as (base, _server):
            pulled = pull_plan(base, viewer, version_id, args.repeats)
            posted = post_actuals(base, poster, later)
        skus = sorted(frames["products"].sku)
        reads = {workers: small_reads(url, viewer, version_id, skus, workers, args.clients, args.requests)
                 for workers in sorted({1, args.workers})}
        steps = where_the_pull_goes(url, version_id)
    plan_rows = args.skus * PLAN_WEEKS
    print(f"\nIntegration API, {args.skus:,} SKUs, PostgreSQL, uvicorn ({args.workers} processes) on 127.0.0.1; "
          f"median of {args.repeats} where repeated; load average at the end "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'measure':<64} {'target':>8} {'measured':>10}  met  detail")
    for file_type, (median, runs, size) in pulled.items():
        print(f"{f'pull the consensus plan ({plan_rows:,} rows), {file_type}':<64} {TARGETS['pull']:>7.1f}s "
              f"{median:>9.2f}s  {'yes' if median < TARGETS['pull'] else 'NO ':<4} {size}; runs {runs_text(runs)}")
    print("  where the pull's time goes (in process, no HTTP): " + "; ".join(f"{label} {seconds:.2f} s"
                                                                            for label, seconds in steps))
    for label, seconds, message in posted:
        print(f"{f'post {len(later):,} actual rows, {label}':<64} {TARGETS['post']:>7.1f}s {seconds:>9.2f}s  "
              f"{'yes' if seconds < TARGETS['post'] else 'NO ':<4} {message}")
    for workers, read in reads.items():
        alone, latencies, wall = read.alone, read.latencies, read.wall
        print(f"{f'one SKU plan, 1 client, {workers} process(es), p50 (no queueing)':<64} {'':>8} "
              f"{percentile(alone, 0.5) * 1000:>8.1f}ms       p95 {percentile(alone, 0.95) * 1000:.1f} ms")
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        print(f"{f'one SKU plan ({PLAN_WEEKS} rows), {args.clients} clients, {workers} process(es), p50':<64} "
              f"{TARGETS['p50'] * 1000:>6.0f}ms {p50 * 1000:>8.1f}ms  {'yes' if p50 < TARGETS['p50'] else 'NO ':<4} "
              f"p95 {p95 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
              f"mean {statistics.mean(latencies) * 1000:.1f} ms; {len(latencies):,} requests in {wall:.1f} s = "
              f"{len(latencies) / wall:.0f}/s")
        print("  CPU per request: " + ", ".join(f"{part} {sec * 1000:.2f} ms" for part, sec in read.cpu.items()))


if __name__ == "__main__":
    main()
