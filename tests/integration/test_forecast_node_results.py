"""Reconciled node forecasts stored with their run (forecast_node_result): round trip on SQLite and
PostgreSQL, gone with the run; a run stores coherent forecasts; the Demand review draws their band."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from genxsop_core.domain.models import ForecastRun
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.persistence.db import get_engine
from tests.conftest import actor_with

PLANNER = actor_with("demand_planner")

NODES = pd.DataFrame({
    "level": ["total", "total", "category", "family", "family"],
    "node": ["", "", "Beverages", "Juice", "Juice"],
    "period": pd.to_datetime(["2027-01-04", "2027-01-11", "2027-01-04", "2027-01-04", "2027-01-11"]),
    "model": ["auto", "auto", "auto", "auto", "auto"],
    "mean": [100.0, 110.0, 60.0, 40.0, 45.5],
    "p10": [80.0, 90.0, 50.0, 30.0, None],
    "p50": [99.0, 109.0, 59.0, 39.0, None],
    "p90": [120.0, 131.0, 70.0, 50.0, None],
})


def stored_run(uow_factory) -> int:
    with uow_factory() as uow:
        run = ForecastRun(created_by="tester", scope={"kind": "all", "values": []}, models=["auto"], horizon=2,
                          quantiles=[0.1, 0.5, 0.9], status="done")
        uow.forecast_runs.add(run)
        uow.flush()
        uow.forecast_runs.add_node_results(run.id, NODES)
        uow.commit()
        return run.id


def test_node_forecasts_round_trip_and_go_with_their_run(uow_factory, database_url):
    run_id = stored_run(uow_factory)
    with uow_factory() as uow:
        assert uow.forecast_runs.has_node_results(run_id)
        back = uow.forecast_runs.node_results(run_id)
        juice = uow.forecast_runs.node_results(run_id, "family", "Juice")
        total = uow.forecast_runs.node_results(run_id, "total", "")
    expected = NODES.sort_values(["level", "node", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert list(juice["mean"]) == [40.0, 45.5] and pd.isna(juice.p90.iloc[1])  # a missing quantile stays missing
    assert list(total.p90) == [120.0, 131.0]
    with uow_factory() as uow:
        uow.session.delete(uow.forecast_runs.get(run_id))
        uow.commit()
    with get_engine(database_url).connect() as connection:
        left = connection.execute(sa.text("select count(*) from forecast_node_result")).scalar_one()
    assert left == 0
    with uow_factory() as uow:
        assert not uow.forecast_runs.has_node_results(run_id) and uow.forecast_runs.node_results(run_id).empty


def test_a_node_is_stored_once_per_period(uow_factory):
    run_id = stored_run(uow_factory)
    with uow_factory() as uow, pytest.raises(sa.exc.IntegrityError):
        uow.forecast_runs.add_node_results(run_id, NODES.iloc[:1])
        uow.flush()


def run_of(uow_factory, request: forecast_runs.ForecastRequest) -> int:
    run_id = forecast_runs.request_run(uow_factory(), PLANNER, request)
    forecast_runs.execute_run(uow_factory, run_id, workers=1)
    run = forecast_views.get_run(uow_factory(), run_id)
    assert run.status == "done", run.error
    return run_id


def test_a_run_stores_node_forecasts_its_skus_add_up_to(demo):
    run_id = run_of(demo, forecast_runs.ForecastRequest("category", ("Beverages",), "naive", 4))
    with demo() as uow:
        nodes = uow.forecast_runs.node_results(run_id)
        skus = uow.forecast_runs.results(run_id, future_only=True)
        hierarchy = uow.demand.hierarchy()
        timings = uow.forecast_runs.get(run_id).timings
    assert "reconcile_s" in timings
    skus = skus.merge(hierarchy[["sku", "family"]], on="sku").assign(period=lambda f: pd.to_datetime(f.period))
    families = skus.groupby(["family", "period"])["mean"].sum()
    stored = nodes[nodes.level == "family"].set_index(["node", "period"])["mean"]
    assert len(families) == len(stored) > 4 and set(families.index.get_level_values(0)) > {"Juice"}
    assert stored.sort_index().to_numpy() == pytest.approx(families.sort_index().to_numpy(), abs=1e-6)
    for level, key in (("category", "Beverages"), ("total", "")):
        node = nodes[(nodes.level == level) & (nodes.node == key)].set_index("period")["mean"]
        assert node.to_numpy() == pytest.approx(skus.groupby("period")["mean"].sum().to_numpy(), abs=1e-6)
    assert set(skus.model) == {"naive"}  # the SKU keeps the model its forecast came from
    assert (nodes.p10 <= nodes.p50).all() and (nodes.p50 <= nodes.p90).all() and (nodes.p10 >= 0).all()
    assert nodes.model.str.startswith("naive, reconciled").all()


def test_a_run_over_one_sku_still_stores_its_nodes(demo):
    with demo() as uow:
        sku = uow.demand.skus_in_scope("family", ["Juice"])[0]
    run_id = run_of(demo, forecast_runs.ForecastRequest("skus", (sku,), "naive", 3))
    with demo() as uow:
        nodes = uow.forecast_runs.node_results(run_id)
        results = uow.forecast_runs.results(run_id, future_only=True)
    assert sorted(set(nodes.level)) == ["category", "family", "total"] and len(nodes) == 3 * 3
    for _, node in nodes.groupby("level"):
        assert node["mean"].to_numpy() == pytest.approx(results["mean"].to_numpy(), abs=1e-6)


@pytest.mark.parametrize("error", [ValueError("singular matrix"), MemoryError("out of memory")])
def test_a_failed_reconciliation_keeps_the_skus_forecasts_and_stores_no_nodes(demo, monkeypatch, caplog, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("genxsop_core.forecasting.hierarchy.reconcile_run", fail)
    run_id = run_of(demo, forecast_runs.ForecastRequest("family", ("Juice",), "naive", 3))
    with demo() as uow:
        assert not uow.forecast_runs.has_node_results(run_id)
        results = uow.forecast_runs.results(run_id, future_only=True)
    assert len(results) and results["mean"].notna().all() and set(results.model) == {"naive"}
    assert f"reconciliation skipped: {error} ({type(error).__name__})" in caplog.text
