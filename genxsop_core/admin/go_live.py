"""Going live on the database the demo ran on: the demo accounts go, and on request the demo's data.

The demo accounts share a public password, so a database that keeps them is not safe to use for
real. Go-live removes them (and, when asked, every row the demo created) in one transaction,
after a backup, and only when the cookie key is set (without it the sign-in cookie of a real
deployment could be forged). It refuses, changing nothing, when real data sits on top of demo
rows: a demo row a real import changed, or a real row that points at a demo row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from genxsop_core.config import Settings
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import ConfigurationError, InvalidInput
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.persistence import backup
from genxsop_core.persistence.repositories.demo_data import BlockingRows
from genxsop_core.persistence.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class GoLiveReport:
    backup_file: Path
    accounts_removed: list[str]
    demo_data_removed: bool
    rows_before: dict[str, int]
    rows_after: dict[str, int]

    def changed_tables(self) -> dict[str, tuple[int, int]]:
        """table -> (rows before, rows after), only the tables go-live changed."""
        return {t: (n, self.rows_after.get(t, 0)) for t, n in self.rows_before.items()
                if n != self.rows_after.get(t, 0)}

    def describe(self) -> str:
        lines = [f"backup written first: {self.backup_file}",
                 "demo accounts removed: " + (", ".join(self.accounts_removed) or "none (there were none)")]
        if self.demo_data_removed:
            lines.append("demo data removed; rows per table (before -> after):")
            lines += [f"  {table}: {before} -> {after}" for table, (before, after) in self.changed_tables().items()]
            lines.append(f"  ({sum(self.rows_after.values())} rows kept: real data, and the standard reason codes)")
        else:
            lines.append("demo data kept (add --remove-demo-data to remove it)")
        return "\n".join(lines)


def demo_accounts(uow: UnitOfWork) -> list[str]:
    """The demo accounts still in the database (they sign in with the public demo password)."""
    with uow:
        return uow.tables.demo_data().demo_accounts()


def _refusal(blocking: list[BlockingRows]) -> InvalidInput:
    return InvalidInput("go-live changed nothing: real data sits on top of the demo's, so its rows cannot be "
                        "told apart safely - " + "; ".join(b.describe() for b in blocking)
                        + ". Keep the demo data (go-live without --remove-demo-data) or start from an empty "
                        "database and import the real data there (README, Going live)")


def default_backup_file(settings: Settings, now: datetime | None = None) -> Path:
    """Next to the SQLite file (or in the working folder for PostgreSQL), named by the time."""
    stamp = f"{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}"
    if settings.is_sqlite:
        database = make_url(settings.database_url).database or "genxsop.db"
        return Path(database).resolve().parent / f"genxsop-before-go-live-{stamp}.db"
    return Path.cwd() / f"genxsop-before-go-live-{stamp}.dump"


def go_live(uow_factory: Callable[[], UnitOfWork], actor: Actor, settings: Settings, *,
            remove_demo_data: bool, backup_file: Path | None = None) -> GoLiveReport:
    """Back up, then remove the demo accounts (and the demo's rows if asked) in one transaction."""
    require(actor, "system.go_live")
    if not settings.cookie_key:
        raise ConfigurationError("go-live needs GENXSOP_COOKIE_KEY: set it to a long random secret (it signs "
                                 "the sign-in cookie), restart, then go live")
    if remove_demo_data:
        with uow_factory() as uow:  # refuse before writing a backup nobody needs
            blocking = uow.tables.demo_data().blocking_rows()
        if blocking:
            raise _refusal(blocking)
    target = backup_file or default_backup_file(settings)
    backup.backup_database(settings.database_url, target)
    with uow_factory() as uow:
        demo = uow.tables.demo_data()
        if remove_demo_data and (blocking := demo.blocking_rows()):
            raise _refusal(blocking)  # real data arrived since the check above
        before, accounts = demo.row_counts(), demo.demo_accounts()
        demo.delete_demo_accounts()
        if remove_demo_data:
            demo.delete_demo_rows()
        uow.flush()
        after = demo.row_counts()
        uow.publish(RecordChanged(actor.username, action="go_live", entity="go_live", key=str(target),
                                  before={"rows": before, "demo_accounts": accounts},
                                  after={"rows": after, "demo_accounts": [], "backup": str(target),
                                         "demo_data_removed": remove_demo_data}))
        uow.commit()
    return GoLiveReport(target, accounts, remove_demo_data, before, after)
