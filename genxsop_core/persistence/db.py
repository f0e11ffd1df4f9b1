"""Engine and session factory, one engine per database URL per process.

SQLite gets foreign keys, WAL and a busy timeout so that the app, a background forecast
worker and the CLI can share the file; PostgreSQL runs with SQLAlchemy's defaults.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker

from genxsop_core.config import load_settings


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: GENXSOP_DATABASE_URL as set now)."""
    return _engine(url or load_settings().database_url)


# At most 15 connections a process, as SQLAlchemy's defaults (5 + 10) allow, but 10 of them kept open:
# an overflow connection is closed when it is given back, and the API's 20 clients at once opened and
# closed one per request at 5 (a PostgreSQL connection costs a new server process).
POOL_SIZE = 10
POOL_OVERFLOW = 5


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


@dataclass(frozen=True)
class DatabaseAnswer:
    """What the database said to `probe`."""

    where: str  # "SQLite file <path>" or "PostgreSQL <version> at host:port/database"
    millis: float  # how long `select 1` took
    size_bytes: int


def probe(url: str | None = None) -> DatabaseAnswer:
    """Ask the database for `select 1` and its size on a connection of its own: the health page's
    first check, which must work before any repository (or the schema) can be trusted. Raises
    when the database does not answer."""
    engine = get_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        connection.execute(text("select 1"))
        millis = (time.perf_counter() - started) * 1000
        if engine.dialect.name == "sqlite":
            path = engine.url.database or ""
            size = os.path.getsize(path) if path and os.path.exists(path) else 0
            where = f"SQLite file {path}"
        else:
            size = connection.execute(text("select pg_database_size(current_database())")).scalar_one()
            where = f"PostgreSQL {'.'.join(map(str, engine.dialect.server_version_info or ()))} " \
                    f"at {engine.url.host}:{engine.url.port or 5432}/{engine.url.database}"
    return DatabaseAnswer(where, millis, size)


def get_session_factory(url: str | None = None) -> sessionmaker[Session]:
    return _session_factory(url or load_settings().database_url)


@lru_cache(maxsize=8)
def _session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=_engine(url), expire_on_commit=False)
