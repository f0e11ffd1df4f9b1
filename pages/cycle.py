"""The S&OP cycle: where it stands, what is overdue, sign-offs, decisions and actions, packs, history."""
from datetime import date

import pandas as pd
import streamlit as st

from genxsop_core.admin.users import list_users
from genxsop_core.cycle import freeze as plan_freeze
from genxsop_core.cycle import meeting_pack
from genxsop_core.cycle import workflow as cycle
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.permissions import ROLE_LABELS
from genxsop_core.domain.states import ActionStatus, CycleStage
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_ui import handoff, runtime, session, tables
from genxsop_ui.formatting import plain
from genxsop_ui.tabs import kept_tabs

actor = session.guard("cycle")
st.title("S&OP cycle")
handoff.arrive("cy")
cycles = cycle.list_cycles(runtime.uow())
if cycles.empty:
    st.info("No S&OP cycle yet: a cycle opens when its consensus demand plan is created (Demand review).")
    st.stop()
names = dict(zip(cycles.id.astype(int), cycles.name + " · " + cycles.stage.map(cycle.STAGE_LABELS)))
cycle_id = st.selectbox("Cycle", list(names), format_func=names.get, key="cy_cycle")
view = cycle.cycle_view(runtime.uow(), cycle_id)


def run(change, success: str, clear: tuple[str, ...] = ()) -> None:  # noqa: ANN001 - a service call
    """Call the service; on success say so, empty the `clear` inputs (no second click repeats it), rerun."""
    try:
        change()
    except GenXSOPError as error:
        session.show_error(error)
    else:
        handoff.rerun("cy", success, dict.fromkeys(clear, ""))


stages = [s for s in cycle.STAGES if s != CycleStage.CLOSED]
columns = st.columns(len(stages))
position = cycle.STAGES.index(view.stage)
for column, stage in zip(columns, stages):
    index = cycle.STAGES.index(stage)
    mark = "✅" if index < position else ("▶️" if index == position else "⏳")
    late = " · :red[overdue]" if stage in view.overdue else ""
    column.markdown(f"{mark} **{cycle.STAGE_LABELS[stage]}**  \n{ROLE_LABELS[cycle.STAGE_OWNERS[stage]]} · due "
                    f"{view.due[stage]:%d %b}{late}")

if view.stage == CycleStage.CLOSED:
    frozen = view.frozen or {}
    st.success(f"{view.name} is closed: the plan was approved by {plain(frozen.get('approved_by', '?'))} and is "
               "frozen.")
else:
    owner = cycle.STAGE_OWNERS[view.stage]
    st.markdown(f"**Now: {cycle.STAGE_LABELS[view.stage]}**, signed off by the {ROLE_LABELS[owner]}")
    for item in view.checklist:
        st.markdown(f"{'☑' if item.done else '☐'} {item.label}" + ("" if item.required else " *(advisory)*"))
    if owner in actor.roles:
        comment = st.text_area("Sign-off comment", key="cy_comment", placeholder="What was checked, what is open")
        scenario_id = None
        if view.stage == CycleStage.EXECUTIVE_SOP:
            st.caption("Signing off approves the demand and supply plans and freezes them with their lineage.")
            pinned = pinned_scenarios.list_pinned(runtime.uow())
            pinned = pinned[pinned.cycle_id == cycle_id]  # a freeze rests on this cycle's scenarios only
            labels = {None: "The plan as it stands"} | {
                int(r.id): f"#{r.id} {r.name}" + (" (rebalanced)" if pinned_scenarios.was_rebalanced(r.results) else "")
                for r in pinned.itertuples()}
            scenario_id = st.selectbox("Scenario the meeting chose", list(labels), format_func=labels.get,
                                       key="cy_scenario")
        if st.button(f"Sign off {cycle.STAGE_LABELS[view.stage]}", key="cy_sign_off", type="primary"):
            run(lambda: cycle.sign_off(runtime.uow(), actor, cycle_id, comment,
                                       plan_freeze.freezer(runtime.uow, scenario_id)),
                f"{cycle.STAGE_LABELS[view.stage]} signed off.", clear=("cy_comment",))
    if session.allowed(actor, "cycle.manage") and position > 0:
        with st.expander("Send the cycle back one stage"):
            reason = st.text_input("Reason", key="cy_back_reason")
            if st.button("Send back", key="cy_send_back"):
                run(lambda: cycle.send_back(runtime.uow(), actor, cycle_id, reason), "Sent back one stage.")

decisions_tab, actions_tab, record_tab, pack_tab, history_tab = kept_tabs(
    ["Decisions", "Actions", "Sign-offs", "Meeting pack", "History"], "cy_tab")
may_decide = session.allowed(actor, "cycle.decide") and view.stage != CycleStage.CLOSED
with decisions_tab:
    tables.show(view.decisions, key="cy_decisions")
    if may_decide:
        text = st.text_input("Decision", key="cy_decision_text")
        if st.button("Record the decision", key="cy_decide"):
            run(lambda: cycle.record_decision(runtime.uow(), actor, cycle_id, text), "Decision recorded.",
                clear=("cy_decision_text",))
with actions_tab:
    tables.show(view.actions, key="cy_actions")
    if may_decide:
        cols = st.columns([3, 2, 2])
        text = cols[0].text_input("Action", key="cy_action_text")
        owner = cols[1].selectbox("Owner", [u.username for u in list_users(runtime.uow()) if u.active],
                                  key="cy_action_owner")
        due = cols[2].date_input("Due", value=date.today(), key="cy_action_due")
        if st.button("Add the action", key="cy_add_action"):
            run(lambda: cycle.add_action(runtime.uow(), actor, cycle_id, text, owner, due), "Action added.",
                clear=("cy_action_text",))
    mine = view.actions[(view.actions.owner == actor.username) & (view.actions.status == "open")] \
        if not view.actions.empty and session.allowed(actor, "cycle.action_status") else view.actions.head(0)
    for row in mine.itertuples():
        if st.button(f"Mark done: {plain(row.text)}", key=f"cy_done_{row.id}"):
            run(lambda: cycle.set_action_status(runtime.uow(), actor, int(row.id), ActionStatus.DONE),  # noqa: B023
                "Action done.")  # run() calls it at once, in this iteration
with record_tab:
    tables.show(view.signoffs, key="cy_signoffs")
    if view.frozen:
        st.markdown("**Frozen plan and its lineage**")
        st.json({k: v for k, v in view.frozen.items() if k != "inventory_policy"}, expanded=False)
with pack_tab:
    packs = meeting_pack.list_packs(runtime.uow(), cycle_id)
    if session.allowed(actor, "cycle.pack") and st.button("Generate the meeting pack (XLSX and PDF)", key="cy_pack"):
        run(lambda: meeting_pack.generate_pack(runtime.uow, actor, cycle_id), "Meeting pack generated.")
    if packs.empty:
        st.caption("No pack generated for this cycle yet.")
    for pack in packs.itertuples():
        st.download_button(f"{pack.file_name} · {pack.size / 1024:,.0f} KB · {plain(pack.created_by)} · "
                           f"{pd.Timestamp(pack.created_at):%Y-%m-%d %H:%M}",
                           data=lambda pid=int(pack.id): meeting_pack.pack_content(runtime.uow(), pid)[1],
                           file_name=pack.file_name, key=f"cy_download_{pack.id}")
with history_tab:
    tables.show(cycles, key="cy_history")
