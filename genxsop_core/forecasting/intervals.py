"""Quantiles for strategies without native ones, from their own backtest errors.

The pooled backtest errors (actual - forecast) of a series give the error distribution;
its empirical quantiles are added to the mean path, growing gently with the step ahead
(h ** 0.25, normalised to average 1 over the horizon) and widened by BAND_WIDENING.
Backtest errors understate future ones: they come from a handful of windows, and the model
was chosen because they were small. Measured on the PBS and aus_retail holdouts (smooth
series, top-3 blend), the raw error quantiles covered 72-74% for a nominal P10-P90 (80%);
widened by 1.25 they covered 79-80%. The factor is calibrated on those two data sets:
bench/forecast_accuracy.py prints the coverage so it can be checked on any other.
With too few errors to trust, the spread of bucket-to-bucket changes stands in (a
random-walk band).
"""
from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

MIN_ERRORS = 8
BAND_WIDENING = 1.25
GROWTH_EXPONENT = 0.25


def _growth(horizon: int) -> np.ndarray:
    steps = np.arange(1, horizon + 1) ** GROWTH_EXPONENT
    return BAND_WIDENING * steps / steps.mean()


def residual_quantiles(mean: np.ndarray, errors: np.ndarray, y: np.ndarray,
                       quantiles: Sequence[float]) -> dict[float, np.ndarray]:
    horizon = len(mean)
    errors = errors[np.isfinite(errors)]
    if len(errors) >= MIN_ERRORS:
        offsets = {q: float(np.quantile(errors, q)) * _growth(horizon) for q in quantiles}
    else:
        scale = float(np.std(np.diff(y))) if len(y) > 2 else float(np.abs(y).mean() if len(y) else 0.0)
        steps = np.sqrt(np.arange(1, horizon + 1))
        offsets = {q: NormalDist().inv_cdf(q) * scale * steps for q in quantiles}
    return {q: mean + offset for q, offset in offsets.items()}


def tidy(mean: np.ndarray, quantiles: dict[float, np.ndarray]) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Demand is never negative, and a higher level never sits below a lower one."""
    mean = np.maximum(np.nan_to_num(np.asarray(mean, dtype=float)), 0.0)
    if not quantiles:
        return mean, {}
    levels = sorted(quantiles)
    stacked = np.maximum(np.vstack([np.asarray(quantiles[q], dtype=float) for q in levels]), 0.0)
    stacked = np.sort(np.nan_to_num(stacked), axis=0)
    return mean, {q: stacked[i] for i, q in enumerate(levels)}
