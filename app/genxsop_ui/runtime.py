"""Process-wide resources: settings, the migrated (and in demo mode seeded) database."""
from __future__ import annotations

import secrets

import streamlit as st

from genxsop_core import logs
from genxsop_core.bootstrap import prepare_database
from genxsop_core.config import Settings, load_settings
from genxsop_core.db import get_session_factory
from genxsop_core.kpi_views import KpiData, data_stamp, load_kpi_data
from genxsop_core.plan_data import PlanData, load_plan_data, plan_stamp
from genxsop_core.unit_of_work import UnitOfWork


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


@st.cache_resource(max_entries=2, show_spinner="Computing the scorecard...")
def _cached_kpi_data(database_url: str, stamp: str) -> KpiData:
    return load_kpi_data(UnitOfWork(get_session_factory(database_url)))


def kpi_data() -> KpiData:
    """What the scorecard is computed from, read again only when actuals, stock, approved plans or
    targets change."""
    return _cached_kpi_data(settings().database_url, data_stamp(uow()))
