"""Prophet (Meta): piecewise-linear trend, yearly seasonality and planned promotions.

Prophet is a decomposable model, y(t) = trend(t) + yearly(t) + beta * promo(t) + noise
(Taylor & Letham 2018, "Forecasting at scale"), fitted by MAP (L-BFGS in Stan). Its
native interval has a single width, so every requested quantile level is read from one
set of posterior predictive samples (`Prophet.predictive_samples`): trend paths with
simulated future changepoints plus observation noise.

Choices for S&OP buckets (weekly "W-MON" or monthly "MS"):
- Yearly seasonality only with at least two years of history: one year cannot separate
  seasonality from trend. Its Fourier order is capped below half a season (10 weekly,
  5 monthly); more terms cannot be identified from that many buckets a year.
- No weekly or daily seasonality: a bucket is a whole week or month.
- Additive seasonality always. Demand histories often hold zeros and short runs; in
  multiplicative mode the seasonal swing scales with the trend, and a trend extrapolated
  towards or below zero flips or explodes it.
- Promotions enter as a binary regressor `promo` when the history has promoted and
  unpromoted buckets and the planned future flags are known.
- Demand is non-negative: the mean and every quantile are clipped at 0.

Prophet and cmdstanpy are imported inside the methods: importing this module is cheap and
works without them; `availability()` then gives the reason.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

import numpy as np

from genxsop_core.forecasting.base import SeriesInput, Strategy, StrategyForecast, Unavailable
from genxsop_core.forecasting.registry import register

# 200 draws give stable 10th-90th percentiles at a fraction of Prophet's default 1000.
UNCERTAINTY_SAMPLES = 200
SEED = 0
MAX_YEARLY_FOURIER_ORDER = 10  # Prophet's own default for yearly seasonality


@cache
def _silence_stan_logging() -> None:
    """cmdstanpy logs every optimisation at INFO; keep it out of the planner's console."""
    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        logger.setLevel(logging.WARNING)


@cache
def _unavailable_reason() -> str | None:
    _silence_stan_logging()
    try:
        from prophet import Prophet

        Prophet()  # loads the bundled compiled Stan model: fails when it is missing
    except Exception as exc:  # any failure means the same thing to the planner
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"prophet cannot run here: {detail}"
    return None


def _flags(values: np.ndarray | None) -> np.ndarray | None:
    """0/1 float flags; NaN counts as 'no promotion'."""
    if values is None:
        return None
    return (np.nan_to_num(np.asarray(values, dtype=float), nan=0.0) > 0).astype(float)


@register
class ProphetStrategy(Strategy):
    """Prophet per series; quantiles from posterior predictive samples."""

    name = "prophet"
    label = "Prophet"
    description = "Prophet: trend + yearly seasonality (2+ years) + promotion regressor"
    # Half a year of weeks is enough for a trend; two years of months gives seasonality.
    min_history = 24
    native_quantiles = True
    uses_promo = True
    heavy = True
    optional = True  # the prophet package and its compiled Stan model

    def availability(self) -> str | None:
        return _unavailable_reason()

    def forecast(self, series: SeriesInput, horizon: int, quantiles: Sequence[float]) -> StrategyForecast:
        import pandas as pd

        levels = [float(q) for q in quantiles]
        if any(not 0.0 < q < 1.0 for q in levels):
            raise ValueError(f"quantile levels must lie strictly between 0 and 1, got {levels}")
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1 bucket, got {horizon}")
        y = np.asarray(series.y, dtype=float)
        if np.count_nonzero(np.isfinite(y)) < 2:
            raise ValueError(f"series {series.unique_id!r}: prophet needs at least 2 known buckets")
        reason = self.availability()
        if reason is not None:
            raise Unavailable(reason)
        from prophet import Prophet

        history = pd.DataFrame({"ds": pd.to_datetime(series.ds), "y": y})
        future = pd.DataFrame({"ds": pd.to_datetime(series.future_ds(horizon))})
        promo, future_promo = _flags(series.promo), _flags(series.future_promo)
        use_promo = False
        if promo is not None and future_promo is not None and 0 < promo.sum() < len(promo):
            use_promo = True
            if len(promo) != len(y):
                raise ValueError(f"series {series.unique_id!r}: {len(promo)} promo flags for {len(y)} buckets")
            # Buckets beyond the planned flags count as unpromoted.
            planned = np.zeros(horizon)
            planned[:min(horizon, len(future_promo))] = future_promo[:horizon]
            history["promo"], future["promo"] = promo, planned

        season_length = int(series.season_length)
        two_years = len(y) >= 2 * season_length and season_length >= 4
        model = Prophet(
            growth="linear",
            yearly_seasonality=min(MAX_YEARLY_FOURIER_ORDER, (season_length - 1) // 2) if two_years else False,
            weekly_seasonality=False,
            daily_seasonality=False,
            # Country holidays are skipped: inside a weekly or monthly bucket they add little.
            seasonality_mode="additive",
            uncertainty_samples=UNCERTAINTY_SAMPLES,
        )
        if use_promo:
            model.add_regressor("promo", standardize=False)
        model.fit(history, algorithm="LBFGS", seed=SEED)

        # Prophet draws its samples from numpy's global RNG: seed it for reproducible
        # quantiles and restore the caller's state afterwards (one series per process at a time).
        saved_state = np.random.get_state()
        np.random.seed(SEED)
        try:
            samples = model.predictive_samples(future)["yhat"]  # horizon x samples
        finally:
            np.random.set_state(saved_state)
        model.uncertainty_samples = 0  # the point forecast needs no second round of sampling
        mean = np.clip(model.predict(future)["yhat"].to_numpy(dtype=float), 0.0, None)

        result = StrategyForecast(mean=mean)
        if levels:
            ordered = sorted(set(levels))
            values = np.clip(np.quantile(samples, ordered, axis=1), 0.0, None)
            values = np.maximum.accumulate(values, axis=0)  # monotone across levels
            result.quantiles = {q: values[ordered.index(q)] for q in levels}
        return result
