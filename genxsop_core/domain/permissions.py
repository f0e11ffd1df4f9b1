"""Who may do what: the one table of docs/configuration.md (Roles), enforced in every write service.

A viewer reads everything and changes nothing. The UI hides what a role cannot do, but
`require` in the service is the guard.
"""
from __future__ import annotations

from dataclasses import dataclass

from genxsop_core.domain.exceptions import InvalidInput, PermissionDenied

ROLES: tuple[str, ...] = ("admin", "coordinator", "demand_planner", "supply_planner", "executive", "viewer")

_ALL_BUT_VIEWER = frozenset(ROLES) - {"viewer"}

PERMISSIONS: dict[str, frozenset[str]] = {
    # people and data
    "users.manage": frozenset({"admin"}),
    "api_keys.manage": frozenset({"admin"}),  # the integration API's service keys
    "audit.read": frozenset({"admin"}),
    "system.health": frozenset({"admin"}),
    "system.go_live": frozenset({"admin"}),
    "data.seed_demo": frozenset({"admin"}),
    "import.products": frozenset({"admin"}),
    "import.resources": frozenset({"admin", "supply_planner"}),
    "import.routings": frozenset({"admin", "supply_planner"}),
    "import.demand": frozenset({"admin", "demand_planner"}),
    "import.inventory": frozenset({"admin", "supply_planner"}),
    "import.supply": frozenset({"admin", "supply_planner"}),
    # planning
    "forecast.run": frozenset({"admin", "demand_planner"}),
    "demand_plan.edit": frozenset({"admin", "demand_planner"}),
    "demand_plan.approve": frozenset({"admin", "coordinator", "executive"}),
    "reason_codes.manage": frozenset({"admin"}),
    "supply_plan.edit": frozenset({"admin", "supply_planner"}),
    "supply_plan.approve": frozenset({"admin", "coordinator", "executive"}),
    "supply_plan.balance": frozenset({"admin", "coordinator", "supply_planner"}),  # accept a balanced plan
    "scenario.pin": _ALL_BUT_VIEWER,
    "scenario.promote": frozenset({"admin", "coordinator"}),
    "cycle.manage": frozenset({"admin", "coordinator"}),
    "cycle.signoff": _ALL_BUT_VIEWER,
    "cycle.decide": frozenset({"admin", "coordinator", "executive"}),
    "cycle.action_status": _ALL_BUT_VIEWER,  # one's own action; anyone's needs cycle.manage
    "cycle.pack": frozenset({"admin", "coordinator"}),
    "kpi_targets.edit": frozenset({"admin", "coordinator"}),
}

ROLE_LABELS: dict[str, str] = {
    "admin": "Admin",
    "coordinator": "S&OP coordinator",
    "demand_planner": "Demand planner",
    "supply_planner": "Supply planner",
    "executive": "Executive",
    "viewer": "Viewer",
}


@dataclass(frozen=True)
class Actor:
    """The person (or the CLI) a service acts for."""

    username: str
    roles: tuple[str, ...]


def can(actor: Actor, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission {action!r}")
    return any(role in PERMISSIONS[action] for role in actor.roles)


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless one of the actor's roles allows `action`."""
    if not can(actor, action):
        roles = ", ".join(actor.roles) or "no role"
        raise PermissionDenied(f"{actor.username} ({roles}) may not {action.replace('.', ': ').replace('_', ' ')}")


def validate_roles(roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise InvalidInput(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not roles:
        raise InvalidInput("a user needs at least one role")
    return tuple(dict.fromkeys(roles))
