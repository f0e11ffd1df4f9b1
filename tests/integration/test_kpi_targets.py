"""KPI targets on a real database (validated, upserted, audited, guarded) and the scorecard on the demo.

The scorecard reads share one demo company per database, seeded once for this module, with two
approved monthly plans built directly: statistical = 1.2 x actual, consensus = 1.08 x actual,
so every accuracy KPI of those months is known in advance.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
import sqlalchemy as sa

from genxsop_core.admin.audit import search_audit
from genxsop_core.bootstrap import SYSTEM
from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.exceptions import InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.models import DemandPlan, Product, utcnow
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.kpi import views as kpi_views
from genxsop_core.kpi.formulas import DEFAULT_TARGETS, KPIS, STATUSES, rag_status
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    POSTGRES_AVAILABLE,
    DatabaseTemplates,
    actor_with,
    drop_database,
)

AUDITOR = Actor("alice", ("admin",))
COORDINATOR = actor_with("coordinator")
EDITORS = {"admin", "coordinator"}
STATISTICAL, CONSENSUS = 1.2, 1.08  # x actual


def trail(uow_factory) -> list:
    """The kpi_target audit entries, oldest first."""
    return list(reversed(search_audit(uow_factory(), AUDITOR, AuditFilter(entity="kpi_target"))))


@pytest.fixture
def catalogue(uow_factory):
    """An empty database with two Juice SKUs, so family and SKU targets have something to name."""
    with uow_factory() as uow:
        for sku in ("JUI-1", "JUI-2"):
            uow.session.add(Product(sku=sku, name=sku, category="Beverages", family="Juice", unit_cost=1.0,
                                    unit_price=2.0))
        uow.commit()
    return uow_factory


def test_a_target_is_created_then_updated_with_before_and_after_audited(catalogue):
    kpi_targets.set_target(catalogue(), COORDINATOR, "fill_rate", "family", " Juice ", 0.98, 0.98, 0.95)
    kpi_targets.set_target(catalogue(), COORDINATOR, "fill_rate", "family", "Juice", 0.99, 0.985, 0.96)
    kpi_targets.set_target(catalogue(), COORDINATOR, "fill_rate", "family", "Juice", 0.99, 0.985, 0.96)  # same

    stored = kpi_targets.list_targets(catalogue())
    assert stored[["kpi", "level", "key", "target", "green", "amber", "higher_is_better"]].values.tolist() == [
        ["fill_rate", "family", "Juice", 0.99, 0.985, 0.96, True]]
    entries = trail(catalogue)
    assert [(e.action, e.username, e.key) for e in entries] == [
        ("create", COORDINATOR.username, "fill_rate|family|Juice"), ("update", COORDINATOR.username,
                                                                     "fill_rate|family|Juice")]
    assert entries[0].before is None and entries[0].after["green"] == 0.98
    assert (entries[1].before["green"], entries[1].after["green"], entries[1].after["amber"]) == (0.98, 0.985, 0.96)
    kpi_targets.set_target(catalogue(), COORDINATOR, "wape", "sku", "JUI-2", 0.2, 0.2, 0.3)
    assert kpi_targets.list_targets(catalogue()).kpi.tolist() == ["wape", "fill_rate"]  # registry order
    assert not kpi_targets.list_targets(catalogue()).higher_is_better.iloc[0]  # wape's own direction


BAD_TARGETS = [
    (("happiness", "total", "", 1, 1, 0), InvalidInput, "unknown KPI"),
    (("wape", "region", "North", 0.2, 0.2, 0.3), InvalidInput, "per total, category"),
    (("wape", "total", "Juice", 0.2, 0.2, 0.3), InvalidInput, "total target has no key"),
    (("wape", "family", " ", 0.2, 0.2, 0.3), InvalidInput, "name the family"),
    (("wape", "family", "Nope", 0.2, 0.2, 0.3), NotFound, "no family 'Nope'"),
    (("wape", "total", "", float("nan"), 0.2, 0.3), InvalidInput, "target must be a finite number"),
    (("wape", "total", "", 0.2, float("inf"), 0.3), InvalidInput, "green must be a finite number"),
    (("wape", "total", "", 0.2, 0.2, "0.3"), InvalidInput, "amber must be a finite number"),
    (("wape", "total", "", True, 0.2, 0.3), InvalidInput, "target must be a finite number"),
    (("fill_rate", "total", "", 0.97, 0.93, 0.95), InvalidInput, "higher is better"),  # amber above green
    (("fill_rate", "total", "", 0.95, 0.97, 0.93), InvalidInput, "higher is better"),  # the target scores amber
    (("wape", "total", "", 0.25, 0.35, 0.30), InvalidInput, "lower is better"),
    (("bias", "total", "", -0.05, -0.05, 0.1), InvalidInput, "0 or more"),
    (("bias", "total", "", 0.1, 0.05, 0.0, True), InvalidInput, "judged on its size"),
    (("days_of_supply", "total", "", 30, 20, 10, False), InvalidInput, "lower is better"),
]


def test_bad_targets_are_refused_and_write_nothing(catalogue):
    for args, error, message in BAD_TARGETS:  # one database for all cases keeps this quick
        with pytest.raises(error, match=message):
            kpi_targets.set_target(catalogue(), COORDINATOR, *args)
    assert kpi_targets.list_targets(catalogue()).empty and trail(catalogue) == []


def test_a_kpi_may_be_judged_the_other_way_round_when_the_coordinator_says_so(catalogue):
    kpi_targets.set_target(catalogue(), COORDINATOR, "capacity_utilization", "total", "", 0.9, 0.85, 0.75, True)
    assert kpi_targets.list_targets(catalogue()).higher_is_better.tolist() == [True]


def test_only_admins_and_coordinators_set_and_seed_targets(catalogue):
    for role in ROLES:
        actor = actor_with(role)
        if role in EDITORS:
            kpi_targets.set_target(catalogue(), actor, "otif", "total", "", 0.95, 0.95, 0.9 if role == "admin"
                                   else 0.85)
            continue
        with pytest.raises(PermissionDenied):
            kpi_targets.set_target(catalogue(), actor, "otif", "sku", "JUI-1", 0.95, 0.95, 0.9)
        with pytest.raises(PermissionDenied):
            kpi_targets.seed_default_targets(catalogue(), actor)
    assert kpi_targets.list_targets(catalogue())[["level", "amber"]].values.tolist() == [["total", 0.85]]
    assert [e.username for e in trail(catalogue)] == ["admin_user", "coordinator_user"]


def test_seeding_the_default_targets_is_idempotent_and_keeps_the_coordinators_own(catalogue):
    kpi_targets.set_target(catalogue(), COORDINATOR, "wape", "total", "", 0.2, 0.2, 0.3)
    assert kpi_targets.seed_default_targets(catalogue(), SYSTEM) == len(KPIS) - 1
    assert kpi_targets.seed_default_targets(catalogue(), SYSTEM) == 0
    stored = kpi_targets.list_targets(catalogue()).set_index("kpi")
    assert list(stored.index) == list(KPIS) and (stored.level == "total").all()
    assert stored.green["wape"] == 0.2 and stored.green["otif"] == DEFAULT_TARGETS["otif"].green
    assert len(trail(catalogue)) == len(KPIS)
    assert {e.username for e in trail(catalogue)[1:]} == {SYSTEM.username}


@dataclass(frozen=True)
class ScoredDemo:
    uow_factory: Callable[[], UnitOfWork]
    url: str
    planned: list[pd.Timestamp]  # the months with an approved plan of their own
    weeks: dict[pd.Timestamp, int]  # buckets in each planned month


def _approve_plans(uow_factory) -> tuple[list[pd.Timestamp], dict[pd.Timestamp, int]]:
    """Two approved plans, each for a complete month plus two weeks of the next (scored at lag > 1 only)."""
    with uow_factory() as uow:
        history = uow.demand.history(sorted(uow.demand.hierarchy().sku))
    history = history.rename(columns={"unique_id": "sku", "ds": "period", "y": "actual"})
    weeks = pd.Series(sorted(history.period.unique()))
    months = weeks.dt.to_period("M").dt.to_timestamp()
    planned = sorted(months.unique())[-3:-1]  # the last month may be incomplete
    for month in planned:
        first = weeks[months == month].min()
        plan_weeks = weeks[(weeks >= first)].head(int((months == month).sum()) + 2)
        rows = history[history.period.isin(plan_weeks)]
        with uow_factory() as uow:
            version_id = demand_plans.insert_version(uow, SYSTEM, rows.assign(statistical=rows.actual * STATISTICAL),
                                                     month.date(), f"Plan {month:%Y-%m}", None)
            uow.session.execute(sa.update(DemandPlan).where(DemandPlan.plan_version_id == version_id)
                                .values(consensus=DemandPlan.statistical * (CONSENSUS / STATISTICAL)))
            version = uow.plans.get(version_id)
            version.status, version.approved_by, version.approved_at = "approved", SYSTEM.username, utcnow()
            uow.commit()
    return planned, {m: int((months == m).sum()) for m in planned}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scored_demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                database_templates: DatabaseTemplates) -> Iterator[ScoredDemo]:
    """The demo company, two approved plans, the default targets and a Juice fill-rate target, once per database."""
    if request.param == "postgresql" and not POSTGRES_AVAILABLE:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
    url = database_templates.copy(request.param, "demo", tmp_path_factory.mktemp("kpi"))
    factory = lambda: UnitOfWork(get_session_factory(url))
    planned, weeks = _approve_plans(factory)
    kpi_targets.seed_default_targets(factory(), SYSTEM)
    kpi_targets.set_target(factory(), COORDINATOR, "fill_rate", "family", "Juice", 0.999, 0.999, 0.998)
    yield ScoredDemo(factory, url, planned, weeks)
    drop_database(url)


def test_monthly_service_kpis_match_the_demand_table(scored_demo):
    monthly = kpi_views.monthly_kpis(scored_demo.uow_factory()).set_index("month")
    assert list(monthly.reset_index().columns) == kpi_views.MONTHLY_COLUMNS
    assert monthly.fill_rate.between(0, 1).all() and monthly.otif.between(0, 1).all()
    assert (monthly.otif <= monthly.fill_rate).all()
    assert monthly.complete.iloc[:-1].all()
    with get_engine(scored_demo.url).connect() as connection:
        demand = pd.read_sql(sa.text("select period, ordered_qty, shipped_qty, shipped_on_time_in_full_qty "
                                     "from demand_actual"), connection, parse_dates=["period"])
    month = scored_demo.planned[0]
    rows = demand[demand.period.dt.to_period("M").dt.to_timestamp() == month]
    assert monthly.fill_rate[month] == pytest.approx(rows.shipped_qty.sum() / rows.ordered_qty.sum())
    assert monthly.otif[month] == pytest.approx(rows.shipped_on_time_in_full_qty.sum() / rows.ordered_qty.sum())
    assert monthly.ordered_units[month] == rows.ordered_qty.sum()
    assert monthly.inventory_value.notna().sum() >= 3  # 12 weekly stock counts span three or four months
    assert (monthly.capacity_utilization > 0.5).all() and (monthly.gross_margin.between(0, 1)).all()

    data = kpi_views.load_kpi_data(scored_demo.uow_factory())  # read once, computed per category
    by_category = pd.concat([kpi_views.compute_monthly(data, data.products.sku[data.products.category == c])
                             for c in ("Beverages", "Household", "Personal Care", "Snacks")])
    assert by_category.groupby("month").ordered_units.sum().to_numpy() == pytest.approx(
        monthly.ordered_units.to_numpy())


def test_the_plan_of_each_month_is_scored_at_lag_one(scored_demo):
    monthly = kpi_views.monthly_kpis(scored_demo.uow_factory()).set_index("month")
    planned = scored_demo.planned
    scored = monthly.loc[planned]
    assert scored.wape.to_numpy() == pytest.approx([CONSENSUS - 1] * 2)
    assert scored.bias.to_numpy() == pytest.approx([CONSENSUS - 1] * 2)
    assert scored.mape.to_numpy() == pytest.approx([CONSENSUS - 1] * 2)
    assert scored.fva.to_numpy() == pytest.approx([(STATISTICAL - 1) - (CONSENSUS - 1)] * 2)
    assert scored.revenue_vs_plan.to_numpy() == pytest.approx([1 / CONSENSUS - 1] * 2)
    assert scored.margin_vs_plan.to_numpy() == pytest.approx([1 / CONSENSUS - 1] * 2)
    # every error is an over-forecast, so the running signal counts the buckets measured so far
    first, second = (scored_demo.weeks[m] for m in planned)
    assert scored.tracking_signal.to_numpy() == pytest.approx([first, first + second])
    others = monthly.drop(index=planned)
    assert others[["wape", "bias", "tracking_signal", "fva", "revenue_vs_plan"]].isna().all().all()


def test_the_summary_judges_every_kpi_against_its_target(scored_demo):
    summary = kpi_views.kpi_summary(scored_demo.uow_factory()).set_index("kpi")
    assert list(summary.index) == list(KPIS) and list(summary.reset_index().columns) == kpi_views.SUMMARY_COLUMNS
    assert summary.status.isin(STATUSES).all() and (summary.status != "none").all()
    assert (summary.target_level == "total").all()  # seeded, so no built-in default is used
    wape = summary.loc["wape"]
    assert (wape.month, wape.status) == (scored_demo.planned[-1], "green")
    assert (wape.latest, wape.previous, wape.trend) == pytest.approx((CONSENSUS - 1, CONSENSUS - 1, 0.0))
    assert summary.status["bias"] == "amber"  # |+8%| is within amber (<= 10%)
    assert summary.status["tracking_signal"] == "red"  # persistently over-forecast
    assert summary.status["revenue_vs_plan"] == "red"  # 1 / 1.08 - 1 = -7.4%
    juice = kpi_views.kpi_summary(scored_demo.uow_factory(), "family", "Juice").set_index("kpi")
    assert (juice.target_level["fill_rate"], juice.green["fill_rate"]) == ("family", 0.999)
    assert juice.target_level["otif"] == "total"


def test_the_drill_down_lists_the_children_of_a_node(scored_demo):
    factory = scored_demo.uow_factory
    summary = kpi_views.kpi_summary(factory()).set_index("kpi")
    categories = kpi_views.kpi_by_children(factory(), "fill_rate", "total")
    assert list(categories.columns) == kpi_views.CHILD_COLUMNS
    assert categories.key.tolist() == ["Beverages", "Household", "Personal Care", "Snacks"]
    assert (categories.level == "category").all() and (categories.month == summary.month["fill_rate"]).all()
    # a ratio of totals lies between its parts
    assert categories.value.min() <= summary.latest["fill_rate"] <= categories.value.max()

    families = kpi_views.kpi_by_children(factory(), "fill_rate", "category", "Beverages").set_index("key")
    assert list(families.index) == ["Coffee", "Juice", "Water"]
    assert families.target_level.to_dict() == {"Coffee": "total", "Juice": "family", "Water": "total"}
    juice = families.loc["Juice"]
    assert (juice.green, juice.status) == (0.999, rag_status(juice.value, juice, "fill_rate"))

    skus = kpi_views.kpi_by_children(factory(), "wape", "family", "Juice")
    with factory() as uow:
        hierarchy = uow.demand.hierarchy()
    assert skus.key.tolist() == sorted(hierarchy.sku[hierarchy.family == "Juice"]) and (skus.level == "sku").all()
    measured = skus.value.dropna()  # a SKU that sold nothing in the month was forecast exactly: 0
    assert len(measured) and ((measured - (CONSENSUS - 1)).abs().lt(1e-9) | measured.eq(0)).all()
    assert kpi_views.kpi_by_children(factory(), "wape", "sku", skus.key.iloc[0]).empty
    with pytest.raises(InvalidInput):
        kpi_views.kpi_by_children(factory(), "happiness", "total")
