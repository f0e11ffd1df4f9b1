"""/sop-cycles: where each monthly S&OP cycle stands (stage, due dates, checklist, sign-offs), its
decisions and actions, and the moves: sign off, send back, decide, add an action, mark one done.

Reads are `cycle.workflow.cycle_view` and `list_cycles`; every move is a `cycle.workflow` service
(role-checked, audited under the cycle's name). The executive sign-off approves and freezes the plan
through `cycle.freeze.freezer`, as on the S&OP cycle page.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from genxsop_core.api.routers.params import NewUow, SignedIn
from genxsop_core.api.routers.planning import Created
from genxsop_core.api.schemas import rows
from genxsop_core.cycle import freeze
from genxsop_core.cycle import workflow as cycle
from genxsop_core.cycle.dashboard import current_plan
from genxsop_core.domain.exceptions import NotFound

router = APIRouter(prefix="/sop-cycles", tags=["S&OP cycles"])


class CycleOut(BaseModel):
    id: int
    name: str
    month: date
    stage: str = Field(description=" -> ".join(cycle.STAGES))
    due: dict[str, date] = Field(description="each stage's due date")
    overdue: list[str] = Field(description="stages past their due date and not yet signed off")
    checklist: list[dict[str, Any]] = Field(description="label, done, required: what the stage's sign-off needs")
    signoffs: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    frozen: dict[str, Any] | None = Field(description="what the executive sign-off approved and froze")


class SignOff(BaseModel):
    comment: str = Field(max_length=4000, description="what was checked, what is open")
    scenario_id: int | None = Field(None, description="executive S&OP: the scenario the meeting chose")


class SendBack(BaseModel):
    reason: str = Field(max_length=4000)


class Moved(BaseModel):
    id: int
    stage: str


class DecisionIn(BaseModel):
    text: str = Field(max_length=4000)
    scenario_id: int | None = Field(None, description="the pinned scenario the decision rests on")


class ActionIn(BaseModel):
    text: str = Field(max_length=4000)
    owner: str = Field(description="the username who owns it")
    due: date | None = None


class ActionStatusIn(BaseModel):
    status: str = Field(description=", ".join(cycle.ACTION_STATUSES))


class ActionStatusOut(BaseModel):
    id: int
    status: str


def _view(new_uow: NewUow, cycle_id: int) -> CycleOut:
    view = cycle.cycle_view(new_uow(), cycle_id)
    return CycleOut(id=view.id, name=view.name, month=view.month, stage=view.stage, due=view.due,
                    overdue=view.overdue,
                    checklist=[{"label": i.label, "done": i.done, "required": i.required} for i in view.checklist],
                    signoffs=rows(view.signoffs), decisions=rows(view.decisions), actions=rows(view.actions),
                    frozen=view.frozen)


@router.get("", response_model=list[dict[str, Any]], summary="Every cycle, newest first: id, name, month, stage")
def cycles(_caller: SignedIn, new_uow: NewUow) -> Any:
    return rows(cycle.list_cycles(new_uow()))


@router.get("/current", response_model=CycleOut, summary="The cycle of the current plan (the dashboard's)")
def current(_caller: SignedIn, new_uow: NewUow) -> Any:
    plan = current_plan(new_uow())
    if plan is None:
        raise NotFound("there is no S&OP cycle with a plan yet")
    return _view(new_uow, plan.cycle_id)


@router.get("/{cycle_id}", response_model=CycleOut, summary="Where a cycle stands, with its record")
def status(cycle_id: int, _caller: SignedIn, new_uow: NewUow) -> Any:
    return _view(new_uow, cycle_id)


@router.post("/{cycle_id}/sign-off", response_model=Moved,
             summary="The current stage's owner signs it off; the executive sign-off approves and freezes the plan")
def sign_off(cycle_id: int, body: SignOff, caller: SignedIn, new_uow: NewUow) -> Any:
    stage = cycle.sign_off(new_uow(), caller.actor, cycle_id, body.comment, freeze.freezer(new_uow, body.scenario_id))
    return Moved(id=cycle_id, stage=stage)


@router.post("/{cycle_id}/send-back", response_model=Moved, summary="The coordinator moves the cycle back a stage")
def send_back(cycle_id: int, body: SendBack, caller: SignedIn, new_uow: NewUow) -> Any:
    return Moved(id=cycle_id, stage=cycle.send_back(new_uow(), caller.actor, cycle_id, body.reason))


@router.get("/{cycle_id}/decisions", response_model=list[dict[str, Any]], summary="The meeting's decisions")
def decisions(cycle_id: int, _caller: SignedIn, new_uow: NewUow) -> Any:
    return rows(cycle.cycle_view(new_uow(), cycle_id).decisions)


@router.post("/{cycle_id}/decisions", response_model=Created, status_code=201, summary="Record a decision")
def decide(cycle_id: int, body: DecisionIn, caller: SignedIn, new_uow: NewUow) -> Any:
    return Created(id=cycle.record_decision(new_uow(), caller.actor, cycle_id, body.text, body.scenario_id))


@router.get("/{cycle_id}/actions", response_model=list[dict[str, Any]], summary="The cycle's action items")
def actions(cycle_id: int, _caller: SignedIn, new_uow: NewUow) -> Any:
    return rows(cycle.cycle_view(new_uow(), cycle_id).actions)


@router.post("/{cycle_id}/actions", response_model=Created, status_code=201,
             summary="Add an action: what, who, by when")
def add_action(cycle_id: int, body: ActionIn, caller: SignedIn, new_uow: NewUow) -> Any:
    return Created(id=cycle.add_action(new_uow(), caller.actor, cycle_id, body.text, body.owner, body.due))


@router.post("/actions/{action_id}/status", response_model=ActionStatusOut,
             summary="Its owner or the coordinator marks an action done, dropped or open again")
def action_status(action_id: int, body: ActionStatusIn, caller: SignedIn, new_uow: NewUow) -> Any:
    cycle.set_action_status(new_uow(), caller.actor, action_id, body.status)
    return ActionStatusOut(id=action_id, status=body.status)
