"""The executive approval: approve the cycle's plans and write down what was approved.

Called by cycle.sign_off inside its transaction. The lineage frozen on the cycle names the
demand and supply versions, the forecast run behind the statistical forecast (its data hash,
models, horizon, quantiles and timings), the scenario the plan came from or the one chosen in
the meeting, the inventory policy in force per SKU (safety stock, reorder point, order quantity
by the normal method with lead-time variability), who approved and when. Approved versions are
read-only for everyone (plan_versions.editable_version), so the frozen plan cannot change.
"""
from __future__ import annotations

from collections.abc import Callable

from genxsop_core.cycle import workflow as cycle_rules
from genxsop_core.domain.exceptions import Conflict
from genxsop_core.domain.models import SopCycle, utcnow
from genxsop_core.domain.permissions import Actor
from genxsop_core.domain.states import PlanKind, PlanStatus
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans import versions as plan_versions
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios.pinned import was_rebalanced

POLICY_COLUMNS = ["sku", "safety_stock", "reorder_point", "order_quantity", "service_level"]


def freezer(uow_factory: Callable[[], UnitOfWork], scenario_id: int | None = None) -> Callable:
    """The `freeze_with` of cycle.sign_off; `scenario_id` is the scenario the meeting chose (if any)."""
    def freeze(uow: UnitOfWork, actor: Actor, cycle: SopCycle) -> dict:
        demand = uow.plans.for_cycle(PlanKind.DEMAND, cycle.id)
        supply = uow.plans.for_cycle(PlanKind.SUPPLY, cycle.id)
        if demand is None or supply is None:
            raise Conflict(f"{cycle.name} needs a demand and a supply plan to approve")
        policy = inventory_policy.policy_table(load_plan_data(uow_factory(), demand.id, supply.id))
        for version in (demand, supply):
            if version.status != PlanStatus.APPROVED:
                plan_versions.move(uow, actor, version, "approve", "executive S&OP sign-off")
        chosen = scenario_id if scenario_id is not None else demand.source_scenario_id
        scenario = cycle_rules.scenario_of_cycle(uow, chosen, cycle) if chosen is not None else None
        run = uow.forecast_runs.get(demand.source_run_id) if demand.source_run_id is not None else None
        return {
            "demand_version_id": demand.id, "supply_version_id": supply.id,
            "forecast_run": None if run is None else {
                "id": run.id, "data_hash": run.data_hash, "models": run.models, "horizon": run.horizon,
                "quantiles": run.quantiles, "scope": run.scope, "created_by": run.created_by,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None, "timings": run.timings},
            "scenario": None if scenario is None else {"id": scenario.id, "name": scenario.name,
                                                       "levers": scenario.levers, "note": scenario.note,
                                                       "rebalanced": was_rebalanced(scenario.results)},
            "inventory_policy": {"method": "lead_time", "rows": [
                {c: (round(float(v), 3) if c != "sku" else v) for c, v in row.items()}
                for row in policy[POLICY_COLUMNS].to_dict("records")]},
            "approved_by": actor.username, "approved_at": utcnow().isoformat(),
        }
    return freeze
