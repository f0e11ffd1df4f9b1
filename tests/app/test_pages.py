"""Overview, Data and Admin pages in AppTest: every role renders; the main interactions work."""
from __future__ import annotations

import pytest

from genxsop_core.domain.permissions import ROLES
from tests.app.conftest import PAGES_DIR, logged_in, texts

NEW_WEEK = "sku,period,ordered_qty\nBEV-COF-001,{period},123\n"


def on_page(role: str, page: str):
    at = logged_in(role).run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def table_with(at, column: str):
    """The first table on the page that has `column` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def last_period(at) -> str:
    from genxsop_core.io.exporter import export_frame
    from genxsop_core.persistence.unit_of_work import UnitOfWork

    return str(export_frame(UnitOfWork(), "demand").period.max())


@pytest.mark.parametrize("role", ROLES)
def test_overview_and_data_render_for_every_role(app_db, role):
    overview = on_page(role, "home")
    assert [m.label for m in overview.metric][:2] == ["SKUs", "Resources"]
    assert overview.metric[0].value == "128"
    data = on_page(role, "data")
    assert "Export" in [t.label for t in data.tabs]


def test_overview_grouping_switches_the_chart_series(app_db):
    at = on_page("viewer", "home")
    categories = at.get("plotly_chart")[0].proto.spec
    at.button_group(key="overview_level").set_value("family").run()
    families = at.get("plotly_chart")[0].proto.spec
    assert '"Family"' in families and '"Category"' in categories and families != categories


def test_import_tab_offers_only_what_the_role_may_import(app_db):
    assert "Import" not in [t.label for t in on_page("viewer", "data").tabs]
    assert "Import" not in [t.label for t in on_page("executive", "data").tabs]
    demand = on_page("demand_planner", "data")
    assert demand.selectbox(key="import_kind").options == ["Demand actuals"]
    supply = on_page("supply_planner", "data")
    assert supply.selectbox(key="import_kind").options == ["Resources", "Routings", "Inventory on hand", "Supply plan"]


def test_a_valid_upload_previews_then_imports(app_db):
    at = on_page("demand_planner", "data")
    from datetime import date, timedelta

    period = date.fromisoformat(last_period(at)) + timedelta(days=7)
    at.file_uploader(key="upload_demand").upload("week.csv", NEW_WEEK.format(period=period).encode(), "text/csv").run()
    assert "week.csv: 1 rows, all valid" in texts(at)
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "week.csv: 1 rows of demand actuals - 1 new, 0 updated, 0 unchanged" in texts(at)
    assert last_period(at) == str(period)


def test_an_invalid_upload_lists_row_and_column_and_offers_no_import(app_db):
    at = on_page("demand_planner", "data")
    before = last_period(at)
    bad = "sku,period,ordered_qty\nBEV-COF-001,2031-01-06,-4\nNOPE,2031-01-06,1\n"
    at.file_uploader(key="upload_demand").upload("bad.csv", bad.encode(), "text/csv").run()
    assert "Nothing was imported: 2 problems found." in [e.value for e in at.error]
    problems = at.dataframe[0].value
    assert list(zip(problems.row, problems.column)) == [(2, "ordered_qty"), (3, "sku")]
    assert not [b for b in at.button if b.key == "import_go"]
    assert last_period(at) == before


def test_export_shows_the_chosen_table(app_db):
    at = on_page("viewer", "data")
    at.selectbox(key="export_kind").set_value("resources").run()
    assert "5 rows" in texts(at)
    at.selectbox(key="export_kind").set_value("products").run()
    assert "128 rows" in texts(at)


def test_admin_adds_a_user_and_sees_it_in_the_table_and_audit_log(app_db):
    at = on_page("admin", "admin")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Username"].input("pat")
    form_inputs["Full name"].input("Pat Planner")
    form_inputs["Initial password"].input("pat-password")
    at.multiselect[0].set_value(["demand_planner"])
    at.button[0].click().run()
    assert not at.exception
    assert "User pat added." in texts(at)
    assert "pat" in list(table_with(at, "username").username)
    at.selectbox(key="audit_action").set_value("create").run()
    audit = table_with(at, "action")
    assert "pat" in list(audit.key) and set(audit.action) == {"Create"}  # the action in words


def test_admin_changes_roles_of_a_user(app_db):
    at = on_page("admin", "admin")
    at.selectbox(key="edit_user").set_value("viewer").run()
    at.multiselect(key="roles_viewer").set_value(["viewer", "executive"]).run()
    at.button(key="save_roles").click().run()
    assert "Roles of viewer saved." in texts(at)
    row = table_with(at, "username").set_index("username").loc["viewer"]
    assert row.roles == "Executive, Viewer" or row.roles == "Viewer, Executive"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_page_refuses_other_roles_even_when_run_directly(app_db, role):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES_DIR / "admin.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = {"viewer": "viewer", "coordinator": "coordinator", "demand_planner": "demand",
                                    "supply_planner": "supply", "executive": "executive"}[role]
    at.run()
    assert any("not available to your role" in e.value for e in at.error)
    assert not at.dataframe and not at.button


def test_pages_refuse_anonymous_visitors(app_db):
    from streamlit.testing.v1 import AppTest

    for page in ("home", "data", "admin"):
        at = AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=60).run()
        assert "Please sign in." in [w.value for w in at.warning] and not at.dataframe


def test_admin_adds_and_retires_a_reason_code(app_db):
    at = on_page("admin", "admin")
    at.text_input(key="reason_code_new").input("recall")
    at.text_input(key="reason_description_new").input("Product recall")
    next(b for b in at.button if b.label == "Add reason code").click().run()
    assert "Reason code RECALL added." in texts(at)
    at.selectbox(key="reason_code_pick").set_value("RECALL").run()
    at.button(key="reason_code_toggle").click().run()
    assert "Reason code RECALL retired." in texts(at)
    codes = table_with(at, "description").set_index("code")
    assert not codes.active["RECALL"] and codes.active["PROMO"]
