"""KPI formulas, the registry, RAG status and the target fallback, against hand-worked values."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from genxsop_core.domain.models import KpiTarget
from genxsop_core.kpi import formulas as kpis
from genxsop_core.kpi.formulas import DEFAULT_TARGETS, KPIS, STATUSES, UNITS, TargetSpec, rag_status
from genxsop_core.kpi.targets import TARGET_COLUMNS, target_for, with_defaults

nan = float("nan")


def test_fill_rate_and_otif_are_ratios_of_totals():
    # shipped 90 + 50 = 140 of 100 + 50 = 150 ordered: 140 / 150
    assert kpis.fill_rate([90, 50], [100, 50]) == pytest.approx(140 / 150)
    # the mean of the SKU ratios would be (0.9 + 1.0) / 2 = 0.95: volume weighting differs
    assert kpis.fill_rate(pd.Series([90, 50]), np.array([100, 50])) != pytest.approx(0.95)
    assert kpis.fill_rate(95, 100) == pytest.approx(0.95)
    # on time in full 80 + 45 = 125 of 150
    assert kpis.otif([80, 45], [100, 50]) == pytest.approx(125 / 150)


def test_a_missing_pair_is_not_measured_and_nothing_ordered_is_nan():
    assert kpis.fill_rate([90, nan], [100, 50]) == pytest.approx(0.9)  # 90 / 100, the NaN pair dropped
    assert math.isnan(kpis.fill_rate([0, 0], [0, 0]))
    assert math.isnan(kpis.otif([], []))
    assert math.isnan(kpis.fill_rate([nan], [100]))
    with pytest.raises(ValueError, match="same length"):
        kpis.fill_rate([1, 2], [3])


def test_inventory_turns_annualise_the_cogs_of_a_span():
    # a month: COGS 10,000, average stock 15,000 -> 10,000 x 12 / 15,000 = 8 turns a year
    assert kpis.inventory_turns(10_000, 15_000, periods_per_year=12) == pytest.approx(8.0)
    # a year of COGS needs no factor: 120,000 / 15,000 = 8
    assert kpis.inventory_turns(120_000, 15_000) == pytest.approx(8.0)
    # SKU rows add up first: (4,000 + 6,000) x 12 / (5,000 + 10,000) = 8
    assert kpis.inventory_turns([4_000, 6_000], [5_000, 10_000], 12) == pytest.approx(8.0)
    assert math.isnan(kpis.inventory_turns(10_000, 0, 12))
    with pytest.raises(ValueError, match="periods_per_year"):
        kpis.inventory_turns(1, 1, 0)


def test_capacity_utilization():
    # (60 + 30) load hours on (100 + 20) available: 90 / 120
    assert kpis.capacity_utilization([60, 30], [100, 20]) == pytest.approx(0.75)
    assert kpis.capacity_utilization(130, 100) == pytest.approx(1.3)  # over capacity shows above 1
    assert math.isnan(kpis.capacity_utilization(10, 0))


def test_revenue_and_margin_against_plan():
    # 97,000 actual against 100,000 planned: 3% below plan
    assert kpis.revenue_vs_plan(97_000, 100_000) == pytest.approx(-0.03)
    assert kpis.revenue_vs_plan([50, 47], [50, 50]) == pytest.approx(97 / 100 - 1)
    assert math.isnan(kpis.revenue_vs_plan(10, 0)) and math.isnan(kpis.revenue_vs_plan(10, -5))
    # margin 30 + 50 = 80 against a planned 40 + 40 = 80: on plan; 36 against 40: 10% below
    assert kpis.margin_vs_plan([30, 50], [40, 40]) == pytest.approx(0.0)
    assert kpis.margin_vs_plan(36, 40) == pytest.approx(-0.1)
    assert math.isnan(kpis.margin_vs_plan(5, 0))


def test_gross_margin():
    # revenue 100 + 200 = 300, cost 60 + 150 = 210: (300 - 210) / 300 = 0.3
    assert kpis.gross_margin([100, 200], [60, 150]) == pytest.approx(0.3)
    assert kpis.gross_margin(100, 120) == pytest.approx(-0.2)  # selling below cost
    assert math.isnan(kpis.gross_margin(0, 0))


def test_forecast_accuracy_is_one_minus_wape_floored_at_zero():
    # |110 - 100| + |70 - 100| = 40 over 200 units: WAPE 0.2, accuracy 0.8
    assert kpis.forecast_accuracy([100, 100], [110, 70]) == pytest.approx(0.8)
    assert kpis.forecast_accuracy([10], [50]) == 0.0  # WAPE 4.0
    assert math.isnan(kpis.forecast_accuracy([], []))


def test_the_registry_names_every_kpi_once_with_a_unit_and_a_definition():
    assert set(KPIS) == {"wape", "mape", "bias", "tracking_signal", "fva", "fill_rate", "otif", "inventory_turns",
                         "days_of_supply", "capacity_utilization", "revenue_vs_plan", "margin_vs_plan"}
    assert all(spec.unit in UNITS and spec.label and spec.definition for spec in KPIS.values())
    assert {k for k, spec in KPIS.items() if spec.absolute} == {"bias", "tracking_signal"}
    assert not KPIS["wape"].higher_is_better and KPIS["fill_rate"].higher_is_better


@pytest.mark.parametrize("kpi", list(KPIS))
def test_every_default_target_runs_with_its_kpi(kpi):
    spec = DEFAULT_TARGETS[kpi]
    assert spec.higher_is_better == KPIS[kpi].higher_is_better
    if spec.higher_is_better:
        assert spec.target >= spec.green >= spec.amber
    else:
        assert spec.target <= spec.green <= spec.amber
    assert rag_status(spec.target, spec, kpi) == "green"  # hitting the target is green


FILL = TargetSpec(0.97, 0.97, 0.93, True)
WAPE = TargetSpec(0.25, 0.25, 0.35, False)
BIAS = TargetSpec(0.05, 0.05, 0.10, False)


@pytest.mark.parametrize("value, status", [(0.99, "green"), (0.97, "green"), (0.95, "amber"), (0.93, "amber"),
                                           (0.9299, "red"), (nan, "none"), (None, "none"), (np.float64(nan), "none")])
def test_rag_when_higher_is_better_boundaries_take_the_better_colour(value, status):
    assert rag_status(value, FILL) == status


@pytest.mark.parametrize("value, status", [(0.10, "green"), (0.25, "green"), (0.30, "amber"), (0.35, "amber"),
                                           (0.3501, "red"), (nan, "none")])
def test_rag_when_lower_is_better_is_mirrored(value, status):
    assert rag_status(value, WAPE) == status


@pytest.mark.parametrize("value, status", [(0.04, "green"), (-0.04, "green"), (-0.05, "green"), (-0.08, "amber"),
                                           (0.08, "amber"), (-0.12, "red"), (0.12, "red")])
def test_bias_is_judged_on_its_size(value, status):
    assert rag_status(value, BIAS, "bias") == status


def test_tracking_signal_is_judged_on_its_size_and_the_sign_matters_without_the_kpi():
    signal = DEFAULT_TARGETS["tracking_signal"]  # |TS| <= 4 green, <= 6 amber
    assert [rag_status(v, signal, "tracking_signal") for v in (-3.0, 4.0, -5.0, 7.0)] == [
        "green", "green", "amber", "red"]
    assert rag_status(-12.0, BIAS) == "green"  # compared signed, -12 is "low": why bias needs its kpi key


def test_rag_takes_any_target_like_and_says_none_without_one():
    stored = KpiTarget(kpi="fill_rate", level="total", key="", target=0.97, green=0.97, amber=0.93,
                       higher_is_better=True)
    row = pd.Series({"target": 0.97, "green": 0.97, "amber": 0.93, "higher_is_better": np.True_})
    as_dict = {"target": 0.97, "green": 0.97, "amber": 0.93, "higher_is_better": True}
    assert [rag_status(0.95, t) for t in (stored, row, as_dict)] == ["amber"] * 3
    assert rag_status(0.95, None) == "none"
    assert rag_status(0.95, TargetSpec(0.97, nan, 0.93, True)) == "none"
    assert set(STATUSES) == {"green", "amber", "red", "none"}
    with pytest.raises(ValueError, match="unknown KPI"):
        rag_status(0.95, FILL, "happiness")


def _targets(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([{"kpi": kpi, "label": KPIS[kpi].label, "level": level, "key": key, "target": target,
                          "green": target, "amber": target - 0.05, "higher_is_better": True}
                         for kpi, level, key, target in rows], columns=TARGET_COLUMNS)


TARGETS = _targets(("fill_rate", "total", "", 0.95), ("fill_rate", "category", "Beverages", 0.96),
                   ("fill_rate", "family", "Juice", 0.97), ("fill_rate", "sku", "JUI-1", 0.99),
                   ("otif", "total", "", 0.90))
JUI_1 = {"sku": "JUI-1", "category": "Beverages", "family": "Juice"}
JUI_2 = {"sku": "JUI-2", "category": "Beverages", "family": "Juice"}
WAT_1 = pd.Series({"sku": "WAT-1", "category": "Beverages", "family": "Water"})


@pytest.mark.parametrize("level, key, parents, found", [
    ("sku", "JUI-1", JUI_1, ("sku", 0.99)),  # its own
    ("sku", "JUI-2", JUI_2, ("family", 0.97)),  # its family's
    ("sku", "WAT-1", WAT_1, ("category", 0.96)),  # no family target: its category's
    ("family", "Water", WAT_1, ("category", 0.96)),
    ("family", "Juice", JUI_1, ("family", 0.97)),
    ("category", "Snacks", {"category": "Snacks"}, ("total", 0.95)),
    ("sku", "JUI-2", None, ("total", 0.95)),  # without its hierarchy row only the total applies
    ("total", "", None, ("total", 0.95)),
])
def test_the_most_specific_target_applies(level, key, parents, found):
    row = target_for(TARGETS, "fill_rate", level, key, parents)
    assert (row.level, row.target) == found


def test_no_target_at_all_is_none_and_defaults_fill_in_missing_totals():
    assert target_for(TARGETS, "wape", "sku", "JUI-1", JUI_1) is None
    effective = with_defaults(TARGETS)
    assert set(effective.kpi) == set(KPIS)
    stored_otif = target_for(effective, "otif", "total", "")
    assert (stored_otif.target, stored_otif.source) == (0.90, "stored")  # a stored total beats the default
    default_wape = target_for(effective, "wape", "family", "Juice", JUI_1)
    assert (default_wape.green, default_wape.source) == (DEFAULT_TARGETS["wape"].green, "default")
    assert len(with_defaults(TARGETS.iloc[0:0])) == len(KPIS)
