"""Scenario and dashboard figures: `scenarios.evaluate` over the full demo plan, a slider move on
the Scenarios page end to end in AppTest, and the Dashboard and KPI pages' render after warm-up.

Run: .venv/bin/python bench/scenarios_dashboard.py [--postgres URL] [--repeats 7]
1. evaluate(data, levers) on the loaded current plan (every SKU and period), with no levers and
   with every lever moved: median of `repeats` after a warm-up call.
2. The Scenarios page in AppTest as the demo executive: moving the demand slider to a new value
   and rerunning (what a browser session's rerun does, without the websocket and drawing),
   median of `repeats` moves after a warm-up move.
3. Dashboard and KPI pages: the first render in a new session after the process has warmed up
   (imports, cached plan and scorecard), then reruns; medians of `repeats`.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

from common import median_seconds, run_on_demo, runs_text, signed_in_app

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios import levers as scenarios


def report(label: str, action, repeats: int) -> None:  # noqa: ANN001
    action()
    median, runs = median_seconds(action, repeats)
    print(f"{label}: median {median * 1000:.1f} ms (runs {runs_text(runs)} s)")


def evaluation(url: str, repeats: int) -> None:
    uow = lambda: UnitOfWork(get_session_factory(url))  # noqa: E731
    plan = dashboard_views.current_plan(uow())
    data = load_plan_data(uow(), plan.demand_version_id, plan.supply_version_id)
    print(f"plan: {len(data.skus)} SKUs x {len(data.periods)} periods, {len(data.resources)} resources")
    report("evaluate, no levers", lambda: scenarios.evaluate(data), repeats)
    every = scenarios.Levers(
        demand_change=-0.1, demand_change_by_group={f"category:{data.products.category.iloc[0]}": 0.05},
        price_change=0.03, unit_cost_change=0.02, capacity_change={r: 0.2 for r in data.resources.resource},
        lead_time_change_days=7, service_level=0.98)
    report("evaluate, every lever moved", lambda: scenarios.evaluate(data, every), repeats)


def slider_move(url: str, repeats: int) -> None:
    at = signed_in_app(url, "executive", "Erin", "executive")
    at.switch_page("../pages/scenarios.py").run()
    values = iter(range(-30, 31))

    def move() -> None:
        at.slider(key="sc_demand").set_value(next(values)).run()
        assert not at.exception, at.exception

    report("Scenarios page: move the demand slider and rerun (AppTest)", move, repeats)


def page_renders(url: str, repeats: int) -> None:
    signed_in_app(url, "executive", "Erin", "executive")  # warms the process: imports, cached plan and scorecard
    for page in ("dashboard", "kpis"):
        def first_render(page: str = page) -> None:
            at = signed_in_app(url, "executive", "Erin", "executive")
            if page != "dashboard":
                at.switch_page(f"../pages/{page}.py").run()
            assert not at.exception, at.exception

        report(f"{page} page: first render in a new session, warm process (AppTest)", first_render, repeats)


if __name__ == "__main__":
    run_on_demo(__doc__.splitlines()[0], [evaluation, slider_move, page_renders], [evaluation])
