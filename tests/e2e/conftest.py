"""A real `streamlit run` on 127.0.0.1 and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser_helpers import running_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GENXSOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a fresh demo database (seeded on first start, as a new user would see it)."""
    data = tmp_path_factory.mktemp("e2e")
    env = {"GENXSOP_DATABASE_URL": f"sqlite:///{data / 'e2e.db'}", "GENXSOP_DEMO": "1", "GENXSOP_BUCKET": "week",
           "GENXSOP_COOKIE_KEY": ""}  # no cookie key: demo mode generates one, as on a new machine
    with running_app(env, data / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # the default 5 s is too short on 2 busy cores (the suite runs alongside)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_server: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_server)
    # the first session seeds the demo company and its planning history (a forecast run): allow for it
    page.get_by_role("textbox", name="Username").first.wait_for(timeout=180_000)
    yield page
    context.close()
