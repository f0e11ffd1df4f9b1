"""The role -> pages table: which screens each role sees, in which section of the menu. A page a role
may not open stays out of its menu but is still routed (hidden), so its URL runs the page, whose
guard says who it is for, instead of Streamlit's "Page not found"."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from genxsop_core.domain.permissions import ROLE_LABELS, ROLES

PLAN, DECIDE, DATA = "Plan", "Decide", "Data & admin"
SECTIONS: tuple[str, ...] = (PLAN, DECIDE, DATA)  # the menu's order: the planner's month, then the plumbing


@dataclass(frozen=True)
class PageSpec:
    key: str
    script: str  # relative to app/main.py
    title: str
    icon: str
    roles: frozenset[str]
    section: str


_EVERYONE = frozenset(ROLES)
_ADMIN = frozenset({"admin"})

PAGES: tuple[PageSpec, ...] = (  # the first page a role may see is where it lands after signing in
    PageSpec("dashboard", "../pages/dashboard.py", "Dashboard", ":material/dashboard:", _EVERYONE, PLAN),
    PageSpec("demand", "../pages/demand.py", "Demand review", ":material/trending_up:", _EVERYONE, PLAN),
    PageSpec("forecasting", "../pages/forecasting.py", "Forecasting", ":material/query_stats:", _EVERYONE, PLAN),
    PageSpec("supply", "../pages/supply.py", "Supply review", ":material/factory:", _EVERYONE, PLAN),
    PageSpec("inventory", "../pages/inventory.py", "Inventory", ":material/inventory_2:", _EVERYONE, PLAN),
    PageSpec("scenarios", "../pages/scenarios.py", "What-if scenarios", ":material/tune:", _EVERYONE, PLAN),
    PageSpec("cycle", "../pages/cycle.py", "S&OP cycle", ":material/event_repeat:", _EVERYONE, DECIDE),
    PageSpec("meeting", "../pages/meeting.py", "Meeting mode", ":material/co_present:", _EVERYONE, DECIDE),
    PageSpec("kpis", "../pages/kpis.py", "KPIs", ":material/monitoring:", _EVERYONE, DECIDE),
    PageSpec("home", "../pages/home.py", "Overview", ":material/home:", _EVERYONE, DATA),
    PageSpec("data", "../pages/data.py", "Data", ":material/upload_file:", _EVERYONE, DATA),
    PageSpec("admin", "../pages/admin.py", "Admin", ":material/admin_panel_settings:", _ADMIN, DATA),
    PageSpec("health", "../pages/health.py", "System health", ":material/health_and_safety:", _ADMIN, DATA),
)


def page(key: str) -> PageSpec:
    return next(p for p in PAGES if p.key == key)


def pages_for(roles: Iterable[str]) -> list[PageSpec]:
    """The pages any of `roles` may see, in menu order."""
    held = set(roles)
    return [p for p in PAGES if p.roles & held]


def sections_for(roles: Iterable[str]) -> dict[str, list[PageSpec]]:
    """The menu of `roles`: section -> its pages, sections without a page for them left out."""
    pages = pages_for(roles)
    return {section: shown for section in SECTIONS if (shown := [p for p in pages if p.section == section])}


def refused_for(roles: Iterable[str]) -> list[PageSpec]:
    """The pages none of `roles` may open, in menu order: routed hidden, so their URL says so."""
    held = set(roles)
    return [p for p in PAGES if not p.roles & held]


def audience(spec: PageSpec) -> str:
    """Who a page is for, in words: "administrators", or the roles that may open it."""
    if spec.roles == _ADMIN:
        return "administrators"
    return ", ".join(ROLE_LABELS[r] for r in ROLES if r in spec.roles)
