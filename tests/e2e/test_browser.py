"""End to end in headless Chromium: sign in through the real form, import a CSV, see it land."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.browser_helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_demand_planner_imports_a_csv_and_sees_the_result(page, tmp_path):
    from playwright.sync_api import expect

    expect(page.get_by_text("genxsop-demo").first).to_be_visible()  # demo logins on the login page
    sign_in(page, "demand")
    expect(page.get_by_role("heading", name="Dashboard").first).to_be_visible()  # the landing page
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview").first).to_be_visible()
    expect(page.get_by_text("Inventory value").first).to_be_visible()
    page.locator(".js-plotly-plot").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"))

    page.get_by_role("link", name="Data").click()
    expect(page.get_by_role("heading", name="Data").first).to_be_visible()
    # a week far beyond the demo history, so the import is visibly new
    csv = tmp_path / "next_week.csv"
    csv.write_text("sku,period,ordered_qty,promo\nBEV-COF-001,2031-06-02,321,1\nBEV-COF-002,2031-06-02,45,0\n")
    page.locator("input[type=file]").first.set_input_files(str(csv))
    expect(page.get_by_text("next_week.csv: 2 rows, all valid").first).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text(re.compile(r"next_week\.csv: 2 rows of demand actuals - 2 new")).first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "data-import.png"))

    # the rows are in the database: the export tab shows them
    page.get_by_role("tab", name="Export").click()
    page.get_by_label("Table").click()
    page.get_by_role("option", name="Demand actuals").click()
    expect(page.get_by_text(re.compile(r"18,675 rows")).first).to_be_visible()


def test_viewer_cannot_import_stays_signed_in_on_reload_and_signs_out(page):
    from playwright.sync_api import expect

    sign_in(page, "viewer")
    page.get_by_role("link", name="Data").click()
    expect(page.get_by_role("tab", name="Export").first).to_be_visible()
    expect(page.get_by_role("tab", name="Import")).to_have_count(0)
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)

    page.reload()  # the signed cookie logs the viewer back in without the form
    expect(page.get_by_text("Vic Viewer").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("textbox", name="Username").first).to_be_visible()
    # the sign-in cookie is deleted by the browser-side cookie component, just after the form shows;
    # on a loaded CI machine its frame can take more than 10 s to load (a CI run failed at 10 s)
    for _ in range(300):
        if not any(c["name"] == "genxsop_auth" for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    assert not any(c["name"] == "genxsop_auth" for c in page.context.cookies()), "Sign out left the cookie"
    page.reload()  # the cookie is gone: still signed out
    expect(page.get_by_role("textbox", name="Username").first).to_be_visible()


def test_planner_runs_a_forecast_in_the_background_and_reads_the_fan_chart(page):
    from playwright.sync_api import expect

    sign_in(page, "demand")
    page.get_by_role("link", name="Forecasting").click()
    expect(page.get_by_role("heading", name="Forecasting").first).to_be_visible()
    page.get_by_text("Families", exact=True).click()
    page.get_by_role("combobox", name="Which").click()
    page.get_by_role("option", name="Juice").click()
    page.keyboard.press("Escape")
    page.get_by_role("combobox", name="Model").click()
    page.get_by_role("option", name="ETS", exact=True).click()
    page.get_by_role("button", name="Run forecast").click()
    expect(page.get_by_text(re.compile(r"Run \d+ started")).first).to_be_visible()
    expect(page.get_by_role("progressbar").first).to_be_visible()  # the live progress of the background run
    page.get_by_role("tab", name="Results").click()
    expect(page.get_by_text("Model: ETS").first).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Model leaderboard").first).to_be_visible()
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "forecasting.png"), full_page=True)
