"""Balance the plan on the Supply review page in AppTest: the button is for the supply planner,
the coordinator (and admins); it shows the plan now and balanced and every change with its
reason; accepting chosen SKUs or all of them writes the draft, audited, and the balance then
has nothing left to change. The capacity heat map shows the value of an hour on request."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from genxsop_core.admin.audit import search_audit
from genxsop_core.domain.permissions import PERMISSIONS, ROLES, Actor
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.repositories import AuditFilter
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.supply.balance import BalanceOptions
from tests.app.conftest import texts
from tests.app.test_supply_page import supply_page

FIGURES = ["Fill rate", "Gross margin", "Overloaded resource-periods", "Average inventory value",
           "Overtime hours (now: hours above capacity)"]


def balance(at):
    at.button(key="sp_balance").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def changes_table(at) -> pd.DataFrame | None:
    return next((d.value for d in at.dataframe if {"balanced", "reason"} <= set(d.value.columns)), None)


def saved_rows(url: str, version_id: int, sku: str) -> pd.DataFrame:
    """The supply version's stored rows of one SKU, by period."""
    with UnitOfWork(get_session_factory(url)) as uow:
        rows = uow.supply_plans.frame([version_id], [sku])
    return rows.set_index("period")


def audit_actions(url: str) -> list[tuple[str, str]]:
    """(action, who) of the supply plan's audit rows, oldest first."""
    entries = search_audit(UnitOfWork(get_session_factory(url)), Actor("auditor", ("admin",)),
                           AuditFilter(entity="supply_plan"))
    return [(e.action, e.username) for e in reversed(entries)]


@pytest.mark.parametrize("role", ROLES)
def test_only_supply_planners_coordinators_and_admins_get_the_button(app_db, role):
    at = supply_page(role)
    allowed = role in PERMISSIONS["supply_plan.balance"]
    assert ("sp_balance" in {b.key for b in at.button}) is allowed
    if not allowed:
        assert "The supply planner or the S&OP coordinator balances the plan." in texts(at)


def test_a_supply_planner_balances_sees_before_and_after_and_accepts_one_sku(app_db):
    earlier = audit_actions(app_db)  # the demo's history holds edits of its own
    at = balance(supply_page("supply_planner"))
    metrics = {m.label: m for m in at.metric}
    assert set(FIGURES) <= set(metrics)
    assert metrics["Overloaded resource-periods"].value == "0"  # the demo's plan is overloaded now
    assert metrics["Overloaded resource-periods"].delta.startswith("-")
    changes = changes_table(at)
    assert changes is not None and len(changes) > 0
    assert changes.reason.str.len().gt(0).all()
    assert "Capacity is worth adding on" in texts(at) or not any("worth adding" in i.value for i in at.info)

    sku = at.multiselect(key="sp_balance_skus").options[0].split(" · ")[0]
    mine = changes[changes.sku == sku]
    at.multiselect(key="sp_balance_skus").set_value([sku]).run()
    accept = at.button(key="sp_accept_skus")
    assert accept.label == "Accept 1 SKU"
    accept.click().run()
    assert not at.exception, at.exception
    assert f"Accepted the balanced receipts of 1 SKU: {len(mine)} cell{'s' if len(mine) > 1 else ''} changed." in [
        s.value for s in at.success]
    rows = saved_rows(app_db, at.selectbox(key="sp_version").value, sku)
    for r in mine.itertuples():
        saved = rows.loc[pd.Timestamp(r.period)]
        assert saved.planned_receipts == pytest.approx(r.balanced)
        assert saved.author == "supply" and saved.comment.startswith("Balanced: ")
    assert audit_actions(app_db) == [*earlier, ("accept_balanced_receipts", "supply")]
    after = changes_table(at)
    assert after is None or sku not in set(after.sku)  # balanced again: nothing left to change for it


def test_the_coordinator_accepts_all_and_the_plan_is_then_balanced(app_db):
    earlier = audit_actions(app_db)
    at = balance(supply_page("coordinator"))
    skus = len(at.multiselect(key="sp_balance_skus").options)
    accept = at.button(key="sp_accept_all")
    assert accept.label == f"Accept all {skus} SKUs"
    accept.click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Accepted the balanced plan:") for s in at.success)
    assert "The plan is balanced: accepting would change no receipt." in texts(at)
    assert changes_table(at) is None
    assert {m.label: m.value for m in at.metric}["Overloaded resource-periods"] == "0"
    assert audit_actions(app_db) == [*earlier, ("accept_balanced_receipts", "coordinator")]


def test_a_viewer_does_not_get_the_button_and_nothing_is_written(app_db):
    earlier = audit_actions(app_db)
    at = supply_page("viewer")
    assert not [b for b in at.button if b.key in ("sp_balance", "sp_accept_all", "sp_accept_skus")]
    assert audit_actions(app_db) == earlier


def test_the_capacity_heat_map_shows_the_value_of_an_hour_on_request(app_db):
    at = supply_page("supply_planner")
    charts = len(at.get("plotly_chart"))
    at.toggle(key="sp_hour_value").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == charts + 1
    specs = {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")}
    hours = specs["sp_hour_heatmap"]
    assert hours["colorbar"]["title"]["text"] == "Value of<br>an hour"
    assert hours["y"] == specs["sp_heatmap"]["y"]  # every resource of the utilization heat map


def test_the_planner_chooses_back_orders_and_sees_how_it_was_solved(app_db):
    """The tab's choices reach the balance: lost demand by default, back-ordered when chosen (the caption
    reads it from the solved balance's summary, with the solver that ran); whole lots are offered."""
    at = supply_page("supply_planner")
    assert at.radio(key="sp_unmet").value == "lost" and at.toggle(key="sp_whole_lots").value is False
    at = balance(at)
    assert any(c.value.startswith("Solved by HiGHS LP") and c.value.endswith("demand not served in its week: lost.")
               for c in at.caption), [c.value for c in at.caption]
    at.radio(key="sp_unmet").set_value("backorder").run()
    assert not at.exception, at.exception
    assert any(c.value.endswith("back-ordered (served later, at a cost).") for c in at.caption), \
        [c.value for c in at.caption]
    assert changes_table(at) is not None


def set_priorities(at, rows: list[dict]):
    """Rows typed into the tab's priority table (target "family:NAME" or "sku:SKU", priority)."""
    at.session_state["sp_priorities"] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def weighed_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("A unit below safety stock costs"))


def test_the_planner_sets_the_safety_stock_penalty_and_priorities_and_the_balance_uses_them(app_db):
    """The penalty starts at BalanceOptions' default and the priorities empty (every SKU 1); a family's
    priority and a SKU set apart reach the balance (solved again: the cache keys on them) and the
    caption says which were used."""
    at = supply_page("supply_planner")
    penalty = at.number_input(key="sp_ss_penalty")
    assert penalty.value == BalanceOptions().safety_stock_penalty and "holding cost" in penalty.help
    at = balance(at)
    assert weighed_caption(at) == ("A unit below safety stock costs 2 x its holding cost per week; priorities: "
                                   "every SKU priority 1.")
    before = {m.label: m.value for m in at.metric}

    at.number_input(key="sp_ss_penalty").set_value(0.0).run()
    at = set_priorities(at, [{"applies_to": "family:Coffee", "priority": 3.0},
                             {"applies_to": "sku:BEV-COF-001", "priority": 0.0}])
    assert not at.error, [e.value for e in at.error]
    caption = weighed_caption(at)
    assert caption.startswith("A unit below safety stock costs 0 x its holding cost per week; priorities: priority 3: ")
    assert "SKU BEV-COF-002" in caption and "priority 0: SKU BEV-COF-001; every other SKU 1." in caption
    after = {m.label: m.value for m in at.metric}
    assert after["Average inventory value"] != before["Average inventory value"]  # no stock kept for its own sake


def test_a_priority_set_twice_is_said_and_nothing_is_balanced(app_db):
    at = supply_page("supply_planner")
    at = set_priorities(at, [{"applies_to": "family:Coffee", "priority": 3.0},
                             {"applies_to": "family:Coffee", "priority": 2.0}])
    assert any("Family Coffee is given two priorities (3 and 2)" in e.value for e in at.error)
    assert "sp_balance" not in {b.key for b in at.button}
