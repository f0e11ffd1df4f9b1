"""Every column the screens, exports and the meeting pack show is in the field catalogue
(genxsop_core/presentation/fields.py), so a new field cannot reach a planner as snake_case: the frames
are built on the demo, through the same views the pages call, and their columns listed."""
from __future__ import annotations

from genxsop_core.cycle import meeting_pack
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import reason_codes
from genxsop_core.demand import views as demand_views
from genxsop_core.domain.hierarchy import Node
from genxsop_core.domain.states import RunStatus
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.inventory import views as inventory_views
from genxsop_core.kpi import views as kpi_views
from genxsop_core.plans.data import load_plan_data
from genxsop_core.presentation.fields import FIELDS
from genxsop_core.supply import views as supply_views

# the rows pages build themselves (System health and Forecasting runs, the audit log, import problems)
PAGE_BUILT = {"run", "started", "by", "scope", "model", "horizon", "status", "skus", "seconds", "problem",
              "progress", "id", "when", "user", "action", "entity", "key", "file", "row", "column"}


def shown_frames(demo) -> dict[str, object]:
    with demo() as uow:
        cycle_id = int(uow.cycles.listing().id.iloc[0])
        demand_id = uow.plans.for_cycle("demand", cycle_id).id
        supply_id = uow.plans.for_cycle("supply", cycle_id).id
    data = load_plan_data(demo(), demand_id, supply_id)
    inventory = inventory_views.compute_view(data)
    rows = supply_views.receipts_grid(demo(), supply_id, list(data.skus))
    proposal = supply_views.propose(data, inventory.policy, rows)
    family = demand_views.override_grid(demo(), demand_id, Node(), "family")
    first = family.iloc[0]
    panel = demand_views.accuracy_panel(demo(), Node(), "sku", shortest_if_unknown=True)
    run = next(r for r in forecast_views.list_runs(demo()) if r.status == RunStatus.DONE)
    view = cycle.cycle_view(demo(), cycle_id)
    frames = {
        "inventory policy": inventory.policy, "inventory exceptions": inventory.exceptions,
        "capacity": supply_views.capacity_check(data), "receipts grid": rows,
        "proposed receipts": proposal.receipts, "expedite": proposal.expedite,
        "override grid": family, "accuracy": panel.by_lag, "flagged": panel.flagged,
        "split preview": demand_views.split_preview(demo(), demand_id, "family", first["item"], first.period, 100.0),
        "leaderboard": forecast_views.leaderboard(demo(), run.id),
        "scores": forecast_views.sku_forecast(demo(), run.id, forecast_views.run_skus(demo(), run.id)[0]).scores,
        "decisions": view.decisions, "actions": view.actions, "sign-offs": view.signoffs,
        "cycles": cycle.list_cycles(demo()), "reason codes": reason_codes.list_reason_codes(demo()),
        "kpi drill-down": kpi_views.children_of(kpi_views.load_kpi_data(demo()), "wape", "total"),
    }
    frames |= {f"pack: {name}": table for name, table in meeting_pack.pack_tables(demo, cycle_id).items()}
    return frames


def test_every_column_a_planner_sees_is_in_the_catalogue(demo_history):
    frames = shown_frames(demo_history)
    assert all(len(frame.columns) for frame in frames.values())
    missing = {name: sorted(set(map(str, frame.columns)) - set(FIELDS)) for name, frame in frames.items()}
    assert not {name: columns for name, columns in missing.items() if columns}, \
        "add these fields to genxsop_core/presentation/fields.py with a label and a kind"
    assert set(FIELDS) >= PAGE_BUILT
