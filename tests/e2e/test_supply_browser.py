"""End to end in headless Chromium: a supply planner changes one planned receipt in the real
receipts grid of the Supply review and saves it (grid driving: browser_helpers)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e import browser_helpers as grids
from tests.e2e.browser_helpers import choose, live, rendered, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

COLUMNS = ["sku", "period", "planned_receipts", "kind", "firm", "comment", "author"]
SKU = "BEV-JUI-001"
VISIBLE_ROWS = 8  # rows of the grid in view without scrolling it


def receipts_grid(page, nonce: int):
    """The receipts grid; the page gives it a new key (a fresh grid from the database) after each save."""
    return grids.data_grid(page, f"sp_grid_{nonce}")


def cell(grid, column: str, row: int):
    return grids.cell(grid, COLUMNS, column, row)


def first_open_row(grid) -> int:
    """The first visible row that is not a released (firm) order: only those change in the plan."""
    from playwright.sync_api import expect

    for row in range(VISIBLE_ROWS):
        firm = cell(grid, "firm", row)
        expect(firm).to_have_text(re.compile(r"^(true|false)$"))
        if firm.text_content() == "false":
            return row
    raise AssertionError(f"{SKU} has no open (non-firm) receipt among its first {VISIBLE_ROWS} periods")


def test_supply_planner_changes_a_planned_receipt_in_the_grid_and_saves_it(page):
    from playwright.sync_api import expect

    sign_in(page, "supply")
    page.get_by_role("link", name="Supply review").click()
    expect(page.get_by_role("heading", name="Supply review").first).to_be_visible()
    rendered(page, page.get_by_role("combobox", name="Family"))  # the tiles, then the receipts tab's pickers
    choose(page, "Family", "Juice")
    choose(page, "SKU", re.compile(rf"^{SKU} "))
    expect(live(page).locator(".js-plotly-plot").filter(has_text=SKU)).to_be_visible()  # the chart's title

    grid = receipts_grid(page, 0)
    expect(cell(grid, "sku", 0)).to_have_text(SKU)  # the grid shows the chosen SKU only
    row = first_open_row(grid)
    period = cell(grid, "period", row).text_content()
    current = float(cell(grid, "planned_receipts", row).text_content() or 0)
    new_value = str(int(current) + 1234)

    grids.edit_text_cell(page, grid, COLUMNS, "planned_receipts", new_value, row)
    save = live(page).get_by_role("button", name="Save 1 change")
    expect(save).to_be_enabled()
    save.click()
    expect(page.get_by_text("Saved: 1 cell changed.")).to_be_visible()
    saved = receipts_grid(page, 1)  # reloaded from the database
    expect(cell(saved, "period", row)).to_have_text(period)
    expect(cell(saved, "planned_receipts", row)).to_have_text(new_value)
    expect(cell(saved, "author", row)).to_have_text("supply")
    expect(live(page).get_by_role("button", name="Save 0 changes")).to_be_disabled()

    page.set_viewport_size({"width": 1400, "height": 1800})  # message, tiles, chart and grid in one picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "supply-review.png"))
