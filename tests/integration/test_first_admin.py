"""The first administrator of a database without users (admin.setup), on SQLite and PostgreSQL: the
setup token issued on start, refused when wrong, replaced or used; exactly one admin, even when two
forms are sent at once. And the password rules on the CLI's way in."""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from genxsop_core import bootstrap
from genxsop_core.admin import setup, users
from genxsop_core.admin.audit import search_audit
from genxsop_core.admin.passwords import DEMO_PASSWORD
from genxsop_core.config import load_settings
from genxsop_core.domain.exceptions import Conflict, GenXSOPError, InvalidInput, PermissionDenied
from genxsop_core.persistence.db import get_engine
from genxsop_core.persistence.repositories import AuditFilter
from tests.integration.test_cli import cli

PASSWORD = "a-long-enough-password"


def admins(uow_factory) -> list[tuple[str, tuple[str, ...]]]:
    return [(u.username, u.roles) for u in users.list_users(uow_factory())]


def test_a_database_without_users_needs_setup_and_gets_a_token(uow_factory):
    assert setup.needs_setup(uow_factory())
    token = setup.issue_setup_token(uow_factory())
    assert token is not None and len(token) >= 40
    with uow_factory() as uow:
        stored = uow.setup_tokens.find(setup.token_hash(token))
        assert stored is not None and stored.used_at is None and token not in stored.token_hash


def test_the_token_creates_exactly_one_admin_and_is_used_up(uow_factory, admin):
    token = setup.issue_setup_token(uow_factory())
    view = setup.create_first_admin(uow_factory(), f"  {token}\n", "Alice", "Alice Admin", PASSWORD)
    assert (view.username, view.roles, view.active) == ("alice", ("admin",), True)
    assert admins(uow_factory) == [("alice", ("admin",))]
    assert not setup.needs_setup(uow_factory())
    with uow_factory() as uow:
        assert users.check_password(PASSWORD, uow.users.get("alice").password_hash)
        used = uow.setup_tokens.find(setup.token_hash(token))
        assert used.used_at is not None and used.used_by == "alice"
        used_id = used.id
    trail = search_audit(uow_factory(), admin, AuditFilter(username=setup.SETUP_ACTOR))
    assert sorted((e.action, e.entity, e.key) for e in trail) == [("create", "user", "alice"),
                                                                  ("use", "setup_token", str(used_id))]
    assert "password_hash" not in trail[0].after and PASSWORD not in repr([e.after for e in trail])
    # the same token again, or another one: refused now that a user exists; and no new token is issued
    with pytest.raises(Conflict, match="already has users"):
        setup.create_first_admin(uow_factory(), token, "mallory", "Mallory", PASSWORD)
    assert setup.issue_setup_token(uow_factory()) is None
    assert admins(uow_factory) == [("alice", ("admin",))]


def test_a_wrong_token_is_refused_and_nothing_is_written(uow_factory, admin):
    token = setup.issue_setup_token(uow_factory())
    for wrong in ("", "guess", token[:-1], token + "x"):
        with pytest.raises(PermissionDenied, match="not the setup token"):
            setup.create_first_admin(uow_factory(), wrong, "mallory", "Mallory", PASSWORD)
    assert admins(uow_factory) == []
    setup.create_first_admin(uow_factory(), token, "alice", "Alice", PASSWORD)  # the real one still works


def test_a_used_token_is_refused_even_when_the_users_are_gone(database_url, uow_factory):
    """Used means used: were the only user ever removed, the old token does not open the door again."""
    token = setup.issue_setup_token(uow_factory())
    setup.create_first_admin(uow_factory(), token, "alice", "Alice", PASSWORD)
    with get_engine(database_url).begin() as connection:  # as if the account were deleted behind GenXSOP's back
        connection.execute(sa.text("delete from app_user"))
    with pytest.raises(Conflict, match="already been used"):
        setup.create_first_admin(uow_factory(), token, "mallory", "Mallory", PASSWORD)
    assert admins(uow_factory) == []


def test_a_restart_replaces_the_token_and_says_so(uow_factory):
    first = setup.issue_setup_token(uow_factory())
    second = setup.issue_setup_token(uow_factory())
    assert first != second
    with pytest.raises(PermissionDenied, match="replaced when the server started again"):
        setup.create_first_admin(uow_factory(), first, "alice", "Alice", PASSWORD)
    setup.create_first_admin(uow_factory(), second, "alice", "Alice", PASSWORD)
    assert admins(uow_factory) == [("alice", ("admin",))]


@pytest.mark.parametrize("username, password, rule", [
    ("alice", "short", "at least"),
    ("alice", DEMO_PASSWORD, "demo password"),
    ("alice", "alice2024", "username"),
    ("not a name", PASSWORD, "username"),
])
def test_the_first_admin_keeps_the_password_and_username_rules(uow_factory, username, password, rule):
    token = setup.issue_setup_token(uow_factory())
    with pytest.raises(InvalidInput, match=rule):
        setup.create_first_admin(uow_factory(), token, username, "Alice", password)
    setup.create_first_admin(uow_factory(), token, "alice", "Alice", PASSWORD)  # the token was not used up


def test_two_forms_sent_at_once_create_one_admin(uow_factory):
    token = setup.issue_setup_token(uow_factory())
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def send(username: str) -> None:
        start.wait()
        try:
            outcomes[username] = setup.create_first_admin(uow_factory(), token, username, username.title(), PASSWORD)
        except GenXSOPError as error:
            outcomes[username] = error

    racers = [threading.Thread(target=send, args=(name,)) for name in ("alice", "bruno")]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    created = [name for name, outcome in outcomes.items() if isinstance(outcome, users.UserView)]
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, Conflict)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert admins(uow_factory) == [(created[0], ("admin",))]


def test_two_tokens_at_once_still_create_one_admin(uow_factory):
    """Two replicas that start together may both issue a token before either voids the other's."""
    tokens = [setup.issue_setup_token(uow_factory()) for _ in range(2)]
    with uow_factory() as uow:  # undo the voiding, as if both had been issued at the same moment
        voided = uow.setup_tokens.find(setup.token_hash(tokens[0]))
        voided.used_at, voided.used_by = None, None
        uow.commit()
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def send(username: str, token: str) -> None:
        start.wait()
        try:
            outcomes[username] = setup.create_first_admin(uow_factory(), token, username, username.title(), PASSWORD)
        except GenXSOPError as error:
            outcomes[username] = error

    racers = [threading.Thread(target=send, args=pair) for pair in zip(("alice", "bruno"), tokens, strict=True)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert len(admins(uow_factory)) == 1, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes.values()) == 1


def test_start_outside_demo_mode_prints_the_token_once(database_url, uow_factory, capsys, caplog):
    settings = replace(load_settings(), database_url=database_url, demo=False)
    with caplog.at_level(logging.WARNING, logger="genxsop.bootstrap"):
        assert bootstrap.prepare_database(settings, "http://example.test:8501/") is None
    printed = capsys.readouterr().out
    assert printed.count("GenXSOP setup: open http://example.test:8501/ and enter the setup token ") == 1
    token = printed.split("setup token ", 1)[1].split()[0]
    assert [r.getMessage() for r in caplog.records] == [printed.strip()]
    setup.create_first_admin(uow_factory(), token, "alice", "Alice", PASSWORD)
    bootstrap.prepare_database(settings)  # a start with a user: no token, nothing printed
    assert capsys.readouterr().out == ""


def test_demo_mode_seeds_the_demo_accounts_with_the_demo_password_and_issues_no_token(demo):
    with demo() as uow:
        admin = uow.users.get("admin")
        assert users.check_password(DEMO_PASSWORD, admin.password_hash)
    assert setup.issue_setup_token(demo()) is None


# --- the CLI: the same rules on `users add` and `users set-password` -----------------------------------------

@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.mark.parametrize("password, rule", [
    ("short", "at least 8 characters"),
    (DEMO_PASSWORD, "not be the demo password"),
    ("bobby2024", "not be the username"),
])
def test_cli_users_add_and_set_password_refuse_a_password_that_breaks_a_rule(sqlite_url, password, rule):
    assert cli(sqlite_url, "init-db").returncode == 0
    refused = cli(sqlite_url, "users", "add", "bobby", "--name", "Bobby", "--roles", "viewer", "--password-stdin",
                  stdin=password + "\n")
    assert refused.returncode == 1 and rule in refused.stderr and refused.stderr.count("\n") == 1
    assert "no users" in cli(sqlite_url, "users", "list").stdout
    added = cli(sqlite_url, "users", "add", "bobby", "--name", "Bobby", "--roles", "viewer", "--password-stdin",
                stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    refused = cli(sqlite_url, "users", "set-password", "bobby", "--password-stdin", stdin=password + "\n")
    assert refused.returncode == 1 and rule in refused.stderr and refused.stderr.count("\n") == 1
