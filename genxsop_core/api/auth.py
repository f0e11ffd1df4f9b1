"""Who calls the API: a person with a short-lived bearer token, or a system with an API key.

A person signs in with the same check as the login form: the active accounts of
`users.login_credentials` (demo accounts only in demo mode), bcrypt, and `login_throttle` counting
wrong passwords on the account in the database, so a lock set by the browser holds here and the
other way round. The token (PyJWT, HS256, signed with GENXSOP_API_SECRET) names the user; each call
reads the account again, so a deactivated user or a changed role takes effect at once.
A system sends an API key (admin.api_keys), which carries its role and optional client id.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Literal

import jwt

from genxsop_core.admin import api_keys, login_throttle, users
from genxsop_core.api.errors import TooManyAttempts
from genxsop_core.config import Settings
from genxsop_core.domain.exceptions import ConfigurationError, Unauthenticated
from genxsop_core.domain.models import utcnow
from genxsop_core.domain.permissions import Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork

ALGORITHM = "HS256"
ISSUER = "genxsop"
MIN_SECRET_LENGTH = 32
UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Caller:
    """The actor an API call acts for, and what it signed in with."""

    actor: Actor
    name: str  # the username, or the key's name
    kind: Literal["user", "key"]
    client_id: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int  # seconds


def signing_secret(settings: Settings) -> tuple[str, bool]:
    """GENXSOP_API_SECRET, or in demo mode without one a random secret for this process (tokens end
    with it: the second value says so). Outside demo mode the API refuses to start without one."""
    if settings.api_secret:
        if len(settings.api_secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"GENXSOP_API_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                                     "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        return settings.api_secret, False
    if settings.demo:
        return secrets.token_urlsafe(32), True
    raise ConfigurationError("set GENXSOP_API_SECRET (at least 32 random characters) before serving the API; "
                             "only the demo database may run without it")


@cache
def _nobody_hash() -> str:
    """Checked when the username is unknown, so a wrong name takes as long as a wrong password."""
    return users.hash_password(secrets.token_urlsafe(16))


def sign_in(new_uow: UowFactory, settings: Settings, secret: str, username: str, password: str) -> IssuedToken:
    """A token for `username`, or Unauthenticated / TooManyAttempts as the login form would refuse."""
    username = username.strip().lower()
    account = users.login_credentials(new_uow(), include_demo=settings.demo)["usernames"].get(username)
    if account is None:
        users.check_password(password, _nobody_hash())
        raise Unauthenticated("wrong username or password")
    if account["locked"]:
        until = login_throttle.locked_until(new_uow(), username)
        wait = int((until - utcnow()).total_seconds()) + 1 if until else login_throttle.LOCK_MINUTES * 60
        raise TooManyAttempts(f"this account is locked until {until:%H:%M} UTC after "
                              f"{login_throttle.MAX_FAILED_LOGINS} wrong passwords; an admin can unlock it sooner"
                              if until else "this account is locked", retry_after_seconds=wait)
    if not users.check_password(password, account["password"]):
        until = login_throttle.record_failed_login(new_uow(), username)
        if until is not None:
            raise TooManyAttempts(f"wrong password: the account is now locked until {until:%H:%M} UTC",
                                  retry_after_seconds=login_throttle.LOCK_MINUTES * 60)
        raise Unauthenticated("wrong username or password")
    login_throttle.record_sign_in(new_uow(), username)
    lifetime = timedelta(minutes=settings.api_token_minutes)
    now = utcnow()
    token = jwt.encode({"sub": username, "iss": ISSUER, "iat": now, "exp": now + lifetime}, secret,
                       algorithm=ALGORITHM)
    return IssuedToken(token, int(lifetime.total_seconds()))


def token_caller(uow: UnitOfWork, settings: Settings, secret: str, token: str) -> Caller:
    """The user a bearer token names, as the account stands now."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["sub", "exp", "iat"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired: sign in again (POST /api/v1/auth/token)") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the token is not valid") from None
    username = str(claims["sub"])
    account = users.login_credentials(uow, include_demo=settings.demo)["usernames"].get(username)
    if account is None:
        raise Unauthenticated(f"{username} may no longer sign in")
    return Caller(Actor(username, tuple(account["roles"])), username, "user")


def key_caller(uow: UnitOfWork, key: str) -> Caller:
    found = api_keys.authenticate(uow, key)
    return Caller(found.actor, found.name, "key", found.client_id)
