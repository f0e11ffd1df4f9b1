"""Generation counters on a real database (SQLite, and PostgreSQL where reachable): every write moves
the counter of exactly the areas it touches, once per commit; a refused write moves none; a restore
lifts every counter past anything a cache could have seen."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date

import pytest

from genxsop_core.cycle import workflow
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import views as demand_views
from genxsop_core.demand.reason_codes import add_reason_code
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.generations import IMPORT_AREAS, DataArea
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.io import importer
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.persistence.backup import backup_database, restore_database
from genxsop_core.persistence.generations import generations
from genxsop_core.supply import plans as supply_plans
from tests.integration import test_import_service as files
from tests.integration.test_demand_plans import COORDINATOR, PLANNER
from tests.integration.test_demand_plans import edit as override_edit
from tests.integration.test_supply_plans import SUPPLY_PLANNER, open_cells, small_demand
from tests.integration.test_supply_plans import edit as receipt_edit
from tests.integration.test_supply_plans import grid as receipts_grid

AREAS = tuple(DataArea)
FILES = {"products": files.PRODUCTS, "resources": files.RESOURCES, "routings": files.ROUTINGS,
         "demand": files.DEMAND, "supply": files.SUPPLY, "inventory": files.INVENTORY}


def now(uow_factory) -> dict[DataArea, int]:
    return dict(zip(AREAS, generations(uow_factory(), AREAS)))


def moved(uow_factory, write: Callable[[], object]) -> set[DataArea]:
    """The areas whose generation `write` moved; each may move by one at most (one bump per commit)."""
    before = now(uow_factory)
    write()
    after = now(uow_factory)
    assert all(after[a] - before[a] in (0, 1) for a in AREAS), (before, after)
    return {a for a in AREAS if after[a] != before[a]}


def test_a_new_database_starts_every_area_at_zero(uow_factory):
    assert now(uow_factory) == dict.fromkeys(AREAS, 0)


def test_each_import_moves_the_areas_of_its_kind_and_the_same_file_again_moves_none(uow_factory, admin):
    for kind in ("products", "resources", "routings", "demand", "supply", "inventory"):
        def load(kind: str = kind) -> None:
            importer.import_file(uow_factory(), admin, kind, f"{kind}.csv", FILES[kind])

        assert moved(uow_factory, load) == IMPORT_AREAS[kind], kind
        assert moved(uow_factory, load) == set(), f"{kind} again"
    assert now(uow_factory) == {DataArea.MASTER_DATA: 1, DataArea.CAPACITY: 2, DataArea.ACTUALS: 1,
                                DataArea.PLANS: 1, DataArea.STOCK: 1, DataArea.FORECASTS: 0, DataArea.TARGETS: 0}


def test_plan_target_forecast_and_reference_writes_move_their_areas(uow_factory, admin):
    files.load_all(uow_factory, admin)
    plans, targets = {DataArea.PLANS}, {DataArea.TARGETS}

    assert moved(uow_factory, lambda: add_reason_code(uow_factory(), admin, "EVENT", "Trade fair")) \
        == {DataArea.MASTER_DATA}
    before = now(uow_factory)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    assert now(uow_factory) == {**before, DataArea.PLANS: before[DataArea.PLANS] + 1}

    row = demand_views.override_grid(uow_factory(), demand_id, demand_views.Node(), "sku").iloc[0]
    assert moved(uow_factory, lambda: demand_plans.save_overrides(
        uow_factory(), PLANNER, demand_id, [override_edit(row, 140.0, reason="EVENT")])) == plans

    before = now(uow_factory)
    supply_id = supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id)
    assert now(uow_factory) == {**before, DataArea.PLANS: before[DataArea.PLANS] + 1}
    cell = open_cells(receipts_grid(uow_factory, supply_id)).iloc[0]
    assert moved(uow_factory, lambda: supply_plans.save_receipts(
        uow_factory(), SUPPLY_PLANNER, supply_id, [receipt_edit(cell, 77.0)])) == plans

    assert moved(uow_factory, lambda: demand_plans.change_status(uow_factory(), PLANNER, demand_id, "submit")) == plans
    assert moved(uow_factory, lambda: demand_plans.change_status(uow_factory(), COORDINATOR, demand_id,
                                                                 "approve")) == plans

    def target(value: float) -> Callable[[], None]:
        return lambda: kpi_targets.set_target(uow_factory(), COORDINATOR, "fill_rate", "total", "", value, 0.95, 0.9)

    assert moved(uow_factory, target(0.98)) == targets
    assert moved(uow_factory, target(0.98)) == set()  # the same values again write nothing
    assert moved(uow_factory, lambda: kpi_targets.seed_default_targets(uow_factory(), COORDINATOR)) == targets

    assert moved(uow_factory, lambda: forecast_runs.request_run(
        uow_factory(), PLANNER, forecast_runs.ForecastRequest("all", (), "naive", 4))) == {DataArea.FORECASTS}


def test_cycle_steps_move_no_area(uow_factory, admin):
    files.load_all(uow_factory, admin)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    with uow_factory() as uow:
        cycle_id = uow.plans.get(demand_id).cycle_id
    assert moved(uow_factory, lambda: workflow.record_decision(uow_factory(), COORDINATOR, cycle_id,
                                                               "Keep the plan")) == set()


def test_a_refused_or_rolled_back_write_moves_nothing(uow_factory, admin):
    files.load_all(uow_factory, admin)
    with pytest.raises(InvalidInput):
        assert moved(uow_factory, lambda: add_reason_code(uow_factory(), admin, "x", "lower case is refused"))
    before = now(uow_factory)
    with uow_factory() as uow:  # published, never committed
        uow.publish(RecordChanged(admin.username, action="update", entity="plan_version", key="1"))
    assert now(uow_factory) == before


def test_one_commit_with_many_events_bumps_each_area_once(uow_factory, admin):
    before = now(uow_factory)
    with uow_factory() as uow:
        for key in range(5):
            uow.publish(RecordChanged(admin.username, action="update", entity="demand_plan", key=str(key)))
            uow.publish(RecordChanged(admin.username, action="update", entity="kpi_target", key=str(key)))
        uow.commit()
        uow.publish(RecordChanged(admin.username, action="update", entity="demand_plan", key="again"))
        uow.commit()  # a second commit of the same unit of work is a second change
    after = now(uow_factory)
    assert after[DataArea.PLANS] == before[DataArea.PLANS] + 2
    assert after[DataArea.TARGETS] == before[DataArea.TARGETS] + 1


def test_a_restore_lifts_every_area_past_what_the_live_database_had_reached(uow_factory, admin, database_url,
                                                                            tmp_path):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (PostgreSQL client tools)")
    files.load_all(uow_factory, admin)
    backup = tmp_path / "genxsop.backup"
    backup_database(database_url, backup)
    importer.import_file(uow_factory(), admin, "demand", "more.csv", b"sku,period,ordered_qty\nA-1,2025-03-17,999\n")
    kpi_targets.seed_default_targets(uow_factory(), COORDINATOR)
    reached = now(uow_factory)

    restore_database(database_url, backup, admin.username)

    restored = now(uow_factory)
    assert all(restored[a] == reached[a] + 1 for a in AREAS), (reached, restored)
