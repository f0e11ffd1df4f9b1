"""End to end in headless Chromium: a demand planner overrides one week in the real override grid.

How the grid is driven (a canvas: click, arrow keys, Enter opens an editor; read back from its
accessibility table) is in browser_helpers.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e import browser_helpers as grids
from tests.e2e.browser_helpers import live, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

COLUMNS = ["item", "period", "statistical", "override", "consensus", "reason", "comment", "author"]
SKU = "BEV-JUI-003"


def override_grid(page, nonce: int):
    """The override grid; the page gives it a new key (a fresh grid from the database) after each save."""
    return grids.data_grid(page, f"dm_grid_{nonce}")


def cell(grid, column: str, row: int = 0):
    return grids.cell(grid, COLUMNS, column, row)


def select_cell(page, grid, column: str) -> None:
    grids.select_cell(page, grid, COLUMNS, column)


def edit_text_cell(page, grid, column: str, text: str) -> None:
    grids.edit_text_cell(page, grid, COLUMNS, column, text)


def consensus_units(page) -> int:
    value = live(page).get_by_test_id("stMetric").filter(has_text="Consensus, units").get_by_test_id("stMetricValue")
    return int(value.inner_text().replace(",", ""))


# the picker shows each reason code with its description; the grid's cell holds the code
PROMO = re.compile(r"^PROMO · ")


def test_demand_planner_overrides_a_week_in_the_grid_and_saves_it(page):
    from playwright.sync_api import expect

    sign_in(page, "demand")
    page.get_by_role("link", name="Demand review").click()
    expect(page.get_by_role("heading", name="Demand review").first).to_be_visible()
    page.get_by_role("combobox", name="Family").click()
    page.get_by_role("option", name="Juice", exact=True).click()
    page.get_by_role("combobox", name="SKU").click()
    page.get_by_role("option", name=re.compile(rf"^{SKU} ")).click()
    expect(live(page).locator(".js-plotly-plot").filter(has_text=SKU)).to_be_visible()  # the chart's title

    grid = override_grid(page, 0)
    expect(cell(grid, "item")).to_have_text(SKU)  # the grid comes after the metrics: they are this SKU's too
    expect(cell(grid, "author")).to_have_text("")  # the draft's first week has no override yet
    before = consensus_units(page)
    first_week = float(cell(grid, "consensus").text_content())

    edit_text_cell(page, grid, "override", "250")
    expect(live(page).get_by_role("button", name="Save 1 change")).to_be_enabled()
    select_cell(page, grid, "reason")
    page.keyboard.press("Enter")  # opens the reason codes' dropdown
    page.get_by_test_id("portal").get_by_role("option", name=PROMO).click()
    expect(cell(grid, "reason")).to_have_text("PROMO")  # the grid's accessibility table: the value
    edit_text_cell(page, grid, "comment", "Retailer feature week")

    live(page).get_by_role("button", name="Save 1 change").click()
    expect(page.get_by_text("Saved: 1 SKU-period cell changed.")).to_be_visible()
    saved = override_grid(page, 1)  # reloaded from the database
    expect(cell(saved, "consensus")).to_have_text("250")
    expect(cell(saved, "author")).to_have_text("demand")
    expect(cell(saved, "reason")).to_have_text("PROMO")
    expect(cell(saved, "comment")).to_have_text("Retailer feature week")
    after = consensus_units(page)
    assert after != before
    assert abs(after - (before - first_week + 250)) <= 1, (before, first_week, after)  # the metric is rounded

    page.set_viewport_size({"width": 1400, "height": 1800})  # message, metrics, chart and grid in one picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demand-review.png"))
