"""Exponential smoothing (ETS) and Theta from statsmodels.

ETS: additive error, damped additive trend (the robust default of the M competitions),
additive seasonality when there are at least two full seasons. Heuristic initialisation
is 3-5x faster than the default (DESIGN.md section 7). Quantiles are native: the ETS
forecast variance under normal errors.
Theta: the M3 winner; statsmodels deseasonalises when it detects seasonality.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast


def seasonal_enough(y: np.ndarray, season_length: int) -> bool:
    """Two full seasons are needed to estimate a seasonal shape."""
    return season_length > 1 and len(y) >= 2 * season_length


class ETS(Strategy):
    name = "ets"
    description = "Exponential smoothing: damped trend, additive seasonality (statsmodels ETS)"
    min_history = 8
    native_quantiles = True

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = pd.Series(np.asarray(series.y, dtype=float))
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
        return StrategyForecast(mean, {q: mean + NormalDist().inv_cdf(q) * std for q in quantiles})


class Theta(Strategy):
    name = "theta"
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
