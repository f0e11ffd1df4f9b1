"""A new installation end to end in headless Chromium: a real `streamlit run` outside demo mode on an
empty database prints the setup token to its console; the token, typed into the real "Create the first
administrator" form, creates the admin, who then signs in through the real sign-in form."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser_helpers import COOKIE_NAME, SentFrames, running_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
TOKEN_LINE = re.compile(r"GenXSOP setup: open (\S+) and enter the setup token (\S+) to create the first administrator")
PASSWORD = "a-long-first-admin-passphrase"


@pytest.fixture(scope="module")
def new_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app as a company starts it for real: GENXSOP_DEMO=0, a cookie key, a new SQLite file. Yields its
    URL and the file its console (stdout and stderr) goes to."""
    data = tmp_path_factory.mktemp("first_admin")
    env = {"GENXSOP_DATABASE_URL": f"sqlite:///{data / 'new.db'}", "GENXSOP_DEMO": "0",
           "GENXSOP_COOKIE_KEY": "a-long-random-secret-for-the-first-admin-browser-test", "GENXSOP_BUCKET": "week"}
    console = data / "console.log"
    with running_app(env, console) as url:
        yield url, console


def printed_tokens(console: Path, timeout_s: float = 60.0) -> list[tuple[str, str]]:
    """(address, token) of every setup line on the console so far, waiting for the first."""
    deadline = time.monotonic() + timeout_s
    while not (found := TOKEN_LINE.findall(console.read_text())):
        assert time.monotonic() < deadline, f"no setup token on the console: {console.read_text()[-2000:]}"
        time.sleep(0.2)
    return found


def test_first_run_setup_through_the_real_form_then_sign_in(browser, new_install):
    from playwright.sync_api import expect

    url, console = new_install
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(url)
        expect(page.get_by_role("heading", name="Create the first administrator")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
        printed = printed_tokens(console)
        # printed once (the JSON log line on stderr repeats it; the plain line is on stdout once)
        assert len({token for _, token in printed}) == 1
        address, token = printed[-1]
        assert address == "http://127.0.0.1:" + url.rsplit(":", 1)[1] + "/"

        def send(token_typed: str) -> None:
            page.get_by_role("textbox", name="Setup token", exact=True).fill(token_typed)
            page.get_by_role("textbox", name="Username", exact=True).fill("olivia")
            page.get_by_role("textbox", name="Name", exact=True).fill("Olivia Owner")
            page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
            page.get_by_role("textbox", name="Repeat password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Create the administrator").click()

        send("a-guessed-token")
        expect(page.get_by_text(re.compile("not the setup token")).first).to_be_visible()
        send(token)
        expect(page.get_by_text("The administrator olivia was created. Sign in with the password you chose.")
               ).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()

        sent = SentFrames(page)  # reloads: the sign-in form of the now set-up installation
        expect(page.get_by_role("heading", name="Create the first administrator")).to_have_count(0)
        sent.wait_for(rb"\$\$ID-[0-9a-f]+-init")  # the cookie manager's first report (browser_helpers.sign_in)
        page.get_by_role("textbox", name="Username", exact=True).fill("olivia")
        page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        sent.wait_for(COOKIE_NAME.encode())
        expect(page.get_by_role("heading", name="Dashboard").first).to_be_visible()
        expect(page.get_by_text(re.compile("No data yet")).first).to_be_visible()
        expect(page.get_by_text("Olivia Owner")).to_be_visible()
        page.get_by_role("button", name=re.compile(r"View \d+ more")).click()
        expect(page.get_by_role("link", name="Admin", exact=True)).to_be_visible()  # an administrator's menu
    finally:
        context.close()
