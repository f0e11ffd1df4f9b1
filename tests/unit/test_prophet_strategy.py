"""ProphetStrategy on synthetic weekly and monthly demand (about 0.1 s a fit)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genxsop_core.forecasting.base import SeriesInput, StrategyForecast
from genxsop_core.forecasting.strategies import prophet as prophet_module
from genxsop_core.forecasting.strategies.prophet import ProphetStrategy

LEVELS = (0.1, 0.5, 0.9)
HORIZON = 13
PROMO_UPLIFT = 0.5

needs_prophet = pytest.mark.skipif(
    ProphetStrategy().availability() is not None, reason=str(ProphetStrategy().availability())
)


def weekly_demand(promo_weeks: np.ndarray | None = None, future_promo: np.ndarray | None = None) -> SeriesInput:
    """Three years of Monday weeks: trend + yearly season + noise, +50% in promoted weeks."""
    rng = np.random.default_rng(20240601)
    weeks = 156
    t = np.arange(weeks)
    base = 200.0 + 0.5 * t + 40.0 * np.sin(2 * np.pi * t / 52.18)
    if promo_weeks is None:
        promo_weeks = (rng.random(weeks) < 0.12).astype(float)
    demand = base * (1.0 + PROMO_UPLIFT * promo_weeks) + rng.normal(0.0, 8.0, weeks)
    return SeriesInput(
        y=np.clip(demand, 0.0, None),
        ds=pd.date_range("2022-01-03", periods=weeks, freq="W-MON").to_numpy(),
        season_length=52, freq="W-MON", promo=promo_weeks, future_promo=future_promo, unique_id="SKU-W",
    )


def series_of(y: np.ndarray, freq: str = "W-MON", season_length: int = 52) -> SeriesInput:
    start = "2022-01-03" if freq == "W-MON" else "2022-01-01"
    return SeriesInput(y=np.asarray(y, dtype=float), ds=pd.date_range(start, periods=len(y), freq=freq).to_numpy(),
                       season_length=season_length, freq=freq)


def assert_well_formed(forecast: StrategyForecast, horizon: int = HORIZON) -> None:
    assert forecast.mean.shape == (horizon,)
    assert set(forecast.quantiles) == set(LEVELS)
    for level in LEVELS:
        assert forecast.quantiles[level].shape == (horizon,)
    stacked = np.vstack([forecast.mean, *(forecast.quantiles[level] for level in LEVELS)])
    assert np.isfinite(stacked).all()
    assert (stacked >= 0).all()


@pytest.fixture(scope="module")
def weekly_forecast() -> StrategyForecast:
    return ProphetStrategy().forecast(weekly_demand(future_promo=np.zeros(HORIZON)), HORIZON, LEVELS)


def test_declares_its_contract():
    strategy = ProphetStrategy()
    assert strategy.name == "prophet"
    assert strategy.heavy and strategy.native_quantiles and strategy.uses_promo
    assert 12 < strategy.min_history <= 52


@needs_prophet
def test_weekly_forecast_has_one_value_per_bucket_and_level(weekly_forecast):
    assert_well_formed(weekly_forecast)


@needs_prophet
def test_quantiles_are_monotone_and_non_negative(weekly_forecast):
    p10, p50, p90 = (weekly_forecast.quantiles[level] for level in LEVELS)
    assert (p10 <= p50).all() and (p50 <= p90).all()
    assert (p90 - p10).mean() > 0  # a real interval, not a point
    assert (p10 >= 0).all()


@needs_prophet
def test_forecast_continues_the_level_of_the_history(weekly_forecast):
    history = weekly_demand()
    recent = np.median(history.y[-26:])
    assert 0.6 * recent < weekly_forecast.mean.mean() < 1.6 * recent


@needs_prophet
def test_planned_promotion_lifts_that_week():
    planned = np.zeros(HORIZON)
    planned[6] = 1.0
    forecast = ProphetStrategy().forecast(weekly_demand(future_promo=planned), HORIZON, LEVELS)
    neighbours = (forecast.mean[5] + forecast.mean[7]) / 2
    assert forecast.mean[6] / neighbours - 1 > 0.2
    assert forecast.quantiles[0.5][6] > 1.2 * (forecast.quantiles[0.5][5] + forecast.quantiles[0.5][7]) / 2


@needs_prophet
def test_all_zero_promo_flags_add_no_regressor():
    no_promo = np.zeros(156)
    flagged = weekly_demand(promo_weeks=no_promo, future_promo=np.zeros(HORIZON))
    unflagged = SeriesInput(y=flagged.y, ds=flagged.ds, season_length=52, freq="W-MON")
    strategy = ProphetStrategy()
    with_flags = strategy.forecast(flagged, HORIZON, LEVELS)
    without = strategy.forecast(unflagged, HORIZON, LEVELS)
    np.testing.assert_array_equal(with_flags.mean, without.mean)


@needs_prophet
def test_monthly_series_works():
    rng = np.random.default_rng(7)
    months = np.arange(36)
    demand = 1000.0 + 5.0 * months + 150.0 * np.sin(2 * np.pi * months / 12) + rng.normal(0.0, 20.0, 36)
    forecast = ProphetStrategy().forecast(series_of(demand, "MS", 12), HORIZON, LEVELS)
    assert_well_formed(forecast)
    assert 800 < forecast.mean.mean() < 1600


@needs_prophet
@pytest.mark.parametrize("shape", ["constant", "mostly_zeros", "all_zeros", "just_above_min_history"])
def test_awkward_series_give_finite_forecasts(shape):
    strategy = ProphetStrategy()
    rng = np.random.default_rng(3)
    demand = {
        "constant": np.full(104, 12.0),
        "mostly_zeros": np.where(np.isin(np.arange(104), [9, 40, 77]), 4.0, 0.0),
        "all_zeros": np.zeros(104),
        "just_above_min_history": rng.poisson(20, strategy.min_history + 1).astype(float),
    }[shape]
    forecast = strategy.forecast(series_of(demand), HORIZON, LEVELS)
    assert_well_formed(forecast)
    if shape == "constant":
        np.testing.assert_allclose(forecast.mean, 12.0, rtol=1e-6)


@needs_prophet
def test_two_calls_give_the_same_forecast_and_leave_numpy_rng_alone(weekly_forecast):
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    again = ProphetStrategy().forecast(weekly_demand(future_promo=np.zeros(HORIZON)), HORIZON, LEVELS)
    assert np.random.random() == expected_next
    np.testing.assert_array_equal(again.mean, weekly_forecast.mean)
    for level in LEVELS:
        np.testing.assert_array_equal(again.quantiles[level], weekly_forecast.quantiles[level])


def test_bad_quantile_levels_are_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        ProphetStrategy().forecast(weekly_demand(), HORIZON, (0.1, 1.0))


def test_missing_prophet_is_reported_not_raised(monkeypatch):
    monkeypatch.setitem(sys.modules, "prophet", None)  # makes `import prophet` fail
    prophet_module._unavailable_reason.cache_clear()
    try:
        reason = ProphetStrategy().availability()
        assert reason is not None and reason.startswith("prophet cannot run here")
        assert "\n" not in reason
    finally:
        prophet_module._unavailable_reason.cache_clear()


def test_importing_the_module_does_not_import_prophet():
    code = ("import sys, genxsop_core.forecasting.strategies.prophet; "
            "assert 'prophet' not in sys.modules and 'cmdstanpy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
