"""Inventory: policy per SKU, projected inventory against safety stock, ABC/XYZ, exceptions."""
import streamlit as st

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.inventory import views as inventory_views
from genxsop_core.presentation.numbers import EXCEPTION_LABELS
from genxsop_core.supply import views as supply_views
from genxsop_ui import charts, pickers, runtime, session, tables
from genxsop_ui.formatting import figure, plain
from genxsop_ui.tabs import kept_tabs

actor = session.guard("inventory")
st.title("Inventory")
versions = demand_views.working_versions(runtime.uow())
if versions.empty:
    st.info("No consensus demand plan yet: inventory is projected against one (Demand review).")
    st.stop()

top = st.columns([3, 3])
version_id = pickers.plan_version_picker("Demand plan version", versions, "inv_version", container=top[0])
method = top[1].selectbox("Safety stock drives the policy", list(inventory_policy.SAFETY_STOCK_METHODS),
                          format_func=inventory_policy.SAFETY_STOCK_METHODS.get, key="inv_method")
try:
    view = runtime.inventory_view(version_id, supply_views.supply_version_for(runtime.uow(), version_id), method)
except GenXSOPError as error:
    session.show_error(error)
    st.stop()
st.caption(("Receipts from supply plan version " + str(view.data.supply_version_id)) if view.data.supply_version_id
           else "No supply plan for this cycle yet: receipts are the working supply plan's (open and planned orders).")

totals = inventory_views.totals(view)
tiles = st.columns(5)
tiles[0].metric("Inventory value", figure("inventory_value", totals["inventory_value"]))
tiles[1].metric("SKUs projected to stock out", totals["stockout_skus"])
tiles[2].metric("SKUs below safety stock", totals["below_safety_skus"])
tiles[3].metric("SKUs with excess", totals["excess_skus"])
tiles[4].metric("Money at risk", figure("money_at_risk", totals["money_at_risk"]))

exceptions_tab, projection_tab, policy_tab, classes_tab = kept_tabs(
    ["Exceptions", "Projected inventory", "Policy table", "ABC/XYZ"], "inv_tab")

with exceptions_tab:
    st.caption("Ranked by money at risk; each SKU once, under the first of these its projection meets: "
               + "; ".join(f"**{EXCEPTION_LABELS.get(kind, kind)}**: {money}"
                           for kind, money in inventory_policy.EXCEPTION_KINDS.items()))
    if view.exceptions.empty:
        st.success("No projected stockout, shortfall below safety stock or excess.")
    else:
        tables.show(view.exceptions, key="inv_exceptions", column_order=[
            c for c in ("sku", "name", "exception", "from", "until", "units", "money_at_risk", "first_stockout",
                        "safety_stock", "on_hand", "weeks_of_cover") if c in view.exceptions])

with projection_tab:
    labels = dict(zip(view.policy.sku, view.policy.name))
    sku = st.selectbox("SKU (exceptions first)", inventory_views.sku_options(view), key="inv_chart_sku",
                       format_func=lambda s: f"{s} · {labels.get(s, '')}")
    row = view.policy.set_index("sku").loc[sku]
    st.markdown(f"**{plain(sku)}** · class {row['class']} · on hand {row.on_hand:,.0f} · safety stock "
                f"{row.safety_stock:,.0f} · reorder point {row.reorder_point:,.0f} · order quantity "
                f"{row.order_quantity:,.0f} · {row.weeks_of_cover:.1f} weeks of cover")
    st.plotly_chart(charts.projected_inventory(inventory_views.projection_chart(view, sku)), width="stretch",
                    key="inv_projection")
    compare = st.columns(3)
    compare[0].metric("Safety stock: demand variability", f"{row.ss_demand:,.0f}")
    compare[1].metric("... and lead-time variability", f"{row.ss_lead_time:,.0f}")
    compare[2].metric("Quantiles of lead-time demand", "n/a" if row.ss_quantile != row.ss_quantile
                      else f"{row.ss_quantile:,.0f}")
    st.caption(f"Demand sd per period {row.error_std:,.1f} ({row.error_std_source}); lead time "
               f"{row.lead_time_periods:.1f} periods; service level {row.service_level:.0%}.")

with policy_tab:
    node, _ = pickers.hierarchy_picker(product_hierarchy(runtime.uow()), "inv_filter")
    shown = view.policy if node.level == "total" else view.policy[view.policy[node.level] == node.key]
    tables.show(shown, key="inv_policy", column_order=[
        "sku", "name", "class", "demand_per_period", "lead_time_periods", "service_level", "ss_demand",
        "ss_lead_time", "ss_quantile", "safety_stock", "reorder_point", "eoq", "order_quantity", "on_hand",
        "days_of_supply", "weeks_of_cover", "inventory_value", "first_stockout"])
    file_type = st.radio("Export as", ["xlsx", "csv"], horizontal=True, key="inv_export_type")
    st.download_button(f"Download the policy table ({file_type.upper()})",
                       data=lambda: inventory_views.policy_export(view, file_type),
                       file_name=f"inventory_policy_{version_id}.{file_type}", key="inv_export")

with classes_tab:
    st.caption("ABC by share of annual consumption value (80/15/5); XYZ by the coefficient of variation of "
               "last year's demand (< 0.5, < 1.0, above).")
    st.plotly_chart(charts.class_matrix(view.classes), width="stretch", key="inv_classes")
