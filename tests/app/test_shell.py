"""The app shell in AppTest: login form, demo logins, cookie key rule, navigation per role."""
from __future__ import annotations

import pytest

from genxsop_core.domain.permissions import ROLES
from genxsop_ui.navigation import PAGES
from tests.app.conftest import logged_in, new_app, texts


def sign_in(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_form_signs_in_a_demo_user(app_db):
    at = new_app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "genxsop-demo" in texts(at)  # demo mode shows the demo logins
    at = sign_in(at, "demand", "genxsop-demo")
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert [t.value for t in at.title] == ["Dashboard"]  # the landing page
    assert "Dana Demand-Planner" in "\n".join(m.value for m in at.sidebar.markdown)


def test_wrong_password_stays_on_the_login_form(app_db):
    at = sign_in(new_app().run(), "demand", "not-the-password")
    assert "Username or password is incorrect." in [e.value for e in at.error]
    assert not at.title and [t.label for t in at.text_input] == ["Username", "Password"]


def test_deactivated_user_cannot_sign_in(app_db):
    from genxsop_core.admin import users
    from genxsop_core.domain.permissions import Actor
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    users.set_active(UnitOfWork(), Actor("admin", ("admin",)), "viewer", False)
    at = sign_in(new_app().run(), "viewer", "genxsop-demo")
    assert not at.title and "Username or password is incorrect." in [e.value for e in at.error]


def test_demo_logins_are_hidden_outside_demo_mode(app_db, monkeypatch):
    monkeypatch.setenv("GENXSOP_DEMO", "0")
    monkeypatch.setenv("GENXSOP_COOKIE_KEY", "a-long-random-secret-for-tests")
    at = new_app().run()
    assert not at.exception and "genxsop-demo" not in texts(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_refuses_to_start_without_a_cookie_key_outside_demo_mode(app_db, monkeypatch):
    monkeypatch.setenv("GENXSOP_DEMO", "0")
    at = new_app().run()
    assert any("GENXSOP_COOKIE_KEY" in e.value for e in at.error)
    assert not at.text_input  # no login form


def test_demo_mode_says_so_in_the_sidebar_and_the_generated_cookie_key_on_system_health(app_db):
    at = logged_in("viewer").run()
    assert [c.value for c in at.sidebar.caption] == ["Demo mode: a demo company with public passwords. "
                                                     "Not for real data."]
    at = logged_in("admin").run()
    at.switch_page("../pages/health.py").run()
    assert "**Sign-in cookie** · a key generated at this start" in texts(at) and "GENXSOP\\_COOKIE\\_KEY" in texts(at)


@pytest.mark.parametrize("role", ROLES)
def test_navigation_offers_exactly_the_pages_of_the_role(app_db, role):
    at = logged_in(role).run()
    assert not at.exception
    for spec in PAGES:
        if role in spec.roles:
            at.switch_page(spec.script).run()
            assert not at.exception, (role, spec.key)
            assert at.title[0].value == spec.title
        else:  # routed but hidden from the menu: the page itself says who it is for
            at.switch_page(spec.script).run()
            assert not at.exception, (role, spec.key)
            assert any("is for administrators" in e.value for e in at.error), (role, spec.key)


MENUS = {  # what each role finds in the sidebar, section by section
    "admin": {"Plan": ["Dashboard", "Demand review", "Forecasting", "Supply review", "Inventory",
                       "What-if scenarios"],
              "Decide": ["S&OP cycle", "Meeting mode", "KPIs"],
              "Data & admin": ["Overview", "Data", "Admin", "System health"]},
    **{role: {"Plan": ["Dashboard", "Demand review", "Forecasting", "Supply review", "Inventory",
                       "What-if scenarios"],
              "Decide": ["S&OP cycle", "Meeting mode", "KPIs"],
              "Data & admin": ["Overview", "Data"]} for role in ROLES if role != "admin"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_groups_the_pages_of_the_role_in_sections(app_db, role, monkeypatch):
    import streamlit as st

    menus = []
    real_navigation = st.navigation

    def recording(pages, **kwargs):
        menus.append({section: [p.title for p in shown if p.visibility == "visible"]
                      for section, shown in pages.items()})
        return real_navigation(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    at = logged_in(role).run()
    assert not at.exception
    assert menus == [MENUS[role]]
    assert [t.value for t in at.title] == ["Dashboard"]  # every role lands on the dashboard


def test_sign_out_returns_to_the_login_form(app_db):
    at = logged_in("executive").run()
    at.sidebar.button(key="sign_out").click().run()
    assert at.session_state["authentication_status"] is None
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_repeated_wrong_passwords_lock_the_account_in_every_session(app_db):
    from genxsop_core.admin import login_throttle
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    at = new_app().run()
    for _ in range(login_throttle.MAX_FAILED_LOGINS - 1):
        at = sign_in(at, "supply", "guess-again")
        assert "Username or password is incorrect." in [e.value for e in at.error]
    at = sign_in(at, "supply", "guess-again")
    assert any("locked" in e.value for e in at.error)
    # the right password, in a new session, is refused while the lock holds
    at = sign_in(new_app().run(), "supply", "genxsop-demo")
    assert not at.title and any("locked" in e.value for e in at.error)
    assert login_throttle.locked_until(UnitOfWork(), "supply") is not None
    # another account is not affected
    at = sign_in(new_app().run(), "demand", "genxsop-demo")
    assert [t.value for t in at.title] == ["Dashboard"]


def test_an_admin_unlocks_a_locked_account(app_db):
    from genxsop_core.admin import login_throttle, users
    from genxsop_core.domain.permissions import Actor
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    for _ in range(login_throttle.MAX_FAILED_LOGINS):
        login_throttle.record_failed_login(UnitOfWork(), "supply")
    assert users.get_user(UnitOfWork(), "supply").locked_until is not None
    users.unlock_user(UnitOfWork(), Actor("admin", ("admin",)), "supply")
    at = sign_in(new_app().run(), "supply", "genxsop-demo")
    assert [t.value for t in at.title] == ["Dashboard"]
