"""What the services ask of a unit of work and its repositories, written down as Protocols.

The SQLAlchemy `UnitOfWork` and its repositories satisfy them structurally; so does the unit of
work kept in memory that the tests use where the database is not the point of a rule
(tests/fakes.py). A service typed against one of these promises to use nothing else, which is
what lets the fake stand in for the database.
"""
from __future__ import annotations

import builtins
from datetime import datetime
from types import TracebackType
from typing import Protocol

from genxsop_core.domain.events import Event
from genxsop_core.domain.models import AuditLog, ReasonCode, User
from genxsop_core.persistence.repositories.admin import AuditFilter


class Transaction(Protocol):
    """One use case, one transaction: nothing is kept unless `commit()` is called in the block."""

    def __enter__(self) -> Transaction: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def publish(self, event: Event) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UserStore(Protocol):
    """The accounts that may sign in (admin.users, admin.login_throttle)."""

    def add(self, user: User) -> None: ...

    def get(self, username: str) -> User | None: ...

    def list(self) -> list[User]: ...

    def count(self) -> int: ...

    def count_failed_login(self, username: str) -> int | None: ...

    def lock(self, username: str, until: datetime) -> None: ...

    def with_lock(self) -> builtins.list[User]: ...  # `list` is the method above, in here


class AuditTrail(Protocol):
    """The read side of the audit trail (rows are written by the unit of work at commit)."""

    def search(self, f: AuditFilter, limit: int = 500) -> list[AuditLog]: ...

    def count(self, f: AuditFilter | None = None) -> int: ...

    def last_at(self) -> datetime | None: ...

    def distinct_values(self, column: str) -> list[str]: ...


class ReasonCodeStore(Protocol):
    """The managed list of override reasons (kept by the plan repository: `uow.plans`)."""

    def reason_codes(self, active_only: bool = True) -> list[ReasonCode]: ...

    def add_reason_code(self, code: ReasonCode) -> None: ...


class UserAdminWork(Transaction, Protocol):
    """What user administration and sign-in throttling use."""

    @property
    def users(self) -> UserStore: ...

    @property
    def audit(self) -> AuditTrail: ...

    def __enter__(self) -> UserAdminWork: ...


class ReasonCodeWork(Transaction, Protocol):
    """What the reason-code services use."""

    @property
    def plans(self) -> ReasonCodeStore: ...

    @property
    def audit(self) -> AuditTrail: ...

    def __enter__(self) -> ReasonCodeWork: ...
