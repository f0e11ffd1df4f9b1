"""The permission table: a viewer changes nothing; each write has an owner role."""
import pytest

from genxsop_core.domain.exceptions import InvalidInput, PermissionDenied
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor, can, require, validate_roles


def test_viewer_may_do_nothing_that_writes():
    viewer = Actor("v", ("viewer",))
    assert not any(can(viewer, action) for action in PERMISSIONS)


def test_admin_may_do_everything():
    assert all(can(Actor("a", ("admin",)), action) for action in PERMISSIONS)


@pytest.mark.parametrize("role, action, allowed", [
    ("demand_planner", "import.demand", True),
    ("demand_planner", "import.supply", False),
    ("supply_planner", "import.supply", True),
    ("supply_planner", "users.manage", False),
    ("coordinator", "cycle.manage", True),
    ("executive", "scenario.promote", False),
    ("executive", "demand_plan.approve", True),
])
def test_table_entries(role, action, allowed):
    assert can(Actor("u", (role,)), action) is allowed


def test_several_roles_combine():
    actor = Actor("u", ("viewer", "supply_planner"))
    assert can(actor, "import.inventory") and not can(actor, "import.demand")


def test_require_names_who_and_what():
    with pytest.raises(PermissionDenied, match=r"bob \(viewer\) may not import: demand"):
        require(Actor("bob", ("viewer",)), "import.demand")


def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(Actor("a", ("admin",)), "launch.rockets")


def test_roles_are_validated():
    assert validate_roles(["viewer", "viewer", "admin"]) == ("viewer", "admin")
    with pytest.raises(InvalidInput, match="unknown role"):
        validate_roles(["boss"])
    with pytest.raises(InvalidInput, match="at least one role"):
        validate_roles([])
    assert set(ROLES) == {"admin", "coordinator", "demand_planner", "supply_planner", "executive", "viewer"}
