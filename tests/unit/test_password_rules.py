"""The password rules (admin.passwords): each rule on its own, and every service that sets a password
keeps them (the Admin page and the CLI call these services; the CLI's own test is in
tests/integration/test_first_admin.py)."""
from __future__ import annotations

import pytest

from genxsop_core.admin import users
from genxsop_core.admin.passwords import DEMO_PASSWORD, MIN_PASSWORD_LENGTH, password_problem
from genxsop_core.domain.exceptions import InvalidInput
from tests.fakes import memory_uow_factory


@pytest.mark.parametrize("password, username", [
    ("a-long-sentence-of-words", "alice"),
    ("tabletop1", "ab"),  # a two-letter username inside a password by chance
    ("alice-keeps-goats-in-her-garden", "alice"),  # the username with plenty of her own
    ("genxsop-demo-but-much-longer-now", "bob"),
    ("x" * MIN_PASSWORD_LENGTH, "bob"),
])
def test_passwords_that_keep_every_rule(password, username):
    assert password_problem(password, username) is None


@pytest.mark.parametrize("password, username, rule", [
    ("short", "bob", f"at least {MIN_PASSWORD_LENGTH} characters"),
    ("x" * (MIN_PASSWORD_LENGTH - 1), "bob", f"at least {MIN_PASSWORD_LENGTH} characters"),
    (DEMO_PASSWORD, "bob", "not be the demo password"),
    (DEMO_PASSWORD.upper(), "bob", "not be the demo password"),
    (DEMO_PASSWORD + "1", "bob", "not be the demo password"),
    ("administrator", "administrator", "not be the username"),
    ("AdministratoR", "administrator", "not be the username"),
    ("admin2024", "admin", "not be the username"),
    ("2024!Admin", "admin", "not be the username"),
    ("carolina", "carolina ", "not be the username"),
    ("ab", "ab", f"at least {MIN_PASSWORD_LENGTH} characters"),  # length is said first
])
def test_each_rule_refuses_and_names_itself(password, username, rule):
    problem = password_problem(password, username)
    assert problem is not None and rule in problem


def test_a_two_letter_username_is_refused_only_as_the_whole_password():
    assert password_problem("ababababab", "ab") is None
    assert "username" in (password_problem("ABABABAB", "abababab") or "")


@pytest.fixture
def uow_factory():
    return memory_uow_factory()


@pytest.mark.parametrize("password, rule", [
    ("short", "at least"), (DEMO_PASSWORD, "demo password"), ("bobby-2024", "username"),
])
def test_add_user_refuses_a_password_that_breaks_a_rule(uow_factory, admin, password, rule):
    with pytest.raises(InvalidInput, match=rule):
        users.add_user(uow_factory(), admin, "Bobby", "Bobby", password, ["viewer"])
    assert users.list_users(uow_factory()) == []


@pytest.mark.parametrize("password, rule", [
    ("short", "at least"), (DEMO_PASSWORD, "demo password"), ("BOBBY", "at least"), ("bobby-2024", "username"),
])
def test_set_password_refuses_a_password_that_breaks_a_rule(uow_factory, admin, password, rule):
    users.add_user(uow_factory(), admin, "bobby", "Bobby", "first-long-password", ["viewer"])
    with pytest.raises(InvalidInput, match=rule):
        users.set_password(uow_factory(), admin, "bobby", password)
    with uow_factory() as uow:
        assert users.check_password("first-long-password", uow.users.get("bobby").password_hash)
