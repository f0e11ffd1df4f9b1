"""The role -> pages table: which screens each role sees (the pages check it again)."""
from __future__ import annotations

from dataclasses import dataclass

from genxsop_core.domain.permissions import ROLES


@dataclass(frozen=True)
class PageSpec:
    key: str
    script: str  # relative to app/main.py
    title: str
    icon: str
    roles: frozenset[str]


_EVERYONE = frozenset(ROLES)

PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "../pages/dashboard.py", "Dashboard", ":material/dashboard:", _EVERYONE),
    PageSpec("home", "../pages/home.py", "Overview", ":material/home:", _EVERYONE),
    PageSpec("demand", "../pages/demand.py", "Demand review", ":material/trending_up:", _EVERYONE),
    PageSpec("forecasting", "../pages/forecasting.py", "Forecasting", ":material/query_stats:", _EVERYONE),
    PageSpec("supply", "../pages/supply.py", "Supply review", ":material/factory:", _EVERYONE),
    PageSpec("inventory", "../pages/inventory.py", "Inventory", ":material/inventory_2:", _EVERYONE),
    PageSpec("scenarios", "../pages/scenarios.py", "What-if scenarios", ":material/tune:", _EVERYONE),
    PageSpec("kpis", "../pages/kpis.py", "KPIs", ":material/monitoring:", _EVERYONE),
    PageSpec("cycle", "../pages/cycle.py", "S&OP cycle", ":material/event_repeat:", _EVERYONE),
    PageSpec("meeting", "../pages/meeting.py", "Meeting mode", ":material/co_present:", _EVERYONE),
    PageSpec("data", "../pages/data.py", "Data", ":material/upload_file:", _EVERYONE),
    PageSpec("admin", "../pages/admin.py", "Admin", ":material/admin_panel_settings:", frozenset({"admin"})),
    PageSpec("health", "../pages/health.py", "System health", ":material/health_and_safety:", frozenset({"admin"})),
)


def page(key: str) -> PageSpec:
    return next(p for p in PAGES if p.key == key)


def pages_for(roles: tuple[str, ...] | list[str]) -> list[PageSpec]:
    return [p for p in PAGES if p.roles & set(roles)]
