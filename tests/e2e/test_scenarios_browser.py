"""End to end in headless Chromium: an executive opens the What-if scenarios, moves the real
"Demand change" slider in the sidebar with the keyboard and reads the Revenue metric change."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser_helpers import MONEY, live, lower_demand_and_see_revenue_fall, rendered, sign_in, strip_metric

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STEPS = 10  # ArrowLeft presses: the slider moves 1% a press, so Demand change ends at -10%


def test_executive_moves_the_demand_slider_and_the_revenue_changes(page):
    from playwright.sync_api import expect

    sign_in(page, "executive")
    page.get_by_role("link", name="Scenarios").click()
    expect(page.get_by_role("heading", name="What-if scenarios").first).to_be_visible()
    lower_demand_and_see_revenue_fall(page, page.get_by_test_id("stSidebar"), STEPS)
    assert not live(page).get_by_test_id("stException").count()

    page.set_viewport_size({"width": 1400, "height": 1400})  # sliders, the strip and the charts in one picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scenarios.png"))


def test_the_delta_strip_shows_its_figures_whole_on_a_laptop_screen(page):
    from playwright.sync_api import expect

    sign_in(page, "executive")
    page.get_by_role("link", name="Scenarios").click()
    revenue = strip_metric(page, "Revenue").get_by_test_id("stMetricValue")
    rendered(page, revenue)
    expect(revenue).to_have_text(MONEY)  # the full figure is in the page...
    text = revenue.get_by_test_id("stMarkdownContainer")
    needed, box = text.evaluate("e => [e.scrollWidth, e.clientWidth]")  # ...but is it drawn whole?
    assert needed <= box, f"Revenue {text.inner_text()!r} needs {needed} px and gets {box}: it shows cut off with '…'"
