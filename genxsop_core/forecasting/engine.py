"""Forecast a chunk of series: backtest the candidates, choose, fit, fall back, add quantiles.

Runs inside a worker process (or a Dask worker): plain arrays in, plain results out, BLAS
pinned to one thread so parallelism comes from running chunks side by side (docs/forecasting.md,
Speed). A series whose chosen model fails on the final fit falls back to the next
best, and finally to naive, and its reason says so: one bad series never fails a run.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from genxsop_core.forecasting.backtest import ModelBacktest, backtest_strategy, forecast_each
from genxsop_core.forecasting.base import SeriesInput, StrategyForecast
from genxsop_core.forecasting.factory import get_strategy
from genxsop_core.forecasting.intervals import residual_quantiles, tidy
from genxsop_core.forecasting.selection import Choice, choose, pooled_relative_errors, rule_for_short_history

FALLBACK_ORDER: tuple[str, ...] = ("ets", "theta", "seasonal_naive", "moving_average", "naive")
# Exponential smoothing with a season longer than statsforecast's ETS limit (weekly data, 52) is slow:
# statsmodels ETS and Theta cost 0.1-0.5 s a fit, 5-50x statsforecast's AutoTheta and MSTL, and
# statsforecast's AutoETS handed a season of 52 about 0.45 s a 156-week SKU, 20x the same call with no
# season. Measured on the weekly demo's inner hold-out (the last 26 weeks of the training data, never the
# bench's test weeks), auto did as well without them (bench/README.md, issue 17) and its wall time on the
# demo fell from 3.9x to 0.8x statsforecast's AutoETS + AutoTheta: on weekly data auto skips them; MSTL
# (whose trend model is AutoETS) and AutoTheta stay.
SLOW_ON_LONG_SEASONS: tuple[str, ...] = ("ets", "ets_log", "theta", "sf_auto_ets")
LONG_SEASON = 24


def auto_pool(candidates: Sequence[str], season_length: int) -> list[str]:
    """The candidates auto backtests for series of this season length (see SLOW_ON_LONG_SEASONS)."""
    if season_length <= LONG_SEASON:
        return list(candidates)
    pool = [c for c in candidates if c not in SLOW_ON_LONG_SEASONS]
    return pool or list(candidates)


@dataclass(frozen=True)
class RunSpec:
    """What to forecast: picklable, so it travels to worker processes as is."""

    horizon: int
    model: str  # "auto" or a strategy name
    quantiles: tuple[float, ...]
    candidates: tuple[str, ...]  # strategies auto may choose from
    windows: int = 3
    options: dict = field(default_factory=dict)


@dataclass
class SeriesResult:
    unique_id: str
    model: str
    reason: str
    mean: np.ndarray
    quantiles: dict[float, np.ndarray]
    future_ds: np.ndarray
    scores: dict[str, dict[str, float]]
    chosen_backtest: ModelBacktest | None
    fallback: bool = False


def _fixed_choice(name: str, series: SeriesInput, backtest: ModelBacktest) -> Choice:
    if backtest.usable:
        return Choice(name, (name,), f"{name} requested", backtest)
    note = backtest.failure or "history too short for a backtest window"
    return Choice(name, (name,), f"{name} requested ({note}; quantiles from recent variability)", None)


# (series index, model) -> the model's final fit of that series, or the error it failed with
Finals = dict[tuple[int, str], StrategyForecast | Exception]


def _fallback(series: SeriesInput, failed: str, error: object, backtests: dict[str, ModelBacktest],
              spec: RunSpec) -> tuple[str, StrategyForecast, ModelBacktest | None]:
    """Next best strategy by backtest, then the safe order; naive cannot fail."""
    ranked = sorted((n for n, bt in backtests.items() if bt.usable and n != failed),
                    key=lambda n: backtests[n].scores(series.y, series.season_length)["mae"])
    for name in [*ranked, *FALLBACK_ORDER]:
        if name == failed or len(series.y) < get_strategy(name, spec.options).min_history_for(series.season_length):
            continue
        try:
            return name, get_strategy(name, spec.options).forecast(series, spec.horizon, spec.quantiles), \
                backtests.get(name)
        except Exception:  # nosec B112 # noqa: BLE001,S112 - try the next, simpler one
            continue
    return "naive", get_strategy("naive").forecast(series, spec.horizon, spec.quantiles), backtests.get("naive")


Tested = dict[str, ModelBacktest]  # one series' backtest per candidate


def forecast_chunk(chunk: Sequence[SeriesInput], spec: RunSpec) -> list[SeriesResult]:
    """The whole per-series pipeline for a chunk (see module doc), in one pass: auto uses the run's
    pooled evidence (selection.py, 4.) only when spec.options carries it. `forecasting.run` calls
    the two halves below for a run large enough to pool over (POOL_MIN_SERIES)."""
    series = list(chunk)  # read once: a generator would be spent by the backtests before the zip
    return finish_chunk(list(zip(series, backtest_chunk(series, spec))), spec)


def backtest_chunk(chunk: Sequence[SeriesInput], spec: RunSpec) -> list[Tested]:
    """First half: every candidate's backtests of each series (only the requested model's unless auto)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _backtest_chunk(list(chunk), spec)


def finish_chunk(items: Sequence[tuple[SeriesInput, Tested]], spec: RunSpec) -> list[SeriesResult]:
    """Second half: choose on the backtests (with the run's pooled evidence in spec.options), fit, assemble."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _finish_chunk([s for s, _ in items], spec, [t for _, t in items], spec.options.get(POOLED_OPTION))


POOLED_OPTION = "auto_pooled_relative_errors"  # run option: selection.pooled_relative_errors over the run
# Evidence pooled over a handful of series is itself noisy, and the aggregate nodes of a hierarchy (total,
# categories, families: 17 on the demo) are not alike: pooled over them, the demo total's base forecast
# went from MASE 0.80 to 1.03 (bench/forecast_hierarchy.py). Smaller runs choose on each series' own errors.
POOL_MIN_SERIES = 30


def pooled_option(inputs: Sequence[SeriesInput], tested: Sequence[Tested]) -> dict[str, float]:
    """Auto's pooled evidence over a run's series (selection.py, 4.)."""
    season = inputs[0].season_length if inputs else 1
    return pooled_relative_errors([s.y for s in inputs], season, tested)


def _backtest_chunk(chunk: list[SeriesInput], spec: RunSpec) -> list[Tested]:
    season = chunk[0].season_length if chunk else 0  # one run, one season length
    names = auto_pool(spec.candidates, season) if spec.model == "auto" else [spec.model]
    backtests = {name: backtest_strategy(get_strategy(name, spec.options), chunk, spec.horizon, spec.windows)
                 for name in names}
    return [{name: backtests[name][i] for name in names} for i in range(len(chunk))]


def _finish_chunk(chunk: list[SeriesInput], spec: RunSpec, per_series: Sequence[Tested],
                  pooled: dict[str, float] | None) -> list[SeriesResult]:
    choices: list[Choice] = []
    for series, tested in zip(chunk, per_series):
        if spec.model != "auto":
            choices.append(_fixed_choice(spec.model, series, tested[spec.model]))
        elif not any(bt.usable for bt in tested.values()):
            choices.append(_naming_failures(rule_for_short_history(series.y), tested))
        else:
            choices.append(_naming_failures(choose(series.y, series.season_length, tested, pooled=pooled), tested))
    finals: Finals = {}
    for name in {m for c in choices for m in c.members}:
        strategy = get_strategy(name, spec.options)
        index = [i for i, c in enumerate(choices) if name in c.members]
        for i, result in zip(index, forecast_each(strategy, [chunk[i] for i in index], spec.horizon, spec.quantiles)):
            finals[(i, name)] = result
    return [_assemble(i, chunk[i], choices[i], finals, per_series[i], spec) for i in range(len(chunk))]


def _naming_failures(choice: Choice, tested: dict[str, ModelBacktest]) -> Choice:
    """Auto's reason also names the candidates whose backtest failed: a heavy model that ran out of memory
    would otherwise drop out of the choice without a word."""
    failures = [f"{name} ({bt.failure})" for name, bt in tested.items() if bt.failure]
    if not failures:
        return choice
    return replace(choice, reason=f"{choice.reason}; left out after a failed backtest: {', '.join(failures)}")


def _assemble(i: int, series: SeriesInput, choice: Choice, finals: Finals,
              tested: Tested, spec: RunSpec) -> SeriesResult:
    outputs: list[StrategyForecast | Exception] = [finals[(i, m)] for m in choice.members]
    model, reason, backtest, fallback, members = choice.model, choice.reason, choice.backtest, False, choice.members
    broken = next((m for m, o in zip(choice.members, outputs)
                   if isinstance(o, Exception) or not np.all(np.isfinite(o.mean))), None)
    if broken is not None:
        failed = finals[(i, broken)]
        why = (f"{type(failed).__name__}: {str(failed)[:100]}" if isinstance(failed, Exception)
               else "non-finite forecast")
        model, output, backtest = _fallback(series, broken, failed, tested, spec)
        who = choice.model if len(choice.members) == 1 else f"{broken} (in {choice.model})"
        reason, outputs, fallback, members = f"{who} failed on the final fit ({why}): fell back to {model}", \
            [output], True, (model,)
        choice = Choice(model, members, reason, backtest)
    forecasts = [o for o in outputs if not isinstance(o, Exception)]  # all of them: a failure fell back above
    mean = choice.combine([o.mean for o in forecasts])
    native = forecasts[0].quantiles if len(forecasts) == 1 else {}
    if native and all(q in native for q in spec.quantiles):
        quantiles = {q: native[q] for q in spec.quantiles}
    else:
        quantiles = residual_quantiles(mean, _band_errors(series, members, backtest, tested), series.y,
                                       spec.quantiles)
    mean, quantiles = tidy(mean, quantiles)
    scores = {name: bt.scores(series.y, series.season_length) for name, bt in tested.items() if bt.usable}
    if choice.backtest is not None and model == choice.model and model not in scores:
        scores[model] = choice.backtest.scores(series.y, series.season_length)
    return SeriesResult(series.unique_id, model, reason, mean, quantiles, series.future_ds(spec.horizon),
                        scores, backtest, fallback)


def _band_errors(series: SeriesInput, members: tuple[str, ...], backtest: ModelBacktest | None,
                 tested: dict[str, ModelBacktest]) -> np.ndarray:
    """Backtest errors the band is built from: every member's own errors, pooled.

    The blend's errors alone are the narrowest of all (that is why it was chosen), and
    future errors are wider than the ones a choice was made on: pooling the members'
    errors measured 72% P10-P90 coverage against 63% for the blend's own (bench/README.md).
    """
    pooled = [tested[m].errors(series.y) for m in members if m in tested and tested[m].usable]
    if pooled:
        return np.concatenate(pooled)
    return backtest.errors(series.y) if backtest is not None else np.array([])
