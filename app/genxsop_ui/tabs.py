"""Tabs that stay where the user was after a save or any other rerun."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def kept_tabs(labels: list[str], key: str) -> Sequence[DeltaGenerator]:
    """st.tabs whose open tab is kept in session state under `key`, so the rerun after a save, or
    typing in a field, draws the page with the same tab open. Plain tabs keep their place only in
    the browser, which opens the first again when the page above them changes (a save's message)."""
    return st.tabs(labels, key=key, on_change="rerun")
