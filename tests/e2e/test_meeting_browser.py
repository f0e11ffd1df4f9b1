"""End to end in headless Chromium: the coordinator presents Meeting mode, walks the five agenda
steps with Next, moves the real "Demand change" slider of the scenario step with the keyboard and
reads the Revenue metric change, then records a decision on the last step and finds it in the table."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.e2e import browser_helpers as grids
from tests.e2e.browser_helpers import live, lower_demand_and_see_revenue_fall, rendered, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AGENDA = ("KPIs against targets", "Demand review", "Supply review and capacity", "Scenarios", "Decisions")
STEPS = 10  # ArrowLeft presses: the slider moves 1% a press, so Demand change ends at -10%
DECISION_COLUMNS = ["id", "text", "scenario_id", "decided_by", "decided_at"]


def step_heading(page, step: int):
    """The heading "### <cycle> · i/5 · <step>" of the latest script run."""
    # "\/": Playwright writes the pattern into its selector between slashes
    title = re.compile(rf"^S&OP \d{{4}}-\d{{2}} · {step}\/5 · {re.escape(AGENDA[step - 1])}$")
    return live(page).get_by_role("heading", name=title)


def decisions_table(page):
    """The decisions dataframe (a dataframe gets no st-key class: found by its "Decided by" column)."""
    header = page.locator('th[role="columnheader"]').filter(has_text=re.compile(r"^Decided by$"))
    return live(page).get_by_test_id("stDataFrame").filter(has=header)


def test_coordinator_walks_the_meeting_moves_a_scenario_and_records_a_decision(page):
    from playwright.sync_api import expect

    sign_in(page, "coordinator")
    page.get_by_role("link", name="Meeting mode").click()
    previous = live(page).get_by_role("button", name="◀ Previous")
    following = live(page).get_by_role("button", name="Next ▶")
    rendered(page, step_heading(page, 1))
    expect(previous).to_be_disabled()
    for step in range(2, 6):
        expect(following).to_be_enabled()
        following.click()
        rendered(page, step_heading(page, step))
        if step == 4:
            lower_demand_and_see_revenue_fall(page, live(page), STEPS)
    expect(following).to_be_disabled()
    expect(previous).to_be_enabled()

    text = f"Hold the -{STEPS}% demand case for the co-packer talks ({time.time_ns() % 10**6})"
    field = live(page).get_by_role("textbox", name="Decision, captured on the spot")
    field.fill(text)
    live(page).get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    rendered(page, step_heading(page, 5))  # the page stays on the decisions step
    decisions = decisions_table(page)
    column = DECISION_COLUMNS.index("text")
    recorded = decisions.locator(f'[data-testid^="glide-cell-{column}-"]').filter(
        has_text=re.compile(rf"^{re.escape(text)}$"))
    expect(recorded).to_have_count(1)
    row = int(recorded.get_attribute("data-testid").rsplit("-", 1)[1])
    expect(grids.cell(decisions, DECISION_COLUMNS, "decided_by", row)).to_have_text("coordinator")
    assert not live(page).get_by_test_id("stException").count()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-mode.png"), full_page=True)
