"""Compare runs like for like: only the SKUs and periods both runs forecast count (issue 16, item 3)."""
from __future__ import annotations

import pandas as pd
import pytest

from genxsop_core.forecasting.views import compare_results


def results(skus: list[str], weeks: int, mean: float, model: str) -> pd.DataFrame:
    periods = pd.date_range("2026-01-05", periods=weeks, freq="7D")
    rows = [(sku, period, model, mean) for sku in skus for period in periods]
    return pd.DataFrame(rows, columns=["sku", "period", "model", "mean"])


def scores(skus: list[str], model: str, wape: float) -> pd.DataFrame:
    return pd.DataFrame({"sku": skus, "model": model, "wape": wape, "chosen": True})


BIG = [f"S{i:03d}" for i in range(128)]
SMALL = BIG[:11]


def test_a_big_run_and_a_small_one_compare_on_what_both_cover():
    big, small = results(BIG, 52, 100.0, "auto"), results(SMALL, 26, 90.0, "naive")
    comparison = compare_results(big, small, scores(BIG, "auto", 0.2), scores(SMALL, "naive", 0.3))
    assert comparison.comparable and list(comparison.table.sku) == SMALL
    assert comparison.total_a == pytest.approx(11 * 26 * 100.0)  # not the 128 SKUs' 52 weeks, nor their 26
    assert comparison.total_b == pytest.approx(11 * 26 * 90.0)
    assert comparison.total_b - comparison.total_a == pytest.approx(-11 * 26 * 10.0)
    assert comparison.table.change_pct.tolist() == pytest.approx([-0.1] * 11)
    assert comparison.scope() == ("On the 11 SKUs and 26 weeks both runs cover (run A: 128 SKUs, 52 weeks; "
                                  "run B: 11 SKUs, 26 weeks).")


def test_runs_that_share_no_sku_or_no_period_have_nothing_to_compare():
    a = results(["A1", "A2"], 4, 10.0, "naive")
    other_skus = compare_results(a, results(["B1"], 4, 10.0, "naive"), scores(["A1", "A2"], "naive", 0.1),
                                 scores(["B1"], "naive", 0.1))
    assert not other_skus.comparable and other_skus.table.empty
    assert other_skus.scope() == "The two runs share no SKU: there is nothing to compare."
    later = results(["A1"], 8, 10.0, "naive").iloc[4:]
    other_weeks = compare_results(a, later, scores(["A1", "A2"], "naive", 0.1), scores(["A1"], "naive", 0.1),
                                  bucket="month")
    assert not other_weeks.comparable and other_weeks.table.empty
    assert other_weeks.scope() == "The two runs share no month: there is nothing to compare."
