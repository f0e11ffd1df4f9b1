"""Supply review: planned receipts that balance the consensus plan, rough-cut capacity, proposals."""
import pandas as pd
import streamlit as st

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.states import PlanStatus
from genxsop_core.inventory import views as inventory_views
from genxsop_core.presentation.numbers import plural
from genxsop_core.scenarios.rebalanced import worth_adding
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply import proposal_effect
from genxsop_core.supply import views as supply_views
from genxsop_core.supply.balance import UNMET_LABELS, BalanceOptions, hour_values
from genxsop_core.supply.balance_priority import sku_priorities, split_target, target_label, targets
from genxsop_core.supply.balance_report import options_sentence, solve_sentence
from genxsop_core.supply.plan_balancing import BalancedPlan
from genxsop_ui import charts, grid_save, handoff, pickers, runtime, scenario_strip, session, tables
from genxsop_ui.plan_version_tab import plan_version_tab
from genxsop_ui.tabs import kept_tabs

actor = session.guard("supply")
st.title("Supply review")
may_edit = session.allowed(actor, "supply_plan.edit")
may_balance = session.allowed(actor, "supply_plan.balance")
handoff.arrive("sp")
versions = supply_views.list_versions(runtime.uow())
demand_versions = demand_views.list_versions(runtime.uow())


def new_version_form() -> None:
    planned = set(versions.demand_version_id)
    open_demand = demand_versions[~demand_versions.id.isin(planned)]
    if open_demand.empty:
        return
    with st.expander("New supply plan for a demand plan version", expanded=versions.empty):
        demand_id = pickers.plan_version_picker("Demand plan version", open_demand, "sp_new_demand", show_cycle=True)
        st.caption("It starts from the working supply plan (open and planned orders imported from the ERP).")
        if st.button("Create draft supply plan", key="sp_create"):
            try:
                created = supply_plans.create_version(runtime.uow(), actor, demand_id)
            except GenXSOPError as error:
                session.show_error(error)
            else:
                handoff.rerun("sp", f"Draft supply plan {created} created for demand version {demand_id}.",
                              {"sp_version": created})


if may_edit:
    new_version_form()
if versions.empty:
    st.info("No supply plan yet." + ("" if may_edit else " A supply planner creates one for a demand plan."))
    st.stop()

version_id = pickers.plan_version_picker("Supply plan version", versions, "sp_version")
version = versions.set_index("id").loc[version_id]
demand_version_id = int(version.demand_version_id)
view = runtime.inventory_view(demand_version_id, version_id)
data, policy = view.data, view.policy
check = runtime.capacity(demand_version_id, version_id)

receipts_row, capacity_row = st.columns(3), st.columns(3)  # two rows of three: no label or figure cut off
receipts_row[0].metric("Planned receipts, units", f"{data.receipts.sum():,.0f}")
receipts_row[1].metric("Made, units", f"{(data.receipts * data.make).sum():,.0f}")
receipts_row[2].metric("Bought, units", f"{(data.receipts * ~data.make).sum():,.0f}")
capacity_row[0].metric("Overloaded resource-periods", f"{int(check.overloaded.sum()):,}")
capacity_row[1].metric("Peak utilization", f"{check.utilization.max():.0%}")
capacity_row[2].metric("SKUs projected to stock out", f"{int((policy.stockout_periods > 0).sum()):,}")

receipts_tab, capacity_tab, propose_tab, balance_tab, version_tab = kept_tabs(
    ["Receipts", "Capacity", "Propose receipts", "Balance the plan", "Plan version"], "sp_tab")


BUCKET = "week" if data.bucket_days == 7.0 else "period"
PENALTY_HELP = (f"What keeping safety stock is worth: a unit below a SKU's safety stock costs this many times "
                f"its holding cost per {BUCKET}. 0 ignores safety stock; above 1 the balance keeps it wherever the "
                "stock is worth its holding cost; a large value keeps it even where the hours would have served "
                "another SKU's sale.")
PRIORITY_HELP = ("Who is served first when hours run short: a unit not served costs its margin plus priority x margin. "
                 "Every SKU is 1 unless set here; set a family (or category) and a few SKUs apart, a SKU's own "
                 "priority winning over its family's, and 0 for demand you would let go first.")


def priority_settings() -> list[tuple[str, float]]:
    """(family, category or SKU, priority) rows the planner set in the tab's small table."""
    names = data.products.set_index("sku")["name"].to_dict() if "name" in data.products else {}

    def shown(target: str) -> str:
        level, key = split_target(target)
        return target_label(target) + (f" · {names[key]}" if level == "sku" and names.get(key) else "")

    empty = pd.DataFrame({"applies_to": pd.Series(dtype=object), "priority": pd.Series(dtype=float)})
    edited = tables.edit(empty, key="sp_priorities", num_rows="dynamic", overrides={
        "applies_to": st.column_config.SelectboxColumn("Family or SKU", options=targets(data.products),
                                                       format_func=shown, required=True, help=PRIORITY_HELP),
        "priority": st.column_config.NumberColumn("Priority", min_value=0.0, step=0.5, required=True, format="%g",
                                                  help=PRIORITY_HELP)})
    complete = edited.dropna(subset=["applies_to", "priority"])  # a row still being typed counts once complete
    return [(str(r.applies_to), float(r.priority)) for r in complete.itertuples(index=False)]


def balance_options() -> BalanceOptions | None:
    """The tab's choices (unmet demand, whole lots, safety-stock penalty, SKU priorities), or None
    with the reason shown when a priority cannot be used."""
    default = BalanceOptions()
    choice = st.columns(2)
    unmet = choice[0].radio("Demand not served in its week", list(UNMET_LABELS), key="sp_unmet", horizontal=True,
                            format_func=UNMET_LABELS.get)
    lots = choice[1].toggle("Order in whole lots (MOQ)", key="sp_whole_lots",
                            help=f"Receipts a new order can change come in whole lots of the SKU's MOQ: a "
                                 f"mixed-integer programme, stopped after {default.time_limit:.0f} s with its gap to "
                                 "the best bound shown")
    penalty = choice[0].number_input(f"Safety-stock penalty (x holding cost per {BUCKET})", min_value=0.0,
                                     value=default.safety_stock_penalty, step=0.5, key="sp_ss_penalty",
                                     help=PENALTY_HELP)
    with choice[1].expander("SKU priorities (all 1 unless set)"):
        settings = priority_settings()
    try:
        priority = sku_priorities(data.products, settings)
    except GenXSOPError as error:
        session.show_error(error)
        return None
    return BalanceOptions(unmet=str(unmet), integer_lots=bool(lots), safety_stock_penalty=float(penalty),
                          priority=priority)


with balance_tab:  # the choices first: the capacity tab's value of an hour balances with them too
    st.caption("Balancing plans the receipts again for the best plan that fits capacity (plus the overtime each "
               "resource allows, at its cost): margin earned minus holding, overtime and shortage costs, no receipt "
               "inside the lead time, released orders as they are. Compare it with the plan now, then accept it "
               "for chosen SKUs or all of them into the draft supply plan.")
    if may_balance:
        options = balance_options()
    else:
        st.caption("The supply planner or the S&OP coordinator balances the plan.")
        options = BalanceOptions()


def balanced_plan() -> BalancedPlan | None:
    """The version balanced with the tab's options (solved once per plan and options for every session),
    or None with the reason shown."""
    if options is None:
        return None
    try:
        return runtime.balanced(demand_version_id, version_id, options)
    except GenXSOPError as error:
        session.show_error(error)
        return None


def accept_buttons(balanced: BalancedPlan) -> None:
    """Accept the balanced receipts of chosen SKUs, or all of them, into the draft."""
    if version.status != PlanStatus.DRAFT:
        st.caption(f"This version is {version.status}: balanced receipts go into a draft supply plan only.")
        return
    changed = sorted(balanced.changes.sku.unique())
    chosen = st.multiselect("SKUs to accept", changed, key="sp_balance_skus",
                            format_func=lambda sku: f"{sku} · {names_by_sku.get(sku, '')}")
    left, right = st.columns(2)
    with left:
        grid_save.save_button(f"Accept {plural(len(chosen), 'SKU')}", "sp_accept_skus", "sp",
                              lambda: supply_plans.accept_balanced_receipts(runtime.uow(), actor, version_id,
                                                                            balanced.edits, chosen),
                              lambda cells: f"Accepted the balanced receipts of {plural(len(chosen), 'SKU')}: "
                                            f"{plural(cells, 'cell')} changed.", disabled=not chosen)
    with right:
        grid_save.save_button(f"Accept all {plural(len(changed), 'SKU')}", "sp_accept_all", "sp",
                              lambda: supply_plans.accept_balanced_receipts(runtime.uow(), actor, version_id,
                                                                            balanced.edits),
                              lambda cells: f"Accepted the balanced plan: {plural(cells, 'cell')} changed.")


def balanced_view(balanced: BalancedPlan) -> None:
    figures = balanced.figures
    st.markdown("**The plan now and balanced**")
    scenario_strip.figure_strip(figures.now.to_dict(), figures.balanced.to_dict(), figures.label.to_dict(),
                                figures.higher_is_better.to_dict(), per_row=3)
    solved = solve_sentence(balanced.result.summary)
    st.caption(f"{solved[:1].upper()}{solved[1:]}; demand not served in its week: "
               f"{UNMET_LABELS[balanced.result.summary['unmet']].lower()}.")
    weighed = options_sentence(balanced.result.options, data.products, data.bucket_days)
    st.caption(f"{weighed[:1].upper()}{weighed[1:]}.")
    worth = worth_adding(hour_values(balanced.result), data.bucket_days)
    if worth:
        st.info(worth)
    changes = balanced.changes
    if changes.empty:
        st.success("The plan is balanced: accepting would change no receipt.")
        return
    st.markdown(f"**Changes** ({plural(len(changes), 'cell')} of {plural(changes.sku.nunique(), 'SKU')}; "
                "released orders never change)")
    tables.show(changes, key="sp_balance_changes")
    binding = balanced.result.binding
    st.markdown("**What limits each SKU**")
    tables.show(binding[binding.constraint != "none"], key="sp_binding")
    accept_buttons(balanced)


def receipts_editor(label: str, skus: list[str]) -> None:
    """The receipts grid of these SKUs: editable in a draft the user may change, read-only otherwise."""
    if len(skus) > supply_views.GRID_MAX_SKUS:
        st.info(f"{label} holds {len(skus):,} SKUs, {len(skus) * len(data.periods):,} rows: more than "
                f"one grid can show. Pick a category, family or SKU above (at most {supply_views.GRID_MAX_SKUS:,} "
                "SKUs) to see and change their receipts.")
        return
    grid = runtime.receipts_grid(version_id, skus)
    config = {"planned_receipts": st.column_config.NumberColumn("Planned receipts", min_value=0.0, format="%,.0f"),
              "kind": st.column_config.SelectboxColumn("Make or buy", options=list(supply_plans.SUPPLY_KINDS),
                                                       format_func=str.capitalize),
              "firm": st.column_config.CheckboxColumn("Released", help="Released orders change in the ERP"),
              "comment": st.column_config.TextColumn("Comment", max_chars=500)}
    shown = ["sku", "period", "planned_receipts", "kind", "firm", "comment", "author"]
    if not (may_edit and version.status == PlanStatus.DRAFT):
        st.caption(f"This version is {version.status} and read-only." if may_edit
                   else "You can read the supply plan; supply planners and admins change it.")
        tables.show(grid, key="sp_grid_view", column_order=shown, overrides={"firm": config["firm"]})
        return
    st.caption("Change planned receipts or make/buy; released (firm) orders change in the ERP and come back "
               "by import.")
    nonce = st.session_state.setdefault("sp_grid_nonce", 0)
    edited = tables.edit(grid, key=f"sp_grid_{nonce}", column_order=shown, overrides=config,
                         disabled=["sku", "period", "firm", "author"])
    edits = supply_views.grid_edits(grid, edited)
    grid_save.save_button(f"Save {plural(len(edits), 'change')}", "sp_save", "sp",
                          lambda: supply_plans.save_receipts(runtime.uow(), actor, version_id, edits),
                          lambda changed: f"Saved: {plural(changed, 'cell')} changed.", disabled=not edits)


with receipts_tab:
    node, names_by_sku = pickers.hierarchy_picker(product_hierarchy(runtime.uow()), "sp")
    if node.level == "sku":
        st.plotly_chart(charts.projected_inventory(inventory_views.projection_chart(view, node.key),
                                                   f"{node.key} · {names_by_sku.get(node.key, '')}"),
                        width="stretch", key="sp_projection")
    receipts_editor(node.label(), node.skus(product_hierarchy(runtime.uow())))

with capacity_tab:
    st.markdown("**Utilization**: load of the planned make receipts (units x routing hours) / capacity hours")
    st.plotly_chart(charts.utilization_heatmap(check), width="stretch", key="sp_heatmap")
    if check.overload_probability.notna().any():
        st.markdown("**Probability that the load demand needs exceeds capacity** (from the forecast quantiles, "
                    "moved to the consensus)")
        st.plotly_chart(charts.utilization_heatmap(check, "overload_probability"), width="stretch",
                        key="sp_risk")
    if st.toggle("Show the value of an hour (balanced plan)", key="sp_hour_value",
                 help="What one more hour of capacity adds to the balanced plan, per resource and period"):
        balanced = balanced_plan()
        if balanced is not None:
            st.plotly_chart(charts.hour_value_heatmap(balanced.result.capacity), width="stretch",
                            key="sp_hour_heatmap")
    overloads = check[check.overloaded]
    st.markdown(f"**Overloads** ({len(overloads)})")
    if overloads.empty:
        st.caption("No resource is loaded above its capacity in any period.")
    else:
        tables.show(overloads, key="sp_overloads")

with propose_tab:
    proposal = supply_views.propose(data, policy, runtime.receipts_grid(version_id, data.skus))
    st.caption("Receipts that bring projected inventory back up to safety stock wherever a new order can still "
               "arrive (after the lead time, and not before a released order): bought SKUs in whole order quantities "
               "(EOQ rounded up to MOQ lots), made SKUs in MOQ batches. The proposal does not look at capacity or at "
               "excess stock: what applying it does to both is shown below, before you apply.")
    if proposal.receipts.empty:
        st.success("Nothing to propose: projected inventory stays at or above safety stock.")
    else:
        tables.show(proposal.receipts, key="sp_proposal")
        effect = proposal_effect.proposal_effect(data, proposal.added)
        st.markdown("**What applying these receipts does to the plan**")
        tables.show(proposal_effect.effect_table(effect), key="sp_effect")
        worse = proposal_effect.worse_sentence(effect)
        if worse:
            st.warning(worse)
        if may_edit and version.status == PlanStatus.DRAFT:
            grid_save.save_button(f"Apply {plural(len(proposal.edits), 'proposed receipt')}", "sp_apply", "sp",
                                  lambda: supply_plans.save_receipts(runtime.uow(), actor, version_id, proposal.edits),
                                  lambda changed: f"Applied {plural(changed, 'proposed receipt')}.")
    if not proposal.expedite.empty:
        short = len(proposal.expedite)
        st.warning(f"{plural(short, 'SKU')} run{'s' if short == 1 else ''} short inside their lead time, where no "
                   "new order can arrive: expedite or reallocate.")
        tables.show(proposal.expedite, key="sp_expedite")

with balance_tab:
    if may_balance and options is not None:
        if st.button("Balance the plan", key="sp_balance", type="primary"):
            st.session_state["sp_balanced"] = version_id
        if st.session_state.get("sp_balanced") == version_id and (balanced := balanced_plan()) is not None:
            balanced_view(balanced)

with version_tab:
    plan_version_tab(actor, supply_plans.KIND, version_id, version, "sp", supply_plans.change_status,
                     "Download the supply plan", f" · balances demand plan version {demand_version_id}")
