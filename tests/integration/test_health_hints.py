"""System health carries the configuration hints planner pages no longer show: how to load data,
how the login cookie is signed."""
from __future__ import annotations

import dataclasses

import pytest

from genxsop_core.admin.health import HealthCheck, system_health
from genxsop_core.config import load_settings


def check(report, name: str):
    return next(c for c in report.checks if c.name == name)


@pytest.fixture
def settings(database_url, monkeypatch):
    monkeypatch.setenv("GENXSOP_DATABASE_URL", database_url)
    return load_settings()


def test_an_empty_database_says_how_to_load_data(uow_factory, admin, settings):
    data = check(system_health(uow_factory, admin, settings), "Data")
    assert data.status == "warning" and "`python -m genxsop_core import KIND FILE`" in data.detail


def test_a_loaded_database_counts_its_skus(demo, admin, settings):
    with demo() as uow:
        skus = uow.products.count()
    assert check(system_health(demo, admin, settings), "Data") == HealthCheck("Data", "ok", f"{skus:,} SKUs loaded")


@pytest.mark.parametrize("demo_mode, key, status", [(True, None, "ok"), (False, "a-long-secret", "ok"),
                                                    (False, None, "failed")])
def test_the_sign_in_cookie_check_names_the_setting(uow_factory, admin, settings, demo_mode, key, status):
    settings = dataclasses.replace(settings, demo=demo_mode, cookie_key=key)
    cookie = check(system_health(uow_factory, admin, settings), "Sign-in cookie")
    assert cookie.status == status and "GENXSOP_COOKIE_KEY" in cookie.detail
