"""Rough-cut capacity against hand-worked loads; overload probability against normal demand."""
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from genxsop_core.supply.capacity import hours_matrix, overload_probability, resource_load, rough_cut

# Filling (R1) and packing (R2). SKU A: 2 h on R1 + 1 h on R2 per unit; B: 4 h on R1; C has no routing.
ROUTINGS = pd.DataFrame({"sku": ["A", "A", "B"], "resource": ["R1", "R2", "R1"], "hours_per_unit": [2.0, 1.0, 4.0]})
PLAN = pd.DataFrame({"sku": ["A", "A", "B", "C", "B"], "period": ["p1", "p2", "p1", "p1", "p2"],
                     "units": [10.0, 15.0, 5.0, 100.0, 0.0]})
RESOURCES = pd.DataFrame({"resource": ["R1", "R2"], "name": ["Filling line", "Packing"],
                          "capacity_hours": [35.0, 20.0]})
LEVELS = np.round(np.arange(1, 100) / 100, 2)  # P1..P99


def test_resource_load_by_hand():
    # R1 p1 = 10 x 2 + 5 x 4 = 40; R1 p2 = 15 x 2 = 30; R2 p1 = 10 x 1 = 10; R2 p2 = 15 x 1 = 15.
    # C (100 units, no routing) and B's 0 units in p2 add nothing.
    load = resource_load(PLAN, ROUTINGS)
    assert list(load.columns) == ["resource", "period", "load_hours"]
    assert load.values.tolist() == [["R1", "p1", 40.0], ["R1", "p2", 30.0], ["R2", "p1", 10.0], ["R2", "p2", 15.0]]


def test_unrouted_plan_gives_no_load():
    assert resource_load(PLAN[PLAN["sku"] == "C"], ROUTINGS).empty


def test_rough_cut_utilization_and_overload_by_hand():
    table = rough_cut(resource_load(PLAN, ROUTINGS), RESOURCES, ["p1", "p2", "p3"])
    assert list(table.columns) == ["resource", "name", "period", "load_hours", "capacity_hours", "utilization",
                                   "overloaded", "spare_hours"]
    assert table[["resource", "period"]].values.tolist() == [["R1", "p1"], ["R1", "p2"], ["R1", "p3"],
                                                             ["R2", "p1"], ["R2", "p2"], ["R2", "p3"]]
    # R1: 40/35 = 1.143 (overloaded, 5 h short), 30/35 = 0.857, p3 has no load; R2: 10/20, 15/20, 0
    np.testing.assert_allclose(table["utilization"], [40 / 35, 30 / 35, 0, 0.5, 0.75, 0])
    assert table["overloaded"].tolist() == [True, False, False, False, False, False]
    np.testing.assert_allclose(table["spare_hours"], [-5, 5, 35, 10, 5, 20])
    assert table["name"].tolist() == ["Filling line"] * 3 + ["Packing"] * 3


def test_zero_capacity():
    # R2 down: 10 h of load on 0 h is infinitely overloaded; R3 (0 h, no load) is idle, not overloaded
    resources = pd.DataFrame({"resource": ["R1", "R2", "R3"], "name": ["Filling", "Packing", "Spare"],
                              "capacity_hours": [35.0, 0.0, 0.0]})
    table = rough_cut(resource_load(PLAN, ROUTINGS), resources, ["p1"]).set_index("resource")
    assert table.loc["R2", "utilization"] == np.inf and table.loc["R2", "overloaded"]
    assert table.loc["R3", "utilization"] == 0 and not table.loc["R3", "overloaded"]
    assert table.loc["R2", "spare_hours"] == -10


def test_capacity_by_period_and_load_outside_the_horizon():
    # an extra shift in p2 lifts R1 from 35 to 60 h: 30/60 = 0.5; load in p2 is ignored for a p1-only horizon
    resources = pd.DataFrame({"resource": ["R1", "R1", "R2", "R2"], "name": ["Filling"] * 2 + ["Packing"] * 2,
                              "period": ["p1", "p2", "p1", "p2"], "capacity_hours": [35.0, 60.0, 20.0, 20.0]})
    table = rough_cut(resource_load(PLAN, ROUTINGS), resources, ["p1", "p2"])
    np.testing.assert_allclose(table["utilization"], [40 / 35, 0.5, 0.5, 0.75])
    assert len(rough_cut(resource_load(PLAN, ROUTINGS), resources, ["p1"])) == 2
    with pytest.raises(ValueError, match="no capacity_hours for resource 'R1' in period 'p3'"):
        rough_cut(resource_load(PLAN, ROUTINGS), resources, ["p3"])


def test_rough_cut_refuses_load_on_an_unknown_resource_and_bad_input():
    with pytest.raises(ValueError, match=r"resource\(s\) \['R2'\] that are not in resources"):
        rough_cut(resource_load(PLAN, ROUTINGS), RESOURCES[RESOURCES["resource"] == "R1"], ["p1"])
    with pytest.raises(ValueError, match="resources row 1, column capacity_hours: '-1.0'"):
        rough_cut(resource_load(PLAN, ROUTINGS), RESOURCES.assign(capacity_hours=[35.0, -1.0]), ["p1"])
    with pytest.raises(ValueError, match=r"plan is missing column\(s\) \['units'\]"):
        resource_load(PLAN.drop(columns="units"), ROUTINGS)
    with pytest.raises(ValueError, match="routings row 2, column hours_per_unit"):
        resource_load(PLAN, ROUTINGS.assign(hours_per_unit=[2.0, 1.0, np.nan]))


def test_hours_matrix_in_the_given_orders():
    # B has no R2 step, C no routing at all; a second R1 step for A adds 0.5 h
    routings = pd.concat([ROUTINGS, pd.DataFrame({"sku": ["A"], "resource": ["R1"], "hours_per_unit": [0.5]})])
    np.testing.assert_array_equal(hours_matrix(routings, ["C", "B", "A"], ["R2", "R1"]),
                                  [[0, 0], [0, 4], [1, 2.5]])


def normal_quantiles(mean: float, sd: float, periods: int = 1) -> np.ndarray:
    """(1, periods, 99) quantiles of N(mean, sd^2) at P1..P99."""
    values = [NormalDist(mean, sd).inv_cdf(level) for level in LEVELS]
    return np.tile(values, (1, periods, 1))


def test_overload_probability_of_normal_demand():
    # one SKU, D ~ N(100, 10^2), 1 h/unit: P(D > 100) = 0.5, P(D > 100 + 1.2816 x 10 = 112.8) = 0.10,
    # P(D > 200) = 0 (10 sd away; the draws stop at P99 = 123.3)
    quantiles = normal_quantiles(100, 10, periods=2)
    probability = overload_probability(LEVELS, quantiles, [[1.0, 1.0, 1.0]], [100.0, 112.8, 200.0], n_draws=4000)
    assert probability.shape == (3, 2)
    np.testing.assert_allclose(probability[0], 0.5, atol=0.03)
    np.testing.assert_allclose(probability[1], 0.10, atol=0.03)
    np.testing.assert_array_equal(probability[2], 0.0)


def test_demand_of_two_skus_is_drawn_independently():
    # independent: sd of the sum = sqrt(10^2 + 10^2) = 14.14, P(load > 200 + 1.2816 x 14.14 = 218.1) = 0.10;
    # moving together would give sd 20 and P(Z > 0.906) = 0.18
    quantiles = np.concatenate([normal_quantiles(100, 10), normal_quantiles(100, 10)])
    probability = overload_probability(LEVELS, quantiles, [[1.0], [1.0]], [218.1], n_draws=4000)
    assert probability[0, 0] == pytest.approx(0.10, abs=0.03)


def test_same_seed_same_answer_and_each_period_its_own_draws():
    quantiles = normal_quantiles(100, 10, periods=4)
    first = overload_probability(LEVELS, quantiles, [[1.0]], [100.0], seed=3)
    np.testing.assert_array_equal(first, overload_probability(LEVELS, quantiles, [[1.0]], [100.0], seed=3))
    assert not np.array_equal(first, overload_probability(LEVELS, quantiles, [[1.0]], [100.0], seed=4))
    assert len(set(first[0])) > 1  # identical forecasts in every period, but not identical draws


def test_capacity_per_resource_or_per_resource_and_period():
    quantiles = normal_quantiles(100, 10, periods=2)
    flat = overload_probability(LEVELS, quantiles, [[1.0, 2.0]], [100.0, 400.0])
    by_period = overload_probability(LEVELS, quantiles, [[1.0, 2.0]], [[100.0, 100.0], [400.0, 400.0]])
    np.testing.assert_array_equal(flat, by_period)
    # R1 gets 200 h in period 2 (never exceeded); R2 carries 2 x D ~ N(200, 20^2) against 400 (never)
    shifted = overload_probability(LEVELS, quantiles, [[1.0, 2.0]], [[100.0, 200.0], [400.0, 400.0]])
    assert shifted[0, 1] == 0 and shifted[1].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"capacity must have shape \(2,\) or \(2, 2\), got \(2, 3\)"):
        overload_probability(LEVELS, quantiles, [[1.0, 2.0]], np.ones((2, 3)))


def test_zero_capacity_and_unrouted_skus():
    # R1 has 0 h and positive expected load -> 1.0; R2 (0 h) carries nothing -> 0.0.
    # the second SKU is not routed, so its missing forecast (NaN) does not matter
    quantiles = np.concatenate([normal_quantiles(100, 10), np.full((1, 1, LEVELS.size), np.nan)])
    probability = overload_probability(LEVELS, quantiles, [[1.0, 0.0], [0.0, 0.0]], [0.0, 0.0])
    np.testing.assert_array_equal(probability, [[1.0], [0.0]])
    with pytest.raises(ValueError, match="routed SKU row 1, period 0 contain NaN"):
        overload_probability(LEVELS, quantiles, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"hours must have shape \(2, n_resources\)"):
        overload_probability(LEVELS, quantiles, [[1.0, 0.0]], [0.0, 0.0])


def test_monthly_utilization_divides_the_months_sums():
    from genxsop_core.supply.views import monthly_utilization

    # Three weeks: two start in January, one in February. January: 30 of 50 hours, not the mean of 50% and 70%.
    check = pd.DataFrame({"resource": ["R1"] * 3,
                          "period": pd.to_datetime(["2026-01-19", "2026-01-26", "2026-02-02"]),
                          "load_hours": [10.0, 20.0, 35.0], "capacity_hours": [20.0, 30.0, 35.0]})
    monthly = monthly_utilization(check)
    assert list(monthly.period) == list(pd.to_datetime(["2026-01-01", "2026-02-01"]))
    assert list(monthly.load_hours) == [30.0, 35.0] and list(monthly.capacity_hours) == [50.0, 35.0]
    assert monthly.utilization.tolist() == pytest.approx([0.6, 1.0])
