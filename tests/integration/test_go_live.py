"""Going live on a demo database: the demo accounts go, and on request exactly the demo's rows.

Real data imported beside the demo's is kept (counted table by table); real data on top of demo
rows makes go-live refuse, naming the rows, and change nothing. A backup comes first, the cookie
key is required, only an admin may, and the audit trail says what was done.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from genxsop_core.admin import users
from genxsop_core.admin.go_live import demo_accounts, go_live
from genxsop_core.bootstrap import DEMO_USERS
from genxsop_core.config import load_settings
from genxsop_core.domain.exceptions import ConfigurationError, InvalidInput, PermissionDenied
from genxsop_core.domain.models import DEMO_IMPORTED_ORIGIN, AuditLog, Base
from genxsop_core.domain.permissions import ROLES
from genxsop_core.io import importer
from genxsop_core.persistence.db import get_engine
from genxsop_core.persistence.migrate import upgrade_database
from tests.conftest import actor_with, database_at_revision
from tests.integration.test_cli import cli
from tests.integration.test_import_service import DEMAND, INVENTORY, PRODUCTS, RESOURCES, ROUTINGS, SUPPLY

DEMO_NAMES = sorted(username for username, _, _ in DEMO_USERS)
NOT_COUNTED = {"audit_log", "data_generation", "setup_token"}
DEMO_SKU = "BEV-COF-001"  # a demo company product


def counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as connection:
        return {t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables if t.name not in NOT_COUNTED}


def settings_for(url: str, cookie_key: str | None = "a-long-random-cookie-key-for-tests"):
    return replace(load_settings(), database_url=url, bucket="week", demo=False, cookie_key=cookie_key)


@pytest.fixture
def with_pg_dump(database_url: str) -> str:
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (PostgreSQL client tools)")
    return database_url


def import_real_data(uow_factory, admin) -> None:
    """A small company's own master data and history, beside the demo's (no SKU in common)."""
    for kind, content in (("products", PRODUCTS), ("resources", RESOURCES), ("routings", ROUTINGS),
                          ("demand", DEMAND), ("inventory", INVENTORY)):
        importer.import_file(uow_factory(), admin, kind, f"{kind}.csv", content)


def test_go_live_removes_exactly_the_demo_accounts_and_rows(demo_history, with_pg_dump, admin, tmp_path):
    url = with_pg_dump
    import_real_data(demo_history, admin)
    users.add_user(demo_history(), admin, "ricarda", "Ricarda Real", "a-long-real-password", ["admin"])
    demo_only = counts(url)
    backup_file = tmp_path / "before-go-live.backup"

    report = go_live(demo_history, admin, settings_for(url), remove_demo_data=True, backup_file=backup_file)

    after = counts(url)
    real = {"app_user": 1, "product": 3, "resource": 1, "routing": 2, "demand_actual": 3,
            "inventory_snapshot": 2, "reason_code": 9}  # the standard reason codes stay
    assert after == {table: real.get(table, 0) for table in demo_only}
    assert report.rows_before == demo_only and report.rows_after == after
    assert sorted(report.accounts_removed) == DEMO_NAMES and users.get_user(demo_history(), "ricarda")
    assert report.backup_file == backup_file and backup_file.stat().st_size > 0
    with get_engine(url).connect() as connection:
        audit = connection.execute(sa.select(AuditLog).where(AuditLog.entity == "go_live")).one()
    assert audit.username == admin.username and audit.action == "go_live"
    assert audit.before["rows"]["product"] == 131 and audit.after["rows"]["product"] == 3
    assert sorted(audit.before["demo_accounts"]) == DEMO_NAMES
    assert "demand_actual: " in report.describe()


def test_without_the_flag_only_the_demo_accounts_go(demo, with_pg_dump, admin, tmp_path):
    url = with_pg_dump
    before = counts(url)
    report = go_live(demo, admin, settings_for(url), remove_demo_data=False, backup_file=tmp_path / "b.backup")
    assert counts(url) == {**before, "app_user": 0}
    assert sorted(report.accounts_removed) == DEMO_NAMES and demo_accounts(demo()) == []
    assert "demo data kept" in report.describe()


def _refused(uow_factory, admin, url: str, tmp_path: Path) -> str:
    before, backup_file = counts(url), tmp_path / "never.backup"
    with pytest.raises(InvalidInput) as refusal:
        go_live(uow_factory, admin, settings_for(url), remove_demo_data=True, backup_file=backup_file)
    assert counts(url) == before and sorted(demo_accounts(uow_factory())) == DEMO_NAMES
    assert not backup_file.exists()
    return str(refusal.value)


def test_a_real_import_over_a_demo_row_is_named_and_nothing_changes(demo, admin, tmp_path, database_url):
    header = PRODUCTS.splitlines()[0]
    importer.import_file(demo(), admin, "products", "products.csv",
                         header + f"\n{DEMO_SKU},Our espresso,Beverages,Coffee,5.0,9.0,10,1\n".encode())
    with demo() as uow:
        assert uow.products.get_by_sku(DEMO_SKU).origin == DEMO_IMPORTED_ORIGIN
    message = _refused(demo, admin, database_url, tmp_path)
    assert "product (demo rows a real import changed): BEV-COF-001" in message


def test_real_rows_referring_to_demo_rows_are_named(demo, admin, tmp_path, database_url):
    importer.import_file(demo(), admin, "demand", "demand.csv",
                         f"sku,period,ordered_qty\n{DEMO_SKU},2030-01-07,5\n".encode())
    importer.import_file(demo(), admin, "products", "products.csv", PRODUCTS)
    importer.import_file(demo(), admin, "supply", "supply.csv", SUPPLY)  # into the demo's working supply plan
    message = _refused(demo, admin, database_url, tmp_path)
    assert f"demand_actual (real rows referring to demo product rows): {DEMO_SKU}/2030-01-07" in message
    assert "supply_plan (real rows referring to demo plan_version rows)" in message and "A-1" in message


def test_the_demo_seeding_marks_what_it_created(demo_history, database_url):
    with get_engine(database_url).connect() as connection:
        for table in ("product", "demand_actual", "inventory_snapshot", "supply_plan", "plan_version",
                      "sop_cycle", "forecast_run", "routing", "resource"):
            origins = connection.execute(sa.text(f"SELECT DISTINCT origin FROM {table}")).scalars().all()  # noqa: S608
            assert origins == ["demo"], table
    assert sorted(demo_accounts(demo_history())) == DEMO_NAMES


def test_go_live_needs_the_cookie_key(demo, admin, database_url, tmp_path):
    before = counts(database_url)
    with pytest.raises(ConfigurationError, match="GENXSOP_COOKIE_KEY"):
        go_live(demo, admin, settings_for(database_url, cookie_key=None), remove_demo_data=False,
                backup_file=tmp_path / "b.backup")
    assert counts(database_url) == before and not (tmp_path / "b.backup").exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_an_admin_may_go_live(demo, database_url, role, tmp_path):
    with pytest.raises(PermissionDenied):
        go_live(demo, actor_with(role), settings_for(database_url), remove_demo_data=True,
                backup_file=tmp_path / "b.backup")
    assert sorted(demo_accounts(demo())) == DEMO_NAMES


def test_the_cli_asks_for_yes_then_goes_live(demo, database_url, tmp_path, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the CLI's way through go-live is the same on both databases")
    refused = cli(database_url, "go-live")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "--yes" in refused.stderr
    monkeypatch.setenv("GENXSOP_COOKIE_KEY", "a-long-random-cookie-key-for-tests")
    done = cli(database_url, "go-live", "--yes", "--backup", str(tmp_path / "b.db"))
    assert done.returncode == 0, done.stderr
    assert "demo accounts removed: admin" in done.stdout and (tmp_path / "b.db").exists()
    assert counts(database_url)["app_user"] == 0 and counts(database_url)["product"] == 128


# --- migration 0008 on a database seeded before it -------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at_revision(request.param, tmp_path, "0007") as url:
        yield url


def test_upgrading_a_demo_database_marks_its_demo_accounts(url_at_0007):
    accounts = sa.table("app_user", *(sa.column(c) for c in ("username", "name", "email", "password_hash",
                                                              "active", "failed_logins", "created_at")),
                        sa.column("roles", sa.JSON))
    people = [(u, f"{u}@demo.genxsop") for u in DEMO_NAMES] + [("ricarda", "ricarda@demo.genxsop"),
                                                               ("demand2", "demand@demo.genxsop")]
    with get_engine(url_at_0007).begin() as connection:
        connection.execute(accounts.insert(), [
            {"username": u, "name": u, "email": e, "password_hash": "x", "active": True, "failed_logins": 0,
             "created_at": datetime(2026, 1, 5, tzinfo=UTC), "roles": ["viewer"]} for u, e in people])
        connection.execute(sa.update(accounts).where(accounts.c.username == "viewer")
                           .values(email="vic@real.example"))  # a demo name with a real address: not the demo's
    upgrade_database(url_at_0007)
    with get_engine(url_at_0007).connect() as connection:
        marked = connection.execute(sa.text("SELECT username FROM app_user WHERE is_demo ORDER BY username"))
        assert marked.scalars().all() == [u for u in DEMO_NAMES if u != "viewer"]
