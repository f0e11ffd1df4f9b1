"""Demand review: drill through the hierarchy, override into the consensus plan, watch accuracy."""
from datetime import date

import streamlit as st

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.hierarchy import BOTTOM_UP, LEVEL_LABELS
from genxsop_core.domain.states import PlanStatus, RunStatus
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.presentation.numbers import plural, reason_label
from genxsop_ui import charts, deltas, grid_save, handoff, pickers, runtime, session, tables
from genxsop_ui.formatting import figure, plain
from genxsop_ui.plan_version_tab import plan_version_tab
from genxsop_ui.tabs import kept_tabs

actor = session.guard("demand")
st.title("Demand review")
may_edit = session.allowed(actor, "demand_plan.edit")
hierarchy = product_hierarchy(runtime.uow())
versions = demand_views.list_versions(runtime.uow())
handoff.arrive("dm")


def new_version_form() -> None:
    runs = [r for r in forecast_views.list_runs(runtime.uow()) if r.status == RunStatus.DONE]
    with st.expander("New consensus plan from a forecast run", expanded=versions.empty):
        if not runs:
            st.info("No finished forecast run yet: start one on the Forecasting page.")
            return
        labels = {r.id: f"Run {r.id} · {r.scope} · {r.model} · h={r.horizon} · {r.created_at:%Y-%m-%d %H:%M}"
                  for r in runs}
        run_id = st.selectbox("Forecast run", list(labels), format_func=labels.get, key="dm_new_run")
        month = st.date_input("S&OP cycle month", value=date.today().replace(day=1), key="dm_new_month")
        if st.button("Create draft plan", key="dm_create"):
            try:
                version_id = demand_plans.create_version(runtime.uow(), actor, run_id, month)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun("dm", f"Draft plan {version_id} created from run {run_id}.", {"dm_version": version_id})


if may_edit:
    new_version_form()
if versions.empty:
    st.info("No consensus plan yet." + ("" if may_edit else " A demand planner creates one from a forecast run."))
    st.stop()

top = st.columns([3, 2, 2])
version_id = pickers.plan_version_picker("Plan version", versions, "dm_version", container=top[0])
version = versions.set_index("id").loc[version_id]
measure = top[1].radio("Measure", demand_views.MEASURES, horizontal=True, key="dm_measure",
                       format_func=str.capitalize)
bucket = top[2].radio("View", demand_views.VIEW_BUCKETS, horizontal=True, key="dm_bucket",
                      format_func=lambda b: "Weekly" if b == "week" else "Monthly")

node, names_by_sku = pickers.hierarchy_picker(hierarchy, "dm")
sku = node.key if node.level == "sku" else None

review = runtime.demand_review(version_id)
weekly = review.chart(node, measure, "week")
chart = weekly if bucket == "week" else review.chart(node, measure, bucket)
totals = demand_views.plan_totals(weekly)  # over the weeks, whichever view: the monthly view shows the same figures
unit = "revenue" if measure == "revenue" else "units"
tiles = st.columns(3)
tiles[0].metric(f"Statistical, {unit}", figure(unit, totals.statistical))
tiles[1].metric(f"Consensus, {unit}", figure(unit, totals.consensus),
                deltas.shown_delta(f"{totals.override_change:+.1%} vs statistical"))
change = totals.change_vs_last_cycle
tiles[2].metric("Consensus vs last cycle's plan", "n/a" if change is None else f"{change:+.1%}",
                None if change is None else
                f"{figure(unit, totals.consensus_shared)} vs {figure(unit, totals.last_cycle_shared)}",
                delta_color="off", help=f"Over the periods both plans cover: {totals.shared_span}.")
st.caption(f"Consensus against last cycle's plan over {totals.shared_span}: the periods both plans cover, the same "
           "in the weekly and the monthly view." if change is not None else
           "No approved plan of an earlier cycle covers these periods: nothing to compare with.")
title = node.label() + (f" · {names_by_sku.get(sku, '')}" if node.level == "sku" else "")
aggregate = node.level != "sku"
st.plotly_chart(charts.demand_review(chart, measure, title, aggregate), width="stretch", key="dm_chart")
st.caption(charts.demand_band_caption(aggregate, bucket == "month", demand_views.band_of(chart)))

overrides_tab, accuracy_tab, version_tab = kept_tabs(["Overrides", "Accuracy", "Plan version"], "dm_tab")

with overrides_tab:
    editable = may_edit and version.status == PlanStatus.DRAFT
    levels = demand_views.grid_levels(node)
    grid_level = st.radio("Override at", levels, horizontal=True, key="dm_grid_level",
                          format_func=LEVEL_LABELS.get,
                          index=levels.index("family") if node.level in ("total", "category") else 0,
                          help="All products or a category open at family level: thousands of SKU rows are "
                               "no grid to work in")
    grid = review.override_grid(node, grid_level)
    shown = ["item", "period", "statistical", "override", "consensus", "reason_code", "comment", "author"]
    reasons = demand_views.reason_codes(runtime.uow())
    config = {"item": st.column_config.TextColumn(LEVEL_LABELS[grid_level]),
              "override": st.column_config.NumberColumn("Override", min_value=0.0, format="%,.0f",
                                                        help="The new consensus; clear the cell to remove"),
              "reason_code": st.column_config.SelectboxColumn(
                  "Reason", options=list(reasons), format_func=lambda code: reason_label(code, reasons)),
              "comment": st.column_config.TextColumn("Comment", max_chars=500)}
    if not editable:
        why = ("This version is " + version.status + " and read-only." if may_edit
               else "You can read the plan; demand planners and admins change it.")
        st.caption(why)
        tables.show(grid, key="dm_grid_view", column_order=shown, descriptions=reasons,
                    overrides={"item": config["item"]})
    else:
        st.caption("Type the new consensus in Override, pick a reason and write a comment; clear Override to "
                   "remove it. A family or category value is split to its SKUs in proportion to their "
                   "statistical forecast.")
        nonce = st.session_state.setdefault("dm_grid_nonce", 0)
        edited = tables.edit(grid, key=f"dm_grid_{nonce}", column_order=shown, overrides=config,
                             disabled=["item", "period", "statistical", "consensus", "author"])
        edits = demand_views.grid_edits(grid, edited, grid_level)
        if edits and grid_level != "sku":
            st.markdown("**How the changes land on SKUs**")
            for edit in [e for e in edits if e.value is not None][:5]:
                st.caption(f"{plain(edit.key)}, {edit.period:%Y-%m-%d}: {edit.value:,.1f}")
                tables.show(demand_views.split_preview(runtime.uow(), version_id, grid_level, edit.key,
                                                       edit.period, edit.value))
        grid_save.save_button(f"Save {plural(len(edits), 'change')}", "dm_save", "dm",
                              lambda: demand_plans.save_overrides(runtime.uow(), actor, version_id, edits),
                              lambda changed: f"Saved: {plural(changed, 'SKU-period cell')} changed.",
                              disabled=not edits)

with accuracy_tab:
    level = st.radio("Per", BOTTOM_UP, horizontal=True, key="dm_acc_level", format_func=LEVEL_LABELS.get)
    panel = review.accuracy_panel(node, level, st.session_state.get("dm_lag"))
    if not panel.lags:
        st.info("No approved plan has met its actuals yet: accuracy appears once an approved cycle's periods "
                "have actuals.")
    else:
        if st.session_state.get("dm_lag") not in panel.lags:
            st.session_state["dm_lag"] = panel.lags[0]
        lag = st.selectbox("Lag (buckets ahead of the plan)", panel.lags, key="dm_lag")
        left, right = st.columns([2, 3])
        with left:
            st.markdown("**Forecast Value Added** (WAPE; naive = last actual before the plan)")
            st.plotly_chart(charts.value_added_waterfall(panel.value_added), width="stretch", key="dm_fva")
        with right:
            st.markdown(f"**Accuracy at lag {lag}** per {level}")
            tables.show(panel.by_lag, key="dm_accuracy")
        st.markdown("**Flagged SKUs** (|tracking signal| > 4 or |bias| > 20%)")
        if panel.flagged.empty:
            st.caption("None at this lag.")
        else:
            tables.show(panel.flagged, key="dm_flagged")

with version_tab:
    plan_version_tab(actor, demand_plans.KIND, version_id, version, "dm", demand_plans.change_status,
                     "Download the plan")
