"""Process-wide resources: settings, the migrated (and in demo mode seeded) database, and the
loaded plans and the views computed from them, cached per change stamp for every session."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import streamlit as st

import pandas as pd

from genxsop_core.demand import views as demand_views
from genxsop_core.admin import logs
from genxsop_core.supply import views as supply_views
from genxsop_core.bootstrap import prepare_database
from genxsop_core.config import Settings, load_settings
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.demand.views import Node
from genxsop_core.inventory.views import InventoryView, compute_view
from genxsop_core.kpi.views import KpiData, data_stamp, load_kpi_data
from genxsop_core.plans.data import PlanData, load_plan_data, plan_stamp
from genxsop_core.persistence.unit_of_work import UnitOfWork


@st.cache_resource(show_spinner="Preparing the database (first start seeds the demo company)...")
def ready_database(database_url: str) -> str:
    """Migrate (and seed, in demo mode) once per process and database."""
    prepare_database(load_settings())
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


@st.cache_resource(max_entries=8, show_spinner="Loading the plan...")
def _cached_plan(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: str) -> PlanData:
    return load_plan_data(UnitOfWork(get_session_factory(database_url)), demand_version_id, supply_version_id)


def plan_data(demand_version_id: int, supply_version_id: int | None) -> PlanData:
    """The loaded plan, shared by reruns and sessions until anything in it changes (PlanData is
    never modified: calculators only read it), so a slider rerun costs no query but the stamp."""
    stamp = plan_stamp(uow(), demand_version_id, supply_version_id)
    return _cached_plan(settings().database_url, demand_version_id, supply_version_id, stamp)


@st.cache_resource(max_entries=8, show_spinner="Computing the inventory policy...")
def _cached_inventory_view(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: str,
                           method: str) -> InventoryView:
    return compute_view(_cached_plan(database_url, demand_version_id, supply_version_id, stamp), method)


def inventory_view(demand_version_id: int, supply_version_id: int | None, method: str = "lead_time") -> InventoryView:
    """The policy table, exceptions and classes of a loaded plan, computed once per plan stamp and
    method for every session (the quantile safety stock draws take seconds at thousands of SKUs).
    Read only, like PlanData."""
    stamp = plan_stamp(uow(), demand_version_id, supply_version_id)
    return _cached_inventory_view(settings().database_url, demand_version_id, supply_version_id, stamp, method)


@st.cache_resource(max_entries=8, show_spinner="Checking capacity...")
def _cached_capacity(database_url: str, demand_version_id: int, supply_version_id: int | None, stamp: str,
                     n_draws: int) -> pd.DataFrame:
    return supply_views.capacity_check(_cached_plan(database_url, demand_version_id, supply_version_id, stamp), n_draws)


def capacity(demand_version_id: int, supply_version_id: int | None, n_draws: int = 500) -> pd.DataFrame:
    """Rough-cut capacity of a loaded plan (supply_views.capacity_check), once per plan stamp. Read only."""
    stamp = plan_stamp(uow(), demand_version_id, supply_version_id)
    return _cached_capacity(settings().database_url, demand_version_id, supply_version_id, stamp, n_draws)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_receipts_grid(database_url: str, version_id: int, skus: tuple[str, ...], stamp: str) -> pd.DataFrame:
    return supply_views.receipts_grid(UnitOfWork(get_session_factory(database_url)), version_id, list(skus))


def receipts_grid(demand_version_id: int, version_id: int, skus: list[str]) -> pd.DataFrame:
    """supply_views.receipts_grid, read again only when the plan changes (a save, an import)."""
    stamp = plan_stamp(uow(), demand_version_id, version_id)
    return _cached_receipts_grid(settings().database_url, version_id, tuple(skus), stamp)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_demand_chart(database_url: str, version_id: int, level: str, key: str, measure: str, bucket: str,
                         stamp: str) -> pd.DataFrame:
    return demand_views.demand_chart(UnitOfWork(get_session_factory(database_url)), version_id, Node(level, key),
                                     measure, bucket)


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_override_grid(database_url: str, version_id: int, level: str, key: str, grid_level: str,
                          stamp: str) -> pd.DataFrame:
    return demand_views.override_grid(UnitOfWork(get_session_factory(database_url)), version_id, Node(level, key),
                                      grid_level)


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_accuracy(database_url: str, level: str, key: str, per: str, lag: int | None,
                     stamp: str) -> demand_views.AccuracyPanel:
    return demand_views.accuracy_panel(UnitOfWork(get_session_factory(database_url)), Node(level, key), per, lag,
                                       shortest_if_unknown=True)


@dataclass(frozen=True)
class DemandReview:
    """What the demand review of one plan version reads, cached for every session until the plan,
    the actuals, prices or the hierarchy change (`demand_views.chart_stamp`, read once per rerun).
    At thousands of SKUs the grid and the accuracy read every row of the node; a rerun with
    nothing changed reads none. Each call returns the caller's own copy."""

    database_url: str
    version_id: int
    stamp: str

    def chart(self, node: Node, measure: str, bucket: str) -> pd.DataFrame:
        return _cached_demand_chart(self.database_url, self.version_id, node.level, node.key, measure, bucket,
                                    self.stamp)

    def override_grid(self, node: Node, grid_level: str) -> pd.DataFrame:
        """The lock tokens in it are those of the rows the stamp saw, so a save checks what was shown."""
        return _cached_override_grid(self.database_url, self.version_id, node.level, node.key, grid_level,
                                     self.stamp)

    def accuracy_panel(self, node: Node, per: str, lag: int | None) -> demand_views.AccuracyPanel:
        """The shortest lag the approved plans have when `lag` is not one of them."""
        return _cached_accuracy(self.database_url, node.level, node.key, per, lag, self.stamp)


def demand_review(version_id: int) -> DemandReview:
    return DemandReview(settings().database_url, version_id, demand_views.chart_stamp(uow(), version_id))


@st.cache_resource(max_entries=2, show_spinner="Computing the scorecard...")
def _cached_kpi_data(database_url: str, stamp: str) -> KpiData:
    return load_kpi_data(UnitOfWork(get_session_factory(database_url)))


def kpi_data() -> KpiData:
    """What the scorecard is computed from, read again only when actuals, stock, approved plans or
    targets change."""
    return _cached_kpi_data(settings().database_url, data_stamp(uow()))
