"""Users and the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    AuditLog,
    User,
)


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, user: User) -> None:
        self.session.add(user)

    def get(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def list(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(User)) or 0



@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    key_contains: str | None = None



class AuditLogRepository:
    """Read side of the append-only log (records are added only by the audit handler)."""

    def __init__(self, session: Session):
        self.session = session

    def _filtered(self, query: Select[Any], f: AuditFilter) -> Select[Any]:
        conditions = [
            (f.username, lambda v: AuditLog.username == v),
            (f.action, lambda v: AuditLog.action == v),
            (f.entity, lambda v: AuditLog.entity == v),
            (f.since, lambda v: AuditLog.at >= v),
            (f.until, lambda v: AuditLog.at < v),
            (f.key_contains, lambda v: AuditLog.key.contains(v)),
        ]
        for value, condition in conditions:
            if value:
                query = query.where(condition(value))
        return query

    def search(self, f: AuditFilter, limit: int = 500) -> list[AuditLog]:
        query = self._filtered(select(AuditLog), f).order_by(AuditLog.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def count(self, f: AuditFilter | None = None) -> int:
        query = self._filtered(select(func.count()).select_from(AuditLog), f or AuditFilter())
        return self.session.scalar(query) or 0

    def distinct_values(self, column: str) -> list[str]:
        col = getattr(AuditLog, column)
        return list(self.session.scalars(select(col).distinct().order_by(col)))
