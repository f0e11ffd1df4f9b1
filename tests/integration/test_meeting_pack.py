"""The S&OP meeting pack on a real database: the demo's current cycle walked to closed with the real
services, then its XLSX and PDF checked against the database, stored, audited, and refused to roles
without `cycle.pack`. Seeding the demo's planning history is the slow part: it runs once per database."""
from __future__ import annotations

import hashlib
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from genxsop_core.admin.audit import search_audit
from genxsop_core.config import load_currency
from genxsop_core.cycle import freeze as plan_freeze
from genxsop_core.cycle import meeting_pack
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.domain.exceptions import InvalidInput, NotFound, PermissionDenied
from genxsop_core.domain.models import SopCycle
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.inventory import views as inventory_views
from genxsop_core.kpi.formulas import KPIS
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.plans.data import load_plan_data
from genxsop_core.scenarios import pinned as pinned_scenarios
from genxsop_core.scenarios.levers import Levers
from genxsop_core.supply import plans as supply_plans
from tests.integration.test_demand_plans import AUDITOR
from tests.integration.test_import_service import load_all
from tests.integration.test_supply_plans import ADMIN, small_demand

# the demo's users, one per role (bootstrap.DEMO_USERS): the cycle is walked as they would walk it
DEMAND = Actor("demand", ("demand_planner",))
SUPPLY = Actor("supply", ("supply_planner",))
COORDINATOR = Actor("coordinator", ("coordinator",))
EXECUTIVE = Actor("executive", ("executive",))
WITHOUT_PACK = [role for role in ROLES if role not in PERMISSIONS["cycle.pack"]]
DECISION = "Go with the consensus plan <b>and</b> add a Saturday shift on FILL-1 & MIX-1"
HOSTILE_NAME = '<script>alert("x")</script> Juice & Co'
ACTION = "@supply: book the Saturday shift"  # starts like a formula: the XLSX must quote it


def flat(text: str) -> str:
    """PDF text with its line breaks and runs of spaces as single spaces (cells wrap)."""
    return " ".join(text.split())


def pack_files(uow_factory, ids: tuple[int, int]) -> tuple[bytes, bytes]:
    (_, xlsx), (_, pdf) = (meeting_pack.pack_content(uow_factory(), i) for i in ids)
    return xlsx, pdf


def pack_audit(uow_factory) -> list:
    return search_audit(uow_factory(), AUDITOR, AuditFilter(entity="sop_cycle", action="meeting_pack"))


@pytest.fixture
def demo(demo_history):
    """The demo company with its planning history (as the app seeds it), in the test's database
    (copied from a template that tests/conftest.py seeds once per session)."""
    return demo_history


def walk_to_executive_sop(uow_factory) -> tuple[int, int, int, int]:
    """The current cycle through demand review, supply review (plans submitted) and the pre-S&OP
    (one scenario pinned); returns (cycle id, demand version id, supply version id, scenario id)."""
    with uow_factory() as uow:
        cycle_id = int(uow.cycles.listing().id.iloc[0])  # newest month first: the current cycle
        demand_id = uow.plans.for_cycle("demand", cycle_id).id
        supply_id = uow.plans.for_cycle("supply", cycle_id).id
    demand_plans.change_status(uow_factory(), DEMAND, demand_id, "submit", "consensus agreed with sales")
    cycle.sign_off(uow_factory(), DEMAND, cycle_id, "Consensus plan submitted")
    supply_plans.change_status(uow_factory(), SUPPLY, supply_id, "submit", "receipts balanced")
    cycle.sign_off(uow_factory(), SUPPLY, cycle_id, "Supply plan submitted; FILL-1 is tight in March")
    data = load_plan_data(uow_factory(), demand_id, supply_id)
    scenario_id = pinned_scenarios.pin(uow_factory(), COORDINATOR, data, "Demand +10%", Levers(demand_change=0.10),
                                       "Upside if the tender is won")
    cycle.sign_off(uow_factory(), COORDINATOR, cycle_id, "Pre-S&OP: plans submitted, one scenario pinned")
    return cycle_id, demand_id, supply_id, scenario_id


def rename_top_exception(uow_factory, demand_id: int) -> str:
    """Give the SKU heading the exception list (printed in the PDF) a name full of markup."""
    sku = str(inventory_views.inventory_view(uow_factory, demand_id).exceptions.sku.iloc[0])
    with uow_factory() as uow:
        uow.products.get_by_sku(sku).name = HOSTILE_NAME
        uow.commit()
    return sku


def test_the_pack_of_a_closed_cycle_is_its_tables_stored_and_audited(demo):
    cycle_id, demand_id, supply_id, scenario_id = walk_to_executive_sop(demo)
    hostile_sku = rename_top_exception(demo, demand_id)
    cycle.record_decision(demo(), EXECUTIVE, cycle_id, DECISION, scenario_id)
    cycle.add_action(demo(), EXECUTIVE, cycle_id, ACTION, "supply", date(2026, 12, 4))
    for role in ("demand_planner", "viewer"):
        with pytest.raises(PermissionDenied):
            meeting_pack.generate_pack(demo, Actor(role, (role,)), cycle_id)
    assert meeting_pack.list_packs(demo(), cycle_id).empty and not pack_audit(demo)
    cycle.sign_off(demo(), EXECUTIVE, cycle_id, "Plan approved", freeze_with=plan_freeze.freezer(demo))

    ids = meeting_pack.generate_pack(demo, COORDINATOR, cycle_id)
    xlsx, pdf = pack_files(demo, ids)
    with demo() as uow:
        name, month = uow.plans.cycle(cycle_id).name, uow.plans.cycle(cycle_id).month
        consensus = float(uow.demand_plans.frame([demand_id]).consensus.sum())
        receipts = float(uow.supply_plans.frame([supply_id]).planned_receipts.sum())

    assert openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).sheetnames == list(meeting_pack.SHEETS)
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(sheets) == list(meeting_pack.SHEETS)
    assert sheets["Demand plan"]["Consensus"].sum() == pytest.approx(consensus, rel=1e-9)  # planner headers
    assert sheets["Supply plan"]["Planned receipts"].sum() == pytest.approx(receipts, rel=1e-9)
    assert list(sheets["Decisions"]["Text"]) == [DECISION]
    assert list(sheets["Actions"]["Text"]) == ["'" + ACTION]
    assert list(sheets["Scenarios"]["Name"]) == ["Demand +10%"]
    assert f"Revenue ({load_currency().code})" in sheets["Scenarios"].columns
    assert sheets["Sign-offs"]["Stage"].tolist()[-1] == "Executive S&OP"  # the stage in words, not executive_sop
    lineage = dict(zip(sheets["Lineage"]["Item"], sheets["Lineage"]["Value"]))
    assert lineage["approved_by"] == "executive" and lineage["demand_version_id"] == demand_id
    assert HOSTILE_NAME in set(sheets["Inventory policy"]["Name"])

    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 7
    assert name in pages[0] and "approved by executive" in pages[0]
    assert any("Decisions" in page and flat(DECISION) in page for page in pages)
    assert any(hostile_sku in page and HOSTILE_NAME in page for page in pages)  # printed literally

    packs = meeting_pack.list_packs(demo(), cycle_id)
    assert sorted(packs.file_name) == [f"sop-{month:%Y-%m}-frozen.pdf", f"sop-{month:%Y-%m}-frozen.xlsx"]
    for row in packs.itertuples(index=False):
        file_name, content = meeting_pack.pack_content(demo(), int(row.id))
        assert file_name == row.file_name and row.size == len(content)
        assert row.sha256 == hashlib.sha256(content).hexdigest() and row.created_by == "coordinator"
    [entry] = pack_audit(demo)
    assert entry.username == "coordinator" and entry.key == f"{name}|pack"
    assert {f["file_name"]: f["sha256"] for f in entry.after["files"]} == dict(zip(packs.file_name, packs.sha256))


def test_the_packs_exceptions_name_one_state_per_sku_as_the_inventory_page_does(demo):
    with demo() as uow:
        cycle_id = int(uow.cycles.listing().id.iloc[0])
        demand_id = uow.plans.for_cycle("demand", cycle_id).id
    exceptions = meeting_pack.pack_tables(demo, cycle_id)["Exceptions"]
    assert len(exceptions) > 1 and exceptions.sku.is_unique  # never both "excess" and "below safety"
    assert set(exceptions.exception) <= {"Stockout", "Below safety stock", "Excess"}
    assert (exceptions["from"] <= exceptions.until).all()
    pd.testing.assert_frame_equal(exceptions, inventory_views.inventory_view(demo, demand_id).exceptions)


def test_a_draft_pack_before_the_freeze_and_without_a_supply_plan(uow_factory):
    load_all(uow_factory, ADMIN)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    with uow_factory() as uow:
        cycle_id = uow.plans.get(demand_id).cycle_id
    xlsx_id, pdf_id = meeting_pack.generate_pack(uow_factory, ADMIN, cycle_id)
    (xlsx_name, xlsx), (pdf_name, pdf) = (meeting_pack.pack_content(uow_factory(), i) for i in (xlsx_id, pdf_id))
    assert (xlsx_name, pdf_name) == ("sop-2025-02-draft.xlsx", "sop-2025-02-draft.pdf")
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(sheets) == list(meeting_pack.SHEETS)
    assert sheets["Supply plan"].empty and sheets["Decisions"].empty and sheets["Scenarios"].empty
    assert list(sheets["Lineage"]["Value"]) == [meeting_pack.NOT_FROZEN]
    assert sheets["Demand plan"]["Consensus"].sum() == pytest.approx(600.0)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 7 and "not yet approved" in pages[0]


def test_a_cycle_without_a_demand_plan_has_no_pack_and_roles_without_cycle_pack_get_none(uow_factory):
    with uow_factory() as uow:
        uow.plans.add_cycle(SopCycle(name="S&OP 2025-03", month=date(2025, 3, 1), created_by="test"))
        uow.commit()
        cycle_id = uow.plans.cycle_by_month(date(2025, 3, 1)).id
    with pytest.raises(InvalidInput, match="S&OP 2025-03"):
        meeting_pack.pack_tables(uow_factory, cycle_id)
    with pytest.raises(NotFound):
        meeting_pack.generate_pack(uow_factory, ADMIN, cycle_id + 1)
    for role in WITHOUT_PACK:
        with pytest.raises(PermissionDenied):
            meeting_pack.generate_pack(uow_factory, Actor(f"{role}_user", (role,)), cycle_id)
    with pytest.raises(NotFound):
        meeting_pack.pack_content(uow_factory(), 1)
    assert meeting_pack.list_packs(uow_factory(), cycle_id).empty and not pack_audit(uow_factory)


def _column(sheet, header: str) -> list:
    """The data cells (openpyxl) of the column headed `header`."""
    index = [c.value for c in sheet[1]].index(header) + 1
    return [row[0] for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]


def test_the_pack_xlsx_reads_back_with_planner_formats_widths_a_frozen_header_and_dates_without_time(
        uow_factory, monkeypatch):
    monkeypatch.setenv("GENXSOP_CURRENCY", "USD")
    load_all(uow_factory, ADMIN)
    demand_id = small_demand(uow_factory, date(2025, 2, 1))
    with uow_factory() as uow:
        cycle_id = uow.plans.get(demand_id).cycle_id
    cycle.record_decision(uow_factory(), ADMIN, cycle_id, "Hold the plan")
    xlsx_id, pdf_id = meeting_pack.generate_pack(uow_factory, ADMIN, cycle_id)
    book = openpyxl.load_workbook(io.BytesIO(meeting_pack.pack_content(uow_factory(), xlsx_id)[1]))
    pdf = " ".join(flat(p.extract_text()) for p in PdfReader(io.BytesIO(meeting_pack.pack_content(
        uow_factory(), pdf_id)[1])).pages)
    assert "Decided by" in pdf and "decided_by" not in pdf and "scenario_id" not in pdf  # the same labels
    assert "00:00:00" not in pdf

    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title  # the header row stays in view
        headers = [c.value for c in sheet[1]]
        assert not [h for h in headers if h and "_" in str(h)], (sheet.title, headers)  # no snake_case
        for index, header in enumerate(headers, start=1):  # every column at least as wide as its header
            width = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
            assert len(str(header)) < width <= meeting_pack_width_limit(), (sheet.title, header, width)

    plan = book["Demand plan"]
    assert [c.value for c in plan[1]][:5] == ["SKU", "Name", "Family", "Period", "Statistical"]
    periods = _column(plan, "Period")
    assert periods and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in periods)  # no 00:00:00
    assert {c.number_format for c in _column(plan, "Consensus")} == {"#,##0"}
    decided = _column(book["Decisions"], "Decided")
    assert decided[0].is_date and decided[0].number_format == "yyyy-mm-dd hh:mm"  # a moment keeps its time
    policy = book["Inventory policy"]
    assert {c.number_format for c in _column(policy, "Weeks of cover") if c.value is not None} == {"#,##0.0"}
    capacity = book["Capacity"]
    assert {c.number_format for c in _column(capacity, "Utilization") if c.value is not None} == {"0.0%"}
    exceptions = book["Exceptions"]
    money = [c for c in _column(exceptions, "Money at risk (USD)") if c.value is not None]
    assert money and {c.number_format for c in money} == {'"$"#,##0'}  # the currency setting, in the header too
    kpis = book["KPIs"]
    units = {KPIS_BY_LABEL[c.value].unit for c in _column(kpis, "Name")}
    formats = {(KPIS_BY_LABEL[name.value].unit, target.number_format)  # the default targets: every KPI has one
               for name, target in zip(_column(kpis, "Name"), _column(kpis, "Target")) if target.value is not None}
    assert ("percent", "0.0%") in formats and ("ratio", "0.00") in formats and "days" in units
    assert {f for unit, f in formats if unit == "percent"} == {"0.0%"}  # a KPI's value in its own unit


KPIS_BY_LABEL = {spec.label: spec for spec in KPIS.values()}


def meeting_pack_width_limit() -> float:
    from genxsop_core.io.exporter import MAX_WIDTH

    return MAX_WIDTH
