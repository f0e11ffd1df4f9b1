"""The save button under an editable plan grid, shared by Demand review and Supply review."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_ui import handoff, session


def save_button(label: str, key: str, prefix: str, save: Callable[[], int], message: Callable[[int], str],
                disabled: bool = False) -> None:
    """Run `save` (a service call returning the cells changed) on a click. A landed save reloads
    the grid from the database (a new editor key, `{prefix}_grid_nonce`) and flashes
    `message(changed)` (so the count reads in the right number) through handoff slot `prefix`; a
    refused one shows why and keeps the planner's edits in the grid."""
    if st.button(label, key=key, disabled=disabled, type="primary"):
        try:
            changed = save()
        except GenXSOPError as error:
            session.show_error(error)
        else:
            st.session_state[f"{prefix}_grid_nonce"] = st.session_state.get(f"{prefix}_grid_nonce", 0) + 1
            handoff.rerun(prefix, message(changed))
