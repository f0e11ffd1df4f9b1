"""Demand review figures: page render time after warm-up, and saving a 200-cell override edit.

Run: .venv/bin/python bench/demand_review.py [--postgres URL] [--repeats 7]
1. The Demand review page in Streamlit's AppTest (the same script run a browser session runs,
   without the websocket and the browser's drawing), signed in as the demo demand planner,
   drilled to the largest demo family and to the largest category: median of `repeats`
   reruns after two warm-up runs.
2. save_overrides with 200 SKU-period cells (20 SKUs x 10 weeks of the current draft), each
   with its lock token, reason and comment: median of `repeats` saves, on SQLite and, with
   --postgres, on that (empty) PostgreSQL database.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from genxsop_core import demand_plans, demand_views
from genxsop_core.bootstrap import prepare_database
from genxsop_core.config import load_settings
from genxsop_core.db import get_engine, get_session_factory
from genxsop_core.overview import product_hierarchy
from genxsop_core.permissions import Actor
from genxsop_core.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
PLANNER = Actor("demand", ("demand_planner",))
CELLS = 200


def seeded(url: str) -> None:
    start = time.perf_counter()
    prepare_database(replace(load_settings(), database_url=url, demo=True, bucket="week"))
    print(f"seed demo with planning history: {time.perf_counter() - start:.1f} s")


def median_seconds(action, repeats: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def page_render(url: str, repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ.update(GENXSOP_DATABASE_URL=url, GENXSOP_DEMO="1", GENXSOP_BUCKET="week")
    hierarchy = product_hierarchy(UnitOfWork(get_session_factory(url)))
    family = hierarchy.family.value_counts()
    category = hierarchy.category.value_counts()
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    for key, value in {"authentication_status": True, "username": "demand", "name": "Dana",
                       "roles": ["demand_planner"], "logout": False}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("../pages/demand.py").run()
    for label, key, value, size in (("family", "dm_family", family.index[0], family.iloc[0]),
                                    ("category", "dm_category", category.index[0], category.iloc[0])):
        if key == "dm_category":
            at.selectbox(key="dm_family").set_value("All").run()
        at.selectbox(key=key).set_value(value).run()
        at.run()  # warm-up: caches, imports, first queries
        median, runs = median_seconds(at.run, repeats)
        assert not at.exception, at.exception
        print(f"render Demand review, {label} {value!r} ({size} SKUs): median {median:.3f} s "
              f"(runs {', '.join(f'{r:.2f}' for r in runs)})")


def override_save(url: str, repeats: int) -> None:
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    draft = demand_views.list_versions(uow()).query("status == 'draft'").id.iloc[0]
    grid = demand_views.override_grid(uow(), int(draft), demand_views.Node(), "sku")
    skus = sorted(grid["item"].unique())[:20]
    cells = grid[grid["item"].isin(skus)].groupby("item").head(CELLS // 20)

    def save_once() -> None:
        fresh = demand_views.override_grid(uow(), int(draft), demand_views.Node(), "sku").set_index(["item", "period"])
        edits = [demand_plans.OverrideEdit("sku", row.item, row.period.date(), float(row.statistical) * 1.1 + 1,
                                           "PROMO", "bench", fresh.token[(row.item, row.period)],
                                           float(fresh.consensus[(row.item, row.period)]))
                 for row in cells.itertuples()]
        start = time.perf_counter()
        demand_plans.save_overrides(uow(), PLANNER, int(draft), edits)
        timings.append(time.perf_counter() - start)

    timings: list[float] = []
    for _ in range(repeats):
        save_once()
    print(f"save {len(cells)} override cells (service call, one transaction, audited): median "
          f"{statistics.median(timings):.3f} s (runs {', '.join(f'{r:.2f}' for r in timings)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also time the save on this (empty) PostgreSQL database URL")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print("== SQLite ==")
        seeded(url)
        page_render(url, args.repeats)
        override_save(url, args.repeats)
        get_engine(url).dispose()
    if args.postgres:
        print("== PostgreSQL ==")
        seeded(args.postgres)
        override_save(args.postgres, args.repeats)


if __name__ == "__main__":
    main()
