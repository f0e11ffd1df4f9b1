"""Random draws from a forecast's quantiles, so sums of uncertain demand keep their shape.

A forecast stores a handful of quantiles per SKU and period (P1..P99). Adding quantiles
across periods or SKUs is not a quantile of the sum (it assumes everything moves together),
so lead-time demand and resource load are built from draws instead: each row's quantile
function is interpolated linearly between the stored levels (inverse-CDF sampling), clamped
at the outermost levels, and rows are drawn independently. Fixed seeds keep pages stable.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_DRAWS = 1000


def quantile_draws(levels: ArrayLike, values: ArrayLike, n_draws: int = DEFAULT_DRAWS,
                   seed: int = 0) -> np.ndarray:
    """Draws of shape values.shape[:-1] + (n_draws,) from quantiles `values` (last axis) at `levels`.

    `levels` are increasing probabilities in (0, 1). Quantiles that cross (random or blended
    models can give P10 > P50) are sorted first, which is what a monotone quantile function
    must look like. NaN quantiles give NaN draws.
    """
    levels = np.asarray(levels, dtype=float)
    values = np.sort(np.asarray(values, dtype=float), axis=-1)
    if levels.ndim != 1 or levels.size < 2 or values.shape[-1] != levels.size:
        raise ValueError(f"need at least two quantile levels and one value per level, got levels {levels.shape} "
                         f"and values {values.shape}")
    if np.any(np.diff(levels) <= 0) or levels[0] <= 0 or levels[-1] >= 1:
        raise ValueError("quantile levels must increase strictly inside (0, 1)")
    rows = values.reshape(-1, levels.size)
    u = np.random.default_rng(seed).uniform(size=(rows.shape[0], n_draws))
    upper = np.clip(np.searchsorted(levels, u), 1, levels.size - 1)  # segment [upper-1, upper] holds u
    low_level, high_level = levels[upper - 1], levels[upper]
    weight = np.clip((u - low_level) / (high_level - low_level), 0.0, 1.0)
    index = np.arange(rows.shape[0])[:, None]
    low, high = rows[index, upper - 1], rows[index, upper]
    return (low + weight * (high - low)).reshape(*values.shape[:-1], n_draws)
