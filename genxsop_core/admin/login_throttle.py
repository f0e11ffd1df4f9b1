"""Login throttling: after repeated wrong passwords an account is locked for a while.

Counted in the database (app_user.failed_logins / locked_until), not in the browser
session, so a new session, a second browser or another replica behind the proxy sees the
same lock. Each failure and each lock is audited under the account's name.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.models import utcnow
from genxsop_core.persistence.unit_of_work import UnitOfWork

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def lock_end(locked_until: datetime | None, now: datetime | None = None) -> datetime | None:
    """A stored lock's end if it still holds, else None (SQLite hands back naive UTC datetimes)."""
    if locked_until is None:
        return None
    if locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=UTC)
    return locked_until if locked_until > (now or utcnow()) else None


def locked_until(uow: UnitOfWork, username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on `username` ends, or None when it may sign in."""
    with uow:
        user = uow.users.get(username)
        return lock_end(user.locked_until, now) if user else None


def record_failed_login(uow: UnitOfWork, username: str, now: datetime | None = None) -> datetime | None:
    """Count one wrong password; the MAX_FAILED_LOGINS-th locks the account. Returns the lock end.

    The count is raised by one UPDATE, so two replicas counting at once lose no failure.
    """
    now = now or utcnow()
    with uow:
        counted = uow.users.count_failed_login(username)
        if counted is None:
            return None  # no such account: nothing to lock
        until = None
        if counted >= MAX_FAILED_LOGINS:
            until = now + timedelta(minutes=LOCK_MINUTES)
            uow.users.lock(username, until)
        uow.publish(RecordChanged(username, action="lock" if until else "login_failed", entity="user",
                                  key=username, before=None,
                                  after={"failed_logins": counted,
                                         "locked_until": until.isoformat() if until else None}))
        uow.commit()
    return until


def record_sign_in(uow: UnitOfWork, username: str) -> None:
    """A correct password: the failure count starts again, and the sign-in is audited."""
    with uow:
        user = uow.users.get(username)
        if user is None:
            return
        user.failed_logins, user.locked_until = 0, None
        uow.publish(RecordChanged(username, action="sign_in", entity="user", key=username))
        uow.commit()

