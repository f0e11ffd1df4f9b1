"""Forecast accuracy metrics planners expect (docs/api.md, docs/formulas.md).

Conventions shared by every function:
- Inputs are array-likes (lists, numpy arrays, pandas Series; a Series' index is ignored,
  values are paired by position). A = actual (y_true), F = forecast (y_pred).
- Percentage-style metrics (mape, smape, wape, bias) are fractions: 0.12 means 12%.
- Pairs where either side is NaN are dropped before computing (a missing actual or a
  missing forecast is "not measured", not an error of zero).
- Inputs of different lengths raise ValueError; an empty input (or one left empty after
  dropping NaNs) gives nan, so a SKU without history does not stop a backtest.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

TRACKING_SIGNAL_LIMIT = 4.0
"""Flag a series when |tracking signal| exceeds this: the forecast is persistently biased."""


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def _pair(y_true: ArrayLike, y_pred: ArrayLike, names=("y_true", "y_pred")):
    """Both inputs as float vectors of equal length, with NaN pairs dropped."""
    actual, forecast = _vector(y_true, names[0]), _vector(y_pred, names[1])
    if len(actual) != len(forecast):
        raise ValueError(f"{names[0]} has {len(actual)} values but {names[1]} has "
                         f"{len(forecast)}; they must be the same length")
    keep = ~(np.isnan(actual) | np.isnan(forecast))
    return actual[keep], forecast[keep]


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error, MAE = mean|F - A|, in units of demand.

    The error a planner can read directly ("we are off by 40 cases a week on average");
    not comparable across SKUs of different volume.
    """
    actual, forecast = _pair(y_true, y_pred)
    return float(np.mean(np.abs(forecast - actual))) if len(actual) else np.nan


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error, RMSE = sqrt(mean((F - A)^2)), in units of demand.

    Punishes large misses more than MAE; closer to the standard deviation of error that
    drives safety stock.
    """
    actual, forecast = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((forecast - actual) ** 2))) if len(actual) else np.nan


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute percentage error, MAPE = mean(|F - A| / |A|), as a fraction.

    The accuracy figure most business reviews quote. Periods with A = 0 are excluded
    (the ratio is undefined there); if every actual is 0 the result is nan. Because of
    that exclusion, prefer WAPE for intermittent demand.
    """
    actual, forecast = _pair(y_true, y_pred)
    nonzero = actual != 0
    if not nonzero.any():
        return np.nan
    return float(np.mean(np.abs(forecast[nonzero] - actual[nonzero]) / np.abs(actual[nonzero])))


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE, sMAPE = mean(2|F - A| / (|A| + |F|)), as a fraction in [0, 2].

    Bounded and defined when A = 0, so it can rank models on slow movers. A period with
    A = F = 0 (the 0/0 term) counts as a perfect 0.
    """
    actual, forecast = _pair(y_true, y_pred)
    if not len(actual):
        return np.nan
    scale = np.abs(actual) + np.abs(forecast)
    error = 2.0 * np.abs(forecast - actual)
    terms = np.divide(error, scale, out=np.zeros_like(error), where=scale != 0)
    return float(np.mean(terms))


def wape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Weighted absolute percentage error, WAPE = sum|F - A| / sum|A|, as a fraction.

    Volume-weighted, so big weeks and big SKUs count more and zero-demand weeks do not
    explode it: the headline accuracy of a portfolio. When sum|A| = 0 the result is nan,
    except 0.0 when every error is also 0 (nothing sold, nothing forecast).
    """
    actual, forecast = _pair(y_true, y_pred)
    if not len(actual):
        return np.nan
    total_error, total_actual = np.sum(np.abs(forecast - actual)), np.sum(np.abs(actual))
    if total_actual == 0:
        return 0.0 if total_error == 0 else np.nan
    return float(total_error / total_actual)


def mase(y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season_length: int) -> float:
    """Mean absolute scaled error, MASE = MAE / mean|y_t - y_(t-m)| over y_train.

    The scale is the in-sample MAE of the seasonal naive forecast (lag m = season_length)
    on the training history, so MASE < 1 means "better than repeating last season" and it
    compares across SKUs of any volume. If y_train is shorter than season_length + 1 the
    plain naive (lag 1) is used instead; NaN differences in y_train are ignored. If the
    scale is 0 (flat history) the result is nan, or 0.0 when the MAE is also 0.
    """
    if isinstance(season_length, bool) or int(season_length) != season_length or season_length < 1:
        raise ValueError(f"season_length must be a whole number >= 1, got {season_length!r}")
    train = _vector(y_train, "y_train")
    lag = int(season_length) if len(train) > season_length else 1
    differences = np.abs(train[lag:] - train[:-lag])
    differences = differences[~np.isnan(differences)]
    error = mae(y_true, y_pred)
    if np.isnan(error) or not len(differences):
        return np.nan
    scale = float(np.mean(differences))
    if scale == 0:
        return 0.0 if error == 0 else np.nan
    return error / scale


def bias(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Forecast bias = sum(F - A) / sum(A), as a fraction; positive means over-forecast.

    Accuracy metrics hide direction; bias shows a consensus that is systematically
    optimistic (excess stock) or pessimistic (lost sales). nan when sum(A) = 0.
    """
    actual, forecast = _pair(y_true, y_pred)
    total_actual = np.sum(actual)
    if not len(actual) or total_actual == 0:
        return np.nan
    return float(np.sum(forecast - actual) / total_actual)


def tracking_signal(errors: ArrayLike) -> np.ndarray:
    """Tracking signal per period, TS_t = sum(e_1..e_t) / MAD_t, MAD_t = mean(|e_1..e_t|).

    Use the errors as given; GenXSOP passes e = F - A, so a positive signal means
    over-forecasting. A forecast is flagged as biased when |TS| > TRACKING_SIGNAL_LIMIT
    (4). With this running-mean MAD |TS_t| <= t, so a flag needs at least 5 periods.
    TS is 0 while MAD is 0; a NaN error is skipped (its period gets nan, the sums go on).
    """
    error = _vector(errors, "errors")
    missing = np.isnan(error)
    running_sum = np.nancumsum(error)
    counts = np.cumsum(~missing)
    running_mad = np.divide(np.nancumsum(np.abs(error)), counts,
                            out=np.zeros_like(running_sum), where=counts > 0)
    signal = np.divide(running_sum, running_mad, out=np.zeros_like(running_sum),
                       where=running_mad != 0)
    signal[missing] = np.nan
    return signal


def pinball_loss(y: ArrayLike, q_pred: ArrayLike, q: float) -> float:
    """Pinball (quantile) loss = mean(max(q (y - F_q), (q - 1)(y - F_q))).

    Scores a quantile forecast F_q: under-forecasting costs q per unit, over-forecasting
    1 - q, so a P90 is judged on whether it really covers 90% of demand; the basis for
    quantile safety stock. q must be strictly between 0 and 1.
    """
    if not 0.0 < float(q) < 1.0:
        raise ValueError(f"quantile level q must be strictly between 0 and 1, got {q!r}")
    actual, forecast = _pair(y, q_pred, names=("y", "q_pred"))
    if not len(actual):
        return np.nan
    diff = actual - forecast
    return float(np.mean(np.maximum(q * diff, (q - 1.0) * diff)))


def mean_pinball(y: ArrayLike, quantile_preds: Mapping[float, ArrayLike]) -> float:
    """Mean pinball loss over quantile levels, e.g. {0.1: p10, 0.5: p50, 0.9: p90}.

    One number to rank probabilistic forecasts (an approximation of the CRPS). Levels
    whose loss is nan (no usable pairs) are left out; nan if none remain.
    """
    if not quantile_preds:
        raise ValueError("quantile_preds is empty: give at least one {level: forecast}")
    losses = [pinball_loss(y, pred, q) for q, pred in quantile_preds.items()]
    losses = [loss for loss in losses if not np.isnan(loss)]
    return float(np.mean(losses)) if losses else np.nan


def fva(error_previous_step: ArrayLike, error_this_step: ArrayLike) -> float | np.ndarray:
    """Forecast value added, FVA = error of the previous step - error of this step.

    Compares steps of the process (naive -> statistical -> consensus) on the same error
    metric: positive means this step helped, negative means it made the forecast worse.
    Scalars give a float; arrays (e.g. one value per SKU) give an array, NaN propagating.
    """
    previous = np.asarray(error_previous_step, dtype=float)
    this = np.asarray(error_this_step, dtype=float)
    if previous.ndim == 0 and this.ndim == 0:
        return float(previous - this)
    previous, this = _vector(previous, "error_previous_step"), _vector(this, "error_this_step")
    if len(previous) != len(this):
        raise ValueError(f"error_previous_step has {len(previous)} values but error_this_step "
                         f"has {len(this)}; they must be the same length")
    return previous - this
