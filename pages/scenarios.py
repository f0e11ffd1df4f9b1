"""What-if scenarios: sliders over the current plan, the delta strip, pin, compare, promote."""
import pandas as pd
import streamlit as st

from genxsop_core.demand import views as demand_views
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.scenarios import levers as scenarios
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.supply import views as supply_views
from genxsop_ui import charts, formatting, handoff, pickers, runtime, scenario_strip, session, tables
from genxsop_ui.tabs import kept_tabs

LEVER_KEYS = ("sc_demand", "sc_cat_", "sc_price", "sc_cost", "sc_capacity", "sc_res_", "sc_lead_time",
              "sc_own_service", "sc_service")

actor = session.guard("scenarios")
st.title("What-if scenarios")
if "sc_version" in handoff.arrive("sc"):  # a promoted scenario's plan: it has the levers in it
    for lever in [k for k in st.session_state if k.startswith(LEVER_KEYS)]:
        del st.session_state[lever]
versions = demand_views.working_versions(runtime.uow())
if versions.empty:
    st.info("No consensus plan yet: scenarios start from one (Demand review).")
    st.stop()
version_id = pickers.plan_version_picker("Plan version", versions, "sc_version")
data = runtime.plan_data(version_id, supply_views.supply_version_for(runtime.uow(), version_id))
REBALANCE_HELP = ("Plan the receipts again for the best plan that fits capacity plus overtime (Supply review, "
                  "Balance the plan), for the plan as it stands and for the scenario, instead of cutting made "
                  "receipts where a resource runs out of hours")


def percent_slider(label: str, key: str, low: int, high: int, help: str | None = None) -> float:
    return st.slider(label, low, high, 0, step=1, format="%d%%", key=key, help=help) / 100


with st.sidebar:
    st.markdown("**Levers**")
    demand = percent_slider("Demand change", "sc_demand", -30, 30)
    with st.expander("Demand change by category"):
        by_group = {f"category:{c}": percent_slider(formatting.plain(c), f"sc_cat_{c}", -50, 50)
                    for c in sorted(data.products.category.unique())}
    price = percent_slider("Price change", "sc_price", -20, 20)
    cost = percent_slider("Unit cost change", "sc_cost", -20, 20)
    capacity_all = percent_slider("Capacity change, all resources", "sc_capacity", -30, 50,
                                  help="+20% is about one more shift a week on a 5-shift line")
    with st.expander("Capacity change by resource (on top)"):
        by_resource = {r: percent_slider(formatting.plain(r), f"sc_res_{r}", -50, 100) for r in data.resources.resource}
    lead_time = st.slider("Supplier lead time change (days, bought SKUs)", -14, 28, 0, key="sc_lead_time")
    own_targets = st.toggle("Each SKU's own service level target", value=True, key="sc_own_service")
    service = None if own_targets else st.slider("Service level target", 80.0, 99.5, 95.0, step=0.5,
                                                  format="%.1f%%", key="sc_service") / 100
    rebalance = st.toggle("Rebalance the plan", key="sc_rebalance", help=REBALANCE_HELP)

levers = scenarios.Levers(
    demand_change=demand, demand_change_by_group={g: v for g, v in by_group.items() if v},
    price_change=price, unit_cost_change=cost,
    capacity_change={r: (1 + capacity_all) * (1 + v) - 1 for r, v in by_resource.items() if capacity_all or v},
    lead_time_change_days=float(lead_time), service_level=service)
evaluated = scenario_strip.evaluate_or_stop(data, levers, rebalance)
baseline, scenario = evaluated.baseline, evaluated.scenario

scenario_strip.delta_strip(baseline, scenario)
if rebalance:
    st.caption("Baseline: the plan as it stands, balanced. Both plans are balanced: receipts planned again within "
               "capacity plus overtime, margin after holding, overtime and shortage costs at its best.")
    if evaluated.worth_adding:
        st.info(evaluated.worth_adding)
    with st.expander("What one more hour is worth, per resource"):
        tables.show(evaluated.hour_values, key="sc_hour_values")
else:
    st.caption("Baseline: the plan as it stands. Planned receipts follow the demand change; made receipts are cut "
               "where a resource runs out of hours; sales beyond stock are lost.")

left, right = st.columns(2)
left.plotly_chart(charts.scenario_lines(baseline.by_period, scenario.by_period, "revenue", "Revenue per period"),
                  width="stretch", key="sc_revenue")
right.plotly_chart(charts.scenario_lines(baseline.by_period, scenario.by_period, "inventory_value",
                                         "Projected inventory value"), width="stretch", key="sc_inventory")
st.plotly_chart(charts.scenario_utilization(baseline.capacity, scenario.capacity), width="stretch",
                key="sc_capacity_chart")

pin_tab, compare_tab, promote_tab = kept_tabs(["Pin", "Compare", "Promote"], "sc_tab")
with pin_tab:
    if not session.allowed(actor, "scenario.pin"):
        st.caption("You can try the levers; pinning a scenario is for planners, the coordinator and executives.")
    else:
        name = st.text_input("Scenario name", key="sc_name", placeholder="Demand -10%, one more shift")
        note = st.text_area("Decision note", key="sc_note", placeholder="What the meeting decided and why")
        if rebalance:
            st.caption("A pinned scenario keeps its levers and the figures above, of the balanced plan, marked "
                       "rebalanced; promoting it makes the balanced receipts the supply plan.")
        if st.button("Pin these levers", key="sc_pin", type="primary"):
            try:
                pinned_id = pinned_scenarios.pin(runtime.uow(), actor, data, name, levers, note, rebalance)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                newest = pinned_scenarios.list_pinned(runtime.uow(), version_id).id.astype(int).tolist()
                handoff.rerun("sc", f"Pinned scenario #{pinned_id} '{formatting.plain(name.strip())}'.",
                              {"sc_compare": newest[:2]})  # the comparison shows the newest scenarios

pinned = pinned_scenarios.list_pinned(runtime.uow(), version_id)
labels = {int(r.id): f"#{r.id} {r.name} · {r.status} · {r.created_by}"
          + (" · rebalanced" if pinned_scenarios.was_rebalanced(r.results) else "") for r in pinned.itertuples()}
with compare_tab:
    if pinned.empty:
        st.caption("No pinned scenario on this plan version yet.")
    else:
        chosen = st.multiselect("Scenarios side by side (up to four)", list(labels), format_func=labels.get,
                                max_selections=pinned_scenarios.MAX_COMPARED, key="sc_compare",
                                default=None if "sc_compare" in st.session_state else list(labels)[:2])
        if chosen:
            table = pinned_scenarios.comparison(pinned, chosen)
            table.insert(0, "Baseline", pd.Series(baseline.summary))
            figures = formatting.figure_table(table).rename(index=scenarios.SUMMARY_LABELS)
            tables.show(figures.rename_axis("Figure").reset_index(), key="sc_comparison",
                        overrides={str(c): str(c) for c in figures.columns})  # scenario names as typed
            compared = pinned.set_index("id").loc[chosen]
            balanced = compared.results.map(pinned_scenarios.was_rebalanced)
            if rebalance or balanced.any():
                st.caption("Baseline: the plan as it stands" + (", balanced" if rebalance else "") + ". Scenarios "
                           "marked rebalanced keep the figures of their plan balanced, the others those of made "
                           "receipts cut to capacity.")
            for row, rebalanced in zip(compared.itertuples(), balanced):
                st.caption(f"#{row.Index} {formatting.plain(row.name)}{' (rebalanced)' if rebalanced else ''}: "
                           f"{formatting.plain(row.note or 'no note')}")

with promote_tab:
    if not session.allowed(actor, "scenario.promote"):
        st.caption("The S&OP coordinator or an admin promotes a pinned scenario to the cycle's plan.")
    elif pinned.empty:
        st.caption("Pin a scenario first.")
    else:
        target = st.selectbox("Scenario to promote", list(labels), format_func=labels.get, key="sc_promote_pick")
        st.caption("Makes it this cycle's plan: new draft demand and supply versions from the scenario; the "
                   "current ones are kept as superseded.")
        if st.button("Promote to a new plan version", key="sc_promote"):
            try:
                demand_id, supply_id = pinned_scenarios.promote(runtime.uow(), actor, data, target)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun("sc", f"Scenario #{target} is now the plan: demand version {demand_id}"
                              + (f", supply version {supply_id}." if supply_id else "."), {"sc_version": demand_id})
