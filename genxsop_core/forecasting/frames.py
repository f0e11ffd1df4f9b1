"""The long-format boundary (docs/data-format.md): frames in, SeriesInput, results, frames out."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting import late_history as late
from genxsop_core.forecasting.engine import SeriesResult

MAX_HORIZON = 104


def quantile_column(level: float) -> str:
    """0.1 -> 'p10', 0.05 -> 'p05', 0.975 -> 'p97.5' (level x 100)."""
    percent = level * 100
    return f"p{int(round(percent)):02d}" if abs(percent - round(percent)) < 1e-9 else f"p{percent:g}"


def check_request(horizon: int, quantiles: Sequence[float]) -> tuple[float, ...]:
    if not isinstance(horizon, (int, np.integer)) or not 1 <= horizon <= MAX_HORIZON:
        raise InvalidInput(f"horizon must be a whole number of buckets from 1 to {MAX_HORIZON}, not {horizon!r}")
    levels = tuple(sorted({float(q) for q in quantiles}))
    if any(not 0 < q < 1 for q in levels):
        raise InvalidInput(f"quantile levels must lie strictly between 0 and 1, got {list(quantiles)}")
    return levels


def infer_frequency(ds: pd.Series) -> tuple[str, int]:
    """Bucket frequency and season length from the spacing of dates: weeks -> 52, months -> 12."""
    gaps = pd.Series(pd.to_datetime(ds).drop_duplicates().sort_values()).diff().dt.days.dropna()
    typical = float(gaps.median()) if len(gaps) else 7.0
    if 6 <= typical <= 8:
        return "W-MON", 52
    if 27 <= typical <= 32:
        return "MS", 12
    raise InvalidInput(f"dates are {typical:g} days apart: GenXSOP forecasts weekly or monthly buckets")


def series_inputs(history: pd.DataFrame, horizon: int, season_length: int | None = None,
                  future_promo: pd.DataFrame | None = None, late_history: str = late.DEFAULT) -> list:
    """One SeriesInput per unique_id; missing buckets inside a series count as zero demand. A series whose
    history stops before the latest date ends there too ("zeros") or at its own last bucket ("own_end"),
    with its known future (planned promotions) stretched by the buckets it is short (late_history.py)."""
    from genxsop_core.forecasting.base import SeriesInput

    late.check_choice(late_history)
    frame = history_frame(history)
    freq, default_season = infer_frequency(frame["ds"])
    season = season_length or default_season
    latest = frame["ds"].max()
    has_promo = "promo" in frame.columns
    planned = _planned_promotions(future_promo)
    inputs = []
    for unique_id, group in frame.groupby("unique_id", sort=True):
        group = group.groupby("ds").agg({"y": "sum", **({"promo": "max"} if has_promo else {})})
        last = group.index.max() if late_history == late.OWN_END else latest
        full = group.reindex(pd.date_range(group.index.min(), last, freq=freq), fill_value=0)
        short = late.buckets_between(last, latest, freq)
        future = pd.date_range(last, periods=horizon + short + 1, freq=freq)[1:]
        inputs.append(SeriesInput(
            y=full["y"].to_numpy(dtype=float), ds=full.index.to_numpy(), season_length=season, freq=freq,
            promo=full["promo"].to_numpy(dtype=float) if has_promo else None,
            future_promo=np.array([1.0 if (unique_id, d) in planned else 0.0 for d in future]) if has_promo else None,
            unique_id=str(unique_id)))
    return inputs


def history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """The history checked, with datetime ds and numeric y."""
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise InvalidInput(f"history needs columns unique_id, ds, y (missing: {', '.join(sorted(missing))})")
    if history.empty:
        raise InvalidInput("history is empty: nothing to forecast")
    frame = history.assign(ds=pd.to_datetime(history["ds"]), y=pd.to_numeric(history["y"], errors="coerce"))
    if frame["y"].isna().any():
        raise InvalidInput("history has missing or non-numeric y values")
    return frame


def stopped_early(history: pd.DataFrame) -> pd.DataFrame:
    """The series whose history stops before the latest date (late_history.stopped_early)."""
    frame = history_frame(history)
    return late.stopped_early(frame, infer_frequency(frame["ds"])[0])


def _planned_promotions(future_promo: pd.DataFrame | None) -> set[tuple[str, pd.Timestamp]]:
    if future_promo is None or future_promo.empty:
        return set()
    rows = future_promo[future_promo.get("promo", 1).astype(bool)] if "promo" in future_promo else future_promo
    return {(str(u), pd.Timestamp(d)) for u, d in zip(rows["unique_id"], rows["ds"])}


def forecast_frame(results: Sequence[SeriesResult], quantiles: Sequence[float]) -> pd.DataFrame:
    columns = ["unique_id", "ds", "model", "mean", *[quantile_column(q) for q in quantiles]]
    parts = []
    for r in results:
        part = {"unique_id": r.unique_id, "ds": pd.to_datetime(r.future_ds), "model": r.model, "mean": r.mean}
        part.update({quantile_column(q): r.quantiles[q] for q in quantiles})
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def selection_frame(results: Sequence[SeriesResult]) -> pd.DataFrame:
    return pd.DataFrame([{"unique_id": r.unique_id, "model": r.model, "reason": r.reason, "fallback": r.fallback}
                         for r in results], columns=["unique_id", "model", "reason", "fallback"])


def scores_frame(results: Sequence[SeriesResult]) -> pd.DataFrame:
    rows = [{"unique_id": r.unique_id, "model": name, **scores, "chosen": name == r.model}
            for r in results for name, scores in r.scores.items()]
    return pd.DataFrame(rows, columns=["unique_id", "model", "mae", "rmse", "wape", "smape", "mase", "bias", "chosen"])


def backtest_forecast_frame(results: Sequence[SeriesResult], inputs: Sequence) -> pd.DataFrame:
    """The chosen model's backtest forecasts next to the actuals, one row per window bucket."""
    by_id = {s.unique_id: s for s in inputs}
    rows = []
    for r in results:
        if r.chosen_backtest is None:
            continue
        series = by_id[r.unique_id]
        for window, (origin, mean) in enumerate(zip(r.chosen_backtest.origins, r.chosen_backtest.forecasts), 1):
            for step, value in enumerate(mean):
                rows.append({"unique_id": r.unique_id, "ds": pd.Timestamp(series.ds[origin + step]), "window": window,
                             "model": r.model, "mean": max(float(value), 0.0),
                             "actual": float(series.y[origin + step])})
    return pd.DataFrame(rows, columns=["unique_id", "ds", "window", "model", "mean", "actual"])
