"""System health for admins: is the database there and current, can the models run, how did runs go.

Each check says ok, warning or failed with a one-line detail, and never raises: a health
page that crashes when the database is down would hide the one thing it must show.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Literal
from urllib.parse import urlparse

from genxsop_core.admin import login_throttle
from genxsop_core.admin.go_live import demo_accounts
from genxsop_core.config import Settings, load_settings
from genxsop_core.domain.models import utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import UNFINISHED_RUN, RunStatus
from genxsop_core.forecasting import registry
from genxsop_core.forecasting.base import Strategy
from genxsop_core.forecasting.views import RunSummary, list_runs
from genxsop_core.persistence.db import probe
from genxsop_core.persistence.migrate import revisions
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.presentation.numbers import plural

Status = Literal["ok", "warning", "failed"]
RECENT_RUNS = 10


@dataclass(frozen=True)
class HealthCheck:
    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class HealthReport:
    checks: list[HealthCheck]
    runs: list[RunSummary] = field(default_factory=list)
    checked_at: datetime | None = None

    @property
    def status(self) -> Status:
        states = {c.status for c in self.checks}
        return "failed" if "failed" in states else "warning" if "warning" in states else "ok"


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def _database(url: str) -> HealthCheck:
    answer = probe(url)
    return HealthCheck("Database", "ok", f"{answer.where} answers in {answer.millis:.0f} ms; "
                                         f"{answer.size_bytes / 2**20:.1f} MiB")


def _migrations(url: str) -> HealthCheck:
    current, head = revisions(url)
    if current == head:
        return HealthCheck("Schema", "ok", f"at the newest migration ({head})")
    return HealthCheck("Schema", "failed", f"database at revision {current or 'none'}, code expects {head}: "
                       "run `python -m genxsop_core init-db`")


def _model(strategy: type[Strategy]) -> HealthCheck:
    reason = strategy.from_options({}).availability()
    if reason is None:
        return HealthCheck(strategy.label, "ok", "installed and working")
    return HealthCheck(strategy.label, "warning", f"unavailable, auto leaves it out: {reason}")


def _forecast_workers(settings: Settings) -> HealthCheck:
    if not settings.dask_scheduler:
        workers = settings.forecast_workers or os.cpu_count() or 1
        return HealthCheck("Forecast workers", "ok", f"local processes on this machine ({workers})")
    address = urlparse(settings.dask_scheduler if "://" in settings.dask_scheduler
                       else f"tcp://{settings.dask_scheduler}")
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 8786), timeout=2):
            pass
    except OSError as error:
        return HealthCheck("Forecast workers", "failed",
                           f"Dask scheduler {settings.dask_scheduler} does not answer ({error})")
    return HealthCheck("Forecast workers", "ok", f"Dask scheduler {settings.dask_scheduler} answers")


def _runs_check(runs: list[RunSummary]) -> HealthCheck:
    if not runs:
        return HealthCheck("Forecast runs", "ok", "no runs yet")
    failed = [r for r in runs if r.status == RunStatus.FAILED]
    running = [r for r in runs if r.status in UNFINISHED_RUN]
    detail = (f"last run #{runs[0].id} {runs[0].status} ({runs[0].created_at:%Y-%m-%d %H:%M}); "
              f"of the last {len(runs)}: {len(failed)} failed, {len(running)} queued or running")
    return HealthCheck("Forecast runs", "warning" if runs[0].status == RunStatus.FAILED else "ok", detail)


def _accounts(uow: UnitOfWork) -> HealthCheck:
    with uow:
        locked = [u.username for u in uow.users.with_lock() if login_throttle.lock_end(u.locked_until)]
        last_write = uow.audit.last_at()
    audit = f"last audit record {last_write:%Y-%m-%d %H:%M}" if last_write else "no audit records yet"
    if locked:
        return HealthCheck("Accounts", "warning", f"locked after wrong passwords: {', '.join(locked)}; {audit}")
    return HealthCheck("Accounts", "ok", f"no account locked; {audit}")


def demo_accounts_warning(names: list[str]) -> str:
    """What an admin reads while demo accounts exist outside demo mode, and the fix."""
    return (f"demo accounts with the public demo password still exist: {', '.join(names)}. They cannot "
            "sign in outside demo mode; remove them with go-live (`python -m genxsop_core go-live --yes` "
            "or Admin, Go live): see README, Going live")


def _demo_accounts(uow: UnitOfWork, settings: Settings) -> HealthCheck:
    names = demo_accounts(uow)
    if settings.demo:
        return HealthCheck("Demo accounts", "ok", f"demo mode: {plural(len(names), 'demo account')} sign"
                           f"{'s' if len(names) == 1 else ''} in with the public demo password; not for real data")
    if names:
        return HealthCheck("Demo accounts", "failed", demo_accounts_warning(names))
    return HealthCheck("Demo accounts", "ok", "no demo accounts")


def _data(uow: UnitOfWork) -> HealthCheck:
    """Whether there is anything to plan: planner pages only say "import on the Data page"."""
    with uow:
        skus = uow.products.count()
    if skus:
        return HealthCheck("Data", "ok", f"{skus:,} SKUs loaded")
    return HealthCheck("Data", "warning", "no products loaded yet: import the product master, then demand history, "
                       "stock and capacity on the Data page or with `python -m genxsop_core import KIND FILE`")


def _sign_in_cookie(settings: Settings) -> HealthCheck:
    """How the login cookie is signed (planners only see that they may have to sign in again)."""
    if settings.cookie_key:
        return HealthCheck("Sign-in cookie", "ok", "signed with GENXSOP_COOKIE_KEY: sign-ins last across restarts")
    return HealthCheck("Sign-in cookie", "ok" if settings.demo else "failed",
                       "a key generated at this start signs the login cookie, so every sign-in ends at a restart "
                       "(demo mode only); set GENXSOP_COOKIE_KEY to a long random secret to keep them")


def _logs() -> HealthCheck:
    folder = os.environ.get("GENXSOP_LOG_DIR")
    return HealthCheck("Logs", "ok", f"JSON lines on stderr and in {folder}/genxsop.jsonl" if folder
                       else "JSON lines on stderr (set GENXSOP_LOG_DIR to keep a file)")


def system_health(uow_factory: Callable[[], UnitOfWork], actor: Actor,
                  settings: Settings | None = None) -> HealthReport:
    """Every check, each caught on its own; later database checks are skipped if it is unreachable."""
    require(actor, "system.health")
    settings = settings or load_settings()
    checks: list[HealthCheck] = []
    runs: list[RunSummary] = []

    def attempt(name: str, check: Callable[[], HealthCheck]) -> bool:
        try:
            checks.append(check())
            return True
        except Exception as error:  # noqa: BLE001 - a health check reports, it does not raise
            checks.append(HealthCheck(name, "failed", _first_line(error)))
            return False

    if attempt("Database", lambda: _database(settings.database_url)):
        attempt("Schema", lambda: _migrations(settings.database_url))
        attempt("Accounts", lambda: _accounts(uow_factory()))
        attempt("Demo accounts", lambda: _demo_accounts(uow_factory(), settings))
        attempt("Data", lambda: _data(uow_factory()))
        try:
            runs = list_runs(uow_factory(), RECENT_RUNS)
            checks.append(_runs_check(runs))
        except Exception as error:  # noqa: BLE001
            checks.append(HealthCheck("Forecast runs", "failed", _first_line(error)))
    for model in registry.strategy_classes():
        if model.optional:  # the core install runs the others
            attempt(model.label, partial(_model, model))
    attempt("Forecast workers", lambda: _forecast_workers(settings))
    checks.append(_sign_in_cookie(settings))
    checks.append(_logs())
    return HealthReport(checks, runs, utcnow())
