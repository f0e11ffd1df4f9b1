"""Benchmarks every planner knows: naive, seasonal naive, moving average.

They are the yardsticks auto must beat (MASE is scaled by seasonal naive) and the safe
fallbacks when a fancier model fails on a series.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast
from genxsop_core.forecasting.registry import register


@register
class Naive(Strategy):
    name = "naive"
    label = "Naive"
    description = "Last value carried forward"
    min_history = 1

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        return StrategyForecast(np.full(horizon, float(series.y[-1])))


@register
class SeasonalNaive(Strategy):
    name = "seasonal_naive"
    label = "Seasonal naive"
    description = "Same bucket last year"

    def min_history_for(self, season_length: int) -> int:
        return season_length

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        m = series.season_length
        if len(series.y) < m:
            return Naive().forecast(series, horizon, quantiles)
        last_season = series.y[-m:]
        return StrategyForecast(np.resize(last_season, horizon).astype(float))


@register
class MovingAverage(Strategy):
    name = "moving_average"
    label = "Moving average"
    description = "Mean of the last few buckets (window configurable)"
    min_history = 1

    def __init__(self, window: int | None = None):
        self.window = window

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> MovingAverage:
        return cls(options.get("moving_average_window"))

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        window = self.window or max(4, series.season_length // 4)
        return StrategyForecast(np.full(horizon, float(np.mean(series.y[-window:]))))
