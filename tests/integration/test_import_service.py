"""Import services on a real database (SQLite, and PostgreSQL where reachable)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.exceptions import PermissionDenied, ValidationFailed
from genxsop_core.domain.models import Base
from genxsop_core.domain.permissions import Actor
from genxsop_core.io import exporter, importer
from genxsop_core.persistence.repositories import AuditFilter
from tests.conftest import actor_with

PRODUCTS = (b"sku,name,category,family,unit_cost,unit_price,lead_time_days,moq\n"
            b"A-1,Apple juice,Beverages,Juice,1.0,2.0,14,10\n"
            b"A-2,Orange juice,Beverages,Juice,1.2,2.4,14,10\n"
            b"B-1,Crisps,Snacks,Salty,0.5,1.5,7,50\n")
RESOURCES = b"resource,name,capacity_hours\nLINE-1,Filling line,80\n"
ROUTINGS = b"sku,resource,hours_per_unit\nA-1,LINE-1,0.01\nA-2,LINE-1,0.02\n"
DEMAND = (b"sku,period,ordered_qty,shipped_qty,promo\n"
          b"A-1,2025-01-06,100,95,0\nA-1,2025-01-13,120,120,1\nB-1,2025-01-06,40,40,0\n")
SUPPLY = b"sku,period,planned_receipts,kind,firm\nA-1,2025-02-03,500,make,1\nB-1,2025-02-03,200,buy,0\n"
INVENTORY = b"sku,snapshot_date,on_hand\nA-1,2025-01-19,300\nB-1,2025-01-19,80\n"


def load_all(uow_factory, actor: Actor) -> None:
    for kind, content in (("products", PRODUCTS), ("resources", RESOURCES), ("routings", ROUTINGS),
                          ("demand", DEMAND), ("supply", SUPPLY), ("inventory", INVENTORY)):
        importer.import_file(uow_factory(), actor, kind, f"{kind}.csv", content)


def table_counts(database_url: str) -> dict[str, int]:
    from genxsop_core.persistence.db import get_engine

    with get_engine(database_url).connect() as connection:
        return {name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in Base.metadata.tables.items()}


def test_import_all_kinds_and_export_round_trip(uow_factory, admin):
    load_all(uow_factory, admin)
    demand = exporter.export_frame(uow_factory(), "demand")
    assert list(demand.sku) == ["A-1", "A-1", "B-1"]
    assert list(demand.shipped_on_time_in_full_qty) == [95.0, 120.0, 40.0]  # defaulted to shipped
    supply = exporter.export_frame(uow_factory(), "supply")
    assert list(supply.planned_receipts) == [500.0, 200.0] and list(supply.kind) == ["make", "buy"]
    routings = exporter.export_frame(uow_factory(), "routings")
    assert list(routings.resource) == ["LINE-1", "LINE-1"]


def test_importing_the_same_file_twice_does_not_double_the_data(uow_factory, admin, database_url):
    load_all(uow_factory, admin)
    before = table_counts(database_url)
    again = importer.import_file(uow_factory(), admin, "demand", "demand.csv", DEMAND)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    after = table_counts(database_url)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}


def test_reimport_updates_changed_rows_and_audits_before_and_after(uow_factory, admin):
    load_all(uow_factory, admin)
    changed = DEMAND.replace(b"A-1,2025-01-06,100,95,0", b"A-1,2025-01-06,110,95,0")
    result = importer.import_file(uow_factory(), admin, "demand", "demand-v2.csv", changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    record = search_audit(uow_factory(), admin, AuditFilter(action="import", key_contains="demand-v2"))[0]
    assert record.username == admin.username and record.entity == "demand"
    assert record.before["rows"] == [{"product_id": record.after["rows"][0]["product_id"],
                                      "period": "2025-01-06", "ordered_qty": 100.0}]
    assert record.after["rows"][0]["ordered_qty"] == 110.0 and record.after["updated"] == 1


def test_supply_reimport_bumps_the_row_version(uow_factory, admin):
    load_all(uow_factory, admin)
    importer.import_file(uow_factory(), admin, "supply", "s.csv", SUPPLY.replace(b"500", b"600"))
    with uow_factory() as uow:
        versions = uow.session.execute(sa.text(
            "select planned_receipts, row_version from supply_plan order by planned_receipts")).all()
    assert [tuple(v) for v in versions] == [(200.0, 1), (600.0, 2)]


def test_a_failing_import_leaves_every_table_as_it_was(uow_factory, admin, database_url):
    load_all(uow_factory, admin)
    before = table_counts(database_url)
    exported_before = exporter.export_frame(uow_factory(), "demand")
    bad = DEMAND + b"A-1,2025-01-20,-5,0,0\nNOPE,2025-01-20,5,5,0\n"
    with pytest.raises(ValidationFailed) as caught:
        importer.import_file(uow_factory(), admin, "demand", "bad.csv", bad)
    assert [(i.row, i.column) for i in caught.value.issues] == [(5, "ordered_qty"), (6, "sku")]
    assert table_counts(database_url) == before
    assert exporter.export_frame(uow_factory(), "demand").equals(exported_before)


def test_a_database_error_mid_import_rolls_back_everything(uow_factory, admin, database_url, monkeypatch):
    load_all(uow_factory, admin)
    before = table_counts(database_url)

    def explode(self, model, rows):
        raise sa.exc.OperationalError("UPDATE", {}, Exception("disk full"))

    monkeypatch.setattr("genxsop_core.persistence.repositories.TableRepository.update_many", explode)
    changed = DEMAND.replace(b"100,95", b"101,95") + b"B-1,2025-01-13,1,1,0\n"
    with pytest.raises(sa.exc.OperationalError):
        importer.import_file(uow_factory(), admin, "demand", "d.csv", changed)
    assert table_counts(database_url) == before


@pytest.mark.parametrize("role, kind, allowed", [
    ("viewer", "demand", False), ("executive", "products", False), ("demand_planner", "demand", True),
    ("demand_planner", "inventory", False), ("supply_planner", "inventory", True),
])
def test_import_permission_is_checked_in_the_service(uow_factory, admin, database_url, role, kind, allowed):
    load_all(uow_factory, admin)
    content = {"demand": DEMAND.replace(b"100,95", b"99,95"), "inventory": INVENTORY.replace(b"300", b"1"),
               "products": PRODUCTS.replace(b"Crisps", b"Chips")}[kind]
    before = table_counts(database_url)
    if allowed:
        assert importer.import_file(uow_factory(), actor_with(role), kind, "f.csv", content).updated == 1
    else:
        with pytest.raises(PermissionDenied):
            importer.import_file(uow_factory(), actor_with(role), kind, "f.csv", content)
        assert table_counts(database_url) == before


def test_unknown_sku_before_products_exist(uow_factory, admin):
    with pytest.raises(ValidationFailed, match="unknown SKU 'A-1'"):
        importer.import_file(uow_factory(), admin, "demand", "d.csv", DEMAND)


def test_xlsx_import_equals_csv_import(uow_factory, admin):
    load_all(uow_factory, admin)
    frame = exporter.export_frame(uow_factory(), "products")
    frame.loc[frame.sku == "B-1", "unit_price"] = 1.75
    content = exporter.encode(frame, "xlsx", "Products")
    result = importer.import_file(uow_factory(), admin, "products", "p.xlsx", content)
    assert (result.updated, result.unchanged) == (1, 2)


def test_overview_counts_what_was_imported(uow_factory, admin):
    from genxsop_core.admin.overview import data_overview, demand_history

    load_all(uow_factory, admin)
    overview = data_overview(uow_factory())
    assert (overview.skus, overview.categories, overview.families) == (3, 2, 2)
    assert (overview.resources, overview.routings, overview.demand_rows, overview.history_buckets) == (1, 2, 3, 2)
    assert overview.inventory_value == pytest.approx(300 * 1.0 + 80 * 0.5)
    assert overview.open_supply_units == 700
    history = demand_history(uow_factory(), "category")
    assert history.groupby("unique_id").y.sum().to_dict() == {"Beverages": 220.0, "Snacks": 40.0}
