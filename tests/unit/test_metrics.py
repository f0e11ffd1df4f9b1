"""Accuracy metrics against hand-worked values (A = actual, F = forecast, e = F - A)."""
import math

import numpy as np
import pandas as pd
import pytest

from genxsop_core import metrics

# The running example: A = [10, 20, 30], F = [12, 18, 33] -> e = [2, -2, 3], |e| = [2, 2, 3]
A, F = [10, 20, 30], [12, 18, 33]
PAIR_METRICS = [metrics.mae, metrics.rmse, metrics.mape, metrics.smape, metrics.wape, metrics.bias]


def test_mae_and_rmse_by_hand():
    # MAE = (2 + 2 + 3) / 3 = 2.333...; RMSE = sqrt((4 + 4 + 9) / 3) = sqrt(17/3) = 2.3805
    assert metrics.mae(A, F) == pytest.approx(7 / 3)
    assert metrics.rmse(A, F) == pytest.approx(math.sqrt(17 / 3))


def test_percentage_metrics_are_fractions_by_hand():
    # MAPE = (2/10 + 2/20 + 3/30) / 3 = 0.4 / 3 = 0.1333
    assert metrics.mape(A, F) == pytest.approx(0.4 / 3)
    # sMAPE = (2*2/(10+12) + 2*2/(20+18) + 2*3/(30+33)) / 3 = (0.1818 + 0.1053 + 0.0952) / 3
    assert metrics.smape(A, F) == pytest.approx((4 / 22 + 4 / 38 + 6 / 63) / 3)
    # WAPE = (2 + 2 + 3) / (10 + 20 + 30) = 7/60 = 0.1167
    assert metrics.wape(A, F) == pytest.approx(7 / 60)
    # bias = (2 - 2 + 3) / 60 = 0.05: over-forecast by 5%
    assert metrics.bias(A, F) == pytest.approx(0.05)


def test_bias_sign_shows_direction():
    # under-forecast: e = [-2, -4], sum(A) = 30 -> -6/30 = -0.2
    assert metrics.bias([10, 20], [8, 16]) == pytest.approx(-0.2)


def test_zero_actuals():
    actual, forecast = [0, 10, 20], [5, 12, 15]  # e = [5, 2, -5]
    # MAPE skips the A = 0 period: (2/10 + 5/20) / 2 = 0.225
    assert metrics.mape(actual, forecast) == pytest.approx(0.225)
    # sMAPE keeps it: (2*5/(0+5) + 2*2/22 + 2*5/35) / 3 = (2 + 0.1818 + 0.2857) / 3
    assert metrics.smape(actual, forecast) == pytest.approx((2 + 4 / 22 + 10 / 35) / 3)
    # WAPE = (5 + 2 + 5) / 30 = 0.4; bias = (5 + 2 - 5) / 30 = 0.0667
    assert metrics.wape(actual, forecast) == pytest.approx(0.4)
    assert metrics.bias(actual, forecast) == pytest.approx(2 / 30)


def test_all_zero_actuals():
    assert math.isnan(metrics.mape([0, 0], [1, 2]))
    # sMAPE: 0/0 counts 0, 2*4/(0+4) = 2 -> (0 + 2) / 2 = 1
    assert metrics.smape([0, 0], [0, 4]) == pytest.approx(1.0)
    assert metrics.smape([0, 0], [0, 0]) == 0.0
    assert metrics.wape([0, 0], [0, 0]) == 0.0  # nothing sold, nothing forecast
    assert math.isnan(metrics.wape([0, 0], [0, 4]))
    assert math.isnan(metrics.bias([0, 0], [1, 1]))
    assert math.isnan(metrics.bias([5, -5], [5, -5]))  # sum(A) = 0 even though |A| is not


@pytest.mark.parametrize("metric", PAIR_METRICS)
def test_perfect_forecast_scores_zero(metric):
    assert metric(A, A) == 0.0


def test_perfect_forecast_mase_is_zero():
    assert metrics.mase(A, A, [1, 2, 3, 4], season_length=1) == 0.0


@pytest.mark.parametrize("metric", PAIR_METRICS)
def test_mismatched_lengths_name_both(metric):
    with pytest.raises(ValueError, match="3 values.*2"):
        metric([1, 2, 3], [1, 2])


def test_mismatched_lengths_other_metrics():
    with pytest.raises(ValueError, match="3 values.*2"):
        metrics.mase([1, 2, 3], [1, 2], [1, 2, 3], season_length=1)
    with pytest.raises(ValueError, match="3 values.*2"):
        metrics.pinball_loss([1, 2, 3], [1, 2], 0.5)
    with pytest.raises(ValueError, match="2 values.*3"):
        metrics.fva([1, 2], [1, 2, 3])


@pytest.mark.parametrize("metric", PAIR_METRICS)
def test_empty_input_is_nan(metric):
    assert math.isnan(metric([], []))


def test_empty_input_is_nan_for_mase_and_pinball():
    assert math.isnan(metrics.mase([], [], [1, 2, 3], season_length=1))
    assert math.isnan(metrics.pinball_loss([], [], 0.5))


def test_two_dimensional_input_is_rejected():
    with pytest.raises(ValueError, match="one-dimensional"):
        metrics.mae([[1, 2], [3, 4]], [[1, 2], [3, 4]])


def test_pandas_series_pair_by_position_not_index():
    actual = pd.Series(A, index=["w1", "w2", "w3"])
    forecast = pd.Series(F, index=[7, 8, 9])
    assert metrics.mae(actual, forecast) == pytest.approx(7 / 3)
    assert metrics.wape(actual, np.array(F)) == pytest.approx(7 / 60)
    train = pd.Series([10, 20, 30, 40], dtype="Int64")
    assert metrics.mase(actual, forecast, train, season_length=1) == pytest.approx((7 / 3) / 10)


def test_nan_pairs_are_dropped():
    # only the first pair (10, 12) has both sides: MAE = 2, WAPE = 2/10
    actual, forecast = [10, np.nan, 30], [12, 18, np.nan]
    assert metrics.mae(actual, forecast) == pytest.approx(2.0)
    assert metrics.wape(actual, forecast) == pytest.approx(0.2)
    assert metrics.mae(pd.Series([10, None], dtype="Int64"), [12, 5]) == pytest.approx(2.0)
    assert math.isnan(metrics.mae([np.nan], [1.0]))


# Quarterly history with a season of 4: 10 20 30 40 | 12 22 32 42
TRAIN = [10, 20, 30, 40, 12, 22, 32, 42]
# Test period: A = [14, 24, 34, 44], F = [13, 26, 34, 40] -> |e| = [1, 2, 0, 4], MAE = 7/4 = 1.75
TEST_A, TEST_F = [14, 24, 34, 44], [13, 26, 34, 40]


def test_mase_seasonal_scale_by_hand():
    # lag 4: |12-10|, |22-20|, |32-30|, |42-40| = 2, 2, 2, 2 -> scale 2; MASE = 1.75 / 2
    assert metrics.mase(TEST_A, TEST_F, TRAIN, season_length=4) == pytest.approx(0.875)


def test_mase_season_length_one_by_hand():
    # lag 1: 10, 10, 10, |12-40| = 28, 10, 10, 10 -> scale 88/7 = 12.571; MASE = 1.75 * 7 / 88
    assert metrics.mase(TEST_A, TEST_F, TRAIN, season_length=1) == pytest.approx(1.75 * 7 / 88)


def test_mase_short_train_falls_back_to_lag_one():
    # 4 values < season_length + 1 = 5 -> lag 1: 10, 10, 10 -> scale 10; MASE = 0.175
    assert metrics.mase(TEST_A, TEST_F, TRAIN[:4], season_length=4) == pytest.approx(0.175)
    # exactly season_length + 1 values keeps lag 4: one difference |12-10| = 2
    assert metrics.mase(TEST_A, TEST_F, TRAIN[:5], season_length=4) == pytest.approx(0.875)


def test_mase_zero_scale_and_bad_input():
    assert math.isnan(metrics.mase([5, 6], [5, 5], [5, 5, 5], season_length=1))
    assert metrics.mase([5, 5], [5, 5], [5, 5, 5], season_length=1) == 0.0
    assert math.isnan(metrics.mase([5], [6], [5], season_length=1))  # no difference at all
    # a NaN in the history drops only its difference: 2, 2, (nan), 2 -> scale 2
    train = [10, 20, np.nan, 40, 12, 22, 32, 42]
    assert metrics.mase(TEST_A, TEST_F, train, season_length=4) == pytest.approx(0.875)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="season_length"):
            metrics.mase(TEST_A, TEST_F, TRAIN, season_length=bad)


def test_tracking_signal_by_hand():
    # e = [2, -1, 3, 4, 5]
    # t1: sum 2,  MAD 2/1 = 2    -> 1
    # t2: sum 1,  MAD 3/2 = 1.5  -> 0.667
    # t3: sum 4,  MAD 6/3 = 2    -> 2
    # t4: sum 8,  MAD 10/4 = 2.5 -> 3.2
    # t5: sum 13, MAD 15/5 = 3   -> 4.333  > 4: flagged
    signal = metrics.tracking_signal([2, -1, 3, 4, 5])
    assert signal == pytest.approx([1, 2 / 3, 2, 3.2, 13 / 3])
    assert list(np.abs(signal) > metrics.TRACKING_SIGNAL_LIMIT) == [False] * 4 + [True]


def test_tracking_signal_limit_is_strict_and_signed():
    # all errors one sign: TS_t = t, so t = 4 sits on the limit (not flagged), t = 5 passes it
    assert metrics.TRACKING_SIGNAL_LIMIT == 4.0
    assert metrics.tracking_signal([1, 2, 3, 4, 1]) == pytest.approx([1, 2, 3, 4, 5])
    assert metrics.tracking_signal(pd.Series([-3, -1])) == pytest.approx([-1, -2])


def test_tracking_signal_zero_mad_and_nan():
    # MAD 0 -> 0; then e = 3: sum 3, MAD 3/3 = 1 -> 3
    assert metrics.tracking_signal([0, 0, 3]) == pytest.approx([0, 0, 3])
    # NaN is skipped: t3 sum 2 - 1 = 1, MAD (2 + 1)/2 = 1.5 -> 0.667
    signal = metrics.tracking_signal([2, np.nan, -1])
    assert signal[0] == pytest.approx(1) and math.isnan(signal[1])
    assert signal[2] == pytest.approx(2 / 3)
    assert metrics.tracking_signal([]).shape == (0,)


@pytest.mark.parametrize("q, under, over", [
    # y = 100. Under-prediction F = 80 (y - F = 20): max(q*20, (q-1)*20) = 20q
    # Over-prediction F = 120 (y - F = -20): max(-20q, 20(1-q)) = 20(1-q)
    (0.1, 2.0, 18.0),
    (0.5, 10.0, 10.0),
    (0.9, 18.0, 2.0),
])
def test_pinball_loss_by_hand(q, under, over):
    assert metrics.pinball_loss([100], [80], q) == pytest.approx(under)
    assert metrics.pinball_loss([100], [120], q) == pytest.approx(over)
    # both periods together: mean of the two
    assert metrics.pinball_loss([100, 100], [80, 120], q) == pytest.approx((under + over) / 2)


@pytest.mark.parametrize("q", [0, 1, -0.1, 1.5])
def test_pinball_loss_rejects_levels_outside_zero_one(q):
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.pinball_loss([100], [80], q)


def test_mean_pinball_averages_levels():
    # y = 100: P10 = 90 -> 0.1*10 = 1; P50 = 100 -> 0; P90 = 130 -> (0.9-1)*(-30) = 3 -> 4/3
    preds = {0.1: [90], 0.5: [100], 0.9: [130]}
    assert metrics.mean_pinball([100], preds) == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="empty"):
        metrics.mean_pinball([100], {})


def test_fva_sign():
    # naive MAE 10 -> statistical 8: +2, the step helped; consensus 9 after 8: -1, it hurt
    assert metrics.fva(10, 8) == pytest.approx(2.0)
    assert metrics.fva(8, 9) == pytest.approx(-1.0)
    assert isinstance(metrics.fva(10, 8), float)
    result = metrics.fva(np.array([10, 5]), pd.Series([8, 6]))
    assert isinstance(result, np.ndarray)
    assert result == pytest.approx([2, -1])
