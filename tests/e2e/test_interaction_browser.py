"""Interaction fixes of issue 16 where only a browser shows them: the S&OP cycle's Actions tab stays
open after an action is added (the open tab lived in the browser, which reopened the first tab when
the page above changed), and a page's address opened by a role that may not see it says so."""
from __future__ import annotations

import pytest

from tests.e2e.browser_helpers import live, open_page, rendered, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_actions_tab_stays_open_after_adding_an_action(page):
    from playwright.sync_api import expect

    sign_in(page, "coordinator")
    open_page(page, "S&OP cycle")
    actions = page.get_by_role("tab", name="Actions")
    actions.click()
    expect(actions).to_have_attribute("aria-selected", "true")
    field = live(page).get_by_role("textbox", name="Action")
    field.fill("Confirm the co-packer slot")
    field.press("Tab")  # typing reruns the page
    live(page).get_by_role("button", name="Add the action").click()
    rendered(page, page.get_by_text("Action added."))
    expect(page.get_by_role("tab", name="Actions")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Decisions")).to_have_attribute("aria-selected", "false")


def test_the_admin_address_tells_a_viewer_who_it_is_for(page, app_server):
    from playwright.sync_api import expect

    sign_in(page, "viewer")
    page.goto(f"{app_server}/admin")
    expect(page.get_by_text("Admin is for administrators")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
