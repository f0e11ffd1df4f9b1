"""Interaction fixes of issue 16 in AppTest: one message for a locked account, a page the role may not
open says so, a tab stays where the planner was after a save."""
from __future__ import annotations

import pytest

from genxsop_core.admin import login_throttle
from genxsop_core.domain.permissions import ROLE_LABELS, ROLES
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_ui.navigation import page
from tests.app.conftest import logged_in, new_app


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


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_a_page_the_role_may_not_open_says_who_it_is_for_not_page_not_found(app_db, role):
    at = logged_in(role).run()
    for key, title in (("admin", "Admin"), ("health", "System health")):
        at.switch_page(page(key).script).run()  # as its URL does: the page is routed, hidden from the menu
        assert not at.exception
        assert [e.value for e in at.error] == [
            f"{title} is for administrators: it is not available to your role ({ROLE_LABELS[role]})."]
        assert not at.dataframe and not at.main.button


def open_tab(at) -> str:
    """The label of the tab the page draws open (the tab container's selected index)."""
    container = next(node for node in at.main if getattr(node, "type", None) == "tab_container")
    return at.tabs[container.proto.tab_container.default_tab_index].label


def test_the_cycle_page_stays_on_the_actions_tab_after_adding_an_action(app_db):
    at = logged_in("coordinator").run()
    at.switch_page("../pages/cycle.py").run()
    assert open_tab(at) == "Decisions"
    at.session_state["cy_tab"] = "Actions"  # the planner opened Actions
    at.run()
    at.text_input(key="cy_action_text").input("Call the co-packer")
    at.run()  # typing reruns the page
    assert open_tab(at) == "Actions"
    at.button(key="cy_add_action").click().run()  # the save reruns the page with its message
    assert not at.exception and "Action added." in [s.value for s in at.success]
    assert open_tab(at) == "Actions"


def test_the_forecasting_page_follows_a_run_that_is_working_when_it_is_opened(app_db):
    import os
    import socket

    from genxsop_core.domain.models import utcnow
    from genxsop_core.domain.permissions import Actor
    from genxsop_core.forecasting import runs as forecast_runs

    run_id = forecast_runs.request_run(UnitOfWork(), Actor("demand", ("demand_planner",)),
                                       forecast_runs.ForecastRequest("family", ("Juice",), "naive", 4))
    with UnitOfWork() as uow:  # as its worker leaves it after three SKUs (this process stands in for the worker)
        run = uow.forecast_runs.get(run_id)
        run.status, run.worker, run.heartbeat_at = "running", f"{socket.gethostname()}:{os.getpid()}", utcnow()
        run.progress_done = 3
        total = run.progress_total
        uow.commit()
    at = logged_in("viewer").run()  # opened afresh: this session did not start the run
    at.switch_page("../pages/forecasting.py").run()
    assert not at.exception
    assert f"Run {run_id} running: 3 of {total} SKUs" in [p.proto.text for p in at.get("progress")]


CONFIGURATION_WORDS = ("GENXSOP", "python -m", "README", "missing-weights", "pip install")


def test_planner_pages_hold_no_configuration_hints(app_db, monkeypatch, tmp_path):
    """Environment variables, folders and commands are for admins on System health, not for planners."""
    from genxsop_ui.navigation import pages_for
    from tests.app.conftest import texts

    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "missing-weights"))  # Chronos-2 unavailable
    at = logged_in("demand_planner").run()
    for spec in pages_for(["demand_planner"]):
        at.switch_page(spec.script).run()
        assert not at.exception, spec.key
        shown = texts(at) + "\n".join(c.value for c in at.sidebar.caption)
        assert not [w for w in CONFIGURATION_WORDS if w in shown.replace("\\", "")], spec.key


def test_the_supply_tiles_fit_two_rows_of_three_with_short_figures(app_db):
    """At 1440 px a tile of a row of three holds about 16 characters of figure and 30 of label: the
    old 'Made / bought' tile ('12,345 / 6,789') in a row of five was cut off."""
    at = logged_in("supply_planner").run()
    at.switch_page("../pages/supply.py").run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert list(tiles)[:6] == ["Planned receipts, units", "Made, units", "Bought, units",
                               "Overloaded resource-periods", "Peak utilization", "SKUs projected to stock out"]
    assert all(len(value) <= 10 and len(label) <= 30 for label, value in tiles.items()), tiles
    rows = [block for block in at.main if getattr(block, "type", None) in ("horizontal", "flex_container")
            and any(getattr(child, "type", None) == "metric" for child in block)]
    assert rows and all(len(row.children) <= 3 for row in rows)
    made, bought, total = (int(tiles[k].replace(",", "")) for k in ("Made, units", "Bought, units",
                                                                     "Planned receipts, units"))
    assert made + bought == total
