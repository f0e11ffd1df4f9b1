"""Exponential smoothing (ETS) and Theta from statsmodels.

ETS: additive error, damped additive trend (the robust default of the M competitions),
additive seasonality when there are at least two full seasons. Heuristic initialisation
is 3-5x faster than the default (docs/forecasting.md, Speed). Quantiles are native: the ETS
forecast variance under normal errors.
ETS on the log scale: the same model fitted to log(1 + y), so trend and seasonal swings
grow with the level (the multiplicative ETS family, without its failures on zeros). Its
point forecast is the back-transformed median; quantiles transform exactly (log-normal
bands, never below zero). On the benchmark it beat plain ETS by 2% mean MASE on aus_retail.
Theta: the M3 winner; statsmodels deseasonalises when it detects seasonality.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast
from genxsop_core.forecasting.registry import register


def seasonal_enough(y: np.ndarray, season_length: int) -> bool:
    """Two full seasons are needed to estimate a seasonal shape."""
    return season_length > 1 and len(y) >= 2 * season_length


@register
class ETS(Strategy):
    name = "ets"
    label = "ETS"
    description = "Exponential smoothing: damped trend, additive seasonality (statsmodels ETS)"
    min_history = 8
    native_quantiles = True
    log_scale = False

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        raw = np.asarray(series.y, dtype=float)
        y = pd.Series(np.log1p(np.maximum(raw, 0.0)) if self.log_scale else raw)
        seasonal = seasonal_enough(series.y, series.season_length)
        with warnings.catch_warnings():  # convergence chatter: the backtest judges the fit instead
            warnings.simplefilter("ignore")
            model = ETSModel(y, error="add", trend="add", damped_trend=True,
                             seasonal="add" if seasonal else None,
                             seasonal_periods=series.season_length if seasonal else None,
                             initialization_method="heuristic" if seasonal else "estimated")
            fit = model.fit(disp=False, maxiter=200)
            prediction = fit.get_prediction(start=len(y), end=len(y) + horizon - 1)
            mean = np.asarray(prediction.predicted_mean, dtype=float)
            std = np.sqrt(np.maximum(np.asarray(prediction.forecast_variance, dtype=float), 0.0))
        if not np.all(np.isfinite(mean)):
            raise FloatingPointError("ETS produced a non-finite forecast")
        levels = {q: mean + NormalDist().inv_cdf(q) * std for q in quantiles}
        if self.log_scale:  # quantiles survive a monotone transform; the mean becomes the median
            with np.errstate(over="ignore"):
                back = lambda v: np.maximum(np.expm1(v), 0.0)  # noqa: E731 - log(1 + y) < 0 means below zero
                mean, levels = back(mean), {q: back(v) for q, v in levels.items()}
            if not np.all(np.isfinite(mean)):
                raise FloatingPointError("ETS on the log scale overflowed")
        return StrategyForecast(mean, levels)


@register
class LogETS(ETS):
    name = "ets_log"
    label = "ETS, log scale"
    description = "Exponential smoothing on the log scale: trend and seasonality grow with the level"
    log_scale = True


@register
class Theta(Strategy):
    name = "theta"
    label = "Theta"
    description = "Theta method (statsmodels), deseasonalised when seasonal"
    min_history = 8

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        y = np.asarray(series.y, dtype=float)
        seasonal = seasonal_enough(y, series.season_length)
        # multiplicative deseasonalising needs strictly positive data
        method = "multiplicative" if np.all(y > 0) else "additive"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ThetaModel(y, period=series.season_length if seasonal else 1,
                             deseasonalize=seasonal, method=method).fit()
            mean = np.asarray(fit.forecast(horizon), dtype=float)
        if not np.all(np.isfinite(mean)):
            raise FloatingPointError("Theta produced a non-finite forecast")
        return StrategyForecast(mean)
