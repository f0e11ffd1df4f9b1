"""Apply Alembic migrations on start: the only way the schema is created or changed."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from genxsop_core.persistence.db import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x67E1505  # PostgreSQL advisory lock held while migrating


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str | None = None) -> None:
    """Bring the database at `url` to the newest schema revision (idempotent)."""
    engine = get_engine(url)
    cfg = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # replicas starting together migrate one after the other (the lock ends with the transaction)
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def revisions(url: str | None = None) -> tuple[str | None, str | None]:
    """(the database's schema revision, the newest this code knows): the health check compares them."""
    engine = get_engine(url)
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision(), head


def is_current(url: str | None = None) -> bool:
    """True when the database is at the newest revision."""
    current, head = revisions(url)
    return current == head
