"""The demo company's planning history, so the demand review has something to review.

Three past monthly cycles, each with an approved consensus plan made the way a planner
would have made it then: a statistical forecast from the history known at the time (the
real forecasting engine, seasonal naive to keep seeding quick), raised where a promotion
was planned (reason PROMO). Their lags are scored as actuals arrive. Then the current
cycle: a real forecast run (auto) over every SKU, a draft consensus plan made from it, and a
draft supply plan for it: the imported open and planned orders (a quarter ahead), and beyond
them the receipts the supply planner's "propose receipts" gave.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from genxsop_core import forecasting
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand.plans import create_version, insert_version
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.models import DEMO_ORIGIN, SupplyPlan, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import CycleStage, PlanKind, PlanStatus
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.plans.versions import get_version, version_cycle
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply import views as supply_views

PAST_CYCLES = 3
PAST_HORIZON = {"week": 13, "month": 3}
CURRENT_HORIZON = {"week": 52, "month": 12}
PROMO_UPLIFT = 1.3  # the demo planner's rule of thumb for a planned promotion

DEMO_DUE_IN_DAYS = {CycleStage.DATA_GATHERING: -1, CycleStage.DEMAND_REVIEW: 3, CycleStage.SUPPLY_REVIEW: 7,
                    CycleStage.PRE_SOP: 10, CycleStage.EXECUTIVE_SOP: 14}
DEMO_DEMAND_PLANNER = Actor("demand", ("demand_planner",))  # the demo's planner signs off data gathering

_log = logging.getLogger("genxsop.demo_plans")


def _past_plan(history: pd.DataFrame, as_of: pd.Timestamp, horizon: int) -> pd.DataFrame:
    """sku, period, statistical, consensus (promo weeks raised) as planned after `as_of`."""
    known = history[history.ds <= as_of]
    future = history[(history.ds > as_of)][["unique_id", "ds", "promo"]]
    out = forecasting.run(known[["unique_id", "ds", "y", "promo"]], horizon, "seasonal_naive", workers=1,
                          future_promo=future)
    plan = out.forecasts.rename(columns={"unique_id": "sku", "ds": "period", "mean": "statistical"})
    promo = future.rename(columns={"unique_id": "sku", "ds": "period"})
    plan = plan.merge(promo, on=["sku", "period"], how="left").fillna({"promo": 0.0})
    return plan.assign(consensus=plan.statistical * (1 + (PROMO_UPLIFT - 1) * plan.promo))


def seed_demo_plans(uow_factory: Callable[[], UnitOfWork], actor: Actor, bucket: str,
                    workers: int | None = None) -> list[int]:
    """Past approved cycles plus the current draft; returns the version ids, oldest first."""
    require(actor, "data.seed_demo")
    with uow_factory() as uow:
        skus = uow.demand.skus_in_scope("all", [])
        history = uow.demand.history(skus)
    last = history.ds.max()
    current_month = (last + pd.offsets.MonthBegin(1)).normalize() if bucket == "month" else \
        (last + pd.Timedelta(days=7)).to_period("M").to_timestamp()
    ids = []
    for months_back in range(PAST_CYCLES, 0, -1):
        month = (current_month - pd.DateOffset(months=months_back)).date()
        as_of = history.ds[history.ds < pd.Timestamp(month)].max()
        plan = _past_plan(history, as_of, PAST_HORIZON[bucket])
        ids.append(_approved_version(uow_factory, actor, plan, month))
    run_id = forecast_runs.request_run(uow_factory(), actor, forecast_runs.ForecastRequest(
        "all", (), "auto", CURRENT_HORIZON[bucket]))
    forecast_runs.execute_run(uow_factory, run_id, workers=workers)
    ids.append(create_version(uow_factory(), actor, run_id, current_month.date()))
    ids.append(_supply_version(uow_factory, actor, ids[-1]))
    _close_past_cycles(uow_factory, actor, ids[:PAST_CYCLES])
    cycle_id = _cycle_of(uow_factory, ids[PAST_CYCLES])
    cycle.sign_off(uow_factory(), DEMO_DEMAND_PLANNER, cycle_id,
                   "Actuals loaded to last week; the auto forecast run is done")
    for stage, days in DEMO_DUE_IN_DAYS.items():  # the demo's calendar runs from the day it is seeded
        cycle.set_due_date(uow_factory(), actor, cycle_id, stage, date.today() + timedelta(days=days))
    _mark_demo(uow_factory, ids, run_id)
    _log.info("demo planning history: versions %s, forecast run %s", ids, run_id)
    return ids


def _mark_demo(uow_factory: Callable[[], UnitOfWork], version_ids: list[int], run_id: int) -> None:
    """Mark what the demo's history created (its versions, their cycles, its forecast run, the supply
    rows of its supply version) so go-live can remove it; rows hanging off these go with them."""
    with uow_factory() as uow:
        for version_id in version_ids:
            version = uow.plans.get(version_id)
            if version is None:
                raise InvalidInput(f"demo history: plan version {version_id} vanished while seeding")
            version.origin = DEMO_ORIGIN
            cycle_of_version = uow.plans.cycle(version.cycle_id)
            if cycle_of_version is not None:
                cycle_of_version.origin = DEMO_ORIGIN
        run = uow.forecast_runs.get(run_id)
        if run is not None:
            run.origin = DEMO_ORIGIN
        uow.tables.mark_origin(SupplyPlan, "plan_version_id", version_ids, DEMO_ORIGIN)
        uow.commit()


def _cycle_of(uow_factory: Callable[[], UnitOfWork], demand_version_id: int) -> int:
    with uow_factory() as uow:
        return version_cycle(uow, get_version(uow, PlanKind.DEMAND, demand_version_id)).id


def _close_past_cycles(uow_factory: Callable[[], UnitOfWork], actor: Actor, version_ids: list[int]) -> None:
    """The demo's past cycles ended before GenXSOP kept their supply plans: closed, the demand plan frozen."""
    with uow_factory() as uow:
        for version_id in version_ids:
            version = get_version(uow, PlanKind.DEMAND, version_id)
            past, approved_at = version_cycle(uow, version), version.approved_at
            if approved_at is None:
                raise InvalidInput(f"demo history: demand plan version {version_id} was never approved")
            past.stage, past.closed_at, past.frozen_at, past.frozen_by = CycleStage.CLOSED, approved_at, approved_at, \
                actor.username
            past.frozen = {"demand_version_id": version_id, "supply_version_id": None, "forecast_run": None,
                           "scenario": None, "approved_by": actor.username,
                           "approved_at": approved_at.isoformat(), "note": "demo history"}
            uow.publish(RecordChanged(actor.username, action="close", entity="sop_cycle", key=past.name,
                                      after={"stage": CycleStage.CLOSED, "note": "demo history"}))
        uow.commit()


def _supply_version(uow_factory: Callable[[], UnitOfWork], actor: Actor, demand_version_id: int) -> int:
    """The current cycle's supply draft: imported orders, then proposed receipts after their horizon."""
    supply_id = supply_plans.create_version(uow_factory(), actor, demand_version_id)
    data = load_plan_data(uow_factory(), demand_version_id, supply_id)
    after_imported = int(np.flatnonzero(data.receipts.sum(0) > 0).max()) + 1
    proposal = supply_views.propose(data, inventory_policy.policy_table(data),
                                    supply_views.receipts_grid(uow_factory(), supply_id, data.skus), after_imported)
    supply_plans.save_receipts(uow_factory(), actor, supply_id, proposal.edits)
    return supply_id


def _approved_version(uow_factory: Callable[[], UnitOfWork], actor: Actor, plan: pd.DataFrame, month: date) -> int:
    with uow_factory() as uow:
        version_id = insert_version(uow, actor, plan[["sku", "period", "statistical"]], month,
                             f"Consensus {month:%Y-%m} (demo history)", None)
        raised = plan[plan.consensus != plan.statistical]
        rows = uow.demand_plans.rows_for_update(version_id, [(s, p.date()) for s, p in zip(raised.sku, raised.period)])
        for sku, period, value in zip(raised.sku, raised.period, raised.consensus):
            row = rows[(sku, period.date())]
            row.override, row.consensus = float(value), float(value)
            row.reason_code, row.comment, row.author = "PROMO", "Promotion planned: +30% on the statistical", \
                actor.username
        version = get_version(uow, PlanKind.DEMAND, version_id)
        version.status, version.approved_by, version.approved_at = PlanStatus.APPROVED, actor.username, utcnow()
        uow.publish(RecordChanged(actor.username, action="approve", entity="plan_version", key=str(version_id),
                                  after={"status": PlanStatus.APPROVED, "note": "demo history"}))
        uow.commit()
    return version_id
