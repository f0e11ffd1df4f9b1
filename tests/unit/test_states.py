"""The named states are the strings already stored: renaming one would orphan rows without a migration."""
from __future__ import annotations

import pytest

from genxsop_core.cycle.workflow import DEFAULT_DUE_DAY, STAGE_LABELS, STAGE_OWNERS, STAGES
from genxsop_core.domain.models import ForecastRun, PlanVersion, SopAction, SopCycle, SupplyPlan
from genxsop_core.domain.states import ActionStatus, CycleStage, PlanKind, PlanStatus, RunStatus, SupplyKind
from genxsop_core.io.formats import FORMATS
from genxsop_core.plans.versions import TRANSITIONS

STORED = [
    (PlanKind, PlanVersion.kind, {"demand", "supply"}),
    (PlanStatus, PlanVersion.status, {"draft", "submitted", "approved", "superseded"}),
    (CycleStage, SopCycle.stage, {"data_gathering", "demand_review", "supply_review", "pre_sop", "executive_sop",
                                  "closed"}),
    (ActionStatus, SopAction.status, {"open", "done", "dropped"}),
    (RunStatus, ForecastRun.status, {"queued", "running", "done", "failed"}),
    (SupplyKind, SupplyPlan.kind, {"make", "buy"}),
]


@pytest.mark.parametrize(("states", "column", "stored"), STORED, ids=[s[0].__name__ for s in STORED])
def test_each_state_is_the_string_stored_and_fits_its_column(states, column, stored):
    assert {str(s) for s in states} == stored
    assert all(s == str(s) for s in states)  # compares equal to the string read back from the database
    assert max(len(s) for s in states) <= column.type.length


def test_the_cycle_tables_have_every_stage_in_order_and_an_owner_for_each_open_one():
    assert tuple(CycleStage) == STAGES and STAGES[-1] == CycleStage.CLOSED
    assert set(STAGE_LABELS) == set(CycleStage)
    assert set(STAGE_OWNERS) == set(DEFAULT_DUE_DAY) == set(CycleStage) - {CycleStage.CLOSED}


def test_status_moves_and_the_supply_file_use_the_named_states():
    reachable = {target for _, target, _ in TRANSITIONS.values()}
    starts = {s for _, _, sources in TRANSITIONS.values() for s in sources}
    assert reachable | starts == set(PlanStatus) - {PlanStatus.SUPERSEDED}  # superseded only by a promotion
    kind = next(c for c in FORMATS["supply"].columns if c.name == "kind")
    assert set(kind.choices) == set(SupplyKind) and kind.default == SupplyKind.MAKE
