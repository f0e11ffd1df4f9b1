"""End to end in headless Chromium: a supply planner balances the plan on the Supply review, reads
the plan now and balanced, and accepts one SKU's balanced receipts into the draft supply plan.

One SKU, not all: the app server is shared by the session's browser tests, and the other tests
read the demo's plan as seeded."""
from __future__ import annotations

import re

import pytest

from tests.e2e.browser_helpers import live, rendered, settled, sign_in, strip_metric

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def balanced_metric(page, label: str):
    """The balance's metric called `label`: the one with a change (the page's tiles above have none)."""
    return strip_metric(page, label).filter(has=page.get_by_test_id("stMetricDelta"))


def test_supply_planner_balances_the_plan_and_accepts_one_sku(page):
    from playwright.sync_api import expect

    sign_in(page, "supply")
    page.get_by_role("link", name="Supply review").click()
    expect(page.get_by_role("heading", name="Supply review").first).to_be_visible()
    rendered(page, page.get_by_role("tab", name="Balance the plan"))
    page.get_by_role("tab", name="Balance the plan").click()
    balance = live(page).get_by_role("button", name="Balance the plan")
    expect(balance).to_be_visible()
    balance.click()

    overloads = balanced_metric(page, "Overloaded resource-periods")
    expect(overloads.get_by_test_id("stMetricValue")).to_have_text("0")  # the seeded plan is overloaded now
    expect(overloads.get_by_test_id("stMetricDelta")).to_have_text(re.compile(r"^-\d"))
    expect(balanced_metric(page, "Fill rate")).to_be_visible()
    expect(balanced_metric(page, "Overtime hours (now: hours above capacity)")).to_be_visible()
    expect(live(page).get_by_text(re.compile(r"^Changes \(\d[\d,]* cells of \d+ SKUs"))).to_be_visible()
    settled(page)

    picker = live(page).get_by_role("combobox", name="SKUs to accept")
    picker.click()
    picker.press("ArrowDown")  # the list opens on a key when the click only focused it
    option = page.get_by_role("option", name=re.compile(r" · ")).first  # an SKU, not "Select all"
    expect(option).to_be_visible()
    sku = option.inner_text().split(" · ")[0].strip()
    option.click()
    page.keyboard.press("Escape")
    accept = live(page).get_by_role("button", name="Accept 1 SKU")
    expect(accept).to_be_enabled()
    accept.click()
    expect(page.get_by_text(re.compile(r"^Accepted the balanced receipts of 1 SKU: \d+ cells? changed\.$"))) \
        .to_be_visible()
    settled(page)
    page.get_by_role("tab", name="Balance the plan").click()
    picker = live(page).get_by_role("combobox", name="SKUs to accept")
    picker.click()
    picker.press("ArrowDown")
    expect(page.get_by_role("option", name=re.compile(r" · ")).first).to_be_visible()
    expect(page.get_by_role("option", name=re.compile(rf"^{re.escape(sku)} "))).to_have_count(0)  # nothing left
