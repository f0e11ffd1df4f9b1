"""The Forecasting page in AppTest: every role renders; a planner runs a forecast and reads it."""
from __future__ import annotations

import time

import pytest

from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.persistence.unit_of_work import UnitOfWork
from tests.app.conftest import logged_in, texts
from tests.forecasting.conftest import register_made_up_model


def forecasting_page(role: str):
    at = logged_in(role).run()
    at.switch_page("../pages/forecasting.py").run()
    assert not at.exception, at.exception
    return at


def finished_run(model: str = "naive", family: str = "Juice", horizon: int = 4, skus: tuple[str, ...] = ()) -> int:
    request = (forecast_runs.ForecastRequest("skus", skus, model, horizon) if skus
               else forecast_runs.ForecastRequest("family", (family,), model, horizon))
    run_id = forecast_runs.request_run(UnitOfWork(), Actor("demand", ("demand_planner",)), request)
    forecast_runs.execute_run(UnitOfWork, run_id, workers=1)
    return run_id


@pytest.fixture(autouse=True)
def light_auto(monkeypatch):
    monkeypatch.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
    monkeypatch.setenv("GENXSOP_FORECAST_WORKERS", "1")


@pytest.mark.parametrize("role", ROLES)
def test_renders_for_every_role_and_only_planners_may_run(app_db, role):
    at = forecasting_page(role)
    may_run = role in ("admin", "demand_planner")
    assert bool([b for b in at.button if b.key == "fc_run"]) is may_run
    assert "Model leaderboard" in texts(at)  # the demo comes with a finished auto run


def test_unavailable_chronos_is_named_in_planner_words_and_explained_on_system_health(app_db, monkeypatch, tmp_path):
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "missing-weights"))
    at = forecasting_page("demand_planner")
    said = [c.value for c in at.caption if "Not available on this installation" in c.value]
    assert len(said) == 1 and "Chronos-2" in said[0] and "an admin sees why on System health" in said[0]
    assert "missing-weights" not in texts(at)  # the weights folder is for the admin


def test_a_model_declared_with_the_registry_is_offered_and_described(app_db, monkeypatch, tmp_path):
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "missing-weights"))
    register_made_up_model(monkeypatch)
    at = forecasting_page("demand_planner")
    assert at.selectbox(key="fc_model").options[-1] == "History mean"  # the registry's label
    at.selectbox(key="fc_model").set_value("history_mean").run()
    assert "History mean: Mean of the whole history" in [c.value for c in at.caption]


def test_a_planner_starts_a_background_run_and_sees_progress_then_results(app_db):
    at = forecasting_page("demand_planner")
    at.radio(key="fc_scope").set_value("family").run()
    at.multiselect(key="fc_values_family").set_value(["Juice"]).run()
    at.selectbox(key="fc_model").set_value("naive").run()
    at.number_input(key="fc_horizon").set_value(4).run()
    at.button(key="fc_run").click().run()
    assert any(s.value.startswith("Run ") and "continues if you leave" in s.value for s in at.success)
    deadline = time.monotonic() + 120
    while "watch_run" in at.session_state and time.monotonic() < deadline:
        time.sleep(1)
        at.run()
    assert "watch_run" not in at.session_state
    assert "**Model: Naive**" in [m.value for m in at.markdown]  # the registry's label, not the stored code
    board = next(d.value for d in at.dataframe if "skus_won" in d.value.columns)
    assert board.set_index("model").skus_won["Naive"] > 0


def test_choosing_another_sku_redraws_the_chart(app_db):
    finished_run("auto")
    at = forecasting_page("viewer")
    first = at.get("plotly_chart")[0].proto.spec
    options = at.selectbox(key="fc_sku").options
    at.selectbox(key="fc_sku").set_value(at.selectbox(key="fc_sku").options[1].split(" · ")[0]).run()
    assert len(options) > 1 and at.get("plotly_chart")[0].proto.spec != first
    assert "P10-P90" in first and "Backtest 1" in first


def test_two_runs_can_be_compared(app_db):
    finished_run("naive")
    finished_run("moving_average")
    at = forecasting_page("executive")
    table = next(d.value for d in at.dataframe if "model_b" in d.value.columns)
    assert set(table.model_a) == {"Naive"} and set(table.model_b) == {"Moving average"}
    assert any(m.label == "Total forecast, B vs A" for m in at.metric)


def juice_skus() -> list[str]:
    hierarchy = product_hierarchy(UnitOfWork())
    return sorted(hierarchy[hierarchy.family == "Juice"].sku)


def test_runs_of_different_scope_compare_on_the_skus_and_weeks_both_cover(app_db):
    juice = juice_skus()
    wide = finished_run("naive", horizon=4)
    narrow = finished_run("moving_average", horizon=2, skus=tuple(juice[:2]))
    at = forecasting_page("executive")
    at.selectbox(key="fc_cmp_a").set_value(wide).run()
    at.selectbox(key="fc_cmp_b").set_value(narrow).run()
    with UnitOfWork() as uow:
        a, b = (uow.forecast_runs.results(r, future_only=True) for r in (wide, narrow))
    shared_a = a[a.sku.isin(juice[:2]) & a.period.isin(set(b.period))]["mean"].sum()
    total_b = b["mean"].sum()
    [headline] = [m for m in at.metric if m.label == "Total forecast, B vs A"]
    assert headline.value == f"{total_b:,.0f}"
    assert headline.delta.startswith(f"{total_b - shared_a:+,.0f}")  # like for like, not 2 SKUs against all Juice
    assert (f"On the 2 SKUs and 2 weeks both runs cover (run A: {len(juice)} SKUs, 4 weeks; run B: 2 SKUs, "
            "2 weeks).") in texts(at)
    table = next(d.value for d in at.dataframe if "model_b" in d.value.columns)
    assert sorted(table.sku) == juice[:2]


def test_runs_that_share_no_sku_say_so_instead_of_figures(app_db):
    juice = juice_skus()
    first = finished_run("naive", horizon=2, skus=(juice[0],))
    second = finished_run("naive", horizon=2, skus=(juice[1],))
    at = forecasting_page("executive")
    at.selectbox(key="fc_cmp_a").set_value(first).run()
    at.selectbox(key="fc_cmp_b").set_value(second).run()
    assert "The two runs share no SKU: there is nothing to compare." in [i.value for i in at.info]
    assert not [m for m in at.metric if m.label == "Total forecast, B vs A"]
