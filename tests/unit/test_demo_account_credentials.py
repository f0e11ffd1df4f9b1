"""Outside demo mode the login form is never given a demo account's hash (its password is public)."""
from __future__ import annotations

import pytest

from genxsop_core.admin import users
from tests.fakes import memory_uow_factory


@pytest.fixture
def uow_factory():
    return memory_uow_factory()


def test_demo_accounts_are_left_out_of_the_credentials_only_when_asked(uow_factory, admin):
    users.add_user(uow_factory(), admin, "bob", "Bob", "bobs-long-password", ["viewer"])
    users.add_user(uow_factory(), admin, "demand", "Dana", "dana-long-password", ["demand_planner"])
    with uow_factory() as uow:
        uow.users.get("demand").is_demo = True
        uow.users.get("bob").is_demo = False
        uow.commit()
    assert set(users.login_credentials(uow_factory())["usernames"]) == {"bob", "demand"}  # demo mode
    assert set(users.login_credentials(uow_factory(), include_demo=False)["usernames"]) == {"bob"}
