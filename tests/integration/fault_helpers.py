"""Faults for tests/integration/test_faults.py: a whole-database fingerprint, a failing statement or
commit, and a subprocess that stops in the middle of its transaction until it is killed.

    python -m tests.integration.fault_helpers URL PAUSE_FILE "INSERT INTO audit_log" 1 import demand d.csv FILE

runs one service call against URL and, right after the first statement starting with
"INSERT INTO audit_log" has run (its transaction still open), writes PAUSE_FILE and sleeps.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "COMMIT"  # a fault at the commit itself, after every statement of the transaction ran
INJECTED = "injected fault: disk I/O error"


def database_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows (in any order): equal means the same content."""
    with get_engine(url).connect() as connection:
        fingerprint = {}
        for name in sorted(sa.inspect(connection).get_table_names()):
            rows = sorted(repr(tuple(row)) for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')))
            fingerprint[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return fingerprint


def _starts(statement: str, prefix: str) -> bool:
    return " ".join(statement.split()).upper().startswith(prefix.upper())


@contextmanager
def failing(url: str, prefix: str, nth: int = 1) -> Iterator[None]:
    """The `nth` statement starting with `prefix` fails as the driver would (OperationalError).

    With prefix COMMIT the commit fails instead: the first commit of a transaction that ran an
    INSERT INTO audit_log, i.e. of a service's unit of work after its audit record was written.
    """
    engine = get_engine(url)
    driver_error = engine.dialect.loaded_dbapi.OperationalError
    seen = 0

    def on_statement(connection, cursor, statement, parameters, context, executemany) -> None:
        nonlocal seen
        if prefix == COMMIT:
            connection.info["audited"] = connection.info.get("audited") or _starts(statement, "INSERT INTO audit_log")
            return
        if _starts(statement, prefix):
            seen += 1
            if seen == nth:
                raise driver_error(INJECTED)

    def on_commit(connection) -> None:
        nonlocal seen
        if connection.info.pop("audited", False) and not seen:
            seen = 1
            raise sa.exc.OperationalError("COMMIT", None, driver_error(INJECTED))

    def on_rollback(connection) -> None:
        connection.info.pop("audited", None)

    listeners = [("before_cursor_execute", on_statement), ("commit", on_commit), ("rollback", on_rollback)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert seen >= nth if prefix != COMMIT else seen, f"the fault at {prefix!r} #{nth} never fired"


@contextmanager
def dropped_connection(url: str, prefix: str) -> Iterator[None]:
    """PostgreSQL ends the session (pg_terminate_backend) just before the first statement starting with
    `prefix` runs on it, as a server restart or a network cut would."""
    engine = get_engine(url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    dropped = False

    def on_statement(connection, cursor, statement, parameters, context, executemany) -> None:
        nonlocal dropped
        if not dropped and _starts(statement, prefix):
            dropped = True
            with admin.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"),
                              {"pid": connection.connection.dbapi_connection.info.backend_pid})

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        admin.dispose()
    assert dropped, f"no statement started with {prefix!r}"


def start_paused(url: str, pause_file: Path, prefix: str, nth: int, *action: str,
                 timeout_s: float = 90.0) -> subprocess.Popen:
    """Start the subprocess below and return once it sits in its open transaction (pause file written)."""
    process = subprocess.Popen([sys.executable, "-m", "tests.integration.fault_helpers", url, str(pause_file), prefix,
                                str(nth), *action], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while not pause_file.exists():
        if process.poll() is not None:
            raise AssertionError(f"the subprocess ended before pausing:\n{process.stdout.read().decode()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the subprocess never reached {prefix!r} #{nth}")
        time.sleep(0.05)
    return process


def encode_edits(edits: list) -> str:
    return json.dumps([{k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(e).items()} for e in edits])


def _pause_after(url: str, pause_file: Path, prefix: str, nth: int) -> None:
    seen = 0

    def after_statement(connection, cursor, statement, parameters, context, executemany) -> None:
        nonlocal seen
        if _starts(statement, prefix):
            seen += 1
            if seen == nth:
                pause_file.write_text(statement)
                time.sleep(3600)  # the test kills us here, mid-transaction

    event.listen(get_engine(url), "after_cursor_execute", after_statement)


def _import(uow_factory: Callable[[], UnitOfWork], kind: str, filename: str, path: str) -> object:
    from genxsop_core.domain.permissions import Actor
    from genxsop_core.io import importer

    return importer.import_file(uow_factory(), Actor("root", ("admin",)), kind, filename, Path(path).read_bytes())


def _save_overrides(uow_factory: Callable[[], UnitOfWork], version_id: str, edits: str) -> object:
    from genxsop_core.demand import plans as demand_plans
    from genxsop_core.domain.permissions import Actor

    parsed = [demand_plans.OverrideEdit(**{**e, "period": date.fromisoformat(e["period"])}) for e in json.loads(edits)]
    return demand_plans.save_overrides(uow_factory(), Actor("demand_planner_user", ("demand_planner",)),
                                       int(version_id), parsed)


def _execute_run(uow_factory: Callable[[], UnitOfWork], run_id: str) -> object:
    from genxsop_core.forecasting import runs as forecast_runs

    return forecast_runs.execute_run(uow_factory, int(run_id), workers=1)


ACTIONS = {"import": _import, "save_overrides": _save_overrides, "execute_run": _execute_run}


def main(argv: list[str]) -> None:
    url, pause_file, prefix, nth, action, *arguments = argv
    _pause_after(url, Path(pause_file), prefix, int(nth))
    ACTIONS[action](lambda: UnitOfWork(get_session_factory(url)), *arguments)
    raise SystemExit(f"{action} finished without reaching {prefix!r} #{nth}")


if __name__ == "__main__":
    main(sys.argv[1:])
