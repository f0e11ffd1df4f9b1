"""The global LightGBM model across SKUs: one fit per backtest cutoff, looked up per series by the engine."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.forecasting import frames, global_model
from genxsop_core.forecasting.backtest import window_origins
from genxsop_core.forecasting.strategies.global_lightgbm import GlobalLightGBM
from tests.forecasting.conftest import weekly_frame

WEEKS, HORIZON = 120, 8


@pytest.fixture
def shapes(rng) -> dict[str, np.ndarray]:
    """Short, flat, intermittent, trending and promo-driven series (all end on the same week)."""
    t = np.arange(WEEKS)
    return {
        "short": np.array([5.0, 7, 6, 8, 7]),
        "flat": np.full(WEEKS, 20.0),
        "intermittent": np.where(rng.random(WEEKS) < 0.25, rng.poisson(6, WEEKS) + 1, 0).astype(float),
        "trending": (50 + 2.0 * t + rng.normal(0, 3, WEEKS)).round(),
        "promo": (40 + rng.normal(0, 2, WEEKS)).round(),
    }


def promo_history(shapes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every SKU's history; the promo SKU sells three times as much in its promo weeks (every 5th)."""
    end = pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=WEEKS - 1)
    history = pd.concat([weekly_frame({uid: y}, start=str((end - pd.Timedelta(weeks=len(y) - 1)).date()))
                         for uid, y in shapes.items()], ignore_index=True)
    history["promo"] = 0.0
    position = history.groupby("unique_id").cumcount()
    on_promo = (history.unique_id == "promo") & (position % 5 == 0)
    history.loc[on_promo, "promo"] = 1.0
    history.loc[on_promo, "y"] *= 3
    return history.reset_index(drop=True)


def planned(history: pd.DataFrame, weeks: list[int]) -> pd.DataFrame:
    start = history.ds.max()
    return pd.DataFrame({"unique_id": "promo", "ds": [start + pd.Timedelta(weeks=w) for w in weeks], "promo": 1.0})


def test_every_shape_gets_a_finite_non_negative_forecast_with_ordered_quantiles(shapes):
    history = promo_history(shapes)
    out = forecasting.run(history, HORIZON, "global_lightgbm", quantiles=(0.1, 0.5, 0.9), workers=1)
    forecasts = out.forecasts
    assert sorted(forecasts.unique_id.unique()) == sorted(shapes)
    assert forecasts.groupby("unique_id").size().eq(HORIZON).all()
    values = forecasts[["mean", "p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (forecasts.p10 <= forecasts.p50).all() and (forecasts.p50 <= forecasts.p90).all()
    assert set(out.selection.model) == {"global_lightgbm"} and not out.selection.fallback.any()
    assert forecasts[forecasts.unique_id == "flat"]["mean"].between(15, 25).all()
    trend = forecasts[forecasts.unique_id == "trending"]["mean"]
    assert trend.mean() > shapes["trending"][:60].mean()  # it stays near the recent level, not the old one


def test_planned_promotions_lift_the_forecast_in_their_weeks(shapes):
    history = promo_history(shapes)
    out = forecasting.run(history, HORIZON, "global_lightgbm", future_promo=planned(history, [2, 6]), workers=1)
    promo = out.forecasts[out.forecasts.unique_id == "promo"]["mean"].to_numpy()
    on, off = promo[[1, 5]], np.delete(promo, [1, 5])
    assert on.min() > 1.5 * off.max()


def test_the_table_holds_the_backtest_origins_and_the_final_fit(shapes):
    inputs = frames.series_inputs(promo_history(shapes), HORIZON)
    table = global_model.path_table(inputs, HORIZON, windows=3)
    for series in inputs:
        origins = [o for o in window_origins(len(series.y), HORIZON, 3) if o >= global_model.MIN_HISTORY]
        assert sorted(n for uid, n in table if uid == series.unique_id) == [*origins, len(series.y)]
    assert all(len(path) == HORIZON and np.isfinite(path).all() for path in table.values())


def test_the_runs_backtests_use_the_same_origins_as_the_engine(shapes):
    out = forecasting.run(promo_history(shapes), HORIZON, "global_lightgbm", workers=1)
    by_id = {r.unique_id: r for r in out.results}
    trending = by_id["trending"].chosen_backtest
    assert trending is not None and trending.origins == window_origins(WEEKS, HORIZON, 3)
    assert by_id["short"].chosen_backtest is None  # five weeks: no window, its final fit still global


def test_a_backtest_window_never_sees_buckets_after_its_cutoff(shapes):
    history = promo_history(shapes)
    inputs = frames.series_inputs(history, HORIZON)
    first_origin = window_origins(WEEKS, HORIZON, 3)[0]
    cutoff = inputs[0].ds[-1] - pd.Timedelta(weeks=WEEKS - first_origin)
    changed = history.assign(y=np.where(history.ds > cutoff, history.y * 10, history.y))
    before = global_model.path_table(inputs, HORIZON, 3)
    after = global_model.path_table(frames.series_inputs(changed, HORIZON), HORIZON, 3)
    assert np.array_equal(before[("trending", first_origin)], after[("trending", first_origin)])
    assert not np.array_equal(before[("trending", WEEKS)], after[("trending", WEEKS)])


def test_the_same_data_gives_the_same_forecast(shapes):
    inputs = frames.series_inputs(promo_history(shapes), HORIZON)
    first, second = (global_model.path_table(inputs, HORIZON, 3) for _ in range(2))
    assert first.keys() == second.keys() and all(np.array_equal(first[k], second[k]) for k in first)


def test_auto_backtests_it_beside_the_other_candidates(shapes):
    candidates = ("seasonal_naive", "naive", "global_lightgbm")
    out = forecasting.run(promo_history(shapes), HORIZON, "auto", candidates=candidates, workers=1)
    assert {"global_lightgbm", "naive"} <= set(out.scores[out.scores.unique_id == "trending"].model)
    assert np.isfinite(out.forecasts["mean"]).all() and not out.selection.fallback.any()


def test_outside_a_run_it_fits_over_the_batch_it_is_given(shapes):
    inputs = frames.series_inputs(promo_history(shapes), HORIZON)
    alone = GlobalLightGBM().forecast(inputs[-1], HORIZON, ())
    assert alone.mean.shape == (HORIZON,) and np.isfinite(alone.mean).all()
    scores = forecasting.backtest(promo_history(shapes), HORIZON, ["global_lightgbm"])
    assert set(scores.unique_id) == set(shapes) - {"short"} and scores.mae.notna().all()


def test_a_failed_run_wide_fit_fails_each_series_and_falls_back(shapes):
    strategy = GlobalLightGBM.from_options({global_model.FAILURE_OPTION: "ValueError: bad data"})
    with pytest.raises(RuntimeError, match="bad data"):
        strategy.forecast(frames.series_inputs(promo_history(shapes), HORIZON)[0], HORIZON, ())
    out = forecasting.run(promo_history(shapes), HORIZON, "global_lightgbm", workers=1,
                          options={global_model.FAILURE_OPTION: "ValueError: bad data"})
    assert out.selection.fallback.all() and out.selection.reason.str.contains("bad data").all()


def test_a_history_that_stops_early_gets_paths_to_the_plans_last_period(shapes):
    """forecast from its own end (late_history.py): its horizon is stretched by the weeks it is short."""
    inputs = frames.series_inputs(promo_history(shapes), HORIZON)
    late = [s.head(len(s.y) - 3, 3) if s.unique_id == "trending" else s for s in inputs]
    table = global_model.path_table(late, HORIZON, windows=3)
    stretched = HORIZON + 3
    origins = [o for o in window_origins(WEEKS - 3, stretched, 3) if o >= global_model.MIN_HISTORY]
    assert sorted(n for uid, n in table if uid == "trending") == [*origins, WEEKS - 3]
    assert all(len(table[("trending", n)]) == stretched for n in [*origins, WEEKS - 3])
    assert len(table[("flat", WEEKS)]) == HORIZON


def test_without_mlforecast_it_says_so_and_auto_leaves_it_out(monkeypatch):
    assert GlobalLightGBM().availability() is None
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None if name == "mlforecast" else object())
    assert GlobalLightGBM().availability() == "needs mlforecast and lightgbm (mlforecast not installed)"
    assert "global_lightgbm" not in forecasting.auto_candidates(10)


def test_a_run_fits_once_before_the_chunks_even_with_a_history_that_stops_early(shapes, monkeypatch):
    history = promo_history(shapes)
    history = history[~((history.unique_id == "trending") & (history.ds > history.ds.max() - pd.Timedelta(weeks=3)))]
    calls = []
    fit = global_model.forecast_batch
    monkeypatch.setattr(global_model, "forecast_batch", lambda batch, horizon: calls.append(len(batch)) or
                        fit(batch, horizon))
    out = forecasting.run(history, HORIZON, "global_lightgbm", workers=1)
    assert len(calls) == 1  # the pre-step: every later ask, backtest or final, is found in its table
    assert out.forecasts.groupby("unique_id").size().eq(HORIZON).all()
