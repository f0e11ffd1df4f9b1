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

import statistics
import time

from common import median_seconds, run_on_demo, runs_text, signed_in_app

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.hierarchy import Node
from genxsop_core.domain.permissions import Actor
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork

PLANNER = Actor("demand", ("demand_planner",))
CELLS = 200


def page_render(url: str, repeats: int) -> None:
    hierarchy = product_hierarchy(UnitOfWork(get_session_factory(url)))
    family = hierarchy.family.value_counts()
    category = hierarchy.category.value_counts()
    at = signed_in_app(url, "demand", "Dana", "demand_planner")
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
              f"(runs {runs_text(runs)})")


def override_save(url: str, repeats: int) -> None:
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    draft = demand_views.list_versions(uow()).query("status == 'draft'").id.iloc[0]
    grid = demand_views.override_grid(uow(), int(draft), Node(), "sku")
    skus = sorted(grid["item"].unique())[:20]
    cells = grid[grid["item"].isin(skus)].groupby("item").head(CELLS // 20)

    def save_once() -> None:
        fresh = demand_views.override_grid(uow(), int(draft), Node(), "sku").set_index(["item", "period"])
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
          f"{statistics.median(timings):.3f} s (runs {runs_text(timings)})")


if __name__ == "__main__":
    run_on_demo(__doc__.splitlines()[0], [page_render, override_save], [override_save])
