"""/scenarios: evaluate levers on a plan (what the What-if page computes), list, pin and promote the
scenarios the meeting keeps.

The levers are `scenarios.Levers` itself (validated by pydantic, unknown levers refused), evaluated
by `scenarios.evaluate` on the plan as `plans.data.load_plan_data` loads it; pinning and promoting
are `scenarios.pinned` (role-checked and audited).
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.dataclasses import dataclass as validated

from genxsop_core.api.routers.params import NewUow, SignedIn
from genxsop_core.api.routers.planning import Created, demand_version_or_current, plan_data
from genxsop_core.api.schemas import json_value, rows
from genxsop_core.domain.exceptions import NotFound
from genxsop_core.scenarios import SUMMARY_LABELS, Levers, evaluate
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.rebalanced import evaluate_rebalanced

router = APIRouter(prefix="/scenarios", tags=["scenarios"])



@validated(config=ConfigDict(extra="forbid"), frozen=True)
class LeverSet(Levers):
    """The levers as the calculator defines them, validated; a lever it does not know is refused (422)."""


VersionChoice = Annotated[int | None, Query(description="a consensus plan version; the current cycle's by default")]


class Evaluation(BaseModel):
    levers: LeverSet = Field(default_factory=LeverSet, description="changes are fractions: -0.1 is 10% less")
    demand_version_id: int | None = Field(None, description="the current cycle's plan by default")
    rebalance: bool = Field(False, description="figures of the balanced plan (supply.balance, as with the pages' "
                                               "'Rebalance the plan' switch) instead of made receipts cut to capacity")


class Evaluated(BaseModel):
    demand_version_id: int
    supply_version_id: int | None
    summary: dict[str, float | None] = Field(description="; ".join(f"{k}: {v}" for k, v in SUMMARY_LABELS.items()))
    by_period: list[dict[str, Any]] = Field(description="period, demand, sold, receipts, revenue, margin, "
                                                        "inventory_value")
    capacity: list[dict[str, Any]] = Field(description="resource, period, load_hours, capacity_hours, utilization")


class PinRequest(Evaluation):
    name: str = Field(max_length=200)
    note: str = Field("", max_length=4000, description="the decision note")


class Promoted(BaseModel):
    demand_version_id: int
    supply_version_id: int | None = Field(description="none when the cycle has no supply plan")


@router.post("/evaluate", response_model=Evaluated, summary="What the plan gives with these levers (nothing stored)")
def evaluate_levers(body: Evaluation, _caller: SignedIn, new_uow: NewUow) -> Any:
    data = plan_data(new_uow, demand_version_or_current(new_uow, body.demand_version_id))
    result = evaluate_rebalanced(data, body.levers).result if body.rebalance else evaluate(data, body.levers)
    return Evaluated(demand_version_id=data.demand_version_id, supply_version_id=data.supply_version_id,
                     summary={name: json_value(value) for name, value in result.summary.items()},
                     by_period=rows(result.by_period), capacity=rows(result.capacity))


@router.get("/pinned", response_model=list[dict[str, Any]],
            summary="Pinned scenarios (of one plan version), newest first, with their levers and figures")
def pinned(_caller: SignedIn, new_uow: NewUow, demand_version_id: VersionChoice = None) -> Any:
    return rows(pinned_scenarios.list_pinned(new_uow(), demand_version_id))


@router.post("/pinned", response_model=Created, status_code=201,
             summary="Pin the levers and the figures they give, with the decision note")
def pin(body: PinRequest, caller: SignedIn, new_uow: NewUow) -> Any:
    data = plan_data(new_uow, demand_version_or_current(new_uow, body.demand_version_id))
    return Created(id=pinned_scenarios.pin(new_uow(), caller.actor, data, body.name, body.levers, body.note,
                                           rebalance=body.rebalance))


@router.post("/pinned/{scenario_id}/promote", response_model=Promoted,
             summary="Make a pinned scenario the cycle's plan (new draft versions; the old ones superseded)")
def promote(scenario_id: int, caller: SignedIn, new_uow: NewUow) -> Any:
    listing = pinned_scenarios.list_pinned(new_uow())
    found = listing[listing.id == scenario_id]
    if found.empty:
        raise NotFound(f"no scenario {scenario_id}")
    data = plan_data(new_uow, int(found.base_plan_version_id.iloc[0]))
    demand_id, supply_id = pinned_scenarios.promote(new_uow(), caller.actor, data, scenario_id)
    return Promoted(demand_version_id=demand_id, supply_version_id=supply_id)
