"""Quantiles for strategies without native ones, from their own backtest errors.

The pooled backtest errors (actual - forecast) of a series give the error distribution;
its empirical quantiles are added to the mean path, widened with the square root of the
step ahead (errors grow with the horizon). With too few errors to trust, the spread of
bucket-to-bucket changes stands in (a random-walk band).
"""
from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

MIN_ERRORS = 8


def _growth(horizon: int) -> np.ndarray:
    steps = np.sqrt(np.arange(1, horizon + 1))
    return steps / steps.mean()


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
