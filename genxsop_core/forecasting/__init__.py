"""Statistical and ML forecasts per SKU with honest auto-selection (docs/api.md, docs/forecasting.md).

    from genxsop_core import forecasting
    forecasting.available_models()
    forecasting.forecast(history, horizon, model="auto", quantiles=(0.1, 0.5, 0.9))
    forecasting.backtest(history, horizon, models, windows=3)

History is long format (unique_id, ds, y[, promo]); forecasts come back as unique_id, ds,
model, mean and one column per quantile level (p10, p50, p90).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting import frames, global_model
from genxsop_core.forecasting import late_history as late
from genxsop_core.forecasting.backtest import backtest_strategy
from genxsop_core.forecasting.base import SeriesInput
from genxsop_core.forecasting.engine import (
    POOL_MIN_SERIES,
    POOLED_OPTION,
    RunSpec,
    SeriesResult,
    finish_chunk,
    forecast_chunk,
    pooled_option,
)
from genxsop_core.forecasting.factory import MODEL_NAMES, available_models, get_strategy, unavailable_models
from genxsop_core.forecasting.hierarchy import forecast_hierarchy, reconcile_run
from genxsop_core.forecasting.parallel import Progress, chunk_size, map_chunks
from genxsop_core.forecasting.registry import model_names

__all__ = ["available_models", "unavailable_models", "get_strategy", "forecast", "backtest", "run", "ForecastOutput",
           "auto_candidates", "model_names", "MODEL_NAMES", "forecast_hierarchy", "reconcile_run"]

CHUNK_SIZE = 8  # series per chunk at most
PROGRESS_STEPS = 20  # a run of many series reports progress about this often


@dataclass
class ForecastOutput:
    forecasts: pd.DataFrame  # unique_id, ds, model, mean, p..
    selection: pd.DataFrame  # unique_id, model, reason, fallback
    scores: pd.DataFrame  # unique_id, model, mae, rmse, wape, smape, mase, bias, chosen
    backtests: pd.DataFrame  # unique_id, ds, window, model, mean, actual (chosen model)
    results: list[SeriesResult]
    # unique_id, last_ds, latest_ds, buckets_short, bucket: histories that stop before the latest date
    stopped_early: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=late.STOPPED_EARLY_COLUMNS))


def auto_candidates(series_count: int, include: Sequence[str] = (), heavy_max_series: int = 0) -> tuple[str, ...]:
    """Light models always; heavy ones (Prophet, Chronos-2) only when asked or for few enough series.
    Models that cannot run here are left out."""
    wanted = [*model_names(heavy=False), *(m for m in model_names(heavy=True)
                                            if m in include or series_count <= heavy_max_series)]
    return tuple(m for m in wanted if get_strategy(m).availability() is None)  # heavy ones probed only if wanted


def _check_model(model: str) -> None:
    reason = None if model == "auto" else get_strategy(model).availability()  # unknown names are refused here
    if reason:
        raise InvalidInput(f"model {model} is unavailable here: {reason}")


def run(history: pd.DataFrame, horizon: int, model: str = "auto", quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        season_length: int | None = None, *, future_promo: pd.DataFrame | None = None,
        candidates: Sequence[str] | None = None, windows: int = 3, workers: int | None = None,
        scheduler: str | None = None, progress: Progress | None = None, options: dict | None = None,
        heavy_max_series: int = 0, late_history: str = late.DEFAULT) -> ForecastOutput:
    """Forecast every series and keep everything a planner may ask about: choice, reason, scores, and the
    series whose history stops before the latest date (`late_history`: "own_end" or "zeros", late_history.py)."""
    levels = frames.check_request(horizon, quantiles)
    _check_model(model)
    inputs = frames.series_inputs(history, horizon, season_length, future_promo, late.check_choice(late_history))
    if candidates is None:
        candidates = auto_candidates(len(inputs), heavy_max_series=heavy_max_series)
    else:
        unknown = [c for c in candidates if c not in model_names()]
        if unknown:
            raise InvalidInput(f"unknown model(s) {', '.join(unknown)}")
    options = global_model.prepared(options, inputs, horizon, model, candidates, windows)  # fitted over all SKUs
    spec = RunSpec(horizon, model, levels, tuple(candidates), windows, options)
    chunks = late.chunks_by_end(inputs, chunk_size(len(inputs), CHUNK_SIZE, PROGRESS_STEPS))  # one horizon each
    if model == "auto" and len(inputs) >= POOL_MIN_SERIES:
        results = _auto_in_two_passes(chunks, spec, inputs, workers, scheduler, progress)
    else:
        plan = late.PlanSpec.of(spec, inputs, forecast_chunk)
        results = map_chunks(late.forecast_to_plan, chunks, plan, workers, scheduler, progress)
    results = late.in_order(results, inputs)
    return ForecastOutput(frames.forecast_frame(results, levels), frames.selection_frame(results),
                          frames.scores_frame(results), frames.backtest_forecast_frame(results, inputs), results,
                          frames.stopped_early(history))


BACKTEST_SHARE = 0.8  # of a run's progress bar: auto spends most of its time backtesting


def _auto_in_two_passes(chunks: list, spec: RunSpec, inputs: Sequence[SeriesInput], workers: int | None,
                        scheduler: str | None, progress: Progress | None) -> list[SeriesResult]:
    """Auto backtests every series first, pools the evidence over the whole run (selection.py, 4.),
    then chooses and fits chunk by chunk: a SKU's choice does not depend on which chunk it fell in."""
    total = len(inputs)

    def phase(share: float, offset: float) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _total: progress(min(total, int(offset * total + share * done)), total)

    tested = map_chunks(late.backtest_to_plan, chunks, late.PlanSpec.of(spec, inputs), workers, scheduler,
                        phase(BACKTEST_SHARE, 0.0))
    ordered = [series for chunk in chunks for series in chunk]
    pooled = replace(spec, options={**spec.options, POOLED_OPTION: pooled_option(ordered, tested)})
    pairs, start = [], 0
    for chunk in chunks:
        pairs.append(list(zip(chunk, tested[start:start + len(chunk)])))
        start += len(chunk)
    return map_chunks(late.forecast_to_plan, pairs, late.PlanSpec.of(pooled, inputs, finish_chunk), workers,
                      scheduler, phase(1 - BACKTEST_SHARE, BACKTEST_SHARE))


def forecast(history: pd.DataFrame, horizon: int, model: str = "auto", quantiles: Sequence[float] = (0.1, 0.5, 0.9),
             season_length: int | None = None, **kwargs) -> pd.DataFrame:
    """Mean and quantiles per series and future bucket (long format, docs/data-format.md)."""
    return run(history, horizon, model, quantiles, season_length, **kwargs).forecasts


def backtest(history: pd.DataFrame, horizon: int, models: Sequence[str], windows: int = 3,
             season_length: int | None = None) -> pd.DataFrame:
    """Rolling-origin backtest: one row per unique_id x model with mae, rmse, wape, smape, mase, bias."""
    frames.check_request(horizon, ())
    for name in models:
        _check_model(name)
    inputs = frames.series_inputs(history, horizon, season_length)
    rows = []
    for name in models:
        for series, result in zip(inputs, backtest_strategy(get_strategy(name), inputs, horizon, windows)):
            if result.usable:
                rows.append({"unique_id": series.unique_id, "model": name, "windows": len(result.origins),
                             **result.scores(series.y, series.season_length)})
    return pd.DataFrame(rows, columns=["unique_id", "model", "windows", "mae", "rmse", "wape", "smape", "mase", "bias"])
