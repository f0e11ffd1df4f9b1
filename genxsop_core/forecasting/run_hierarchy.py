"""A forecast run's hierarchy step: reconcile its SKU forecasts with forecasts of every family,
category and the total (forecasting.hierarchy.reconcile_run), so the run stores coherent numbers.

The run then keeps the reconciled SKU forecasts (mean and quantiles) as its SKU results, with the
model each SKU's base forecast came from, so that plans made from it add up to the aggregates' own
forecasts; and it stores each aggregate node's reconciled forecast with its own band
(ForecastNodeResult). Pure: frames in, frames out, no database.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.hierarchy import Level
from genxsop_core.forecasting import ForecastOutput
from genxsop_core.forecasting import hierarchy as reconciliation
from genxsop_core.forecasting.frames import quantile_column

HIERARCHY_COLUMNS = ["category", "family", "unique_id"]  # top first, as reconcile_run takes them
# reconcile_run's level names -> the domain's (domain.hierarchy.Level)
LEVEL_NAMES = {"total": Level.TOTAL, "category": Level.CATEGORY, "family": Level.FAMILY, "unique_id": Level.SKU}
NODE_COLUMNS = ["level", "node", "period", "model", "mean", "p10", "p50", "p90"]
MODEL_CHARACTERS = 120  # ForecastNodeResult.model

_log = logging.getLogger("genxsop.forecast_runs")


@dataclass(frozen=True)
class ReconciledRun:
    output: ForecastOutput  # the run's output with its SKU forecasts reconciled
    nodes: pd.DataFrame  # NODE_COLUMNS of every aggregate node (total, categories, families)
    not_reconciled: str | None = None  # why the SKU forecasts are the base ones and there are no nodes


def hierarchy_frame(products: pd.DataFrame, skus: Sequence[str]) -> pd.DataFrame:
    """category, family, unique_id of the SKUs forecast, from the product master (sku, category, family)."""
    chosen = products[products.sku.isin(set(skus))]
    missing = sorted(set(skus) - set(chosen.sku))
    if missing:
        raise InvalidInput(f"no product master row for {', '.join(missing[:5])}")
    return chosen.rename(columns={"sku": "unique_id"})[HIERARCHY_COLUMNS].reset_index(drop=True)


def reconcile(history: pd.DataFrame, products: pd.DataFrame, output: ForecastOutput, horizon: int,
              quantiles: Sequence[float], **run_kwargs: Any) -> ReconciledRun:
    """The run's output with reconciled SKU forecasts, and the aggregate nodes' reconciled forecasts."""
    hierarchy = hierarchy_frame(products, sorted(output.forecasts.unique_id.unique()))
    reconciled = reconciliation.reconcile_run(history, hierarchy, output, horizon, quantiles=tuple(quantiles),
                                              **run_kwargs)
    return ReconciledRun(replace(output, forecasts=_sku_forecasts(output.forecasts, reconciled, quantiles)),
                         _aggregate_nodes(reconciled))


def reconcile_or_keep(history: pd.DataFrame, products: pd.DataFrame, output: ForecastOutput, horizon: int,
                      quantiles: Sequence[float], **run_kwargs: Any) -> ReconciledRun:
    """`reconcile`, or the run's own SKU forecasts and no nodes when reconciliation fails: a run's
    forecasts are never lost to its hierarchy step. Why is logged and kept (`not_reconciled`);
    the Demand review then draws the SKUs' summed band and says so. Running out of memory here
    is such a failure too: the step's memory grows with the square of the nodes (measured: 0.35
    GB more at 1,000 SKUs, 1.2 GB at 2,000), the SKU forecasts are already made and small."""
    try:
        return reconcile(history, products, output, horizon, quantiles, **run_kwargs)
    except Exception as error:  # noqa: BLE001 - any failure of the step leaves the SKU forecasts as they were
        _log.warning("reconciliation skipped: %s (%s)", error, type(error).__name__, exc_info=True)
        return ReconciledRun(output, pd.DataFrame(columns=NODE_COLUMNS), f"{error} ({type(error).__name__})")


def _sku_forecasts(base: pd.DataFrame, reconciled: pd.DataFrame, quantiles: Sequence[float]) -> pd.DataFrame:
    """The base SKU forecast frame with mean and quantiles replaced by the reconciled ones, the model kept."""
    values = ["mean", *[quantile_column(q) for q in quantiles]]
    skus = (reconciled[reconciled.level == "unique_id"].rename(columns={"node": "unique_id"})
            .assign(ds=lambda f: pd.to_datetime(f.ds))[["unique_id", "ds", *values]])
    merged = base.drop(columns=values).merge(skus, on=["unique_id", "ds"], how="left", validate="one_to_one")
    if merged[values].isna().any().any():
        raise InvalidInput("reconciliation left SKU forecasts without a value")
    return merged[list(base.columns)]


def _aggregate_nodes(reconciled: pd.DataFrame) -> pd.DataFrame:
    """NODE_COLUMNS of the nodes above SKU level, under the domain's names (the total's key is "")."""
    nodes = reconciled[reconciled.level != "unique_id"]
    unknown = set(nodes.level) - set(LEVEL_NAMES)
    if unknown:
        raise InvalidInput(f"reconciliation returned unknown levels {', '.join(sorted(map(str, unknown)))}")
    level = nodes.level.map(LEVEL_NAMES).astype(str)
    return pd.DataFrame({"level": level, "node": nodes.node.astype(str).where(level != Level.TOTAL, ""),
                         "period": pd.to_datetime(nodes.ds), "model": nodes.model.astype(str).str[:MODEL_CHARACTERS],
                         "mean": nodes["mean"], "p10": nodes.get("p10"), "p50": nodes.get("p50"),
                         "p90": nodes.get("p90")}).reset_index(drop=True)[NODE_COLUMNS]
