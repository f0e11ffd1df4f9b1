"""Foundation figures: demo seeding, import throughput, re-import (no-op) and export.

Run: .venv/bin/python bench/foundation.py [--postgres URL]
Prints seconds per step; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from genxsop_core.bootstrap import SYSTEM, seed_demo
from genxsop_core.demo import company as demo
from genxsop_core.io import exporter, importer
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork


@contextmanager
def timed(label: str):
    start = time.perf_counter()
    yield
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")


def run(url: str) -> None:
    print(f"database: {url.split('@')[-1]}")
    with timed("migrate empty database"):
        upgrade_database(url)
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    with timed("build demo data (pure pandas)"):
        frames = demo.build_demo_data()
    with timed("seed demo (validate + insert all kinds)"):
        seed_demo(uow(), SYSTEM, "week")
    csv = exporter.to_csv_bytes(frames["demand"])
    with timed(f"re-import demand, unchanged ({len(frames['demand']):,} rows)"):
        importer.import_file(uow(), SYSTEM, "demand", "demand.csv", csv)
    changed = frames["demand"].assign(ordered_qty=frames["demand"].ordered_qty + 1)
    with timed("re-import demand, every row changed"):
        importer.import_file(uow(), SYSTEM, "demand", "demand.csv", exporter.to_csv_bytes(changed))
    with timed("export demand to xlsx"):
        exporter.encode(exporter.export_frame(uow(), "demand"), "xlsx", "Demand")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run against this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.db'}")
    if args.postgres:
        run(args.postgres)
