"""Auto's choice on hand-made backtests: weights, patterns, and the band's errors."""
from __future__ import annotations

import numpy as np
import pytest

from genxsop_core.forecasting.backtest import ModelBacktest, combine
from genxsop_core.forecasting.selection import choose

Y = np.array([10.0, 12, 11, 13, 12, 14, 13, 15, 14, 16, 15, 17])  # smooth: no zeros


def backtest(forecast_offset: float, origins=(6, 9)) -> ModelBacktest:
    """A model whose every backtest forecast misses the actuals by `forecast_offset`."""
    bt = ModelBacktest()
    for origin in origins:
        bt.add(origin, Y[origin:origin + 3] - forecast_offset)
    return bt


def test_weighted_combine_is_the_weighted_average_on_shared_windows():
    a, b = backtest(1.0), backtest(-3.0, origins=(9,))
    blended = combine([a, b], [0.75, 0.25])
    assert blended.origins == [9]
    np.testing.assert_allclose(blended.forecasts[0], Y[9:12] - 0.75 * 1.0 - 0.25 * -3.0)


def test_smooth_series_blend_the_three_best_by_inverse_mae():
    tested = {"ets": backtest(1.0), "theta": backtest(2.0), "naive": backtest(4.0), "tsb": backtest(8.0)}
    choice = choose(Y, 4, tested)
    assert choice.model == "combo:ets+naive+theta" and choice.members == ("ets", "theta", "naive")
    inverse = np.array([1 / 1, 1 / 2, 1 / 4])
    np.testing.assert_allclose(choice.weights, inverse / inverse.sum())  # 4/7, 2/7, 1/7
    assert "ets 57%" in choice.reason and "theta 29%" in choice.reason and "naive 14%" in choice.reason
    assert "weighted by 1/MAE" in choice.reason
    np.testing.assert_allclose(choice.combine([np.ones(3), np.zeros(3), np.zeros(3)]), np.full(3, 4 / 7))


def test_the_runs_pooled_evidence_can_overturn_a_narrow_own_ranking():
    """Own MAEs 1.0 (ets), 1.1 (theta), 2.0 (naive), 2.2 (tsb): alone ets leads. Across the run ets was on
    average 3x the best SKU model: shrunk half and half, it ranks last and drops out of the blend."""
    tested = {"ets": backtest(1.0), "theta": backtest(1.1), "naive": backtest(2.0), "tsb": backtest(2.2)}
    pooled = {"ets": 3.0, "theta": 1.05, "naive": 1.2, "tsb": 1.1}
    choice = choose(Y, 4, tested, pooled=pooled)
    scores = {"ets": 0.5 * 1.0 + 0.5 * 3.0, "theta": 0.5 * 1.1 + 0.5 * 1.05, "naive": 0.5 * 2.0 + 0.5 * 1.2,
              "tsb": 0.5 * 2.2 + 0.5 * 1.1}
    assert choice.members == ("theta", "naive", "tsb")  # ets, best on its own, ranks last
    inverse = np.array([1 / scores["theta"], 1 / scores["naive"], 1 / scores["tsb"]])
    np.testing.assert_allclose(choice.weights, inverse / inverse.sum())
    assert "across the run's SKUs" in choice.reason and "weighted by 1/score" in choice.reason


def test_pooled_relative_errors_average_each_models_ratio_to_the_skus_best():
    from genxsop_core.forecasting.selection import pooled_relative_errors

    first = {"ets": backtest(1.0), "theta": backtest(2.0)}  # theta 2x the best
    second = {"ets": backtest(4.0), "theta": backtest(2.0)}  # ets 2x the best
    third = {"ets": backtest(0.0), "theta": backtest(1.0)}  # a perfect backtest: no ratio, left out
    pooled = pooled_relative_errors([Y, Y, Y], 4, [first, second, third])
    assert pooled == pytest.approx({"ets": 1.5, "theta": 1.5})


def test_a_perfect_backtest_needs_no_partners():
    choice = choose(Y, 4, {"ets": backtest(0.0), "theta": backtest(2.0), "naive": backtest(4.0)})
    assert choice.model == "ets" and choice.weights == ()


def test_without_combinations_the_lowest_error_wins_alone():
    choice = choose(Y, 4, {"ets": backtest(1.0), "theta": backtest(2.0)}, allow_combination=False)
    assert choice.model == "ets" and "best backtest MAE" in choice.reason


def test_models_with_fewer_windows_do_not_compete():
    tested = {"ets": backtest(3.0), "theta": backtest(2.0, origins=(9,)), "naive": backtest(4.0)}
    choice = choose(Y, 4, tested)
    assert set(choice.members) == {"ets", "naive"}  # theta backtested on one window only


def test_intermittent_series_are_judged_on_rmse():
    """On a zero-heavy series, a model that always misses by 1 (MAE 1, RMSE 1) beats one that
    is exact on four buckets and misses by 3 on two (MAE 1, RMSE 1.73): RMSE decides."""
    y = np.array([0.0, 5, 0, 0, 4, 0, 0, 6, 0, 0, 5, 0])
    steady, spiky = ModelBacktest(), ModelBacktest()
    for origin in (6, 9):
        steady.add(origin, y[origin:origin + 3] - 1.0)
        spiky.add(origin, y[origin:origin + 3] - np.array([3.0, 0, 0]))
    choice = choose(y, 4, {"tsb": steady, "croston_sba": spiky}, allow_combination=False)
    assert choice.model == "tsb" and choice.reason.startswith("intermittent") and "RMSE" in choice.reason


@pytest.mark.parametrize("members", [("ets",), ("ets", "theta")])
def test_the_band_pools_every_members_errors(members):
    from genxsop_core.forecasting.base import SeriesInput
    from genxsop_core.forecasting.engine import _band_errors

    tested = {"ets": backtest(1.0), "theta": backtest(-2.0)}
    series = SeriesInput(y=Y, ds=np.arange(12).astype("datetime64[W]"), season_length=4, freq="W-MON")
    errors = _band_errors(series, members, None, tested)
    assert len(errors) == 6 * len(members)
    assert set(np.round(errors, 9)) == ({1.0} if members == ("ets",) else {1.0, -2.0})
