"""The one small interface every forecasting strategy implements (docs/forecasting.md).

Strategies see arrays, never DataFrames or process pools: the orchestrator owns the long
format, grouping and parallelism (the statsforecast split). A strategy returns a mean path
and, when its library has them, native quantiles; the orchestrator fills the rest from
backtest residuals.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SeriesInput:
    """One SKU's history, oldest first, with what is known about its future."""

    y: np.ndarray  # float64 demand per bucket
    ds: np.ndarray  # datetime64[ns] bucket starts, same length as y
    season_length: int  # buckets per year: 52 weekly, 12 monthly
    freq: str  # pandas frequency of the buckets: "W-MON" or "MS"
    promo: np.ndarray | None = None  # 0/1 per history bucket
    future_promo: np.ndarray | None = None  # 0/1 per horizon bucket (planned promotions)
    unique_id: str = ""

    def future_ds(self, horizon: int) -> np.ndarray:
        import pandas as pd

        start = pd.Timestamp(self.ds[-1])
        return pd.date_range(start, periods=horizon + 1, freq=self.freq)[1:].to_numpy()

    def head(self, n: int, horizon: int) -> SeriesInput:
        """The first n buckets as history, the next `horizon` promo flags as the known future."""
        promo = self.promo
        return SeriesInput(
            y=self.y[:n], ds=self.ds[:n], season_length=self.season_length, freq=self.freq,
            promo=None if promo is None else promo[:n],
            future_promo=None if promo is None else promo[n:n + horizon],
            unique_id=self.unique_id,
        )


@dataclass
class StrategyForecast:
    mean: np.ndarray  # horizon values
    quantiles: dict[float, np.ndarray] = field(default_factory=dict)  # level -> horizon values; empty = none


class Unavailable(RuntimeError):
    """The strategy cannot run here (missing package or model weights); the message says why."""


class Strategy:
    """Base class: subclasses set `name`, `min_history` and implement `forecast`; `@register`
    (forecasting.registry) makes one a model the factory, auto and the pages offer."""

    name: str = ""  # the planner's name of the model, stored with every run: never rename one
    label: str = ""  # how pages and the health check title it
    description: str = ""  # one line for the Forecasting page
    min_history: int = 1  # fewest history buckets the method needs
    native_quantiles: bool = False
    uses_promo: bool = False  # reads the promo flags of history and planned future
    heavy: bool = False  # slow per series (Prophet, Chronos-2): auto uses it only when asked or for few SKUs
    optional: bool = False  # needs a package or weights beyond the core install (availability() says)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Strategy:
        """The strategy configured by a run's options; strategies without settings ignore them."""
        return cls()

    def min_history_for(self, season_length: int) -> int:
        """Fewest buckets for this method on data with this season length."""
        return self.min_history

    def availability(self) -> str | None:
        """None when usable; otherwise a one-line reason."""
        return None

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        raise NotImplementedError

    def forecast_many(self, batch: Sequence[SeriesInput], horizon: int,
                      quantiles: Sequence[float]) -> list[StrategyForecast]:
        """Several series at once; batch-minded strategies (Chronos-2) override this."""
        return [self.forecast(series, horizon, quantiles) for series in batch]
