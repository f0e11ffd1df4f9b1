"""Every write service, called as every role, against the PERMISSIONS table.

A role the table allows gets past the permission check: the call succeeds (or, for the few
marked so, fails for a reason that is not a permission). A role the table refuses gets
PermissionDenied and nothing is written: the whole database reads the same afterwards and the
audit trail has no new row.

One small planning world is built per database (SQLite, and PostgreSQL where reachable) and
shared by every call. Refused calls run on real units of work, so a write before the refusal
would show. Allowed calls run on a `DryRunUnitOfWork`: the use case goes all the way (flush,
audit rows, constraints) and then rolls back instead of committing, so the next call finds the
world unchanged (every refused call checks the whole database against the world as built).

A scan of genxsop_core's source (ast) finds every public function that commits or publishes
an event, directly or through the functions it calls; each must be in the matrix below or in
ALLOWED_WITHOUT_ROLE with the reason it acts for no user.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import genxsop_core
from genxsop_core import bootstrap
from genxsop_core.admin import api_keys, go_live, users
from genxsop_core.config import load_settings
from genxsop_core.cycle import meeting_pack
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.demand import reason_codes
from genxsop_core.demo import plans as demo_plans
from genxsop_core.domain.exceptions import GenXSOPError, PermissionDenied
from genxsop_core.domain.models import AuditLog, Base
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.io import importer
from genxsop_core.io.formats import IMPORT_ORDER
from genxsop_core.io.readers import read_table
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.persistence.db import get_engine, get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans import versions as plan_versions
from genxsop_core.plans.data import PlanData, load_plan_data
from genxsop_core.plans.versions import row_token
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.levers import Levers
from genxsop_core.supply import plans as supply_plans
from genxsop_core.supply.plans import ReceiptEdit
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    POSTGRES_AVAILABLE,
    _drop_postgres,
    _fresh_postgres_url,
    actor_with,
)

# ---------------------------------------------------------------------------------------------------------------
# The world: three SKUs, 26 weeks of actuals to 2025-02-24, a finished naive run, and three cycles.

SETUP = Actor("setup", ROLES)  # every role: one actor lays out every stage of the world
PASSWORD = "long-enough-password"
OUTSIDER = "outsider"  # owns an action none of the matrix's actors owns
WEEKS = [date(2024, 9, 2) + timedelta(weeks=i) for i in range(26)]
SKUS = ("A-1", "A-2", "B-1")
WORLD_KEY = "matrix-key"  # an integration API key of the world, to revoke

PRODUCTS = ("sku,name,category,family,unit_cost,unit_price,lead_time_days,moq\n"
            "A-1,Apple juice,Beverages,Juice,1.0,2.0,14,10\n"
            "A-2,Orange juice,Beverages,Juice,1.2,2.4,14,10\n"
            "B-1,Crisps,Snacks,Salty,0.5,1.5,7,50\n")
CSV: dict[str, str] = {
    "products": PRODUCTS,
    "resources": "resource,name,capacity_hours\nLINE-1,Filling line,80\n",
    "routings": "sku,resource,hours_per_unit\nA-1,LINE-1,0.01\nA-2,LINE-1,0.02\n",
    "demand": "sku,period,ordered_qty\n" + "".join(f"{sku},{week},{100 + 7 * i % 23 + 10 * n}\n"
                                                  for n, sku in enumerate(SKUS) for i, week in enumerate(WEEKS)),
    "inventory": "sku,snapshot_date,on_hand\nA-1,2025-02-24,300\nA-2,2025-02-24,200\nB-1,2025-02-24,80\n",
    "supply": "sku,period,planned_receipts,kind,firm\nA-1,2025-03-03,500,make,1\nB-1,2025-03-10,200,buy,0\n",
}


@dataclass(frozen=True)
class Plan:
    """One S&OP cycle and its plan versions."""

    cycle: int
    demand: int
    supply: int | None


@dataclass(frozen=True)
class World:
    url: str
    run: int  # a finished naive forecast run, eight weeks from 2025-03-03
    feb: Plan  # at demand review; both plans submitted
    mar: Plan  # at data gathering; both plans drafts; the pinned scenario and the actions are on it
    apr: Plan  # a draft demand plan without a supply plan
    scenario: int
    action_of: dict[str, int] = field(default_factory=dict)  # username -> the action they own
    fingerprint: str = ""  # of the whole database as built; every call must leave it so


def real_factory(url: str) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(get_session_factory(url))


def _cycle_of(f: Callable[[], UnitOfWork], version_id: int) -> int:
    with f() as uow:
        return uow.plans.get(version_id).cycle_id


def build_world(url: str, people: dict[str, str], csv: dict[str, str] | None = None,
                scenario: tuple[str, str] = ("Demand +10%", "Take it to the meeting"),
                action_text: str = "Follow up", mar_plan_name: str | None = None) -> World:
    """The world on a migrated, empty database; `people` maps usernames to their one role."""
    csv = {**CSV, **(csv or {})}
    f = real_factory(url)
    for username, role in {**people, OUTSIDER: "demand_planner"}.items():
        users.add_user(f(), SETUP, username, username.replace("_", " ").title(), PASSWORD, [role])
    for kind in IMPORT_ORDER:
        importer.import_file(f(), SETUP, kind, f"{kind}.csv", csv[kind].encode())
    reason_codes.add_reason_code(f(), SETUP, "PROMO", "Promotion")
    api_keys.create_key(f(), SETUP, WORLD_KEY, "viewer")
    run = forecast_runs.request_run(f(), SETUP, forecast_runs.ForecastRequest("all", (), "naive", 8))
    forecast_runs.execute_run(f, run, workers=1)

    def plan(month: date, with_supply: bool = True, name: str | None = None) -> Plan:
        demand = demand_plans.create_version(f(), SETUP, run, month, name)
        supply = supply_plans.create_version(f(), SETUP, demand) if with_supply else None
        return Plan(_cycle_of(f, demand), demand, supply)

    feb, mar = plan(date(2025, 2, 1)), plan(date(2025, 3, 1), name=mar_plan_name)
    apr = plan(date(2025, 4, 1), with_supply=False)
    cycle.sign_off(f(), SETUP, feb.cycle, "Actuals are in")
    demand_plans.change_status(f(), SETUP, feb.demand, "submit")
    supply_plans.change_status(f(), SETUP, feb.supply, "submit")
    name, note = scenario
    scenario_id = pinned_scenarios.pin(f(), SETUP, load_plan_data(f(), mar.demand, mar.supply), name,
                                       Levers(demand_change=0.1), note)
    action_of = {username: cycle.add_action(f(), SETUP, mar.cycle, f"{action_text} ({username})", username, None)
                 for username in (*people, OUTSIDER)}
    return World(url, run, feb, mar, apr, scenario_id, action_of, fingerprint(url))


# ---------------------------------------------------------------------------------------------------------------
# Reading the whole database, and units of work that roll back.

def fingerprint(url: str) -> str:
    """Every row of every table, hashed: any write shows."""
    digest = hashlib.sha256()
    with get_engine(url).connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)  # PostgreSQL's bytea
                    for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))]
            digest.update(f"{table.name}:{len(rows)}:{rows!r}".encode())
    return digest.hexdigest()


def audit_rows(url: str) -> int:
    with get_engine(url).connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(AuditLog)).scalar_one()


class DryRunUnitOfWork(UnitOfWork):
    """A unit of work whose commit does all it does (audit rows, flush, constraints) except COMMIT: the
    transaction stays open and leaving the block rolls it back. Objects are detached first, so a
    service may still read what it made."""

    def __enter__(self) -> DryRunUnitOfWork:
        super().__enter__()
        self.session.commit = self.session.flush  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc_info) -> None:
        self.session.expunge_all()
        super().__exit__(*exc_info)


def dry_factory(url: str) -> Callable[[], UnitOfWork]:
    return lambda: DryRunUnitOfWork(get_session_factory(url))


class PastTheCheck(GenXSOPError):
    """Raised by a stand-in for the slow first step after a permission check: the check was passed."""


# ---------------------------------------------------------------------------------------------------------------
# The matrix: one Case per service call. `permission` names the PERMISSIONS entry that decides who may.

Call = Callable[[Callable[[], UnitOfWork], World, Actor], object]


@dataclass(frozen=True)
class Case:
    service: str  # module.function, as the source scan names it
    permission: str
    call: Call
    what: str = ""  # which of several calls of the same service
    allowed_roles: frozenset[str] | None = None  # when more than the table decides (stage owners)
    why: str = ""

    @property
    def allowed(self) -> frozenset[str]:
        return PERMISSIONS[self.permission] if self.allowed_roles is None else self.allowed_roles

    @property
    def id(self) -> str:
        return self.service.removeprefix("genxsop_core.") + (f"[{self.what}]" if self.what else "")


def qualified(function: Callable) -> str:
    return f"{function.__module__}.{function.__name__}"


def _in_caller_uow(work: Callable[[UnitOfWork, World, Actor], object]) -> Call:
    """A helper that writes inside its caller's unit of work, called the way its callers do."""
    def call(f, w, a):
        with f() as uow:
            work(uow, w, a)
            uow.commit()
    return call


@functools.lru_cache(maxsize=4)
def _plan_data(url: str, demand_version_id: int, supply_version_id: int) -> PlanData:
    """The plan a scenario is pinned on or promoted from (PlanData is never changed: one load serves all)."""
    return load_plan_data(real_factory(url)(), demand_version_id, supply_version_id)


def _first_demand_edit(f, version_id: int) -> demand_plans.OverrideEdit:
    with f() as uow:
        row = uow.demand_plans.frame([version_id]).iloc[0]
    return demand_plans.OverrideEdit("sku", row.sku, row.period.date(), float(row.consensus) + 10, "PROMO",
                                     "customer order", row_token([row.row_version]), float(row.consensus))


def _first_receipt_edit(f, version_id: int) -> ReceiptEdit:
    with f() as uow:
        rows = uow.supply_plans.frame([version_id])
    row = rows[~rows.firm.astype(bool)].iloc[0]
    return ReceiptEdit(row.sku, row.period.date(), float(row.planned_receipts) + 10, row.kind, "more",
                       int(row.row_version), float(row.planned_receipts))


JUNE_FORECAST = pd.DataFrame([(sku, date(2025, 6, d), 10.0) for sku in SKUS for d in (2, 9)],
                             columns=["sku", "period", "statistical"])


def _import_cases() -> list[Case]:
    cases = []
    for kind in IMPORT_ORDER:
        content = CSV[kind].encode()
        cases.append(Case(qualified(importer.import_file), f"import.{kind}", what=kind,
                          call=lambda f, w, a, kind=kind, content=content: importer.import_file(
                              f(), a, kind, f"{kind}.csv", content)))
        cases.append(Case(qualified(importer.apply_import), f"import.{kind}", what=kind,
                          call=_in_caller_uow(lambda uow, w, a, kind=kind, content=content: importer.apply_import(
                              uow, a, kind, read_table(f"{kind}.csv", content), f"{kind}.csv"))))
        rows = read_table(f"{kind}.csv", content).astype(object).to_dict("records")
        cases.append(Case(qualified(importer.import_rows), f"import.{kind}", what=kind,
                          call=lambda f, w, a, kind=kind, rows=rows: importer.import_rows(f(), a, kind, rows, "API")))
    return cases


STAGE_OWNER_AT_DATA_GATHERING = frozenset({cycle.STAGE_OWNERS["data_gathering"]})

CASES: list[Case] = [
    # people
    Case(qualified(users.add_user), "users.manage",
         lambda f, w, a: users.add_user(f(), a, "newcomer", "New Comer", PASSWORD, ["viewer"])),
    Case(qualified(users.set_roles), "users.manage",
         lambda f, w, a: users.set_roles(f(), a, OUTSIDER, ["supply_planner"])),
    Case(qualified(users.set_active), "users.manage", lambda f, w, a: users.set_active(f(), a, OUTSIDER, False)),
    Case(qualified(users.set_password), "users.manage",
         lambda f, w, a: users.set_password(f(), a, OUTSIDER, "another-long-password")),
    Case("genxsop_core.admin.users.unlock_user", "users.manage", lambda f, w, a: users.unlock_user(f(), a, OUTSIDER)),
    Case(qualified(api_keys.create_key), "api_keys.manage",
         lambda f, w, a: api_keys.create_key(f(), a, "erp-nightly", "demand_planner", "sap")),
    Case(qualified(api_keys.revoke_key), "api_keys.manage", lambda f, w, a: api_keys.revoke_key(f(), a, WORLD_KEY)),
    Case(qualified(reason_codes.add_reason_code), "reason_codes.manage",
         lambda f, w, a: reason_codes.add_reason_code(f(), a, "RECALL", "Product recall")),
    Case(qualified(reason_codes.set_reason_code_active), "reason_codes.manage",
         lambda f, w, a: reason_codes.set_reason_code_active(f(), a, "PROMO", False)),
    # data
    *_import_cases(),
    Case(qualified(bootstrap.seed_demo), "data.seed_demo", lambda f, w, a: bootstrap.seed_demo(f(), a, "week")),
    Case(qualified(go_live.go_live), "system.go_live",
         lambda f, w, a: go_live.go_live(f, a, replace(load_settings(), database_url=w.url, cookie_key="matrix-key"),
                                         remove_demo_data=True)),
    Case(qualified(demo_plans.seed_demo_plans), "data.seed_demo",
         lambda f, w, a: demo_plans.seed_demo_plans(f, a, "week", workers=1)),
    # forecasting
    Case(qualified(forecast_runs.request_run), "forecast.run", lambda f, w, a: forecast_runs.request_run(
        f(), a, forecast_runs.ForecastRequest("skus", ("A-1",), "naive", 4))),
    Case(qualified(forecast_runs.start_run), "forecast.run", lambda f, w, a: forecast_runs.start_run(
        f, a, forecast_runs.ForecastRequest("family", ("Juice",), "naive", 4))),
    Case(qualified(forecast_runs.rerun), "forecast.run", lambda f, w, a: forecast_runs.rerun(f, a, w.run)),
    # demand plans
    Case(qualified(demand_plans.create_version), "demand_plan.edit",
         lambda f, w, a: demand_plans.create_version(f(), a, w.run, date(2025, 5, 1))),
    Case(qualified(demand_plans.insert_version), "demand_plan.edit", _in_caller_uow(
        lambda uow, w, a: demand_plans.insert_version(uow, a, JUNE_FORECAST, date(2025, 6, 1), "June", None))),
    Case(qualified(demand_plans.save_overrides), "demand_plan.edit", lambda f, w, a: demand_plans.save_overrides(
        f(), a, w.mar.demand, [_first_demand_edit(f, w.mar.demand)])),
    Case(qualified(demand_plans.change_status), "demand_plan.edit", what="submit",
         call=lambda f, w, a: demand_plans.change_status(f(), a, w.mar.demand, "submit")),
    Case(qualified(demand_plans.change_status), "demand_plan.edit", what="send_back",
         call=lambda f, w, a: demand_plans.change_status(f(), a, w.feb.demand, "send_back")),
    Case(qualified(demand_plans.change_status), "demand_plan.approve", what="approve",
         call=lambda f, w, a: demand_plans.change_status(f(), a, w.feb.demand, "approve")),
    # supply plans
    Case(qualified(supply_plans.create_version), "supply_plan.edit",
         lambda f, w, a: supply_plans.create_version(f(), a, w.apr.demand)),
    Case(qualified(supply_plans.save_receipts), "supply_plan.edit", lambda f, w, a: supply_plans.save_receipts(
        f(), a, w.mar.supply, [_first_receipt_edit(f, w.mar.supply)])),
    Case(qualified(supply_plans.accept_balanced_receipts), "supply_plan.balance",
         lambda f, w, a: supply_plans.accept_balanced_receipts(f(), a, w.mar.supply,
                                                               [_first_receipt_edit(f, w.mar.supply)])),
    Case(qualified(supply_plans.change_status), "supply_plan.edit", what="submit",
         call=lambda f, w, a: supply_plans.change_status(f(), a, w.mar.supply, "submit")),
    Case(qualified(supply_plans.change_status), "supply_plan.approve", what="approve",
         call=lambda f, w, a: supply_plans.change_status(f(), a, w.feb.supply, "approve")),
    # either kind
    Case(qualified(plan_versions.change_status), "supply_plan.edit", what="supply submit",
         call=lambda f, w, a: plan_versions.change_status(f(), a, "supply", w.mar.supply, "submit")),
    Case(qualified(plan_versions.change_status), "demand_plan.approve", what="demand approve",
         call=lambda f, w, a: plan_versions.change_status(f(), a, "demand", w.feb.demand, "approve")),
    Case(qualified(plan_versions.move), "demand_plan.edit", what="demand submit", call=_in_caller_uow(
        lambda uow, w, a: plan_versions.move(uow, a, plan_versions.get_version(uow, "demand", w.mar.demand),
                                             "submit"))),
    Case(qualified(plan_versions.move), "supply_plan.approve", what="supply approve", call=_in_caller_uow(
        lambda uow, w, a: plan_versions.move(uow, a, plan_versions.get_version(uow, "supply", w.feb.supply),
                                             "approve"))),
    # scenarios and targets
    Case(qualified(pinned_scenarios.pin), "scenario.pin", lambda f, w, a: pinned_scenarios.pin(
        f(), a, _plan_data(w.url, w.mar.demand, w.mar.supply), "Price +5%", Levers(price_change=0.05), "why")),
    Case(qualified(pinned_scenarios.promote), "scenario.promote", lambda f, w, a: pinned_scenarios.promote(
        f(), a, _plan_data(w.url, w.mar.demand, w.mar.supply), w.scenario)),
    Case(qualified(kpi_targets.set_target), "kpi_targets.edit",
         lambda f, w, a: kpi_targets.set_target(f(), a, "wape", "total", "", 0.2, 0.25, 0.35)),
    Case(qualified(kpi_targets.seed_default_targets), "kpi_targets.edit",
         lambda f, w, a: kpi_targets.seed_default_targets(f(), a)),
    # the cycle
    Case(qualified(cycle.sign_off), "cycle.signoff", allowed_roles=STAGE_OWNER_AT_DATA_GATHERING,
         call=lambda f, w, a: cycle.sign_off(f(), a, w.mar.cycle, "Actuals are in"),
         why="the table lets every role but the viewer sign off; the stage's owner role is the one who does"),
    Case(qualified(cycle.send_back), "cycle.manage", lambda f, w, a: cycle.send_back(f(), a, w.feb.cycle, "redo")),
    Case(qualified(cycle.set_due_date), "cycle.manage",
         lambda f, w, a: cycle.set_due_date(f(), a, w.mar.cycle, "pre_sop", date(2025, 3, 20))),
    Case(qualified(cycle.record_decision), "cycle.decide",
         lambda f, w, a: cycle.record_decision(f(), a, w.mar.cycle, "Go", w.scenario)),
    Case(qualified(cycle.add_action), "cycle.decide",
         lambda f, w, a: cycle.add_action(f(), a, w.mar.cycle, "Book overtime", OUTSIDER, date(2025, 3, 14))),
    Case(qualified(cycle.set_action_status), "cycle.manage", what="someone else's",
         call=lambda f, w, a: cycle.set_action_status(f(), a, w.action_of[OUTSIDER], "done")),
    Case(qualified(cycle.set_action_status), "cycle.action_status", what="own",
         call=lambda f, w, a: cycle.set_action_status(f(), a, w.action_of[a.username], "done")),
    Case(qualified(meeting_pack.generate_pack), "cycle.pack",
         lambda f, w, a: meeting_pack.generate_pack(f, a, w.mar.cycle)),
]

# Public functions that write and act for no user, and why that is right.
ALLOWED_WITHOUT_ROLE: dict[str, str] = {
    "genxsop_core.persistence.backup.restore_database":
        "the operator's CLI command: whoever runs it holds the database's credentials, and it replaces the whole "
        "database, users and roles included, so no role in it could vouch for the caller (audited by login name)",
    "genxsop_core.bootstrap.prepare_database":
        "start-up of the app and the CLI: migrates, and seeds an empty demo database as SYSTEM; no user acts yet",
    "genxsop_core.forecasting.runs.execute_run":
        "the background worker doing a run that request_run stored after checking forecast.run",
    "genxsop_core.forecasting.runs.reap_dead_runs":
        "housekeeping any page view may trigger: marks runs failed whose worker died (audited as 'system')",
    "genxsop_core.plans.versions.cycle_for":
        "opens the month's cycle inside insert_version's unit of work, after its demand_plan.edit check",
    "genxsop_core.cycle.freeze.freezer":
        "builds the callback cycle.sign_off runs after its checks; the approval in it is plan_versions.move, "
        "which requires *_plan.approve",
    "genxsop_core.admin.login_throttle.record_failed_login":
        "the login form, before anyone is signed in: counts a wrong password against the account named",
    "genxsop_core.admin.login_throttle.record_sign_in":
        "the login form, right after the password was checked: resets the count and audits the sign-in",
    "genxsop_core.admin.setup.issue_setup_token":
        "start-up of the app on a database without users (bootstrap): no user exists to act; audited as 'system'",
    "genxsop_core.bootstrap.announce_setup_token":
        "start-up of the app outside demo mode: issue_setup_token, then prints the token to the console and log",
    "genxsop_core.admin.api_keys.authenticate":
        "the integration API's sign-in with a service key, before any caller is known: it only records the key's "
        "last use (no data, no audit record); a revoked or expired key is refused",
    "genxsop_core.api.auth.key_caller":
        "the integration API identifying a caller by its key (api_keys.authenticate)",
    "genxsop_core.api.auth.sign_in":
        "the integration API's token endpoint, before anyone is signed in: the login form's own password check "
        "and throttle (login_throttle.record_failed_login / record_sign_in)",
    "genxsop_core.api.commands.serve_api":
        "start-up of the integration API, like the app's: migrates, and in demo mode seeds an empty database "
        "(bootstrap.prepare_database)",
    "genxsop_core.admin.setup.create_first_admin":
        "the login page before anyone can sign in: the one-time setup token the server printed is the "
        "authorisation, and it is refused once any user exists (audited as 'setup-token')",
}

PEOPLE = {actor_with(role).username: role for role in ROLES}


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: the world once per database.

@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("matrix") / "world.db"
        url = f"sqlite:///{path}"
    elif not POSTGRES_AVAILABLE:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
    else:
        url = _fresh_postgres_url()
    upgrade_database(url)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")  # the naive run needs no Chronos or Prophet
        built = build_world(url, PEOPLE)
    yield built
    if request.param == "sqlite":
        get_engine(url).dispose()
        shutil.rmtree(path.parent, ignore_errors=True)
    else:
        _drop_postgres(url)


@pytest.fixture(autouse=True)
def no_slow_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """No worker process is started, no pack chart drawn; the demo seeders stop at their first slow step
    after the check."""
    def past_the_check(*args, **kwargs):
        raise PastTheCheck("past the permission check")

    monkeypatch.setattr(forecast_runs, "launch_worker", lambda run_id: None)
    monkeypatch.setattr(bootstrap.demo, "build_demo_data", past_the_check)
    monkeypatch.setattr(go_live.backup, "backup_database", past_the_check)
    monkeypatch.setattr(demo_plans, "_past_plan", past_the_check)
    monkeypatch.setattr(meeting_pack, "pack_charts", lambda outlook, capacity: {})


# ---------------------------------------------------------------------------------------------------------------
# The matrix test.

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_role_may_do_what_the_permission_table_says_and_no_more(world: World, case: Case, role: str):
    actor = actor_with(role)
    audited = audit_rows(world.url)
    if role in case.allowed:
        try:
            case.call(dry_factory(world.url), world, actor)
        except PastTheCheck:
            pass
        except PermissionDenied as refusal:
            pytest.fail(f"{case.id}: {role} is allowed by {case.permission} but was refused: {refusal}")
        assert audit_rows(world.url) == audited, "a dry run must leave the shared world as it was"
    else:
        with pytest.raises(PermissionDenied):
            case.call(real_factory(world.url), world, actor)
        assert audit_rows(world.url) == audited, f"{case.id} refused {role} but audited a change"
        assert fingerprint(world.url) == world.fingerprint, f"{case.id} refused {role} but wrote to the database"


def test_the_matrix_names_only_permissions_and_roles_that_exist():
    for case in CASES:
        assert case.permission in PERMISSIONS, case.id
        assert case.allowed <= set(ROLES), case.id
        assert case.allowed_roles is None or case.why, f"{case.id}: say why the table alone does not decide"
    # the matrix would prove nothing if nobody were allowed or everybody were
    assert any(case.allowed for case in CASES) and any(set(ROLES) - case.allowed for case in CASES)


# ---------------------------------------------------------------------------------------------------------------
# The source scan: every writing service is in the matrix or allowed without a role, with a reason.

PACKAGE = Path(genxsop_core.__file__).parent
WRITE_CALLS = {"commit", "publish"}  # uow.commit(), uow.publish(event): a write, or the audit of one


@dataclass
class _Function:
    name: str
    public: bool
    writes: bool  # calls commit or publish itself
    requires: bool  # calls permissions.require itself
    calls: set[str]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> the module or module.function it stands for (imports anywhere in the file)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _called(node: ast.Call, aliases: dict[str, str], module: str, local: set[str]) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in local:
            return f"{module}.{func.id}"
        return aliases.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in aliases:
        return f"{aliases[func.value.id]}.{func.attr}"
    return None


@functools.cache
def scan_functions() -> dict[str, _Function]:
    """Every top-level function of genxsop_core (migrations aside), with what it calls. The integration
    API's routers are entry points like the pages: an endpoint hands the caller's actor to the service,
    which checks it, and tests/api calls every endpoint as every role."""
    trees = {_module_name(p): ast.parse(p.read_text(), str(p)) for p in sorted(PACKAGE.rglob("*.py"))
             if "migrations" not in p.relative_to(PACKAGE).parts
             and p.relative_to(PACKAGE).parts[:2] != ("api", "routers")}
    found: dict[str, _Function] = {}
    for module, tree in trees.items():
        aliases = _aliases(tree)
        local = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            calls = [c for c in ast.walk(node) if isinstance(c, ast.Call)]
            found[f"{module}.{node.name}"] = _Function(
                name=f"{module}.{node.name}", public=not node.name.startswith("_"),
                writes=any(isinstance(c.func, ast.Attribute) and c.func.attr in WRITE_CALLS for c in calls),
                requires=any(_called(c, aliases, module, local) == "genxsop_core.domain.permissions.require"
                             for c in calls),
                calls={t for c in calls if (t := _called(c, aliases, module, local))})
    return found


def _closure(functions: dict[str, _Function], flag: str) -> set[str]:
    """The functions that do `flag` themselves or through any function they call."""
    marked = {name for name, f in functions.items() if getattr(f, flag)}
    while True:
        more = {name for name, f in functions.items() if name not in marked and f.calls & marked}
        if not more:
            return marked
        marked |= more


def writing_services() -> set[str]:
    functions = scan_functions()
    return {name for name in _closure(functions, "writes") if functions[name].public}


def test_the_scan_finds_the_services_it_should():
    found = writing_services()
    for known in ("genxsop_core.admin.users.add_user", "genxsop_core.cycle.workflow.sign_off",
                  "genxsop_core.kpi.targets.set_target",
                  "genxsop_core.io.importer.import_file", "genxsop_core.demand.plans.change_status",
                  "genxsop_core.forecasting.runs.rerun"):  # through a helper, a wrapper, a module alias
        assert known in found, known


def test_every_writing_service_is_in_the_matrix_or_allowed_without_a_role():
    in_matrix = {case.service for case in CASES}
    missing = sorted(writing_services() - in_matrix - set(ALLOWED_WITHOUT_ROLE))
    assert not missing, ("these public functions commit or publish but are neither in CASES (call them as every "
                         "role) nor in ALLOWED_WITHOUT_ROLE (say why no role applies): " + ", ".join(missing))
    stale = sorted((in_matrix | set(ALLOWED_WITHOUT_ROLE)) - writing_services())
    assert not stale, f"no longer a writing service, drop from the matrix or the allow-list: {', '.join(stale)}"
    assert not in_matrix & set(ALLOWED_WITHOUT_ROLE)


def test_every_writing_service_in_the_matrix_checks_a_permission_in_its_code():
    functions = scan_functions()
    checking = _closure(functions, "requires")
    unchecked = sorted({case.service for case in CASES} - checking)
    assert not unchecked, f"no call of permissions.require on the way through: {', '.join(unchecked)}"
