"""User administration on a real database: the append-only audit trail, a viewer refused by every write
service, the demo seed audited in full (the rules themselves: tests/unit/test_user_admin_rules.py)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from genxsop_core.admin import users
from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.exceptions import Conflict, PermissionDenied
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.repositories import AuditFilter


def test_audit_log_is_append_only_in_the_database(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    for statement in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
        with uow_factory() as uow, pytest.raises(sa.exc.DatabaseError, match="append-only"):
            uow.session.execute(sa.text(statement))
            uow.session.commit()
    assert search_audit(uow_factory(), admin, AuditFilter())[0].username == "alice"


def test_a_viewer_cannot_change_anything_through_any_write_service(uow_factory, admin, database_url):
    """Done means: even calling services directly, a viewer changes nothing."""
    from genxsop_core.bootstrap import seed_demo
    from genxsop_core.io import importer
    from genxsop_core.io.formats import FORMATS
    from tests.integration.test_import_service import PRODUCTS, load_all, table_counts

    load_all(uow_factory, admin)
    users.add_user(uow_factory(), admin, "bob", "Bob", "password1", ["viewer"])
    viewer = Actor("bob", ("viewer",))
    before = table_counts(database_url)
    attempts = [lambda: seed_demo(uow_factory(), viewer, "week"),
                lambda: users.add_user(uow_factory(), viewer, "eve", "Eve", "password1", ["admin"]),
                lambda: users.set_roles(uow_factory(), viewer, "bob", ["admin"]),
                lambda: users.set_active(uow_factory(), viewer, "alice", False),
                lambda: users.set_password(uow_factory(), viewer, "bob", "password9")]
    attempts += [lambda kind=kind: importer.import_file(uow_factory(), viewer, kind, "f.csv", PRODUCTS)
                 for kind in FORMATS]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert table_counts(database_url) == before


def test_demo_seed_is_audited_in_full(uow_factory, admin):
    from genxsop_core.bootstrap import DEMO_USERS, REASON_CODES, seed_demo

    seed = seed_demo(uow_factory(), Actor("system", ("admin",)), "week")
    trail = search_audit(uow_factory(), admin, AuditFilter(username="system"), limit=1000)
    assert {e.entity for e in trail if e.action == "import"} == {r.kind for r in seed.imports}
    assert sorted(e.key for e in trail if e.entity == "user") == sorted(u for u, _, _ in DEMO_USERS)
    assert {role for _, _, role in DEMO_USERS} == set(ROLES)  # one demo user per role
    assert len([e for e in trail if e.entity == "reason_code"]) == len(REASON_CODES)
    with pytest.raises(Conflict, match="already has"):
        seed_demo(uow_factory(), Actor("system", ("admin",)), "week")
