"""End to end in headless Chromium: a demand planner overrides one week in the real override grid.

The grid is st.data_editor (Glide Data Grid): the cells are painted on a canvas, so the test
selects a cell by clicking inside the grid (first column, first data row) and moves with the
arrow keys; Enter opens the cell's editor (an overlay in the page's "portal"), which is then
filled like any input. What the grid holds is read back from its hidden accessibility table
(`data-testid="glide-cell-<column>-<row>"`, the text of the cell's value).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

HEADER_PX, ROW_PX = 35, 35  # Streamlit's dataframe header and row height
COLUMNS = ["item", "period", "statistical", "override", "consensus", "reason", "comment", "author"]
SKU = "BEV-JUI-003"
COOKIE_NAME = "genxsop_auth"  # app/genxsop_ui/auth.py


class SentFrames:
    """What the page sends the app over its websocket (Streamlit's rerun requests with the widget values).

    The login cookie manager is an iframe component: it reports the browser's cookies as a component
    value, and each report reruns the script. A click sent just before such a report is lost: the report
    carries the widget values (and the page) from before the click, and its rerun replaces the click's.
    That happens to a sign-in sent before the first report and to a navigation sent before the report of
    the new login cookie, so the test waits for each report first (a user rarely clicks that fast).
    """

    def __init__(self, page) -> None:
        self.page = page
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framesent", self._add))
        page.reload()  # the page fixture opened the websocket before this listener existed

    def _add(self, payload: bytes | str) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def wait_for(self, pattern: bytes, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(re.search(pattern, frame) for frame in self.frames):
            assert time.monotonic() < deadline, f"the page never sent {pattern!r}"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket events


def sign_in(page, username: str, password: str = "genxsop-demo") -> None:
    from playwright.sync_api import expect

    sent = SentFrames(page)
    expect(page.get_by_text("genxsop-demo").first).to_be_visible()
    sent.wait_for(rb"\$\$ID-[0-9a-f]+-init")  # the cookie manager's first report (its widget key is "init")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    sent.wait_for(COOKIE_NAME.encode())  # the cookie manager has reported the new login cookie


def live(page):
    """Elements of the latest script run: a rerun can leave stale copies (data-stale="true") for a moment."""
    return page.locator('[data-testid="stElementContainer"][data-stale="false"]')


def override_grid(page, nonce: int):
    """The override grid; the page gives it a new key (a fresh grid from the database) after each save."""
    return page.locator(f'.st-key-dm_grid_{nonce}[data-stale="false"]').get_by_test_id("stDataFrame")


def cell(grid, column: str, row: int = 0):
    return grid.get_by_test_id(f"glide-cell-{COLUMNS.index(column)}-{row}")


def select_cell(page, grid, column: str) -> None:
    """Select a cell of the first data row: click its first column, then arrow right."""
    grid.get_by_test_id("stDataFrameResizable").click(position={"x": 20, "y": HEADER_PX + ROW_PX / 2})
    for _ in range(COLUMNS.index(column)):
        page.keyboard.press("ArrowRight")


def edit_text_cell(page, grid, column: str, text: str) -> None:
    from playwright.sync_api import expect

    select_cell(page, grid, column)
    page.keyboard.press("Enter")  # opens the editor; typing straight away loses keys before it has focus
    editor = page.get_by_test_id("portal").locator(".gdg-clip-region").locator("input, textarea")
    expect(editor).to_be_visible()
    editor.fill(text)
    page.keyboard.press("Enter")
    expect(cell(grid, column)).to_have_text(text)


def consensus_units(page) -> int:
    value = live(page).get_by_test_id("stMetric").filter(has_text="Consensus, units").get_by_test_id("stMetricValue")
    return int(value.inner_text().replace(",", ""))


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
    expect(live(page).get_by_role("button", name="Save 1 change(s)")).to_be_enabled()
    select_cell(page, grid, "reason")
    page.keyboard.press("Enter")  # opens the reason codes' dropdown
    page.get_by_test_id("portal").get_by_role("option", name="PROMO", exact=True).click()
    expect(cell(grid, "reason")).to_have_text("PROMO")
    edit_text_cell(page, grid, "comment", "Retailer feature week")

    live(page).get_by_role("button", name="Save 1 change(s)").click()
    expect(page.get_by_text("Saved: 1 SKU-period cell(s) changed.")).to_be_visible()
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
