"""The page caches shared by every session never serve figures older than the last commit: through
the runtime functions the pages call (Streamlit's caches work outside `streamlit run`), each
import kind and plan or target write shows at once, and equals a fresh computation; a rerun with
nothing changed is still served from the cache. One AppTest shows it on the Inventory page."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st

from genxsop_core.demand import views as demand_views
from genxsop_core.domain.permissions import Actor
from genxsop_core.inventory.views import compute_view
from genxsop_core.io import exporter, importer
from genxsop_core.kpi import targets as kpi_targets
from genxsop_core.kpi.views import load_kpi_data
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.supply import views as supply_views
from genxsop_ui import runtime
from tests.app.test_inventory_page import inventory_page, shown_safety_stock

ADMIN = Actor("root", ("admin",))
CAPACITY_COLUMNS = ["resource", "period", "load_hours", "capacity_hours", "utilization"]


@pytest.fixture
def app(app_db: str) -> Iterator[str]:
    """The demo database as the app's, with every shared cache empty before and after."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield app_db
    st.cache_resource.clear()
    st.cache_data.clear()


def uow(url: str) -> UnitOfWork:
    return UnitOfWork(get_session_factory(url))


def the_plan(url: str) -> tuple[int, int | None]:
    """The newest demand plan version and the supply version of its cycle (what the pages preselect)."""
    demand_id = int(demand_views.list_versions(uow(url)).id.iloc[0])
    return demand_id, supply_views.supply_version_for(uow(url), demand_id)


def reimport(url: str, kind: str, change) -> None:  # noqa: ANN001 - frame -> frame
    """Export the table of `kind`, change it as a planner would in a spreadsheet, import it back."""
    frame = change(exporter.export_frame(uow(url), kind).copy())
    importer.import_file(uow(url), ADMIN, kind, f"{kind}.csv", exporter.to_csv_bytes(frame))


def test_a_rerun_with_nothing_changed_is_served_from_the_cache(app):
    demand_id, supply_id = the_plan(app)
    assert runtime.plan_data(demand_id, supply_id) is runtime.plan_data(demand_id, supply_id)
    assert runtime.inventory_view(demand_id, supply_id) is runtime.inventory_view(demand_id, supply_id)
    assert runtime.kpi_data() is runtime.kpi_data()


def test_new_service_level_and_moq_show_in_the_inventory_view_at_once(app):
    """Issue 15: the view kept the safety stock and order quantity of before the import."""
    demand_id, supply_id = the_plan(app)
    before = runtime.inventory_view(demand_id, supply_id).policy.set_index("sku")
    sku = before.index[0]
    moq = 3 * float(before.loc[sku, "order_quantity"])

    def new_terms(products: pd.DataFrame) -> pd.DataFrame:
        mine = products.sku == sku
        target = 0.8 if products.loc[mine, "service_level_target"].iloc[0] != 0.8 else 0.9
        products.loc[mine, ["service_level_target", "moq"]] = [target, moq]
        return products

    reimport(app, "products", new_terms)

    shown = runtime.inventory_view(demand_id, supply_id).policy.set_index("sku").loc[sku]
    fresh = compute_view(load_plan_data(uow(app), demand_id, supply_id)).policy.set_index("sku").loc[sku]
    assert shown.safety_stock == pytest.approx(fresh.safety_stock)
    assert shown.order_quantity == pytest.approx(fresh.order_quantity)
    assert shown.safety_stock != pytest.approx(before.loc[sku, "safety_stock"])
    assert shown.order_quantity != pytest.approx(before.loc[sku, "order_quantity"])
    assert shown.order_quantity >= moq


def test_halved_capacities_show_in_the_capacity_check_at_once(app):
    demand_id, supply_id = the_plan(app)
    before = runtime.capacity(demand_id, supply_id, n_draws=50)[CAPACITY_COLUMNS]

    def halved(resources: pd.DataFrame) -> pd.DataFrame:
        return resources.assign(capacity_hours=resources.capacity_hours / 2)

    reimport(app, "resources", halved)

    shown = runtime.capacity(demand_id, supply_id, n_draws=50)[CAPACITY_COLUMNS]
    fresh = supply_views.capacity_check(load_plan_data(uow(app), demand_id, supply_id), 50)[CAPACITY_COLUMNS]
    pd.testing.assert_frame_equal(shown, fresh)
    assert shown.capacity_hours.to_numpy() == pytest.approx(before.capacity_hours.to_numpy() / 2)
    assert shown.utilization.sum() > before.utilization.sum()


def test_new_stock_counts_and_routings_move_the_loaded_plan(app):
    demand_id, supply_id = the_plan(app)
    before = runtime.plan_data(demand_id, supply_id)

    reimport(app, "inventory", lambda stock: stock.assign(on_hand=stock.on_hand + 7))
    after_stock = runtime.plan_data(demand_id, supply_id)
    assert after_stock is not before
    fresh = load_plan_data(uow(app), demand_id, supply_id)
    assert after_stock.on_hand == pytest.approx(fresh.on_hand)
    assert (after_stock.on_hand != before.on_hand).any()

    reimport(app, "routings", lambda routings: routings.assign(hours_per_unit=routings.hours_per_unit * 2))
    after_routings = runtime.plan_data(demand_id, supply_id)
    assert after_routings.hours == pytest.approx(after_stock.hours * 2)


def test_new_actuals_and_a_receipts_import_show_in_the_demand_review_and_the_grid(app):
    demand_id, supply_id = the_plan(app)
    node = demand_views.Node()
    chart = runtime.demand_review(demand_id).chart(node, "units", "week")
    last_actual = chart.dropna(subset=["actual"]).iloc[-1]

    def more_sold(demand: pd.DataFrame) -> pd.DataFrame:
        last = demand.period == demand.period.max()
        return demand.assign(ordered_qty=demand.ordered_qty.where(~last, demand.ordered_qty + 10))

    reimport(app, "demand", more_sold)
    shown = runtime.demand_review(demand_id).chart(node, "units", "week")
    fresh = demand_views.demand_chart(uow(app), demand_id, node, "units", "week")
    pd.testing.assert_frame_equal(shown, fresh)
    assert shown.set_index("period").actual[last_actual.period] > last_actual.actual

    with uow(app) as work:
        working = work.plans.latest_working("supply").id
        skus = sorted(work.supply_plans.skus(working))[:3]
    grid = runtime.receipts_grid(working, skus)
    reimport(app, "supply", lambda supply: supply.assign(planned_receipts=supply.planned_receipts + 1))
    regrid = runtime.receipts_grid(working, skus)
    assert regrid.planned_receipts.to_numpy() == pytest.approx(grid.planned_receipts.to_numpy() + 1)
    assert (regrid.row_version.to_numpy() > grid.row_version.to_numpy()).all()  # the lock tokens move too


def test_a_new_kpi_target_shows_in_the_scorecard_data_at_once(app):
    before = runtime.kpi_data().targets
    kpi_targets.set_target(uow(app), ADMIN, "fill_rate", "total", "", 0.991, 0.97, 0.9)
    shown = runtime.kpi_data().targets
    pd.testing.assert_frame_equal(shown, load_kpi_data(uow(app)).targets)
    assert not shown.equals(before)


def test_the_inventory_page_shows_the_new_safety_stock_on_the_next_rerun(app):
    """The same check in the app: a session that had the page open reruns and reads the new figure."""
    at = inventory_page()
    sku, safety_stock = shown_safety_stock(at)

    def lower_service(products: pd.DataFrame) -> pd.DataFrame:
        current = float(products.loc[products.sku == sku, "service_level_target"].iloc[0])
        products.loc[products.sku == sku, "service_level_target"] = 0.8 if current != 0.8 else 0.9
        return products

    reimport(app, "products", lower_service)
    at.run()
    assert not at.exception, at.exception
    demand_id = at.selectbox(key="inv_version").value
    fresh = compute_view(load_plan_data(uow(app), demand_id, supply_views.supply_version_for(uow(app), demand_id)))
    expected = fresh.policy.set_index("sku").safety_stock[sku]
    assert shown_safety_stock(at) == (sku, f"{expected:,.0f}")
    assert f"{expected:,.0f}" != safety_stock
