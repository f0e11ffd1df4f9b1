"""One LightGBM model across all SKUs (mlforecast), the approach that won the M5 competition.

Per-series strategies see one SKU at a time; a global model learns from every SKU at once,
so it must be fitted before the run splits series into chunks. `prepared()` does that in
`forecasting.run`: one fit per backtest cutoff (the origins `backtest.window_origins` gives
each series, which share a date because every series is padded to the latest one) and one
on the full history. The mean paths go into the run's options as a plain dict keyed by
(unique_id, history buckets); the `global_lightgbm` strategy only looks them up, in any
worker process or on Dask. A fit never sees a bucket after its cutoff.

Features: lags 1, 2, 3 and one season, rolling means of the last few buckets and of a
season, the week of the year (weekly) or month (monthly), and the promo flag as a
known-future feature when the history has one. The target is scaled per series (mean and
standard deviation of its own history) so SKUs of any volume train one model together.
LightGBM runs on one thread with a fixed seed: parallelism comes from the chunks, and the
same data gives the same forecast.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from genxsop_core.forecasting.backtest import window_origins
from genxsop_core.forecasting.base import SeriesInput

MODEL_NAME = "global_lightgbm"
PATHS_OPTION = "global_lightgbm_paths"  # run option: {(unique_id, history buckets): mean path}
FAILURE_OPTION = "global_lightgbm_failure"  # run option: why the run-wide fit failed
MIN_HISTORY = 8
SEED = 7
LIGHTGBM_PARAMS: dict[str, Any] = {
    "n_estimators": 200, "learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 10,
    "subsample": 1.0, "colsample_bytree": 0.9, "num_threads": 1, "random_state": SEED,
    "deterministic": True, "force_row_wise": True, "verbosity": -1,
}

PathTable = dict[tuple[str, int], np.ndarray]


def week_of_year(dates: pd.DatetimeIndex) -> np.ndarray:
    """ISO week number 1-53: the calendar feature of weekly buckets."""
    return np.asarray(dates.isocalendar().week, dtype=np.int64)


def seasonally_differenced(series: SeriesInput) -> bool:
    """Enough history to learn on year-over-year changes (a few buckets beyond one season)."""
    return series.season_length > 1 and len(series.y) >= series.season_length + MIN_HISTORY


def _model(season_length: int, freq: str, seasonal: bool) -> Any:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import Differences, LocalStandardScaler

    short = 4 if season_length >= 26 else 3
    lags = sorted({1, 2, 3, season_length} if season_length > 3 else {1, 2, 3})
    return MLForecast(
        models={MODEL_NAME: lgb.LGBMRegressor(**LIGHTGBM_PARAMS)}, freq=freq, lags=lags,
        lag_transforms={1: [RollingMean(window_size=short), RollingMean(window_size=max(season_length, short + 1))]},
        date_features=[week_of_year] if season_length >= 26 else ["month"],
        target_transforms=[*([Differences([season_length])] if seasonal else []), LocalStandardScaler()],
        num_threads=1)


def _frames(batch: Sequence[SeriesInput], horizon: int, promo: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Training rows of every series and, with promo, the planned flags of the horizon."""
    parts, future = [], []
    for series in batch:
        part = {"unique_id": series.unique_id, "ds": pd.to_datetime(series.ds), "y": np.asarray(series.y, float)}
        if promo:
            n = len(series.y)
            flags = np.concatenate([np.zeros(n) if series.promo is None else np.asarray(series.promo, float),
                                    _planned(series, horizon)])
            # on year-over-year changes a promotion a season ago matters as much as one now
            season_ago = np.concatenate([np.zeros(series.season_length), flags])[:len(flags)]
            part.update(promo=flags[:n], promo_season_ago=season_ago[:n])
            future.append(pd.DataFrame({"unique_id": series.unique_id, "ds": pd.to_datetime(series.future_ds(horizon)),
                                        "promo": flags[n:], "promo_season_ago": season_ago[n:]}))
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True), (pd.concat(future, ignore_index=True) if promo else None)


def _planned(series: SeriesInput, horizon: int) -> np.ndarray:
    """The horizon's promo flags: planned ones, no promotion where none is planned."""
    planned = np.zeros(horizon) if series.future_promo is None else np.asarray(series.future_promo, float)[:horizon]
    return np.pad(planned, (0, horizon - len(planned)))


def _fit_one_cutoff(batch: Sequence[SeriesInput], horizon: int) -> list[np.ndarray]:
    """Series that all end on the same date: one model over those with a season of history and
    more (on year-over-year changes), one over the shorter ones; mean paths, never below zero."""
    paths: list[np.ndarray] = [np.empty(0)] * len(batch)
    for seasonal in (True, False):
        members = [i for i, s in enumerate(batch) if seasonally_differenced(s) == seasonal]
        if members:
            for i, path in zip(members, _fit_one_model([batch[i] for i in members], horizon, seasonal)):
                paths[i] = path
    return paths


def _fit_one_model(batch: Sequence[SeriesInput], horizon: int, seasonal: bool) -> list[np.ndarray]:
    first = batch[0]
    promo = any(s.promo is not None and np.any(s.promo) for s in batch)
    train, future = _frames(batch, horizon, promo)
    model = _model(first.season_length, first.freq, seasonal)
    with warnings.catch_warnings():  # "null values in lag52": LightGBM reads a missing lag as missing, by design
        warnings.filterwarnings("ignore", message="Found null values", category=UserWarning)
        model.fit(train, static_features=[], dropna=False)
        predicted = model.predict(horizon, X_df=future)
    paths = {uid: group[MODEL_NAME].to_numpy(dtype=float) for uid, group in predicted.groupby("unique_id", sort=False)}
    return [np.maximum(paths[s.unique_id], 0.0) for s in batch]


def forecast_batch(batch: Sequence[SeriesInput], horizon: int | Sequence[int]) -> list[np.ndarray]:
    """Mean paths for histories that may end on different dates (a series may come once per
    cutoff), each `horizon` ahead (one for all, or one per history): one fit per last date and
    horizon, so a backtest window never learns from buckets after its cutoff."""
    horizons = [horizon] * len(batch) if isinstance(horizon, int) else list(horizon)
    groups: dict[tuple[pd.Timestamp, int], list[int]] = {}
    for i, series in enumerate(batch):
        groups.setdefault((pd.Timestamp(series.ds[-1]), horizons[i]), []).append(i)
    paths: list[np.ndarray] = [np.empty(0)] * len(batch)
    for (_, steps), members in groups.items():
        if len({batch[i].unique_id for i in members}) != len(members):
            raise ValueError("a global fit needs each series at most once per cutoff")
        for i, path in zip(members, _fit_one_cutoff([batch[i] for i in members], steps)):
            paths[i] = path
    return paths


def history_lengths(series: SeriesInput, horizon: int, windows: int) -> list[int]:
    """The history lengths the engine asks this model for: its backtest origins
    (backtest.backtest_strategy's rule) and the full history for the final fit."""
    origins = [o for o in window_origins(len(series.y), horizon, windows) if o >= MIN_HISTORY]
    return [*origins, len(series.y)]  # a short history still gets its final fit when the model is requested


def run_horizon(series: SeriesInput, horizon: int, latest: pd.Timestamp) -> int:
    """The horizon the run asks of this series: a history that stops before the latest date is
    forecast from its own end, stretched by the buckets it is short (late_history.py)."""
    return horizon + len(pd.date_range(pd.Timestamp(series.ds[-1]), latest, freq=series.freq)) - 1


def path_table(inputs: Sequence[SeriesInput], horizon: int, windows: int) -> PathTable:
    """Every path the run will need, from one fit per cutoff over all series."""
    latest = max(pd.Timestamp(series.ds[-1]) for series in inputs)
    keys = [(series, n, steps) for series in inputs for steps in [run_horizon(series, horizon, latest)]
            for n in history_lengths(series, steps, windows)]
    heads = [series.head(n, steps) if n < len(series.y) else series for series, n, steps in keys]
    paths = forecast_batch(heads, [steps for _, _, steps in keys])
    return {(series.unique_id, n): path for (series, n, _), path in zip(keys, paths)}


def wanted(model: str, candidates: Sequence[str]) -> bool:
    return model == MODEL_NAME or (model == "auto" and MODEL_NAME in candidates)


def prepared(options: Mapping[str, Any] | None, inputs: Sequence[SeriesInput], horizon: int, model: str,
             candidates: Sequence[str], windows: int) -> dict[str, Any]:
    """The run's options, with the global model's paths when the run may use it. A failed fit
    is recorded, not raised: the strategy then fails per series and the engine falls back."""
    options = dict(options or {})
    if not wanted(model, candidates) or PATHS_OPTION in options:
        return options
    try:
        options[PATHS_OPTION] = path_table(inputs, horizon, windows)
    except Exception as error:  # noqa: BLE001 - one model's failure must not fail the run
        options[FAILURE_OPTION] = f"{type(error).__name__}: {str(error)[:160]}"
    return options
