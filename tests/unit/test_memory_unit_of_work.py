"""The in-memory unit of work (tests/fakes.py) keeps the promises the services rely on: the same
methods as the database's repositories (the Protocols), nothing kept without commit, the audit row
written at commit. A rule test on the fake is worth something only while these hold."""
from __future__ import annotations

import inspect

import pytest

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.models import ReasonCode, User
from genxsop_core.persistence.repositories import (
    AuditFilter,
    AuditLogRepository,
    PlanVersionRepository,
    UserRepository,
    protocols,
)
from tests.fakes import MemoryAuditTrail, MemoryReasonCodes, MemoryStore, MemoryUnitOfWork, MemoryUsers


def _methods(protocol: type) -> list[str]:
    return [name for name, member in vars(protocol).items() if callable(member) and not name.startswith("_")]


@pytest.mark.parametrize("protocol, real, fake", [
    (protocols.UserStore, UserRepository, MemoryUsers),
    (protocols.AuditTrail, AuditLogRepository, MemoryAuditTrail),
    (protocols.ReasonCodeStore, PlanVersionRepository, MemoryReasonCodes),
])
def test_the_database_and_the_fake_offer_what_the_protocol_names(protocol, real, fake):
    for name in _methods(protocol):
        promised = list(inspect.signature(getattr(protocol, name)).parameters.values())
        for implementation in (real, fake):
            offered = list(inspect.signature(getattr(implementation, name)).parameters.values())
            assert [(p.name, p.default) for p in offered] == [(p.name, p.default) for p in promised], \
                f"{implementation.__name__}.{name}"


def _bob() -> User:
    return User(username="bob", name="Bob", password_hash="x", roles=["viewer"])


def test_nothing_is_kept_without_commit_and_defaults_are_filled_as_by_an_insert():
    store = MemoryStore()
    with MemoryUnitOfWork(store) as uow:
        uow.users.add(_bob())
        uow.publish(RecordChanged("alice", action="create", entity="user", key="bob"))
    assert store.users == {} and store.audit == []
    with MemoryUnitOfWork(store) as uow:
        uow.users.add(_bob())
        uow.commit()
    with MemoryUnitOfWork(store) as uow:
        bob = uow.users.get("bob")
        assert (bob.active, bob.failed_logins, bob.email) == (True, 0, "")
        bob.roles.append("admin")  # changed in a block that does not commit
    with MemoryUnitOfWork(store) as uow:
        assert uow.users.get("bob").roles == ["viewer"]


def test_published_events_become_audit_rows_at_commit_newest_first():
    store = MemoryStore()
    with MemoryUnitOfWork(store) as uow:
        uow.plans.add_reason_code(ReasonCode(code="PROMO", description="Promotion"))
        uow.publish(RecordChanged("alice", action="create", entity="reason_code", key="PROMO"))
        uow.publish(RecordChanged("root", action="update", entity="reason_code", key="PROMO"))
        assert uow.audit.count() == 0
        uow.commit()
    with MemoryUnitOfWork(store) as uow:
        assert [r.action for r in uow.audit.search(AuditFilter())] == ["update", "create"]
        assert uow.audit.count(AuditFilter(username="alice")) == 1
        assert uow.audit.distinct_values("username") == ["alice", "root"]
        assert [c.code for c in uow.plans.reason_codes()] == ["PROMO"]
