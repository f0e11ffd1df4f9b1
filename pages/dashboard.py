"""Dashboard, the landing page: KPIs against targets, the year ahead, top exceptions, the cycle."""
import streamlit as st

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.kpi import views as kpi_views
from genxsop_ui import charts, kpi_tiles, runtime, session, tables

TILES = ["wape", "bias", "fill_rate", "otif", "inventory_turns", "days_of_supply", "capacity_utilization",
         "revenue_vs_plan"]

actor = session.guard("dashboard")
st.title("Dashboard")
kpi_data = runtime.kpi_data()
if kpi_data.products.empty:  # a new installation: nothing imported yet
    st.info("No data yet: import the product master, then demand history, stock and capacity, on the Data page. "
            "The KPIs, the outlook and the cycle appear once they are in.")
    st.stop()
summary = kpi_views.summary_of(kpi_data)
kpi_tiles.kpi_tiles(summary, TILES)

plan = dashboard_views.current_plan(runtime.uow())
if plan is None:
    st.info("No consensus plan yet: the outlook, exceptions and cycle appear once a demand plan exists.")
    st.stop()
st.markdown(f"**{plan.cycle}** · stage **{plan.cycle_stage.replace('_', ' ')}** · demand plan v"
            f"{plan.demand_version_id} {plan.demand_status} · "
            + (f"supply plan v{plan.supply_version_id} {plan.supply_status}" if plan.supply_version_id
               else "no supply plan yet"))
data = runtime.plan_data(plan.demand_version_id, plan.supply_version_id)
left, right = st.columns([3, 2])
with left:
    outlook = dashboard_views.plan_outlook(data)
    st.markdown(f"**Demand, supply and capacity**, {dashboard_views.outlook_span(outlook)}")
    st.plotly_chart(charts.demand_supply_capacity(outlook), width="stretch", key="db_outlook")
with right:
    st.markdown("**Top ten exceptions** by money at risk")
    exceptions = runtime.inventory_view(plan.demand_version_id, plan.supply_version_id).exceptions.head(10)
    if exceptions.empty:
        st.success("No projected stockout, shortfall below safety stock or excess.")
    else:
        tables.show(exceptions[["sku", "name", "exception", "money_at_risk", "first_stockout"]], key="db_exceptions")
