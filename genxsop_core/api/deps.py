"""FastAPI dependencies every router uses: who calls, may they, and a unit of work on the database.

In a router:

    @router.get("/things")
    def things(caller: Caller = Depends(current_caller), new_uow: UowFactory = Depends(uow_factory)):
        return views.things(new_uow())                    # reads: any signed-in caller (viewers read all)

    @router.post("/things")
    def add(body: ThingIn, caller: Caller = Depends(current_caller), new_uow: UowFactory = Depends(uow_factory)):
        return service.add(new_uow(), caller.actor, ...)  # the service calls permissions.require itself

`require("perm")` in place of `current_caller` refuses (403) before any work, for reads that only some
roles may see (the audit trail) or to show the permission in the OpenAPI description; a write
still relies on its service's own `require`, the one copy of each rule. `caller.actor` is what
services take: its username (`key:<name>` for a key) is who the audit trail records.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from genxsop_core.admin import logs
from genxsop_core.api.auth import Caller, UowFactory, key_caller, token_caller
from genxsop_core.api.errors import TooManyAttempts
from genxsop_core.api.throttle import FailedAttempts
from genxsop_core.config import Settings
from genxsop_core.domain import permissions
from genxsop_core.domain.exceptions import Unauthenticated

__all__ = ["Caller", "UowFactory", "current_caller", "require", "settings", "uow_factory", "client_address"]

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="a key an admin created (api-keys create)")


def settings(request: Request) -> Settings:
    """The settings the app was created with (create_app)."""
    return request.app.state.settings


def uow_factory(request: Request) -> UowFactory:
    """Call it for a new unit of work on the app's database (one per use case, as everywhere)."""
    return request.app.state.uow_factory


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _identify(request: Request, token: str | None, key: str | None) -> Caller:
    state = request.app.state
    if key:
        return key_caller(state.uow_factory(), key)
    if token:
        return token_caller(state.uow_factory(), state.settings, state.secret, token)
    raise Unauthenticated("send an API key in the X-API-Key header or a bearer token (POST /api/v1/auth/token)")


async def current_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    key: Annotated[str | None, Security(_api_key)],
) -> Caller:
    """The caller, or 401; 429 while the address has sent too many wrong keys or tokens. Async so the
    log tags it binds reach the endpoint (the database work runs in a worker thread)."""
    attempts: FailedAttempts = request.app.state.failed_attempts
    address = client_address(request)
    attempts.check(address)
    try:
        caller = await run_in_threadpool(_identify, request, bearer.credentials if bearer else None, key)
    except Unauthenticated:
        if key or bearer:
            attempts.failed(address)
        raise
    except TooManyAttempts:
        raise
    request.state.caller = caller
    logs.bind(api_key=caller.name if caller.kind == "key" else None,  # not `key`: an event's line has its record's
              user=caller.name if caller.kind == "user" else None, client_id=caller.client_id)
    return caller


def require(permission: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency answering the caller if one of its roles allows `permission` (the PERMISSIONS table), else 403."""
    if permission not in permissions.PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")  # at import of the router, not at the first call

    async def allowed(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        permissions.require(caller.actor, permission)
        return caller

    return allowed
