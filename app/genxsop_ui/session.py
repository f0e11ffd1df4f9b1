"""The signed-in user as an Actor for services, and the role check every page runs first."""
from __future__ import annotations

import streamlit as st

from genxsop_core.exceptions import GenXSOPError, ValidationFailed
from genxsop_core.permissions import ROLE_LABELS, Actor, can
from genxsop_core.users import get_user
from genxsop_ui import runtime
from genxsop_ui.navigation import page


def current_actor() -> Actor | None:
    """The logged-in, still active user with the roles the database holds now."""
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    user = get_user(runtime.uow(), username) if username else None
    if user is None or not user.active:
        return None
    return Actor(user.username, user.roles)


def guard(page_key: str) -> Actor:
    """First line of every page: stop unless the user may see this page."""
    actor = current_actor()
    spec = page(page_key)
    if actor is None:
        st.warning("Please sign in.")
        st.stop()
    if not spec.roles & set(actor.roles):
        st.error(f"The {spec.title} page is not available to your role "
                 f"({', '.join(ROLE_LABELS[r] for r in actor.roles)}).")
        st.stop()
    return actor


def allowed(actor: Actor, action: str) -> bool:
    return can(actor, action)


def show_error(error: GenXSOPError) -> None:
    """Domain errors map to one st.error; file problems list every issue."""
    if isinstance(error, ValidationFailed):
        st.error(f"Nothing was imported: {len(error.issues)} problem(s) found.")
        st.dataframe([{"file": i.file, "row": i.row, "column": i.column, "problem": i.message}
                      for i in error.issues], hide_index=True)
    else:
        st.error(str(error))
