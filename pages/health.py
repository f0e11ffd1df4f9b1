"""System health (admins): database, schema, models, forecast workers, runs, accounts, logs."""
import pandas as pd
import streamlit as st

from genxsop_core.admin.health import system_health
from genxsop_core.presentation.numbers import plural
from genxsop_ui import formatting, runtime, session, tables

actor = session.guard("health")
st.title("System health")
report = system_health(runtime.uow, actor, runtime.settings())
summary = {"ok": st.success, "warning": st.warning, "failed": st.error}[report.status]
summary(f"Overall: {report.status} (checked {report.checked_at:%Y-%m-%d %H:%M:%S} UTC)")
for check in report.checks:
    if check.status == "failed":  # what is broken, in red above the list, not only as a dot in it
        st.error(f"**{check.name}**: {formatting.plain(check.detail)}")
for check in report.checks:
    icon = {"ok": ":green[●]", "warning": ":orange[●]", "failed": ":red[●]"}[check.status]
    st.markdown(f"{icon} **{check.name}** · {formatting.plain(check.detail)}")

st.subheader("Recent forecast runs")
if report.runs:
    tables.show(pd.DataFrame([{"run": r.id, "status": r.status, "by": r.created_by, "started": r.created_at,
                               "scope": r.scope, "model": r.model,
                               "progress": f"{r.progress_done:,} of {plural(r.progress_total, 'SKU')}",
                               "seconds": r.seconds, "problem": r.error} for r in report.runs]), key="health_runs")
else:
    st.caption("No forecast runs yet.")
st.button("Check again", key="health_refresh")
