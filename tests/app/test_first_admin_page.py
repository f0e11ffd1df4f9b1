"""A new installation (GENXSOP_DEMO=0, no users): the login page offers "Create the first administrator"
with the setup token instead of the sign-in form, refuses a wrong token, creates one admin, then
asks to sign in; and the new admin signs in."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from genxsop_core.admin import setup, users
from genxsop_core.config import load_settings
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_ui import first_admin
from tests.app.conftest import new_app, texts
from tests.app.test_shell import sign_in

PASSWORD = "a-long-first-admin-passphrase"
FIELDS = ["Setup token", "Username", "Name", "Password", "Repeat password"]


@pytest.fixture
def empty_live_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database without any user, run outside demo mode with a cookie key."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade_database(url)
    monkeypatch.setenv("GENXSOP_DATABASE_URL", url)
    monkeypatch.setenv("GENXSOP_DEMO", "0")
    monkeypatch.setenv("GENXSOP_BUCKET", "week")
    monkeypatch.setenv("GENXSOP_COOKIE_KEY", "a-long-random-secret-for-the-first-admin-tests")
    monkeypatch.setattr("streamlit_authenticator.controllers.cookie_controller.CookieController.get_cookie",
                        lambda self: None)
    return url


def fill(at, token: str, username: str, name: str, password: str, repeated: str | None = None):
    values = dict(zip(FIELDS, (token, username, name, password, password if repeated is None else repeated),
                      strict=True))
    for field in at.text_input:
        field.input(values[field.label])
    next(b for b in at.button if b.label == "Create the administrator").click()
    return at.run()


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_a_new_installation_shows_the_setup_form_not_the_sign_in_form(empty_live_db):
    at = new_app().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Create the first administrator"]
    assert [t.label for t in at.text_input] == FIELDS
    assert "GenXSOP setup:" in texts(at) and "genxsop-demo" not in texts(at)


def test_the_form_refuses_a_wrong_token_and_differing_passwords_then_creates_one_admin(empty_live_db):
    at = new_app().run()
    token = setup.issue_setup_token(UnitOfWork())  # as the server printed it (replacing the start's token)
    at = fill(at, "not-the-token", "alice", "Alice Admin", PASSWORD)
    assert "not the setup token" in errors(at)[0]
    at = fill(at, token, "alice", "Alice Admin", PASSWORD, "another-passphrase")
    assert errors(at) == ["The two passwords differ."]
    at = fill(at, token, "alice", "Alice Admin", "alice2024")
    assert "not be the username" in errors(at)[0]
    assert users.list_users(UnitOfWork()) == []
    at = fill(at, token, "alice", "Alice Admin", PASSWORD)
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "The administrator alice was created. Sign in with the password you chose."]
    assert [t.label for t in at.text_input] == ["Username", "Password"]  # the sign-in form now
    assert [(u.username, u.roles) for u in users.list_users(UnitOfWork())] == [("alice", ("admin",))]
    at = sign_in(at, "alice", PASSWORD)
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True and [t.value for t in at.title] == ["Dashboard"]
    assert "No data yet" in texts(at)  # an empty installation's landing page says what to do first


def test_once_a_user_exists_the_form_is_gone_and_the_used_token_opens_nothing(empty_live_db):
    token = setup.issue_setup_token(UnitOfWork())
    setup.create_first_admin(UnitOfWork(), token, "alice", "Alice Admin", PASSWORD)
    at = new_app().run()
    assert "Create the first administrator" not in [t.value for t in at.title]
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert setup.issue_setup_token(UnitOfWork()) is None


def test_demo_mode_never_asks_for_the_setup_form(empty_live_db):
    """Demo mode seeds its accounts on an empty database instead (not run here: it seeds the whole demo)."""
    assert first_admin.setup_needed(replace(load_settings(), demo=False))
    assert not first_admin.setup_needed(replace(load_settings(), demo=True))
