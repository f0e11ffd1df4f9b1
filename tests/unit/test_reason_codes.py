"""The managed list of override reasons: admins only, validated, audited, retire without losing history.

Rules, not SQL: they run on the in-memory unit of work (tests/fakes.py); the reason-code table itself is
written on SQLite and PostgreSQL by the demo seed, the role matrix and the generation-counter tests."""
from __future__ import annotations

import pytest

from genxsop_core.admin.audit import search_audit
from genxsop_core.demand import reason_codes
from genxsop_core.domain.exceptions import Conflict, InvalidInput, PermissionDenied
from genxsop_core.domain.permissions import ROLES
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with
from tests.fakes import memory_uow_factory


@pytest.fixture
def uow_factory():
    """A new in-memory unit of work per call, all on one store."""
    return memory_uow_factory()


def test_add_retire_and_bring_back_are_audited(uow_factory, admin):
    reason_codes.add_reason_code(uow_factory(), admin, " weather ", "Weather event")
    assert reason_codes.list_reason_codes(uow_factory()).set_index("code").active["WEATHER"]
    reason_codes.set_reason_code_active(uow_factory(), admin, "WEATHER", False)
    with uow_factory() as uow:
        assert "WEATHER" not in {c.code for c in uow.plans.reason_codes()}  # no longer offered
    reason_codes.set_reason_code_active(uow_factory(), admin, "WEATHER", True)
    trail = search_audit(uow_factory(), admin, AuditFilter(entity="reason_code"))
    assert [(e.action, e.before, e.after) for e in reversed(trail)][1:] == [
        ("update", {"active": True}, {"active": False}), ("update", {"active": False}, {"active": True})]


@pytest.mark.parametrize("code, description, error", [
    ("x", "too short", InvalidInput), ("1ABC", "starts with a digit", InvalidInput),
    ("GOOD", "", InvalidInput), ("GOOD", "d" * 201, InvalidInput)])
def test_bad_codes_are_refused(uow_factory, admin, code, description, error):
    with pytest.raises(error):
        reason_codes.add_reason_code(uow_factory(), admin, code, description)
    assert reason_codes.list_reason_codes(uow_factory()).empty


def test_a_duplicate_is_a_conflict(uow_factory, admin):
    reason_codes.add_reason_code(uow_factory(), admin, "PROMO", "Promotion")
    with pytest.raises(Conflict, match="already exists"):
        reason_codes.add_reason_code(uow_factory(), admin, "promo", "Promotion again")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_manage_reason_codes(uow_factory, role):
    with pytest.raises(PermissionDenied):
        reason_codes.add_reason_code(uow_factory(), actor_with(role), "NEW", "New reason")
    assert reason_codes.list_reason_codes(uow_factory()).empty
