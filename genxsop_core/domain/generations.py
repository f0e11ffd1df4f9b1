"""Areas of data and which events change them: the key of every page cache shared by sessions.

Each area has a generation counter in the database (table `data_generation`, migration 0006).
A commit that publishes an event touching an area adds one to that area's counter in the same
transaction (persistence.generations), so every replica sees the change at once. A cache keyed
on the generations of the areas it reads can never serve figures older than the last commit.
This module is the pure half: the areas, and the mapping from events to the areas they touch.
"""
from __future__ import annotations

from enum import StrEnum

from genxsop_core.domain.events import DataImported, Event, RecordChanged


class DataArea(StrEnum):
    """One kind of data that changes together. Stock on hand is its own area, not master data:
    stock counts arrive daily while the demand review never reads them, so folding them into
    master data would throw away the demand review's caches with every count."""

    MASTER_DATA = "master_data"  # products: hierarchy, prices, costs, lead times, MOQ, service level; reason codes
    ACTUALS = "actuals"  # demand history: ordered, shipped, on time in full
    STOCK = "stock"  # stock on hand counts (inventory snapshots)
    PLANS = "plans"  # demand and supply plan rows, plan versions, their status and approvals
    CAPACITY = "capacity"  # resources and routings
    FORECASTS = "forecasts"  # forecast runs, their results and model scores
    TARGETS = "targets"  # KPI targets


EVERY_AREA: frozenset[DataArea] = frozenset(DataArea)
NO_AREA: frozenset[DataArea] = frozenset()

# RecordChanged.entity -> the areas such a change touches. No page cache reads users, cycles
# (stages, sign-offs, decisions, meeting packs) or pinned scenarios (a promotion publishes its
# own plan_version events), so they touch none. A restore replaces everything.
ENTITY_AREAS: dict[str, frozenset[DataArea]] = {
    "reason_code": frozenset({DataArea.MASTER_DATA}),
    "plan_version": frozenset({DataArea.PLANS}),
    "demand_plan": frozenset({DataArea.PLANS}),
    "supply_plan": frozenset({DataArea.PLANS}),
    "forecast_run": frozenset({DataArea.FORECASTS}),
    "kpi_target": frozenset({DataArea.TARGETS}),
    "sop_cycle": NO_AREA,
    "scenario": NO_AREA,
    "user": NO_AREA,
    "setup_token": NO_AREA,
    "api_key": NO_AREA,
    "database": EVERY_AREA,
    "go_live": EVERY_AREA,  # removing the demo's data may touch every area
}

# DataImported.kind (io.formats.FORMATS) -> the areas an import of that kind touches. A supply
# import writes the working supply plan (and may open it: a plan version).
IMPORT_AREAS: dict[str, frozenset[DataArea]] = {
    "products": frozenset({DataArea.MASTER_DATA}),
    "demand": frozenset({DataArea.ACTUALS}),
    "inventory": frozenset({DataArea.STOCK}),
    "supply": frozenset({DataArea.PLANS}),
    "resources": frozenset({DataArea.CAPACITY}),
    "routings": frozenset({DataArea.CAPACITY}),
}


def areas_touched(event: Event) -> frozenset[DataArea]:
    """The areas whose figures `event` may have changed. An entity or import kind this mapping does
    not know counts as touching every area: a cache thrown away too often is slow, one kept too long
    is wrong (tests/unit/test_generation_areas.py fails on such a writer before it ships)."""
    if isinstance(event, DataImported):
        if event.inserted == 0 and event.updated == 0:
            return NO_AREA  # a file identical to what is stored changes nothing
        return IMPORT_AREAS.get(event.kind, EVERY_AREA)
    if isinstance(event, RecordChanged):
        return ENTITY_AREAS.get(event.entity, EVERY_AREA)
    return NO_AREA
