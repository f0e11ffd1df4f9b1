"""A demo database run for real (GENXSOP_DEMO=0): demo accounts refused, warned about, removed by go-live."""
from __future__ import annotations

import pytest

from genxsop_core.admin import login_throttle, users
from genxsop_core.admin.go_live import demo_accounts
from genxsop_core.bootstrap import DEMO_PASSWORD
from genxsop_core.domain.permissions import Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_ui.auth import demo_refused_message
from tests.app.conftest import logged_in, new_app, texts
from tests.app.test_shell import sign_in

REAL_ADMIN, REAL_PASSWORD = "alice", "a-long-real-passphrase-42"


@pytest.fixture
def live_db(app_db, monkeypatch):
    """The demo-seeded database started outside demo mode, with one real administrator added."""
    monkeypatch.setenv("GENXSOP_DEMO", "0")
    monkeypatch.setenv("GENXSOP_COOKIE_KEY", "a-long-random-secret-for-the-go-live-tests")
    users.add_user(UnitOfWork(), Actor("admin", ("admin",)), REAL_ADMIN, "Alice Admin", REAL_PASSWORD, ["admin"])
    return app_db


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def real_admin_on(page: str):
    at = sign_in(new_app().run(), REAL_ADMIN, REAL_PASSWORD)
    assert [t.value for t in at.title] == ["Dashboard"]
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_demo_accounts_are_marked(live_db):
    assert demo_accounts(UnitOfWork()) == sorted(["admin", "coordinator", "demand", "supply",
                                                         "executive", "viewer"])


def test_the_demo_admin_is_refused_with_the_reason_once(live_db):
    at = sign_in(new_app().run(), "admin", DEMO_PASSWORD)
    assert not at.title and at.session_state["authentication_status"] is not True
    assert errors(at) == [demo_refused_message("admin")]
    assert "your own account" in errors(at)[0] and "README" not in errors(at)[0]  # go-live is on System health
    at.run()  # the next rerun of the form does not repeat it, nor turn it into the generic error
    assert errors(at) == []
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_demo_tries_lock_nothing_and_a_real_account_still_counts(live_db):
    at = new_app().run()
    for _ in range(login_throttle.MAX_FAILED_LOGINS + 1):
        at = sign_in(at, "admin", "any-guess")
        assert errors(at) == [demo_refused_message("admin")]  # never the locked message
    assert login_throttle.locked_until(UnitOfWork(), "admin") is None
    at = sign_in(at, REAL_ADMIN, "not-the-password")
    assert errors(at) == ["Username or password is incorrect."]
    at = sign_in(at, REAL_ADMIN, REAL_PASSWORD)
    assert [t.value for t in at.title] == ["Dashboard"]


def test_a_demo_session_left_from_demo_mode_is_signed_out(live_db):
    at = logged_in("admin").run()  # as if a login cookie of the demo admin came back
    assert not at.title and errors(at) == [demo_refused_message("admin")]
    assert not at.session_state["authentication_status"]


def test_a_real_admin_signs_in_and_sees_the_red_warnings(live_db):
    at = real_admin_on("../pages/admin.py")
    banner = errors(at)[0]
    assert banner.startswith("Not live yet") and "admin, coordinator, demand" in banner and "go-live" in banner
    at = real_admin_on("../pages/health.py")
    assert "Overall: failed" in errors(at)[0]
    assert any("**Demo accounts**" in e and "executive" in e for e in errors(at))
    assert ":red[●] **Demo accounts**" in texts(at)


def test_in_demo_mode_the_demo_admin_signs_in_and_nothing_warns(app_db):
    at = sign_in(new_app().run(), "admin", DEMO_PASSWORD)
    assert [t.value for t in at.title] == ["Dashboard"]
    at.switch_page("../pages/admin.py").run()
    assert not at.exception and not any("Not live yet" in e for e in errors(at))
    at.switch_page("../pages/health.py").run()
    shown = texts(at)
    assert ":green[●] **Demo accounts** · demo mode: 6 demo accounts sign in" in shown
    assert not any("Demo accounts" in e for e in errors(at))


def test_go_live_needs_the_typed_confirmation_then_removes_the_demo_accounts(live_db):
    at = real_admin_on("../pages/admin.py")
    assert not at.checkbox(key="go_live_remove_data").value
    assert at.button(key="go_live").disabled
    at.text_input(key="go_live_confirm").input("go live").run()
    assert at.button(key="go_live").disabled  # typed exactly, capitals included
    at.text_input(key="go_live_confirm").input("GO LIVE").run()
    at.button(key="go_live").click().run()
    assert not at.exception, at.exception
    went = [s.value for s in at.success if s.value.startswith("Went live.")]
    assert went and "Demo accounts removed: admin, coordinator, demand" in went[0] and "Demo data kept." in went[0]
    assert not any("Not live yet" in e for e in errors(at))  # the banner is gone
    assert at.text_input(key="go_live_confirm").value == ""
    assert demo_accounts(UnitOfWork()) == []
    assert [u.username for u in users.list_users(UnitOfWork())] == [REAL_ADMIN]
    at.switch_page("../pages/health.py").run()
    assert ":green[●] **Demo accounts** · no demo accounts" in texts(at)
    assert not any("Demo accounts" in e for e in errors(at))
    at = sign_in(new_app().run(), "admin", DEMO_PASSWORD)  # gone: now the plain wrong-password answer
    assert errors(at) == ["Username or password is incorrect."]


def test_go_live_with_the_demo_data_reports_the_rows_per_table(live_db):
    at = real_admin_on("../pages/admin.py")
    at.checkbox(key="go_live_remove_data").check()
    at.text_input(key="go_live_confirm").input("GO LIVE").run()
    at.button(key="go_live").click().run()
    assert not at.exception, at.exception
    went = next(s.value for s in at.success if s.value.startswith("Went live."))
    assert "Demo data removed, rows per table" in went and "product 128 → 0" in went


def test_go_live_refusals_show_as_an_error_and_change_nothing(live_db, monkeypatch):
    monkeypatch.delenv("GENXSOP_COOKIE_KEY")
    monkeypatch.setenv("GENXSOP_DEMO", "1")  # demo mode runs without the key; go-live refuses without it
    at = real_admin_on("../pages/admin.py")
    at.text_input(key="go_live_confirm").input("GO LIVE").run()
    at.button(key="go_live").click().run()
    assert any(e.startswith("go-live needs GENXSOP\\_COOKIE\\_KEY") for e in errors(at))  # shown as typed
    assert len(demo_accounts(UnitOfWork())) == 6
