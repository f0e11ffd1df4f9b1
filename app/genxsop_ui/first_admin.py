"""The login page of a new installation: "Create the first administrator" with the setup token.

Outside demo mode a database without any user shows this form instead of the sign-in form. The
token is the one the server printed to its console and log on start (admin.setup); the account
it creates is an admin, under the same password rules as every other (admin.passwords).
"""
from __future__ import annotations

import streamlit as st

from genxsop_core.admin import setup
from genxsop_core.admin.passwords import MIN_PASSWORD_LENGTH
from genxsop_core.config import Settings
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_ui import runtime, session
from genxsop_ui.formatting import plain

_CREATED = "first_admin_created"  # session key: the username just created, for the notice on the sign-in form


def setup_needed(settings: Settings) -> bool:
    """Outside demo mode, while the database has no user (demo mode seeds its accounts instead)."""
    return not settings.demo and setup.needs_setup(runtime.uow())


def _create(token: str, username: str, name: str, password: str, repeated: str) -> str | None:
    """The new admin's username, or None after saying on the page why not."""
    if password != repeated:
        st.error("The two passwords differ.")
        return None
    try:
        return setup.create_first_admin(runtime.uow(), token, username, name, password).username
    except GenXSOPError as error:
        session.show_error(error)
        return None


def setup_form() -> None:
    st.title("Create the first administrator")
    st.markdown("GenXSOP has no users yet. When the server started it printed a one-time **setup token** to "
                "its console and log, in a line that starts with `GenXSOP setup:`. Enter it here with the "
                "account of the first administrator, who then adds everyone else on the Admin page.")
    with st.form("first_admin"):
        token = st.text_input("Setup token", type="password", help="The last one printed, if the server "
                              "started more than once: each start replaces the token.")
        username = st.text_input("Username", help="2-64 characters: letters, digits, '.', '_' or '-'")
        name = st.text_input("Name", help="As the other users will see it")
        password = st.text_input("Password", type="password",
                                 help=f"At least {MIN_PASSWORD_LENGTH} characters; not the demo password and "
                                      "not the username")
        repeated = st.text_input("Repeat password", type="password")
        sent = st.form_submit_button("Create the administrator", type="primary")
    if sent:
        created = _create(token, username, name, password, repeated)
        if created is not None:
            st.session_state[_CREATED] = created
            st.rerun()


def created_notice() -> None:
    """Once, on the sign-in form that follows the setup: whom to sign in as."""
    created = st.session_state.pop(_CREATED, None)
    if created:
        st.success(f"The administrator {plain(created)} was created. Sign in with the password you chose.")
