"""Synthetic series with known character, built from a fixed seed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def weekly_frame(series: dict[str, np.ndarray], start: str = "2023-01-02") -> pd.DataFrame:
    parts = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(y), freq="W-MON"), "y": y})
             for uid, y in series.items()]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture
def seasonal_weekly(rng) -> np.ndarray:
    t = np.arange(156)
    return np.maximum(200 + 0.5 * t + 60 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 8, 156), 0).round()


@pytest.fixture
def intermittent_weekly(rng) -> np.ndarray:
    return np.where(rng.random(156) < 0.25, rng.poisson(6, 156) + 1, 0).astype(float)


def register_made_up_model(monkeypatch: pytest.MonkeyPatch, heavy: bool = False) -> type:
    """Declare a new strategy with `@register`, as a contributor would; the registry is restored after
    the test. It forecasts the history's mean, so a run with it is checkable by hand."""
    from genxsop_core.forecasting import registry
    from genxsop_core.forecasting.base import Strategy, StrategyForecast

    monkeypatch.setattr(registry, "_CLASSES", dict(registry._registered()))

    @registry.register
    class HistoryMean(Strategy):
        name = "history_mean"
        label = "History mean"
        description = "Mean of the whole history"

        def forecast(self, series, horizon, quantiles):
            return StrategyForecast(np.full(horizon, float(np.mean(series.y))))

    HistoryMean.heavy = heavy
    return HistoryMean
