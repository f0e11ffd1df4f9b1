"""Admin: users and their roles, reason codes, the audit trail with filters, the integration API's keys,
and going live."""
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from genxsop_core.admin import api_keys, users
from genxsop_core.admin.audit import audit_choices, search_audit
from genxsop_core.admin.go_live import GoLiveReport, demo_accounts, go_live
from genxsop_core.admin.health import demo_accounts_warning
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import reason_codes
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.permissions import ROLE_LABELS, ROLES
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.presentation.fields import words
from genxsop_core.presentation.numbers import plural
from genxsop_ui import handoff, runtime, session, tables
from genxsop_ui.formatting import plain
from genxsop_ui.tabs import kept_tabs

actor = session.guard("admin")
st.title("Admin")
handoff.arrive("go_live")
demo_left = demo_accounts(runtime.uow())
if demo_left and not runtime.settings().demo:
    st.error(f"Not live yet: {plain(demo_accounts_warning(demo_left))}.")
users_tab, reasons_tab, audit_tab, keys_tab = kept_tabs(["Users and roles", "Reason codes", "Audit log", "API keys"],
                                                        "admin_tab")


def _any_or_words(code: str) -> str:
    """An audit filter choice: a code as words, the empty choice as "Any"."""
    return words(code) if code else "Any"


def _run(change, success: str) -> None:
    try:
        change()
        st.success(success)
    except GenXSOPError as error:
        session.show_error(error)


with users_tab:
    with st.expander("Add a user"), st.form("add_user", clear_on_submit=True):
        username = st.text_input("Username")
        name = st.text_input("Full name")
        email = st.text_input("Email")
        new_roles = st.multiselect("Roles", ROLES, format_func=ROLE_LABELS.get)
        password = st.text_input("Initial password", type="password")
        if st.form_submit_button("Add user"):
            _run(lambda: users.add_user(runtime.uow(), actor, username, name, password, new_roles, email),
                 f"User {plain(username.strip().lower())} added.")

    people = users.list_users(runtime.uow())
    table_slot = st.container()  # filled last, so it shows the changes made below

    st.subheader("Change a user")
    chosen = st.selectbox("User", [u.username for u in people], key="edit_user")
    person = next(u for u in people if u.username == chosen)
    roles = st.multiselect("Roles", ROLES, default=list(person.roles), format_func=ROLE_LABELS.get,
                           key=f"roles_{chosen}")
    if person.locked_until is not None:
        st.warning(f"{plain(chosen)} is locked after repeated wrong passwords until "
                   f"{person.locked_until:%Y-%m-%d %H:%M} UTC.")
        if st.button("Unlock", key="unlock_user"):
            _run(lambda: users.unlock_user(runtime.uow(), actor, chosen), f"{plain(chosen)} unlocked.")
    left, middle, right = st.columns(3)
    if left.button("Save roles", key="save_roles"):
        _run(lambda: users.set_roles(runtime.uow(), actor, chosen, roles), f"Roles of {plain(chosen)} saved.")
    if middle.button("Deactivate" if person.active else "Reactivate", key="toggle_active"):
        _run(lambda: users.set_active(runtime.uow(), actor, chosen, not person.active),
             f"{plain(chosen)} {'deactivated' if person.active else 'reactivated'}.")
    with right.popover("Set password"):
        new_password = st.text_input("New password", type="password", key="new_password")
        if st.button("Set password", key="set_password"):
            _run(lambda: users.set_password(runtime.uow(), actor, chosen, new_password),
                 f"Password of {plain(chosen)} changed.")

    with table_slot:  # a lock that has run out shows blank, not "None"
        tables.show(pd.DataFrame([{"username": u.username, "name": u.name, "email": u.email,
                                   "roles": ", ".join(ROLE_LABELS[r] for r in u.roles), "active": u.active,
                                   "locked_until": u.locked_until}
                                  for u in users.list_users(runtime.uow())]), key="users_table")

with reasons_tab:
    handoff.arrive("reason")
    st.caption("The reasons planners may give for an override. A retired code stays on the overrides that "
               "used it but is no longer offered.")
    with st.form("add_reason", clear_on_submit=True):
        code = st.text_input("Code", max_chars=40, key="reason_code_new")
        description = st.text_input("Description", max_chars=200, key="reason_description_new")
        if st.form_submit_button("Add reason code"):
            _run(lambda: reason_codes.add_reason_code(runtime.uow(), actor, code, description),
                 f"Reason code {code.strip().upper()} added.")
    codes = reason_codes.list_reason_codes(runtime.uow())
    tables.show(codes, key="reason_codes_table")
    if not codes.empty:
        chosen = st.selectbox("Code", codes.code, key="reason_code_pick")
        active = bool(codes.set_index("code").active[chosen])
        if st.button("Retire" if active else "Bring back", key="reason_code_toggle"):
            try:
                reason_codes.set_reason_code_active(runtime.uow(), actor, chosen, not active)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun("reason", f"Reason code {chosen} {'retired' if active else 'offered again'}.")

with audit_tab:
    choices = audit_choices(runtime.uow(), actor)
    c1, c2, c3 = st.columns(3)
    who = c1.selectbox("User", [""] + choices["username"], key="audit_user")
    action = c2.selectbox("Action", [""] + choices["action"], key="audit_action", format_func=_any_or_words)
    entity = c3.selectbox("Record", [""] + choices["entity"], key="audit_entity", format_func=_any_or_words)
    c4, c5, c6 = st.columns(3)
    days = c4.date_input("Between", value=(), key="audit_dates")
    cycle_name = c5.selectbox("S&OP cycle", [""] + list(cycle.list_cycles(runtime.uow()).name), key="audit_cycle",
                              help="Its stage moves, sign-offs, decisions, actions and meeting packs")
    key_text = cycle_name or c6.text_input("Key contains", key="audit_key")
    since = datetime.combine(days[0], time.min, UTC) if len(days) >= 1 else None
    until = datetime.combine(days[1], time.min, UTC) + timedelta(days=1) if len(days) == 2 else None
    entries = search_audit(runtime.uow(), actor, AuditFilter(who or None, action or None, entity or None,
                                                             since, until, key_text or None))
    st.caption(f"{plural(len(entries), 'record')}, newest first (at most 500 shown)")
    tables.show(pd.DataFrame([{"id": e.id, "when": e.at, "user": e.username, "action": e.action,
                               "entity": e.entity, "key": e.key} for e in entries]), key="audit_table",
                overrides={"key": "Key"})
    if entries:
        detail = st.selectbox("Show before / after of record", [e.id for e in entries], key="audit_detail")
        entry = next(e for e in entries if e.id == detail)
        before_col, after_col = st.columns(2)
        before_col.markdown("**Before**")
        before_col.json(entry.before or {}, expanded=False)
        after_col.markdown("**After**")
        after_col.json(entry.after or {}, expanded=False)

with keys_tab:
    st.caption("Keys let other systems (an ERP, a BI tool, a script) use the integration API: each acts with "
               "one role, and the audit log names its writes by the key (key:erp-nightly for a key named "
               "erp-nightly). A key is shown once, when it is created; only a hash is kept. README, Integration API.")
    with st.form("add_api_key", clear_on_submit=True):
        c1, c2, c3, c4 = st.columns(4)
        key_name = c1.text_input("Name", key="api_key_name", help="what the key is for, e.g. erp-nightly")
        key_role = c2.selectbox("Role", ROLES, format_func=ROLE_LABELS.get, key="api_key_role", index=len(ROLES) - 1)
        client_id = c3.text_input("Client id (optional)", key="api_key_client")
        last_day = c4.date_input("Last day (optional)", value=None, key="api_key_expires")
        if st.form_submit_button("Create key"):
            try:
                created = api_keys.create_key(runtime.uow(), actor, key_name, key_role, client_id, last_day)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                st.success(f"API key {plain(created.view.name)} created. Copy it now: it is not shown again.")
                st.code(created.key, language=None)
    keys_slot = st.container()  # filled last, so it shows a revocation made below
    usable = [k.name for k in api_keys.list_keys(runtime.uow(), actor) if k.revoked_at is None]
    if usable:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        to_revoke = c1.selectbox("Key to revoke", usable, key="api_key_pick")
        if c2.button("Revoke", key="api_key_revoke"):
            _run(lambda: api_keys.revoke_key(runtime.uow(), actor, to_revoke),
                 f"API key {plain(to_revoke)} revoked: it is refused from now on.")
    with keys_slot:
        tables.show(pd.DataFrame([{"name": k.name, "prefix": f"{k.prefix}...", "role": k.role,
                                   "client_id": k.client_id, "status": k.status(), "last_day": k.last_day,
                                   "last_used_at": k.last_used_at, "created_by": k.created_by}
                                  for k in api_keys.list_keys(runtime.uow(), actor)],
                                 columns=["name", "prefix", "role", "client_id", "status", "last_day",
                                          "last_used_at", "created_by"]),
                    key="api_keys_table")


CONFIRMATION = "GO LIVE"


def _went_live(report: GoLiveReport) -> str:
    lines = ["Went live.", f"Backup written first: {plain(report.backup_file)}",
             f"Demo accounts removed: {plain(', '.join(report.accounts_removed) or 'none (there were none)')}"]
    if report.demo_data_removed:
        lines.append("Demo data removed, rows per table (before → after): " + "; ".join(
            f"{plain(table)} {before} → {after}" for table, (before, after) in report.changed_tables().items()))
    else:
        lines.append("Demo data kept.")
    return "  \n".join(lines)


# last on the page: the banner at the top points here
with st.expander("Go live", expanded=bool(demo_left) and not runtime.settings().demo):
    st.markdown("Makes this database safe for real use: removes the demo accounts, which sign in with the "
                "public demo password, and on request the demo company's data (only rows the demo created; "
                "nothing changes if real data was imported on top of demo rows: it says which). A backup "
                "of the database is written first (next to the SQLite file; for PostgreSQL in the working "
                "folder). Needs GENXSOP_COOKIE_KEY; the audit log records it. Sign in with a real admin "
                "account first: a demo admin is removed too. See README, Going live.")
    remove_demo_data = st.checkbox("also remove the demo company's data", key="go_live_remove_data")
    typed = st.text_input(f"Type {CONFIRMATION} to confirm", key="go_live_confirm")
    if st.button("Go live", key="go_live", type="primary", disabled=typed.strip() != CONFIRMATION):
        try:
            report = go_live(runtime.uow, actor, runtime.settings(), remove_demo_data=remove_demo_data)
        except GenXSOPError as error:
            session.show_error(error)
        else:
            handoff.rerun("go_live", _went_live(report), {"go_live_confirm": "", "go_live_remove_data": False})
