"""Login with streamlit-authenticator against the users in the database.

Credentials are rebuilt from the database on every run (only bcrypt hashes ever leave
it), so a deactivated user or a changed role takes effect on the next click.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from genxsop_core.bootstrap import DEMO_PASSWORD, DEMO_USERS
from genxsop_core.config import Settings
from genxsop_core.permissions import ROLE_LABELS
from genxsop_core.users import login_credentials
from genxsop_ui import runtime

COOKIE_NAME = "genxsop_auth"
COOKIE_DAYS = 7.0


def cookie_key(settings: Settings) -> str | None:
    """GENXSOP_COOKIE_KEY, or in demo mode a generated one; None means: refuse to start."""
    if settings.cookie_key:
        return settings.cookie_key
    return runtime.generated_cookie_key() if settings.demo else None


def authenticator(settings: Settings, key: str) -> stauth.Authenticate:
    return stauth.Authenticate(
        login_credentials(runtime.uow()), cookie_name=COOKIE_NAME, cookie_key=key,
        cookie_expiry_days=COOKIE_DAYS, auto_hash=False, login_sleep_time=0,
    )


def login_form(auth: stauth.Authenticate, settings: Settings) -> bool:
    """Render the login form (or re-login from the cookie); True when someone is logged in."""
    try:
        auth.login(location="main", fields={"Form name": "Sign in to GenXSOP", "Username": "Username",
                                            "Password": "Password", "Login": "Sign in"})
    except LoginError as error:
        st.error(str(error))
    status = st.session_state.get("authentication_status")
    if status:
        return True
    if status is False:
        st.error("Username or password is incorrect.")
    if settings.demo:
        show_demo_logins()
    return False


def show_demo_logins() -> None:
    st.info(f"**Demo mode.** Sign in as any of these users with the password `{DEMO_PASSWORD}`.")
    st.dataframe(pd.DataFrame([{"Username": u, "Name": n, "Role": ROLE_LABELS[r]} for u, n, r in DEMO_USERS]),
                 hide_index=True)


def logout_button(auth: stauth.Authenticate) -> None:
    auth.logout("Sign out", location="sidebar", key="sign_out")
