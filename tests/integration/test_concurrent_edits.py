"""Planners editing at the same moment, on SQLite and PostgreSQL: each thread has its own unit of work,
as each Streamlit session has, and a barrier releases them together.

Every attempt is tallied as landed, conflict or error:<exception>; no attempt may end in an error
(a "database is locked" or a raw IntegrityError is a bug: the planner gets a Conflict or their save
lands). "Lined up" runs wrap the function a service reads and checks with, so that every thread has
read and passed its checks before any of them writes: the interleaving a lost update needs, made
certain instead of likely.

The plan is the import tests' three SKUs (A-1, A-2 in family Juice, B-1) over four February 2025
weeks at 100 a week (cycle "S&OP 2025-02"), and its supply version (A-1's week 1 is a released order).
"""
from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest

from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import reason_codes
from genxsop_core.demand.plans import OverrideEdit
from genxsop_core.domain.exceptions import Conflict
from genxsop_core.domain.permissions import Actor
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.persistence.repositories import PlanVersionRepository
from genxsop_core.plans import data as plan_data
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.levers import Levers
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.plans import ReceiptEdit
from tests.integration.test_demand_plans import PLANNER, audit
from tests.integration.test_import_service import load_all
from tests.integration.test_supply_plans import ADMIN, COORDINATOR, SUPPLY_PLANNER

WEEKS = [date(2025, 2, 3), date(2025, 2, 10), date(2025, 2, 17), date(2025, 2, 24)]
SKUS = ("A-1", "A-2", "B-1")
CELLS = [(sku, week) for sku in SKUS for week in WEEKS]
WAIT = 30  # seconds a barrier waits for the others before the race counts as broken
REFUSED = re.compile("nothing (was saved|of yours was written)")


def people(role: str, n: int) -> list[Actor]:
    return [Actor(f"{role}_{i}", (role,)) for i in range(n)]


@dataclass
class Attempt:
    outcome: str = "not finished"  # landed | conflict | error:<exception>
    message: str = ""
    result: object = None


def race(*saves: Callable[[], object]) -> list[Attempt]:
    """Run each save in its own thread, released together; the attempts in the order of `saves`.
    Build the saves' arguments before (pandas is not safe to index from several threads at once)."""
    start = threading.Barrier(len(saves), timeout=WAIT)
    attempts = [Attempt() for _ in saves]

    def attempt(save: Callable[[], object], tally: Attempt) -> None:
        try:
            start.wait()
            tally.result = save()
            tally.outcome = "landed"
        except Conflict as conflict:
            tally.outcome, tally.message = "conflict", str(conflict)
        except Exception as error:  # noqa: BLE001 - the tally names it and the test fails on it
            tally.outcome, tally.message = f"error:{error!r}", traceback.format_exc()

    threads = [threading.Thread(target=attempt, args=(save, tally)) for save, tally in zip(saves, attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * WAIT)
    errors = [a.message for a in attempts if not a.outcome.startswith(("landed", "conflict"))]
    assert not errors, "\n".join(errors)
    return attempts


def line_up_after(monkeypatch, owner: object, name: str, parties: int) -> None:
    """The first `parties` threads to call `owner.name` wait once, when it returns, until all have got there
    (a thread calling it again, and the test's own reads afterwards, pass straight through)."""
    original, barrier = getattr(owner, name), threading.Barrier(parties, timeout=WAIT)
    waited, lock = set(), threading.Lock()

    def then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        with lock:
            first = threading.get_ident() not in waited and len(waited) < parties
            waited.add(threading.get_ident())
        if first:
            barrier.wait()
        return result

    monkeypatch.setattr(owner, name, then_wait)


def outcomes(attempts: list[Attempt]) -> list[str]:
    return sorted(a.outcome for a in attempts)


@dataclass(frozen=True)
class Plan:
    demand: int
    supply: int
    cycle: int


@pytest.fixture
def plan(uow_factory) -> Plan:
    load_all(uow_factory, ADMIN)
    reason_codes.add_reason_code(uow_factory(), ADMIN, "PROMO", "Promotion")
    forecast = pd.DataFrame([(sku, week, 100.0) for sku, week in CELLS], columns=["sku", "period", "statistical"])
    with uow_factory() as uow:
        demand_id = demand_plans.insert_version(uow, PLANNER, forecast, date(2025, 2, 1), "February", None)
        uow.commit()
    supply_id = supply_plans.create_version(uow_factory(), SUPPLY_PLANNER, demand_id)
    with uow_factory() as uow:
        return Plan(demand_id, supply_id, uow.plans.get(demand_id).cycle_id)


def rows(uow_factory, version_id: int, kind: str) -> pd.DataFrame:
    with uow_factory() as uow:
        frame = (uow.demand_plans if kind == "demand" else uow.supply_plans).frame([version_id])
    return frame.assign(period=frame.period.dt.date).set_index(["sku", "period"])


def override(sku: str, week: date, value: float, comment: str = "x") -> OverrideEdit:
    """A SKU override on a grid loaded before anyone saved (row version 1, consensus 100)."""
    return OverrideEdit("sku", sku, week, value, "PROMO", comment, "1", 100.0)


# --- the demand plan -----------------------------------------------------------------------------

def test_planners_saving_different_cells_at_once_all_land_and_each_save_is_audited(uow_factory, plan, monkeypatch):
    f, team = uow_factory, people("demand_planner", 10)
    line_up_after(monkeypatch, demand_plans, "_check_tokens", len(team))
    mine = {p.username: (*CELLS[i], 101.0 + i) for i, p in enumerate(team)}
    edits = {username: [override(*cell)] for username, cell in mine.items()}

    attempts = race(*[lambda p=p: demand_plans.save_overrides(f(), p, plan.demand, edits[p.username]) for p in team])

    assert outcomes(attempts) == ["landed"] * len(team)
    saved = rows(f, plan.demand, "demand")
    for username, (sku, week, value) in mine.items():
        assert (saved.consensus[sku, week], saved.author[sku, week], saved.row_version[sku, week]) == (
            value, username, 2)
    untouched = saved.drop(index=[(sku, week) for sku, week, _ in mine.values()])
    assert (untouched.consensus == 100.0).all() and (untouched.row_version == 1).all()
    trail = {e.username: e.after for e in audit(f, "demand_plan")}
    assert trail == {u: {f"{sku}|{week:%Y-%m-%d}": {"override": v, "consensus": v, "reason_code": "PROMO",
                                                    "comment": "x", "via": f"sku {sku}"}}
                     for u, (sku, week, v) in mine.items()}


@pytest.mark.parametrize(("planners", "lined_up"), [(10, False), (2, True)])
def test_planners_saving_the_same_cell_at_once_one_lands_and_the_others_are_told_both_values(
        uow_factory, plan, monkeypatch, planners, lined_up):
    f, team = uow_factory, people("demand_planner", planners)
    if lined_up:
        line_up_after(monkeypatch, demand_plans, "_check_tokens", planners)
    value = {p.username: 110.0 + 10 * i for i, p in enumerate(team)}
    edits = {username: [override("A-1", WEEKS[0], v)] for username, v in value.items()}

    attempts = race(*[lambda p=p: demand_plans.save_overrides(f(), p, plan.demand, edits[p.username]) for p in team])

    assert outcomes(attempts) == ["conflict"] * (planners - 1) + ["landed"]
    winner = next(p.username for p, a in zip(team, attempts) if a.outcome == "landed")
    saved = rows(f, plan.demand, "demand")
    assert (saved.consensus["A-1", WEEKS[0]], saved.author["A-1", WEEKS[0]]) == (value[winner], winner)
    assert saved.row_version["A-1", WEEKS[0]] == 2 and (saved.drop(index=[("A-1", WEEKS[0])]).row_version == 1).all()
    for p, a in zip(team, attempts):
        if a.outcome == "conflict":
            assert REFUSED.search(a.message), a.message
            assert f"sku A-1, 2025-02-03: you loaded 100 and entered {value[p.username]:,.0f}" in a.message
            assert f"but {winner} saved {value[winner]:,.0f}" in a.message
    assert [(e.username, e.after["A-1|2025-02-03"]["consensus"]) for e in audit(f, "demand_plan")] == [
        (winner, value[winner])]


def test_saves_of_the_same_cells_in_different_orders_and_levels_never_deadlock(uow_factory, plan, monkeypatch):
    """Each save holds A-1, A-2 and B-1 of week 1 (one as the Juice family): exactly one lands, whole."""
    f, team = uow_factory, people("demand_planner", 4)
    line_up_after(monkeypatch, demand_plans, "_check_tokens", len(team))
    saves = {team[0].username: [override("B-1", WEEKS[0], 50.0),
                                OverrideEdit("family", "Juice", WEEKS[0], 300.0, "PROMO", "x", "1.1", 200.0)]}
    for i, p in enumerate(team[1:], start=1):
        cells = [override(sku, WEEKS[0], 100.0 + 10 * i) for sku in SKUS]
        saves[p.username] = cells[i % 3:] + cells[:i % 3]

    attempts = race(*[lambda p=p: demand_plans.save_overrides(f(), p, plan.demand, saves[p.username]) for p in team])

    assert outcomes(attempts) == ["conflict"] * 3 + ["landed"]
    winner = next(p.username for p, a in zip(team, attempts) if a.outcome == "landed")
    week1 = rows(f, plan.demand, "demand").xs(WEEKS[0], level="period")
    expected = {"A-1": 150.0, "A-2": 150.0, "B-1": 50.0} if winner == team[0].username else {
        e.key: e.value for e in saves[winner]}
    assert week1.consensus.to_dict() == expected and set(week1.author) == {winner}
    assert [e.username for e in audit(f, "demand_plan")] == [winner]


# --- the supply plan ----------------------------------------------------------------------------

def receipt(cells: pd.DataFrame, sku: str, week: date, value: float) -> ReceiptEdit:
    """A receipt edit on a grid loaded before anyone saved."""
    row = cells.loc[(sku, week)]
    return ReceiptEdit(sku, week, value, row["kind"], "x", int(row["row_version"]), float(row["planned_receipts"]))


def test_supply_planners_saving_different_receipts_at_once_all_land_and_are_audited(uow_factory, plan, monkeypatch):
    f, team = uow_factory, people("supply_planner", 10)
    line_up_after(monkeypatch, supply_plans, "_check_versions", len(team))
    loaded = rows(f, plan.supply, "supply")
    editable = [cell for cell in CELLS if not loaded.firm[cell]]
    mine = {p.username: (*editable[i], 10.0 * (i + 1)) for i, p in enumerate(team)}
    edits = {username: [receipt(loaded, *cell)] for username, cell in mine.items()}

    attempts = race(*[lambda p=p: supply_plans.save_receipts(f(), p, plan.supply, edits[p.username]) for p in team])

    assert outcomes(attempts) == ["landed"] * len(team)
    saved = rows(f, plan.supply, "supply")
    for username, (sku, week, value) in mine.items():
        assert (saved.planned_receipts[sku, week], saved.author[sku, week], saved.row_version[sku, week]) == (
            value, username, 2)
    edited = [(sku, week) for sku, week, _ in mine.values()]
    pd.testing.assert_frame_equal(saved.drop(index=edited), loaded.drop(index=edited))
    trail = {e.username: e.after for e in audit(f, "supply_plan")}
    assert trail == {u: {f"{sku}|{week:%Y-%m-%d}": {"planned_receipts": v, "kind": loaded.kind[sku, week],
                                                    "comment": "x"}} for u, (sku, week, v) in mine.items()}


def test_supply_planners_saving_the_same_receipt_at_once_one_lands_and_the_others_are_told_both_values(
        uow_factory, plan, monkeypatch):
    f, team = uow_factory, people("supply_planner", 8)
    line_up_after(monkeypatch, supply_plans, "_check_versions", len(team))
    loaded = rows(f, plan.supply, "supply")
    value = {p.username: 100.0 * (i + 1) for i, p in enumerate(team)}
    edits = {username: [receipt(loaded, "A-2", WEEKS[1], v)] for username, v in value.items()}

    attempts = race(*[lambda p=p: supply_plans.save_receipts(f(), p, plan.supply, edits[p.username]) for p in team])

    assert outcomes(attempts) == ["conflict"] * (len(team) - 1) + ["landed"]
    winner = next(p.username for p, a in zip(team, attempts) if a.outcome == "landed")
    saved = rows(f, plan.supply, "supply")
    assert (saved.planned_receipts["A-2", WEEKS[1]], saved.author["A-2", WEEKS[1]]) == (value[winner], winner)
    for p, a in zip(team, attempts):
        if a.outcome == "conflict":
            assert REFUSED.search(a.message), a.message
            assert f"A-2, 2025-02-10: you loaded 0 and entered {value[p.username]:,.0f}" in a.message
            assert f"but {winner} saved {value[winner]:,.0f}" in a.message
    assert [(e.username, e.after["A-2|2025-02-10"]["planned_receipts"]) for e in audit(f, "supply_plan")] == [
        (winner, value[winner])]


# --- plan versions of a cycle ------------------------------------------------------------------------

def versions_of_cycle(uow_factory, kind: str) -> pd.DataFrame:
    with uow_factory() as uow:
        listing = uow.plans.listing(kind)
    return listing[listing.cycle.notna()]


def test_planners_creating_the_first_plan_of_a_new_cycle_at_once_get_one_cycle_one_version_and_conflicts(
        uow_factory, monkeypatch):
    f, team = uow_factory, people("demand_planner", 3)
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    load_all(f, ADMIN)
    run_id = forecast_runs.request_run(f(), PLANNER, forecast_runs.ForecastRequest("family", ("Juice",), "naive", 2))
    forecast_runs.execute_run(f, run_id, workers=1)
    # all of them find no cycle for January, so all of them open one
    line_up_after(monkeypatch, PlanVersionRepository, "cycle_by_month", len(team))

    attempts = race(*[lambda p=p: demand_plans.create_version(f(), p, run_id, date(2025, 1, 1)) for p in team])

    assert outcomes(attempts) == ["conflict", "conflict", "landed"]
    assert all("S&OP 2025-01" in a.message or "one demand plan per cycle" in a.message
               for a in attempts if a.outcome == "conflict")
    winner = next(a.result for a in attempts if a.outcome == "landed")
    assert versions_of_cycle(f, "demand").id.tolist() == [winner]
    assert [(e.action, e.key) for e in audit(f, "sop_cycle")] == [("create", "S&OP 2025-01")]
    assert [(e.action, e.key) for e in audit(f, "plan_version")] == [("create", str(winner))]
    assert rows(f, winner, "demand").shape[0] > 0


def test_supply_planners_creating_the_cycle_supply_plan_at_once_get_one_version_and_conflicts(
        uow_factory, plan, monkeypatch):
    f, team = uow_factory, people("supply_planner", 4)
    march = pd.DataFrame([(sku, date(2025, 3, 3), 100.0) for sku in SKUS], columns=["sku", "period", "statistical"])
    with f() as uow:  # March's cycle: a demand plan, no supply plan yet
        demand_id = demand_plans.insert_version(uow, PLANNER, march, date(2025, 3, 1), "March", None)
        uow.commit()
    line_up_after(monkeypatch, supply_plans, "refuse_second_version", len(team))

    attempts = race(*[lambda p=p: supply_plans.create_version(f(), p, demand_id) for p in team])

    assert outcomes(attempts) == ["conflict"] * (len(team) - 1) + ["landed"]
    assert all("one supply plan per cycle" in a.message for a in attempts if a.outcome == "conflict")
    winner = next(a.result for a in attempts if a.outcome == "landed")
    assert versions_of_cycle(f, "supply").sort_values("id").id.tolist() == [plan.supply, winner]
    assert len(rows(f, winner, "supply")) == len(SKUS)
    created = [int(e.key) for e in audit(f, "plan_version") if e.action == "create"]
    assert created == [plan.demand, plan.supply, demand_id, winner]


def test_coordinators_promoting_scenarios_of_one_plan_at_once_make_one_plan_and_get_conflicts(
        uow_factory, plan, monkeypatch):
    """Two of them promote the same scenario, the third another one pinned on the same plan."""
    f, team = uow_factory, people("coordinator", 3)
    data = plan_data.load_plan_data(f(), plan.demand, plan.supply)
    scenarios = [pinned_scenarios.pin(f(), COORDINATOR, data, f"Juice +{n}%",
                                      Levers(demand_change_by_group={"family:Juice": n / 100})) for n in (10, 20)]
    chosen = [scenarios[0], scenarios[0], scenarios[1]]
    line_up_after(monkeypatch, pinned_scenarios, "get_version", len(team))

    attempts = race(*[lambda p=p, s=s: pinned_scenarios.promote(f(), p, data, s) for p, s in zip(team, chosen)])

    assert outcomes(attempts) == ["conflict", "conflict", "landed"]
    promoted = next(s for s, a in zip(chosen, attempts) if a.outcome == "landed")
    new_demand, new_supply = next(a.result for a in attempts if a.outcome == "landed")
    assert versions_of_cycle(f, "demand").set_index("id").status.to_dict() == {new_demand: "draft",
                                                                                plan.demand: "superseded"}
    assert versions_of_cycle(f, "supply").set_index("id").status.to_dict() == {new_supply: "draft",
                                                                                plan.supply: "superseded"}
    assert pinned_scenarios.list_pinned(f()).set_index("id").status.to_dict() == {
        s: "promoted" if s == promoted else "pinned" for s in scenarios}
    assert [e.key for e in audit(f, "scenario") if e.action == "promote"] == [str(promoted)]
    assert sorted(e.key for e in audit(f, "plan_version") if e.action == "supersede") == sorted(
        [str(plan.demand), str(plan.supply)])


# --- the cycle -----------------------------------------------------------------------------------

def test_sign_offs_of_the_same_stage_at_once_move_the_cycle_once(uow_factory, plan, monkeypatch):
    """Two demand planners, one of them in two browser tabs, sign data gathering off together."""
    f, team = uow_factory, [PLANNER, PLANNER, Actor("dana", ("demand_planner",))]
    line_up_after(monkeypatch, cycle, "checklist", len(team))

    attempts = race(*[lambda p=p: cycle.sign_off(f(), p, plan.cycle, f"checked by {p.username}") for p in team])

    assert outcomes(attempts) == ["conflict"] * (len(team) - 1) + ["landed"]
    assert all("S&OP 2025-02" in a.message for a in attempts if a.outcome == "conflict")
    view = cycle.cycle_view(f(), plan.cycle)
    assert view.stage == "demand_review"
    signer = view.signoffs.username.tolist()
    assert len(signer) == 1 and view.signoffs.stage.tolist() == ["data_gathering"]
    moves = [(e.action, e.username, e.after["stage"]) for e in audit(f, "sop_cycle") if e.action == "sign_off"]
    assert moves == [("sign_off", signer[0], "demand_review")]


# --- KPI targets ---------------------------------------------------------------------------------

def wape_target(i: int) -> tuple[float, float, float]:
    """Coordinator i's WAPE target, green and amber (lower is better)."""
    return 0.10 + i / 100, 0.15 + i / 100, 0.20 + i / 100


@pytest.mark.parametrize(("stored_before", "lined_up"), [(False, True), (True, False), (True, True)])
def test_coordinators_setting_the_same_target_at_once_never_lose_an_update(
        uow_factory, monkeypatch, stored_before, lined_up):
    """Whoever lands, the trail runs unbroken: each record's before is the previous one's after, and the
    stored target is the last one's after; nobody overwrites a value they never saw."""
    f, team = uow_factory, people("coordinator", 4)
    if stored_before:
        kpi_targets.set_target(f(), COORDINATOR, "wape", "total", "", 0.25, 0.25, 0.35)
    if lined_up:
        line_up_after(monkeypatch, kpi_targets, "_stored", len(team))

    attempts = race(*[lambda i=i, p=p: kpi_targets.set_target(f(), p, "wape", "total", "", *wape_target(i))
                      for i, p in enumerate(team)])

    landed = [p.username for p, a in zip(team, attempts) if a.outcome == "landed"]
    if lined_up:  # all read the same target, so only the first write may land
        assert outcomes(attempts) == ["conflict"] * 3 + ["landed"]
    trail = audit(f, "kpi_target")[1 if stored_before else 0:]
    assert sorted(e.username for e in trail) == sorted(landed)
    first = {"kpi": "wape", "level": "total", "key": "", "target": 0.25, "green": 0.25, "amber": 0.35,
             "higher_is_better": False} if stored_before else None
    assert [e.before for e in trail] == [first] + [e.after for e in trail[:-1]]
    assert trail[0].action == ("update" if stored_before else "create")
    stored = kpi_targets.list_targets(f())
    assert len(stored) == 1
    assert stored.iloc[0][["target", "green", "amber"]].tolist() == [trail[-1].after[k]
                                                                     for k in ("target", "green", "amber")]
    assert all("wape" in a.message for a in attempts if a.outcome == "conflict")
