"""The System health page: admins see every check and the recent runs; it reports a broken part."""
from __future__ import annotations

import pytest

from genxsop_core.domain.permissions import ROLES
from tests.app.conftest import PAGES_DIR, USER_OF_ROLE, logged_in, texts


def health_page(role: str = "admin"):
    at = logged_in(role).run()
    at.switch_page("../pages/health.py").run()
    assert not at.exception, at.exception
    return at


def test_admin_sees_database_schema_models_runs_and_accounts(app_db, monkeypatch, tmp_path):
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "no-such-folder"))
    at = health_page()
    shown = texts(at)
    assert [t.value for t in at.title] == ["System health"]
    for name in ("Database", "Schema", "Chronos-2", "Prophet", "Forecast workers", "Forecast runs", "Accounts",
                 "Logs"):
        assert f"**{name}**" in shown
    assert "at the newest migration" in shown and "SQLite file" in shown
    assert "folder not found" in shown  # Chronos-2 weights not found is a warning, not a crash
    assert at.warning and "Overall: warning" in at.warning[0].value
    runs = at.dataframe[0].value
    assert {"run", "status", "by", "problem"} <= set(runs.columns) and len(runs) >= 1  # the demo's run


def test_a_locked_account_and_an_unreachable_dask_scheduler_show(app_db, monkeypatch):
    from genxsop_core.admin import login_throttle
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    for _ in range(login_throttle.MAX_FAILED_LOGINS):
        login_throttle.record_failed_login(UnitOfWork(), "viewer")
    monkeypatch.setenv("GENXSOP_DASK_SCHEDULER", "tcp://127.0.0.1:1")
    at = health_page()
    shown = texts(at)
    assert "locked after wrong passwords: viewer" in shown
    assert "does not answer" in shown and at.error  # a failed check makes the overall state failed


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_see_system_health(app_db, role):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES_DIR / "health.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = USER_OF_ROLE[role][0]
    at.run()
    assert any("not available to your role" in e.value for e in at.error) and not at.dataframe


def test_the_service_checks_the_role_too(app_db):
    from genxsop_core.admin.health import system_health
    from genxsop_core.domain.exceptions import PermissionDenied
    from genxsop_core.domain.permissions import Actor
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    with pytest.raises(PermissionDenied):
        system_health(UnitOfWork, Actor("coordinator", ("coordinator",)))
