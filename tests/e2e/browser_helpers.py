"""What the browser tests share: signing in through the real login form, the latest script run's
elements, and reading and editing cells of an st.data_editor grid.

The grid is Glide Data Grid: its cells are painted on a canvas, so a cell is selected by clicking
inside the grid (first column of a data row) and moving with the arrow keys; Enter opens the
cell's editor (an overlay in the page's "portal"), which is then filled like any input. What the
grid holds is read back from its hidden accessibility table (`data-testid="glide-cell-<column>-<row>"`,
the text of the cell's value). Columns are counted in the grid's column order (`columns`).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

HEADER_PX, ROW_PX = 35, 35  # Streamlit's dataframe header and row height
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


def rendered(page, locator) -> None:
    """Wait until the script has drawn `locator`; if it raised instead, fail with its message."""
    from playwright.sync_api import expect

    failure = live(page).get_by_test_id("stException")
    expect(locator.or_(failure).first).to_be_visible()
    assert not failure.count(), failure.first.inner_text()


def choose(page, label: str, option: str | re.Pattern) -> None:
    """Pick `option` (exact text or a pattern) in the select box labelled `label`."""
    page.get_by_role("combobox", name=label).click()
    if isinstance(option, str):
        page.get_by_role("option", name=option, exact=True).click()
    else:
        page.get_by_role("option", name=option).click()


def data_grid(page, key: str):
    """The grid of the data editor with widget key `key` (of the latest run)."""
    return page.locator(f'.st-key-{key}[data-stale="false"]').get_by_test_id("stDataFrame")


def cell(grid, columns: Sequence[str], column: str, row: int = 0):
    return grid.get_by_test_id(f"glide-cell-{list(columns).index(column)}-{row}")


def select_cell(page, grid, columns: Sequence[str], column: str, row: int = 0) -> None:
    """Select a cell of a visible data row: click the row's first column, then arrow right."""
    grid.get_by_test_id("stDataFrameResizable").click(position={"x": 20, "y": HEADER_PX + ROW_PX * (row + 0.5)})
    for _ in range(list(columns).index(column)):
        page.keyboard.press("ArrowRight")


def edit_text_cell(page, grid, columns: Sequence[str], column: str, text: str, row: int = 0) -> None:
    """Type `text` into a text or number cell and check the grid shows it."""
    from playwright.sync_api import expect

    editor = page.get_by_test_id("portal").locator(".gdg-clip-region").locator("input, textarea")
    for attempt in range(3):
        select_cell(page, grid, columns, column, row)
        page.keyboard.press("Enter")  # opens the editor; typing straight away loses keys before it has focus
        try:  # a rerun that lands between the click and Enter redraws the grid and drops the selection
            expect(editor).to_be_visible(timeout=8_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    editor.fill(text)
    page.keyboard.press("Enter")
    expect(cell(grid, columns, column, row)).to_have_text(text)


def strip_metric(page, label: str):
    """The delta strip's metric called `label` (of the latest script run)."""
    named = page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    return live(page).get_by_test_id("stMetric").filter(has=named)


MONEY = re.compile(r"^€\d{1,3}(,\d{3})+$")  # money in the planner's format, the demo's currency (EUR)


def money(text: str) -> int:
    """'€1,234,567' as 1234567."""
    return int(text.lstrip("€").replace(",", ""))


def lower_demand_and_see_revenue_fall(page, sliders, steps: int = 10) -> None:
    """Move the real "Demand change" slider under `sliders` `steps` percent down with the keyboard
    and check the strip's Revenue falls below the plan's (its delta turns negative)."""
    from playwright.sync_api import expect

    revenue = strip_metric(page, "Revenue")
    rendered(page, revenue)
    value, delta = revenue.get_by_test_id("stMetricValue"), revenue.get_by_test_id("stMetricDelta")
    expect(value).to_have_text(MONEY)
    expect(delta).to_have_count(0)  # no lever moved yet: no delta, so no arrow on nothing
    before = value.inner_text()

    slider = sliders.get_by_test_id("stSlider").filter(has_text="Demand change")
    lever = slider.get_by_role("slider", name="Demand change")  # react-aria's visually hidden range input
    expect(lever).to_have_value("0")
    thumb = lever.locator("xpath=../..")  # the round thumb the input sits in
    thumb.click()  # at 0, the middle of -30..30: the click keeps the value and focuses the input
    expect(lever).to_be_focused()
    for _ in range(steps):
        page.keyboard.press("ArrowLeft")
    expect(lever).to_have_value(str(-steps))
    expect(slider.get_by_test_id("stSliderThumbValue")).to_have_text(f"-{steps}%")

    expect(strip_metric(page, "Revenue").get_by_test_id("stMetricDelta")).to_have_text(
        re.compile(r"^-\d{1,3}(,\d{3})* \(-\d+\.\d%\)$"))  # the scenario's revenue, below the plan's
    after = strip_metric(page, "Revenue").get_by_test_id("stMetricValue")
    expect(after).not_to_have_text(before)
    assert money(after.inner_text()) < money(before)


# The script run is over when the app says so (stApp's data-test-script-state: the running indicator shows
# only after a delay), the elements of the run before (data-stale) are gone, no spinner or skeleton is
# left and plotly has drawn every visible chart.
_RUN_IS_OVER = """() => !!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    && !document.querySelector('[data-stale="true"], [data-testid="stSpinner"], [data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(chart => chart.offsetParent === null || chart.querySelector('.main-svg'))"""


def settled(page, quiet_ms: int = 300, timeout_s: float = 90.0) -> None:
    """Wait until the script run is over and stays over for `quiet_ms` (a rerun can follow a run at once:
    the cookie manager's report, a handoff), polling every 50 ms: no fixed sleep."""
    deadline, quiet_since = time.monotonic() + timeout_s, None
    while True:
        now = time.monotonic()
        if page.evaluate(_RUN_IS_OVER):
            quiet_since = quiet_since or now
            if now - quiet_since >= quiet_ms / 1000:
                return
        else:
            quiet_since = None
        assert now < deadline, f"the script run did not finish within {timeout_s:.0f} s"
        page.wait_for_timeout(50)


def open_page(page, title: str) -> None:
    """Open the page `title` from the sidebar menu (unfolding its "View more") and wait for its run to end.
    A page that raised or was not found is left on screen for the caller to report."""
    from playwright.sync_api import expect

    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    more = page.get_by_test_id("stSidebarNavViewButton")
    if not link.is_visible() and more.is_visible():
        more.click()
    link.click()
    heading = live(page).get_by_role("heading", name=title, exact=True)
    failed = live(page).get_by_test_id("stException").or_(page.get_by_text("Page not found"))
    expect(heading.or_(failed).first).to_be_visible()
    settled(page)


# What a grid draws, read from the props Streamlit gives Glide Data Grid: the accessibility table holds a
# number's raw value ("4464.0742...", not the "4,464" drawn) and "" for a missing value (drawn "None").
_GRID_AS_DRAWN = """(grid, maxRows) => {
  const canvasBox = grid.querySelector('[data-testid="stDataFrameResizable"]');
  if (!canvasBox) return null;
  let fiber = canvasBox[Object.keys(canvasBox).find(key => key.startsWith('__reactFiber$'))];
  while (fiber && !(fiber.memoizedProps && fiber.memoizedProps.element)) fiber = fiber.return;
  if (!fiber) return null;
  const placeholder = fiber.memoizedProps.element.placeholder ?? 'None';  // st.dataframe(placeholder=...)
  const stack = [fiber.child];
  let editor = null;
  while (stack.length && !editor) {  // depth first: the outermost DataEditor, in data column numbers
    const node = stack.pop();
    if (!node) continue;
    const props = node.memoizedProps;
    if (props && typeof props.getCellContent === 'function' && Array.isArray(props.columns)) editor = props;
    stack.push(node.sibling, node.child);
  }
  if (!editor) return null;
  const drawn = cell => {
    const chart = cell.kind === 'custom' && /sparkline|range/.test(String(cell.data && cell.data.kind));
    if (cell.isMissingValue && cell.kind !== 'boolean' && !chart) return placeholder;  // as Streamlit draws it
    if (cell.kind === 'boolean') return String(cell.data);
    if (typeof cell.displayData === 'string') return cell.displayData;
    if (Array.isArray(cell.data)) return cell.data.join(', ');
    const data = cell.data && typeof cell.data === 'object' ? cell.data : {};
    return String(data.displayDate ?? data.displayText ?? cell.copyData ?? cell.data ?? '');
  };
  const rows = [];
  for (let row = 0; row < Math.min(editor.rows, maxRows); row++)
    rows.push(editor.columns.map((column, col) => drawn(editor.getCellContent([col, row]))));
  return {headers: editor.columns.map(column => column.title), rows};
}"""


def grid_as_drawn(grid, rows: int = 12) -> tuple[list[str], list[list[str]]]:
    """The headers and the first `rows` rows of a dataframe or data editor (an stDataFrame element) as the
    grid draws them on its canvas: formatted numbers, "None" for a missing value."""
    grid.get_by_test_id("stDataFrameResizable").wait_for(state="attached")  # drawn once its tab is shown
    contents = grid.evaluate(_GRID_AS_DRAWN, rows)
    assert contents is not None, "the grid's Glide Data Grid props were not found (a Streamlit upgrade?)"
    return contents["headers"], contents["rows"]


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(env: dict[str, str], console: Path) -> Iterator[str]:
    """A real `streamlit run app/main.py` on a free local port with these environment variables, its
    console (stdout and stderr) written to `console`; yields its URL once it answers its health check."""
    port = free_port()
    log = open(console, "w")  # noqa: SIM115 - the server writes it until the block ends
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not become healthy; console: {console.read_text()[-2000:]}")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
