"""Accuracy of approved plans by lag, FVA and flags, against hand-worked values (e = F - A)."""
import math

import numpy as np
import pandas as pd
import pytest

from genxsop_core.demand.accuracy import BIAS_LIMIT, TS_LIMIT, accuracy_by_lag, flag_skus, value_added

PERIODS = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
MEASURES = ["periods", "actual", "forecast", "wape", "mape", "bias", "tracking_signal"]


def lag_frame(rows: list[tuple], family: str = "F1") -> pd.DataFrame:
    """rows: (sku, lag, actuals, consensus) per period in PERIODS; naive and statistical = actual.

    version_id names the plan the row came from: the month of its last actual (period - lag).
    """
    records = []
    for sku, lag, actuals, consensus in rows:
        for period, actual, planned in zip(PERIODS, actuals, consensus):
            version = (period - pd.DateOffset(months=lag)).strftime("plan-%Y-%m")
            records.append({"version_id": version, "sku": sku, "family": family, "category": "C1",
                            "period": period, "lag": lag, "actual": float(actual),
                            "naive": float(actual), "statistical": float(actual),
                            "consensus": float(planned)})
    return pd.DataFrame(records)


# Two SKUs of one family, two lags, three periods.
#               A                 F = consensus       e = F - A
# S1 lag 1:  100 100 100       110 120 130          +10 +20 +30
# S2 lag 1:   50  50  50        40  45  50          -10  -5   0
# S1 lag 2:  100 100 100        90 100  80          -10   0 -20
# S2 lag 2:   50  50  50        60  50  55          +10   0  +5
FRAME = lag_frame([
    ("S1", 1, [100, 100, 100], [110, 120, 130]),
    ("S2", 1, [50, 50, 50], [40, 45, 50]),
    ("S1", 2, [100, 100, 100], [90, 100, 80]),
    ("S2", 2, [50, 50, 50], [60, 50, 55]),
])


def test_sku_level_by_hand():
    result = accuracy_by_lag(FRAME, level="sku")
    assert list(result.columns) == ["sku", "lag", *MEASURES]
    assert list(zip(result.sku, result.lag)) == [("S1", 1), ("S1", 2), ("S2", 1), ("S2", 2)]
    assert result.periods.to_list() == [3, 3, 3, 3]
    assert result.actual.to_list() == [300, 300, 150, 150]
    assert result.forecast.to_list() == [360, 270, 135, 165]
    # WAPE = sum|e| / sum A:  S1 l1 60/300, S1 l2 30/300, S2 l1 15/150, S2 l2 15/150
    assert result.wape.to_list() == pytest.approx([0.2, 0.1, 0.1, 0.1])
    # bias = sum e / sum A: +60/300, -30/300, -15/150, +15/150
    assert result.bias.to_list() == pytest.approx([0.2, -0.1, -0.1, 0.1])
    # MAPE: (.1 + .2 + .3)/3, (.1 + 0 + .2)/3, (.2 + .1 + 0)/3, (.2 + 0 + .1)/3
    assert result.mape.to_list() == pytest.approx([0.2, 0.1, 0.1, 0.1])
    # TS = running sum e / running mean |e|, last period:
    # S1 l1: sums 10, 30, 60; MAD 10, 15, 20 -> 1, 2, 3           -> +3 (over-forecast)
    # S1 l2: sums -10, -10, -30; MAD 10, 5, 10 -> -1, -2, -3      -> -3
    # S2 l1: sums -10, -15, -15; MAD 10, 7.5, 5 -> -1, -2, -3     -> -3
    # S2 l2: sums 10, 10, 15; MAD 10, 5, 5 -> 1, 2, 3             -> +3
    assert result.tracking_signal.to_list() == pytest.approx([3, -3, -3, 3])


def test_family_is_judged_on_its_summed_plan():
    result = accuracy_by_lag(FRAME, level="family")
    assert list(result.columns) == ["family", "lag", *MEASURES]
    # lag 1: family A = 150 a month, F = 150, 165, 180 -> e = 0, +15, +30
    #   WAPE = 45/450 = 0.1 (the SKU misses of -10 and +10 in January cancel)
    #   bias = +45/450 = 0.1; MAPE = (0 + .1 + .2)/3 = 0.1
    #   TS: sums 0, 15, 45; MAD 0, 7.5, 15 -> 0, 2, 3
    # lag 2: F = 150, 150, 135 -> e = 0, 0, -15
    #   WAPE = 15/450 = 1/30; bias = -1/30; MAPE = (0 + 0 + .1)/3 = 1/30
    #   TS: sums 0, 0, -15; MAD 0, 0, 5 -> 0, 0, -3
    assert result.family.to_list() == ["F1", "F1"]
    assert result.lag.to_list() == [1, 2]
    assert result.periods.to_list() == [3, 3]
    assert result.actual.to_list() == [450, 450]
    assert result.forecast.to_list() == [495, 435]
    assert result.wape.to_list() == pytest.approx([0.1, 1 / 30])
    assert result.bias.to_list() == pytest.approx([0.1, -1 / 30])
    assert result.mape.to_list() == pytest.approx([0.1, 1 / 30])
    assert result.tracking_signal.to_list() == pytest.approx([3, -3])


def test_total_level_has_no_group_columns():
    result = accuracy_by_lag(FRAME, level="total")
    assert list(result.columns) == ["lag", *MEASURES]
    assert result.lag.to_list() == [1, 2]
    # one family in the frame, so the same numbers as the family level
    assert result.wape.to_list() == pytest.approx([0.1, 1 / 30])
    assert result.tracking_signal.to_list() == pytest.approx([3, -3])
    category = accuracy_by_lag(FRAME, level="category")
    assert list(category.columns) == ["category", "lag", *MEASURES]
    assert category.bias.to_list() == pytest.approx([0.1, -1 / 30])


def test_other_forecast_steps_can_be_measured():
    # naive and statistical equal the actuals in FRAME: a perfect score
    result = accuracy_by_lag(FRAME, level="family", forecast="statistical")
    assert result.wape.to_list() == [0.0, 0.0]
    assert result.tracking_signal.to_list() == [0.0, 0.0]


def test_missing_forecast_is_not_measured():
    frame = FRAME.copy()
    frame.loc[(frame.sku == "S1") & (frame.lag == 1) & (frame.period == PERIODS[2]), "consensus"] = np.nan
    s1 = accuracy_by_lag(frame).iloc[0]
    # S1 lag 1 keeps e = +10, +20: WAPE = 30/200, 2 periods, TS: sums 10, 30; MAD 10, 15 -> 2
    assert (s1.sku, s1.lag, s1.periods) == ("S1", 1, 2)
    assert s1.wape == pytest.approx(0.15)
    assert s1.tracking_signal == pytest.approx(2)


def test_tracking_signal_runs_in_period_order():
    # the same rows shuffled give the same last value (S1 lag 1: +3, not the -1 of a reversed run)
    shuffled = FRAME.sample(frac=1, random_state=7)
    assert accuracy_by_lag(shuffled).tracking_signal.to_list() == pytest.approx([3, -3, -3, 3])


def test_unknown_level_forecast_or_column_is_rejected():
    with pytest.raises(ValueError, match="unknown level 'region'.*total, category, family, sku"):
        accuracy_by_lag(FRAME, level="region")
    with pytest.raises(ValueError, match="unknown forecast column 'ets'"):
        accuracy_by_lag(FRAME, forecast="ets")
    with pytest.raises(ValueError, match="missing column.*family"):
        accuracy_by_lag(FRAME.drop(columns="family"), level="family")
    with pytest.raises(ValueError, match="lag must be >= 1"):
        accuracy_by_lag(FRAME.assign(lag=0))


def test_empty_frame_gives_empty_result():
    result = accuracy_by_lag(FRAME.iloc[:0], level="sku")
    assert result.empty and list(result.columns) == ["sku", "lag", *MEASURES]


def test_limits():
    assert TS_LIMIT == 4.0 and BIAS_LIMIT == 0.2


def fva_frame(consensus: list[float], lag: int = 1) -> pd.DataFrame:
    # A = 100, 200 (sum 300); naive 130, 150 (|e| 30 + 50 = 80); statistical 110, 180 (10 + 20 = 30)
    return pd.DataFrame({"version_id": "v", "sku": ["S1", "S2"], "family": "F1", "category": "C1",
                         "period": PERIODS[0], "lag": lag, "actual": [100.0, 200.0],
                         "naive": [130.0, 150.0], "statistical": [110.0, 180.0],
                         "consensus": consensus})


def test_value_added_when_consensus_helps():
    # consensus 105, 195: |e| 5 + 5 = 10
    # WAPE: naive 80/300 = 0.2667, statistical 30/300 = 0.1, consensus 10/300 = 0.0333
    # FVA: statistical 80/300 - 30/300 = 50/300 = 0.1667; consensus 30/300 - 10/300 = 0.0667
    result = value_added(fva_frame([105.0, 195.0]))
    assert list(result.columns) == ["step", "wape", "fva"]
    assert result.step.to_list() == ["naive", "statistical", "consensus"]
    assert result.wape.to_list() == pytest.approx([80 / 300, 30 / 300, 10 / 300])
    assert math.isnan(result.fva.iloc[0])
    assert result.fva.iloc[1:].to_list() == pytest.approx([50 / 300, 20 / 300])


def test_value_added_when_consensus_hurts():
    # consensus 140, 200: |e| 40 + 0 = 40 -> WAPE 40/300; FVA = 30/300 - 40/300 = -0.0333
    result = value_added(fva_frame([140.0, 200.0]))
    assert result.wape.iloc[2] == pytest.approx(40 / 300)
    assert result.fva.iloc[2] == pytest.approx(-10 / 300)
    assert result.fva.iloc[2] < 0


def test_value_added_restricted_to_lag():
    frame = pd.concat([fva_frame([105.0, 195.0], lag=1), fva_frame([140.0, 200.0], lag=2)])
    assert value_added(frame, lag=1).fva.iloc[2] == pytest.approx(20 / 300)
    assert value_added(frame, lag=2).fva.iloc[2] == pytest.approx(-10 / 300)
    # both lags pooled: consensus |e| 10 + 40 = 50 over 600, statistical 60/600 -> FVA 10/600
    assert value_added(frame).fva.iloc[2] == pytest.approx(10 / 600)


def test_value_added_scores_every_step_on_the_same_rows():
    # S2's consensus is missing: only S1 counts, for every step
    # naive 30/100, statistical 10/100, consensus 5/100
    result = value_added(fva_frame([105.0, np.nan]))
    assert result.wape.to_list() == pytest.approx([0.3, 0.1, 0.05])


def test_value_added_needs_rows():
    with pytest.raises(ValueError, match="nothing to measure"):
        value_added(fva_frame([105.0, 195.0]).iloc[:0])
    with pytest.raises(ValueError, match="at lag 3"):
        value_added(fva_frame([105.0, 195.0]), lag=3)


FIVE = pd.date_range("2025-01-01", periods=5, freq="MS")


def flag_frame() -> pd.DataFrame:
    """Four SKUs over five months at lag 1, actual 100 every month."""
    consensus = {
        # e = +35 x 5: bias 175/500 = +0.35; TS = 5 (sum 35t / MAD 35) -> both flags
        "BIASED": [135, 135, 135, 135, 135],
        # e = +70 -40 +70 -40 +70: bias 130/500 = +0.26; TS = 130 / (290/5 = 58) = 2.24 -> bias flag
        "SPIKY": [170, 60, 170, 60, 170],
        # e = -5 x 5: bias -25/500 = -0.05; TS = -5 -> tracking signal flag
        "UNDER": [95, 95, 95, 95, 95],
        # e = +2 -3 +1 -1 0: bias -1/500 = -0.002; TS = -1 / (7/5 = 1.4) = -0.71 -> no flag
        "GOOD": [102, 97, 101, 99, 100],
    }
    return pd.DataFrame([
        {"version_id": f"v{i}", "sku": sku, "family": "F2" if sku == "GOOD" else "F1",
         "category": "C1", "period": period, "lag": 1, "actual": 100.0, "naive": 100.0,
         "statistical": 100.0, "consensus": float(planned)}
        for sku, plan in consensus.items() for i, (period, planned) in enumerate(zip(FIVE, plan))])


def test_flag_skus_by_hand():
    result = flag_skus(flag_frame())
    assert list(result.columns) == ["sku", "family", "wape", "bias", "tracking_signal", "flag"]
    # sorted by |bias|: 0.35, 0.26, 0.05; GOOD is not flagged
    assert result.sku.to_list() == ["BIASED", "SPIKY", "UNDER"]
    assert result.family.to_list() == ["F1", "F1", "F1"]
    # WAPE: 175/500, 290/500, 25/500
    assert result.wape.to_list() == pytest.approx([0.35, 0.58, 0.05])
    assert result.bias.to_list() == pytest.approx([0.35, 0.26, -0.05])
    assert result.tracking_signal.to_list() == pytest.approx([5, 130 / 58, -5])
    assert result.flag.to_list() == [
        "over-forecast: bias +35%; tracking signal +5.0 (persistent over-forecast)",
        "over-forecast: bias +26%",
        "tracking signal -5.0 (persistent under-forecast)",
    ]


def test_flag_limits_are_strict_and_adjustable():
    # |TS| = 5 is not above 5; bias 0.26 is not above 0.3: only BIASED (0.35) remains
    assert flag_skus(flag_frame(), ts_limit=5, bias_limit=0.3).sku.to_list() == ["BIASED"]
    with pytest.raises(ValueError, match="must not be negative"):
        flag_skus(flag_frame(), bias_limit=-0.1)


def test_flag_skus_at_one_lag():
    # FRAME at lag 1: S1 bias +0.2 (above 0.15), S2 bias -0.1 (not); TS +3 is within 4
    result = flag_skus(FRAME, lag=1, bias_limit=0.15)
    assert result.sku.to_list() == ["S1"]
    assert result.flag.iloc[0] == "over-forecast: bias +20%"
    # at the default limit of 0.2 nothing is above it, and lag 2 is within limits too
    assert flag_skus(FRAME, lag=1).empty
    assert flag_skus(FRAME, lag=2, bias_limit=0.15).empty
