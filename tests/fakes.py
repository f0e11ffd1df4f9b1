"""A unit of work kept in memory, for service rules where the database is not the point.

It satisfies genxsop_core.persistence.repositories.protocols (UserAdminWork, ReasonCodeWork) and keeps
the rules a service relies on: changes made in a block are kept only by `commit()`, leaving the
block (or an exception) throws them away, and every published event becomes an audit row at commit,
translated by the same `audit_record_for` the database's unit of work uses. Column defaults are
filled on `add` as an INSERT would fill them.

What it cannot show (SQL, constraints, two sessions at once, migrations) stays in the tests on
SQLite and PostgreSQL.
"""
from __future__ import annotations

import builtins
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from genxsop_core.domain.events import Event
from genxsop_core.domain.models import AuditLog, Base, ReasonCode, User
from genxsop_core.persistence.audit_trail import audit_record_for
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.persistence.repositories.protocols import ReasonCodeWork, UserAdminWork

Row = TypeVar("Row", bound=Base)


def _fresh(row: Row) -> Row:
    """A detached copy of a model instance: its column values only (lists copied too)."""
    values = {c.key: copy.copy(getattr(row, c.key)) for c in type(row).__table__.columns}
    return type(row)(**values)


def _with_defaults(row: Row) -> Row:
    """Fill the columns left unset with their defaults, as an INSERT does."""
    for column in type(row).__table__.columns:
        if getattr(row, column.key) is None and column.default is not None:
            default = column.default
            setattr(row, column.key, default.arg(None) if default.is_callable else default.arg)
    return row


def _aware(moment: datetime) -> datetime:
    """UTC when naive, as the database hands naive moments back on SQLite."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass
class MemoryStore:
    """The committed state: what a new unit of work starts from."""

    users: dict[str, User] = field(default_factory=dict)
    reason_codes: dict[str, ReasonCode] = field(default_factory=dict)
    audit: list[AuditLog] = field(default_factory=list)
    commits: int = 0


class MemoryUsers:
    def __init__(self, rows: dict[str, User]):
        self._rows = rows

    def add(self, user: User) -> None:
        user = _with_defaults(user)
        user.id = user.id or len(self._rows) + 1
        self._rows[user.username] = user

    def get(self, username: str) -> User | None:
        return self._rows.get(username)

    def list(self) -> list[User]:
        return [self._rows[name] for name in sorted(self._rows)]

    def count(self) -> int:
        return len(self._rows)

    def count_failed_login(self, username: str) -> int | None:
        user = self._rows.get(username)
        if user is None:
            return None
        user.failed_logins += 1
        return user.failed_logins

    def lock(self, username: str, until: datetime) -> None:
        user = self._rows.get(username)
        if user is not None:
            user.failed_logins, user.locked_until = 0, until

    def with_lock(self) -> builtins.list[User]:  # `list` is the method above, in here
        return [user for user in self.list() if user.locked_until is not None]


class MemoryReasonCodes:
    """The reason-code part of the plan repository (`uow.plans`)."""

    def __init__(self, rows: dict[str, ReasonCode]):
        self._rows = rows

    def reason_codes(self, active_only: bool = True) -> list[ReasonCode]:
        return [self._rows[code] for code in sorted(self._rows) if self._rows[code].active or not active_only]

    def add_reason_code(self, code: ReasonCode) -> None:
        code = _with_defaults(code)
        code.id = code.id or len(self._rows) + 1
        self._rows[code.code] = code


class MemoryAuditTrail:
    def __init__(self, rows: list[AuditLog]):
        self._rows = rows

    def _matching(self, f: AuditFilter) -> list[AuditLog]:
        checks: list[tuple[Any, Callable[[AuditLog, Any], bool]]] = [
            (f.username, lambda r, v: r.username == v),
            (f.action, lambda r, v: r.action == v),
            (f.entity, lambda r, v: r.entity == v),
            (f.since, lambda r, v: _aware(r.at) >= _aware(v)),
            (f.until, lambda r, v: _aware(r.at) < _aware(v)),
            (f.key_contains, lambda r, v: v in r.key),
        ]
        return [r for r in self._rows if all(check(r, value) for value, check in checks if value)]

    def search(self, f: AuditFilter, limit: int = 500) -> list[AuditLog]:
        return sorted(self._matching(f), key=lambda r: r.id, reverse=True)[:limit]

    def count(self, f: AuditFilter | None = None) -> int:
        return len(self._matching(f or AuditFilter()))

    def last_at(self) -> datetime | None:
        return max((r.at for r in self._rows), default=None)

    def distinct_values(self, column: str) -> list[str]:
        return sorted({getattr(r, column) for r in self._rows})


class MemoryUnitOfWork:
    """One use case on a `MemoryStore`: works on copies, hands them to the store at commit."""

    def __init__(self, store: MemoryStore):
        self._store = store
        self._events: list[Event] = []
        self._begin()

    def _begin(self) -> None:
        self._users = {name: _fresh(user) for name, user in self._store.users.items()}
        self._codes = {code: _fresh(row) for code, row in self._store.reason_codes.items()}
        self.users = MemoryUsers(self._users)
        self.plans = MemoryReasonCodes(self._codes)
        self.audit = MemoryAuditTrail(self._store.audit)  # append-only: only commit adds to it

    def __enter__(self) -> MemoryUnitOfWork:
        self._events = []
        self._begin()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    def publish(self, event: Event) -> None:
        self._events.append(event)

    def commit(self) -> None:
        events, self._events = self._events, []
        for event in events:
            record = audit_record_for(event)
            if record is not None:
                record.id = len(self._store.audit) + 1
                self._store.audit.append(_with_defaults(record))
        self._store.users = {name: _fresh(user) for name, user in self._users.items()}
        self._store.reason_codes = {code: _fresh(row) for code, row in self._codes.items()}
        self._store.commits += 1

    def rollback(self) -> None:
        self._events = []
        self._begin()


def memory_uow_factory(store: MemoryStore | None = None) -> Callable[[], MemoryUnitOfWork]:
    """Call it for a new unit of work on one shared in-memory store (a `uow_factory` stand-in)."""
    shared = store or MemoryStore()
    return lambda: MemoryUnitOfWork(shared)


def _conforms(uow: MemoryUnitOfWork) -> tuple[UserAdminWork, ReasonCodeWork]:
    """mypy checks here that the fake offers what the Protocols promise the services."""
    return uow, uow
