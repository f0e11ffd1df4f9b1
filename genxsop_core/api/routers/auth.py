"""POST /auth/token: a person signs in for a short-lived bearer token (checked like the login form);
GET /auth/me: who the API takes the caller for (a user or a key, its roles and client id)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from genxsop_core.api.auth import sign_in
from genxsop_core.api.deps import Caller, client_address, current_caller
from genxsop_core.domain.exceptions import Unauthenticated

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds


class Me(BaseModel):
    name: str
    kind: Literal["user", "key"]
    roles: list[str]
    client_id: str | None


@router.post("/token", response_model=Token, responses={401: {"description": "wrong username or password"},
                                                        429: {"description": "locked after wrong passwords"}})
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Form fields `username` and `password` (OAuth2 password flow). Wrong passwords count against the
    account exactly as in the browser: after five it is locked for 15 minutes, for both."""
    state, address = request.app.state, client_address(request)
    state.failed_attempts.check(address)
    try:
        issued = await run_in_threadpool(sign_in, state.uow_factory, state.settings, state.secret,
                                         form.username, form.password)
    except Unauthenticated:
        state.failed_attempts.failed(address)  # wrong names too: the account's count only sees its own
        raise
    return Token(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/me", response_model=Me)
def me(caller: Annotated[Caller, Depends(current_caller)]) -> Me:
    return Me(name=caller.name, kind=caller.kind, roles=list(caller.actor.roles), client_id=caller.client_id)
