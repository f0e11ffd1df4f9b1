"""Meeting mode: the presenter walks the executive S&OP agenda, one large screen per step."""
import streamlit as st

from genxsop_core.cycle import dashboard as dashboard_views
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.hierarchy import Node
from genxsop_core.domain.states import CycleStage
from genxsop_core.kpi import views as kpi_views
from genxsop_core.kpi.formulas import KPIS
from genxsop_core.scenarios import levers as scenarios
from genxsop_core.supply import views as supply_views
from genxsop_ui import charts, deltas, formatting, handoff, kpi_tiles, runtime, scenario_strip, session, tables

AGENDA = ("KPIs against targets", "Demand review", "Supply review and capacity", "Scenarios", "Decisions")
TILES = ["wape", "bias", "fill_rate", "otif", "inventory_turns", "days_of_supply", "capacity_utilization",
         "revenue_vs_plan"]
BIG = 560
# the demand step's chart: its label -> (measure, view)
DEMAND_CHARTS: dict[str, tuple[str, str]] = {"Revenue by month": ("revenue", "month"),
                                             "Units by week": ("units", "week")}

actor = session.guard("meeting")
st.title("Meeting mode")
plan = dashboard_views.current_plan(runtime.uow())
if plan is None:
    st.info("No consensus plan yet: meeting mode presents the current cycle's plan.")
    st.stop()
step = st.session_state.setdefault("mt_step", 0)
handoff.arrive("mt")


def go(delta: int) -> None:
    st.session_state["mt_step"] = min(max(st.session_state["mt_step"] + delta, 0), len(AGENDA) - 1)


top = st.columns([1, 6, 1])
top[0].button("◀ Previous", key="mt_previous", on_click=go, args=(-1,), disabled=step == 0, width="stretch")
top[1].markdown(f"### {plan.cycle} · {step + 1}/{len(AGENDA)} · {AGENDA[step]}")
top[2].button("Next ▶", key="mt_next", on_click=go, args=(1,), disabled=step == len(AGENDA) - 1, width="stretch")
st.progress((step + 1) / len(AGENDA))
data = runtime.plan_data(plan.demand_version_id, plan.supply_version_id)

if step == 0:
    kpi_data = runtime.kpi_data()
    summary = kpi_views.summary_of(kpi_data)
    kpi_tiles.kpi_tiles(summary, TILES)
    kpi = st.segmented_control("Trend", TILES, default="fill_rate", format_func=lambda k: KPIS[k].label,
                               key="mt_kpi") or "fill_rate"
    row = summary.set_index("kpi").loc[kpi]
    monthly = kpi_views.compute_monthly(kpi_data, list(kpi_data.products.sku))
    figure = charts.kpi_trend(monthly[monthly.complete.astype(bool)], kpi, KPIS[kpi].label,
                              row[["target", "green", "amber"]].to_dict(), KPIS[kpi].unit == "percent")
    st.plotly_chart(figure.update_layout(height=BIG), width="stretch", key="mt_kpi_chart")
elif step == 1:
    review = runtime.demand_review(plan.demand_version_id)
    totals = demand_views.plan_totals(review.chart(Node(), "revenue", "week"))  # like for like: the shared weeks
    tiles = st.columns(3)
    tiles[0].metric("Consensus revenue", formatting.figure("revenue", totals.consensus),
                    deltas.shown_delta(f"{totals.override_change:+.1%} vs statistical"))
    change = totals.change_vs_last_cycle
    tiles[1].metric("vs last cycle's plan", "n/a" if change is None else f"{change:+.1%}",
                    None if change is None else totals.shared_span, delta_color="off",
                    help=f"Consensus revenue against last cycle's plan over {totals.shared_span}.")
    tiles[2].metric("Demand plan", f"v{plan.demand_version_id} {plan.demand_status}")
    # revenue by month is what the board reads; units by week is where the run's reconciled band exists
    shown = st.segmented_control("Chart", list(DEMAND_CHARTS), default="Revenue by month", key="mt_demand_view")
    measure, bucket = DEMAND_CHARTS[shown or "Revenue by month"]
    chart = review.chart(Node(), measure, bucket)
    st.plotly_chart(charts.demand_review(chart, measure, aggregate=True).update_layout(height=BIG),
                    width="stretch", key="mt_demand_chart")
    st.caption(charts.demand_band_caption(aggregate=True, monthly=bucket == "month",
                                          band=demand_views.band_of(chart)))
elif step == 2:
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.demand_supply_capacity(dashboard_views.plan_outlook(data)).update_layout(height=BIG),
                      width="stretch", key="mt_outlook")
    check = runtime.capacity(plan.demand_version_id, plan.supply_version_id, n_draws=200)
    monthly = supply_views.monthly_utilization(check)
    right.plotly_chart(charts.utilization_heatmap(monthly, labels=False).update_layout(height=BIG), width="stretch",
                       key="mt_capacity_heatmap")
elif step == 3:
    cols = st.columns(3)
    demand = cols[0].slider("Demand change", -30, 30, 0, format="%d%%", key="mt_demand") / 100
    capacity = cols[1].slider("Capacity change, all resources", -30, 50, 0, format="%d%%", key="mt_capacity") / 100
    price = cols[2].slider("Price change", -20, 20, 0, format="%d%%", key="mt_price") / 100
    levers = scenarios.Levers(demand_change=demand, price_change=price,
                              capacity_change={r: capacity for r in data.resources.resource} if capacity else {})
    rebalance = st.toggle("Rebalance the plan", key="mt_rebalance",
                          help="Both plans balanced within capacity plus overtime, not cut where hours run out")
    evaluated = scenario_strip.evaluate_or_stop(data, levers, rebalance)
    baseline, scenario = evaluated.baseline, evaluated.scenario
    scenario_strip.delta_strip(baseline, scenario)
    if evaluated.worth_adding:
        st.info(evaluated.worth_adding)
    left, right = st.columns(2)
    left.plotly_chart(charts.scenario_lines(baseline.by_period, scenario.by_period, "revenue", "Revenue per period")
                      .update_layout(height=BIG - 120), width="stretch", key="mt_revenue")
    right.plotly_chart(charts.scenario_utilization(baseline.capacity, scenario.capacity)
                       .update_layout(height=BIG - 120), width="stretch", key="mt_utilization")
    st.caption("Pin and compare scenarios on the Scenarios page; the decision goes on the next screen.")
else:
    data_cycle = plan.cycle_id
    view = cycle.cycle_view(runtime.uow(), data_cycle)
    tables.show(view.decisions, key="mt_decisions")
    tables.show(view.actions, key="mt_actions")
    if session.allowed(actor, "cycle.decide") and view.stage != CycleStage.CLOSED:
        text = st.text_input("Decision, captured on the spot", key="mt_decision")
        if st.button("Record the decision", key="mt_decide", type="primary"):
            try:
                cycle.record_decision(runtime.uow(), actor, data_cycle, text)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun("mt", "Decision recorded.", {"mt_decision": ""})  # a second click records nothing
    elif view.stage == CycleStage.CLOSED:
        st.caption(f"{view.name} is closed; its decisions are on record above.")
