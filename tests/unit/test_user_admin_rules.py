"""User administration's rules: who may change users, what input is refused, what the audit trail
records, and what the login form gets. Moved from tests/integration/test_users_and_audit.py: these
rules need no database, so they run on the in-memory unit of work (tests/fakes.py). What only a
database shows (the append-only trigger, the demo seed, every import refused) stays there."""
from __future__ import annotations

import pytest

from genxsop_core.admin import users
from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.exceptions import Conflict, InvalidInput, PermissionDenied
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with
from tests.fakes import memory_uow_factory


@pytest.fixture
def uow_factory():
    """A new in-memory unit of work per call, all on one store."""
    return memory_uow_factory()



def test_add_user_stores_only_a_bcrypt_hash_and_audits(uow_factory, admin):
    users.add_user(uow_factory(), admin, "Bob", "Bob Builder", "s3cret-pass", ["supply_planner"], "bob@x.io")
    with uow_factory() as uow:
        stored = uow.users.get("bob")
        assert stored.password_hash.startswith("$2b$") and "s3cret" not in stored.password_hash
        assert users.check_password("s3cret-pass", stored.password_hash)
    entry = search_audit(uow_factory(), admin, AuditFilter(entity="user"))[0]
    assert (entry.username, entry.action, entry.key, entry.before) == ("alice", "create", "bob", None)
    assert entry.after["roles"] == ["supply_planner"] and "password_hash" not in entry.after


def test_credentials_for_the_login_form_hold_active_users_only(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    users.add_user(uow_factory(), admin, "carol", "Carol", "password2", ["executive", "viewer"])
    users.set_active(uow_factory(), admin, "bob", False)
    credentials = users.login_credentials(uow_factory())["usernames"]
    assert list(credentials) == ["carol"]
    assert credentials["carol"]["roles"] == ["executive", "viewer"]
    assert credentials["carol"]["password"].startswith("$2b$")


def test_set_roles_records_before_and_after(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    users.set_roles(uow_factory(), admin, "bob", ["demand_planner", "viewer"])
    entry = search_audit(uow_factory(), admin, AuditFilter(action="set_roles"))[0]
    assert entry.before["roles"] == ["viewer"] and entry.after["roles"] == ["demand_planner", "viewer"]


def test_password_change_is_audited_without_the_password(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    users.set_password(uow_factory(), admin, "bob", "password-two")
    entry = search_audit(uow_factory(), admin, AuditFilter(action="set_password"))[0]
    assert "password-two" not in repr(entry.before) + repr(entry.after)
    with uow_factory() as uow:
        assert users.check_password("password-two", uow.users.get("bob").password_hash)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_manage_users(uow_factory, admin, role):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    actor = actor_with(role)
    for change in (lambda: users.add_user(uow_factory(), actor, "eve", "Eve", "password1", ["admin"]),
                   lambda: users.set_roles(uow_factory(), actor, "bob", ["admin"]),
                   lambda: users.set_active(uow_factory(), actor, "bob", False),
                   lambda: users.set_password(uow_factory(), actor, "bob", "password9")):
        with pytest.raises(PermissionDenied):
            change()
    assert [(u.username, u.roles, u.active) for u in users.list_users(uow_factory())] == [("bob", ("viewer",), True)]
    with pytest.raises(PermissionDenied):
        search_audit(uow_factory(), actor, AuditFilter())


def test_bad_user_input_is_refused(uow_factory, admin):
    with pytest.raises(InvalidInput, match="at least 8"):
        users.add_user(uow_factory(), admin, "bob", "Bob", "short", ["viewer"])
    with pytest.raises(InvalidInput, match="username"):
        users.add_user(uow_factory(), admin, "bob smith", "Bob", "password1", ["viewer"])
    with pytest.raises(InvalidInput, match="unknown role"):
        users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["superuser"])
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    with pytest.raises(Conflict, match="already exists"):
        users.add_user(uow_factory(), admin, "BOB", "Bob", "password1", ["viewer"])


def test_admin_cannot_lock_themselves_out(uow_factory):
    me = Actor("alice", ("admin",))
    users.add_user(uow_factory(), me, "alice", "Alice", "password1", ["admin"])
    with pytest.raises(Conflict):
        users.set_roles(uow_factory(), me, "alice", ["viewer"])
    with pytest.raises(Conflict):
        users.set_active(uow_factory(), me, "alice", False)


def test_audit_filters(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    users.set_roles(uow_factory(), Actor("root", ("admin",)), "bob", ["executive"])
    assert [e.action for e in search_audit(uow_factory(), admin, AuditFilter(username="root"))] == ["set_roles"]
    assert len(search_audit(uow_factory(), admin, AuditFilter(key_contains="bo"))) == 2
    assert search_audit(uow_factory(), admin, AuditFilter(entity="product")) == []
