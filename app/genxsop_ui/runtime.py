"""Process-wide resources: settings, the migrated (and in demo mode seeded) database, and the
loaded plans and the views computed from them, cached for every session.

Every shared cache is keyed on the generations of the areas of data it reads (AREAS below;
persistence.generations): one small query per rerun, and a commit on any replica that touches
one of those areas (an edit, an import, an approval, a restore) makes the next rerun compute
afresh. The generations are read before the data, so a write landing in between costs a
reload, never old figures under a new key."""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass

import pandas as pd
import streamlit as st

from genxsop_core.admin import logs
from genxsop_core.bootstrap import prepare_database
from genxsop_core.config import Settings, load_settings
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.generations import DataArea
from genxsop_core.domain.hierarchy import Node
from genxsop_core.inventory.views import InventoryView, compute_view
from genxsop_core.kpi.views import KpiData, load_kpi_data
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.generations import generations
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData, load_plan_data
from genxsop_core.scenarios.levers import Levers
from genxsop_core.scenarios.rebalanced import Rebalanced, evaluate_rebalanced
from genxsop_core.supply import views as supply_views
from genxsop_core.supply.balance import BalanceOptions
from genxsop_core.supply.plan_balancing import BalancedPlan, balanced_plan

Stamp = tuple[int, ...]  # the generations of a cache's areas, in the order AREAS lists them

# What each shared cache reads. A loaded plan holds plan rows, the product master (service level,
# MOQ, costs, lead times), stock on hand, resources and routings, the forecast run's quantiles and
# scores and last year's actuals; the inventory view and the capacity check are computed from it.
AREAS: dict[str, tuple[DataArea, ...]] = {
    "plan": (DataArea.PLANS, DataArea.MASTER_DATA, DataArea.STOCK, DataArea.CAPACITY, DataArea.FORECASTS,
             DataArea.ACTUALS),
    "receipts_grid": (DataArea.PLANS, DataArea.MASTER_DATA),
    "demand_review": (DataArea.PLANS, DataArea.ACTUALS, DataArea.MASTER_DATA, DataArea.FORECASTS),
    "kpi": (DataArea.ACTUALS, DataArea.STOCK, DataArea.PLANS, DataArea.TARGETS, DataArea.MASTER_DATA,
            DataArea.CAPACITY),
}


def app_url() -> str:
    """This server's own address as `streamlit run` was told it, for the setup token's message."""
    host = st.get_option("server.address") or "localhost"
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{st.get_option('server.port')}/" + (f"{base}/" if base else "")


@st.cache_resource(show_spinner="Preparing the database (first start seeds the demo company)...")
def ready_database(database_url: str) -> str:
    """Migrate (and seed, in demo mode; or print the setup token on a database without users) once per
    process and database."""
    prepare_database(load_settings(), app_url())
    return database_url


@st.cache_resource
def configure_logging() -> None:
    """GenXSOP's own log lines (events, runs) as JSON lines on stderr beside Streamlit's."""
    logs.configure_logging()


def settings() -> Settings:
    configure_logging()
    current = load_settings()
    ready_database(current.database_url)
    return current


def uow() -> UnitOfWork:
    """A fresh unit of work on the configured database."""
    return UnitOfWork(get_session_factory(settings().database_url))


@st.cache_resource
def generated_cookie_key() -> str:
    """Demo mode only: a random key for this process (logins do not survive a restart)."""
    return secrets.token_urlsafe(32)


def stamp_of(cache: str) -> Stamp:
    """The key a shared cache is read under: the current generations of the areas it reads."""
    return generations(uow(), AREAS[cache])


@st.cache_resource(max_entries=8, show_spinner="Loading the plan...")
def _cached_plan(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: Stamp) -> PlanData:
    return load_plan_data(UnitOfWork(get_session_factory(database_url)), demand_version_id, supply_version_id)


def plan_data(demand_version_id: int, supply_version_id: int | None) -> PlanData:
    """The loaded plan, shared by reruns and sessions until anything in it changes (PlanData is
    never modified: calculators only read it), so a slider rerun costs no query but the stamp."""
    return _cached_plan(settings().database_url, demand_version_id, supply_version_id, stamp_of("plan"))


@st.cache_resource(max_entries=8, show_spinner="Computing the inventory policy...")
def _cached_inventory_view(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: Stamp,
                           method: str) -> InventoryView:
    return compute_view(_cached_plan(database_url, demand_version_id, supply_version_id, stamp), method)


def inventory_view(demand_version_id: int, supply_version_id: int | None, method: str = "lead_time") -> InventoryView:
    """The policy table, exceptions and classes of a loaded plan, computed once per plan stamp and
    method for every session (the quantile safety stock draws take seconds at thousands of SKUs).
    Read only, like PlanData."""
    return _cached_inventory_view(settings().database_url, demand_version_id, supply_version_id, stamp_of("plan"),
                                  method)


@st.cache_resource(max_entries=8, show_spinner="Checking capacity...")
def _cached_capacity(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: Stamp,
                     n_draws: int) -> pd.DataFrame:
    return supply_views.capacity_check(_cached_plan(database_url, demand_version_id, supply_version_id, stamp), n_draws)


def capacity(demand_version_id: int, supply_version_id: int | None, n_draws: int = 500) -> pd.DataFrame:
    """Rough-cut capacity of a loaded plan (supply_views.capacity_check), once per plan stamp. Read only."""
    return _cached_capacity(settings().database_url, demand_version_id, supply_version_id, stamp_of("plan"), n_draws)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_receipts_grid(database_url: str, version_id: int, skus: tuple[str, ...], stamp: Stamp) -> pd.DataFrame:
    return supply_views.receipts_grid(UnitOfWork(get_session_factory(database_url)), version_id, list(skus))


def receipts_grid(version_id: int, skus: list[str]) -> pd.DataFrame:
    """supply_views.receipts_grid, read again only when plans or products change (a save, an import);
    its lock tokens are those of the rows the stamp saw, so a save checks what was shown."""
    return _cached_receipts_grid(settings().database_url, version_id, tuple(skus), stamp_of("receipts_grid"))


@st.cache_resource(max_entries=4, show_spinner="Balancing the plan...")
def _cached_balanced_plan(database_url: str, demand_version_id: int, supply_version_id: int, stamp: Stamp,
                          rows_stamp: Stamp, options: str) -> BalancedPlan:
    data = _cached_plan(database_url, demand_version_id, supply_version_id, stamp)
    rows = _cached_receipts_grid(database_url, supply_version_id, tuple(data.skus), rows_stamp)
    return balanced_plan(data, rows, BalanceOptions(**json.loads(options)))


def balanced(demand_version_id: int, supply_version_id: int, options: BalanceOptions | None = None) -> BalancedPlan:
    """The supply version balanced (supply.plan_balancing) with the page's options (unmet demand,
    whole lots, safety-stock penalty, SKU priorities: every field of BalanceOptions is in the key),
    solved once per plan stamp and options for every session; its edits carry the row versions of
    the receipts grid the same rerun shows. Read only."""
    return _cached_balanced_plan(settings().database_url, demand_version_id, supply_version_id, stamp_of("plan"),
                                 stamp_of("receipts_grid"),
                                 json.dumps(asdict(options or BalanceOptions()), sort_keys=True))


@st.cache_resource(max_entries=16, show_spinner="Balancing the scenario...")
def _cached_rebalanced(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: Stamp,
                       levers: str) -> Rebalanced:
    plan = _cached_plan(database_url, demand_version_id, supply_version_id, stamp)
    return evaluate_rebalanced(plan, Levers.from_dict(json.loads(levers)))


def rebalanced(demand_version_id: int, supply_version_id: int | None, levers: Levers) -> Rebalanced:
    """A scenario evaluated with its plan balanced (scenarios.rebalanced), once per plan stamp and
    levers for every session: a slider moved back costs no second solve. Read only."""
    return _cached_rebalanced(settings().database_url, demand_version_id, supply_version_id, stamp_of("plan"),
                              json.dumps(levers.to_dict(), sort_keys=True))


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_demand_chart(database_url: str, version_id: int, run_id: int | None, level: str, key: str, measure: str,
                         bucket: str, stamp: Stamp) -> pd.DataFrame:
    """`run_id` (the version's forecast run, whose band the chart draws) is part of the key, not an argument."""
    return demand_views.demand_chart(UnitOfWork(get_session_factory(database_url)), version_id, Node(level, key),
                                     measure, bucket)


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_override_grid(database_url: str, version_id: int, level: str, key: str, grid_level: str,
                          stamp: Stamp) -> pd.DataFrame:
    return demand_views.override_grid(UnitOfWork(get_session_factory(database_url)), version_id, Node(level, key),
                                      grid_level)


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_accuracy(database_url: str, level: str, key: str, per: str, lag: int | None,
                     stamp: Stamp) -> demand_views.AccuracyPanel:
    return demand_views.accuracy_panel(UnitOfWork(get_session_factory(database_url)), Node(level, key), per, lag,
                                       shortest_if_unknown=True)


@dataclass(frozen=True)
class DemandReview:
    """What the demand review of one plan version reads, cached for every session until plans,
    actuals, master data (prices, hierarchy) or forecasts change (AREAS["demand_review"], read once
    per rerun).
    At thousands of SKUs the grid and the accuracy read every row of the node; a rerun with
    nothing changed reads none. Each call returns the caller's own copy."""

    database_url: str
    version_id: int
    stamp: Stamp
    run_id: int | None = None  # the forecast run the version's statistical forecast and band come from

    def chart(self, node: Node, measure: str, bucket: str) -> pd.DataFrame:
        """demand_views.demand_chart: the band is the run's reconciled one where it has one (`Band`)."""
        return _cached_demand_chart(self.database_url, self.version_id, self.run_id, node.level, node.key, measure,
                                    bucket, self.stamp)

    def override_grid(self, node: Node, grid_level: str) -> pd.DataFrame:
        """The lock tokens in it are those of the rows the stamp saw, so a save checks what was shown."""
        return _cached_override_grid(self.database_url, self.version_id, node.level, node.key, grid_level,
                                     self.stamp)

    def accuracy_panel(self, node: Node, per: str, lag: int | None) -> demand_views.AccuracyPanel:
        """The shortest lag the approved plans have when `lag` is not one of them."""
        return _cached_accuracy(self.database_url, node.level, node.key, per, lag, self.stamp)


def demand_review(version_id: int) -> DemandReview:
    stamp = stamp_of("demand_review")  # before the data it stands for (module docstring)
    return DemandReview(settings().database_url, version_id, stamp, demand_views.source_run_id(uow(), version_id))


@st.cache_resource(max_entries=2, show_spinner="Computing the scorecard...")
def _cached_kpi_data(database_url: str, stamp: Stamp) -> KpiData:
    return load_kpi_data(UnitOfWork(get_session_factory(database_url)))


def kpi_data() -> KpiData:
    """What the scorecard is computed from, read again only when actuals, stock, plans, targets,
    master data or capacity change."""
    return _cached_kpi_data(settings().database_url, stamp_of("kpi"))
