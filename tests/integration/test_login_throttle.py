"""Login throttling in the database: counted per account, shared by all sessions, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest

from genxsop_core.admin import login_throttle, users
from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.exceptions import PermissionDenied
from genxsop_core.domain.models import utcnow
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with


@pytest.fixture
def account(uow_factory, admin):
    users.add_user(uow_factory(), admin, "alice", "Alice Admin", "long-enough-1", ["admin"])
    users.add_user(uow_factory(), admin, "bob", "Bob Buyer", "long-enough-2", ["supply_planner"])
    return "bob"


def test_the_fifth_wrong_password_locks_for_a_quarter_of_an_hour(uow_factory, account):
    now = utcnow()
    for _ in range(login_throttle.MAX_FAILED_LOGINS - 1):
        assert login_throttle.record_failed_login(uow_factory(), account, now) is None
    assert login_throttle.locked_until(uow_factory(), account, now) is None
    until = login_throttle.record_failed_login(uow_factory(), account, now)
    assert until == now + timedelta(minutes=login_throttle.LOCK_MINUTES)
    assert login_throttle.locked_until(uow_factory(), account, now) is not None
    assert users.login_credentials(uow_factory())["usernames"][account]["locked"] is True
    # the lock runs out by itself
    later = now + timedelta(minutes=login_throttle.LOCK_MINUTES, seconds=1)
    assert login_throttle.locked_until(uow_factory(), account, later) is None


def test_a_correct_sign_in_starts_the_count_again(uow_factory, account):
    for _ in range(login_throttle.MAX_FAILED_LOGINS - 1):
        login_throttle.record_failed_login(uow_factory(), account)
    login_throttle.record_sign_in(uow_factory(), account)
    assert login_throttle.record_failed_login(uow_factory(), account) is None


def test_unknown_accounts_are_not_counted(uow_factory, account):
    assert login_throttle.record_failed_login(uow_factory(), "nobody") is None


def test_failures_locks_and_unlocks_are_audited(uow_factory, account, admin):
    for _ in range(login_throttle.MAX_FAILED_LOGINS):
        login_throttle.record_failed_login(uow_factory(), account)
    with pytest.raises(PermissionDenied):
        users.unlock_user(uow_factory(), actor_with("coordinator"), account)
    users.unlock_user(uow_factory(), admin, account)
    assert users.get_user(uow_factory(), account).locked_until is None
    actions = [e.action for e in search_audit(uow_factory(), admin, AuditFilter(key_contains=account))]
    assert actions.count("login_failed") == login_throttle.MAX_FAILED_LOGINS - 1
    assert "lock" in actions and "unlock" in actions
