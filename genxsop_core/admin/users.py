"""User administration services and the credentials the login form checks against.

Passwords are stored only as bcrypt hashes. Every change is an audited event; only an
admin may make one (checked here, not just hidden in the Admin page). The services ask only for
a `UserAdminWork` (users and the audit trail), so their rules are tested on an in-memory one too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import bcrypt

from genxsop_core.admin import login_throttle
from genxsop_core.admin.passwords import check_password_rules
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import User
from genxsop_core.domain.permissions import Actor, require, validate_roles
from genxsop_core.persistence.repositories.protocols import UserAdminWork

BCRYPT_ROUNDS = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
_AUDITED_FIELDS = ["username", "name", "email", "roles", "active"]


@dataclass(frozen=True)
class UserView:
    """What screens may show of a user (never the hash)."""

    username: str
    name: str
    email: str
    roles: tuple[str, ...]
    active: bool
    locked_until: datetime | None = None  # signed-in refused until then (login_throttle)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))


def user_view(user: User) -> UserView:
    return UserView(user.username, user.name, user.email, tuple(user.roles), user.active,
                    login_throttle.lock_end(user.locked_until))


def audited_fields(user: User) -> dict[str, Any]:
    return {f: list(getattr(user, f)) if f == "roles" else getattr(user, f) for f in _AUDITED_FIELDS}


def _get(uow: UserAdminWork, username: str) -> User:
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def new_account(username: str, name: str, password: str, roles: list[str] | tuple[str, ...],
                email: str = "") -> User:
    """An active account checked against the rules for usernames, names, roles and passwords; not
    stored yet (add_user and the first-administrator setup store it, each after its own checks)."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput(f"username {username!r} must be 2-64 characters: letters, digits, '.', '_' or '-'")
    if not name.strip():
        raise InvalidInput("a user needs a display name")
    roles = validate_roles(list(roles))
    check_password_rules(password, username)
    return User(username=username, name=name.strip(), email=email.strip(),
                password_hash=hash_password(password), roles=list(roles), active=True)


def add_user(uow: UserAdminWork, actor: Actor, username: str, name: str, password: str,
             roles: list[str] | tuple[str, ...], email: str = "") -> UserView:
    require(actor, "users.manage")
    user = new_account(username, name, password, roles, email)
    with uow:
        if uow.users.get(user.username) is not None:
            raise Conflict(f"user {user.username!r} already exists")
        uow.users.add(user)
        uow.publish(RecordChanged(actor.username, action="create", entity="user", key=user.username,
                                  before=None, after=audited_fields(user)))
        uow.commit()
        return user_view(user)


def _change(uow: UserAdminWork, actor: Actor, username: str, action: str, **values: Any) -> UserView:
    require(actor, "users.manage")
    with uow:
        user = _get(uow, username)
        before = audited_fields(user)
        for field, value in values.items():
            setattr(user, field, value)
        after = audited_fields(user)
        uow.publish(RecordChanged(actor.username, action=action, entity="user", key=username,
                                  before=before, after=after))
        uow.commit()
        return user_view(user)


def set_roles(uow: UserAdminWork, actor: Actor, username: str, roles: list[str] | tuple[str, ...]) -> UserView:
    roles = validate_roles(list(roles))
    if username == actor.username and "admin" not in roles:
        raise Conflict("you cannot remove your own admin role (ask another admin)")
    return _change(uow, actor, username, "set_roles", roles=list(roles))


def set_active(uow: UserAdminWork, actor: Actor, username: str, active: bool) -> UserView:
    if username == actor.username and not active:
        raise Conflict("you cannot deactivate yourself")
    return _change(uow, actor, username, "activate" if active else "deactivate", active=active)


def set_password(uow: UserAdminWork, actor: Actor, username: str, password: str) -> UserView:
    """The audit record says the password changed, never what to."""
    check_password_rules(password, username)
    return _change(uow, actor, username, "set_password", password_hash=hash_password(password))


def unlock_user(uow: UserAdminWork, actor: Actor, username: str) -> UserView:
    """Lift a sign-in lock (login_throttle) before it runs out."""
    return _change(uow, actor, username, "unlock", failed_logins=0, locked_until=None)


def list_users(uow: UserAdminWork) -> list[UserView]:
    with uow:
        return [user_view(u) for u in uow.users.list()]


def get_user(uow: UserAdminWork, username: str) -> UserView | None:
    with uow:
        user = uow.users.get(username)
        return user_view(user) if user else None


def login_credentials(uow: UserAdminWork, include_demo: bool = True) -> dict[str, Any]:
    """streamlit-authenticator's credentials dict, built from active users (hashes only);
    `locked` says the account is locked after too many wrong passwords. Outside demo mode
    (`include_demo=False`) the demo accounts' hashes are left out: their password is public."""
    with uow:
        return {"usernames": {
            u.username: {"name": u.name, "email": u.email or f"{u.username}@genxsop.local",
                         "password": u.password_hash, "roles": list(u.roles),
                "locked": login_throttle.lock_end(u.locked_until) is not None}
            for u in uow.users.list() if u.active and (include_demo or not u.is_demo)
        }}
