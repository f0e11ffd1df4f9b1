"""Shared fixtures: databases (SQLite always, PostgreSQL where a server answers), actors.

Migrating a database takes a second or two, seeding the demo company ten and its planning history
a minute: each content a test database can start with (`empty`, `demo`, `demo_history`) is built
once per test run as a template and copied per test (a file copy on SQLite, CREATE DATABASE ...
TEMPLATE on PostgreSQL). The pytest-xdist workers of a run share the templates (`DatabaseTemplates`).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from filelock import FileLock

from genxsop_core.admin import users
from genxsop_core.bootstrap import SYSTEM, prepare_database, seed_demo
from genxsop_core.config import load_settings
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.migrate import alembic_config, upgrade_database
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


def _fresh_postgres_url(template: str | None = None, prefix: str = "genxsop_test") -> str:
    """A new database with a unique name (tests share the server), empty or a copy of `template`."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy_of}'))
    admin.dispose()
    return sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    get_engine(url).dispose()
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _with_demo(url: str) -> None:
    """The demo company (128 SKUs, weekly), its reason codes and users: what `seed_demo` loads."""
    upgrade_database(url)
    seed_demo(UnitOfWork(get_session_factory(url)), SYSTEM, "week")


def _with_demo_history(url: str) -> None:
    """The demo as the app seeds it on first start: the company plus its planning history."""
    prepare_database(replace(load_settings(), database_url=url, demo=True, bucket="week"))


# what a test database can start with -> how its template is built
CONTENTS: dict[str, Callable[[str], None]] = {
    "empty": upgrade_database,
    "demo": _with_demo,
    "demo_history": _with_demo_history,
}


class DatabaseTemplates:
    """Templates built on first use and copied for each test.

    One set per test run: the pytest-xdist workers of a run share it (a file lock per template:
    the first worker to need one builds it, the others wait and copy), so the demo's planning
    history is seeded once per database kind, not once per worker. A PostgreSQL template's name is
    written next to the SQLite files; the process that ends the run drops them (`drop_all`).
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._directory.mkdir(parents=True, exist_ok=True)
        self._known: dict[tuple[str, str], str] = {}  # (dialect, content) -> file path or database name

    def _template(self, dialect: str, content: str) -> str:
        key = (dialect, content)
        if key not in self._known:
            with FileLock(self._directory / f"{content}.{dialect}.lock"):
                self._known[key] = self._find_or_build(dialect, content)
        return self._known[key]

    def _find_or_build(self, dialect: str, content: str) -> str:
        made = self._directory / f"{content}.{dialect}.built"  # holds the template's path or name
        if made.exists():
            return made.read_text()
        with pytest.MonkeyPatch.context() as env:  # the same light models whichever test builds it
            env.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
            template = self._build_sqlite(content) if dialect == "sqlite" else self._build_postgres(content)
        made.write_text(template)
        return template

    def _build_sqlite(self, content: str) -> str:
        path = self._directory / f"{content}.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        CONTENTS[content](url)
        get_engine(url).dispose()
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode=DELETE")  # fold the WAL into the file: one file copies whole
        connection.close()
        return str(path)

    def _build_postgres(self, content: str) -> str:
        url = _fresh_postgres_url(prefix=f"genxsop_template_{content}")
        name = str(sa.engine.make_url(url).database)
        (self._directory / f"{name}.postgresql.pending").write_text(name)  # dropped at the end, built or not
        try:
            CONTENTS[content](url)
        finally:
            get_engine(url).dispose()  # a template with a connection open cannot be copied
        return name

    def sqlite_file(self, content: str) -> Path:
        """The SQLite template of `content` itself: copy it, never open it."""
        return Path(self._template("sqlite", content))

    def copy(self, dialect: str, content: str, directory: Path) -> str:
        """The URL of a new database holding `content`: a file in `directory`, or a PostgreSQL copy."""
        template = self._template(dialect, content)
        if dialect == "sqlite":
            path = directory / "genxsop.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        return _fresh_postgres_url(template)

    @staticmethod
    def drop_all(directory: Path) -> None:
        """Drop the PostgreSQL templates made in `directory` (the run is over)."""
        for pending in directory.glob("*.postgresql.pending"):
            _drop_postgres(sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=pending.read_text())
                           .render_as_string(hide_password=False))


def _templates_directory(base: Path) -> Path:
    return base / "genxsop-templates"


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    """The run's templates: in the run's own temporary folder, which an xdist worker's is inside."""
    base = tmp_path_factory.getbasetemp()
    return DatabaseTemplates(_templates_directory(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL templates go when the run ends: in the process that started it (not in an
    xdist worker, whose colleagues may still copy them)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory: pytest.TempPathFactory | None = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and POSTGRES_AVAILABLE:
        directory = _templates_directory(factory.getbasetemp())
        if directory.exists():
            DatabaseTemplates.drop_all(directory)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """xdist's `loadgroup` with the browser tests (tests/e2e) as one group, run by one worker: they
    share one `streamlit run` and one Chromium, which every worker would otherwise start and seed.
    Grouped by folder here because xdist 3.8 cannot read `xdist_group` marks under pytest 9.2
    (it renames `item._nodeid`, which pytest no longer reads)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith("tests/e2e/") else super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


def drop_database(url: str) -> None:
    """Remove a test database made by `DatabaseTemplates.copy` (its SQLite file goes with tmp_path)."""
    if url.startswith("sqlite"):
        get_engine(url).dispose()
    else:
        _drop_postgres(url)


def _content_asked_for(request: pytest.FixtureRequest) -> str:
    """`demo_history` or `demo` when the test asks for that fixture, else `empty`."""
    return next((name for name in ("demo_history", "demo") if name in request.fixturenames), "empty")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 database_templates: DatabaseTemplates) -> Iterator[str]:
    """A migrated database of the test's own: SQLite file, and PostgreSQL when reachable. Empty,
    unless the test asks for `demo` or `demo_history`: then it holds that from the start."""
    if request.param == "postgresql" and not POSTGRES_AVAILABLE:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
    url = database_templates.copy(request.param, _content_asked_for(request), tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def uow_factory(database_url: str):
    """Call it for a new unit of work on the test database."""
    return lambda: UnitOfWork(get_session_factory(database_url))


@pytest.fixture
def demo(uow_factory, monkeypatch: pytest.MonkeyPatch):
    """The demo company in the test's database (see `database_url`); returns the uow factory.
    Light models only in forecast runs: the heavy ones would make these tests slow."""
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    return uow_factory


@pytest.fixture
def demo_history(uow_factory, monkeypatch: pytest.MonkeyPatch):
    """The demo company with its planning history (as the app seeds it on first start)."""
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    return uow_factory


@pytest.fixture
def admin() -> Actor:
    return Actor("alice", ("admin",))


def actor_with(role: str) -> Actor:
    return Actor(f"{role}_user", (role,))


ALL_ROLES = ROLES


@contextlib.contextmanager
def database_at_revision(kind: str, tmp_path: Path, revision: str) -> Iterator[str]:
    """An empty database (SQLite file or a new PostgreSQL database) migrated only up to `revision`, for
    tests of the migrations after it; dropped afterwards."""
    if kind == "postgresql" and not POSTGRES_AVAILABLE:
        pytest.skip("no PostgreSQL server answers")
    url = f"sqlite:///{tmp_path / 'old.db'}" if kind == "sqlite" else _fresh_postgres_url()
    command.upgrade(alembic_config(url), revision)
    try:
        yield url
    finally:
        if kind == "sqlite":
            get_engine(url).dispose()
        else:
            _drop_postgres(url)
