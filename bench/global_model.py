"""What the global LightGBM model (forecasting/global_model.py) costs and wins, and whether auto should use it.

Run: .venv/bin/python bench/global_model.py [--datasets PBS,aus_retail,demo] [--workers 2] [--limit N] [--no-speed]

1. Accuracy with the data sets, split and scores of bench/forecast_accuracy.py (fpp3 monthly: last 12
   months held out; the weekly demo: last 26 weeks held out, planned promotions known): seasonal
   naive, global_lightgbm alone, auto without it and auto with it (light candidates).
2. Speed on the demo data, horizon 26 on the full history: auto without and with the global model
   next to statsforecast AutoETS + AutoTheta (season 52) over the same series; best of 2, warm.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
from forecast_accuracy import demo_history, load_series, run_model, score, split

from genxsop_core import forecasting
from genxsop_core.forecasting.global_model import MODEL_NAME

REPEATS = 2


def variants(series_count: int) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    """Label -> (model, candidates) for the four runs compared."""
    light = forecasting.auto_candidates(series_count)
    without = tuple(m for m in light if m != MODEL_NAME)
    return {"seasonal_naive": ("seasonal_naive", None), MODEL_NAME: (MODEL_NAME, None),
            "auto without global": ("auto", without), "auto with global": ("auto", (*without, MODEL_NAME))}


def summary(scores: pd.DataFrame, seconds: float, selection: pd.DataFrame | None) -> dict[str, float]:
    row = {"mean MASE": scores.mase.mean(), "median MASE": scores.mase.median(),
           "pooled WAPE": scores.abs_error.sum() / scores.abs_actual.sum(), "mean SPL": scores.spl.mean(),
           "P10-P90 cover": scores.coverage.mean(), "seconds": seconds}
    if selection is not None:
        models = selection["model"].str.removeprefix("combo:").str.split("+")
        row["uses global"] = float(models.apply(lambda m: MODEL_NAME in m).mean())
    return row


def accuracy(name: str, workers: int, limit: int | None) -> None:
    long, shape = load_series(name)
    train, test, _ = split(long, shape.horizon, limit)
    n = train.unique_id.nunique()
    rows = {}
    for label, (model, candidates) in variants(n).items():
        forecasts, selection, seconds = run_model(train, test, shape, model, workers, candidates)
        rows[label] = summary(score(train, test, forecasts, shape.season), seconds,
                              selection if model == "auto" else None)
    print(f"\n== {name}: {n} series, last {shape.horizon} buckets held out, season {shape.season} ==", flush=True)
    print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:,.3f}"), flush=True)


def speed(workers: int) -> None:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    history = demo_history()
    plain = history[["unique_id", "ds", "y"]]
    sf = lambda: StatsForecast(models=[AutoETS(season_length=52), AutoTheta(season_length=52)],  # noqa: E731
                               freq="W-MON", n_jobs=workers)
    sf().forecast(df=plain[plain.unique_id.isin(plain.unique_id.unique()[:4])], h=26)  # warm-up, untimed
    runs: dict[str, list[float]] = {}
    for _ in range(REPEATS):
        for label, (model, candidates) in variants(history.unique_id.nunique()).items():
            if model != "auto":
                continue
            start = time.perf_counter()
            forecasting.run(history, 26, model, workers=workers, candidates=candidates)
            runs.setdefault(label, []).append(time.perf_counter() - start)
        start = time.perf_counter()
        sf().forecast(df=plain, h=26)
        runs.setdefault("statsforecast AutoETS + AutoTheta", []).append(time.perf_counter() - start)
    print(f"\n== speed: demo data, 128 weekly SKUs, horizon 26, workers {workers}, best of {REPEATS} ==")
    reference = min(runs["statsforecast AutoETS + AutoTheta"])
    for label, values in runs.items():
        print(f"{label:<36} {min(values):6.1f} s  ({reference and min(values) / reference:.2f}x AutoETS+AutoTheta; "
              f"runs {', '.join(f'{v:.1f}' for v in values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="PBS,aus_retail,demo")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--speed", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    for name in [d for d in args.datasets.split(",") if d]:
        accuracy(name, args.workers, args.limit)
    if args.speed:
        speed(args.workers)


if __name__ == "__main__":
    main()
