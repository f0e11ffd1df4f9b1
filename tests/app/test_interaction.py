"""Interaction fixes of issue 16 in AppTest: one message for a locked account, a page the role may not
open says so, a tab stays where the planner was after a save."""
from __future__ import annotations

from genxsop_core.admin import login_throttle
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.app.conftest import new_app


def sign_in(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_a_locked_account_reads_one_message_with_the_time_it_ends_also_when_tried_again(app_db):
    at = new_app().run()
    for _ in range(login_throttle.MAX_FAILED_LOGINS - 1):
        at = sign_in(at, "supply", "guess-again")
    at = sign_in(at, "supply", "guess-again")
    until = login_throttle.locked_until(UnitOfWork(), "supply")
    assert until is not None
    said = [f"This account is locked until {until:%H:%M} UTC after {login_throttle.MAX_FAILED_LOGINS} wrong "
            "passwords. An admin can unlock it sooner."]
    assert errors(at) == said
    for password in ("guess-again", "genxsop-demo"):  # tried again in the same session, wrong or right
        at = sign_in(at, "supply", password)
        assert errors(at) == said and not at.title
    assert login_throttle.locked_until(UnitOfWork(), "supply") == until  # a try while locked does not count
    at = sign_in(new_app().run(), "supply", "genxsop-demo")  # a new session
    assert errors(at) == said and not at.title
    at.run()  # a rerun without a try says nothing more
    assert errors(at) == []
