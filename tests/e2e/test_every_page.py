"""Every page for every demo role in headless Chromium, read as a planner reads it (issue 16).

Each role signs in once and opens every page its menu offers (app/genxsop_ui/navigation.py), then
every tab of the page (and every step of Meeting mode); the walk fails, naming role, page and the
text, on what a planner should never see: snake_case column headers or tile labels, "None"/"nan"
values, markdown left as text, numbers above 9,999 without thousands separators, plurals written
"(s)", a tile figure cut off, an exception or "Page not found". On Demand review (All products) the
"Consensus vs last cycle's plan" figure of the weekly and the monthly view must agree in sign: both
compare the same plans.

It walks the e2e session's app (tests/e2e/conftest.py: one app for all browser tests): the demo as
the tests collected before it leave it (test_browser imports two rows, test_demand_browser overrides
one week: nothing the walk flags); run it alone for the untouched demo.

Grids are read as drawn on their canvas (browser_helpers.grid_as_drawn), the first screenful of rows.
With GENXSOP_SCREENSHOTS set to a folder the walk also saves <folder>/<page>.png, one per page at
1440x900 as the page opens (docs/screenshots.py runs it that way for docs/features.md).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from genxsop_core.bootstrap import DEMO_USERS
from genxsop_ui.navigation import PageSpec, pages_for
from tests.e2e.browser_helpers import grid_as_drawn, live, open_page, settled, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("GENXSOP_SCREENSHOTS")
VIEWPORT = {"width": 1440, "height": 900}  # a laptop screen: the size of the docs' screenshots

SNAKE_CASE = re.compile(r"[a-z]+_[a-z]+")
MISSING = re.compile(r"(?<![\w'])(None|nan|NaN|NaT|<NA>)(?![\w'])")
# markdown Streamlit would have drawn: colour and icon directives, bold, links, code
MARKDOWN = re.compile(r":(?:red|orange|green|blue|violet|gray|grey|rainbow|primary)\[|:material/|\*\*|\]\(|`")
HEDGED_PLURAL = re.compile(r"\w+\(s\)")  # "6 demo account(s)", "Save 1 change(s)": the plural is known
# a whole number of five or more digits, alone (not part of a code, a decimal's fraction, a hash or a time)
UNSEPARATED = re.compile(r"(?<![\w.,:/])[-+−]?\d{5,}(?:\.\d+)?(?![\w])")
# a visible tile's figure and the width it needs and gets: more needed than given shows it cut off with "…"
CUT_OFF = """values => values.filter(value => value.offsetParent !== null).map(value => {
  const text = value.querySelector('[data-testid="stMarkdownContainer"]') || value;
  return [value.innerText, text.scrollWidth, text.clientWidth];
})"""
LAST_CYCLE = re.compile(r"^Consensus vs last cycle")
SIGNED_PERCENT = re.compile(r"^([+\-−]?)(\d+(?:\.\d+)?)%$")


class Findings:
    """What the walk found, one line each: role · page · what · the offending text."""

    def __init__(self, role: str) -> None:
        self.role, self.page, self.lines = role, "", []

    def add(self, what: str, text: str) -> None:
        line = f"{self.role} · {self.page} · {what}: {text[:160]!r}"
        if line not in self.lines:
            self.lines.append(line)


def context_of(text: str, match: re.Match, width: int = 40) -> str:
    return text[max(0, match.start() - width):match.end() + width].replace("\n", " ⏎ ")


def check_text(findings: Findings, where: str, text: str) -> None:
    """Missing values, literal markdown, numbers without separators and tracebacks in a text."""
    for pattern, what in ((MISSING, "missing value shown"), (MARKDOWN, "markdown shown as text"),
                          (UNSEPARATED, "number without thousands separators"),
                          (HEDGED_PLURAL, "plural written as (s)")):
        for match in pattern.finditer(text):
            findings.add(f"{what} ({where})", context_of(text, match))
    for failure in ("Traceback", "Page not found"):
        if failure in text:
            findings.add(f"failure ({where})", context_of(text, re.search(failure, text)))


def check_screen(page, findings: Findings) -> None:
    """Everything visible now: texts, tile labels, table headers and the first screenful of each grid."""
    for exception in live(page).get_by_test_id("stException").all():
        if exception.is_visible():
            findings.add("exception", exception.inner_text())
    for area in ("stMain", "stSidebar"):
        check_text(findings, "text", page.get_by_test_id(area).inner_text())
    for label in live(page).get_by_test_id("stMetricLabel").all():
        if label.is_visible() and SNAKE_CASE.search(text := label.inner_text()):
            findings.add("snake_case tile label", text)
    for text, needed, box in live(page).get_by_test_id("stMetricValue").evaluate_all(CUT_OFF):
        if needed > box:
            findings.add(f"tile figure cut off ({needed} px in {box} px)", text)
    for header in live(page).get_by_test_id("stTable").locator("th").all():
        if header.is_visible() and SNAKE_CASE.search(text := header.inner_text()):
            findings.add("snake_case table header", text)
    for grid in live(page).get_by_test_id("stDataFrame").all():
        if not grid.is_visible():
            continue
        headers, rows = grid_as_drawn(grid)
        for header in headers:
            if SNAKE_CASE.search(header):
                findings.add("snake_case column header", header)
        for row in rows:
            for header, value in zip(headers, row):
                check_text(findings, f"grid column {header!r}", value)


def check_tabs(page, findings: Findings) -> None:
    """Each tab of the page in turn (switching tabs does not rerun the script)."""
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        if tab.is_visible() and tab.get_attribute("aria-selected") != "true":
            tab.click()
            settled(page, quiet_ms=150)
            check_screen(page, findings)


def last_cycle_change(page) -> str | None:
    """The value of the "Consensus vs last cycle's plan" tile (its label names the shared periods), if shown."""
    label = page.get_by_test_id("stMetricLabel").filter(has_text=LAST_CYCLE)
    value = live(page).get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")
    return value.first.inner_text() if value.count() else None


def sign_of(figure: str | None) -> int | None:
    match = SIGNED_PERCENT.match((figure or "").strip())
    if match is None:
        return None
    return 0 if float(match[2]) == 0 else (-1 if match[1] in ("-", "−") else 1)


def check_last_cycle_signs(page, findings: Findings) -> None:
    """Demand review, All products: weekly and monthly "vs last cycle's plan" agree in sign."""
    view = live(page).get_by_test_id("stRadio").filter(has_text="Weekly")
    weekly = last_cycle_change(page)
    view.get_by_text("Monthly", exact=True).click()
    settled(page)
    monthly = last_cycle_change(page)
    check_screen(page, findings)  # the monthly view is a page of its own: an exception there is reported too
    view.get_by_text("Weekly", exact=True).click()  # back to the page's default for the tabs' checks
    settled(page)
    signs = sign_of(weekly), sign_of(monthly)
    if None in signs or signs[0] != signs[1]:
        findings.add("Consensus vs last cycle's plan disagrees between views",
                     f"weekly {weekly or 'not shown'}, monthly {monthly or 'not shown'}")


def check_meeting_steps(page, findings: Findings) -> None:
    """Meeting mode: every step of the agenda, with Next until the last."""
    following = live(page).get_by_role("button", name="Next ▶")
    for _ in range(10):  # the agenda has five steps
        if not following.count() or not following.first.is_enabled():
            return
        following.first.click()
        settled(page)
        check_screen(page, findings)
        check_tabs(page, findings)


def walk(page, role: str, pages: list[PageSpec], screenshots: Path | None = None) -> list[str]:
    """Open each page, check it (and its tabs), return what was found."""
    findings = Findings(role)
    for spec in pages:
        findings.page = spec.title
        open_page(page, spec.title)
        if screenshots is not None:
            page.screenshot(path=str(screenshots / f"{spec.key}.png"))
        check_screen(page, findings)
        if spec.key == "demand":
            check_last_cycle_signs(page, findings)
        check_tabs(page, findings)
        if spec.key == "meeting":
            check_meeting_steps(page, findings)
    return findings.lines


@pytest.mark.parametrize(("username", "role"), [(user, role) for user, _, role in DEMO_USERS],
                         ids=[user for user, _, _ in DEMO_USERS])
def test_every_page_reads_as_a_planner_expects(page, username: str, role: str):
    page.set_viewport_size(VIEWPORT)
    sign_in(page, username)
    settled(page)
    folder = Path(SCREENSHOTS) if SCREENSHOTS and username == "admin" else None  # the admin opens every page
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    found = walk(page, f"{username} ({role})", pages_for([role]), folder)
    assert not found, f"{len(found)} thing(s) a planner should not see:\n" + "\n".join(found)
