"""Every router of the API, in the order OpenAPI lists them: `create_app` mounts each under /api/v1.

To add an area: write `routers/<area>.py` with `router = APIRouter(prefix="/<area>", tags=["<area>"])`,
endpoints as plain `def` (FastAPI runs them in a worker thread, so the services may block) taking
`caller: Caller = Depends(current_caller)` (or `Depends(require("permission"))` for a role check
before any work) and `uow: UowFactory = Depends(uow_factory)` from `api.deps`, then import it below
and append its `router` to `ROUTERS`. Raise the domain exceptions; `api.errors` answers them.
"""
from fastapi import APIRouter

from genxsop_core.api.routers import (
    auth,
    cycles,
    demand_actuals,
    demand_plans,
    forecasting,
    inventory,
    kpi,
    products,
    scenarios,
    supply,
    system,
)

ROUTERS: list[APIRouter] = [
    system.router,
    auth.router,
    products.router,
    demand_actuals.router,
    demand_plans.router,
    supply.router,
    inventory.router,
    forecasting.router,
    forecasting.forecast_router,
    scenarios.router,
    cycles.router,
    kpi.router,
]
