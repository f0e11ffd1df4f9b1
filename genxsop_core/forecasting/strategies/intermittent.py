"""Intermittent demand: Croston with the Syntetos-Boylan correction (SBA) and TSB.

Spare parts and slow movers have many zero buckets; smoothing the whole series
under-forecasts after a zero run and over-forecasts after a spike. Croston-type methods
smooth the demand size and the interval (or probability) separately.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast
from genxsop_core.forecasting.registry import register


def _ses(values: np.ndarray, alpha: float) -> float:
    """Simple exponential smoothing, level after the last value (initialised at the first)."""
    level = float(values[0])
    for value in values[1:]:
        level += alpha * (float(value) - level)
    return level


@register
class CrostonSBA(Strategy):
    """Croston's method, bias-corrected by (1 - alpha/2) (Syntetos & Boylan, 2005).

    forecast = (1 - alpha/2) * z / p, z = smoothed non-zero size, p = smoothed interval.
    """

    name = "croston_sba"
    label = "Croston (SBA)"
    description = "Croston with Syntetos-Boylan bias correction (intermittent demand)"
    min_history = 4

    def __init__(self, alpha: float = 0.1):
        self.alpha = alpha

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        y = np.asarray(series.y, dtype=float)
        demand_at = np.flatnonzero(y > 0)
        if len(demand_at) == 0:
            return StrategyForecast(np.zeros(horizon))
        sizes = y[demand_at]
        intervals = np.diff(np.concatenate(([-1], demand_at))).astype(float)
        rate = _ses(sizes, self.alpha) / max(_ses(intervals, self.alpha), 1.0)
        return StrategyForecast(np.full(horizon, (1 - self.alpha / 2) * rate))


@register
class TSB(Strategy):
    """Teunter-Syntetos-Babai: smooths the probability of demand every bucket, so a dying
    item's forecast decays towards zero instead of staying flat as Croston's does.

    forecast = p * z, p smoothed with beta on the 0/1 occurrence, z with alpha on sizes.
    """

    name = "tsb"
    label = "TSB"
    description = "Teunter-Syntetos-Babai (intermittent demand with obsolescence)"
    min_history = 4

    def __init__(self, alpha: float = 0.1, beta: float = 0.1):
        self.alpha, self.beta = alpha, beta

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        y = np.asarray(series.y, dtype=float)
        occurred = (y > 0).astype(float)
        if occurred.sum() == 0:
            return StrategyForecast(np.zeros(horizon))
        probability = float(occurred[0]) if occurred[0] else occurred.mean()
        size = float(y[y > 0][0])
        for value, hit in zip(y[1:], occurred[1:]):
            probability += self.beta * (hit - probability)
            if hit:
                size += self.alpha * (value - size)
        return StrategyForecast(np.full(horizon, probability * size))
