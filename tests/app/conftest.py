"""AppTest fixtures: a seeded demo database copied per test, sessions logged in per role."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genxsop_core.bootstrap import DEMO_USERS
from tests.conftest import DatabaseTemplates

APP = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
USER_OF_ROLE = {role: (username, name) for username, name, role in DEMO_USERS}


@pytest.fixture(scope="session")
def seeded_demo_file(database_templates: DatabaseTemplates) -> Path:
    """The demo with its planning history, seeded once per test process (tests/conftest.py)."""
    return database_templates.sqlite_file("demo_history")


@pytest.fixture
def app_db(seeded_demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the demo database, configured as the app's database (demo mode)."""
    path = tmp_path / "app.db"
    shutil.copy(seeded_demo_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GENXSOP_DATABASE_URL", url)
    monkeypatch.setenv("GENXSOP_DEMO", "1")
    monkeypatch.setenv("GENXSOP_BUCKET", "week")
    monkeypatch.delenv("GENXSOP_COOKIE_KEY", raising=False)
    # AppTest's st.context.cookies is a mock: no re-login cookie in these sessions.
    monkeypatch.setattr("streamlit_authenticator.controllers.cookie_controller.CookieController.get_cookie",
                        lambda self: None)
    return url


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def logged_in(role: str) -> AppTest:
    """An app session as the demo user of `role`, as streamlit-authenticator leaves it after login."""
    username, name = USER_OF_ROLE[role]
    at = new_app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = name
    at.session_state["roles"] = [role]
    at.session_state["logout"] = False
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page, for assertions on what a user reads."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "success",
                                  "info", "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)
