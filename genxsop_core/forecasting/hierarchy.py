"""Coherent forecasts for every node of the product hierarchy (docs/forecasting.md, Hierarchy).

Each aggregate node (total, every category, every family...) is forecast from its own history,
which is smoother than its SKUs', with the same engine as the SKUs (`forecasting.run`). The
base forecasts of all nodes are then reconciled with hierarchicalforecast so children add up to
their parent, and the bands come from probabilistic reconciliation: a node's P10-P90 is its own,
not the sum of its SKUs' bands (which assumes every SKU is high in the same month).

Reconciliation needs how the base forecasts err, node by node and together: the errors are the
engine's rolling-origin backtests (actual - forecast of the chosen model, out of sample, one row
per window bucket), lined up across nodes by window origin and step ahead. No in-sample fitted
values are used: they flatter the models that overfit. The method and the band method were chosen
by measurement (bench/forecast_hierarchy.py, figures in bench/README.md).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.forecasting.frames import check_request, quantile_column

TOTAL = "total"
BOTTOM = "unique_id"
SKU = "sku_id"  # the bottom series' own id in Structure.paths (the BOTTOM column there holds its node key)
METHODS: tuple[str, ...] = ("bottom_up", "wls_struct", "mint_shrink")
INTERVAL_METHODS: tuple[str, ...] = ("normality", "bootstrap", "permbu", "conformal")
# measured on the demo and PBS by bench/forecast_hierarchy.py (bench/README.md): mint_shrink the most
# accurate, bottom_up the floor; Normality the only band method near 75-85% coverage at every level
METHOD = "mint_shrink"
INTERVALS = "normality"
# The floor: a band never narrower than the node's own base band. On every level it over-covers the middle
# levels (demo categories and families 90-92%). MinTrace's shrunk covariance understates most how the SKUs
# move together where a level has one or two nodes (the total, PBS's two Concessions): there, and only there
# (None, the default), the node's own backtested band is the floor. Measured (bench/forecast_hierarchy.py,
# bench/README.md): demo total 74% -> 85% cover, PBS total and Concession 72-74% -> 83%, the other levels
# unchanged; the price is a wider band where the node's own model is poor (PBS Concession 0.55 -> 0.72 of the
# summed SKU bands; on the tests' simulated hierarchy a moving average's own band is about 0.9 of them).
Floor = bool | None  # True: every level, False: none, None: levels of at most FLOOR_MAX_NODES nodes
FLOOR: Floor = None
FLOOR_MAX_NODES = 2
# Which spread of each node MinTrace weighs the nodes by. Normality spreads the base bands' own variances (their
# P10-P90) through MinTrace's weights, with the backtest errors' correlations. Weights from the backtest errors
# ("backtests", the library's own) disagree with those variances where a node's band is wide against its backtest
# errors (aggregates' bands run 1.4-1.5 times their backtest errors' spread on the demo, SKUs' 1.1-1.2): a share of
# a large parent's band variance then flows into its children, most visibly into tiny ones (PBS: three ATC1 nodes
# of a few hundred scripts get bands 2-7 times their SKUs' summed band, which lifts the level's mean ratio above
# 1 while its median node's is 0.76). "bands" rescales each node's backtest errors to its band's spread first
# (correlations unchanged), so the weights are the best ones for the covariance Normality spreads and no node's
# band exceeds its own base band or its SKUs' summed band. Measured (bench/forecast_hierarchy.py, bench/README.md)
# it narrows every level but under-covers PBS (Type 62%, ATC1 66%, series 72%) and costs accuracy (PBS MASE
# 10-14% worse at the total, Type and ATC1, demo categories 6%), and with strongly correlated errors its weights
# can extrapolate (the tests' SKU forecasts tripled: a reconciled total below both the SKUs' sum and the total's
# own). The wider bands of "backtests" are what PBS's held-out errors need, so "backtests" stays the default.
SPREADS: tuple[str, ...] = ("backtests", "bands")
SPREAD = "backtests"
BASE = "base"  # model column name of the base forecasts inside hierarchicalforecast
RUN_ONLY_FOR_SKUS = ("future_promo", "progress")  # promotions and progress are the SKUs' own


@dataclass(frozen=True)
class Structure:
    """The hierarchy as hierarchicalforecast wants it, plus the planner's address of each node."""

    levels: tuple[str, ...]  # "total", the level columns top first, "unique_id"
    nodes: pd.DataFrame  # key, level, node, parent (key): one row per node, top level first, bottom last
    summing: pd.DataFrame  # S: unique_id (node key) and one 0/1 column per bottom key
    tags: dict[str, np.ndarray]  # level -> node keys
    paths: pd.DataFrame  # one row per SKU: its id (column SKU) and the node key of each level

    @property
    def bottom_keys(self) -> list[str]:
        return list(self.nodes.key[self.nodes.level == BOTTOM])


def _key(level: str, node: object) -> str:
    return f"{level}={node}"


def structure(history: pd.DataFrame, hierarchy: pd.DataFrame) -> Structure:
    """Check the hierarchy against the history and build S and the tags; every problem is an InvalidInput."""
    if not isinstance(hierarchy, pd.DataFrame) or BOTTOM not in hierarchy.columns:
        raise InvalidInput("hierarchy needs a unique_id column and one column per level above it, top first")
    if BOTTOM not in history.columns:
        raise InvalidInput("history needs columns unique_id, ds, y (missing: unique_id)")
    columns = [c for c in hierarchy.columns if c != BOTTOM]
    if list(hierarchy.columns)[-1] != BOTTOM:
        raise InvalidInput("hierarchy columns go top first and end with unique_id, e.g. category, family, unique_id")
    if not columns:
        raise InvalidInput("hierarchy needs at least one level column above unique_id (e.g. category)")
    if TOTAL in columns:
        raise InvalidInput(f"a hierarchy level may not be called {TOTAL!r}: that is the top node's name")
    frame = hierarchy[[*columns, BOTTOM]].astype(object)
    if frame.isna().to_numpy().any():
        raise InvalidInput("hierarchy has empty cells: every SKU needs a value at every level")
    frame = frame.astype(str).drop_duplicates()
    doubled = frame[BOTTOM][frame[BOTTOM].duplicated()]
    if len(doubled):
        raise InvalidInput(f"hierarchy places a unique_id under two parents: {', '.join(sorted(set(doubled))[:5])}")
    skus = set(history[BOTTOM].astype(str))
    missing = sorted(skus - set(frame[BOTTOM]))
    if missing:
        raise InvalidInput(f"hierarchy misses {len(missing)} unique_id(s) of the history: {', '.join(missing[:5])}")
    frame = frame[frame[BOTTOM].isin(skus)].sort_values([*columns, BOTTOM]).reset_index(drop=True)
    for parent, child in zip(columns, columns[1:]):
        parents = frame.groupby(child)[parent].nunique()
        if (parents > 1).any():
            raise InvalidInput(f"{child} names must be unique: {', '.join(parents.index[parents > 1][:5])} sit under "
                               f"more than one {parent} (prefix them with their {parent})")
    levels = (TOTAL, *columns, BOTTOM)
    paths = pd.DataFrame({SKU: frame[BOTTOM], TOTAL: _key(TOTAL, TOTAL),
                          **{c: [_key(c, v) for v in frame[c]] for c in [*columns, BOTTOM]}})
    nodes = pd.concat([pd.DataFrame({"key": paths[level], "level": level,
                                     "node": TOTAL if level == TOTAL else frame[level],
                                     "parent": paths[levels[i - 1]] if i else ""}).drop_duplicates("key")
                       for i, level in enumerate(levels)], ignore_index=True)
    bottom = list(paths[BOTTOM])
    summing = pd.DataFrame({"unique_id": nodes.key, **{b: 0.0 for b in bottom}})
    position = {k: i for i, k in enumerate(nodes.key)}
    matrix = summing[bottom].to_numpy()
    for j in range(len(bottom)):
        matrix[[position[paths.at[j, level]] for level in levels], j] = 1.0
    summing[bottom] = matrix
    tags = {level: nodes.key[nodes.level == level].to_numpy() for level in levels}
    return Structure(levels, nodes, summing, tags, paths)


def node_histories(history: pd.DataFrame, shape: Structure) -> pd.DataFrame:
    """The history of every aggregate node (unique_id = node key, ds, y): the sum of its SKUs' demand."""
    frame = history[[BOTTOM, "ds", "y"]].assign(unique_id=history[BOTTOM].astype(str), ds=pd.to_datetime(history.ds))
    frame = frame.merge(shape.paths.drop(columns=BOTTOM), left_on=BOTTOM, right_on=SKU)
    parts = [frame.groupby([level, "ds"], as_index=False)["y"].sum().rename(columns={level: "unique_id"})
             for level in shape.levels[:-1]]
    return pd.concat(parts, ignore_index=True)


def forecast_hierarchy(history: pd.DataFrame, hierarchy: pd.DataFrame, horizon: int, model: str = "auto",
                       quantiles: Sequence[float] = (0.1, 0.5, 0.9), season_length: int | None = None,
                       **run_kwargs) -> pd.DataFrame:
    """Reconciled forecasts for every node: level, node, ds, model, mean, p.. (docs/api.md)."""
    from genxsop_core import forecasting

    structure(history, hierarchy)  # a bad hierarchy is refused before any model runs
    sku_output = forecasting.run(history, horizon, model, quantiles, season_length, **run_kwargs)
    return reconcile_run(history, hierarchy, sku_output, horizon, quantiles, season_length, model=model,
                         **{k: v for k, v in run_kwargs.items() if k not in RUN_ONLY_FOR_SKUS})


def reconcile_run(history: pd.DataFrame, hierarchy: pd.DataFrame, sku_output, horizon: int,
                  quantiles: Sequence[float] = (0.1, 0.5, 0.9), season_length: int | None = None,
                  **run_kwargs) -> pd.DataFrame:
    """Forecast the aggregate nodes with `forecasting.run` (same model and options as the SKUs' run;
    promotions and progress stay with the SKUs) and reconcile them with the SKUs' forecasts in
    `sku_output` (a `forecasting.ForecastOutput`): the frame of `forecast_hierarchy`."""
    levels = check_request(horizon, quantiles)
    shape = structure(history, hierarchy)
    base, backtests = base_forecasts(history, shape, sku_output, horizon, levels, season_length, **run_kwargs)
    return reconcile(base, backtests, shape, levels)


def base_forecasts(history: pd.DataFrame, shape: Structure, sku_output, horizon: int, quantiles: Sequence[float],
                   season_length: int | None = None, **run_kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every node's own forecast and backtests before reconciliation (unique_id = node key): the SKUs'
    from `sku_output`, the aggregates' from one `forecasting.run` over their histories."""
    from genxsop_core import forecasting

    kwargs = {k: v for k, v in run_kwargs.items() if k not in RUN_ONLY_FOR_SKUS}
    model = kwargs.pop("model", "auto")
    upper = forecasting.run(node_histories(history, shape), horizon, model, quantiles, season_length, **kwargs)
    base = pd.concat([upper.forecasts, _as_keys(sku_output.forecasts)], ignore_index=True)
    return base, pd.concat([upper.backtests, _as_keys(sku_output.backtests)], ignore_index=True)


def _as_keys(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(unique_id=[_key(BOTTOM, u) for u in frame[BOTTOM]])


def backtest_errors(backtests: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Backtest errors (actual - forecast) per node key (rows) and window bucket (columns), lined up
    across nodes by the window's origin and the step ahead; NaN where a node has no such window."""
    if backtests.empty:
        return pd.DataFrame(index=pd.Index(keys), dtype=float)
    frame = backtests.assign(ds=pd.to_datetime(backtests.ds))
    origin = frame.groupby([BOTTOM, "window"]).ds.transform("min")
    step = frame.groupby([BOTTOM, "window"]).cumcount()
    errors = frame.assign(origin=origin, step=step, error=frame.actual - frame["mean"])
    return errors.pivot_table(index=BOTTOM, columns=["origin", "step"], values="error").reindex(keys)


def _borrowed_from_parents(errors: pd.DataFrame, base: pd.DataFrame, shape: Structure) -> pd.DataFrame:
    """A node without a backtest in some window (a new SKU: too short to backtest) takes its parent's
    error there, scaled by the ratio of their base bands (P90 - P10, or the mean without a band): as if
    it moved with its parent, the cautious guess, since it widens the parent's band rather than narrow it."""
    spread = base.groupby("unique_id").apply(_band_width, include_groups=False)
    filled = errors.copy()
    for key, parent in zip(shape.nodes.key, shape.nodes.parent):  # top first: a parent is filled before its children
        gaps = filled.loc[key].isna()
        if parent and gaps.any():
            ratio = spread.get(key, 0.0) / spread[parent] if spread.get(parent, 0.0) > 0 else 0.0
            filled.loc[key, gaps] = filled.loc[parent, gaps] * ratio
    return filled


def _band_width(forecast: pd.DataFrame) -> float:
    if "p10" in forecast and "p90" in forecast:
        return float((forecast["p90"] - forecast["p10"]).mean())
    return float(forecast["mean"].abs().mean())


def reconcile(base: pd.DataFrame, backtests: pd.DataFrame, shape: Structure, quantiles: Sequence[float],
              method: str = METHOD, intervals: str = INTERVALS, floor: Floor = FLOOR,
              spread: str = SPREAD) -> pd.DataFrame:
    """Reconcile the base forecasts of every node (unique_id = node key, ds, model, mean, p..) into the
    output frame. `method`, `intervals`, `floor` and `spread` are open so the bench can measure each one."""
    keys = list(shape.nodes.key)
    missing = sorted(set(keys) - set(base.unique_id))
    if missing:
        raise InvalidInput(f"no base forecast for {len(missing)} node(s): {', '.join(missing[:5])}")
    if method not in METHODS or intervals not in INTERVAL_METHODS or spread not in SPREADS:
        raise InvalidInput(f"reconciliation method is one of {', '.join(METHODS)} with intervals "
                           f"{' or '.join(INTERVAL_METHODS)} and spread {' or '.join(SPREADS)}, "
                           f"not {method}/{intervals}/{spread}")
    levels = sorted({round(abs(200 * q - 100), 6) for q in quantiles if q != 0.5})
    errors = _borrowed_from_parents(backtest_errors(backtests, keys), base, shape)
    usable = errors.loc[:, errors.notna().all(axis=0)]
    if method == "mint_shrink" and usable.shape[1] < 2:
        method = "bottom_up"  # too few backtest buckets shared by every node to estimate their covariance
    if intervals != "normality" and usable.shape[1] < 2:
        intervals = "normality"  # the others resample or rank the errors: they need some
    y_hat = _hierarchical_input(base, keys, quantiles, levels)
    if spread == "bands" and method == "mint_shrink":
        usable = _scaled_to_bands(usable, y_hat, levels)
    y_insample = _insample_frame(usable) if method == "mint_shrink" or intervals != "normality" else None
    reconciled = _run_library(y_hat, shape, y_insample, method, intervals, levels)
    return _output(base, reconciled, shape, quantiles, method, floor)


def _hierarchical_input(base: pd.DataFrame, keys: list[str], quantiles: Sequence[float],
                        levels: list[float]) -> pd.DataFrame:
    """Base means with a symmetric band per level, from the base quantiles q and 1 - q (the one the
    caller asked for stands in for its missing mirror: only the width matters to Normality)."""
    frame = base[base.unique_id.isin(keys)].copy()
    frame = frame.assign(**{BASE: frame["mean"]})
    columns = {}
    for level in levels:
        low_q, high_q = (100 - level) / 200, (100 + level) / 200
        low, high = frame.get(quantile_column(low_q)), frame.get(quantile_column(high_q))
        half = ((high - low) / 2 if low is not None and high is not None
                else (high - frame[BASE]) if high is not None else (frame[BASE] - low))
        half = np.maximum(np.asarray(half, dtype=float), 1e-9)
        columns[f"{BASE}-lo-{_level_text(level)}"] = frame[BASE] - half
        columns[f"{BASE}-hi-{_level_text(level)}"] = frame[BASE] + half
    return frame.assign(**columns)[["unique_id", "ds", BASE, *columns]].reset_index(drop=True)


def _scaled_to_bands(errors: pd.DataFrame, y_hat: pd.DataFrame, levels: list[float]) -> pd.DataFrame:
    """Each node's backtest errors rescaled so their spread (standard deviation) is the one its base band
    implies over the horizon (root mean square of the band's standard deviation, as Normality reads it from the
    widest level): MinTrace's shrunk covariance of these is the bands' variances with the backtests'
    correlations (the shrinkage works on correlations, so the rescaling leaves them as they were). A node whose
    errors or band have no spread keeps its errors."""
    if not levels:
        return errors
    level = max(levels)
    z = NormalDist().inv_cdf(0.5 + level / 200)
    text = _level_text(level)
    sigma = (y_hat[f"{BASE}-hi-{text}"] - y_hat[f"{BASE}-lo-{text}"]) / (2 * z)
    band = (sigma ** 2).groupby(y_hat.unique_id).mean().pow(0.5).reindex(errors.index)
    spread = errors.std(axis=1, ddof=1)
    factor = (band / spread).where((spread > 0) & (band > 1e-9) & np.isfinite(band), 1.0)
    return errors.mul(factor, axis=0)


def _level_text(level: float) -> str:
    """How hierarchicalforecast names a level in its columns (80 -> '80.0')."""
    return str(float(level))


def _insample_frame(errors: pd.DataFrame) -> pd.DataFrame:
    """The backtest errors as hierarchicalforecast's in-sample frame: y = error, fitted = 0 (only
    y - fitted is used), one made-up daily date per window bucket."""
    dates = pd.date_range("2000-01-01", periods=errors.shape[1], freq="D")
    return pd.DataFrame({"unique_id": np.repeat(errors.index.to_numpy(), errors.shape[1]),
                         "ds": np.tile(dates, errors.shape[0]), "y": errors.to_numpy().ravel(), BASE: 0.0})


def _run_library(y_hat: pd.DataFrame, shape: Structure, y_insample: pd.DataFrame | None, method: str,
                 intervals: str, levels: list[float]) -> pd.DataFrame:
    from hierarchicalforecast.core import HierarchicalReconciliation  # type: ignore[import-untyped]
    from hierarchicalforecast.methods import BottomUp, MinTrace  # type: ignore[import-untyped]

    reconciler = BottomUp() if method == "bottom_up" else MinTrace(method=method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = HierarchicalReconciliation([reconciler]).reconcile(
            Y_hat_df=y_hat, S_df=shape.summing, tags=shape.tags, Y_df=y_insample, level=levels or None,
            intervals_method=intervals, seed=0)
    column = next(c for c in result.columns if c.startswith(f"{BASE}/") and "-lo-" not in c and "-hi-" not in c)
    renamed = {column: "mean"}
    for level in levels:
        text = _level_text(level)
        renamed[f"{column}-lo-{text}"] = f"lo-{text}"
        renamed[f"{column}-hi-{text}"] = f"hi-{text}"
    return result.rename(columns=renamed)[["unique_id", "ds", *renamed.values()]]


def floored_levels(shape: Structure, floor: Floor) -> set[str]:
    """The levels whose bands keep at least the node's own base band (see FLOOR)."""
    if floor is None:
        counts = shape.nodes.level.value_counts()
        return {level for level in shape.levels if counts.get(level, 0) <= FLOOR_MAX_NODES}
    return set(shape.levels) if floor else set()


def _output(base: pd.DataFrame, reconciled: pd.DataFrame, shape: Structure, quantiles: Sequence[float],
            method: str, floor: Floor) -> pd.DataFrame:
    """Clip negative SKU means to zero and re-sum bottom-up (coherent and non-negative), carry each
    band along with its mean (on the floored levels never inside the node's own base band around that
    mean), order the quantiles and clip them at zero."""
    frame = reconciled.merge(shape.nodes, left_on="unique_id", right_on="key")
    floored = frame.level.isin(floored_levels(shape, floor)).to_numpy()
    bottom = frame[frame.level == BOTTOM][["unique_id", "ds", "mean"]]
    clipped = bottom.assign(mean=bottom["mean"].clip(lower=0.0)).merge(shape.paths.drop(columns=SKU),
                                                                       left_on="unique_id", right_on=BOTTOM)
    sums = pd.concat([clipped.groupby([level, "ds"], as_index=False)["mean"].sum().rename(columns={level: "key"})
                      for level in shape.levels], ignore_index=True)
    frame = frame.merge(sums.rename(columns={"mean": "coherent"}), on=["key", "ds"])
    shift = frame["coherent"] - frame["mean"]
    own = frame[["key", "ds"]].merge(base.assign(ds=pd.to_datetime(base.ds)), left_on=["key", "ds"],
                                     right_on=["unique_id", "ds"], how="left")
    values = {}
    for q in quantiles:
        if q == 0.5:
            values[quantile_column(q)] = frame["coherent"]
            continue
        side = "lo" if q < 0.5 else "hi"
        values[quantile_column(q)] = frame[f"{side}-{_level_text(round(abs(200 * q - 100), 6))}"] + shift
        if floored.any() and quantile_column(q) in own:
            reach = (own[quantile_column(q)] - own["mean"]).to_numpy()  # the node's own forecast's reach
            pick = np.minimum if q < 0.5 else np.maximum
            at_least = pick(values[quantile_column(q)], frame["coherent"] + reach)
            values[quantile_column(q)] = np.where(floored & np.isfinite(reach), at_least, values[quantile_column(q)])
    stacked = np.sort(np.maximum(np.column_stack([values[quantile_column(q)] for q in quantiles]), 0.0), axis=1) \
        if quantiles else np.empty((len(frame), 0))
    models = dict(zip(base.unique_id, base.model))
    out = pd.DataFrame({"level": frame.level, "node": frame.node, "ds": pd.to_datetime(frame.ds),
                        "model": [_model_label(models.get(k, ""), method) for k in frame.key],
                        "mean": frame["coherent"].to_numpy(),
                        **{quantile_column(q): stacked[:, i] for i, q in enumerate(quantiles)}})
    order = {level: i for i, level in enumerate(shape.levels)}
    return (out.assign(_order=out.level.map(order)).sort_values(["_order", "node", "ds"])
            .drop(columns="_order").reset_index(drop=True))


def _model_label(model: str, method: str) -> str:
    suffix = f", reconciled ({method})"
    return model[:120 - len(suffix)] + suffix
