"""Supply balance figures (issue 18): the balanced plan beside today's heuristic, and at scale.

Run: .venv/bin/python bench/supply_balance.py [--repeats 3] [--skus 5000 --weeks 52 --resources 10] [--compare]
1. The demo's current plan (a fresh SQLite demo, seeded as the app does), four ways:
   as it stands, cut to capacity (scenarios.evaluate, the What-if page's rule); with "Propose
   receipts" added (supply.views.propose), then cut to capacity; balanced (supply.balance, LP);
   balanced in whole MOQ lots (integer option, 30 s limit, gap to the best bound).
   For each: seconds (median of `repeats`), resource-periods over capacity (+ overtime for the
   balance), fill rate and margin.
2. A synthetic plan of `skus` x `weeks` x `resources` (seasonal demand, each SKU made on 1-3
   resources, capacity under the peak, a fifth of it as overtime, released orders in the first
   two weeks, lead times up to 4 weeks), balanced in a child process: seconds and the child's
   peak resident memory; with --compare also by HiGHS's dual simplex alone (the balance before
   it solved big parts by interior point), in a second child, for the same optimum side by side.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from genxsop_core.plans.data import QUANTILE_LEVELS, PlanData


def synthetic_plan(skus: int, weeks: int, resources: int, seed: int = 7) -> PlanData:
    """A plan big enough to time: numbers are random, shapes and proportions are those of a real one."""
    rng = np.random.default_rng(seed)
    names = [f"SKU-{i:05d}" for i in range(skus)]
    base = rng.gamma(2.0, 50.0, skus)
    season = 1 + 0.35 * np.sin(2 * np.pi * (np.arange(weeks)[None, :] / 52 + rng.uniform(0, 1, (skus, 1))))
    consensus = np.round(base[:, None] * season * rng.uniform(0.8, 1.2, (skus, weeks)))
    routes = rng.integers(1, 4, skus)
    hours = np.zeros((skus, resources))
    for k in range(3):  # a SKU's k-th step, where it has one: a handful of vectorised assignments
        on = routes > k
        hours[np.flatnonzero(on), rng.integers(0, resources, on.sum())] = rng.uniform(0.005, 0.03, on.sum())
    bought = rng.uniform(size=skus) < 0.2
    hours[bought] = 0.0
    load = consensus.T @ hours  # (weeks, resources)
    capacity = np.round(load.mean(0) * rng.uniform(0.95, 1.1, resources), 1)  # peaks exceed it
    firm = np.zeros((skus, weeks), dtype=bool)
    firm[:, :2] = rng.uniform(size=(skus, 2)) < 0.5
    receipts = np.where(firm, consensus, np.round(consensus * rng.uniform(0.7, 1.3, (skus, weeks))))
    receipts[:, :2] = np.where(firm[:, :2], receipts[:, :2] * 0.9, receipts[:, :2])  # released orders fit
    cost = rng.uniform(1.0, 20.0, skus)
    products = pd.DataFrame({
        "sku": names, "name": names, "category": "C", "family": "F", "status": "active", "unit_cost": cost,
        "unit_price": cost * rng.uniform(1.3, 2.5, skus), "lead_time_days": rng.choice([0.0, 7.0, 14.0, 28.0], skus),
        "lead_time_std_days": 0.0, "moq": rng.choice([1.0, 50.0, 100.0], skus), "order_cost": 0.0,
        "holding_cost_rate": 0.25, "service_level_target": 0.95})
    table = pd.DataFrame({"resource": [f"RES-{r:02d}" for r in range(resources)], "name": "line",
                          "capacity_hours": capacity, "cost_per_hour": 100.0,
                          "overtime_hours": np.round(0.2 * capacity),
                          "overtime_cost_per_hour": None})
    make = np.repeat(~bought[:, None], weeks, axis=1)
    return PlanData(1, 2, names, pd.date_range("2027-01-04", periods=weeks, freq="7D"), products, consensus,
                    consensus.copy(), np.full((skus, 1, len(QUANTILE_LEVELS)), np.nan), receipts, make, firm,
                    base * rng.uniform(0.5, 2.0, skus), base * 0.3, np.full(skus, "history sd"), base, base * 0.3,
                    table, hours, 7.0)


def synthetic_child(skus: int, weeks: int, resources: int, method: str) -> None:
    """Balance the synthetic plan in this process and print one line the parent reads."""
    from genxsop_core.supply.balance import BalanceOptions, balance

    plan = synthetic_plan(skus, weeks, resources)
    started = time.perf_counter()
    result = balance(plan, BalanceOptions(method=method))
    seconds = time.perf_counter() - started
    summary = result.summary
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"RESULT seconds={seconds:.1f} build={summary['build_seconds']:.1f} solve={summary['solve_seconds']:.1f} "
          f"objective={summary['objective']:.6f} overloads={summary['overloads']} fill_rate={summary['fill_rate']:.4f} "
          f"overtime_hours={summary['overtime_hours']:.0f} peak_rss={peak / 2**20:.2f}GiB "
          f"status={summary['status']!r}", flush=True)


def synthetic(skus: int, weeks: int, resources: int, compare: bool) -> None:
    """The synthetic plan balanced as the product does (`auto`: interior point for a big part), and
    with `compare` by the dual simplex alone too (the same optimum), each in its own process."""
    for method in ("auto", "simplex") if compare else ("auto",):
        started = time.perf_counter()
        child = subprocess.run([sys.executable, __file__, "--child", str(skus), str(weeks), str(resources), method],
                               capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        line = next(line for line in child.stdout.splitlines() if line.startswith("RESULT"))
        print(f"synthetic {skus} SKUs x {weeks} weeks x {resources} resources, solver {method}: {line[7:]}; "
              f"child wall {wall:.1f} s (with imports and plan generation)", flush=True)


def _figures(label: str, seconds: list[float], summary: dict) -> None:
    print(f"{label:<44} {np.median(seconds):7.2f} s  overloads {summary['overloads']:>3}  "
          f"fill rate {summary['fill_rate']:.4%}  margin {summary['margin']:>11,.0f}  "
          f"inventory value {summary['inventory_value_avg']:>9,.0f}"
          + (f"  objective {summary['objective']:>13,.0f}" if "objective" in summary else "")
          + (f"  overtime {summary['overtime_hours']:,.0f} h" if "overtime_hours" in summary else "")
          + (f"  gap {summary['mip_gap']:.2%}" if summary.get("mip_gap") == summary.get("mip_gap")
             and "mip_gap" in summary else ""))


def timed(action, repeats: int) -> tuple[list[float], object]:  # noqa: ANN001
    runs, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = action()
        runs.append(time.perf_counter() - started)
    return runs, value


def demo(url: str, repeats: int) -> None:
    from genxsop_core.cycle import dashboard as dashboard_views
    from genxsop_core.inventory.policy import policy_table
    from genxsop_core.persistence.db import get_session_factory
    from genxsop_core.persistence.unit_of_work import UnitOfWork
    from genxsop_core.plans.data import load_plan_data
    from genxsop_core.scenarios import evaluate
    from genxsop_core.supply import views as supply_views
    from genxsop_core.supply.balance import BalanceOptions, balance

    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    plan = dashboard_views.current_plan(uow())
    data = load_plan_data(uow(), plan.demand_version_id, plan.supply_version_id)
    rows = supply_views.receipts_grid(uow(), plan.supply_version_id, list(data.skus))
    print(f"demo plan: {len(data.skus)} SKUs x {len(data.periods)} weeks, {len(data.resources)} resources "
          f"(overtime {', '.join(f'{r.resource} {r.overtime_hours:g} h' for r in data.resources.itertuples())})")
    runs, result = timed(lambda: evaluate(data), repeats)
    _figures("as it stands, cut to capacity", runs, result.summary)

    def heuristic():  # noqa: ANN202
        proposal = supply_views.propose(data, policy_table(data), rows)
        return evaluate(replace(data, receipts=data.receipts + proposal.added))

    runs, result = timed(heuristic, repeats)
    _figures("Propose receipts, then cut to capacity", runs, result.summary)
    runs, result = timed(lambda: balance(data), repeats)
    _figures("balanced (LP)", runs, result.summary)
    runs, result = timed(lambda: balance(data, BalanceOptions(unmet="backorder")), repeats)
    _figures("balanced (LP), unmet demand back-ordered", runs, result.summary)
    runs, result = timed(lambda: balance(data, BalanceOptions(integer_lots=True, time_limit=30.0)), 1)
    _figures("balanced in whole MOQ lots (30 s limit)", runs, result.summary)
    print(f"  integer lots: {result.summary['status']}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        synthetic_child(*map(int, sys.argv[2:5]), method=sys.argv[5] if len(sys.argv) > 5 else "auto")
        return
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import seeded

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--resources", type=int, default=10)
    parser.add_argument("--database", help="an already seeded demo database URL (skips seeding)")
    parser.add_argument("--demo-only", action="store_true", help="skip the synthetic plan")
    parser.add_argument("--compare", action="store_true",
                        help="also balance the synthetic plan by HiGHS's dual simplex alone (the same optimum)")
    args = parser.parse_args()
    if not args.demo_only:
        synthetic(args.skus, args.weeks, args.resources, args.compare)
    if args.database:
        demo(args.database, args.repeats)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        seeded(url)
        demo(url, args.repeats)


if __name__ == "__main__":
    main()
