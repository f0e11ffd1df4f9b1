"""Splitting a family-level override to its SKUs, against hand-worked values."""
import math

import numpy as np
import pandas as pd
import pytest

from genxsop_core.demand.disaggregation import split_proportionally, split_table


def test_split_is_proportional_to_forecast():
    # forecasts 10, 30, 60 (sum 100) -> shares 0.1, 0.3, 0.6 of 200 = 20, 60, 120
    result = split_proportionally(200, pd.Series([10, 30, 60], index=["A", "B", "C"]))
    assert list(result.index) == ["A", "B", "C"]
    assert result.to_list() == pytest.approx([20, 60, 120])
    assert result.sum() == pytest.approx(200)


def test_order_and_index_are_kept():
    result = split_proportionally(50, pd.Series([3.0, 1.0], index=["Z-9", "A-1"]))
    # 3/4 and 1/4 of 50 = 37.5 and 12.5, still in the order given
    assert result.to_dict() == pytest.approx({"Z-9": 37.5, "A-1": 12.5})
    assert list(result.index) == ["Z-9", "A-1"]


@pytest.mark.parametrize("new_total, weights", [
    (100, [1, 1, 1]),                          # 33.333... each
    (100 / 3, [0.1, 0.2, 0.3]),                # 1/6, 2/6, 3/6 of 33.333...
    (0.7, [0.1] * 7),                          # 0.1 each, a sum that drifts in floats
    (1e6 / 7, [3.3, 0.7, 12.1, 0.01, 9.9, 1 / 3, 2 / 3]),
])
def test_sum_is_the_total_the_planner_typed(new_total, weights):
    result = split_proportionally(new_total, pd.Series(weights))
    assert math.isclose(result.sum(), new_total, rel_tol=1e-12)
    assert math.isclose(math.fsum(result), new_total, rel_tol=1e-12)
    assert (result >= 0).all()


def test_awkward_equal_thirds():
    # 100 over three equal forecasts: each 100/3 = 33.333...
    result = split_proportionally(100, pd.Series([5, 5, 5], index=["A", "B", "C"]))
    assert result.to_list() == pytest.approx([100 / 3] * 3)
    assert math.isclose(result.sum(), 100, rel_tol=1e-12)


def test_all_zero_forecast_splits_equally():
    # no mix to follow: 90 / 3 = 30 each
    result = split_proportionally(90, pd.Series([0, 0, 0], index=["A", "B", "C"]))
    assert result.to_list() == pytest.approx([30, 30, 30])


def test_all_nan_forecast_splits_equally():
    result = split_proportionally(10, pd.Series([np.nan, np.nan], index=["A", "B"]))
    assert result.to_list() == pytest.approx([5, 5])


@pytest.mark.parametrize("weights, expected", [
    ([0, 1, 3], [0, 25, 75]),          # 1/4 and 3/4 of 100
    ([1, 3, 0], [25, 75, 0]),          # the zero child is last: still exactly 0
    ([np.nan, 1, 3], [0, 25, 75]),     # a missing forecast counts as 0
])
def test_zero_forecast_children_get_nothing(weights, expected):
    result = split_proportionally(100, pd.Series(weights, index=["A", "B", "C"]))
    assert result.to_list() == pytest.approx(expected)
    assert (result[np.array(expected) == 0] == 0.0).all()  # exactly zero, no float dust


def test_zero_child_gets_no_rounding_dust():
    # 0.7 over seven forecasts of 0.1 and one of 0: 0.1 each; the floats 0.1 * 7 fall short of
    # 0.7 by 1.1e-16, and a zero-forecast child must not absorb that (it would go negative)
    result = split_proportionally(0.7, pd.Series([0.1] * 7 + [0.0]))
    assert result.iloc[-1] == 0.0
    assert result.iloc[:-1].to_list() == pytest.approx([0.1] * 7)
    assert math.isclose(result.sum(), 0.7, rel_tol=1e-12)


def test_zero_total_gives_zeros():
    assert split_proportionally(0, pd.Series([4, 6])).to_list() == [0.0, 0.0]


def test_negative_total_is_rejected():
    with pytest.raises(ValueError, match="new_total must not be negative.*-5"):
        split_proportionally(-5, pd.Series([1, 2]))


def test_negative_weight_is_rejected_and_named():
    with pytest.raises(ValueError, match="not negative.*'B' = -2"):
        split_proportionally(10, pd.Series([1, -2], index=["A", "B"]))


@pytest.mark.parametrize("new_total", [np.nan, float("inf"), "lots"])
def test_total_must_be_a_finite_number(new_total):
    with pytest.raises(ValueError, match="new_total must be a"):
        split_proportionally(new_total, pd.Series([1, 2]))


def test_empty_weights_are_rejected():
    with pytest.raises(ValueError, match="weights is empty"):
        split_proportionally(10, pd.Series([], dtype=float))


def test_repeated_child_is_rejected():
    with pytest.raises(ValueError, match="more than once: A"):
        split_proportionally(10, pd.Series([1, 2], index=["A", "A"]))


JAN, FEB, MAR = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01")

TARGETS = pd.DataFrame([
    ("F1", JAN, 200.0),       # A 10, B 30 -> 50, 150
    ("F1", FEB, 90.0),        # A 0, B 0 -> equal: 45, 45
    ("F2", JAN, 0.0),         # zero total -> 0, 0 and share 0
    ("F2", FEB, 100 / 3),     # C 2, D 0 -> C takes all 33.333..., D 0
], columns=["group", "period", "new_total"])

WEIGHTS = pd.DataFrame([
    ("F1", "A", JAN, 10.0),
    ("F1", "B", JAN, 30.0),
    ("F1", "A", FEB, 0.0),
    ("F1", "B", FEB, 0.0),
    ("F2", "C", JAN, 5.0),
    ("F2", "D", JAN, 15.0),
    ("F2", "C", FEB, 2.0),
    ("F2", "D", FEB, np.nan),
    ("F2", "C", MAR, 7.0),    # no target for March: left out
], columns=["group", "child", "period", "weight"])


def test_split_table_two_groups_two_periods_by_hand():
    result = split_table(TARGETS, WEIGHTS)
    assert list(result.columns) == ["group", "child", "period", "weight", "value", "share"]
    assert list(zip(result.group, result.child, result.period)) == [
        ("F1", "A", JAN), ("F1", "B", JAN), ("F1", "A", FEB), ("F1", "B", FEB),
        ("F2", "C", JAN), ("F2", "D", JAN), ("F2", "C", FEB), ("F2", "D", FEB)]
    assert result.value.to_list() == pytest.approx([50, 150, 45, 45, 0, 0, 100 / 3, 0])
    assert result.share.to_list() == pytest.approx([0.25, 0.75, 0.5, 0.5, 0, 0, 1, 0])
    assert result.weight.to_list() == [10, 30, 0, 0, 5, 15, 2, 0]  # NaN weight shown as 0
    assert result.value.iloc[-1] == 0.0


def test_split_table_sums_to_each_target():
    result = split_table(TARGETS, WEIGHTS)
    sums = result.groupby(["group", "period"])["value"].sum()
    for group, period, new_total in TARGETS.itertuples(index=False):
        assert math.isclose(sums[(group, period)], new_total, rel_tol=1e-12, abs_tol=1e-12)


def test_split_table_agrees_with_split_proportionally():
    weights = pd.DataFrame({"group": "F", "child": list("ABCDEFG"), "period": JAN,
                            "weight": [3.3, 0.7, 12.1, 0.01, 9.9, 1 / 3, 2 / 3]})
    targets = pd.DataFrame({"group": ["F"], "period": [JAN], "new_total": [1e6 / 7]})
    table = split_table(targets, weights)
    single = split_proportionally(1e6 / 7, weights.set_index("child")["weight"])
    assert table.value.to_list() == pytest.approx(single.to_list(), rel=1e-12)
    assert math.isclose(table.value.sum(), 1e6 / 7, rel_tol=1e-12)


def test_split_table_target_without_children_names_group_and_period():
    targets = pd.concat([TARGETS, pd.DataFrame([("F3", JAN, 10.0)], columns=TARGETS.columns)])
    with pytest.raises(ValueError, match="no children.*'F3' period 2025-01-01"):
        split_table(targets, WEIGHTS)


def test_split_table_rejects_negative_numbers():
    targets = TARGETS.assign(new_total=[200.0, -1.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="not negative.*'F1' period 2025-02-01: -1"):
        split_table(targets, WEIGHTS)
    weights = WEIGHTS.assign(weight=[10.0, -30.0, 0, 0, 5, 15, 2, 0, 7])
    with pytest.raises(ValueError, match="not negative.*'F1' child 'B' period 2025-01-01"):
        split_table(TARGETS, weights)


def test_split_table_rejects_repeated_rows_and_missing_columns():
    with pytest.raises(ValueError, match="more than one new_total for group 'F1'"):
        split_table(pd.concat([TARGETS, TARGETS.iloc[[0]]]), WEIGHTS)
    with pytest.raises(ValueError, match="more than one row for group 'F1' child 'A'"):
        split_table(TARGETS, pd.concat([WEIGHTS, WEIGHTS.iloc[[0]]]))
    with pytest.raises(ValueError, match="weights is missing column.*weight"):
        split_table(TARGETS, WEIGHTS.drop(columns="weight"))
