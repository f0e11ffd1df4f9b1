"""The first administrator of a new installation, created in the browser with a one-time setup token.

Outside demo mode a database without any user cannot be signed in to. On start the app asks
`issue_setup_token` for a token, prints it to its console and log (the pattern of Jupyter's token
and Metabase's setup), and its login page offers "Create the first administrator" instead of the
sign-in form. Whoever reaches the page first cannot take the instance without the token: only
whoever can read the server's console or log can.

Permissions: these services run before anyone is signed in, so no role can be required. The token
is the authorisation: `create_first_admin` creates one account, with the admin role, only with an
unused token and only while there is no user at all; the token is then used up. The database keeps
only the token's SHA-256 (the token is 256 random bits, so a fast hash is enough).

One token works at a time: each start of the app on a database without users issues a new token
and voids the earlier unused ones (a token typed from an older log is told it was replaced, never
just "wrong"), so only the token printed last is live. With several replicas starting at once,
that is the token of the replica that started last.

Two forms sent at once cannot both create an administrator: the unused tokens are locked (FOR
UPDATE on PostgreSQL), the token is used up by a conditional UPDATE (which is what stops the second
writer on SQLite, where writers take turns) and the "no user yet" check is made after both.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from genxsop_core.admin import users
from genxsop_core.admin.users import UserView
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, PermissionDenied
from genxsop_core.domain.models import SetupToken, utcnow
from genxsop_core.persistence.unit_of_work import UnitOfWork

ISSUER = "system"  # the audit trail's actor for a token the app issued on start
SETUP_ACTOR = "setup-token"  # the audit trail's actor for what the token authorised
REPLACED = "replaced by a newer token"  # used_by of a token voided by a later start
ALREADY_SET_UP = "GenXSOP already has users: sign in, or ask an administrator for an account"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def needs_setup(uow: UnitOfWork) -> bool:
    """True while the database has no user at all: then only the setup token lets anyone in."""
    with uow:
        return uow.users.count() == 0


def issue_setup_token(uow: UnitOfWork) -> str | None:
    """A new setup token (returned once, stored as a hash) when the database has no user; None when it
    has one. Earlier unused tokens are voided: the token printed last is the one that works."""
    with uow:
        if uow.users.count():
            return None
        now = utcnow()
        replaced = uow.setup_tokens.void_unused(now, REPLACED)
        token = secrets.token_urlsafe(32)
        row = SetupToken(token_hash=token_hash(token), created_at=now)
        uow.setup_tokens.add(row)
        uow.flush()
        uow.publish(RecordChanged(ISSUER, action="issue", entity="setup_token", key=str(row.id),
                                  after={"created_at": now.isoformat(), "replaced": replaced}))
        uow.commit()
        return token


def _refusal(uow: UnitOfWork, hashed: str) -> PermissionDenied | Conflict:
    """Why a token that matches no unused one is refused, as precisely as the stored hashes tell."""
    known = uow.setup_tokens.find(hashed)
    if known is None:
        return PermissionDenied("that is not the setup token: copy the one the server printed to its console "
                                "and log when it started (the last one, if it started more than once)")
    if known.used_by == REPLACED:
        return PermissionDenied("that setup token was replaced when the server started again: use the token "
                                "it printed last")
    return Conflict("that setup token has already been used")


def create_first_admin(uow: UnitOfWork, token: str, username: str, name: str, password: str,
                       email: str = "") -> UserView:
    """Create the first administrator with the setup token; refused with a wrong, replaced or used
    token, and once any user exists. The token is the authorisation (module docstring)."""
    account = users.new_account(username, name, password, ["admin"], email)  # the password rules, first
    hashed = token_hash(token)
    with uow:
        unused = uow.setup_tokens.lock_unused()
        if uow.users.count():
            raise Conflict(ALREADY_SET_UP)
        match = next((t for t in unused if hmac.compare_digest(t.token_hash, hashed)), None)
        if match is None:
            raise _refusal(uow, hashed)
        if not uow.setup_tokens.mark_used(match.id, utcnow(), account.username):
            raise Conflict("that setup token was used a moment ago, in another browser: sign in")
        if uow.users.count():  # counted again now that this transaction holds the write
            raise Conflict(ALREADY_SET_UP)
        uow.users.add(account)
        uow.flush()
        uow.publish(RecordChanged(SETUP_ACTOR, action="use", entity="setup_token", key=str(match.id),
                                  after={"used_by": account.username}))
        uow.publish(RecordChanged(SETUP_ACTOR, action="create", entity="user", key=account.username,
                                  before=None, after=users.audited_fields(account)))
        uow.commit()
        return users.user_view(account)


def setup_message(token: str, app_url: str) -> str:
    """The line printed on start: where to go and what to type."""
    return (f"GenXSOP setup: open {app_url} and enter the setup token {token} to create the first "
            "administrator (it works once; a restart prints a new one)")
