"""Accepting a balanced plan into the draft supply version, on a real database: the cells it
changes (not released orders, not rounding), all or per SKU, one audited transaction, the roles
that may, and nothing written when it is refused (a role, a stale cell, a version not a draft)."""
from __future__ import annotations

import pandas as pd
import pytest

from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.exceptions import Conflict, InvalidInput, PermissionDenied
from genxsop_core.domain.permissions import PERMISSIONS, ROLES
from genxsop_core.plans.data import load_plan_data
from genxsop_core.supply import plan_balancing
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.balance import RECEIPT_COLUMNS, Balance, BalanceOptions
from tests.conftest import actor_with
from tests.integration.test_demand_plans import PLANNER, audit, cell, cycle_month_of, finished_run
from tests.integration.test_import_service import load_all, table_counts
from tests.integration.test_supply_plans import ADMIN, SUPPLY_PLANNER, edit, grid, open_cells, rows_of, small_demand

COORDINATOR = actor_with("coordinator")
ACTION = "accept_balanced_receipts"


@pytest.fixture
def version(uow_factory) -> int:
    """A draft supply version over the import tests' three SKUs (A-1 made with a released order,
    A-2 made, B-1 bought), two weeks."""
    load_all(uow_factory, ADMIN)
    return supply_plans.create_version(uow_factory(), SUPPLY_PLANNER,
                                       small_demand(uow_factory, pd.Timestamp("2025-02-01").date()))


@pytest.fixture
def demo_plan(demo) -> tuple[int, int]:
    """(demand, supply) versions of the demo: a naive Juice run's plan and its draft supply plan."""
    run_id = finished_run(demo)
    demand = demand_plans.create_version(demo(), PLANNER, run_id, cycle_month_of(demo, run_id))
    return demand, supply_plans.create_version(demo(), SUPPLY_PLANNER, demand)


def solved(rows: list[tuple]) -> Balance:
    """A balance whose receipts are `rows` (sku, period, quantity, make, planned, firm, reason): the
    solver's output as accept reads it, without solving."""
    receipts = pd.DataFrame([(sku, pd.Timestamp(period), quantity, make, planned, quantity - planned, firm, reason)
                             for sku, period, quantity, make, planned, firm, reason in rows], columns=RECEIPT_COLUMNS)
    return Balance(receipts, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {}, BalanceOptions())


def proposal(loaded: pd.DataFrame) -> tuple[pd.DataFrame, Balance]:
    """Three open cells changed, a released order and a half-unit wobble the accept must leave alone."""
    opened, firm = open_cells(loaded), loaded[loaded.firm.astype(bool)].iloc[0]
    a, b, c, wobble = opened.iloc[0], opened.iloc[2], opened.iloc[4], opened.iloc[1]
    rows = [(a.sku, a.period, a.planned_receipts + 120.0, a.kind == "make", a.planned_receipts, False,
             "capacity on FILL-1 in weeks 10-14"),
            (b.sku, b.period, b.planned_receipts + 40.0, b.kind == "make", b.planned_receipts, False, "safety stock"),
            (c.sku, c.period, 0.0, c.kind == "make", c.planned_receipts, False, "holding cost"),
            (wobble.sku, wobble.period, wobble.planned_receipts + 0.2, wobble.kind == "make",
             wobble.planned_receipts, False, "rounding"),
            (firm.sku, firm.period, firm.planned_receipts + 500.0, firm.kind == "make", firm.planned_receipts, True,
             "released order")]
    if c.planned_receipts == 0:  # a cell to empty needs receipts now
        rows[2] = (c.sku, c.period, 75.0, c.kind == "make", 0.0, False, "lead time")
    return pd.DataFrame([a, b, c]), solved(rows)


def test_accepting_all_writes_the_changed_cells_with_their_reason_in_one_audited_change(uow_factory, version):
    loaded = grid(uow_factory, version)
    changed, result = proposal(loaded)
    changes = plan_balancing.receipt_changes(result, loaded)
    assert list(zip(changes.sku, changes.period)) == sorted(zip(changed.sku, changed.period))  # no firm, no wobble
    edits = plan_balancing.edits_of(changes)

    assert supply_plans.accept_balanced_receipts(uow_factory(), COORDINATOR, version, edits) == 3

    rows = rows_of(uow_factory, version)
    for r in changes.itertuples():
        saved = cell(rows, r.sku, r.period)
        assert (saved.planned_receipts, saved.author, saved.row_version) == (r.balanced, COORDINATOR.username, 2)
        assert saved.comment == f"Balanced: {r.reason}"
    others = rows.merge(loaded, on=["sku", "period"], suffixes=("", "_loaded"))
    others = others[~others.set_index(["sku", "period"]).index.isin(changes.set_index(["sku", "period"]).index)]
    assert (others.planned_receipts == others.planned_receipts_loaded).all() and (others.row_version == 1).all()

    entries = audit(uow_factory, "supply_plan")
    assert [(e.action, e.username, e.key) for e in entries] == [(ACTION, COORDINATOR.username, str(version))]
    first = changes.iloc[0]
    key = f"{first.sku}|{first.period:%Y-%m-%d}"
    assert set(entries[0].before) == set(entries[0].after) == {f"{s}|{p:%Y-%m-%d}" for s, p in
                                                               zip(changes.sku, changes.period)}
    assert entries[0].before[key] == {"planned_receipts": first.planned_receipts, "kind": first.kind, "comment": None}
    assert entries[0].after[key] == {"planned_receipts": first.balanced, "kind": first.kind,
                                     "comment": f"Balanced: {first.reason}"}


def test_accepting_chosen_skus_writes_only_theirs(uow_factory, version):
    loaded = grid(uow_factory, version)
    _, result = proposal(loaded)
    changes = plan_balancing.receipt_changes(result, loaded)
    chosen = changes.sku.iloc[0]
    edits = plan_balancing.edits_of(changes)

    written = supply_plans.accept_balanced_receipts(uow_factory(), SUPPLY_PLANNER, version, edits, skus=[chosen])

    assert written == int((changes.sku == chosen).sum()) >= 1
    rows = rows_of(uow_factory, version)
    for r in changes.itertuples():
        saved = cell(rows, r.sku, r.period)
        assert saved.planned_receipts == (r.balanced if r.sku == chosen else r.planned_receipts)
    assert supply_plans.accept_balanced_receipts(uow_factory(), SUPPLY_PLANNER, version, edits, skus=["NO-SUCH"]) == 0
    assert [e.action for e in audit(uow_factory, "supply_plan")] == [ACTION]


@pytest.mark.parametrize("role", ROLES)
def test_only_supply_planners_coordinators_and_admins_may_accept(uow_factory, version, database_url, role):
    assert PERMISSIONS["supply_plan.balance"] == {"admin", "coordinator", "supply_planner"}
    loaded = grid(uow_factory, version)
    edits = plan_balancing.edits_of(plan_balancing.receipt_changes(proposal(loaded)[1], loaded))
    actor = actor_with(role)
    if role in PERMISSIONS["supply_plan.balance"]:
        assert supply_plans.accept_balanced_receipts(uow_factory(), actor, version, edits) == len(edits)
        assert [(e.action, e.username) for e in audit(uow_factory, "supply_plan")] == [(ACTION, actor.username)]
        return
    before = table_counts(database_url)
    with pytest.raises(PermissionDenied, match="may not supply plan: balance"):
        supply_plans.accept_balanced_receipts(uow_factory(), actor, version, edits)
    assert table_counts(database_url) == before  # no row changed, no audit record
    pd.testing.assert_frame_equal(grid(uow_factory, version), loaded)


def test_nothing_is_written_when_a_cell_changed_since_the_balance_or_the_proposal_is_invalid(uow_factory, version):
    loaded = grid(uow_factory, version)
    changed, result = proposal(loaded)
    edits = plan_balancing.edits_of(plan_balancing.receipt_changes(result, loaded))
    contested = changed.iloc[1]
    supply_plans.save_receipts(uow_factory(), SUPPLY_PLANNER, version, [edit(contested, 999.0)])  # after the balance
    before = rows_of(uow_factory, version)

    with pytest.raises(Conflict, match="nothing was saved") as caught:
        supply_plans.accept_balanced_receipts(uow_factory(), COORDINATOR, version, edits)
    assert f"{SUPPLY_PLANNER.username} saved 999" in str(caught.value)
    pd.testing.assert_frame_equal(rows_of(uow_factory, version), before)

    negative = solved([(contested.sku, contested.period, -5.0, True, 999.0, False, "bad solver")])
    bad = plan_balancing.edits_of(plan_balancing.receipt_changes(negative, grid(uow_factory, version)))
    with pytest.raises(InvalidInput, match="0 or more"):
        supply_plans.accept_balanced_receipts(uow_factory(), COORDINATOR, version, bad)
    pd.testing.assert_frame_equal(rows_of(uow_factory, version), before)
    assert [e.action for e in audit(uow_factory, "supply_plan")] == ["edit_receipts"]


def test_a_submitted_version_takes_no_balanced_receipts(uow_factory, version):
    loaded = grid(uow_factory, version)
    edits = plan_balancing.edits_of(plan_balancing.receipt_changes(proposal(loaded)[1], loaded))
    supply_plans.change_status(uow_factory(), SUPPLY_PLANNER, version, "submit")
    before = rows_of(uow_factory, version)
    with pytest.raises(Conflict):
        supply_plans.accept_balanced_receipts(uow_factory(), SUPPLY_PLANNER, version, edits)
    pd.testing.assert_frame_equal(rows_of(uow_factory, version), before)
    assert audit(uow_factory, "supply_plan") == []


def _balance_or_skip(demo, draft: int, supply: int):
    try:
        return plan_balancing.balance_version(demo, draft, supply)
    except NotImplementedError as missing:  # helper module not built yet: the only reason to skip
        pytest.skip(f"supply.balance.balance is not implemented yet ({missing})")


def test_a_solved_balance_accepted_becomes_the_plan_and_balancing_again_changes_nothing(demo, demo_plan):
    draft, supply = demo_plan
    data, balanced = _balance_or_skip(demo, draft, supply)
    assert not balanced.changes.empty, "the demo's plan is over capacity: balancing changes it"
    assert set(balanced.changes.columns) == set(plan_balancing.CHANGE_COLUMNS)
    assert balanced.changes.reason.str.len().gt(0).all()

    written = supply_plans.accept_balanced_receipts(demo(), SUPPLY_PLANNER, supply, balanced.edits)

    assert written == len(balanced.changes)
    reloaded = load_plan_data(demo(), draft, supply)
    row, col = pd.Index(data.skus), data.periods
    for r in balanced.changes.itertuples():
        assert reloaded.receipts[row.get_loc(r.sku), col.get_loc(r.period)] == pytest.approx(r.balanced)
    assert (reloaded.firm == data.firm).all()
    _, again = plan_balancing.balance_version(demo, draft, supply)
    assert again.changes.empty, again.changes.head()
    assert again.figures.balanced.to_dict() == pytest.approx(balanced.figures.balanced.to_dict(), rel=1e-4)
