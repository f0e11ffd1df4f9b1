"""Users and the audit trail."""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    ApiKey,
    AuditLog,
    SetupToken,
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

    def count_failed_login(self, username: str) -> int | None:
        """Add one wrong password to the account's count in a single UPDATE (two replicas counting at
        once lose no failure); the new count, or None when there is no such account."""
        return self.session.execute(
            update(User).where(User.username == username).values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins)).scalar_one_or_none()

    def lock(self, username: str, until: datetime) -> None:
        """Lock the account until `until`; its count of wrong passwords starts again."""
        self.session.execute(update(User).where(User.username == username)
                             .values(failed_logins=0, locked_until=until))

    def with_lock(self) -> builtins.list[User]:  # `list` is the method above, in here
        """The accounts that carry a lock (it may have run out since)."""
        return list(self.session.scalars(select(User).where(User.locked_until.is_not(None))
                                         .order_by(User.username)))



class SetupTokenRepository:
    """The one-time tokens that let the first administrator be created (admin.setup): hashes only."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, token: SetupToken) -> None:
        self.session.add(token)

    def find(self, token_hash: str) -> SetupToken | None:
        return self.session.scalar(select(SetupToken).where(SetupToken.token_hash == token_hash))

    def lock_unused(self) -> list[SetupToken]:
        """Every token not used yet, locked until the transaction ends (PostgreSQL: FOR UPDATE, in id
        order; SQLite ignores it and serialises writers instead), so two first-administrator forms
        sent at once take turns."""
        return list(self.session.scalars(select(SetupToken).where(SetupToken.used_at.is_(None))
                                         .order_by(SetupToken.id).with_for_update()))

    def mark_used(self, token_id: int, at: datetime, by: str) -> bool:
        """Use the token if it is still unused, in one UPDATE: False when another transaction used it
        first (on SQLite, where nothing was locked, this is what stops the second of two)."""
        used = self.session.execute(update(SetupToken)
                                    .where(SetupToken.id == token_id, SetupToken.used_at.is_(None))
                                    .values(used_at=at, used_by=by).returning(SetupToken.id))
        return used.scalar_one_or_none() is not None

    def void_unused(self, at: datetime, why: str) -> int:
        """Mark every unused token used (by `why`): the count voided."""
        voided = self.session.scalars(update(SetupToken).where(SetupToken.used_at.is_(None))
                                      .values(used_at=at, used_by=why).returning(SetupToken.id))
        return len(voided.all())


class ApiKeyRepository:
    """The integration API's service keys (admin.api_keys): hashes only."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, key: ApiKey) -> None:
        self.session.add(key)

    def get(self, name: str) -> ApiKey | None:
        return self.session.scalar(select(ApiKey).where(ApiKey.name == name))

    def find(self, key_hash: str) -> ApiKey | None:
        return self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    def list(self) -> list[ApiKey]:
        return list(self.session.scalars(select(ApiKey).order_by(ApiKey.name)))

    def mark_used(self, key_id: int, at: datetime, unless_since: datetime) -> None:
        """Record a use in one UPDATE, skipped when one was recorded after `unless_since`: a busy
        service writes its key's row once a minute, not on every call."""
        self.session.execute(update(ApiKey).where(ApiKey.id == key_id)
                             .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < unless_since))
                             .values(last_used_at=at).execution_options(synchronize_session=False))


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

    def _filtered(self, query: Select, f: AuditFilter) -> Select:
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

    def last_at(self) -> datetime | None:
        """When the newest record was written (None before the first)."""
        return self.session.scalar(select(func.max(AuditLog.at)))

    def distinct_values(self, column: str) -> list[str]:
        col = getattr(AuditLog, column)
        return list(self.session.scalars(select(col).distinct().order_by(col)))
