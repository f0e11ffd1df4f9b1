"""What the bench scripts share: a seeded demo database, median timings, a signed-in AppTest."""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from genxsop_core.bootstrap import prepare_database
from genxsop_core.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def seeded(url: str) -> None:
    start = time.perf_counter()
    prepare_database(replace(load_settings(), database_url=url, demo=True, bucket="week"))
    print(f"seed demo with planning history: {time.perf_counter() - start:.1f} s")


def median_seconds(action: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def runs_text(runs: list[float]) -> str:
    return ", ".join(f"{r:.2f}" for r in runs)


def signed_in_app(url: str, username: str, name: str, role: str):  # noqa: ANN201 - AppTest imported lazily
    """The app in AppTest on `url`, as the demo user of `role` after login."""
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest outside a server warns of a missing ScriptRunContext on every run

    os.environ.update(GENXSOP_DATABASE_URL=url, GENXSOP_DEMO="1", GENXSOP_BUCKET="week")
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    for key, value in {"authentication_status": True, "username": username, "name": name, "roles": [role],
                       "logout": False}.items():
        at.session_state[key] = value
    return at.run()


Step = Callable[[str, int], None]


def run_on_demo(description: str, sqlite_steps: list[Step], postgres_steps: list[Step]) -> None:
    """Seed a fresh SQLite demo and run the steps on it; with --postgres URL, seed that (empty)
    database and run the PostgreSQL steps too. Each step gets (url, repeats)."""
    import argparse
    import tempfile

    from genxsop_core.persistence.db import get_engine

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--postgres", help="also run on this (empty) PostgreSQL database URL")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print("== SQLite ==")
        seeded(url)
        for step in sqlite_steps:
            step(url, args.repeats)
        get_engine(url).dispose()
    if args.postgres:
        print("== PostgreSQL ==")
        seeded(args.postgres)
        for step in postgres_steps:
            step(args.postgres, args.repeats)
