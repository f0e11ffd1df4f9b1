"""Overview: what data GenXSOP holds, and demand history by category or family."""
import plotly.express as px
import streamlit as st

from genxsop_core.admin.overview import data_overview, demand_history
from genxsop_core.domain.hierarchy import GROUP_LEVELS, LEVEL_LABELS, Level
from genxsop_ui import runtime, session
from genxsop_ui.formatting import figure

actor = session.guard("home")
st.title("Overview")
overview = data_overview(runtime.uow())

if overview.skus == 0:
    st.info("The database holds no products yet. Load data on the **Data** page "
            "(products first, then resources, routings, demand, inventory and supply).")
    st.stop()

tiles = st.columns(5)
tiles[0].metric("SKUs", f"{overview.skus:,}", help=f"{overview.categories} categories, {overview.families} families")
tiles[1].metric("Resources", overview.resources, help=f"{overview.routings} routings")
tiles[2].metric("History buckets", overview.history_buckets,
                help=f"Demand actuals from {overview.first_period} to {overview.last_period}")
tiles[3].metric("Inventory value", figure("inventory_value", overview.inventory_value),
                help="Latest on-hand units x unit cost")
tiles[4].metric("Supply pipeline (units)", f"{overview.open_supply_units:,.0f}",
                help="Open and planned receipts in the working supply plan")

level = st.segmented_control("Group by", GROUP_LEVELS, default=Level.CATEGORY, key="overview_level",
                             format_func=LEVEL_LABELS.get)
history = demand_history(runtime.uow(), level or Level.CATEGORY)
if history.empty:
    st.info("No demand history loaded yet.")
else:
    chart = px.area(history, x="ds", y="y", color="unique_id",
                     labels={"ds": "Period", "y": "Ordered units", "unique_id": level.title()})
    chart.update_layout(legend_title_text=level.title(), margin=dict(t=30, b=10), height=420)
    st.plotly_chart(chart, width="stretch")
