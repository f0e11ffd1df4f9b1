"""Prophet and a tiny random Chronos-2 (loaded through the real from_pretrained) inside runs."""
from __future__ import annotations

import numpy as np
import pytest

from genxsop_core import forecasting
from genxsop_core.forecasting.strategies import chronos
from tests.chronos_tiny import build_tiny_chronos2
from tests.forecasting.conftest import weekly_frame


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_chronos2(tmp_path_factory.mktemp("chronos2"))


@pytest.fixture
def with_tiny_chronos(tiny_model, monkeypatch):
    monkeypatch.setenv("GENXSOP_CHRONOS_MODEL", str(tiny_model))
    chronos.clear_cache()
    yield tiny_model
    chronos.clear_cache()


def test_chronos2_run_uses_promo_as_a_known_future_covariate(with_tiny_chronos, seasonal_weekly, rng):
    history = weekly_frame({"A": seasonal_weekly, "B": seasonal_weekly[:80]})
    history["promo"] = (rng.random(len(history)) < 0.1).astype(float)
    import pandas as pd

    planned = pd.DataFrame({"unique_id": ["A"], "ds": [history.ds.max() + pd.Timedelta(weeks=2)]})
    out = forecasting.run(history, 8, model="chronos2", quantiles=(0.1, 0.5, 0.9), future_promo=planned, workers=1)
    assert set(out.forecasts.model) == {"chronos2"} and len(out.forecasts) == 16
    values = out.forecasts[["mean", "p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()  # random weights: shapes and finiteness only
    assert "chronos2" in set(out.scores.model)


def test_auto_takes_heavy_models_when_asked(with_tiny_chronos, seasonal_weekly):
    candidates = forecasting.auto_candidates(1, include=("prophet", "chronos2"))
    assert {"prophet", "chronos2"} <= set(candidates)
    out = forecasting.run(weekly_frame({"A": seasonal_weekly}), 8, candidates=candidates, workers=1)
    assert {"prophet", "chronos2", "sf_auto_theta"} <= set(out.scores.model)  # weekly: statsforecast Theta
    assert out.selection.reason.iloc[0]


def test_prophet_as_a_single_model_over_processes(seasonal_weekly):
    history = weekly_frame({f"S{i}": seasonal_weekly + 10 * i for i in range(3)})
    out = forecasting.run(history, 13, model="prophet", quantiles=(0.1, 0.9), workers=2)
    assert set(out.forecasts.model) == {"prophet"} and len(out.forecasts) == 39
    assert (out.forecasts.p90 >= out.forecasts.p10).all()
