"""Pinned scenarios on a real database (SQLite, and PostgreSQL where reachable): pin, list, compare,
promote to the cycle's plan, permissions, and refusals that write nothing.

The plan is the import tests' three SKUs (A-1, A-2 in family Juice, B-1 in Salty) over two weeks at
100 a week; its supply version holds A-1's released 500 (week 1, made), B-1's 200 (week 1, bought)
and a planned run of 100 A-2 in week 2 (made, not released).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import reason_codes
from genxsop_core.demand.plans import OverrideEdit
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.domain.states import PlanStatus
from genxsop_core.persistence.db import get_engine
from genxsop_core.plans import data as plan_data
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.levers import SUMMARY_LABELS, Levers, evaluate, scenario_receipts
from genxsop_core.scenarios.pinned import MAX_COMPARED, comparison, list_pinned, pin, promote
from genxsop_core.scenarios.rebalanced import evaluate_rebalanced, receipts_grid
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.plans import ReceiptEdit
from tests.conftest import actor_with
from tests.integration.test_demand_plans import PLANNER, audit
from tests.integration.test_import_service import load_all, table_counts

ADMIN = Actor("root", ("admin",))
COORDINATOR = actor_with("coordinator")
SUPPLY_PLANNER = actor_with("supply_planner")
WEEK1, WEEK2 = date(2025, 2, 3), date(2025, 2, 10)
JUICE_UP = Levers(demand_change_by_group={"family:Juice": 0.25}, price_change=0.05)


@dataclass(frozen=True)
class Plan:
    demand_id: int
    supply_id: int
    cycle_id: int


def demand_version(uow_factory, month: date, value: float = 100.0, name: str | None = None) -> int:
    forecast = pd.DataFrame([(sku, week, value) for sku in ("A-1", "A-2", "B-1") for week in (WEEK1, WEEK2)],
                            columns=["sku", "period", "statistical"])
    with uow_factory() as uow:
        version_id = demand_plans.insert_version(uow, PLANNER, forecast, month, name or f"Small {month:%Y-%m}", None)
        uow.commit()
    return version_id


@pytest.fixture
def plan(uow_factory) -> Plan:
    load_all(uow_factory, ADMIN)
    demand_id = demand_version(uow_factory, date(2025, 2, 1))
    supply_id = supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id)
    supply_plans.save_receipts(uow_factory(), SUPPLY_PLANNER, supply_id,
                               [ReceiptEdit("A-2", WEEK2, 100.0, "make", "planned run", 1, 0.0)])
    with uow_factory() as uow:
        cycle_id = uow.plans.get(demand_id).cycle_id
    return Plan(demand_id, supply_id, cycle_id)


def load(uow_factory, plan: Plan) -> plan_data.PlanData:
    return plan_data.load_plan_data(uow_factory(), plan.demand_id, plan.supply_id)


def rows(uow_factory, version_id: int, kind: str) -> pd.DataFrame:
    with uow_factory() as uow:
        return (uow.demand_plans if kind == "demand" else uow.supply_plans).frame([version_id])


def version(uow_factory, version_id: int) -> SimpleNamespace:
    """The version's columns, read while the session is open (leaving the unit of work expires them)."""
    with uow_factory() as uow:
        found = uow.plans.get(version_id)
        return SimpleNamespace(**{c.key: getattr(found, c.key) for c in sa.inspect(found).mapper.column_attrs})


def counts(database_url: str) -> dict[str, int]:
    return table_counts(database_url)


def test_pin_stores_the_levers_the_figures_and_the_note_and_is_audited(uow_factory, plan, database_url):
    data = load(uow_factory, plan)
    # the plan of the module docstring
    assert data.skus == ["A-1", "A-2", "B-1"] and data.bucket_days == 7.0
    np.testing.assert_array_equal(data.consensus, [[100, 100], [100, 100], [100, 100]])
    np.testing.assert_array_equal(data.receipts, [[500, 0], [0, 100], [200, 0]])
    np.testing.assert_array_equal(data.firm, [[True, False], [False, False], [False, False]])
    np.testing.assert_array_equal(data.make, [[True, True], [True, True], [False, False]])
    np.testing.assert_array_equal(data.on_hand, [300, 0, 80])

    scenario_id = pin(uow_factory(), PLANNER, data, "  Juice promo  ", JUICE_UP, "  go if the retailer confirms ")

    pinned = list_pinned(uow_factory(), plan.demand_id)
    assert pinned.id.tolist() == [scenario_id]
    got = pinned.iloc[0]
    assert (got["name"], got["status"], got["note"], got["created_by"], got["base_plan_version_id"]) == (
        "Juice promo", "pinned", "go if the retailer confirms", PLANNER.username, plan.demand_id)
    expected = evaluate(data, JUICE_UP).summary
    assert got["results"] == expected  # exactly what the meeting saw (JSON keeps the floats)
    assert got["levers"] == JUICE_UP.to_dict() and Levers.from_dict(got["levers"]) == JUICE_UP
    with uow_factory() as uow:
        assert uow.scenarios.get(scenario_id).cycle_id == plan.cycle_id

    entries = audit(uow_factory, "scenario")
    assert [(e.action, e.username, e.key) for e in entries] == [("pin", PLANNER.username, str(scenario_id))]
    assert entries[0].after == {"name": "Juice promo", "base_plan_version_id": plan.demand_id,
                                "levers": JUICE_UP.to_dict(), "results": expected,
                                "note": "go if the retailer confirms"}

    before = counts(database_url)
    for blank in ("", "   ", None):
        with pytest.raises(InvalidInput, match="a pinned scenario needs a name"):
            pin(uow_factory(), PLANNER, data, blank, JUICE_UP)
    with pytest.raises(InvalidInput, match="no family Toys in the plan"):
        pin(uow_factory(), PLANNER, data, "Toys", Levers(demand_change_by_group={"family:Toys": 0.1}))
    assert counts(database_url) == before


def test_list_pinned_filters_by_plan_version_and_comparison_sets_them_side_by_side(uow_factory, plan):
    data = load(uow_factory, plan)
    other_id = demand_version(uow_factory, date(2025, 3, 1), value=80.0)
    other = plan_data.load_plan_data(uow_factory(), other_id)
    base = pin(uow_factory(), PLANNER, data, "Base", Levers())
    juice = pin(uow_factory(), SUPPLY_PLANNER, data, "Juice +25%", JUICE_UP)
    elsewhere = pin(uow_factory(), PLANNER, other, "March cut", Levers(demand_change=-0.2))

    assert list_pinned(uow_factory(), plan.demand_id).id.tolist() == [juice, base]  # newest first
    assert list_pinned(uow_factory(), other_id).id.tolist() == [elsewhere]
    assert list_pinned(uow_factory()).id.tolist() == [elsewhere, juice, base]
    assert list_pinned(uow_factory(), 9999).empty

    pinned = list_pinned(uow_factory(), plan.demand_id)
    table = comparison(pinned, [base, juice])
    assert list(table.columns) == [f"Base (#{base})", f"Juice +25% (#{juice})"]
    assert table[f"Base (#{base})"].to_dict() == evaluate(data).summary
    assert table[f"Juice +25% (#{juice})"].to_dict() == evaluate(data, JUICE_UP).summary
    assert list(table.index) == list(evaluate(data).summary)
    # Juice +25% at 5% more price: more revenue than the base plan
    assert table.loc["revenue", f"Juice +25% (#{juice})"] > table.loc["revenue", f"Base (#{base})"]

    everything = list_pinned(uow_factory())
    assert comparison(everything, [base, juice, elsewhere]).shape[1] == 3
    with pytest.raises(InvalidInput, match=f"compare at most {MAX_COMPARED} scenarios at a time, not 5"):
        comparison(everything, [base, juice, elsewhere, base, juice])


def test_promoting_makes_the_scenario_the_cycles_plan(uow_factory, plan, database_url):
    data = load(uow_factory, plan)
    scenario_id = pin(uow_factory(), PLANNER, data, "Juice promo", JUICE_UP)
    old_demand, old_supply = rows(uow_factory, plan.demand_id, "demand"), rows(uow_factory, plan.supply_id, "supply")
    audit_before = len(audit(uow_factory, "plan_version"))

    new_demand_id, new_supply_id = promote(uow_factory(), COORDINATOR, data, scenario_id)

    # the demand plan: consensus x 1.25 for the Juice SKUs (reason SCENARIO), B-1 as it was
    demand = rows(uow_factory, new_demand_id, "demand")
    merged = demand.merge(old_demand, on=["sku", "period"], suffixes=("", "_old"))
    assert len(demand) == len(old_demand) == len(merged) == 6
    factor = merged.sku.map({"A-1": 1.25, "A-2": 1.25, "B-1": 1.0})
    np.testing.assert_allclose(merged.consensus, merged.consensus_old * factor)
    assert merged.consensus.tolist() == [125.0, 125.0, 125.0, 125.0, 100.0, 100.0]
    assert (merged.statistical == merged.statistical_old).all() and (merged.statistical == 100.0).all()
    juice, salty = merged[merged.sku != "B-1"], merged[merged.sku == "B-1"]
    assert (juice.reason_code == "SCENARIO").all() and (juice.override == 125.0).all()
    assert (juice.comment == f"Scenario #{scenario_id} promoted by {COORDINATOR.username}").all()
    assert (juice.author == COORDINATOR.username).all()
    assert salty.reason_code.isna().all() and salty.override.isna().all() and salty.author.isna().all()
    assert (demand.row_version == 1).all()

    # the supply plan: the receipts the scenario evaluated (A-2's planned run x 1.25, released orders kept)
    supply = rows(uow_factory, new_supply_id, "supply")
    assert len(supply) == len(old_supply) == 6
    expected = pd.DataFrame(scenario_receipts(data, JUICE_UP), index=data.skus, columns=data.periods)
    for r in supply.itertuples():
        assert r.planned_receipts == pytest.approx(expected.loc[r.sku, r.period]), (r.sku, r.period)
    got = supply.set_index(["sku", "period"])
    assert got.loc[("A-2", pd.Timestamp(WEEK2)), "planned_receipts"] == 125.0
    assert got.loc[("A-1", pd.Timestamp(WEEK1)), "planned_receipts"] == 500.0
    assert got.loc[("B-1", pd.Timestamp(WEEK1)), "planned_receipts"] == 200.0
    kept = supply.merge(old_supply, on=["sku", "period"], suffixes=("", "_old"))
    assert (kept.kind == kept.kind_old).all() and (kept.firm == kept.firm_old).all()
    assert (kept.comment.fillna("") == kept.comment_old.fillna("")).all()

    # versions: old ones superseded, new drafts naming the scenario, the cycle's plan is the new one
    old_d, old_s = version(uow_factory, plan.demand_id), version(uow_factory, plan.supply_id)
    new_d, new_s = version(uow_factory, new_demand_id), version(uow_factory, new_supply_id)
    assert old_d.status == old_s.status == PlanStatus.SUPERSEDED == "superseded"
    assert (new_d.kind, new_d.status, new_d.cycle_id, new_d.source_scenario_id, new_d.created_by) == (
        "demand", "draft", plan.cycle_id, scenario_id, COORDINATOR.username)
    assert (new_s.kind, new_s.status, new_s.cycle_id, new_s.source_scenario_id, new_s.demand_version_id) == (
        "supply", "draft", plan.cycle_id, scenario_id, new_demand_id)
    assert "Juice promo" in new_d.name and "Juice promo" in new_s.name
    with uow_factory() as uow:
        assert uow.plans.for_cycle("demand", plan.cycle_id).id == new_demand_id
        assert uow.plans.for_cycle("supply", plan.cycle_id).id == new_supply_id
        assert uow.scenarios.get(scenario_id).status == "promoted"
    assert list_pinned(uow_factory(), plan.demand_id).status.tolist() == ["promoted"]

    # audited: supersede + create per kind, then the promotion
    versions = audit(uow_factory, "plan_version")[audit_before:]
    assert [(e.action, e.key) for e in versions] == [
        ("supersede", str(plan.demand_id)), ("create", str(new_demand_id)),
        ("supersede", str(plan.supply_id)), ("create", str(new_supply_id))]
    assert all(e.username == COORDINATOR.username for e in versions)
    assert versions[0].before["status"] == "draft" and versions[0].after["status"] == PlanStatus.SUPERSEDED
    assert versions[0].after["by_scenario"] == scenario_id
    assert versions[1].after["replaces"] == plan.demand_id and versions[1].after["source_scenario_id"] == scenario_id
    assert versions[3].after["replaces"] == plan.supply_id
    promoted = [e for e in audit(uow_factory, "scenario") if e.action == "promote"]
    assert len(promoted) == 1 and promoted[0].key == str(scenario_id)
    assert promoted[0].before == {"status": "pinned"}
    assert promoted[0].after == {"status": "promoted", "demand_version_id": new_demand_id,
                                 "supply_version_id": new_supply_id}

    # the promoted plan, evaluated without levers, shows the scenario's demand-side figures (the price
    # lever is not part of the plan, so compare the units and the inventory)
    again = evaluate(plan_data.load_plan_data(uow_factory(), new_demand_id, new_supply_id)).summary
    scenario = evaluate(data, JUICE_UP).summary
    for key in ("fill_rate", "lost_units", "stockout_skus", "inventory_value_avg", "inventory_value_end",
                "utilization_avg", "utilization_peak", "overloads"):
        assert again[key] == pytest.approx(scenario[key]), key
    assert again["revenue"] == pytest.approx(scenario["revenue"] / 1.05)


def test_promoting_a_capacity_cut_keeps_the_released_orders(uow_factory, plan):
    data = load(uow_factory, plan)
    # LINE-1 80 h -> 1.6 h; week 1 holds A-1's released order of 500 (5 h)
    scenario_id = pin(uow_factory(), COORDINATOR, data, "Line down", Levers(capacity_change={"LINE-1": -0.98}))
    _, supply_id = promote(uow_factory(), COORDINATOR, data, scenario_id)
    supply = rows(uow_factory, supply_id, "supply").set_index(["sku", "period"])
    released = supply.loc[("A-1", pd.Timestamp(WEEK1))]
    assert bool(released.firm) and released.planned_receipts == 500.0


def test_an_approved_plan_refuses_the_promotion_as_a_whole(uow_factory, plan, database_url):
    data = load(uow_factory, plan)
    scenario_id = pin(uow_factory(), PLANNER, data, "Juice promo", JUICE_UP)
    supply_plans.change_status(uow_factory(), SUPPLY_PLANNER, plan.supply_id, "submit")
    supply_plans.change_status(uow_factory(), COORDINATOR, plan.supply_id, "approve")
    before = counts(database_url)

    with pytest.raises(Conflict, match=f"supply plan version {plan.supply_id} is approved"):
        promote(uow_factory(), COORDINATOR, data, scenario_id)

    assert counts(database_url) == before  # the demand version superseded a moment before is rolled back
    assert version(uow_factory, plan.demand_id).status == "draft"
    with uow_factory() as uow:
        assert uow.plans.for_cycle("demand", plan.cycle_id).id == plan.demand_id

    demand_plans.change_status(uow_factory(), PLANNER, plan.demand_id, "submit")
    demand_plans.change_status(uow_factory(), COORDINATOR, plan.demand_id, "approve")
    before, old_rows = counts(database_url), rows(uow_factory, plan.demand_id, "demand")

    with pytest.raises(Conflict, match=f"plan version {plan.demand_id} is approved"):
        promote(uow_factory(), COORDINATOR, data, scenario_id)

    assert counts(database_url) == before
    pd.testing.assert_frame_equal(rows(uow_factory, plan.demand_id, "demand"), old_rows)
    assert version(uow_factory, plan.demand_id).status == "approved"
    assert version(uow_factory, plan.supply_id).status == "approved"
    with uow_factory() as uow:
        assert uow.scenarios.get(scenario_id).status == "pinned"


def test_unknown_foreign_or_already_promoted_scenarios_are_refused_and_nothing_changes(uow_factory, plan,
                                                                                      database_url):
    data = load(uow_factory, plan)
    other_id = demand_version(uow_factory, date(2025, 3, 1))
    foreign = pin(uow_factory(), PLANNER, plan_data.load_plan_data(uow_factory(), other_id), "March", Levers())
    scenario_id = pin(uow_factory(), PLANNER, data, "Juice promo", JUICE_UP)
    second = pin(uow_factory(), PLANNER, data, "Juice less", Levers(demand_change_by_group={"family:Juice": -0.1}))
    before = counts(database_url)
    with pytest.raises(NotFound, match="no scenario 9999"):
        promote(uow_factory(), COORDINATOR, data, 9999)
    with pytest.raises(InvalidInput, match=f"scenario {foreign} was pinned on plan version {other_id}"):
        promote(uow_factory(), COORDINATOR, data, foreign)
    assert counts(database_url) == before

    new_demand_id, new_supply_id = promote(uow_factory(), COORDINATOR, data, scenario_id)
    after = counts(database_url)
    for again in (scenario_id, second):  # the base plan is superseded now: no second successor in the cycle
        with pytest.raises(Conflict):
            promote(uow_factory(), COORDINATOR, data, again)
    assert counts(database_url) == after
    with uow_factory() as uow:
        assert uow.plans.for_cycle("demand", plan.cycle_id).id == new_demand_id
        assert uow.scenarios.get(second).status == "pinned"


def test_pin_is_for_every_role_but_viewer_and_promote_for_admin_and_coordinator(uow_factory, plan, database_url):
    assert PERMISSIONS["scenario.pin"] == frozenset(ROLES) - {"viewer"}
    assert PERMISSIONS["scenario.promote"] == frozenset({"admin", "coordinator"})
    data = load(uow_factory, plan)
    for role in ROLES:
        if role == "viewer":
            before = counts(database_url)
            with pytest.raises(PermissionDenied):
                pin(uow_factory(), actor_with(role), data, "Mine", JUICE_UP)
            assert counts(database_url) == before
        else:
            pin(uow_factory(), actor_with(role), data, f"By {role}", JUICE_UP)
    pinned = list_pinned(uow_factory(), plan.demand_id)
    assert sorted(pinned.created_by) == sorted(f"{role}_user" for role in ROLES if role != "viewer")

    scenario_id = int(pinned.id.iloc[0])
    before, trail = counts(database_url), len(audit(uow_factory, "scenario"))
    for role in ("demand_planner", "supply_planner", "executive", "viewer"):
        with pytest.raises(PermissionDenied, match="may not scenario: promote"):
            promote(uow_factory(), actor_with(role), data, scenario_id)
    assert counts(database_url) == before and len(audit(uow_factory, "scenario")) == trail
    assert version(uow_factory, plan.demand_id).status == "draft"

    # the admin promotes a capacity cut: LINE-1 80 h -> 1.6 h; week 2 needs 100 x 0.02 = 2 h of A-2,
    # so 1.6 / 2 x 100 = 80 units fit
    line_down = pin(uow_factory(), actor_with("admin"), data, "Line down", Levers(capacity_change={"LINE-1": -0.98}))
    new_demand_id, supply_id = promote(uow_factory(), actor_with("admin"), data, line_down)
    assert version(uow_factory, new_demand_id).created_by == "admin_user"
    got = rows(uow_factory, supply_id, "supply").set_index(["sku", "period"]).planned_receipts
    assert got[("A-2", pd.Timestamp(WEEK2))] == pytest.approx(80.0)
    assert got[("B-1", pd.Timestamp(WEEK1))] == 200.0  # bought: no capacity
    assert (rows(uow_factory, new_demand_id, "demand").consensus == 100.0).all()  # no demand lever


def test_rows_the_scenario_does_not_move_keep_a_missing_override_missing(uow_factory, plan, database_url, request):
    """An unmoved row without an override must be copied with override NULL, also when other rows of the
    plan have one (pandas turns the mixed column's None into NaN)."""
    reason_codes.add_reason_code(uow_factory(), ADMIN, "PROMO", "Promotion")
    demand_plans.save_overrides(uow_factory(), PLANNER, plan.demand_id, [
        OverrideEdit("sku", "B-1", WEEK1, 150.0, "PROMO", "display", "1", 100.0)])
    data = load(uow_factory, plan)
    scenario_id = pin(uow_factory(), PLANNER, data, "Juice promo", JUICE_UP)  # B-1 is not moved
    new_demand_id, _ = promote(uow_factory(), COORDINATOR, data, scenario_id)

    with get_engine(database_url).connect() as connection:
        overrides = connection.execute(sa.text(
            "select p.sku, d.period, d.override is null as missing, d.reason_code from demand_plan d "
            "join product p on p.id = d.product_id where d.plan_version_id = :v and p.sku = 'B-1' order by d.period"),
            {"v": new_demand_id}).all()
    assert [(bool(missing), reason) for _, _, missing, reason in overrides] == [(False, "PROMO"), (True, None)]


def test_a_plan_without_demand_can_be_pinned_on_both_databases(uow_factory, plan, database_url, request):
    """With no demand, fill rate and margin % are NaN (0 / 0); the pinned figures must still be stored."""
    empty_id = demand_version(uow_factory, date(2025, 3, 1), value=0.0)
    data = plan_data.load_plan_data(uow_factory(), empty_id)
    summary = evaluate(data).summary
    assert math.isnan(summary["fill_rate"]) and math.isnan(summary["margin_pct"])

    scenario_id = pin(uow_factory(), PLANNER, data, "Nothing to sell", Levers())

    stored = list_pinned(uow_factory(), empty_id).set_index("id").results[scenario_id]
    assert stored["revenue"] == 0.0
    assert stored["fill_rate"] is None or math.isnan(stored["fill_rate"])


def test_pinning_with_rebalance_keeps_the_balanced_figures_and_says_so(uow_factory, plan):
    """With "Rebalance the plan" on, a pinned scenario keeps the figures of the balanced plan (those
    the page showed: scenarios.rebalanced), marked rebalanced in its results and its audit row; the
    comparison names it so. Pinned cut to capacity, the results keep the shape they always had."""
    data = load(uow_factory, plan)
    balanced = evaluate_rebalanced(data, JUICE_UP).result.summary
    cut = evaluate(data, JUICE_UP).summary
    assert any(balanced[key] != pytest.approx(cut[key]) for key in cut)  # the two rules give other figures

    rebalanced_id = pin(uow_factory(), PLANNER, data, "Juice, balanced", JUICE_UP, "with overtime", rebalance=True)
    cut_id = pin(uow_factory(), PLANNER, data, "Juice, cut", JUICE_UP)

    pinned = list_pinned(uow_factory(), plan.demand_id).set_index("id")
    stored = pinned.loc[rebalanced_id, "results"]
    assert stored == {**{key: balanced[key] for key in SUMMARY_LABELS}, pinned_scenarios.REBALANCED: True}
    assert pinned.loc[cut_id, "results"] == cut and pinned_scenarios.REBALANCED not in pinned.loc[cut_id, "results"]
    was_rebalanced = pinned_scenarios.was_rebalanced
    assert was_rebalanced(stored) and not was_rebalanced(pinned.loc[cut_id, "results"]) and not was_rebalanced(None)
    entry = next(e for e in audit(uow_factory, "scenario") if e.key == str(rebalanced_id))
    assert entry.action == "pin" and entry.after["results"] == stored

    table = comparison(pinned.reset_index(), [rebalanced_id, cut_id])
    assert list(table.columns) == [f"Juice, balanced (#{rebalanced_id}, rebalanced)", f"Juice, cut (#{cut_id})"]
    assert list(table.index) == list(SUMMARY_LABELS)  # figures only: the mark is in the column's name
    assert table.iloc[:, 0].to_dict() == {key: balanced[key] for key in SUMMARY_LABELS}
    assert table.iloc[:, 1].to_dict() == cut


def test_promoting_a_rebalanced_scenario_makes_the_balanced_receipts_the_supply_plan(uow_factory, plan):
    data = load(uow_factory, plan)
    scenario_id = pin(uow_factory(), PLANNER, data, "Juice, balanced", JUICE_UP, rebalance=True)
    old_supply = rows(uow_factory, plan.supply_id, "supply")

    _, new_supply_id = promote(uow_factory(), COORDINATOR, data, scenario_id)

    rebalanced = evaluate_rebalanced(data, JUICE_UP)
    expected = pd.DataFrame(receipts_grid(data, rebalanced.balance), index=data.skus, columns=data.periods)
    assert not np.allclose(expected.to_numpy(), scenario_receipts(data, JUICE_UP))  # not the cut-to-capacity receipts
    supply = rows(uow_factory, new_supply_id, "supply")
    assert len(supply) == len(old_supply) == 6
    for r in supply.itertuples():
        assert r.planned_receipts == pytest.approx(expected.loc[r.sku, r.period]), (r.sku, r.period)
    got = supply.set_index(["sku", "period"])
    assert got.loc[("A-1", pd.Timestamp(WEEK1)), "planned_receipts"] == 500.0  # the released order as it was
    kept = supply.merge(old_supply, on=["sku", "period"], suffixes=("", "_old"))
    assert (kept.kind == kept.kind_old).all() and (kept.firm == kept.firm_old).all()
