"""Shared fixtures: databases (SQLite always, PostgreSQL where a server answers), actors."""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from genxsop_core.admin import users
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork

POSTGRES_ADMIN_URL = os.environ.get("GENXSOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_reachable() -> bool:
    url = sa.engine.make_url(POSTGRES_ADMIN_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            pass
        with sa.create_engine(POSTGRES_ADMIN_URL).connect() as connection:
            connection.execute(sa.text("select 1"))
        return True
    except Exception:
        return False


POSTGRES_AVAILABLE = _postgres_reachable()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """bcrypt at 4 rounds in tests: same algorithm, 100x faster."""
    saved, users.BCRYPT_ROUNDS = users.BCRYPT_ROUNDS, 4
    yield
    users.BCRYPT_ROUNDS = saved


def _fresh_postgres_url() -> str:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"genxsop_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    get_engine(url).dispose()
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database: SQLite file, and PostgreSQL when reachable."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'genxsop.db'}"
        upgrade_database(url)
        yield url
        get_engine(url).dispose()
        return
    if not POSTGRES_AVAILABLE:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
    url = _fresh_postgres_url()
    upgrade_database(url)
    yield url
    _drop_postgres(url)


@pytest.fixture
def uow_factory(database_url: str):
    """Call it for a new unit of work on the test database."""
    return lambda: UnitOfWork(get_session_factory(database_url))


@pytest.fixture
def admin() -> Actor:
    return Actor("alice", ("admin",))


def actor_with(role: str) -> Actor:
    return Actor(f"{role}_user", (role,))


ALL_ROLES = ROLES
