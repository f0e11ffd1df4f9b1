"""KPIs: the scorecard against targets, month by month, with the drill from total to SKU."""
import streamlit as st

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.kpi import views as kpi_views
from genxsop_core.kpi.formulas import KPIS
from genxsop_ui import charts, formatting, handoff, kpi_tiles, pickers, runtime, session, tables

actor = session.guard("kpis")
st.title("KPIs")
handoff.arrive("kpi")
data = runtime.kpi_data()
node, _ = pickers.hierarchy_picker(product_hierarchy(runtime.uow()), "kpi")
summary = kpi_views.summary_of(data, node.level, node.key)
node_label = formatting.plain(node.label())  # a category, family or SKU name: user data
st.caption(f"{node_label}: the last complete month of each KPI against its target, and the change from the "
           "month before. Hover a tile for the target and thresholds.")
for area in dict.fromkeys(spec.area for spec in KPIS.values()):
    st.markdown(f"**{area.capitalize()}**")
    kpi_tiles.kpi_tiles(summary, [k for k, spec in KPIS.items() if spec.area == area])

st.divider()
kpi = st.selectbox("KPI", list(KPIS), format_func=lambda k: KPIS[k].label, key="kpi_pick")
spec = KPIS[kpi]
row = summary.set_index("kpi").loc[kpi]
monthly = kpi_views.compute_monthly(data, node.skus(data.products))
monthly = monthly[monthly.complete.astype(bool)]
st.markdown(f"**{spec.label}** by month · {spec.definition} · {'higher' if spec.higher_is_better else 'lower'} "
            "is better" + (" (judged on its size)" if spec.absolute else ""))
st.plotly_chart(charts.kpi_trend(monthly, kpi, spec.label, row[["target", "green", "amber"]].to_dict(),
                                 spec.unit == "percent"), width="stretch", key="kpi_trend")

children = kpi_views.children_of(data, kpi, node.level, node.key)
if not children.empty:
    st.markdown(f"**{spec.label} by {children.level.iloc[0]}** ({node_label})")
    shown = children.assign(status=children.status.map(formatting.STATUS_WORDS),
                            value=children.value.map(lambda v: formatting.kpi_value(v, spec.unit)),
                            target=children.target.map(lambda v: formatting.kpi_value(v, spec.unit)))
    tables.show(shown[["status", "key", "name", "value", "target", "target_level"]], key="kpi_children", overrides={
        "key": st.column_config.TextColumn(children.level.iloc[0].capitalize()),
        "value": st.column_config.TextColumn(spec.label), "target": st.column_config.TextColumn("Target")})

if session.allowed(actor, "kpi_targets.edit"):
    with st.expander(f"Set the target of {spec.label} for {node_label}"):
        scale = 100.0 if spec.unit == "percent" else 1.0
        unit = "%" if spec.unit == "percent" else ""
        shown_for = (kpi, node.level, node.key)
        if st.session_state.get("kpi_form_for") != shown_for:  # a keyed input keeps its value: load this KPI's
            st.session_state.update({f"kpi_{name}": float(0.0 if row[name] != row[name] else row[name]) * scale
                                     for name in ("target", "green", "amber")})
            st.session_state["kpi_form_for"] = shown_for
        with st.form("kpi_target_form"):
            cols = st.columns(3)
            target = cols[0].number_input(f"Target {unit}", key="kpi_target")
            green = cols[1].number_input(f"Green from {unit}", key="kpi_green")
            amber = cols[2].number_input(f"Amber from {unit}", key="kpi_amber")
            if st.form_submit_button("Save target"):
                try:
                    kpi_targets.set_target(runtime.uow(), actor, kpi, node.level, node.key, target / scale,
                                           green / scale, amber / scale)
                except GenXSOPError as error:
                    session.show_error(error)
                else:
                    handoff.rerun("kpi", f"Target of {spec.label} for {node_label} saved.")
