"""The Forecasting page: the planner chooses what a run does with SKUs whose history stops early, and reads
which ones did in the run shown."""
from __future__ import annotations

import pandas as pd
import pytest

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.app.conftest import logged_in
from tests.forecasting.test_late_history import _stop_feed_early


@pytest.fixture(autouse=True)
def light_runs(monkeypatch):
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    monkeypatch.setenv("GENXSOP_FORECAST_WORKERS", "1")


def test_the_planner_chooses_zeros_and_the_run_shown_says_which_skus_stopped_early(app_db, monkeypatch):
    hierarchy = product_hierarchy(UnitOfWork())
    late = sorted(hierarchy[hierarchy.family == "Juice"].sku)[:2]
    latest = _stop_feed_early(UnitOfWork, late, weeks=7)
    launched: list[int] = []  # the worker runs here, in this process, instead of in a detached one
    monkeypatch.setattr(forecast_runs, "launch_worker", launched.append)
    at = logged_in("demand_planner").run()
    at.switch_page("../pages/forecasting.py").run()
    radio = at.radio(key="fc_late_history")
    assert radio.value == "own_end" and radio.options == [
        "Forecast from its own last data", "Treat as discontinued: the missing weeks count as zero demand"]
    at.radio(key="fc_scope").set_value("family").run()
    at.multiselect(key="fc_values_family").set_value(["Juice"]).run()
    at.selectbox(key="fc_model").set_value("naive").run()
    at.number_input(key="fc_horizon").set_value(4).run()
    at.radio(key="fc_late_history").set_value("zeros").run()
    at.button(key="fc_run").click().run()
    assert not at.exception, at.exception
    [run_id] = launched
    forecast_runs.execute_run(UnitOfWork, run_id, workers=1)
    at.run()
    at.selectbox(key="fc_result_run").set_value(run_id).run()
    last = (latest - pd.Timedelta(weeks=7)).date()
    warnings = [w.value for w in at.warning if "history stops before" in w.value]
    assert warnings == [
        f"2 SKUs' history stops before {latest.date()}, the latest week: {late[0]} after {last} (7 weeks missing), "
        f"{late[1]} after {last} (7 weeks missing); forecast as discontinued (the missing weeks count as zero demand)."]


def test_a_run_whose_skus_all_reach_the_latest_week_shows_no_notice(app_db):
    at = logged_in("viewer").run()
    at.switch_page("../pages/forecasting.py").run()
    assert not at.exception, at.exception
    assert not [w for w in at.warning if "history stops before" in w.value]  # the demo's own run
