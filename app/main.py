"""GenXSOP app shell: page config, login, role-based navigation. `streamlit run app/main.py`."""
from __future__ import annotations

import streamlit as st

from genxsop_core.domain.exceptions import ConfigurationError
from genxsop_core.domain.permissions import ROLE_LABELS
from genxsop_ui import auth, first_admin, formatting, runtime, session
from genxsop_ui.navigation import refused_for, sections_for

st.set_page_config(page_title="GenXSOP", page_icon=":material/insights:", layout="wide")

try:
    settings = runtime.settings()
except ConfigurationError as error:
    st.error(f"GenXSOP cannot start: {error}")
    st.stop()

key = auth.cookie_key(settings)
if key is None:
    st.error("GenXSOP cannot start: set GENXSOP_COOKIE_KEY to a long random secret "
             "(it signs the login cookie). Only demo mode (GENXSOP_DEMO=1) may run without one.")
    st.stop()

if first_admin.setup_needed(settings):  # a new installation: no user to sign in as yet
    first_admin.setup_form()
    st.stop()
first_admin.created_notice()

credentials = auth.credentials(settings)
authenticator = auth.authenticator(settings, key, credentials)
if not auth.login_form(authenticator, settings, credentials):
    st.stop()

actor = session.current_actor()
session.tag_log_lines(actor)
if actor is None:
    st.error("Your account is no longer active. Ask an admin.")
    authenticator.logout("Sign out", location="main", key="sign_out_inactive")
    st.stop()

with st.sidebar:
    st.markdown(f"**{formatting.plain(st.session_state.get('name', actor.username))}**  \n"
                f"{', '.join(ROLE_LABELS[r] for r in actor.roles)}")
    if settings.demo:  # how the cookie is signed, and what to set, is on System health for admins
        st.caption("Demo mode: a demo company with public passwords. Not for real data.")
auth.logout_button(authenticator)

menu = sections_for(actor.roles)
landing = next(iter(menu.values()))[0]
refused = refused_for(actor.roles)  # routed but hidden: their URL says who they are for, not "Page not found"
navigation = st.navigation({
    section: [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.key, default=p is landing) for p in pages]
    + [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.key, visibility="hidden")
       for p in refused if p.section == section]
    for section, pages in menu.items()})
with session.page_log(navigation.title):
    navigation.run()
