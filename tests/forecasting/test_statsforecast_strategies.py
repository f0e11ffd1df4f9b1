"""statsforecast's AutoETS, AutoTheta, AutoARIMA and MSTL as strategies: every one gives a finite,
non-negative forecast with ordered quantiles on the series a planner meets, and auto competes with them.
Series are few and short: statsforecast's first calls pay compile and import costs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.forecasting.base import SeriesInput
from genxsop_core.forecasting.strategies.statsforecast import SFMSTL, fitting_season, interval_levels
from tests.forecasting.conftest import weekly_frame

NEW = ("sf_auto_ets", "sf_auto_theta", "sf_auto_arima", "sf_mstl")
QUANTILES = (0.1, 0.5, 0.9)
WEEKS = 110  # two years and a bit: MSTL's yearly season fits, its quarter too


def _series(kind: str, rng: np.random.Generator) -> SeriesInput:
    t = np.arange(WEEKS)
    promo = None
    if kind == "short":
        y = np.array([12.0, 15, 11, 14, 13, 16, 12, 15, 14, 13])
    elif kind == "flat":
        y = np.full(WEEKS, 40.0)
    elif kind == "intermittent":
        y = np.where(rng.random(WEEKS) < 0.2, rng.poisson(5, WEEKS) + 1, 0).astype(float)
    elif kind == "trending":
        y = 50 + 2.0 * t + 20 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 4, WEEKS)
    else:  # promo-driven: base demand doubles in promo weeks
        promo = (rng.random(WEEKS + 13) < 0.15).astype(float)
        y = np.round(80 * (1 + promo[:WEEKS]) + rng.normal(0, 6, WEEKS))
    ds = pd.date_range("2023-01-02", periods=len(y), freq="W-MON").to_numpy()
    return SeriesInput(y=y, ds=ds, season_length=52, freq="W-MON", unique_id=kind,
                       promo=None if promo is None else promo[:len(y)],
                       future_promo=None if promo is None else promo[len(y):])


@pytest.mark.parametrize("kind", ["short", "flat", "intermittent", "trending", "promo"])
@pytest.mark.parametrize("name", NEW)
def test_each_new_strategy_is_finite_non_negative_and_ordered(name, kind, rng):
    series = _series(kind, rng)
    strategy = forecasting.get_strategy(name)
    if len(series.y) < strategy.min_history_for(series.season_length):
        # too short for this method: a run keeps it out of the backtest and auto's choice; say so
        out = forecasting.run(weekly_frame({kind: series.y}), 13, name, quantiles=QUANTILES, workers=1)
        assert out.selection.loc[0, "fallback"] or out.selection.loc[0, "model"] == name
        result = out.forecasts
    else:
        result = forecasting.run(weekly_frame({kind: series.y}), 13, name, quantiles=QUANTILES, workers=1).forecasts
    assert len(result) == 13
    values = result[["mean", "p10", "p50", "p90"]].to_numpy()
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert np.all(result.p10 <= result.p50) and np.all(result.p50 <= result.p90)


def test_native_intervals_map_to_the_requested_quantiles(seasonal_weekly):
    series = SeriesInput(y=seasonal_weekly[:60], ds=pd.date_range("2023-01-02", periods=60, freq="W-MON").to_numpy(),
                         season_length=12, freq="W-MON")
    forecast = forecasting.get_strategy("sf_auto_ets").forecast(series, 6, (0.05, 0.1, 0.5, 0.9))
    assert interval_levels((0.05, 0.1, 0.5, 0.9)) == [80, 90]
    assert set(forecast.quantiles) == {0.05, 0.1, 0.5, 0.9}
    np.testing.assert_allclose(forecast.quantiles[0.5], forecast.mean)
    assert np.all(forecast.quantiles[0.05] < forecast.quantiles[0.1])
    assert np.all(forecast.quantiles[0.9] > forecast.mean)


def test_seasons_enter_only_with_two_full_seasons_of_history():
    assert fitting_season(30, 12) == 12 and fitting_season(20, 12) == 1
    assert fitting_season(156, 52, most=24) == 1 and fitting_season(156, 52) == 52  # AutoARIMA: at most 24
    assert SFMSTL.seasons(110, 52) == [13, 52] and SFMSTL.seasons(60, 52) == [13] and SFMSTL.seasons(20, 52) == []
    assert SFMSTL().min_history_for(52) == 26 and SFMSTL().min_history_for(12) == 24


def test_mstl_follows_a_yearly_weekly_season(seasonal_weekly):
    series = SeriesInput(y=seasonal_weekly[:130], ds=pd.date_range("2023-01-02", periods=130, freq="W-MON").to_numpy(),
                         season_length=52, freq="W-MON")
    mean = forecasting.get_strategy("sf_mstl").forecast(series, 26, QUANTILES).mean
    truth = seasonal_weekly[130:156]
    flat = np.full(26, seasonal_weekly[:130][-13:].mean())
    assert np.mean(np.abs(mean - truth)) < 0.5 * np.mean(np.abs(flat - truth))


def test_auto_competes_with_the_light_ones_and_autoarima_only_for_few_series(seasonal_weekly):
    light = forecasting.auto_candidates(5_000)
    assert {"sf_auto_ets", "sf_auto_theta", "sf_mstl"} <= set(light) and "sf_auto_arima" not in light
    assert "sf_auto_arima" in forecasting.auto_candidates(3, heavy_max_series=10)
    out = forecasting.run(weekly_frame({"a": seasonal_weekly[:120]}), 8, "auto", quantiles=QUANTILES, workers=1,
                          candidates=("seasonal_naive", *NEW))
    # every new one was backtested and scored, but AutoETS: with a 52-week season auto leaves it out (engine.py)
    assert set(out.scores.model) >= set(NEW) - {"sf_auto_ets"} and "sf_auto_ets" not in set(out.scores.model)
    assert np.all(np.isfinite(out.forecasts["mean"]))


def test_auto_leaves_slow_exponential_smoothing_out_of_weekly_runs_only():
    from genxsop_core.forecasting.engine import auto_pool

    pool = ("naive", "ets", "ets_log", "theta", "sf_auto_ets", "sf_mstl")
    assert auto_pool(pool, 52) == ["naive", "sf_mstl"]
    assert auto_pool(pool, 12) == list(pool)
    assert auto_pool(("ets",), 52) == ["ets"]  # never an empty pool
    y = 30 + 5 * np.sin(2 * np.pi * np.arange(40) / 52)
    out = forecasting.run(weekly_frame({"a": y}), 4, "auto", workers=1,
                          candidates=("naive", "ets", "sf_auto_ets", "sf_auto_theta"))
    assert {"naive", "sf_auto_theta"} <= set(out.scores.model) and not {"ets", "sf_auto_ets"} & set(out.scores.model)
