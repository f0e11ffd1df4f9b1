"""The monthly S&OP cycle: stages, owners, due dates, checklists, sign-offs, and the freeze.

data gathering -> demand review -> supply review -> pre-S&OP -> executive S&OP -> closed.
Each stage has an owner role, a due date and a checklist read from the database; moving on is
the owner's sign-off with a comment, refused while a required checklist item is open, and
never a jump: only the next stage follows (the coordinator may send a cycle back one stage).
The executive sign-off is the approval: it approves the cycle's demand and supply plans (they
are read-only from then on) and freezes the plan's lineage on the cycle: the plan versions,
the forecast run with its data hash, models and parameters, the chosen scenario, the
inventory policy in force, who approved and when. Every move, sign-off, decision and action
is audited under the cycle's name (the Admin page filters the trail by it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm.exc import StaleDataError

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.models import SopAction, SopCycle, SopDecision, SopSignOff, utcnow
from genxsop_core.domain.permissions import ROLE_LABELS, Actor, require
from genxsop_core.domain.states import ActionStatus, CycleStage, PlanKind, PlanStatus
from genxsop_core.persistence.unit_of_work import UnitOfWork

STAGES: tuple[CycleStage, ...] = tuple(CycleStage)  # in order; only the next one follows
STAGE_LABELS: dict[str, str] = {
    CycleStage.DATA_GATHERING: "Data gathering", CycleStage.DEMAND_REVIEW: "Demand review",
    CycleStage.SUPPLY_REVIEW: "Supply review", CycleStage.PRE_SOP: "Pre-S&OP",
    CycleStage.EXECUTIVE_SOP: "Executive S&OP", CycleStage.CLOSED: "Closed"}
STAGE_OWNERS: dict[str, str] = {
    CycleStage.DATA_GATHERING: "demand_planner", CycleStage.DEMAND_REVIEW: "demand_planner",
    CycleStage.SUPPLY_REVIEW: "supply_planner", CycleStage.PRE_SOP: "coordinator",
    CycleStage.EXECUTIVE_SOP: "executive"}
DEFAULT_DUE_DAY: dict[str, int] = {  # day of the cycle's month
    CycleStage.DATA_GATHERING: 3, CycleStage.DEMAND_REVIEW: 8, CycleStage.SUPPLY_REVIEW: 13, CycleStage.PRE_SOP: 17,
    CycleStage.EXECUTIVE_SOP: 22}
ACTION_STATUSES: tuple[ActionStatus, ...] = tuple(ActionStatus)


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    required: bool = True


def due_dates(cycle: SopCycle) -> dict[str, date]:
    """Each stage's due date: the one the coordinator set, else the default day of the month."""
    set_by_hand = cycle.stage_due or {}
    return {stage: date.fromisoformat(set_by_hand[stage]) if stage in set_by_hand
            else cycle.month + timedelta(days=day - 1) for stage, day in DEFAULT_DUE_DAY.items()}


def _cycle(uow: UnitOfWork, cycle_id: int) -> SopCycle:
    cycle = uow.plans.cycle(cycle_id)
    if cycle is None:
        raise NotFound(f"no S&OP cycle {cycle_id}")
    return cycle


def _open(uow: UnitOfWork, cycle_id: int) -> SopCycle:
    cycle = _cycle(uow, cycle_id)
    if cycle.stage == CycleStage.CLOSED:
        raise Conflict(f"{cycle.name} is closed: its plan is frozen and nothing more can be recorded")
    return cycle


def scenario_of_cycle(uow: UnitOfWork, scenario_id: int, cycle: SopCycle):  # noqa: ANN201 - a Scenario
    """The scenario, if it was pinned on this cycle's plan (a decision or a freeze cannot rest on another's)."""
    scenario = uow.scenarios.get(scenario_id)
    if scenario is None:
        raise NotFound(f"no scenario {scenario_id}")
    if scenario.cycle_id != cycle.id:
        raise InvalidInput(f"scenario {scenario_id} '{scenario.name}' was pinned on another cycle's plan, not on "
                           f"{cycle.name}'s")
    return scenario


def checklist(uow: UnitOfWork, cycle: SopCycle, stage: str | None = None) -> list[ChecklistItem]:
    """What must be true before the stage's owner signs off (read from the plans themselves)."""
    stage = stage or cycle.stage
    demand = uow.plans.for_cycle(PlanKind.DEMAND, cycle.id)
    supply = uow.plans.for_cycle(PlanKind.SUPPLY, cycle.id)
    ready = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
    if stage == CycleStage.DATA_GATHERING:
        latest = uow.demand.latest_period()
        return [ChecklistItem(f"Demand actuals up to the month before {cycle.month:%B %Y}",
                              latest is not None and latest >= cycle.month - timedelta(days=31)),
                ChecklistItem("A finished forecast run for the cycle's plan",
                              demand is not None and demand.source_run_id is not None, required=False)]
    if stage == CycleStage.DEMAND_REVIEW:
        return [ChecklistItem("The cycle has a consensus demand plan", demand is not None),
                ChecklistItem("The consensus plan is submitted", demand is not None and demand.status in ready)]
    if stage == CycleStage.SUPPLY_REVIEW:
        return [ChecklistItem("The cycle has a supply plan", supply is not None),
                ChecklistItem("The supply plan is submitted", supply is not None and supply.status in ready)]
    if stage == CycleStage.PRE_SOP:
        pinned = uow.scenarios.listing(demand.id) if demand is not None else pd.DataFrame()
        return [ChecklistItem("Demand and supply plans submitted",
                              all(v is not None and v.status in ready for v in (demand, supply))),
                ChecklistItem("Scenarios for the executive meeting pinned", not pinned.empty, required=False)]
    if stage == CycleStage.EXECUTIVE_SOP:
        return [ChecklistItem("Demand and supply plans submitted for approval",
                              all(v is not None and v.status in ready for v in (demand, supply)))]
    return []


def _publish(uow: UnitOfWork, actor: Actor, cycle: SopCycle, action: str, what: str = "", before=None,
             after=None) -> None:
    uow.publish(RecordChanged(actor.username, action=action, entity="sop_cycle",
                              key=cycle.name + (f"|{what}" if what else ""), before=before, after=after))


def _commit(uow: UnitOfWork, cycle: SopCycle) -> None:
    name = cycle.name  # a failed flush expires the cycle: read its name first
    try:
        uow.commit()
    except StaleDataError:
        raise Conflict(f"{name} changed while you were signing (someone else moved it): reload and "
                       "check where it stands") from None


def sign_off(uow: UnitOfWork, actor: Actor, cycle_id: int, comment: str, freeze_with=None) -> str:  # noqa: ANN001
    """The current stage's owner signs it off; the cycle moves to the next stage. Returns the new stage.

    The executive S&OP sign-off needs `freeze_with(uow, actor, cycle)`: the callable that approves the
    plans and returns the lineage to freeze (genxsop_core.cycle.freeze.freezer), so this module
    stays the state machine and nothing else.
    """
    require(actor, "cycle.signoff")
    if not (comment or "").strip():
        raise InvalidInput("a sign-off needs a comment: what was checked, what is open")
    with uow:
        cycle = _open(uow, cycle_id)
        stage = cycle.stage
        owner = STAGE_OWNERS[stage]
        if owner not in actor.roles:
            raise PermissionDenied(f"{STAGE_LABELS[stage]} is signed off by the {ROLE_LABELS[owner]}; "
                                   f"{actor.username} is {', '.join(ROLE_LABELS[r] for r in actor.roles)}")
        missing = [item.label for item in checklist(uow, cycle) if item.required and not item.done]
        if missing:
            raise Conflict(f"{STAGE_LABELS[stage]} cannot be signed off yet: {'; '.join(missing)}")
        earlier = uow.cycles.signoff(cycle.id, stage, actor.username)
        if earlier is None:
            uow.cycles.add(SopSignOff(cycle_id=cycle.id, stage=stage, username=actor.username, role=owner,
                                      comment=comment.strip()))
        else:  # signing again after a send-back: the new sign-off replaces the old (the audit keeps both)
            earlier.comment, earlier.signed_at = comment.strip(), utcnow()
        following = STAGES[STAGES.index(stage) + 1]
        if stage == CycleStage.EXECUTIVE_SOP:
            if freeze_with is None:
                raise InvalidInput("the executive sign-off approves and freezes the plan: pass freeze_with")
            cycle.frozen, cycle.frozen_by, cycle.frozen_at = freeze_with(uow, actor, cycle), actor.username, utcnow()
            cycle.closed_at = cycle.frozen_at
        cycle.stage = following
        _publish(uow, actor, cycle, "sign_off", before={"stage": stage},
                 after={"stage": following, "comment": comment.strip(), "role": owner,
                        **({"frozen": cycle.frozen} if cycle.frozen and following == CycleStage.CLOSED else {})})
        _commit(uow, cycle)
    return following


def send_back(uow: UnitOfWork, actor: Actor, cycle_id: int, reason: str) -> str:
    """The coordinator moves an open cycle back one stage (its sign-off there stays on record)."""
    require(actor, "cycle.manage")
    if not (reason or "").strip():
        raise InvalidInput("sending a cycle back needs a reason")
    with uow:
        cycle = _open(uow, cycle_id)
        index = STAGES.index(cycle.stage)
        if index == 0:
            raise Conflict(f"{cycle.name} is at its first stage; there is nothing to go back to")
        before, cycle.stage = cycle.stage, STAGES[index - 1]
        _publish(uow, actor, cycle, "send_back", before={"stage": before},
                 after={"stage": cycle.stage, "reason": reason.strip()})
        _commit(uow, cycle)
        return cycle.stage


def set_due_date(uow: UnitOfWork, actor: Actor, cycle_id: int, stage: str, due: date) -> None:
    require(actor, "cycle.manage")
    if stage not in DEFAULT_DUE_DAY:
        raise InvalidInput(f"stage must be one of {', '.join(DEFAULT_DUE_DAY)}, not {stage!r}")
    with uow:
        cycle = _open(uow, cycle_id)
        before = dict(cycle.stage_due or {})
        cycle.stage_due = {**before, stage: due.isoformat()}
        _publish(uow, actor, cycle, "set_due_date", before={"stage_due": before}, after={"stage_due": cycle.stage_due})
        _commit(uow, cycle)


def record_decision(uow: UnitOfWork, actor: Actor, cycle_id: int, text: str, scenario_id: int | None = None) -> int:
    """A decision of the meeting, optionally naming the scenario it rests on."""
    require(actor, "cycle.decide")
    if not (text or "").strip():
        raise InvalidInput("a decision needs its text")
    with uow:
        cycle = _open(uow, cycle_id)
        if scenario_id is not None:
            scenario_of_cycle(uow, scenario_id, cycle)
        decision = SopDecision(cycle_id=cycle.id, text=text.strip(), scenario_id=scenario_id, decided_by=actor.username)
        uow.cycles.add(decision)
        uow.flush()
        _publish(uow, actor, cycle, "decide", f"decision {decision.id}",
                 after={"text": decision.text, "scenario_id": scenario_id})
        _commit(uow, cycle)
        return decision.id


def add_action(uow: UnitOfWork, actor: Actor, cycle_id: int, text: str, owner: str, due: date | None) -> int:
    """An action item of the cycle: what, who (a user), by when."""
    require(actor, "cycle.decide")
    if not (text or "").strip():
        raise InvalidInput("an action needs its text")
    with uow:
        cycle = _open(uow, cycle_id)
        if uow.users.get(owner) is None:
            raise NotFound(f"no user {owner!r} to own the action")
        action = SopAction(cycle_id=cycle.id, text=text.strip(), owner=owner, due=due, created_by=actor.username)
        uow.cycles.add(action)
        uow.flush()
        _publish(uow, actor, cycle, "add_action", f"action {action.id}",
                 after={"text": action.text, "owner": owner, "due": due.isoformat() if due else None})
        _commit(uow, cycle)
        return action.id


def set_action_status(uow: UnitOfWork, actor: Actor, action_id: int, status: str) -> None:
    """Its owner or the coordinator marks an action done or dropped (or open again)."""
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"action status must be one of {', '.join(ACTION_STATUSES)}, not {status!r}")
    with uow:
        action = uow.cycles.action(action_id)
        if action is None:
            raise NotFound(f"no action {action_id}")
        require(actor, "cycle.action_status" if action.owner == actor.username else "cycle.manage")
        cycle = _cycle(uow, action.cycle_id)
        before, action.status = action.status, status
        _publish(uow, actor, cycle, "action_status", f"action {action_id}", before={"status": before},
                 after={"status": status})
        uow.commit()


@dataclass(frozen=True)
class CycleView:
    id: int
    name: str
    month: date
    stage: str
    due: dict[str, date]
    overdue: list[str]  # stages past their due date and not yet signed off
    checklist: list[ChecklistItem]
    signoffs: pd.DataFrame  # stage, username, role, comment, signed_at
    decisions: pd.DataFrame  # id, text, scenario_id, decided_by, decided_at
    actions: pd.DataFrame  # id, text, owner, due, status, created_by
    frozen: dict | None


def cycle_view(uow: UnitOfWork, cycle_id: int, today: date | None = None) -> CycleView:
    """Where a cycle stands: stage, due dates and what is overdue, the checklist, the record."""
    today = today or date.today()
    with uow:
        cycle = _cycle(uow, cycle_id)
        due = due_dates(cycle)
        position = STAGES.index(cycle.stage)
        overdue = [s for s, d in due.items() if STAGES.index(s) >= position and d < today]
        return CycleView(cycle.id, cycle.name, cycle.month, cycle.stage, due, overdue, checklist(uow, cycle),
                         uow.cycles.signoffs(cycle.id), uow.cycles.decisions(cycle.id), uow.cycles.actions(cycle.id),
                         cycle.frozen)


def list_cycles(uow: UnitOfWork) -> pd.DataFrame:
    """id, name, month, stage, closed_at, frozen_by: newest first (the history of past cycles)."""
    with uow:
        return uow.cycles.listing()
