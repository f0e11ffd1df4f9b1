"""The "Plan version" tab the demand and supply pages share: where the version stands, the status
moves the user's role allows (with a note for the audit trail), and the export."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.permissions import Actor
from genxsop_core.plans import versions as plan_versions
from genxsop_ui import handoff, runtime, session
from genxsop_ui.formatting import plain

MOVE_LABELS = {"submit": "Submit for approval", "send_back": "Send back to draft",
               "approve": "Approve (read-only from then on)"}  # one per plan_versions.TRANSITIONS


def plan_version_tab(actor: Actor, kind: str, version_id: int, version: pd.Series, prefix: str,
                     change_status: Callable[..., str], export_label: str, about: str = "") -> None:
    """Widget keys are `{prefix}_<move>`, `{prefix}_status_note`, `{prefix}_export_type`, `{prefix}_export`;
    a successful move leaves its message in handoff slot `prefix` for the next run."""
    st.markdown(f"**{plain(version['name'])}** · {version.cycle} · status **{version.status}**{about} · created by "
                f"{plain(version.created_by)}"
                + (f" · approved by {plain(version.approved_by)}" if version.approved_by else ""))
    actions = [(move, MOVE_LABELS[move]) for move, (verb, _, allowed_from) in plan_versions.TRANSITIONS.items()
               if version.status in allowed_from and session.allowed(actor, plan_versions.permission(kind, verb))]
    note = st.text_input("Note for the audit trail", key=f"{prefix}_status_note") if actions else ""
    for move, label in actions:
        if st.button(label, key=f"{prefix}_{move}"):
            try:
                status = change_status(runtime.uow(), actor, version_id, move, note)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun(prefix, f"Version {version_id} is now {status}.")
    file_type = st.radio("Export as", ["xlsx", "csv"], horizontal=True, key=f"{prefix}_export_type")
    st.download_button(f"{export_label} ({file_type.upper()})",
                       data=lambda: plan_versions.export_plan(runtime.uow(), kind, version_id, file_type)[0],
                       file_name=f"{kind}_plan_{version_id}.{file_type}", key=f"{prefix}_export")
