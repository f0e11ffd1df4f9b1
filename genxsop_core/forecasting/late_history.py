"""Series whose history stops before the latest date: found, said, and forecast as the caller chooses.

A late data feed leaves a SKU's last weeks missing. Counting them as zero demand (what every
forecast did before, without a word) reads as a collapse in demand. The run now names these
series and the caller chooses (docs/forecasting.md, "Histories that stop early"):

- "own_end" (the default): forecast the series from its own last bucket. Its horizon is stretched by
  the buckets it is short, so the forecast still reaches the plan's last period; only the plan's periods
  (after the latest date of the whole history) are returned, so every series lines up with the others.
  A planner expects an active SKU to keep selling: a discontinued one is made inactive in the master data.
- "zeros": treat the series as discontinued: the missing buckets count as zero demand (the old behaviour).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting.base import SeriesInput
from genxsop_core.forecasting.engine import RunSpec, SeriesResult, Tested, backtest_chunk, forecast_chunk

OWN_END = "own_end"
ZEROS = "zeros"
CHOICES: dict[str, str] = {  # the choice -> what it does, in the planner's words
    OWN_END: "forecast from its own last data",
    ZEROS: "treat as discontinued (missing buckets count as zero demand)",
}
DEFAULT = OWN_END
STOPPED_EARLY_COLUMNS = ["unique_id", "last_ds", "latest_ds", "buckets_short", "bucket"]
BUCKET_NAMES = {"W-MON": "week", "MS": "month"}


def choice_label(choice: str, bucket: str = "week") -> str:
    """A choice as the Forecasting page and CLI offer it: "Forecast from its own last data"."""
    return {OWN_END: "Forecast from its own last data",
            ZEROS: f"Treat as discontinued: the missing {bucket}s count as zero demand"}[choice]


def check_choice(value: object) -> str:
    """The choice itself, or InvalidInput naming the ones there are."""
    if not isinstance(value, str) or value not in CHOICES:
        raise InvalidInput(f"late_history must be {' or '.join(repr(c) for c in CHOICES)} "
                           f"(what to do with a series whose history stops before the latest date), not {value!r}")
    return value


def buckets_between(first: object, last: object, freq: str) -> int:
    """How many buckets after `first` up to and including `last` (0 when they are the same bucket)."""
    return len(pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq=freq)) - 1


def stopped_early(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """One row per series whose last bucket with a row comes before the latest date of the whole history:
    unique_id, last_ds (its last bucket with data), latest_ds, buckets_short, bucket ("week" or "month").
    A row with y = 0 is data: only missing rows count as stopping early."""
    latest = frame["ds"].max()
    last = frame.groupby("unique_id", sort=True)["ds"].max()
    late = last[last < latest]
    return pd.DataFrame({
        "unique_id": late.index.astype(str), "last_ds": late.to_numpy(), "latest_ds": latest,
        "buckets_short": [buckets_between(d, latest, freq) for d in late],
        "bucket": BUCKET_NAMES.get(freq, freq)}, columns=STOPPED_EARLY_COLUMNS)


ChunkForecast = Callable[[Sequence[Any], RunSpec], list[SeriesResult]]


@dataclass(frozen=True)
class PlanSpec:
    """A run's spec, the plan's start (the latest date of the whole history) and the function that
    forecasts a chunk (engine.forecast_chunk): picklable, it travels to worker processes as is."""

    spec: RunSpec
    latest: np.datetime64
    forecast: ChunkForecast = forecast_chunk

    @classmethod
    def of(cls, spec: RunSpec, inputs: Sequence[SeriesInput], forecast: ChunkForecast = forecast_chunk) -> PlanSpec:
        return cls(spec, max(series.ds[-1] for series in inputs), forecast)


def chunks_by_end(inputs: Sequence[SeriesInput], size: int) -> list[Sequence[SeriesInput]]:
    """Chunks of at most `size` series that all end on the same date, so each chunk has one horizon."""
    by_end: dict[np.datetime64, list[SeriesInput]] = {}
    for series in inputs:
        by_end.setdefault(series.ds[-1], []).append(series)
    return [group[i:i + size] for _, group in sorted(by_end.items(), reverse=True)
            for i in range(0, len(group), size)]


def _plan_horizon(first: SeriesInput | None, plan: PlanSpec) -> tuple[int, RunSpec]:
    """Buckets the chunk's history is short of the plan's start, and the spec stretched by them."""
    short = buckets_between(first.ds[-1], plan.latest, first.freq) if first is not None else 0
    return short, plan.spec if short <= 0 else replace(plan.spec, horizon=plan.spec.horizon + short)


def forecast_to_plan(chunk: Sequence[Any], plan: PlanSpec) -> list[SeriesResult]:
    """Forecast a chunk (same last date) far enough to cover the plan's periods, and keep only those.
    A chunk holds series, or (series, backtests) pairs for engine.finish_chunk."""
    first = (chunk[0] if isinstance(chunk[0], SeriesInput) else chunk[0][0]) if chunk else None
    short, spec = _plan_horizon(first, plan)
    results = plan.forecast(chunk, spec)
    if short <= 0 or first is None:
        return results
    return [_plan_periods(r, short, pd.Timestamp(first.ds[-1])) for r in results]


def backtest_to_plan(chunk: Sequence[SeriesInput], plan: PlanSpec) -> list[Tested]:
    """Auto's first half (engine.backtest_chunk) on the horizon forecast_to_plan will forecast."""
    return backtest_chunk(chunk, _plan_horizon(chunk[0] if chunk else None, plan)[1])


def in_order(results: Sequence[SeriesResult], inputs: Sequence[SeriesInput]) -> list[SeriesResult]:
    """Results back in the order of the inputs (chunks_by_end groups them by last date)."""
    position = {series.unique_id: i for i, series in enumerate(inputs)}
    return sorted(results, key=lambda r: position[r.unique_id])


def _plan_periods(result: SeriesResult, short: int, last: pd.Timestamp) -> SeriesResult:
    """The buckets before the plan's start are past periods whose actuals are late, not plan: dropped."""
    return replace(result, mean=result.mean[short:], future_ds=result.future_ds[short:],
                   quantiles={q: v[short:] for q, v in result.quantiles.items()},
                   reason=f"{result.reason}; its history stops at {last.date()}, before the latest date: "
                          "forecast from its own last data")


def run_record(choice: str, stopped: pd.DataFrame, latest: object) -> dict:
    """What a forecast run stores about it (JSON): the choice, the latest date, and each series that stopped early."""
    return {"choice": choice, "latest": pd.Timestamp(latest).date().isoformat() if latest is not None else None,
            "bucket": str(stopped.bucket.iloc[0]) if len(stopped) else None,
            "series": [{"sku": str(r.unique_id), "last": pd.Timestamp(r.last_ds).date().isoformat(),
                        "buckets_short": int(r.buckets_short)} for r in stopped.itertuples(index=False)]}
