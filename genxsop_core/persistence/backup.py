"""Backup and restore of the whole database: SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore.

A backup is consistent while the app runs (SQLite copies a snapshot page by page; pg_dump
reads in one repeatable-read transaction). A restore replaces everything, audit log
included, in one go: SQLite swaps the pages under one lock, pg_restore runs as a single
transaction, so a restore that fails leaves the database as it was. Stop the app and the
forecast workers before restoring (docs/operations.md).
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump/pg_restore with a fixed argv, never a shell
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import ConfigurationError, InvalidInput
from genxsop_core.domain.models import AuditLog, DemandActual, Product, User
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.repositories import GenerationRepository
from genxsop_core.persistence.unit_of_work import UnitOfWork

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupSummary:
    file: Path
    bytes: int
    products: int
    demand_rows: int
    users: int
    audit_records: int

    def describe(self) -> str:
        return (f"{self.file}: {self.bytes / 2**20:.1f} MiB; {self.products} products, {self.demand_rows} demand rows, "
                f"{self.users} users, {self.audit_records} audit records")


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up")
    return Path(path)


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq URLs: postgresql://user:password@host:port/db, without the +driver."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigurationError(f"{name} is not installed: install the PostgreSQL client tools "
                                 "(Debian: apt-get install postgresql-client) matching the server's version")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise InvalidInput(f"{Path(command[0]).name} failed: {message[-1] if message else done.returncode}")


def _counts(url: str, file: Path) -> BackupSummary:
    """What the database holds now, so the operator sees at once whether the copy is the one wanted."""
    with UnitOfWork(get_session_factory(url)) as uow:
        counts = [uow.tables.count(model) for model in (Product, DemandActual, User, AuditLog)]
    return BackupSummary(file, file.stat().st_size, *counts)


def _check_sqlite_backup(backup: sqlite3.Connection, source: Path) -> None:
    """Refuse before touching the live database: a damaged file, or a SQLite file that is not GenXSOP's."""
    try:
        (verdict,) = backup.execute("PRAGMA quick_check").fetchone()
        revision = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"{source} is not a GenXSOP backup ({error})") from None
    if verdict != "ok" or revision is None:
        raise InvalidInput(f"{source} is damaged or not a GenXSOP backup (integrity: {verdict})")


def _generations_now(url: str) -> dict[str, int]:
    """The live database's generation counters (none before migration 0006), read before a restore."""
    with UnitOfWork(get_session_factory(url)) as uow:
        counters = GenerationRepository(uow.session)
        return counters.current() if counters.table_exists() else {}


def backup_database(url: str, file: str | Path) -> BackupSummary:
    """Write a consistent copy of the database at `url` to `file` (SQLite file or pg_dump archive)."""
    target = Path(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
              f"--dbname={_libpq_url(url)}"])
    return _counts(url, target)


def restore_database(url: str, file: str | Path, actor: str) -> BackupSummary:
    """Replace the database at `url` with the backup in `file`, all or nothing; then migrate it (an
    older backup) and append who restored what to the restored audit log.

    The backup brings back its own, older generation counters; each is lifted past the number the
    live database had reached before the restore event bumps every area, so no page cache of any
    replica can take the restored data for figures it has already cached."""
    source = Path(file)
    if not source.is_file():
        raise InvalidInput(f"no backup file {source}")
    head = source.read_bytes()[:16]
    reached = _generations_now(url)
    if url.startswith("sqlite"):
        if head != SQLITE_MAGIC:
            raise InvalidInput(f"{source} is not a SQLite backup (made with `backup` from a SQLite database?)")
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _check_sqlite_backup(backup, source)
            get_engine(url).dispose()  # no pooled connection may keep reading the old pages
            live = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                with live:
                    backup.backup(live)
            finally:
                live.close()
        finally:
            backup.close()
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise InvalidInput(f"{source} is not a pg_dump archive (made with `backup` from a PostgreSQL database?)")
        get_engine(url).dispose()
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_libpq_url(url)}", str(source)])
    upgrade_database(url)
    summary = _counts(url, source)
    with UnitOfWork(get_session_factory(url)) as uow:
        GenerationRepository(uow.session).raise_to(reached)
        uow.publish(RecordChanged(actor, action="restore", entity="database", key=source.name,
                                  after={"file": str(source), "products": summary.products,
                                         "demand_rows": summary.demand_rows, "users": summary.users}))
        uow.commit()
    return summary
