"""The signed-in user as an Actor for services, and the role check every page runs first."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from genxsop_core.admin import logs
from genxsop_core.admin.users import get_user
from genxsop_core.domain.exceptions import GenXSOPError, ValidationFailed
from genxsop_core.domain.permissions import ROLE_LABELS, Actor, can
from genxsop_core.presentation.numbers import plural
from genxsop_ui import runtime, tables
from genxsop_ui.formatting import plain
from genxsop_ui.navigation import audience, page

_log = logging.getLogger("genxsop.pages")


def current_actor() -> Actor | None:
    """The logged-in, still active user with the roles the database holds now."""
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    user = get_user(runtime.uow(), username) if username else None
    if user is None or not user.active:
        return None
    return Actor(user.username, user.roles)


def tag_log_lines(actor: Actor | None) -> None:
    """Every log line of this rerun carries the user and the browser session (logs.py)."""
    ctx = get_script_run_ctx()
    logs.bind(user=actor.username if actor else None, session=ctx.session_id if ctx else None)


@contextmanager
def page_log(title: str) -> Iterator[None]:
    """One log line per rerun: which page, how long it took to draw (st.stop/st.rerun included)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        _log.info("page %s drawn", title, extra={"page": title,
                                                 "ms": round((time.perf_counter() - started) * 1000, 1)})


def guard(page_key: str) -> Actor:
    """First line of every page: stop unless the user may see this page."""
    actor = current_actor()
    spec = page(page_key)
    if actor is None:
        st.warning("Please sign in.")
        st.stop()
    if not spec.roles & set(actor.roles):
        st.error(f"{spec.title} is for {audience(spec)}: it is not available to your role "
                 f"({', '.join(ROLE_LABELS[r] for r in actor.roles)}).")
        st.stop()
    return actor


def allowed(actor: Actor, action: str) -> bool:
    return can(actor, action)


def show_error(error: GenXSOPError) -> None:
    """Domain errors map to one st.error; file problems list every issue."""
    if isinstance(error, ValidationFailed):
        st.error(f"Nothing was imported: {plural(len(error.issues), 'problem')} found.")
        tables.show([{"file": i.file, "row": i.row, "column": i.column, "problem": i.message}
                     for i in error.issues])
    else:
        st.error(plain(str(error)))  # messages name what the user typed: shown as typed
