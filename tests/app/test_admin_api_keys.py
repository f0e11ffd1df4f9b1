"""The Admin page's API keys tab in AppTest: create (the key shown once), list, revoke."""
from __future__ import annotations

from genxsop_core.admin import api_keys
from genxsop_core.domain.permissions import Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.app.test_pages import on_page, table_with


def test_admin_creates_a_key_sees_it_once_and_revokes_it(app_db):
    at = on_page("admin", "admin")
    at.text_input(key="api_key_name").input("erp-nightly")
    at.selectbox(key="api_key_role").set_value("demand_planner")
    at.text_input(key="api_key_client").input("sap-prd")
    next(b for b in at.button if b.label == "Create key").click().run()
    assert not at.exception, at.exception
    assert any("erp-nightly created" in s.value and "not shown again" in s.value for s in at.success)
    (shown,) = [c.value for c in at.code]
    assert shown.startswith(api_keys.KEY_PREFIX)
    assert api_keys.authenticate(UnitOfWork(), shown).role == "demand_planner"  # the key shown is the key
    listed = table_with(at, "prefix").set_index("name").loc["erp-nightly"]
    assert listed.prefix == f"{shown[:10]}..." and listed.client_id == "sap-prd"
    at.run()  # the next rerun does not show the key again
    assert not at.code and shown not in "".join(str(v) for v in table_with(at, "prefix").to_numpy().ravel())

    at.selectbox(key="api_key_pick").set_value("erp-nightly")
    at.button(key="api_key_revoke").click().run()
    assert any("erp-nightly revoked" in s.value for s in at.success)
    assert table_with(at, "prefix").set_index("name").status["erp-nightly"] == "Revoked"
    assert [k.status() for k in api_keys.list_keys(UnitOfWork(), Actor("x", ("admin",)))] == ["revoked"]


def test_a_duplicate_name_is_refused_on_the_page(app_db):
    api_keys.create_key(UnitOfWork(), Actor("admin", ("admin",)), "bi", "viewer")
    at = on_page("admin", "admin")
    at.text_input(key="api_key_name").input("bi")
    next(b for b in at.button if b.label == "Create key").click().run()
    assert any("exists already" in e.value for e in at.error) and not at.code
