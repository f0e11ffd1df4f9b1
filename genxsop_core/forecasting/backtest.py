"""Rolling-origin backtests: forecast from past origins, compare with what happened.

Origins are spaced half a horizon apart and end exactly `horizon` buckets before the last
actual, so every window is scored on real data. A model joins a window only when the
history before that origin is long enough for it. Auto chooses on these errors, never on
in-sample fit, and strategies without native intervals take their quantiles from them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from genxsop_core import metrics
from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast

METRIC_NAMES: tuple[str, ...] = ("mae", "rmse", "wape", "smape", "mase", "bias")
MIN_TRAIN = 6  # a window needs at least this much history before its origin to say anything


def window_origins(n: int, horizon: int, windows: int) -> list[int]:
    """History lengths at which each backtest window starts (oldest first)."""
    step = max(1, horizon // 2)
    origins = [n - horizon - k * step for k in range(windows - 1, -1, -1)]
    return [o for o in origins if o >= MIN_TRAIN]


@dataclass
class ModelBacktest:
    """One model's backtest on one series: a forecast per window origin."""

    origins: list[int] = field(default_factory=list)
    forecasts: list[np.ndarray] = field(default_factory=list)
    failure: str | None = None

    def add(self, origin: int, mean: np.ndarray) -> None:
        self.origins.append(origin)
        self.forecasts.append(np.asarray(mean, dtype=float))

    @property
    def usable(self) -> bool:
        return bool(self.origins) and self.failure is None

    def actual_and_forecast(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        actual = np.concatenate([y[o:o + len(f)] for o, f in zip(self.origins, self.forecasts)])
        return actual, np.concatenate(self.forecasts)

    def errors(self, y: np.ndarray) -> np.ndarray:
        """actual - forecast over all windows (the residuals quantiles are built from)."""
        actual, forecast = self.actual_and_forecast(y)
        return actual - forecast

    def scores(self, y: np.ndarray, season_length: int) -> dict[str, float]:
        actual, forecast = self.actual_and_forecast(y)
        train = y[:self.origins[0]]
        return {
            "mae": metrics.mae(actual, forecast), "rmse": metrics.rmse(actual, forecast),
            "wape": metrics.wape(actual, forecast), "smape": metrics.smape(actual, forecast),
            "mase": metrics.mase(actual, forecast, train, season_length), "bias": metrics.bias(actual, forecast),
        }


def combine(members: Sequence[ModelBacktest], weights: Sequence[float] | None = None) -> ModelBacktest | None:
    """The weighted (default: equal-weight) average of several models, on the windows they share."""
    shared = sorted(set.intersection(*(set(m.origins) for m in members)))
    if not shared:
        return None
    weighting = np.full(len(members), 1 / len(members)) if weights is None else np.asarray(weights, dtype=float)
    combined = ModelBacktest()
    for origin in shared:
        paths = np.array([m.forecasts[m.origins.index(origin)] for m in members])
        combined.add(origin, weighting @ paths)
    return combined


def forecast_each(strategy: Strategy, batch: Sequence[SeriesInput], horizon: int,
                  quantiles: Sequence[float]) -> list[StrategyForecast | Exception]:
    """Forecast a batch; when the batch fails, retry one by one so one bad series fails alone."""
    try:
        return list(strategy.forecast_many(batch, horizon, quantiles))
    except Exception:
        results: list[StrategyForecast | Exception] = []
        for series in batch:
            try:
                results.append(strategy.forecast(series, horizon, quantiles))
            except Exception as error:  # noqa: BLE001 - recorded as this series' failure
                results.append(error)
        return results


def backtest_strategy(strategy: Strategy, series_list: Sequence[SeriesInput], horizon: int,
                      windows: int) -> list[ModelBacktest]:
    """Backtest one strategy on many series, batching each window across series."""
    results = [ModelBacktest() for _ in series_list]
    plans = [window_origins(len(s.y), horizon, windows) for s in series_list]
    for k in range(windows):
        members = [(i, s, plans[i][k - (windows - len(plans[i]))]) for i, s in enumerate(series_list)
                   if k >= windows - len(plans[i])]
        members = [(i, s, o) for i, s, o in members
                   if o >= strategy.min_history_for(s.season_length) and results[i].failure is None]
        if not members:
            continue
        outputs = forecast_each(strategy, [s.head(o, horizon) for _, s, o in members], horizon, ())
        for (i, _, origin), output in zip(members, outputs):
            if isinstance(output, Exception):
                results[i].failure = f"{type(output).__name__}: {str(output)[:120]}"
            elif not np.all(np.isfinite(output.mean)):
                results[i].failure = "non-finite forecast"
            else:
                results[i].add(origin, output.mean)
    return results
