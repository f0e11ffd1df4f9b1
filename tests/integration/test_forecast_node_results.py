"""Reconciled node forecasts stored with their run (forecast_node_result): round trip on SQLite and
PostgreSQL, gone with the run; a run stores coherent forecasts; the Demand review draws their band."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from genxsop_core.domain.models import ForecastRun
from genxsop_core.persistence.db import get_engine

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
