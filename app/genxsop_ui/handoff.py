"""What an action leaves for the page's next run: a message to show and widget values to set.

An action that changes data ends in st.rerun(), so every widget redraws from the new state. What
the action drew is gone by then, and a widget already drawn in this run refuses a new value
(StreamlitAPIException). So the action leaves both here (`rerun`) and the page picks them up at
its top (`arrive`), before the widgets they are for exist. One slot per page (its key prefix):
a message never turns up on another page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import streamlit as st


@dataclass(frozen=True)
class Handoff:
    message: str | None = None
    selections: Mapping[str, Any] = field(default_factory=dict)  # widget key -> value it starts with


def _slot(slot: str) -> str:
    return f"_handoff_{slot}"


def rerun(slot: str, message: str | None = None, selections: Mapping[str, Any] | None = None) -> NoReturn:
    """End this run after an action landed: the next run of the page of `slot` shows `message` and
    starts the widgets keyed in `selections` at those values (a new version picked, an input emptied)."""
    st.session_state[_slot(slot)] = Handoff(message, dict(selections or {}))
    st.rerun()


def arrive(slot: str) -> frozenset[str]:
    """Call at the top of the page, before its widgets: set the widget values left for this run,
    show the message left for it, and return the keys whose value was set."""
    waiting: Handoff | None = st.session_state.pop(_slot(slot), None)
    if waiting is None:
        return frozenset()
    for key, value in waiting.selections.items():
        st.session_state[key] = value
    if waiting.message:
        st.success(waiting.message)
    return frozenset(waiting.selections)
