"""Scenarios the meeting keeps: pinned with a decision note, compared, promoted to the plan.

Pinning stores the levers and the figures they gave (audited), so a scenario can be shown
again exactly as the meeting saw it: with the "rebalance" switch on, the figures of the balanced
plan (scenarios.rebalanced), and the results say so (`results["rebalanced"]`; a scenario pinned
before the switch existed has no such key and was cut to capacity). Promoting one makes it the
cycle's plan: a new draft consensus plan (demand moved by the scenario's demand levers, reason
SCENARIO) and a new draft supply plan (the receipts the scenario evaluated: cut to capacity's
planned receipts, or the balanced ones), both naming the scenario; the versions they replace are
kept as "superseded". Only a plan that is not yet approved can be replaced.
"""
from __future__ import annotations

import math

import pandas as pd

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import PlanVersion, Scenario
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import PlanData
from genxsop_core.plans.versions import SUPERSEDED, add_version, get_version, snapshot
from genxsop_core.scenarios.levers import SUMMARY_LABELS, Levers, demand_factor, evaluate, scenario_receipts
from genxsop_core.scenarios.rebalanced import evaluate_rebalanced, receipts_grid

MAX_COMPARED = 4
PROMOTED_REASON = "SCENARIO"
REBALANCED = "rebalanced"
"""The key of a pinned scenario's results that says its figures are of the balanced plan (True);
absent: made receipts cut to capacity."""


def pin(uow: UnitOfWork, actor: Actor, data: PlanData, name: str, levers: Levers, note: str = "",
        rebalance: bool = False) -> int:
    """Save the levers and their figures under a name, with the decision note; `rebalance`: the
    figures of the balanced plan, as the page shows them with "Rebalance the plan" on."""
    require(actor, "scenario.pin")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a pinned scenario needs a name")
    summary = _json_safe(scenario_figures(data, levers, rebalance))
    if rebalance:  # cut to capacity keeps the shape of every scenario pinned before the switch existed
        summary[REBALANCED] = True
    with uow:
        version = get_version(uow, PlanKind.DEMAND, data.demand_version_id)
        scenario = Scenario(name=name[:200], base_plan_version_id=version.id, cycle_id=version.cycle_id,
                            levers=levers.to_dict(), results=summary, note=(note or "").strip(),
                            created_by=actor.username)
        uow.scenarios.add(scenario)
        uow.flush()
        uow.publish(RecordChanged(actor.username, action="pin", entity="scenario", key=str(scenario.id),
                                  after={"name": scenario.name, "base_plan_version_id": version.id,
                                         "levers": scenario.levers, "results": summary, "note": scenario.note}))
        uow.commit()
        return scenario.id


def scenario_figures(data: PlanData, levers: Levers, rebalance: bool = False) -> dict[str, float]:
    """The figures a pinned scenario keeps (the keys of SUMMARY_LABELS): scenarios.evaluate's, made
    receipts cut to capacity, or with `rebalance` those of the balanced plan (scenarios.rebalanced)."""
    summary = evaluate_rebalanced(data, levers).result.summary if rebalance else evaluate(data, levers).summary
    return {key: summary[key] for key in SUMMARY_LABELS}


def was_rebalanced(results: dict | None) -> bool:
    """Whether a pinned scenario's figures are of the balanced plan (no: cut to capacity)."""
    return bool((results or {}).get(REBALANCED, False))


def _json_safe(figures: dict[str, float]) -> dict[str, float | None]:
    """NaN (a fill rate of no demand) as null: JSON has no NaN and PostgreSQL refuses it."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in figures.items()}


def _blank_to_none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def list_pinned(uow: UnitOfWork, demand_version_id: int | None = None) -> pd.DataFrame:
    """id, name, status, note, created_by, created_at, levers, results; newest first."""
    with uow:
        return uow.scenarios.listing(demand_version_id)


def comparison(pinned: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    """The chosen scenarios' figures side by side (one column each, "name (#id)", "name (#id,
    rebalanced)" for one pinned balanced), one row per SUMMARY_LABELS key, at most MAX_COMPARED."""
    if len(ids) > MAX_COMPARED:
        raise InvalidInput(f"compare at most {MAX_COMPARED} scenarios at a time, not {len(ids)}")
    chosen = pinned.set_index("id").loc[ids]
    return pd.DataFrame({f"{row['name']} (#{i}{', rebalanced' if was_rebalanced(row['results']) else ''})":
                         pd.Series(row["results"], dtype=object) for i, row in chosen.iterrows()},
                        index=list(SUMMARY_LABELS))


def promote(uow: UnitOfWork, actor: Actor, data: PlanData, scenario_id: int) -> tuple[int, int | None]:
    """Make a pinned scenario the cycle's plan; returns the new (demand, supply) version ids (supply None when
    the cycle has no supply plan)."""
    require(actor, "scenario.promote")
    with uow:
        scenario = uow.scenarios.get(scenario_id)
        if scenario is None:
            raise NotFound(f"no scenario {scenario_id}")
        if scenario.status == "promoted":
            raise Conflict(f"scenario {scenario_id} '{scenario.name}' has been promoted already")
        if scenario.base_plan_version_id != data.demand_version_id:
            raise InvalidInput(f"scenario {scenario_id} was pinned on plan version {scenario.base_plan_version_id}, "
                               f"not on version {data.demand_version_id}")
        demand = get_version(uow, PlanKind.DEMAND, data.demand_version_id)
        if demand.status == SUPERSEDED:
            raise Conflict(f"plan version {demand.id} has been replaced by a promoted scenario already; open the "
                           "cycle's current plan")
        if demand.status == PlanStatus.APPROVED:
            raise Conflict(f"plan version {demand.id} is approved and frozen; a scenario can only replace a plan "
                           "before it is approved")
        levers = Levers.from_dict(scenario.levers)
        # a version outside any cycle has no supply plan (cycle_id == None would match every such version)
        supply = None if demand.cycle_id is None else uow.plans.for_cycle(PlanKind.SUPPLY, demand.cycle_id)
        new_demand = _replace(uow, actor, demand, scenario)
        _copy_demand_rows(uow, actor, data, levers, new_demand)
        new_supply = None
        if supply is not None:
            new_supply = _replace(uow, actor, supply, scenario, demand_version_id=new_demand.id)
            _copy_supply_rows(uow, data, levers, supply.id, new_supply, was_rebalanced(scenario.results))
        before = {"status": scenario.status}
        scenario.status = "promoted"
        uow.publish(RecordChanged(actor.username, action="promote", entity="scenario", key=str(scenario_id),
                                  before=before, after={"status": "promoted", "demand_version_id": new_demand.id,
                                                        "supply_version_id": new_supply.id if new_supply else None}))
        uow.commit()
        return new_demand.id, (new_supply.id if new_supply else None)


def _replace(uow: UnitOfWork, actor: Actor, old: PlanVersion, scenario: Scenario,
             demand_version_id: int | None = None) -> PlanVersion:
    """Supersede `old` and add its successor (same cycle, named after the scenario), audited."""
    if old.status == PlanStatus.APPROVED:
        raise Conflict(f"{old.kind} plan version {old.id} is approved and frozen")
    before = snapshot(old)
    old.status = SUPERSEDED
    uow.publish(RecordChanged(actor.username, action="supersede", entity="plan_version", key=str(old.id),
                              before=before, after={**snapshot(old), "by_scenario": scenario.id}))
    new = PlanVersion(kind=old.kind, name=f"{old.kind.capitalize()} from scenario '{scenario.name}'"[:200],
                      cycle_id=old.cycle_id, source_run_id=old.source_run_id, source_scenario_id=scenario.id,
                      demand_version_id=demand_version_id, created_by=actor.username)
    add_version(uow, new)
    uow.publish(RecordChanged(actor.username, action="create", entity="plan_version", key=str(new.id),
                              after={**snapshot(new), "source_scenario_id": scenario.id, "replaces": old.id}))
    return new


def _copy_demand_rows(uow: UnitOfWork, actor: Actor, data: PlanData, levers: Levers, new: PlanVersion) -> None:
    rows = uow.demand_plans.frame([data.demand_version_id])
    factor = pd.Series(demand_factor(data, levers), index=data.skus)
    changed = rows.sku.map(factor).to_numpy() != 1.0
    consensus = rows.consensus.to_numpy() * rows.sku.map(factor).to_numpy()
    ids = uow.products.ids_by_sku()
    comment = f"Scenario #{new.source_scenario_id} promoted by {actor.username}"
    uow.demand_plans.insert_rows([
        {"plan_version_id": new.id, "product_id": ids[r.sku], "period": r.period.date(),
         "statistical": float(r.statistical), "consensus": float(c), "row_version": 1,
         "override": float(c) if moved else _blank_to_none(r.override),
         "reason_code": PROMOTED_REASON if moved else _blank_to_none(r.reason_code),
         "comment": comment if moved else _blank_to_none(r.comment),
         "author": actor.username if moved else _blank_to_none(r.author)}
        for r, c, moved in zip(rows.itertuples(index=False), consensus, changed)])


def _copy_supply_rows(uow: UnitOfWork, data: PlanData, levers: Levers, old_id: int, new: PlanVersion,
                      rebalanced: bool) -> None:
    """The old version's rows with the receipts the scenario evaluated: planned receipts following
    demand, or (pinned rebalanced) the balanced plan's receipts; released orders as they are."""
    rows = uow.supply_plans.frame([old_id])
    planned = receipts_grid(data, evaluate_rebalanced(data, levers).balance) if rebalanced else \
        scenario_receipts(data, levers)
    receipts = pd.DataFrame(planned, index=data.skus, columns=data.periods)
    planned = receipts.stack().rename("scenario").rename_axis(["sku", "period"]).reset_index()
    rows = rows.merge(planned, on=["sku", "period"], how="left")
    ids = uow.products.ids_by_sku()
    uow.supply_plans.insert_rows([
        {"plan_version_id": new.id, "product_id": ids[r.sku], "period": r.period.date(),
         "planned_receipts": float(r.planned_receipts if pd.isna(r.scenario) else r.scenario), "kind": r.kind,
         "firm": bool(r.firm), "comment": r.comment, "author": r.author, "row_version": 1}
        for r in rows.itertuples(index=False)])
