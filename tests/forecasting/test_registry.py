"""The model registry is the one list of models: a strategy declared with `@register` is offered by
the factory, auto and the public API, and every registered name is a strategy of that name."""
from __future__ import annotations

import numpy as np
import pytest

from genxsop_core import forecasting
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting import registry
from genxsop_core.forecasting.base import Strategy
from tests.forecasting.conftest import register_made_up_model, weekly_frame


@pytest.fixture(autouse=True)
def no_chronos_weights(monkeypatch, tmp_path):
    """Probing every model's availability would otherwise load the Chronos-2 weights (seconds)."""
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tmp_path / "no-weights"))


@pytest.mark.parametrize("name", forecasting.model_names())
def test_every_registered_name_round_trips_through_the_factory(name):
    strategy = forecasting.get_strategy(name)
    assert strategy.name == name and type(strategy) is registry.strategy_class(name)
    assert strategy.label and strategy.description


def test_the_built_in_models_keep_their_stored_names_and_weights():
    assert forecasting.MODEL_NAMES == ("naive", "seasonal_naive", "moving_average", "ets", "ets_log", "theta",
                                       "croston_sba", "tsb", "prophet", "chronos2", "global_lightgbm",
                                       "sf_auto_ets", "sf_auto_theta", "sf_auto_arima", "sf_mstl")
    assert forecasting.model_names(heavy=True) == ("prophet", "chronos2", "sf_auto_arima")
    assert {m.name for m in registry.strategy_classes() if m.optional} == {"prophet", "chronos2"}


def test_a_run_option_reaches_the_strategy_it_configures():
    assert forecasting.get_strategy("moving_average", {"moving_average_window": 3}).window == 3
    assert forecasting.get_strategy("naive", {"moving_average_window": 3}).name == "naive"


def test_a_new_light_model_is_offered_everywhere_and_forecasts(monkeypatch):
    register_made_up_model(monkeypatch)
    assert forecasting.model_names()[-1] == "history_mean"
    assert forecasting.get_strategy("history_mean").name == "history_mean"
    assert "history_mean" in forecasting.available_models()
    assert "history_mean" in forecasting.auto_candidates(5_000)  # light: in auto's pool for any run
    out = forecasting.forecast(weekly_frame({"A": np.arange(1.0, 41.0)}), 4, model="history_mean", workers=1)
    assert set(out.model) == {"history_mean"} and np.allclose(out["mean"], 20.5)


def test_a_new_heavy_model_joins_auto_only_when_asked_or_for_few_series(monkeypatch):
    register_made_up_model(monkeypatch, heavy=True)
    assert forecasting.model_names(heavy=True)[-1] == "history_mean"
    assert "history_mean" not in forecasting.auto_candidates(500, heavy_max_series=20)
    assert "history_mean" in forecasting.auto_candidates(10, heavy_max_series=20)
    assert "history_mean" in forecasting.auto_candidates(500, include=("history_mean",))


def test_an_unavailable_model_is_left_out_of_auto_and_named_with_its_reason(monkeypatch):
    made_up = register_made_up_model(monkeypatch)
    monkeypatch.setattr(made_up, "availability", lambda self: "needs a crystal ball")
    assert forecasting.unavailable_models()["history_mean"] == "needs a crystal ball"
    assert "history_mean" not in forecasting.available_models()
    assert "history_mean" not in forecasting.auto_candidates(5)


def test_names_must_be_given_and_unique(monkeypatch):
    register_made_up_model(monkeypatch)

    class Nameless(Strategy):
        pass

    class Impostor(Strategy):
        name = "naive"

    with pytest.raises(ValueError, match="needs a name"):
        registry.register(Nameless)
    with pytest.raises(ValueError, match="taken by Naive"):
        registry.register(Impostor)
    with pytest.raises(InvalidInput, match="unknown model 'arima'.*history_mean"):
        forecasting.get_strategy("arima")


def test_the_registry_is_restored_after_a_test_that_declared_a_model(monkeypatch):
    with monkeypatch.context() as patch:
        register_made_up_model(patch)
        assert "history_mean" in forecasting.model_names()
    assert "history_mean" not in forecasting.model_names()
