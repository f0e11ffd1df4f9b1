"""Inventory policy formulas against hand-worked and textbook values (docs/formulas.md, Inventory)."""
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from genxsop_core.inventory import formulas as inventory

Z95 = 1.6448536269514722  # standard normal quantile at 0.95
LEVELS = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
DRAWS = 20_000  # enough draws for a few-percent tolerance, still milliseconds


def normal_quantiles(mean: float, std: float) -> list[float]:
    return [NormalDist(mean, std).inv_cdf(p) for p in LEVELS]


def exponential_quantiles(mean: float) -> list[float]:
    return [-mean * math.log(1 - p) for p in LEVELS]


# z and normal safety stock ----------------------------------------------------------------

def test_z_value_textbook():
    assert inventory.z_value(0.95) == pytest.approx(Z95)
    assert inventory.z_value(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert inventory.z_value(0.5) == pytest.approx(0.0)
    assert isinstance(inventory.z_value(0.95), float)


@pytest.mark.parametrize("level, message", [
    (1.0, r"service_level must be strictly between 0 and 1, got 1\.0: 100% would need infinite safety stock"),
    (0.0, r"strictly between 0 and 1, got 0\.0: pass a fraction"),
    (1.2, r"got 1\.2: pass a fraction, e\.g\. 0\.95"),
    (float("nan"), r"service_level must be strictly between 0 and 1, got nan"),
])
def test_service_level_out_of_range(level, message):
    with pytest.raises(ValueError, match=message):
        inventory.z_value(level)
    with pytest.raises(ValueError, match=message):
        inventory.safety_stock(100, 20, 4, level)


def test_service_level_array_names_the_position():
    with pytest.raises(ValueError, match=r"got 95\.0 at position 1"):
        inventory.z_value([0.9, 95.0])


def test_safety_stock_demand_variability_only():
    # d = 100/week, sd = 20, L = 4 weeks: SS = 1.6449 * sqrt(4 * 20^2) = 1.6449 * 40 = 65.79
    assert inventory.safety_stock(100, 20, 4, 0.95) == pytest.approx(65.794, abs=1e-3)


def test_safety_stock_with_lead_time_variability():
    # sd_L = 1 week: 1.6449 * sqrt(4 * 400 + 100^2 * 1^2) = 1.6449 * sqrt(11600) = 1.6449 * 107.70 = 177.16
    assert inventory.safety_stock(100, 20, 4, 0.95, lead_time_std=1) == pytest.approx(177.156, abs=1e-3)


def test_safety_stock_zero_cases():
    assert inventory.safety_stock(100, 20, 0, 0.95) == 0.0  # no lead time, no lead-time spread
    assert inventory.safety_stock(100, 0, 4, 0.95) == 0.0  # certain demand and lead time
    assert inventory.safety_stock(0, 0, 4, 0.95, lead_time_std=2) == 0.0  # no demand at all


def test_safety_stock_below_fifty_percent_is_negative():
    # z(0.4) = -0.2533 -> SS = -0.2533 * 40 = -10.13: the reorder point sits below mean demand
    assert inventory.safety_stock(100, 20, 4, 0.4) == pytest.approx(-0.253347 * 40, abs=1e-3)


def test_safety_stock_vectorised_equals_scalars():
    means, stds, leads, levels = [100, 50, 0], [20, 5, 10], [4, 2.5, 3], [0.95, 0.9, 0.99]
    table = inventory.safety_stock(np.array(means), pd.Series(stds), leads, np.array(levels))
    assert isinstance(table, np.ndarray) and table.shape == (3,)
    expected = [inventory.safety_stock(*row) for row in zip(means, stds, leads, levels)]
    assert table == pytest.approx(expected)


def test_safety_stock_broadcasts_a_single_service_level():
    table = inventory.safety_stock([100, 100], [20, 10], 4, 0.95)
    assert table == pytest.approx([Z95 * 40, Z95 * 20])


def test_negative_demand_std_is_rejected():
    with pytest.raises(ValueError, match=r"demand_std must not be negative, got -5\.0"):
        inventory.safety_stock(100, -5, 4, 0.95)
    with pytest.raises(ValueError, match=r"demand_std must not be negative, got -5\.0 at position 1"):
        inventory.safety_stock(100, [20, -5], 4, 0.95)


def test_nan_and_non_numeric_quantities_are_rejected():
    with pytest.raises(ValueError, match=r"demand_mean is missing \(NaN\)"):
        inventory.safety_stock(float("nan"), 20, 4, 0.95)
    with pytest.raises(ValueError, match=r"lead_time must be a number"):
        inventory.safety_stock(100, 20, "four", 0.95)
    with pytest.raises(ValueError, match=r"lead_time_std must not be negative"):
        inventory.safety_stock(100, 20, 4, 0.95, lead_time_std=-1)


# quantile safety stock --------------------------------------------------------------------

def test_quantile_safety_stock_matches_normal_formula_for_normal_demand():
    # 4 independent N(100, 10^2) periods: sd = 10 * sqrt(4) = 20 -> SS = 1.6449 * 20 = 32.9
    quantiles = np.array([[normal_quantiles(100, 10)] * 4])
    ss = inventory.quantile_safety_stock(LEVELS, quantiles, 4, 0.95, n_draws=DRAWS)
    assert ss.shape == (1,)
    assert ss[0] == pytest.approx(Z95 * 20, rel=0.06)


def test_quantile_safety_stock_zero_lead_time():
    quantiles = np.array([[normal_quantiles(100, 10)] * 4] * 2)
    assert inventory.quantile_safety_stock(LEVELS, quantiles, 0, 0.95).tolist() == [0.0, 0.0]


def test_quantile_safety_stock_fractional_lead_time():
    # L = 2.5: D0 + D1 + 0.5 * D2 -> variance = 100 + 100 + 0.5^2 * 100 = 225, sd = 15
    # SS = 1.6449 * 15 = 24.67 (not 1.6449 * 10 * sqrt(2.5) = 26.0, and not the 3-period 28.5)
    quantiles = np.array([[normal_quantiles(100, 10)] * 4])
    ss = inventory.quantile_safety_stock(LEVELS, quantiles, 2.5, 0.95, n_draws=DRAWS)[0]
    assert ss == pytest.approx(Z95 * 15, rel=0.06)


def test_quantile_safety_stock_repeats_the_last_period_past_the_horizon():
    # periods N(100, 10^2), N(100, 20^2); L = 3 repeats period 1: variance = 100 + 400 + 400 = 900
    # SS = 1.6449 * 30 = 49.35
    quantiles = np.array([[normal_quantiles(100, 10), normal_quantiles(100, 20)]])
    ss = inventory.quantile_safety_stock(LEVELS, quantiles, 3, 0.95, n_draws=DRAWS)[0]
    assert ss == pytest.approx(Z95 * 30, rel=0.06)


def test_quantile_safety_stock_sees_skew():
    # one exponential period, mean = sd = 100: Q95 - Q50 = 100 * (ln 20 - ln 2) = 100 ln 10 = 230.3,
    # while the normal formula gives 1.6449 * 100 = 164.5
    quantiles = np.array([[exponential_quantiles(100)]])
    ss = inventory.quantile_safety_stock(LEVELS, quantiles, 1, 0.95, n_draws=DRAWS)[0]
    assert ss == pytest.approx(100 * math.log(10), rel=0.05)
    assert ss > 1.3 * inventory.safety_stock(100, 100, 1, 0.95)


def test_quantile_safety_stock_vectorised_over_skus():
    # per-SKU lead times and service levels in one call agree with one call per SKU
    quantiles = np.array([[normal_quantiles(100, 10)] * 4] * 3)
    leads, levels = np.array([1.0, 2.5, 4.0]), np.array([0.9, 0.95, 0.95])
    table = inventory.quantile_safety_stock(LEVELS, quantiles, leads, levels, n_draws=DRAWS)
    one_by_one = [inventory.quantile_safety_stock(LEVELS, quantiles[:1], lead, level, n_draws=DRAWS)[0]
                  for lead, level in zip(leads, levels)]
    assert table.shape == (3,)
    assert table == pytest.approx(one_by_one, rel=0.06)
    # 1.2816 * 10, 1.6449 * 15, 1.6449 * 20
    assert table == pytest.approx([1.281552 * 10, Z95 * 15, Z95 * 20], rel=0.06)


def test_quantile_safety_stock_is_reproducible_and_never_negative():
    quantiles = np.array([[normal_quantiles(100, 10)] * 2])
    first = inventory.quantile_safety_stock(LEVELS, quantiles, 2, 0.3, seed=7)
    again = inventory.quantile_safety_stock(LEVELS, quantiles, 2, 0.3, seed=7)
    assert first.tolist() == again.tolist() == [0.0]  # a 30% quantile lies below the median


def test_quantile_safety_stock_rejects_bad_input():
    quantiles = np.array([[normal_quantiles(100, 10)] * 2])
    with pytest.raises(ValueError, match=r"shape \(n_skus, n_periods, n_levels\)"):
        inventory.quantile_safety_stock(LEVELS, quantiles[0], 2, 0.95)
    with pytest.raises(ValueError, match=r"lead_time needs one value per SKU \(1\)"):
        inventory.quantile_safety_stock(LEVELS, quantiles, [1, 2], 0.95)
    with pytest.raises(ValueError, match=r"service_level 0\.995 is above the highest forecast quantile level 0\.99"):
        inventory.quantile_safety_stock(LEVELS, quantiles, 2, 0.995)
    with pytest.raises(ValueError, match=r"got 1\.0: 100% would need infinite safety stock"):
        inventory.quantile_safety_stock(LEVELS, quantiles, 2, 1.0)
    quantiles[0, 1, 3] = np.nan
    with pytest.raises(ValueError, match=r"quantiles is missing \(NaN\) at position \(0, 1, 3\)"):
        inventory.quantile_safety_stock(LEVELS, quantiles, 2, 0.95)


# reorder point, EOQ, order quantity -------------------------------------------------------

def test_reorder_point():
    # ROP = 100 * 4 + 65.79 = 465.79
    ss = inventory.safety_stock(100, 20, 4, 0.95)
    assert inventory.reorder_point(100, 4, ss) == pytest.approx(465.794, abs=1e-3)
    assert inventory.reorder_point([100, 10], [4, 2], [0, 5]) == pytest.approx([400, 25])


def test_eoq_textbook():
    # sqrt(2 * 1000 * 10 / 0.5) = sqrt(40000) = 200
    assert inventory.eoq(1000, 10, 0.5) == pytest.approx(200.0)
    assert inventory.eoq([0, 1000], [10, 0], 0.5).tolist() == [0.0, 0.0]  # no demand / free orders


def test_eoq_needs_a_holding_cost():
    with pytest.raises(ValueError, match=r"holding_cost_per_unit_year must be greater than 0, got 0\.0"):
        inventory.eoq(1000, 10, 0)
    with pytest.raises(ValueError, match=r"annual_demand must not be negative"):
        inventory.eoq(-1, 10, 0.5)


def test_order_quantity_rounds_up_to_lots():
    assert inventory.order_quantity(200, 48) == 240.0  # 200 / 48 = 4.17 -> 5 lots of 48
    assert inventory.order_quantity(10, 48) == 48.0  # below the minimum: one lot
    assert inventory.order_quantity(240, 48) == 240.0  # already whole lots
    assert inventory.order_quantity(200, 0) == 200.0  # no lot rule
    assert inventory.order_quantity(2.1, 0.3) == pytest.approx(2.1)  # 2.1 / 0.3 = 7.000000000000001: 7 lots
    assert inventory.order_quantity([200, 10, 7.5], [48, 48, 0]).tolist() == [240.0, 48.0, 7.5]


def test_order_quantity_rejects_negative_moq():
    with pytest.raises(ValueError, match=r"moq must not be negative, got -48\.0"):
        inventory.order_quantity(200, -48)


# cover, variability, value ----------------------------------------------------------------

def test_days_of_supply():
    assert inventory.days_of_supply(150, 10) == pytest.approx(15.0)
    assert inventory.days_of_supply(-20, 10) == pytest.approx(-2.0)  # a backlog of two days


def test_days_of_supply_with_zero_demand():
    assert inventory.days_of_supply(100, 0) == math.inf
    assert inventory.days_of_supply(0, 0) == 0.0
    assert inventory.days_of_supply(-10, 0) == 0.0
    assert inventory.days_of_supply([100, 0, 50], [0, 0, 10]).tolist() == [math.inf, 0.0, 5.0]
    with pytest.raises(ValueError, match=r"daily_demand must not be negative"):
        inventory.days_of_supply(100, -1)


def test_weeks_of_cover():
    assert inventory.weeks_of_cover(140, 70) == pytest.approx(2.0)
    assert inventory.weeks_of_cover(pd.Series([140, 5]), 0).tolist() == [math.inf, math.inf]
    with pytest.raises(ValueError, match=r"weekly_demand is missing"):
        inventory.weeks_of_cover(140, float("nan"))


def test_coefficient_of_variation():
    assert inventory.coefficient_of_variation(100, 20) == pytest.approx(0.2)
    assert inventory.coefficient_of_variation(0, 5) == math.inf
    assert math.isnan(inventory.coefficient_of_variation(100, float("nan")))
    assert math.isnan(inventory.coefficient_of_variation(0, float("nan")))
    assert inventory.coefficient_of_variation([50, 10], [50, 0]).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"demand_mean must not be negative"):
        inventory.coefficient_of_variation(-10, 5)


def test_inventory_value_ignores_backlog():
    assert inventory.inventory_value(10, 2.5) == pytest.approx(25.0)
    assert inventory.inventory_value([10, -5, 0], [2, 2, 3]).tolist() == [20.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"unit_cost must not be negative"):
        inventory.inventory_value(10, -1)


# ABC / XYZ --------------------------------------------------------------------------------

def test_abc_by_hand_with_the_boundary_rule():
    # ranked: P1 500, P2 300, P3 100, P4 60, P5 40 of 1000. Share of the items ranked above:
    # P1 0.00 A, P2 0.50 A, P3 0.80 B (exactly 80% above: not A), P4 0.90 B, P5 0.96 C
    frame = pd.DataFrame({"sku": ["P3", "P5", "P1", "P4", "P2"],
                          "annual_value": [100, 40, 500, 60, 300], "cv": 0.2})
    result = inventory.abc_xyz(frame)
    assert result["sku"].tolist() == ["P3", "P5", "P1", "P4", "P2"]  # input order kept
    assert result["abc"].tolist() == ["B", "C", "A", "B", "A"]
    assert result["value_share"].tolist() == pytest.approx([0.1, 0.04, 0.5, 0.06, 0.3])
    assert result["cumulative_share"].tolist() == pytest.approx([0.9, 1.0, 0.5, 0.96, 0.8])
    assert "abc" not in frame.columns  # a copy, the input is untouched


def test_abc_ties_ranked_by_sku():
    # w 70 A; then a, b, c tie at 10: a (0.7 above) A, b (0.8) B, c (0.9) B
    frame = pd.DataFrame({"sku": ["c", "b", "a", "w"], "annual_value": [10, 10, 10, 70], "cv": 0.1})
    assert inventory.abc_xyz(frame)["abc"].tolist() == ["B", "B", "A", "A"]


def test_abc_boundary_survives_float_noise():
    # ten items of 0.1: eight above the ninth sum to 0.7999999999999999 in floating point, but
    # that is 80%, so the ninth is B (s0..s7 A, s8 and s9 B)
    frame = pd.DataFrame({"sku": [f"s{i}" for i in range(10)], "annual_value": [0.1] * 10, "cv": 0.1})
    assert inventory.abc_xyz(frame)["abc"].tolist() == ["A"] * 8 + ["B"] * 2


def test_abc_top_item_is_always_a_and_all_zero_is_c():
    # x holds 99% by itself and is still A; y has 99% above it -> C
    pair = pd.DataFrame({"sku": ["x", "y"], "annual_value": [99, 1], "cv": 0.1})
    assert inventory.abc_xyz(pair)["abc"].tolist() == ["A", "C"]
    zero = pd.DataFrame({"sku": ["x", "y"], "annual_value": [0, 0], "cv": 0.1})
    result = inventory.abc_xyz(zero)
    assert result["abc"].tolist() == ["C", "C"]
    assert result["value_share"].tolist() == [0.0, 0.0]


def test_xyz_thresholds():
    # cv < 0.5 X, < 1.0 Y, else Z; exactly 0.5 is Y, exactly 1.0 is Z; NaN and inf are Z
    cvs = [0.49, 0.5, 0.99, 1.0, float("nan"), math.inf]
    frame = pd.DataFrame({"sku": list("abcdef"), "annual_value": [90, 10, 0, 0, 0, 0], "cv": cvs})
    result = inventory.abc_xyz(frame)
    assert result["xyz"].tolist() == ["X", "Y", "Y", "Z", "Z", "Z"]
    # abc: a 0.0 above A, b 0.9 above B, the rest 1.0 above C
    assert result["abc_xyz"].tolist() == ["AX", "BY", "CY", "CZ", "CZ", "CZ"]


def test_abc_xyz_rejects_bad_frames():
    with pytest.raises(ValueError, match=r"missing: annual_value, cv"):
        inventory.abc_xyz(pd.DataFrame({"sku": ["a"]}))
    with pytest.raises(ValueError, match=r"annual_value must not be negative, got -5\.0 for sku b"):
        inventory.abc_xyz(pd.DataFrame({"sku": ["a", "b"], "annual_value": [5, -5], "cv": 0.1}))


# projection and its exceptions ------------------------------------------------------------

# SKU 0: 50 on hand, 100 arrive in period 2, 20 a period -> 30, 10, 90, 70, 50
# SKU 1: 25 on hand, 40 arrive in period 3, 15 a period  -> 10, -5, -20, 5, -10
ON_HAND = [50, 25]
RECEIPTS = [[0, 0, 100, 0, 0], [0, 0, 0, 40, 0]]
DEMAND = [[20] * 5, [15] * 5]


def test_project_inventory_by_hand():
    balances = inventory.project_inventory(ON_HAND, RECEIPTS, DEMAND)
    assert balances.tolist() == [[30, 10, 90, 70, 50], [10, -5, -20, 5, -10]]


def test_projection_flags_by_hand():
    # SS = [20, 5], max = [80, 50]
    # SKU 0: below SS only in period 1 (10 < 20, short 10); above max in period 2 (90 > 80, 10 over)
    # SKU 1: stockouts in periods 1, 2, 4; below SS in the same three (5 == SS is not below);
    #        worst backlog 20 -> shortage 20, below safety 5 - (-20) = 25
    balances = inventory.project_inventory(ON_HAND, RECEIPTS, DEMAND)
    flags = inventory.projection_flags(balances, [20, 5], [80, 50])
    assert flags.to_dict("list") == {
        "first_stockout": [-1, 1], "stockout_periods": [0, 3], "below_safety_periods": [1, 3],
        "excess_periods": [1, 0], "shortage_units": [0.0, 20.0], "below_safety_units": [10.0, 25.0],
        "excess_units": [10.0, 0.0],
    }


def test_projection_flags_per_period_limits():
    # SKU 0 with SS rising to 40 from period 3: 70 and 50 stay above it; max 60 in period 4 -> 50 fine
    balances = inventory.project_inventory(ON_HAND, RECEIPTS, DEMAND)
    ss = [[20, 20, 20, 40, 40], [5] * 5]
    top = [[80, 80, 100, 100, 60], [50] * 5]
    flags = inventory.projection_flags(balances, np.array(ss), np.array(top))
    assert flags["below_safety_periods"].tolist() == [1, 3]
    assert flags["excess_periods"].tolist() == [0, 0]
    assert flags["excess_units"].tolist() == [0.0, 0.0]


def test_projection_flags_rejects_mismatched_limits():
    balances = inventory.project_inventory(ON_HAND, RECEIPTS, DEMAND)
    with pytest.raises(ValueError, match=r"must be per SKU \(2,\)"):
        inventory.projection_flags(balances, [20, 5, 1], [80, 50])
