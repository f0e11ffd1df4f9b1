"""The public forecasting API: format, auto-selection and its reasons, guards, fallbacks, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting.strategies.smoothing import ETS, Theta
from tests.forecasting.conftest import weekly_frame


def test_output_follows_the_long_format(seasonal_weekly):
    history = weekly_frame({"A": seasonal_weekly, "B": seasonal_weekly[:100] + 5})
    out = forecasting.forecast(history, 8, model="ets", quantiles=(0.1, 0.5, 0.9), workers=1)
    assert list(out.columns) == ["unique_id", "ds", "model", "mean", "p10", "p50", "p90"]
    assert out.groupby("unique_id").size().to_dict() == {"A": 8, "B": 8}
    last = history.groupby("unique_id").ds.max().max()
    assert out.ds.min() == last + pd.Timedelta(days=7)  # B is padded with zeros up to the common last bucket
    assert (out[["mean", "p10", "p50", "p90"]] >= 0).all().all()
    assert (out.p10 <= out.p50).all() and (out.p50 <= out.p90).all()


@pytest.mark.parametrize("model", forecasting.model_names(heavy=False))
def test_every_light_strategy_returns_mean_and_quantiles(model, seasonal_weekly):
    out = forecasting.forecast(weekly_frame({"A": seasonal_weekly}), 13, model=model,
                               quantiles=(0.05, 0.5, 0.95), workers=1)
    assert len(out) == 13 and set(out.model) == {model}
    assert np.isfinite(out[["mean", "p05", "p50", "p95"]].to_numpy()).all()
    assert (out.p95 - out.p05 > 0).any()  # a real band, native or from backtest residuals


def test_auto_reasons_name_the_backtest_and_respect_the_pattern(seasonal_weekly, intermittent_weekly, monkeypatch):
    monkeypatch.setattr(forecasting, "POOL_MIN_SERIES", 2)  # two series pool here (30 in production)
    out = forecasting.run(weekly_frame({"S": seasonal_weekly, "I": intermittent_weekly}), 13, workers=1)
    reasons = out.selection.set_index("unique_id")
    assert "backtest MAE" in reasons.reason["S"] and reasons.reason["S"].startswith("smooth")
    assert reasons.reason["I"].startswith("intermittent") and "RMSE" in reasons.reason["I"]
    # a smooth series blends three models ranked on its backtest and the run's pooled evidence
    # (weights: tests/forecasting/test_selection.py)
    scores = out.scores[out.scores.unique_id == "S"].set_index("model")
    members = reasons.model["S"].removeprefix("combo:").split("+")
    assert len(members) == 3 and set(members) <= set(scores.index)
    assert "weighted by 1/score" in reasons.reason["S"] and "across the run's SKUs" in reasons.reason["S"]


def test_autos_choice_does_not_depend_on_how_the_run_is_chunked(seasonal_weekly, intermittent_weekly, monkeypatch):
    """Auto pools evidence over the whole run, not over the chunk a SKU happened to fall in."""
    monkeypatch.setattr(forecasting, "POOL_MIN_SERIES", 2)  # three series pool here (30 in production)
    history = weekly_frame({"S": seasonal_weekly, "I": intermittent_weekly, "T": seasonal_weekly[::-1].copy()})
    together = forecasting.run(history, 13, workers=1, candidates=("naive", "seasonal_naive", "moving_average", "tsb"))
    monkeypatch.setattr(forecasting, "CHUNK_SIZE", 1)
    apart = forecasting.run(history, 13, workers=1, candidates=("naive", "seasonal_naive", "moving_average", "tsb"))
    assert together.selection.model.tolist() == apart.selection.model.tolist()
    assert together.selection.reason.tolist() == apart.selection.reason.tolist()
    assert together.selection.reason.str.contains("across the run's SKUs").any()


def test_a_small_run_chooses_on_each_series_own_backtests(seasonal_weekly, intermittent_weekly):
    out = forecasting.run(weekly_frame({"S": seasonal_weekly, "I": intermittent_weekly}), 13, workers=1,
                          candidates=("naive", "seasonal_naive", "moving_average", "tsb"))
    assert not out.selection.reason.str.contains("across the run's SKUs").any()


def test_a_seasonal_series_gets_a_seasonal_forecast(seasonal_weekly):
    out = forecasting.forecast(weekly_frame({"S": seasonal_weekly}), 26, workers=1)
    assert out["mean"].max() - out["mean"].min() > 60  # the sine swing of 2 x 60 shows up


@pytest.mark.parametrize("length, expected", [(3, "naive"), (6, "moving_average")])
def test_too_short_histories_get_a_simple_rule(length, expected):
    out = forecasting.run(weekly_frame({"N": np.arange(1, length + 1, dtype=float)}), 4, workers=1)
    row = out.selection.iloc[0]
    assert row.model == expected and "too short to backtest" in row.reason


def test_seasonal_naive_is_not_scored_without_a_full_season(seasonal_weekly):
    out = forecasting.run(weekly_frame({"N": seasonal_weekly[:60]}), 13, workers=1)
    assert "seasonal_naive" not in set(out.scores.model)
    assert {"naive", "sf_auto_theta", "sf_mstl"} <= set(out.scores.model)  # weekly: statsforecast's Theta, MSTL
    assert "sf_auto_ets" not in set(out.scores.model)  # AutoETS with a 52-week season: 20x the cost (engine.py)


def test_a_strategy_failing_on_every_series_never_fails_the_run(monkeypatch, seasonal_weekly):
    def broken(self, series, horizon, quantiles):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(Theta, "forecast", broken)
    out = forecasting.run(weekly_frame({"A": seasonal_weekly}), 8, workers=1, season_length=12)  # theta in the pool
    assert "theta" not in out.selection.model.iloc[0].removeprefix("combo:").split("+")
    assert "theta" not in set(out.scores.model) and "ets" in set(out.scores.model)


def test_a_final_fit_failure_falls_back_and_says_so(monkeypatch, seasonal_weekly):
    original = ETS.forecast

    def fails_on_full_history(self, series, horizon, quantiles):
        if len(series.y) == len(seasonal_weekly):
            raise ValueError("optimizer exploded")
        return original(self, series, horizon, quantiles)

    monkeypatch.setattr(ETS, "forecast", fails_on_full_history)
    out = forecasting.run(weekly_frame({"A": seasonal_weekly}), 8, model="ets", workers=1)
    row = out.selection.iloc[0]
    assert row.fallback and row.model != "ets"
    assert row.reason.startswith("ets failed on the final fit (ValueError: optimizer exploded): fell back to")
    assert len(out.forecasts) == 8 and np.isfinite(out.forecasts["mean"]).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"horizon": 0}, "horizon"), ({"horizon": 105}, "horizon"), ({"model": "arima"}, "unknown model"),
    ({"quantiles": (0.5, 1.0)}, "quantile"),
])
def test_bad_parameters_are_refused(kwargs, message, seasonal_weekly):
    arguments = {"horizon": 4, "model": "auto", "quantiles": (0.1, 0.9), **kwargs}
    with pytest.raises(InvalidInput, match=message):
        forecasting.forecast(weekly_frame({"A": seasonal_weekly}), **arguments)


def test_empty_history_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        forecasting.forecast(pd.DataFrame(columns=["unique_id", "ds", "y"]), 4)


def test_chronos_without_weights_is_left_out_of_auto_and_explains(monkeypatch, tmp_path):
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "no-model-here"))
    reason = forecasting.unavailable_models().get("chronos2")
    assert reason and "no-model-here" in reason
    assert "chronos2" not in forecasting.auto_candidates(5, include=("chronos2",), heavy_max_series=100)
    with pytest.raises(InvalidInput, match="unavailable"):
        forecasting.forecast(weekly_frame({"A": np.arange(30.0)}), 4, model="chronos2")


def test_heavy_models_join_auto_only_when_asked_or_for_few_series():
    assert "prophet" not in forecasting.auto_candidates(500, heavy_max_series=20)
    assert "prophet" in forecasting.auto_candidates(10, heavy_max_series=20)
    assert "prophet" in forecasting.auto_candidates(500, include=("prophet",))


def test_backtest_of_naive_on_a_straight_line_is_hand_computable():
    # y = 1..40; naive from origin o forecasts y[o-1]; errors over steps 1..4 are 1,2,3,4 -> MAE 2.5
    table = forecasting.backtest(weekly_frame({"L": np.arange(1.0, 41.0)}), 4, ["naive"], windows=3)
    row = table.iloc[0]
    assert (row.model, row.windows) == ("naive", 3)
    assert row.mae == pytest.approx(2.5) and row.bias < 0  # always under-forecasting a rising line


def test_local_processes_give_the_same_answer_as_inline(seasonal_weekly, intermittent_weekly):
    history = weekly_frame({f"S{i}": seasonal_weekly + i for i in range(10)} | {"I": intermittent_weekly})
    inline = forecasting.forecast(history, 6, workers=1)
    pooled = forecasting.forecast(history, 6, workers=2)
    pd.testing.assert_frame_equal(inline, pooled)


def test_monthly_buckets_are_recognised():
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    y = 100 + 30 * np.sin(2 * np.pi * np.arange(48) / 12)
    out = forecasting.forecast(pd.DataFrame({"unique_id": "M", "ds": months, "y": y}), 6, model="seasonal_naive")
    assert list(out.ds) == list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert out["mean"].to_numpy() == pytest.approx(y[-12:-6])
