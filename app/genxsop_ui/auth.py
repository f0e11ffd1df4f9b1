"""Login with streamlit-authenticator against the users in the database.

Credentials are rebuilt from the database on every run (only bcrypt hashes ever leave
it), so a deactivated user or a changed role takes effect on the next click. Wrong
passwords are counted in the database (login_throttle): after MAX_FAILED_LOGINS the
account is locked for LOCK_MINUTES in every session and on every replica. A locked account
stands in the credentials like a refused demo account (below), so a try at it names the
account and the form says once that it is locked and until when, never also "incorrect".

Outside demo mode the demo accounts (public password) cannot sign in. The library is never
given their hashes: each stands in the credentials with a hash of a random secret of this
process, so a try counts against that stand-in, which is how the form learns the username
typed (the library keeps it nowhere on a failed try) and says why, once. Such a try is not
recorded as a wrong password: no password of a demo account is checked, so there is nothing
to throttle, and a real account's count is never touched.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache
from typing import Any

import bcrypt
import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from genxsop_core.admin import login_throttle
from genxsop_core.admin.go_live import demo_accounts
from genxsop_core.admin.users import login_credentials
from genxsop_core.bootstrap import DEMO_PASSWORD, DEMO_USERS
from genxsop_core.config import Settings
from genxsop_ui import runtime, tables

COOKIE_NAME = "genxsop_auth"
COOKIE_DAYS = 7.0


def cookie_key(settings: Settings) -> str | None:
    """GENXSOP_COOKIE_KEY, or in demo mode a generated one; None means: refuse to start."""
    if settings.cookie_key:
        return settings.cookie_key
    return runtime.generated_cookie_key() if settings.demo else None


@cache
def _no_password_hash() -> str:
    """A bcrypt hash that no typed password matches: of a random secret nobody ever sees."""
    return bcrypt.hashpw(secrets.token_urlsafe(32).encode("ascii"), bcrypt.gensalt(rounds=4)).decode("ascii")


def refused_demo_accounts(settings: Settings) -> frozenset[str]:
    """The demo accounts that may not sign in now: all of them outside demo mode, none in it."""
    return frozenset() if settings.demo else frozenset(demo_accounts(runtime.uow()))


def _stand_in(username: str, email: str, locked: bool) -> dict[str, Any]:
    """An account the library may not sign in: a hash no typed password matches, no roles."""
    return {"name": username, "email": email, "password": _no_password_hash(), "roles": [],
            "failed_login_attempts": 0, "locked": locked}


def credentials(settings: Settings) -> dict[str, Any]:
    """The active users' hashes; a locked account (`locked` True), and outside demo mode a demo
    account, stands in without its hash (see the module docstring)."""
    creds = login_credentials(runtime.uow(), include_demo=settings.demo)
    users = creds["usernames"]
    for username, entry in users.items():
        users[username] = _stand_in(username, entry["email"], True) if entry["locked"] else {
            **entry, "failed_login_attempts": 0}
    for username in refused_demo_accounts(settings):
        users[username] = _stand_in(username, f"{username}@demo.genxsop", False)
    return creds


def authenticator(settings: Settings, key: str, creds: dict[str, Any]) -> stauth.Authenticate:
    return stauth.Authenticate(
        creds, cookie_name=COOKIE_NAME, cookie_key=key,
        cookie_expiry_days=COOKIE_DAYS, auto_hash=False, login_sleep_time=0,
    )


def _failed_attempts(creds: dict[str, Any]) -> dict[str, int]:
    return {name: entry.get("failed_login_attempts", 0) for name, entry in creds["usernames"].items()}


def demo_refused_message(username: str) -> str:
    return (f"{username} is a demo account; demo accounts cannot sign in outside demo mode. "
            "Sign in with your own account: an administrator creates it.")


def locked_message(until: datetime | None) -> str:
    """What a locked account reads, once: why, and when it may try again (UTC, as the server keeps it)."""
    when = f"until {until:%H:%M} UTC" if until else f"for {login_throttle.LOCK_MINUTES} minutes"
    return (f"This account is locked {when} after {login_throttle.MAX_FAILED_LOGINS} wrong passwords. "
            "An admin can unlock it sooner.")


def login_form(auth: stauth.Authenticate, settings: Settings, creds: dict[str, Any]) -> bool:
    """Render the login form (or re-login from the cookie); True when someone is logged in.

    The library counts a wrong password in `creds`; the count is carried to the database here. A try
    at a stand-in (a locked account, a refused demo account) says why, once: the status goes back
    to None so the next rerun does not add "incorrect".
    """
    before = _failed_attempts(creds)
    refused = refused_demo_accounts(settings)
    try:
        auth.login(location="main",
                   callback=lambda info: login_throttle.record_sign_in(runtime.uow(), info["username"]),
                   fields={"Form name": "Sign in to GenXSOP", "Username": "Username",
                           "Password": "Password", "Login": "Sign in"})  # nosec B105 # labels
    except LoginError as error:
        st.error(str(error))
    refusal = None
    for username, count in _failed_attempts(creds).items():
        if count <= before.get(username, 0):
            continue
        if username in refused:
            refusal = demo_refused_message(username)
        elif creds["usernames"][username].get("locked"):  # a try while locked: not another wrong password
            refusal = locked_message(login_throttle.locked_until(runtime.uow(), username))
        elif (until := login_throttle.record_failed_login(runtime.uow(), username)) is not None:
            refusal = locked_message(until)
    status = st.session_state.get("authentication_status")
    if status and st.session_state.get("username") in refused:  # a login cookie from demo mode
        refusal = demo_refused_message(st.session_state["username"])
        auth.logout(location="unrendered")
        status = None
    if status:
        return True
    finish_sign_out(auth)
    if refusal is not None:
        st.session_state["authentication_status"] = None  # said here, not again on the next rerun
        st.error(refusal)
    elif status is False:
        st.error("Username or password is incorrect.")
    if settings.demo:
        show_demo_logins()
    return False


def finish_sign_out(auth: stauth.Authenticate) -> None:
    """Keep deleting the sign-in cookie on the login form after a sign-out, until a new sign-in.

    The cookie lives in the browser and only a browser-side component can delete it. The library
    renders that component once, in the run of the click; a rerun that comes before its frame has
    loaded (on a busy server, or another component reporting a value) removes it unexecuted, and
    the cookie outlives the sign-out: a reload would sign the user back in. Rendered on every run
    of the login form, under one key, it stays mounted until it has run.
    """
    if not st.session_state.get("logout"):
        return
    manager = auth.cookie_controller.cookie_model.cookie_manager  # the library's own cookie manager
    # its delete() also forgets the cookie in a dict that may never have held it; the component alone does not
    manager.cookie_manager(method="delete", cookie=COOKIE_NAME, key="genxsop_sign_out", default=False)


def show_demo_logins() -> None:
    st.info(f"**Demo mode.** Sign in as any of these users with the password `{DEMO_PASSWORD}`.")
    tables.show(pd.DataFrame([{"username": u, "name": n, "role": r} for u, n, r in DEMO_USERS]),
                key="demo_logins", overrides={"username": "Username"})  # roles in words from the catalogue


def logout_button(auth: stauth.Authenticate) -> None:
    auth.logout("Sign out", location="sidebar", key="sign_out")
