"""No silent zeros: a history that stops before the latest date is named, and forecast as the caller chooses."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting import late_history
from tests.forecasting.conftest import weekly_frame

LATEST = pd.Timestamp("2024-02-19")  # week 60 of the frames below


@pytest.fixture
def late_feed(rng) -> pd.DataFrame:
    """Three weekly SKUs ending 2024-02-19, except LATE, whose feed stopped 7 weeks earlier at ~80 a week."""
    frame = weekly_frame({"ON_TIME": rng.poisson(50, 60).astype(float), "LATE": rng.poisson(80, 53).astype(float),
                          "SLOW": rng.poisson(5, 60).astype(float)})
    assert frame.ds.max() == LATEST
    return frame


def test_detection_names_the_series_its_last_bucket_and_how_many_buckets_it_is_short(late_feed):
    output = forecasting.run(late_feed, 4, "naive", workers=1)
    stopped = output.stopped_early
    assert stopped.to_dict("records") == [{"unique_id": "LATE", "last_ds": pd.Timestamp("2024-01-01"),
                                           "latest_ds": LATEST, "buckets_short": 7, "bucket": "week"}]


def test_a_trailing_zero_row_is_data_not_a_stop(late_feed):
    zero_row = pd.DataFrame({"unique_id": ["LATE"], "ds": [LATEST], "y": [0.0]})
    assert late_history.stopped_early(pd.concat([late_feed, zero_row]), "W-MON").empty


def test_monthly_histories_count_months(rng):
    months = pd.date_range("2021-01-01", periods=36, freq="MS")
    frame = pd.concat([pd.DataFrame({"unique_id": "A", "ds": months, "y": rng.poisson(30, 36).astype(float)}),
                       pd.DataFrame({"unique_id": "B", "ds": months[:33], "y": rng.poisson(30, 33).astype(float)})])
    stopped = forecasting.run(frame, 3, "naive", workers=1).stopped_early
    assert stopped[["unique_id", "buckets_short", "bucket"]].to_dict("records") == [
        {"unique_id": "B", "buckets_short": 3, "bucket": "month"}]


@pytest.mark.parametrize("model", ["naive", "seasonal_naive"])
def test_own_end_forecasts_the_late_series_from_its_own_data_over_the_plans_periods(late_feed, model):
    output = forecasting.run(late_feed, 4, model, late_history="own_end", workers=1)
    plan = list(pd.date_range(LATEST, periods=5, freq="W-MON")[1:])
    forecasts = output.forecasts
    for sku, rows in forecasts.groupby("unique_id"):
        assert list(rows.ds) == plan, sku  # every series lines up with the plan's periods
    values = forecasts[["mean", "p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    late = forecasts[forecasts.unique_id == "LATE"]
    assert late["mean"].min() > 40  # ~80 a week before the feed stopped: no collapse to zero
    reason = output.selection.set_index("unique_id").reason["LATE"]
    assert "its history stops at 2024-01-01, before the latest date: forecast from its own last data" in reason


def test_zeros_treats_the_late_series_as_discontinued_and_still_says_so(late_feed):
    output = forecasting.run(late_feed, 4, "naive", late_history="zeros", workers=1)
    forecasts = output.forecasts
    late = forecasts[forecasts.unique_id == "LATE"]
    assert (late["mean"] == 0).all()  # naive from seven weeks of zero demand
    assert np.isfinite(forecasts[["mean", "p10", "p90"]].to_numpy()).all()
    assert list(output.stopped_early.unique_id) == ["LATE"]


def test_the_choice_leaves_series_that_reach_the_latest_date_alone(late_feed):
    own_end = forecasting.forecast(late_feed, 4, "seasonal_naive", late_history="own_end", workers=1)
    zeros = forecasting.forecast(late_feed, 4, "seasonal_naive", late_history="zeros", workers=1)
    on_time = own_end.unique_id != "LATE"
    pd.testing.assert_frame_equal(own_end[on_time].reset_index(drop=True), zeros[on_time].reset_index(drop=True))


def test_the_default_is_own_end(late_feed):
    assert late_history.DEFAULT == "own_end"
    default = forecasting.forecast(late_feed, 2, "naive", workers=1)
    assert default[default.unique_id == "LATE"]["mean"].min() > 40


@pytest.mark.parametrize("bad", ["zero", "", None, 0, "OWN_END"])
def test_a_bad_choice_is_refused_with_the_choices_named(late_feed, bad):
    with pytest.raises(InvalidInput, match="late_history must be 'own_end' or 'zeros'"):
        forecasting.run(late_feed, 2, "naive", late_history=bad, workers=1)


def test_the_notice_reads_as_a_sentence_with_plurals_right():
    from genxsop_core.forecasting import views as forecast_views

    record = {"choice": "zeros", "latest": "2026-11-23", "bucket": "week",
              "series": [{"sku": "BEV-JUI-001", "last": "2026-10-05", "buckets_short": 7},
                         {"sku": "BEV-JUI-002", "last": "2026-11-16", "buckets_short": 1}]}
    assert forecast_views.late_history_text(record) == (
        "2 SKUs' history stops before 2026-11-23, the latest week: BEV-JUI-001 after 2026-10-05 (7 weeks missing), "
        "BEV-JUI-002 after 2026-11-16 (1 week missing); forecast as discontinued (the missing weeks count as zero "
        "demand).")
    one = {**record, "choice": "own_end", "series": record["series"][:1]}
    assert forecast_views.late_history_text(one).startswith("1 SKU's history stops before 2026-11-23")
    assert "forecast from each one's own last data" in forecast_views.late_history_text(one)
    many = {**record, "series": [{"sku": f"S{i}", "last": "2026-11-16", "buckets_short": 1} for i in range(12)]}
    assert " and 2 more;" in forecast_views.late_history_text(many, listed=10)
    assert forecast_views.late_history_text({**record, "series": []}) is None
    assert forecast_views.late_history_text(None) is None


def _stop_feed_early(uow_factory, skus: list[str], weeks: int) -> pd.Timestamp:
    """Delete the last `weeks` weeks of demand of `skus` (a late data feed); returns the latest week."""
    from sqlalchemy import delete, func, select

    from genxsop_core.domain.models import DemandActual, Product

    with uow_factory() as uow:
        latest = pd.Timestamp(uow.session.scalar(select(func.max(DemandActual.period))))
        cut = (latest - pd.Timedelta(weeks=weeks - 1)).date()
        ids = select(Product.id).where(Product.sku.in_(skus))
        uow.session.execute(delete(DemandActual).where(DemandActual.product_id.in_(ids), DemandActual.period >= cut))
        uow.commit()
    return latest


@pytest.mark.parametrize("choice", ["zeros", "own_end"])
def test_a_run_records_which_skus_stopped_early_since_when_and_the_choice(demo, choice):
    from genxsop_core.admin.overview import product_hierarchy
    from genxsop_core.forecasting import runs as forecast_runs
    from genxsop_core.forecasting import views as forecast_views
    from tests.conftest import actor_with

    hierarchy = product_hierarchy(demo())
    late = sorted(hierarchy[hierarchy.family == "Juice"].sku)[:2]
    latest = _stop_feed_early(demo, late, weeks=7)
    request = forecast_runs.ForecastRequest("family", ("Juice",), "naive", 4, late_history=choice)
    run_id = forecast_runs.request_run(demo(), actor_with("demand_planner"), request)
    forecast_runs.execute_run(demo, run_id, workers=1)
    assert forecast_views.get_run(demo(), run_id).status == "done"
    with demo() as uow:
        record = uow.forecast_runs.get(run_id).late_history
        results = uow.forecast_runs.results(run_id, future_only=True)
    last = (latest - pd.Timedelta(weeks=7)).date().isoformat()
    assert record == {"choice": choice, "latest": latest.date().isoformat(), "bucket": "week",
                      "series": [{"sku": sku, "last": last, "buckets_short": 7} for sku in late]}
    notice = forecast_views.late_history_notice(demo(), run_id)
    assert notice.startswith(f"2 SKUs' history stops before {latest.date()}, the latest week: "
                             f"{late[0]} after {last} (7 weeks missing)")
    late_means = results[results.sku.isin(late)]["mean"]
    assert len(late_means) == 8 and set(results.period) == {
        d.date() for d in pd.date_range(latest, periods=5, freq="W-MON")[1:]}
    with demo() as uow:
        level = uow.demand.history(late).groupby("unique_id").y.apply(lambda y: y.tail(8).mean()).sum() / len(late)
    if choice == "zeros":  # naive from seven weeks of zeros (reconciliation leaves rounding noise)
        assert late_means.abs().max() < 1e-6
    else:  # naive from each SKU's own last week: about the level it sold at, not a collapse
        assert late_means.min() > 0.3 * level


def test_a_bad_choice_in_a_run_request_is_refused(demo):
    from genxsop_core.forecasting import runs as forecast_runs
    from tests.conftest import actor_with

    with pytest.raises(InvalidInput, match="late_history must be 'own_end' or 'zeros'"):
        forecast_runs.request_run(demo(), actor_with("demand_planner"),
                                  forecast_runs.ForecastRequest("all", (), "naive", 4, late_history="skip"))


def test_the_cli_forecast_command_takes_the_choice_and_prints_the_notice(demo, database_url, monkeypatch, capsys):
    from genxsop_core import cli

    monkeypatch.setenv("GENXSOP_DATABASE_URL", database_url)
    latest = _stop_feed_early(demo, ["BEV-JUI-001"], weeks=3)
    assert cli.main(["forecast", "--scope", "family:Juice", "--model", "naive", "--horizon", "4", "--workers", "1",
                     "--late-history", "zeros"]) == 0
    last = (latest - pd.Timedelta(weeks=3)).date()
    assert (f"1 SKU's history stops before {latest.date()}, the latest week: BEV-JUI-001 after {last} "
            "(3 weeks missing); forecast as discontinued") in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["forecast", "--late-history", "skip"])
    assert "invalid choice: 'skip' (choose from 'own_end', 'zeros')" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0010_adds_the_record_to_existing_runs_as_none_and_goes_back(kind, tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from genxsop_core.persistence.db import get_engine
    from genxsop_core.persistence.migrate import alembic_config
    from tests.conftest import database_at_revision

    run = sa.table("forecast_run", *(sa.column(c) for c in (
        "id", "created_by", "created_at", "horizon", "status", "progress_done", "progress_total")),
        *(sa.column(c, sa.JSON) for c in ("scope", "models", "quantiles", "timings")))
    with database_at_revision(kind, tmp_path, "0009") as url:
        with get_engine(url).begin() as connection:
            connection.execute(run.insert(), [{
                "id": 1, "created_by": "alice", "created_at": pd.Timestamp("2026-02-01", tz="UTC").to_pydatetime(),
                "scope": {"kind": "all"}, "models": ["auto"], "horizon": 2, "quantiles": [], "status": "done",
                "progress_done": 2, "progress_total": 2, "timings": {}}])
        command.upgrade(alembic_config(url), "0010")
        with get_engine(url).connect() as connection:
            assert connection.execute(sa.text("SELECT late_history FROM forecast_run")).scalar_one() is None
        command.downgrade(alembic_config(url), "0009")
        columns = {c["name"] for c in sa.inspect(get_engine(url)).get_columns("forecast_run")}
        assert "late_history" not in columns and "origin" in columns
