"""Supply and inventory figures: recomputing the policy table and projected inventory for every
demo SKU, rough-cut capacity with the overload probability, proposed receipts, loading the plan,
and the Inventory and Supply review pages' render time after warm-up.

Run: .venv/bin/python bench/supply_inventory.py [--postgres URL] [--repeats 7]
1. Pure computations on a loaded plan (inventory_policy.policy_table, which includes projected
   inventory, for each safety stock method; supply_views.capacity_check; supply_views.propose):
   median of `repeats` after one warm-up call.
2. Loading the plan from the database (plan_data.load_plan_data): median of `repeats`, on
   SQLite and, with --postgres, on that (empty) PostgreSQL database after seeding it.
3. The Inventory and Supply review pages in AppTest, signed in as the demo supply planner:
   median of `repeats` reruns after a warm-up run.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

from common import median_seconds, run_on_demo, runs_text, signed_in_app

from genxsop_core.demand import views as demand_views
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.supply import views as supply_views


def report(label: str, action, repeats: int, warm_up: bool = True) -> None:  # noqa: ANN001
    if warm_up:
        action()
    median, runs = median_seconds(action, repeats)
    print(f"{label}: median {median * 1000:.1f} ms (runs {runs_text(runs)} s)")


def current_plan(url: str) -> tuple[int, int]:
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    demand = int(demand_views.list_versions(uow()).query("status == 'draft'").id.iloc[0])
    return demand, supply_views.supply_version_for(uow(), demand)


def computations(url: str, repeats: int) -> None:
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    demand, supply = current_plan(url)
    report("load plan data (demand + supply version, stock, master, forecast quantiles, routings)",
           lambda: load_plan_data(uow(), demand, supply), repeats)
    data = load_plan_data(uow(), demand, supply)
    print(f"plan: {len(data.skus)} SKUs x {len(data.periods)} periods, {len(data.resources)} resources")
    for method in inventory_policy.SAFETY_STOCK_METHODS:
        report(f"policy table + projected inventory, all SKUs, safety stock {method!r}",
               lambda m=method: inventory_policy.policy_table(data, m), repeats)
    report("rough-cut capacity with overload probability (500 draws)", lambda: supply_views.capacity_check(data),
           repeats)
    policy = inventory_policy.policy_table(data)
    rows = supply_views.receipts_grid(uow(), supply, data.skus)
    report("propose receipts, all SKUs", lambda: supply_views.propose(data, policy, rows), repeats)


def page_renders(url: str, repeats: int) -> None:
    at = signed_in_app(url, "supply", "Sam", "supply_planner")
    for page in ("inventory", "supply"):
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, at.exception
        report(f"render the {page} page (AppTest rerun)", at.run, repeats)


if __name__ == "__main__":
    run_on_demo(__doc__.splitlines()[0], [computations, page_renders], [computations])
