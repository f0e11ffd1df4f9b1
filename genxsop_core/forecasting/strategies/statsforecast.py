"""statsforecast's automatic models: AutoETS, AutoTheta, AutoARIMA and MSTL.

They sit beside the statsmodels ETS and Theta: statsforecast chooses the model form per
series by information criterion (AutoETS over error/trend/season types, AutoTheta over the
theta variants, AutoARIMA over orders), which is what an analyst gets from a one-line call,
so auto must at least have them in its pool. statsforecast 2.x compiles its ETS and ARIMA
in C++ (no numba warm-up).

Season lengths: a season enters a model only with two full seasons of history. statsforecast's
ETS fits seasonal forms only up to 24 buckets per season, yet AutoETS is still handed the 52
of weekly data, as the one-line call does: its non-seasonal choice then differs (on a demo
SKU ETS(M,N,N) instead of ETS(M,A,N) with season 1) and measured better on the demo (mean
MASE 1.01 against 1.13; the direct call 0.97, bench/README.md). MSTL is the model for long
and several seasons (weekly: yearly and quarterly, 52 and 13; monthly: 12). AutoARIMA keeps
seasons up to 24: a seasonal ARIMA of period 52 is slow.

Quantiles: native (statsforecast's `level=` intervals) for AutoETS, AutoTheta and AutoARIMA
(bench/forecast_accuracy.py prints their P10-P90 coverage). MSTL's native bands come from
its trend model around a seasonal part treated as known; measured on 20 series each, they
covered 76% (aus_livestock), 62% (weekly demo) and 91% (aus_retail) for a nominal 80%,
against 64%, 80% and 71% for bands from backtest errors: neither is calibrated, the backtest
bands are closer on average and on the weekly demand the product forecasts, so MSTL uses them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast
from genxsop_core.forecasting.registry import register

ARIMA_MAX_SEASON = 24  # longer seasons make AutoARIMA's seasonal search slow
WEEKLY_SEASONS = (13, 52)  # quarter and year in weeks


def fitting_season(n: int, season_length: int, most: int | None = None) -> int:
    """The season length a model can use: the series' own with two full seasons of history, else 1."""
    if season_length > 1 and n >= 2 * season_length and (most is None or season_length <= most):
        return season_length
    return 1


def interval_levels(quantiles: Sequence[float]) -> list[int]:
    """statsforecast's central interval levels (in %) whose bounds are the requested quantiles."""
    return sorted({int(round(100 * abs(1 - 2 * q))) for q in quantiles if q != 0.5})


def quantiles_from(output: dict[str, np.ndarray], quantiles: Sequence[float]) -> dict[float, np.ndarray]:
    """Map statsforecast's lo-/hi- columns back to quantile levels; P50 is the mean (symmetric bands)."""
    result = {}
    for q in quantiles:
        if q == 0.5:
            result[q] = np.asarray(output["mean"], dtype=float)
            continue
        side = "lo" if q < 0.5 else "hi"
        result[q] = np.asarray(output[f"{side}-{int(round(100 * abs(1 - 2 * q)))}"], dtype=float)
    return result


class StatsForecastModel(Strategy):
    """Shared plumbing: build the statsforecast model for one series, forecast, read its intervals."""

    optional = False  # statsforecast is in requirements.txt

    def model(self, series: SeriesInput) -> Any:
        raise NotImplementedError

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        y = np.asarray(series.y, dtype=float)
        levels = interval_levels(quantiles) if self.native_quantiles else []
        output = self.model(series).forecast(y=y, h=horizon, level=levels or None)
        mean = np.asarray(output["mean"], dtype=float)
        if not np.all(np.isfinite(mean)):
            raise FloatingPointError(f"{self.label} produced a non-finite forecast")
        return StrategyForecast(mean, quantiles_from(output, quantiles) if levels else {})


@register
class SFAutoETS(StatsForecastModel):
    name = "sf_auto_ets"
    label = "AutoETS (statsforecast)"
    description = "Exponential smoothing, form chosen per series by AICc (statsforecast AutoETS)"
    min_history = 8
    native_quantiles = True

    def model(self, series: SeriesInput) -> Any:
        from statsforecast.models import AutoETS

        return AutoETS(season_length=fitting_season(len(series.y), series.season_length))


@register
class SFAutoTheta(StatsForecastModel):
    name = "sf_auto_theta"
    label = "AutoTheta (statsforecast)"
    description = "Theta method, variant chosen per series (statsforecast AutoTheta)"
    min_history = 8
    native_quantiles = True

    def model(self, series: SeriesInput) -> Any:
        from statsforecast.models import AutoTheta

        return AutoTheta(season_length=fitting_season(len(series.y), series.season_length))


@register
class SFAutoARIMA(StatsForecastModel):
    name = "sf_auto_arima"
    label = "AutoARIMA (statsforecast)"
    description = "ARIMA, orders chosen per series by AICc (statsforecast AutoARIMA); slow on long series"
    min_history = 12
    native_quantiles = True
    heavy = True  # about 1-5 s per monthly series of 20+ years, 10-50x AutoETS (bench/README.md)

    def model(self, series: SeriesInput) -> Any:
        from statsforecast.models import AutoARIMA

        return AutoARIMA(season_length=fitting_season(len(series.y), series.season_length, ARIMA_MAX_SEASON))


@register
class SFMSTL(StatsForecastModel):
    name = "sf_mstl"
    label = "MSTL (statsforecast)"
    description = "Several seasons removed by STL (weekly: quarter and year), trend by AutoETS (statsforecast MSTL)"
    native_quantiles = False  # backtest-error bands measured closer to 80% than its own (module doc)

    @staticmethod
    def seasons(n: int, season_length: int) -> list[int]:
        """Season lengths with two full seasons of history: weekly data adds the quarter to the year."""
        wanted = WEEKLY_SEASONS if season_length == 52 else (season_length,)
        return [s for s in wanted if s > 1 and n >= 2 * s]

    def min_history_for(self, season_length: int) -> int:
        wanted = WEEKLY_SEASONS if season_length == 52 else (season_length,)
        return max(8, 2 * min(wanted)) if min(wanted) > 1 else 10 ** 9  # no season, no MSTL

    def model(self, series: SeriesInput) -> Any:
        from statsforecast.models import MSTL, AutoETS

        seasons = self.seasons(len(series.y), series.season_length)
        if not seasons:
            raise ValueError("MSTL needs two full seasons of history")
        return MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
