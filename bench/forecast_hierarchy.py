"""Coherent hierarchy forecasts: accuracy and band coverage per level, reconciled vs base (issue 17).

Run: .venv/bin/python bench/forecast_hierarchy.py [--model auto] [--datasets demo,PBS] [--workers 2] [--cache DIR]

Data: the demo company (weekly, category > family > SKU, horizon 26 weeks) and fpp3 PBS (monthly
Scripts, Concession > Type > ATC1 > ATC2 series, horizon 12 months; Type and ATC1 names are
prefixed with their parent so every node has one parent). Rolling origins (--origins, default 3):
the last one a horizon before the end, the others half a horizon earlier each; the figures pool
every origin (the total is one series: one origin gives it only 12 or 26 points). At each origin
the SKUs are forecast once with forecasting.run, the aggregate nodes once from their own histories
(hierarchy.base_forecasts), then every reconciliation method x band method (Normality also with the
floor: a band never narrower than the node's own base band, on every level or on levels of one or two
nodes, the default) is applied to the same base forecasts:
- MASE per level (mean over the level's nodes; scale = the node's in-sample seasonal-naive MAE):
  base (each node's own forecast) and reconciled.
- P10-P90 coverage per level on the held-out buckets (target 75-85% at every level), and the
  coverage of today's band: SKU P10s and P90s summed up to the node.
- Band width at aggregate levels: mean reconciled P90 - P10 divided by the summed SKUs' P90 - P10
  (target: at most 0.70, i.e. at least 30% narrower), the mean over the level's nodes of each node's ratio
  (and, for the default floor, the median node's ratio: a few tiny nodes with large ratios lift the mean).
MinTrace shrink runs with both spreads (hierarchy.SPREADS): weights from the backtest errors (the library's,
the default) or from the base bands' variances with the backtests' correlations.
--inner moves every origin back by the default run's span (its held-out buckets end before the default run's
first held-out bucket): methods are chosen there, the default run only reports.
--cache DIR keeps each origin's base forecasts (SKUs' and aggregates', with backtests) in DIR and reads them
from there on the next run: reconciliation methods are compared without re-forecasting (delete DIR after a
change to the forecasting engine).
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import pickle
import time
from datetime import date
from pathlib import Path

import pandas as pd

from genxsop_core import forecasting, metrics
from genxsop_core.forecasting import hierarchy as hier

QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_ORIGINS = 3


def demo_data() -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Weekly demo demand with promotions; hierarchy category > family > SKU; horizon 26, season 52."""
    from genxsop_core.demo.company import build_demo_data

    data = build_demo_data("week", end=date(2025, 6, 30))
    demand = data["demand"]
    history = pd.DataFrame({"unique_id": demand["sku"], "ds": pd.to_datetime(demand["period"]),
                            "y": demand["ordered_qty"].astype(float), "promo": demand["promo"].astype(float)})
    products = data["products"]
    return history, products[["category", "family"]].assign(unique_id=products["sku"]), 26, 52


def pbs_data() -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """fpp3 PBS Scripts per Concession/Type/ATC1/ATC2; series all zero before the hold-out dropped."""
    from tsdata.fpp3 import raw

    frame = raw["PBS"]
    frame = frame.assign(Type=frame.Concession + "/" + frame.Type,
                         ATC1=frame.Concession + "/" + frame.Type + "/" + frame.ATC1)
    frame = frame.assign(unique_id=frame.ATC1 + "/" + frame.ATC2, ds=pd.to_datetime(frame.Month, format="%Y %b"))
    history = frame.groupby(["unique_id", "ds"], as_index=False)["Scripts"].sum().rename(columns={"Scripts": "y"})
    cut = history.ds.max() - pd.DateOffset(months=12)
    alive = history[history.ds <= cut].groupby("unique_id").y.sum() > 0
    history = history[history.unique_id.isin(alive.index[alive])]
    tree = frame[["Concession", "Type", "ATC1", "unique_id"]].drop_duplicates()
    return history, tree[tree.unique_id.isin(history.unique_id)], 12, 12


def node_actuals(history: pd.DataFrame, shape: hier.Structure) -> pd.DataFrame:
    """Every node's demand (unique_id = node key), SKUs and aggregates alike."""
    bottom = history[["unique_id", "ds", "y"]].assign(unique_id=[hier._key(hier.BOTTOM, u) for u in history.unique_id])
    return pd.concat([hier.node_histories(history, shape), bottom], ignore_index=True)


def mase_by_node(forecasts: pd.DataFrame, actuals: pd.DataFrame, train: pd.DataFrame, season: int) -> pd.Series:
    joined = actuals.merge(forecasts[["unique_id", "ds", "mean"]], on=["unique_id", "ds"])
    history = {k: g.sort_values("ds").y.to_numpy() for k, g in train.groupby("unique_id")}
    return joined.groupby("unique_id").apply(
        lambda g: metrics.mase(g.y.to_numpy(), g["mean"].to_numpy(), history[g.name], season), include_groups=False)


def keyed(output: pd.DataFrame) -> pd.DataFrame:
    """The public output frame with each row's node key (to join with actuals)."""
    return output.assign(unique_id=[hier._key(lv, n) for lv, n in zip(output.level, output.node)])


def summed_bands(sku_forecasts: pd.DataFrame, shape: hier.Structure) -> pd.DataFrame:
    """Today's band: the SKUs' P10 and P90 added up to every node."""
    frame = sku_forecasts.merge(shape.paths, left_on="unique_id", right_on=hier.SKU, suffixes=("_sku", ""))
    return pd.concat([frame.groupby([level, "ds"], as_index=False)[["p10", "p90"]].sum()
                     .rename(columns={level: "unique_id"}) for level in shape.levels], ignore_index=True)


def coverage(bands: pd.DataFrame, actuals: pd.DataFrame) -> pd.Series:
    joined = actuals.merge(bands, on=["unique_id", "ds"])
    return ((joined.y >= joined.p10) & (joined.y <= joined.p90)).groupby(joined.unique_id).mean()


def evaluate(name: str, loader, model: str, workers: int, origins: int, cache: Path | None = None,
             inner: bool = False) -> None:
    history, tree, horizon, season = loader()
    shape = hier.structure(history, tree)
    level_of = dict(zip(shape.nodes.key, shape.nodes.level))
    step = horizon // 2
    # --inner: every origin moved back by the default run's span, so its held-out buckets end where the training
    # data of the default run's earliest origin ends (an inner hold-out: the bench's test buckets are never read)
    shift = horizon + (DEFAULT_ORIGINS - 1) * step if inner else 0
    print(f"\n== {name}: {history.unique_id.nunique()} SKUs, {len(shape.nodes)} nodes "
          f"({', '.join(f'{lv} {len(k)}' for lv, k in shape.tags.items())}), horizon {horizon}, model {model}; "
          f"{origins} forecast origins, {step} buckets apart, the last one {horizon + shift} buckets before the end"
          f"{' (inner hold-out)' if inner else ''} ==")
    values: dict[str, list[pd.Series]] = {}
    for k in range(origins):
        back = horizon + k * step + shift
        cut = history.ds.max() - (pd.Timedelta(weeks=back) if season == 52 else pd.DateOffset(months=back))
        end = cut + (pd.Timedelta(weeks=horizon) if season == 52 else pd.DateOffset(months=horizon))
        train, test = history[history.ds <= cut], history[(history.ds > cut) & (history.ds <= end)]
        stored = cache / f"{name}-{model}-{cut.date()}.pkl" if cache else None
        for label, series in one_origin(train, test, tree, horizon, season, model, workers, stored).items():
            values.setdefault(label, []).append(series)
    table = pd.DataFrame({label: getattr(pd.concat(parts).groupby(lambda key: level_of[key]),
                                         "median" if label.endswith("median node") else "mean")()
                          for label, parts in values.items()}).T[list(shape.levels)]
    print(table.to_string(float_format=lambda v: f"{v:,.3f}"))


def base_run(train: pd.DataFrame, test: pd.DataFrame, shape: hier.Structure, horizon: int, season: int,
             model: str, workers: int, stored: Path | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The SKUs' forecasts, every node's base forecasts and backtests at one origin; with --cache they are
    read from (or written to) a file, so reconciliation methods can be compared without re-forecasting."""
    if stored is not None and stored.exists():
        with stored.open("rb") as handle:
            sku_forecasts, base, backtests = pickle.load(handle)
        print(f"origin {train.ds.max().date()}: base forecasts read from {stored}")
        return sku_forecasts, base, backtests
    extra = {"future_promo": test[["unique_id", "ds", "promo"]]} if "promo" in train else {}
    started = time.perf_counter()
    sku_output = forecasting.run(train, horizon, model, QUANTILES, season, workers=workers, **extra)
    sku_seconds = time.perf_counter() - started
    started = time.perf_counter()
    base, backtests = hier.base_forecasts(train, shape, sku_output, horizon, QUANTILES, season, model=model,
                                          workers=workers)
    print(f"origin {train.ds.max().date()}: SKU run {sku_seconds:.1f} s; aggregate nodes' run "
          f"{time.perf_counter() - started:.1f} s")
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        with stored.open("wb") as handle:
            pickle.dump((sku_output.forecasts, base, backtests), handle)
    return sku_output.forecasts, base, backtests


def one_origin(train: pd.DataFrame, test: pd.DataFrame, tree: pd.DataFrame, horizon: int, season: int, model: str,
               workers: int, stored: Path | None = None) -> dict[str, pd.Series]:
    """Per node (index: node key) MASE, coverage and width ratio of base, summed and reconciled forecasts."""
    shape = hier.structure(train, tree[tree.unique_id.isin(train.unique_id)])
    sku_forecasts, base, backtests = base_run(train, test, shape, horizon, season, model, workers, stored)
    actuals, insample = node_actuals(test, shape), node_actuals(train, shape)
    rows = {"base MASE": mase_by_node(base, actuals, insample, season), "base cover": coverage(base, actuals)}
    summed = summed_bands(sku_forecasts, shape)
    rows["summed-SKU cover"] = coverage(summed, actuals)
    summed_width = (summed.p90 - summed.p10).groupby(summed.unique_id).mean()
    summed_width = summed_width.where(summed_width > 0)  # an SKU with a zero band has no ratio
    combinations = [(m, i, f, sp) for m in hier.METHODS for sp in hier.SPREADS for i in hier.INTERVAL_METHODS
                    for f in (False, True, None)
                    if (i == "normality" or f is False) and (m == "mint_shrink" or sp == "backtests")]
    for method, intervals, floor, spread in combinations:
        started = time.perf_counter()
        out = keyed(hier.reconcile(base, backtests, shape, QUANTILES, method, intervals, floor, spread))
        seconds = time.perf_counter() - started
        name = f"{method}({spread})" if method == "mint_shrink" else method
        label = f"{name}+{intervals}" + {False: "", True: "+floor", None: "+floor on 1-2 node levels"}[floor]
        if intervals == hier.INTERVAL_METHODS[0] and floor is False:
            rows[f"{name} MASE"] = mase_by_node(out, actuals, insample, season)
        rows[f"{label} cover"] = coverage(out, actuals)
        width = (out.p90 - out.p10).groupby(out.unique_id).mean()
        rows[f"{label} width/summed"] = width / summed_width
        if floor is None:  # the default floor: how the level's mean ratio compares with its typical node
            rows[f"{label} width/summed, median node"] = width / summed_width
        coherent = _max_incoherence(out, shape)
        print(f"  {label:<40} reconciled in {seconds:5.2f} s; max |parent - sum of children| {coherent:.2e}")
    return rows


def _max_incoherence(out: pd.DataFrame, shape: hier.Structure) -> float:
    bottom = out[out.level == hier.BOTTOM].merge(shape.paths.drop(columns=hier.SKU), on=hier.BOTTOM)
    worst = 0.0
    for level in shape.levels[:-1]:
        sums = bottom.groupby([level, "ds"])["mean"].sum().rename("sum").reset_index()
        joined = out.merge(sums, left_on=["unique_id", "ds"], right_on=[level, "ds"])
        worst = max(worst, float((joined["mean"] - joined["sum"]).abs().max()))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto")
    parser.add_argument("--datasets", default="demo,PBS")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--origins", type=int, default=DEFAULT_ORIGINS, help="forecast origins per data set (rolling)")
    parser.add_argument("--inner", action="store_true",
                        help="inner hold-out: origins before the default run's held-out buckets (to choose methods)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder for the base forecasts per origin (reused when present; delete it after "
                             "changing the forecasting engine)")
    args = parser.parse_args()
    loaders = {"demo": demo_data, "PBS": pbs_data}
    for name in args.datasets.split(","):
        evaluate(name, loaders[name], args.model, args.workers, args.origins, args.cache, args.inner)


if __name__ == "__main__":
    main()
