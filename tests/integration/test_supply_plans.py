"""Supply plan versions on a real database: copy of the working plan, receipt edits, locks, status,
permissions, and the read side (plan data, inventory policy, proposal, capacity, export)."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.models import InventorySnapshot, Product
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.inventory import formulas as inventory
from genxsop_core.inventory import policy as inventory_policy
from genxsop_core.plans import data as plan_data
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply import views as supply_views
from genxsop_core.supply.plans import ReceiptEdit
from tests.conftest import actor_with
from tests.integration.test_demand_plans import PLANNER, audit, cell, cycle_month_of, finished_run
from tests.integration.test_import_service import load_all, table_counts

SUPPLY_PLANNER = actor_with("supply_planner")
COORDINATOR = actor_with("coordinator")
ADMIN = Actor("root", ("admin",))


@pytest.fixture
def draft(demo) -> int:
    """The demand plan version (a real naive Juice run, 4 weeks) the supply plan balances."""
    run_id = finished_run(demo)
    return demand_plans.create_version(demo(), PLANNER, run_id, cycle_month_of(demo, run_id))


@pytest.fixture
def supply(demo, draft) -> int:
    return supply_plans.create_version(demo(), SUPPLY_PLANNER, draft)


def small_demand(uow_factory, month: date) -> int:
    """A two-week demand plan of the import tests' three SKUs, without a forecast run."""
    weeks = (date(2025, 2, 3), date(2025, 2, 10))
    forecast = pd.DataFrame([(sku, week, 100.0) for sku in ("A-1", "A-2", "B-1") for week in weeks],
                            columns=["sku", "period", "statistical"])
    with uow_factory() as uow:
        version_id = demand_plans.insert_version(uow, PLANNER, forecast, month, f"Small {month:%Y-%m}", None)
        uow.commit()
    return version_id


@pytest.fixture
def small(uow_factory) -> int:
    """A supply version over A-1 (made, a released order), A-2 (made) and B-1 (bought): for the tests
    where the data does not matter (seeding the demo is the slow part of a test)."""
    load_all(uow_factory, ADMIN)
    return supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, small_demand(uow_factory, date(2025, 2, 1)))


def rows_of(uow_factory, version_id: int, kind: str = "supply") -> pd.DataFrame:
    with uow_factory() as uow:
        return (uow.supply_plans if kind == "supply" else uow.demand_plans).frame([version_id])


def grid(uow_factory, version_id: int) -> pd.DataFrame:
    with uow_factory() as uow:
        skus = sorted(uow.supply_plans.skus(version_id))
    return supply_views.receipts_grid(uow_factory(), version_id, skus)


def edit(row: pd.Series, receipts: float, kind: str | None = None, comment: str = "x") -> ReceiptEdit:
    """The edit a planner makes on a grid row they loaded."""
    return ReceiptEdit(str(row["sku"]), row["period"].date(), receipts, kind or row["kind"], comment,
                       int(row["row_version"]), float(row["planned_receipts"]))


def open_cells(loaded: pd.DataFrame) -> pd.DataFrame:
    return loaded[~loaded.firm.astype(bool)].reset_index(drop=True)


def where(row: pd.Series) -> str:
    return f"{row['sku']}, {row['period']:%Y-%m-%d}"


def test_a_version_copies_the_working_plan_for_the_demand_cycle_and_is_audited(demo, draft, database_url):
    version_id = supply_plans.create_version(demo(), SUPPLY_PLANNER, draft)

    rows, demand = rows_of(demo, version_id), rows_of(demo, draft, "demand")
    assert len(rows) == len(demand) == demand.sku.nunique() * 4
    assert set(zip(rows.sku, rows.period)) == set(zip(demand.sku, demand.period))
    with demo() as uow:
        working_id = uow.plans.latest_working("supply").id
        working_rows = uow.supply_plans.frame([working_id])
        routed = set(uow.resources.routings().sku)
        version, demand_version = uow.plans.get(version_id), uow.plans.get(draft)
        assert (version.kind, version.status, version.cycle_id, version.demand_version_id, version.created_by) == (
            "supply", "draft", demand_version.cycle_id, draft, SUPPLY_PLANNER.username)
    merged = rows.merge(working_rows[["sku", "period", "planned_receipts", "kind", "firm"]],
                        on=["sku", "period"], how="left", suffixes=("", "_working"), indicator=True)
    copied, new = merged[merged._merge == "both"], merged[merged._merge == "left_only"]
    assert len(copied) >= 5 and copied.firm_working.astype(bool).any() and (~copied.firm_working.astype(bool)).any()
    assert (copied.planned_receipts == copied.planned_receipts_working).all()
    assert (copied.kind == copied.kind_working).all() and (copied.firm == copied.firm_working.astype(bool)).all()
    for _, row in copied.head(3).iterrows():  # a few cells, read back from the working plan itself
        assert cell(working_rows, row.sku, row.period).planned_receipts == row.planned_receipts > 0
    assert len(new) > 0 and (new.planned_receipts == 0).all() and not new.firm.astype(bool).any()
    assert (new.kind == np.where(new.sku.isin(routed), "make", "buy")).all()
    assert {"make", "buy"} <= set(new.kind)  # the demo's Juice family holds a bought SKU (no routing)
    assert (rows.row_version == 1).all() and rows.author.isna().all()

    created = [e for e in audit(demo, "plan_version") if e.key == str(version_id)]
    assert [(e.action, e.username) for e in created] == [("create", SUPPLY_PLANNER.username)]
    after = created[0].after
    assert (after["demand_version_id"], after["status"], after["copied_from"]) == (draft, "draft", working_id)
    assert (after["skus"], after["periods"]) == (rows.sku.nunique(), 4)
    assert after["receipts"] == pytest.approx(rows.planned_receipts.sum())

    before = table_counts(database_url)
    with pytest.raises(Conflict, match=f"already has supply plan version {version_id}"):
        supply_plans.create_version(demo(), SUPPLY_PLANNER, draft)
    with pytest.raises(NotFound, match="demand plan version 9999 does not exist"):
        supply_plans.create_version(demo(), SUPPLY_PLANNER, 9999)
    with pytest.raises(NotFound, match=f"demand plan version {version_id} does not exist"):
        supply_plans.create_version(demo(), SUPPLY_PLANNER, version_id)  # a supply version is no demand plan
    assert table_counts(database_url) == before


def test_two_planners_creating_the_cycle_version_at_once_get_one_version_and_a_conflict(uow_factory, monkeypatch):
    load_all(uow_factory, ADMIN)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    refuse, raced = supply_plans.refuse_second_version, []

    def another_planner_creates_first(*args):
        refuse(*args)
        if not raced:
            raced.append(True)
            supply_plans.create_version(uow_factory(), Actor("sam2", ("supply_planner",)), demand_id)

    monkeypatch.setattr(supply_plans, "refuse_second_version", another_planner_creates_first)
    with pytest.raises(Conflict, match="one supply plan per cycle"):
        supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id)
    with uow_factory() as uow:
        assert uow.plans.listing("supply").cycle.notna().sum() == 1


def test_saved_receipts_change_the_cells_and_write_one_audit_record(uow_factory, small):
    demo, supply = uow_factory, small
    loaded = grid(demo, supply)
    first, second = open_cells(loaded).iloc[1], open_cells(loaded).iloc[3]
    other_kind = "make" if second.kind == "buy" else "buy"
    edited = loaded.copy()
    at = lambda row: (edited.sku == row.sku) & (edited.period == row.period)
    edited.loc[at(first), ["planned_receipts", "comment"]] = [1234.0, " rush "]
    edited.loc[at(second), ["planned_receipts", "kind"]] = [0.0 if second.planned_receipts else 75.0, other_kind]
    edits = supply_views.grid_edits(loaded, edited)
    assert [(e.sku, e.period) for e in edits] == [(r.sku, r.period.date()) for r in (first, second)]

    assert supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, edits) == 2

    rows = rows_of(demo, supply)
    one, two = cell(rows, first.sku, first.period), cell(rows, second.sku, second.period)
    assert (one.planned_receipts, one.kind, one.comment, one.author, one.row_version) == (
        1234.0, first.kind, "rush", SUPPLY_PLANNER.username, 2)
    assert (two.planned_receipts, two.kind, two.comment, two.author, two.row_version) == (
        edits[1].planned_receipts, other_kind, None, SUPPLY_PLANNER.username, 2)
    untouched = rows.merge(loaded, on=["sku", "period"], suffixes=("", "_loaded"))
    untouched = untouched[~(at(first) | at(second)).to_numpy()]
    assert (untouched.planned_receipts == untouched.planned_receipts_loaded).all()
    assert (untouched.row_version == 1).all() and untouched.author.isna().all()

    entries = audit(demo, "supply_plan")
    assert [(e.action, e.username, e.key) for e in entries] == [("edit_receipts", SUPPLY_PLANNER.username,
                                                                   str(supply))]
    keys = {f"{r.sku}|{r.period:%Y-%m-%d}": r for r in (first, second)}
    assert set(entries[0].before) == set(entries[0].after) == set(keys)
    k1, k2 = list(keys)
    assert entries[0].before[k1] == {"planned_receipts": first.planned_receipts, "kind": first.kind, "comment": None}
    assert entries[0].after[k1] == {"planned_receipts": 1234.0, "kind": first.kind, "comment": "rush"}
    assert entries[0].before[k2] == {"planned_receipts": second.planned_receipts, "kind": second.kind, "comment": None}
    assert entries[0].after[k2] == {"planned_receipts": edits[1].planned_receipts, "kind": other_kind, "comment": None}


def test_invalid_or_firm_edits_are_refused_whole_and_nothing_changes(uow_factory, small):
    demo, supply = uow_factory, small
    loaded = grid(demo, supply)
    good, bad = open_cells(loaded).iloc[0], open_cells(loaded).iloc[3]
    firm = loaded[loaded.firm.astype(bool)].iloc[0]
    before = rows_of(demo, supply)
    cases = [(edit(bad, -5.0), "planned receipts must be a number of units, 0 or more (got -5.0)"),
             (edit(bad, float("nan")), "planned receipts must be a number of units, 0 or more (got nan)"),
             (edit(bad, 10.0, kind="lease"), "kind must be make or buy (got 'lease')")]
    for invalid, problem in cases:
        with pytest.raises(InvalidInput) as caught:
            supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(good, 77.0), invalid])
        assert str(caught.value) == f"{where(bad)}: {problem}"
        pd.testing.assert_frame_equal(rows_of(demo, supply), before)

    with pytest.raises(InvalidInput) as caught:  # every problem of a batch at once
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(good, -1.0, kind="lease"), edit(bad, 3.0)])
    assert str(caught.value) == (f"{where(good)}: planned receipts must be a number of units, 0 or more (got -1.0); "
                                 f"{where(good)}: kind must be make or buy (got 'lease')")

    with pytest.raises(InvalidInput, match="released orders") as caught:
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(good, 77.0),
                                                                    edit(firm, firm.planned_receipts + 100)])
    assert f"{firm.sku} {firm.period:%Y-%m-%d}: released" in str(caught.value)
    assert f"{good.sku} {good.period:%Y-%m-%d}" not in str(caught.value)
    with pytest.raises(InvalidInput, match="released orders"):  # changing only make/buy of a released order too
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [
            edit(firm, firm.planned_receipts, kind="buy" if firm.kind == "make" else "make")])
    with pytest.raises(NotFound, match="no supply plan cell"):
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [
            edit(good, 77.0), replace(edit(good, 5.0), period=date(2031, 1, 6))])
    pd.testing.assert_frame_equal(rows_of(demo, supply), before)
    assert audit(demo, "supply_plan") == []


def test_a_stale_grid_is_refused_naming_both_values_and_the_first_save_stays(uow_factory, small, monkeypatch):
    demo, supply = uow_factory, small
    first_planner, second_planner = SUPPLY_PLANNER, Actor("sam2", ("supply_planner",))
    first_grid, second_grid = grid(demo, supply), grid(demo, supply)
    contested, untouched = open_cells(second_grid).iloc[1], open_cells(second_grid).iloc[4]
    first_edit = edit(open_cells(first_grid).iloc[1], 300.0)
    assert supply_plans.save_receipts(demo(), first_planner, supply, [first_edit]) == 1
    before = rows_of(demo, supply)

    with pytest.raises(Conflict) as caught:
        supply_plans.save_receipts(demo(), second_planner, supply, [edit(contested, 450.0), edit(untouched, 40.0)])

    message = str(caught.value)
    assert "nothing was saved" in message and where(contested) in message
    assert f"you loaded {contested.planned_receipts:,.0f} and entered 450" in message
    assert f"{first_planner.username} saved 300" in message
    assert where(untouched) not in message  # only the stale cell is named
    pd.testing.assert_frame_equal(rows_of(demo, supply), before)
    saved = cell(before, contested.sku, contested.period)
    assert (saved.planned_receipts, saved.author, saved.row_version) == (300.0, first_planner.username, 2)
    assert [e.username for e in audit(demo, "supply_plan")] == [first_planner.username]

    fresh = grid(demo, supply).set_index(["sku", "period"]).loc[(contested.sku, contested.period)]
    retry = replace(edit(contested, 450.0), seen_row_version=int(fresh.row_version), seen_receipts=300.0)
    assert supply_plans.save_receipts(demo(), second_planner, supply, [retry]) == 1
    assert cell(rows_of(demo, supply), contested.sku, contested.period).author == second_planner.username

    # both saves pass the row version check at once: the version column at write time stops the second
    row = open_cells(grid(demo, supply)).iloc[0]
    check_versions, raced = supply_plans._check_versions, []

    def another_planner_saves_first(*args):
        check_versions(*args)
        if not raced:
            raced.append(True)
            supply_plans.save_receipts(demo(), second_planner, supply, [edit(row, 200.0)])

    monkeypatch.setattr(supply_plans, "_check_versions", another_planner_saves_first)
    with pytest.raises(Conflict, match="another planner saved some of these cells while you were saving"):
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(row, 300.0)])
    saved = cell(rows_of(demo, supply), row.sku, row.period)
    assert (saved.planned_receipts, saved.author, saved.row_version) == (200.0, "sam2", row.row_version + 1)
    assert [e.username for e in audit(demo, "supply_plan")] == [first_planner.username, "sam2", "sam2"]


def test_clearing_a_comment_in_the_grid_clears_it(uow_factory, small):
    demo, supply = uow_factory, small
    row = open_cells(grid(demo, supply)).iloc[0]
    supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(row, 50.0, comment="rush order")])
    loaded = grid(demo, supply)
    edited = loaded.assign(comment=loaded.comment.where(loaded.comment != "rush order", ""))
    edits = supply_views.grid_edits(loaded, edited)
    assert len(edits) == 1 and edits[0].comment == ""
    assert supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, edits) == 1
    assert cell(rows_of(demo, supply), row.sku, row.period).comment is None
    assert audit(demo, "supply_plan")[-1].after[f"{row.sku}|{row.period:%Y-%m-%d}"]["comment"] is None


def test_status_moves_and_an_approved_version_is_read_only(uow_factory, small):
    demo, supply = uow_factory, small
    with demo() as uow:
        draft = uow.plans.get(supply).demand_version_id
    row = open_cells(grid(demo, supply)).iloc[0]
    with pytest.raises(Conflict, match="'approve' applies only to a submitted version"):
        supply_plans.change_status(demo(), COORDINATOR, supply, "approve")  # a draft cannot be approved
    with pytest.raises(Conflict, match="'send back' applies only to a submitted version"):
        supply_plans.change_status(demo(), SUPPLY_PLANNER, supply, "send_back")
    assert supply_plans.change_status(demo(), SUPPLY_PLANNER, supply, "submit") == "submitted"
    with pytest.raises(Conflict, match="is submitted and read-only"):
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(row, 10.0)])
    assert supply_plans.change_status(demo(), SUPPLY_PLANNER, supply, "send_back", note="recheck") == "draft"
    assert supply_plans.change_status(demo(), SUPPLY_PLANNER, supply, "submit") == "submitted"
    with pytest.raises(PermissionDenied, match="may not supply plan: approve"):
        supply_plans.change_status(demo(), SUPPLY_PLANNER, supply, "approve")
    with pytest.raises(NotFound, match=f"supply plan version {draft} does not exist"):
        supply_plans.change_status(demo(), COORDINATOR, draft, "approve")  # the demand version is not a supply one

    assert supply_plans.change_status(demo(), COORDINATOR, supply, "approve", note="ok") == "approved"

    with demo() as uow:
        version = uow.plans.get(supply)
        assert (version.status, version.approved_by, version.approved_at is not None) == (
            "approved", COORDINATOR.username, True)
    with pytest.raises(Conflict, match="is approved and read-only"):
        supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, [edit(row, 10.0)])
    with pytest.raises(Conflict, match="'approve' applies only to a submitted version"):
        supply_plans.change_status(demo(), COORDINATOR, supply, "approve")
    assert (rows_of(demo, supply).row_version == 1).all()
    changes = [e for e in audit(demo, "plan_version") if e.key == str(supply) and e.action != "create"]
    assert [(e.action, e.username, e.before["status"], e.after["status"]) for e in changes] == [
        ("submit", SUPPLY_PLANNER.username, "draft", "submitted"),
        ("send_back", SUPPLY_PLANNER.username, "submitted", "draft"),
        ("submit", SUPPLY_PLANNER.username, "draft", "submitted"),
        ("approve", COORDINATOR.username, "submitted", "approved")]
    assert changes[1].after["note"] == "recheck" and changes[3].after["approved_by"] == COORDINATOR.username
    listed = supply_views.list_versions(demo()).set_index("id").loc[supply]
    assert (listed.status, listed.demand_version_id) == ("approved", draft)


def test_every_write_is_allowed_exactly_for_the_roles_that_hold_its_permission(uow_factory, database_url):
    demo = uow_factory
    load_all(demo, ADMIN)

    def refused(call, *args) -> None:
        before = table_counts(database_url)
        with pytest.raises(PermissionDenied):
            call(*args)
        assert table_counts(database_url) == before  # no row, no audit record

    editors, approvers = PERMISSIONS["supply_plan.edit"], PERMISSIONS["supply_plan.approve"]
    assert editors == {"admin", "supply_planner"} and approvers == {"admin", "coordinator", "executive"}
    for i, role in enumerate(ROLES):  # one demand plan (its own cycle) per role
        actor = actor_with(role)
        demand_id = small_demand(demo, date(2031, 1 + i, 1))
        if role in editors:
            version_id = supply_plans.create_version(demo(), actor, demand_id)
        else:
            refused(supply_plans.create_version, demo(), actor, demand_id)
            version_id = supply_plans.create_version(demo(), SUPPLY_PLANNER, demand_id)
        row = open_cells(grid(demo, version_id)).iloc[i % 5]
        if role in editors:
            assert supply_plans.save_receipts(demo(), actor, version_id, [edit(row, 10.0 + i)]) == 1
            assert cell(rows_of(demo, version_id), row.sku, row.period).author == actor.username
        else:
            refused(supply_plans.save_receipts, demo(), actor, version_id, [edit(row, 10.0 + i)])
        for change, allowed, target in (("submit", editors, "submitted"), ("send_back", editors, "draft"),
                                        ("submit", editors, "submitted"), ("approve", approvers, "approved")):
            if role in allowed:
                assert supply_plans.change_status(demo(), actor, version_id, change) == target
            else:
                refused(supply_plans.change_status, demo(), actor, version_id, change)
                supply_plans.change_status(demo(), ADMIN, version_id, change)
            with demo() as uow:
                assert uow.plans.get(version_id).status == target
        moves = [(e.action, e.username) for e in audit(demo, "plan_version")
                 if e.key == str(version_id) and e.action != "create"]
        assert moves == [(change, actor.username if role in allowed else ADMIN.username) for change, allowed in
                         (("submit", editors), ("send_back", editors), ("submit", editors), ("approve", approvers))]


def test_plan_data_policy_and_capacity_of_a_supply_version(demo, draft, supply):
    data = plan_data.load_plan_data(demo(), draft, supply)
    rows = rows_of(demo, supply)
    n, periods = rows.sku.nunique(), 4
    assert data.skus == sorted(rows.sku.unique()) and len(data.periods) == periods
    assert {a.shape for a in (data.consensus, data.statistical, data.receipts, data.make, data.firm)} == {(n, periods)}
    assert data.quantiles.shape == (n, periods, 9) and np.isfinite(data.quantiles).all()
    assert data.on_hand.shape == data.error_std.shape == (n,) and data.bucket_days == 7.0
    wide = lambda column: rows.pivot(index="sku", columns="period", values=column).to_numpy()
    assert (data.receipts == wide("planned_receipts")).all()
    assert (data.firm == wide("firm").astype(bool)).all() and (data.make == (wide("kind") == "make")).all()
    demand = rows_of(demo, draft, "demand")
    assert (data.consensus == demand.pivot(index="sku", columns="period", values="consensus").to_numpy()).all()
    with demo() as uow:
        snapshots = pd.DataFrame(uow.session.execute(
            select(Product.sku, InventorySnapshot.snapshot_date, InventorySnapshot.on_hand)
            .join(Product, Product.id == InventorySnapshot.product_id).where(Product.sku.in_(data.skus))).all())
    assert pd.Timestamp(snapshots.snapshot_date.max()) <= data.periods[0]
    latest = snapshots.sort_values("snapshot_date").groupby("sku").on_hand.last().reindex(data.skus).fillna(0.0)
    assert data.on_hand.tolist() == latest.tolist() and data.on_hand.sum() > 0

    policy = inventory_policy.policy_table(data)
    assert policy.sku.tolist() == data.skus
    for column in ("ss_demand", "ss_lead_time", "ss_quantile", "safety_stock"):
        assert policy[column].notna().all() and (policy[column] >= 0).all(), column
    assert (policy.ss_lead_time >= policy.ss_demand - 1e-9).all() and (policy.safety_stock > 0).any()
    assert policy.reorder_point.to_numpy() == pytest.approx(
        (policy.demand_per_period * policy.lead_time_periods + policy.safety_stock).to_numpy())
    assert policy.lead_time_periods.to_numpy() == pytest.approx(data.column("lead_time_days") / 7.0)

    check = supply_views.capacity_check(data)
    assert len(check) == len(data.resources) * periods and not check.duplicated(["resource", "period"]).any()
    assert set(check.resource) == set(data.resources.resource)
    assert check.utilization.to_numpy() == pytest.approx((check.load_hours / check.capacity_hours).to_numpy())
    with demo() as uow:
        routings = uow.resources.routings()
    made = rows[rows.kind == "make"].merge(routings, on="sku")
    expected = made.assign(h=made.planned_receipts * made.hours_per_unit).groupby(["resource", "period"]).h.sum()
    got = check.set_index(["resource", "period"]).load_hours
    assert got.to_numpy() == pytest.approx(expected.reindex(got.index).fillna(0.0).to_numpy())
    assert got.sum() > 0 and check.overload_probability.between(0, 1).all()


def test_proposed_receipts_once_saved_keep_stock_at_safety_stock_and_export(demo, draft, supply):
    data = plan_data.load_plan_data(demo(), draft, supply)
    policy = inventory_policy.policy_table(data)
    safety = policy.safety_stock.to_numpy()[:, None]
    earliest = supply_views.earliest_new_receipt(data)
    reachable = np.arange(len(data.periods))[None, :] >= earliest[:, None]
    balances = inventory.project_inventory(data.on_hand, data.receipts, data.consensus)
    assert (reachable & (balances < safety - 1e-6)).any()  # the plan as copied needs receipts somewhere

    proposal = supply_views.propose(data, policy, grid(demo, supply))

    assert len(proposal.edits) == len(proposal.receipts) > 0
    moq = proposal.receipts.sku.map(data.products.set_index("sku").moq)
    assert (proposal.receipts.added > 0).all() and np.allclose(proposal.receipts.added % moq, 0)
    assert supply_plans.save_receipts(demo(), SUPPLY_PLANNER, supply, proposal.edits) == len(proposal.edits)
    saved_data = plan_data.load_plan_data(demo(), draft, supply)
    after = inventory.project_inventory(saved_data.on_hand, saved_data.receipts, saved_data.consensus)
    saved_safety = inventory_policy.policy_table(saved_data).safety_stock.to_numpy()
    assert saved_safety == pytest.approx(safety[:, 0])
    assert not (reachable & (after < safety - 1e-6)).any()
    added = saved_data.receipts - data.receipts
    assert (added >= 0).all() and not (added[~reachable] > 0).any() and not added[data.firm].any()
    assert np.allclose(added % data.column("moq")[:, None], 0)

    rows = rows_of(demo, supply)
    content, filename = supply_views.plan_export(demo(), supply, "csv")
    assert filename == f"supply_plan_{supply}.csv"
    exported = pd.read_csv(io.BytesIO(content), parse_dates=["period"])
    assert list(exported.columns) == ["version", "sku", "name", "category", "family", "period", "planned_receipts",
                                      "kind", "firm", "comment", "author", "updated_at"]
    pd.testing.assert_frame_equal(exported[["sku", "period", "planned_receipts", "kind"]],
                                  rows[["sku", "period", "planned_receipts", "kind"]], check_dtype=False)
    assert exported.firm.astype(bool).tolist() == rows.firm.astype(bool).tolist()
    changed = exported[exported.comment.notna()]
    assert len(changed) == len(proposal.edits) and set(changed.author) == {SUPPLY_PLANNER.username}
    assert set(changed.comment) == {supply_views.PROPOSAL_COMMENT}
    sheet, xlsx_name = supply_views.plan_export(demo(), supply, "xlsx")
    assert xlsx_name == f"supply_plan_{supply}.xlsx"
    workbook = pd.read_excel(io.BytesIO(sheet))
    assert workbook.planned_receipts.tolist() == rows.planned_receipts.tolist()
    assert workbook.sku.tolist() == rows.sku.tolist() and workbook.comment.notna().sum() == len(proposal.edits)
    with pytest.raises(NotFound):
        supply_views.plan_export(demo(), draft, "csv")
