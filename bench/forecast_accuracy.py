"""Forecast accuracy and speed of GenXSOP's strategies and "auto" against statsforecast run directly.

Run: .venv/bin/python bench/forecast_accuracy.py [--datasets PBS,aus_retail,aus_livestock,demo]
     [--models naive,...,auto] [--include-heavy] [--workers 2] [--limit N] [--memory] [--no-speed]
     [--no-direct] [--scores-csv FILE]

1. Accuracy (docs/forecasting.md, Benchmark data): fpp3 PBS (Scripts per Concession x Type x ATC1 x ATC2),
   aus_retail (Turnover per Series ID), aus_livestock (Count per Animal x State; monthly, never
   tuned on) -- the last 12 months of every series held out -- and the weekly demo data (last 26
   weeks held out, planned promotions known). Every model in --models runs through
   forecasting.run; statsforecast AutoETS, AutoTheta and AutoARIMA also run directly (one
   StatsForecast call, season length 12 or 52, level=[80]) on the same split: the free baseline.
   Per series: MASE (MAE / in-sample seasonal-naive MAE, m = 12 or 52), WAPE, and a scaled pinball
   loss (mean pinball loss over p10/p50/p90 divided by the same seasonal-naive MAE, so series
   of any volume count alike). Pooled WAPE = sum|e| / sum|A| over all series. AvgRelMAE =
   geometric mean of MAE / seasonal-naive MAE, robust to the near-zero scales that can blow
   up a mean MASE (series with MASE > 100 for every model are also shown without).
   P10-P90 cover: share of held-out months inside the P10-P90 band (nominal 80%).
2. Speed: auto (light candidates) on the weekly demo data, 128 SKUs, horizon 26, next to
   statsforecast AutoETS and AutoTheta (season_length=52) called directly over the same series;
   timed warm, best of 2.
3. Memory (--memory): auto over 2,000 synthetic weekly SKUs x 156 weeks; peak RSS/PSS of the tree.
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import contextlib
import resource
import threading
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from genxsop_core import forecasting, metrics
from genxsop_core.forecasting.engine import auto_pool

QUANTILES, REPEATS, OUTLIER_MASE = (0.1, 0.5, 0.9), 2, 100
FPP3 = {"PBS": (["Concession", "Type", "ATC1", "ATC2"], "Scripts"), "aus_retail": (["Series ID"], "Turnover"),
        "aus_livestock": (["Animal", "State"], "Count")}
SINCE = {"aus_livestock": "1998-01-01"}  # 20 years + the test year: 45 years made AutoARIMA take ~25 s a series
DIRECT = ("AutoETS", "AutoTheta", "AutoARIMA")  # statsforecast called directly: the free baseline


@dataclass(frozen=True)
class Shape:
    """How a data set is split and scored: buckets held out, season length, pandas frequency."""

    horizon: int
    season: int
    freq: str


MONTHLY, WEEKLY = Shape(12, 12, "MS"), Shape(26, 52, "W-MON")


def load_series(name: str) -> tuple[pd.DataFrame, Shape]:
    """Long format unique_id, ds, y (and promo for the demo); one series per key of docs/forecasting.md."""
    if name == "demo":
        return demo_history(), WEEKLY
    from tsdata.fpp3 import raw

    keys, target = FPP3[name]
    frame = raw[name]
    uid = frame[keys].astype(str).agg("/".join, axis=1)
    ds = pd.to_datetime(frame["Month"], format="%Y %b")
    long = pd.DataFrame({"unique_id": uid, "ds": ds, "y": frame[target].astype(float)})
    long = long[long.ds >= SINCE.get(name, "1900-01-01")]
    return long.groupby(["unique_id", "ds"], as_index=False)["y"].sum().sort_values(["unique_id", "ds"]), MONTHLY


def demo_history() -> pd.DataFrame:
    """The weekly demo company's ordered quantities with promo flags (128 SKUs)."""
    from genxsop_core.demo.company import build_demo_data

    demand = build_demo_data("week", end=date(2025, 6, 30))["demand"]
    return pd.DataFrame({"unique_id": demand["sku"], "ds": pd.to_datetime(demand["period"]),
                         "y": demand["ordered_qty"].astype(float), "promo": demand["promo"].astype(float)})


def split(long: pd.DataFrame, horizon: int, limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Last `horizon` buckets of each series are the test; drop series all zero in training."""
    position = long.groupby("unique_id").cumcount(ascending=False)
    train, test = long[position >= horizon], long[position < horizon]
    alive = train.groupby("unique_id")["y"].apply(lambda y: (y != 0).any())
    keep = sorted(alive[alive].index)[:limit] if limit else sorted(alive[alive].index)
    dropped = int((~alive).sum())
    return train[train.unique_id.isin(keep)], test[test.unique_id.isin(keep)], dropped


def run_model(train: pd.DataFrame, test: pd.DataFrame, shape: Shape, model: str, workers: int,
              candidates) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """forecasting.run per group of series that end on the same month, so a series that stopped
    early is forecast from its own end whatever run() does with late histories."""
    ends = train.groupby("unique_id")["ds"].transform("max")
    future_promo = test[["unique_id", "ds", "promo"]] if "promo" in test else None
    forecasts, selections, seconds = [], [], 0.0
    for _, group in train.groupby(ends):
        start = time.perf_counter()
        promo = None if future_promo is None else future_promo[future_promo.unique_id.isin(group.unique_id)]
        out = forecasting.run(group, shape.horizon, model, quantiles=QUANTILES, season_length=shape.season,
                              workers=workers, candidates=candidates, future_promo=promo)
        seconds += time.perf_counter() - start
        forecasts.append(out.forecasts)
        selections.append(out.selection)
    return pd.concat(forecasts), pd.concat(selections), seconds


def run_direct(train: pd.DataFrame, shape: Shape, workers: int) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """statsforecast AutoETS, AutoTheta and AutoARIMA called directly, one model per call (timed
    alone), mean plus its native 80% interval as p10/p90 (p50 = mean). Naive is statsforecast's
    fallback for series a model refuses (AutoETS raises on "tiny datasets": the demo's new SKUs)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, Naive

    plain, out, seconds = train[["unique_id", "ds", "y"]], {}, {}
    for name, cls in zip(DIRECT, (AutoETS, AutoTheta, AutoARIMA)):
        start = time.perf_counter()
        raw = StatsForecast(models=[cls(season_length=shape.season)], freq=shape.freq, n_jobs=workers,
                            fallback_model=Naive()).forecast(df=plain, h=shape.horizon, level=[80])
        seconds[name] = time.perf_counter() - start
        raw = raw.reset_index() if "unique_id" not in raw.columns else raw
        out[name] = pd.DataFrame({"unique_id": raw["unique_id"], "ds": raw["ds"], "mean": raw[name],
                                  "p10": raw[f"{name}-lo-80"], "p50": raw[name], "p90": raw[f"{name}-hi-80"]})
    return out, seconds


def score(train: pd.DataFrame, test: pd.DataFrame, forecasts: pd.DataFrame, season: int) -> pd.DataFrame:
    """Per-series MASE, WAPE, scaled pinball, plus sum|e| and sum|A| for the pooled WAPE."""
    joined = test.merge(forecasts, on=["unique_id", "ds"], how="left")
    history = {uid: g["y"].to_numpy() for uid, g in train.groupby("unique_id")}
    rows = []
    for uid, g in joined.groupby("unique_id"):
        y, mean, insample = g["y"].to_numpy(), g["mean"].to_numpy(), history[uid]
        scale = np.mean(np.abs(insample[season:] - insample[:-season])) if len(insample) > season else np.nan
        pinball = metrics.mean_pinball(y, {q: g[f"p{int(q * 100)}"].to_numpy() for q in QUANTILES})
        rows.append({"unique_id": uid, "mase": metrics.mase(y, mean, insample, season), "wape": metrics.wape(y, mean),
                     "spl": pinball / scale if scale else np.nan,
                     "coverage": np.mean((y >= g["p10"].to_numpy()) & (y <= g["p90"].to_numpy())),
                     "abs_error": np.nansum(np.abs(y - mean)), "abs_actual": np.sum(np.abs(y))})
    return pd.DataFrame(rows)


def evaluate(name: str, models: list[str], workers: int, limit: int | None, heavy: bool, direct: bool,
             csv_rows: list) -> None:
    long, shape = load_series(name)
    train, test, dropped = split(long, shape.horizon, limit)
    n = train.unique_id.nunique()
    print(f"\n== {name}: {n} series, {len(train):,} training rows, horizon {shape.horizon}, season {shape.season} "
          f"({dropped} of the data set's series dropped: all zero in training) ==", flush=True)
    candidates = forecasting.auto_candidates(n, include=("prophet",)) if heavy else None
    if not models:  # default: every candidate auto backtests on this data set, then auto
        models = [*auto_pool(candidates or forecasting.auto_candidates(n), shape.season), "auto"]
    scores, seconds, chosen = {}, {}, None
    for model in models:
        forecasts, selection, seconds[model] = run_model(train, test, shape, model, workers, candidates)
        scores[model] = score(train, test, forecasts, shape.season).set_index("unique_id")
        csv_rows.append(scores[model].reset_index().assign(dataset=name, model=model))
        chosen = selection if model == "auto" else chosen
    if direct:
        outputs, direct_seconds = run_direct(train, shape, workers)
        for model, forecasts in outputs.items():
            scores[f"sf {model}"] = score(train, test, forecasts, shape.season).set_index("unique_id")
            seconds[f"sf {model}"] = direct_seconds[model]
            csv_rows.append(scores[f"sf {model}"].reset_index().assign(dataset=name, model=f"sf {model}"))
    mase = pd.DataFrame({m: s.mase for m, s in scores.items()})
    outliers = mase.index[(mase > OUTLIER_MASE).all(axis=1)]
    base = mase.get("seasonal_naive")
    table = pd.DataFrame({m: {
        "mean MASE": s.mase.mean(), "median MASE": s.mase.median(),
        "mean MASE w/o outl.": s.mase.drop(outliers).mean(),
        "AvgRelMAE": np.nan if base is None else geometric_mean(s.mase / base),
        "pooled WAPE": s.abs_error.sum() / s.abs_actual.sum(), "median WAPE": s.wape.median(),
        "mean SPL": s.spl.mean(), "P10-P90 cover": s.coverage.mean(), "seconds": seconds[m],
        "series/s": n / seconds[m]} for m, s in scores.items()}).T
    print(table.to_string(float_format=lambda v: f"{v:,.3f}"))
    if len(outliers):
        print(f"outliers (MASE > {OUTLIER_MASE} for every model: no model could forecast them): {', '.join(outliers)}")
    if chosen is not None:
        report_auto(table, chosen)
    if "auto" in table.index and direct:
        sf = table.loc[[f"sf {m}" for m in DIRECT], "mean MASE"]
        auto, best = table.loc["auto", "mean MASE"], sf.min()
        print(f"auto mean MASE {auto:.3f} vs best statsforecast run directly ({sf.idxmin()}) {best:.3f}: "
              f"{1 - auto / best:+.1%} below (target: at least +3.0%): {'met' if auto <= 0.97 * best else 'NOT met'}")


def geometric_mean(ratio: pd.Series) -> float:
    """AvgRelMAE (Davydenko & Fildes): geometric mean of MAE / MAE of seasonal naive over the
    series where both are non-zero; robust to the near-zero scales that blow up mean MASE."""
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.exp(np.log(ratio).mean())) if len(ratio) else np.nan


def report_auto(table: pd.DataFrame, selection: pd.DataFrame) -> None:
    counts = selection["model"].value_counts()
    blends = selection["model"].str.startswith("combo:")
    members = selection["model"].str.removeprefix("combo:").str.split("+").explode().value_counts()
    print(f"auto chose a blend for {int(blends.sum())} of {len(selection)} series; most frequent: "
          + ", ".join(f"{m} {c}" for m, c in counts.head(6).items()) + f" ({len(counts) - 6} other choices)"
          if len(counts) > 6 else "auto chose: " + ", ".join(f"{m} {c}" for m, c in counts.items()))
    print("strategies taking part (alone or in a blend): " + ", ".join(f"{m} {c}" for m, c in members.items())
          + f"; fallbacks {int(selection['fallback'].sum())}")
    auto = table.loc["auto"]
    if "seasonal_naive" in table.index:
        snaive = table.loc["seasonal_naive"]
        below = {c: 1 - auto[c] / snaive[c] for c in ("mean MASE", "median MASE", table.columns[2])}
        print("auto vs seasonal_naive: " + ", ".join(f"{c} {v:+.1%} below" for c, v in below.items())
              + f"; AvgRelMAE {auto['AvgRelMAE']:.3f} = {1 - auto['AvgRelMAE']:+.1%} below")
    singles = table.drop(index=["auto", *(m for m in table.index if m.startswith("sf "))])
    if len(singles):
        best = singles["mean MASE"].idxmin()
        print(f"auto mean MASE {auto['mean MASE']:.3f} vs best single {best} {singles.loc[best, 'mean MASE']:.3f}: "
              f"auto beats every single strategy: {'yes' if auto['mean MASE'] < singles['mean MASE'].min() else 'no'}")


def speed_reference(workers: int) -> None:
    """auto on the weekly demo data vs statsforecast AutoETS + AutoTheta over the same series."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    history = demo_history()
    print(f"\n== speed: demo data, {history.unique_id.nunique()} weekly SKUs, {len(history):,} rows, horizon 26, "
          f"workers {workers}; best of {REPEATS} runs each ==")
    sf = lambda: StatsForecast(models=[AutoETS(season_length=52), AutoTheta(season_length=52)],  # noqa: E731
                               freq="W-MON", n_jobs=workers)
    plain = history[["unique_id", "ds", "y"]]
    sf().forecast(df=plain[plain.unique_id.isin(plain.unique_id.unique()[:4])], h=26)  # warm-up, untimed
    auto_runs, ets_runs = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        forecasting.run(history, 26, "auto", workers=workers, heavy_max_series=0)
        auto_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        sf().forecast(df=plain, h=26)
        ets_runs.append(time.perf_counter() - start)
    runs = lambda values: ", ".join(f"{v:.1f}" for v in values)  # noqa: E731
    print(f"auto (light candidates)               {min(auto_runs):7.1f} s   (runs: {runs(auto_runs)} s)")
    print(f"statsforecast AutoETS + AutoTheta(52) {min(ets_runs):7.1f} s   (runs: {runs(ets_runs)} s; timed after an "
          "untimed warm-up call on 4 series)")
    print(f"ratio auto / (AutoETS + AutoTheta)    {min(auto_runs) / min(ets_runs):7.2f} x   (target: at most 2)")


def synthetic_weekly(skus: int = 2000, weeks: int = 156, seed: int = 7) -> pd.DataFrame:
    """Seasonal (yearly) weekly demand with trend and noise, fixed seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    level = rng.lognormal(4.0, 1.0, (skus, 1))
    shape = 1 + rng.uniform(0, 0.4, (skus, 1)) * np.sin(2 * np.pi * t / 52 + rng.uniform(0, 2 * np.pi, (skus, 1)))
    trend = 1 + rng.normal(0, 0.002, (skus, 1)) * t
    y = np.maximum(np.round(level * shape * trend * rng.normal(1, 0.15, (skus, weeks))), 0)
    ds = pd.date_range("2022-01-03", periods=weeks, freq="W-MON")
    return pd.DataFrame({"unique_id": np.repeat([f"SKU{i:05d}" for i in range(skus)], weeks),
                         "ds": np.tile(ds, skus), "y": y.ravel()})


def warm_up(heavy: bool, single: bool) -> None:
    """Untimed auto and naive runs in this process: imports statsmodels (and prophet) and pays the
    one-off availability checks, so timed runs measure forecasting (workers fork from here)."""
    tiny = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 48), "ds": np.tile(pd.date_range(
        "2020-01-01", periods=48, freq="MS"), 2), "y": np.tile(np.arange(48.0) % 12 + 5, 2)})
    start = time.perf_counter()
    forecasting.run(tiny, 6, "auto", workers=1, candidates=forecasting.auto_candidates(2, include=("prophet",))
                    if heavy else None)
    if single:  # a single model checks every model's availability once (imports torch for Chronos-2)
        forecasting.run(tiny, 6, "naive", workers=1)
    print(f"warm-up (imports, availability checks; untimed below): {time.perf_counter() - start:.1f} s")


def tree_memory() -> tuple[int, int]:
    """Summed RSS (shared pages counted in every process: an upper bound) and summed PSS of this
    process and its workers; (0, 0) without psutil, then only ru_maxrss is reported."""
    try:
        import psutil
    except ImportError:
        return 0, 0
    me, rss, pss = psutil.Process(), 0, 0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            info = process.memory_full_info()
            rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
    return rss, pss


def memory_run(workers: int) -> None:
    """auto over 2,000 synthetic SKUs; peak memory of the process tree, sampled every 0.2 s."""
    history, peak, stop = synthetic_weekly(), [0, 0], threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            peak[:] = np.maximum(peak, tree_memory()).tolist()

    baseline, watcher = tree_memory()[0], threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    out = forecasting.run(history, 26, "auto", workers=workers, heavy_max_series=0)
    seconds = time.perf_counter() - start
    stop.set()
    watcher.join()
    gib = 1024 ** 3
    print(f"\n== memory: {history.unique_id.nunique():,} synthetic weekly SKUs x 156 weeks, auto, horizon 26, "
          f"workers {workers} ==\ntime {seconds:.1f} s ({len(out.selection) / seconds:.1f} series/s)")
    if peak[0]:
        print(f"peak of process tree: summed RSS {peak[0] / gib:.2f} GiB, summed PSS {peak[1] / gib:.2f} GiB "
              f"(main process before the run: RSS {baseline / gib:.2f} GiB)")
    own, child = (resource.getrusage(who).ru_maxrss * 1024 / gib
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"ru_maxrss: main process {own:.2f} GiB, largest worker {child:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="PBS,aus_retail,aus_livestock,demo",
                        help="comma list; empty to skip accuracy")
    parser.add_argument("--models", default="", help="comma list; default: auto's pool for the data set, and auto")
    parser.add_argument("--include-heavy", action="store_true", help="prophet as a single strategy and inside auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, help="first N series per data set (quick tries)")
    parser.add_argument("--speed", action=argparse.BooleanOptionalAction, default=True, help="demo speed reference")
    parser.add_argument("--direct", action=argparse.BooleanOptionalAction, default=True,
                        help="statsforecast AutoETS, AutoTheta, AutoARIMA called directly on the same split")
    parser.add_argument("--memory", action="store_true", help="2,000 synthetic SKUs: time and peak RSS")
    parser.add_argument("--scores-csv", help="write per-series scores of every model here")
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    if args.include_heavy and models and "prophet" not in models:
        models.insert(models.index("auto") if "auto" in models else len(models), "prophet")
    rows: list[pd.DataFrame] = []
    datasets = [d for d in args.datasets.split(",") if d]
    warm_up(args.include_heavy, single=bool(datasets))
    for name in datasets:
        evaluate(name, models, args.workers, args.limit, args.include_heavy, args.direct, rows)
    if args.scores_csv and rows:
        pd.concat(rows).to_csv(args.scores_csv, index=False)
    if args.speed:
        speed_reference(args.workers)
    if args.memory:
        memory_run(args.workers)


if __name__ == "__main__":
    main()
