"""Each light strategy on hand-made series: shapes, known answers, short histories."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core.forecasting.base import SeriesInput
from genxsop_core.forecasting.strategies.intermittent import TSB, CrostonSBA
from genxsop_core.forecasting.strategies.simple import MovingAverage, Naive, SeasonalNaive
from genxsop_core.forecasting.strategies.smoothing import ETS, LogETS, Theta


def series(y, season_length: int = 4) -> SeriesInput:
    y = np.asarray(y, dtype=float)
    return SeriesInput(y=y, ds=pd.date_range("2024-01-01", periods=len(y), freq="W-MON").to_numpy(),
                       season_length=season_length, freq="W-MON")


def test_naive_repeats_the_last_value():
    assert list(Naive().forecast(series([3, 5, 8]), 3, ()).mean) == [8, 8, 8]


def test_seasonal_naive_repeats_last_season_and_falls_back_when_short():
    assert list(SeasonalNaive().forecast(series([1, 2, 3, 4, 10, 20, 30, 40]), 6, ()).mean) == [10, 20, 30, 40, 10, 20]
    assert list(SeasonalNaive().forecast(series([1, 2]), 2, ()).mean) == [2, 2]


def test_moving_average_window_is_configurable():
    assert MovingAverage(window=2).forecast(series([1, 2, 3, 9]), 2, ()).mean.tolist() == [6, 6]
    # default window: max(4, season/4) = 4 buckets
    assert MovingAverage().forecast(series([100, 1, 2, 3, 6]), 1, ()).mean.tolist() == [3]


def test_croston_sba_hand_worked():
    # demand 0,4,0,0,6 -> sizes [4, 6], intervals [2, 3]; alpha 0.5:
    # size level 4 -> 4 + .5*(6-4) = 5; interval level 2 -> 2 + .5*(3-2) = 2.5
    # forecast = (1 - .5/2) * 5 / 2.5 = 1.5
    result = CrostonSBA(alpha=0.5).forecast(series([0, 4, 0, 0, 6]), 2, ())
    assert result.mean.tolist() == pytest.approx([1.5, 1.5])


def test_tsb_decays_after_demand_stops():
    alive = TSB().forecast(series([5, 0, 5, 0, 5, 0, 5, 0]), 1, ()).mean[0]
    dying = TSB().forecast(series([5, 0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0]), 1, ()).mean[0]
    assert 0 < dying < alive


def test_all_zero_history_forecasts_zero():
    for strategy in (CrostonSBA(), TSB()):
        assert strategy.forecast(series([0, 0, 0, 0, 0]), 3, ()).mean.tolist() == [0, 0, 0]


def test_ets_follows_a_seasonal_shape_with_native_quantiles(seasonal_weekly):
    s = series(seasonal_weekly, 52)
    result = ETS().forecast(s, 26, (0.1, 0.9))
    assert result.mean.shape == (26,) and np.all(result.quantiles[0.1] < result.mean)
    assert np.all(result.quantiles[0.9] > result.mean)
    # the summer peak of the next year sits well above the winter trough
    expected_peak = seasonal_weekly[-52:][:26].argmax()
    assert result.mean[expected_peak] > result.mean.min() + 50


def test_ets_without_two_seasons_fits_without_seasonality(seasonal_weekly):
    result = ETS().forecast(series(seasonal_weekly[:60], 52), 8, (0.5,))
    assert result.mean.shape == (8,) and np.all(np.isfinite(result.mean))


def test_ets_on_the_log_scale_grows_its_swings_with_the_level():
    """A series whose seasonal swing is 30% of a level that doubles: the log-scale ETS keeps
    the swing proportional; its band is log-normal, so never below zero and wider above."""
    t = np.arange(104)
    level = 100 * 2 ** (t / 104)
    y = level * (1 + 0.3 * np.sin(2 * np.pi * t / 52))
    result = LogETS().forecast(series(y, 52), 52, (0.1, 0.9))
    swing = result.mean.max() - result.mean.min()
    assert swing > 0.3 * 2 * 200 * 0.8  # at the new level of ~200, the swing is ~120, not the old ~60
    assert np.all(result.quantiles[0.1] >= 0)
    assert np.all(result.quantiles[0.9] - result.mean > result.mean - result.quantiles[0.1])


def test_ets_on_the_log_scale_survives_zeros(intermittent_weekly):
    result = LogETS().forecast(series(intermittent_weekly, 52), 8, (0.5,))
    assert np.all(np.isfinite(result.mean)) and np.all(result.mean >= 0)


def test_theta_on_positive_and_zero_containing_series(seasonal_weekly, intermittent_weekly):
    assert Theta().forecast(series(seasonal_weekly, 52), 13, ()).mean.shape == (13,)
    assert np.all(np.isfinite(Theta().forecast(series(intermittent_weekly, 52), 13, ()).mean))
