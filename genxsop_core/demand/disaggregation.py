"""Top-down disaggregation: a planner's family- or category-level override, split to the SKUs.

A demand planner changes the number for a family and period; each SKU below it gets
value_i = new_total * w_i / sum(w), where w_i is the SKU's forecast for that period, so the mix
the forecast expects is kept. Rules shared by both functions:
- A missing weight (NaN) counts as 0: a SKU without a forecast gets none of the override.
- When every weight of a group-period is 0 the total is split equally: there is no mix to keep,
  and dropping the planner's number would be worse.
- Negative totals or weights raise ValueError (demand is never negative).
- The values sum to new_total exactly up to float rounding: the largest child absorbs the
  rounding residue, so the total the planner typed is the total that is saved.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

TARGET_COLUMNS = ["group", "period", "new_total"]
WEIGHT_COLUMNS = ["group", "child", "period", "weight"]
RESULT_COLUMNS = ["group", "child", "period", "weight", "value", "share"]
_KEYS = ["group", "period"]
_SHOWN = 5  # problems listed in one error message


def split_proportionally(new_total: float, weights: pd.Series) -> pd.Series:
    """Split new_total over the children in `weights`: value_i = new_total * w_i / sum(w).

    weights: index = child keys (e.g. SKU), values = each child's forecast for the period.
    Returns a float Series named "value" with the same index and order, summing to new_total.
    All-zero (or all-NaN) weights give an equal split, new_total / n.
    """
    if len(weights) == 0:
        raise ValueError("weights is empty: there are no children to split the total over")
    total = _as_number(new_total)
    if math.isnan(total) or math.isinf(total):
        raise ValueError(f"new_total must be a finite number, got {new_total!r}")
    if total < 0:
        raise ValueError(f"new_total must not be negative (demand cannot be), got {total:g}")
    duplicated = weights.index[weights.index.duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"weights lists children more than once: {_listing(duplicated)}")
    weight = pd.to_numeric(weights).fillna(0.0).to_numpy(dtype=float)
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        shown = _listing(f"{child!r} = {value}" for child, value in zip(weights.index[bad], weight[bad]))
        raise ValueError(f"weights must be finite and not negative; found {shown}")
    weight_sum = weight.sum()
    shares = weight / weight_sum if weight_sum > 0 else np.full(len(weight), 1.0 / len(weight))
    values = total * shares
    largest = int(np.argmax(values))
    values[largest] += total - values.sum()
    return pd.Series(values, index=weights.index, name="value")


def split_table(targets: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """split_proportionally for many groups and periods at once, without a loop over rows.

    targets: columns group, period, new_total (one row per group and period).
    weights: columns group, child, period, weight (one row per child and period).
    Returns group, child, period, weight (NaN as 0), value, share for every weights row whose
    (group, period) is in targets, in the order of `weights`; share = value / new_total, and 0
    when new_total is 0. A target with no children raises ValueError naming group and period.
    """
    _require_columns(targets, TARGET_COLUMNS, "targets")
    _require_columns(weights, WEIGHT_COLUMNS, "weights")
    targets = targets[TARGET_COLUMNS].assign(
        new_total=pd.to_numeric(targets["new_total"], errors="coerce").astype(float))
    weights = weights[WEIGHT_COLUMNS].assign(
        weight=pd.to_numeric(weights["weight"]).astype(float).fillna(0.0))
    _check_targets(targets)
    _check_weights(weights)

    covered = targets[_KEYS].merge(weights[_KEYS].drop_duplicates(), on=_KEYS, how="left",
                                   indicator=True)
    orphans = covered[covered["_merge"] == "left_only"]
    if len(orphans):
        raise ValueError("no children to split over for " + _listing(
            f"group {group!r} period {_label(period)}"
            for group, period in orphans[_KEYS].itertuples(index=False)))

    result = weights.merge(targets, on=_KEYS, how="inner", validate="many_to_one").reset_index(drop=True)
    by_target = result.groupby(_KEYS, sort=False, dropna=False)["weight"]
    weight_sum = by_target.transform("sum")
    children = by_target.transform("size")
    shares = np.where(weight_sum > 0, result["weight"] / weight_sum.where(weight_sum > 0, 1.0),
                      1.0 / children)
    result["value"] = result["new_total"] * shares

    by_target = result.groupby(_KEYS, sort=False, dropna=False)["value"]
    residue = result["new_total"] - by_target.transform("sum")
    largest = by_target.idxmax().to_numpy()
    result.loc[largest, "value"] += residue.loc[largest]

    total = result["new_total"]
    result["share"] = np.where(total > 0, result["value"] / total.where(total > 0, 1.0), 0.0)
    return result[RESULT_COLUMNS]


def _check_targets(targets: pd.DataFrame) -> None:
    total = targets["new_total"]
    bad = targets[total.isna() | np.isinf(total) | (total < 0)]
    if len(bad):
        raise ValueError("new_total must be a finite number, not negative; found " + _listing(
            f"group {group!r} period {_label(period)}: {value}"
            for group, period, value in bad[TARGET_COLUMNS].itertuples(index=False)))
    repeated = targets[targets.duplicated(_KEYS, keep=False)].drop_duplicates(_KEYS)
    if len(repeated):
        raise ValueError("targets has more than one new_total for " + _listing(
            f"group {group!r} period {_label(period)}"
            for group, period in repeated[_KEYS].itertuples(index=False)))


def _check_weights(weights: pd.DataFrame) -> None:
    weight = weights["weight"]
    bad = weights[np.isinf(weight) | (weight < 0)]
    if len(bad):
        raise ValueError("weights must be finite and not negative; found " + _listing(
            f"group {group!r} child {child!r} period {_label(period)}: {value}"
            for group, child, period, value in bad[WEIGHT_COLUMNS].itertuples(index=False)))
    keys = ["group", "child", "period"]
    repeated = weights[weights.duplicated(keys, keep=False)].drop_duplicates(keys)
    if len(repeated):
        raise ValueError("weights has more than one row for " + _listing(
            f"group {group!r} child {child!r} period {_label(period)}"
            for group, child, period in repeated[keys].itertuples(index=False)))


def _require_columns(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {', '.join(missing)}; "
                         f"expected {', '.join(columns)}")


def _as_number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"new_total must be a number, got {value!r}") from None


def _label(period: object) -> str:
    """A period as a planner reads it: 2025-01-06, not 2025-01-06 00:00:00."""
    if isinstance(period, pd.Timestamp) and period == period.normalize():
        return period.date().isoformat()
    return str(period)


def _listing(items: Iterable[object]) -> str:
    """The first few problems, and how many more: an error a planner can read."""
    texts = [str(item) for item in items]
    more = f" (and {len(texts) - _SHOWN} more)" if len(texts) > _SHOWN else ""
    return "; ".join(texts[:_SHOWN]) + more
