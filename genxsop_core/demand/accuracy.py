"""How good were the approved consensus plans, once the actuals arrived (docs/formulas.md, Forecast accuracy).

Works on a "lag frame": one row per plan version x SKU x period with columns version_id, sku,
family, category, period, lag (buckets ahead of the plan's last actual, >= 1), actual, naive,
statistical, consensus. The caller has dropped rows without an actual. Errors are e = F - A,
so a positive bias or tracking signal means over-forecast, as in genxsop_core.metrics.
- WAPE = sum|e| / sum|A|; bias = sum(F - A) / sum(A);
- tracking signal = running sum of errors / MAD, flagged when |TS| > 4;
- FVA = error of the previous step - error of this step (naive -> statistical -> consensus).
A row whose forecast is NaN is "not measured" and left out, never counted as a zero forecast.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from genxsop_core import metrics
from genxsop_core.domain import hierarchy
from genxsop_core.domain.hierarchy import LEVELS

FORECAST_STEPS = ("naive", "statistical", "consensus")
"""The steps of the demand process in order; FVA compares each with the one before."""
TS_LIMIT = metrics.TRACKING_SIGNAL_LIMIT  # 4.0
BIAS_LIMIT = 0.2  # |bias| above 20% of actuals is flagged

MEASURE_COLUMNS = ["periods", "actual", "forecast", "wape", "mape", "bias", "tracking_signal"]
FVA_COLUMNS = ["step", "wape", "fva"]
FLAG_COLUMNS = ["sku", "family", "wape", "bias", "tracking_signal", "flag"]


def accuracy_by_lag(frame: pd.DataFrame, level: str = "sku", forecast: str = "consensus") -> pd.DataFrame:
    """Accuracy per group of `level` (total, category, family, sku) and lag.

    A family is judged as the S&OP meeting sees it: each version's family plan for a period
    (the sum over its SKUs) against the family's actual, so SKU misses that offset each other
    do not count against the family. One row per group and lag, sorted by both: the group
    columns, lag, periods (distinct periods measured), actual and forecast (sums), wape, mape
    and bias (genxsop_core.metrics) and tracking_signal (the last value of the running
    signal over the periods in order). `forecast` picks naive, statistical or consensus.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    _check_forecast(forecast)
    group_columns = hierarchy.group_columns(level)
    _require_columns(frame, ["version_id", "period", "lag", "actual", forecast, *group_columns])
    _check_lags(frame)
    keys = [*group_columns, "lag"]
    measured = frame.dropna(subset=["actual", forecast])
    at_level = (measured.groupby([*keys, "version_id", "period"], sort=False)[["actual", forecast]]
                .sum().reset_index())
    return _measure_groups(at_level, keys, forecast)[[*keys, *MEASURE_COLUMNS]]


def value_added(frame: pd.DataFrame, lag: int | None = None) -> pd.DataFrame:
    """The FVA waterfall: did each step of the process make the forecast better?

    One row per step (naive, statistical, consensus) with its WAPE over all SKU x period rows
    (restricted to `lag` when given) and fva = WAPE of the previous step - WAPE of this step
    (metrics.fva), as a fraction: 0.05 means the step removed 5 WAPE points; negative means
    it made the forecast worse; NaN for naive, which has no step before it. Only rows where
    every step has a value are used, so all steps are scored on the same demand.
    """
    _require_columns(frame, ["lag", "actual", *FORECAST_STEPS])
    rows = _at_lag(frame, lag).dropna(subset=["actual", *FORECAST_STEPS])
    if rows.empty:
        where = f" at lag {lag}" if lag is not None else ""
        raise ValueError(f"no rows with an actual and all of {', '.join(FORECAST_STEPS)}{where}: "
                         "nothing to measure forecast value added on")
    errors = [metrics.wape(rows["actual"], rows[step]) for step in FORECAST_STEPS]
    added = [np.nan] + [metrics.fva(previous, this) for previous, this in zip(errors, errors[1:])]
    return pd.DataFrame({"step": FORECAST_STEPS, "wape": errors, "fva": added}, columns=FVA_COLUMNS)


def flag_skus(frame: pd.DataFrame, lag: int | None = None, ts_limit: float = TS_LIMIT,
              bias_limit: float = BIAS_LIMIT) -> pd.DataFrame:
    """SKUs whose consensus plan is persistently off, with a sentence a planner can act on.

    Per SKU (all lags pooled unless `lag` is given, errors in period order): flagged when
    |tracking signal| > ts_limit (running sum of errors / MAD) or |bias| > bias_limit
    (bias = sum(F - A) / sum(A)). Columns sku, family, wape, bias, tracking_signal, flag,
    e.g. "over-forecast: bias +35%; tracking signal +5.2 (persistent over-forecast)";
    sorted by |bias|, largest first.
    """
    if ts_limit < 0 or bias_limit < 0:
        raise ValueError(f"limits must not be negative, got ts_limit={ts_limit}, bias_limit={bias_limit}")
    _require_columns(frame, ["sku", "family", "period", "lag", "actual", "consensus"])
    rows = _at_lag(frame, lag).dropna(subset=["actual", "consensus"])
    families = rows.groupby("sku", sort=True)["family"].first()
    found = []
    for measure in _measure_groups(rows, ["sku"], "consensus").itertuples(index=False):
        flag = _flag_sentence(measure.bias, measure.tracking_signal, ts_limit, bias_limit)
        if flag:
            found.append({"sku": measure.sku, "family": families[measure.sku], "wape": measure.wape,
                          "bias": measure.bias, "tracking_signal": measure.tracking_signal, "flag": flag})
    flagged = pd.DataFrame(found, columns=FLAG_COLUMNS)
    order = flagged["bias"].abs().sort_values(ascending=False, na_position="last", kind="stable")
    return flagged.loc[order.index].reset_index(drop=True)


def _measure_groups(rows: pd.DataFrame, keys: list[str], forecast: str) -> pd.DataFrame:
    """Accuracy of every group at once, vectorised (a Python loop over SKU x lag groups took seconds).

    Same definitions as genxsop_core.metrics on NaN-free rows: WAPE = sum|e| / sum|A| (0 when
    both are 0, nan when only the actuals are); MAPE over rows with A != 0; bias = sum e / sum A;
    the last tracking signal = sum e / (sum|e| / n), 0 while every error is 0.
    """
    e = rows[forecast] - rows["actual"]
    work = pd.DataFrame({**{k: rows[k] for k in keys}, "period": rows["period"], "actual": rows["actual"],
                         "forecast": rows[forecast], "error": e, "abs_error": e.abs(),
                         "abs_actual": rows["actual"].abs(),
                         "ape": (e.abs() / rows["actual"].abs()).where(rows["actual"] != 0)})
    if work.empty:
        return pd.DataFrame(columns=[*keys, *MEASURE_COLUMNS])
    g = work.groupby(keys, sort=True)
    sums = g[["actual", "forecast", "error", "abs_error", "abs_actual"]].sum()
    n = g.size()
    wape = (sums.abs_error / sums.abs_actual).where(sums.abs_actual != 0, np.where(sums.abs_error == 0, 0.0, np.nan))
    mad = sums.abs_error / n
    signal = (sums.error / mad).where(mad != 0, 0.0)
    result = pd.DataFrame({"periods": g["period"].nunique().astype(int), "actual": sums.actual.astype(float),
                           "forecast": sums.forecast.astype(float), "wape": wape.astype(float),
                           "mape": g["ape"].mean().astype(float),
                           "bias": (sums.error / sums.actual).where(sums.actual != 0).astype(float),
                           "tracking_signal": signal.astype(float)})
    return result.reset_index()


def _flag_sentence(bias: float, signal: float, ts_limit: float, bias_limit: float) -> str:
    parts = []
    if abs(bias) > bias_limit:
        parts.append(f"{_direction(bias)}: bias {bias:+.0%}")
    if abs(signal) > ts_limit:
        parts.append(f"tracking signal {signal:+.1f} (persistent {_direction(signal)})")
    return "; ".join(parts)


def _direction(value: float) -> str:
    return "over-forecast" if value > 0 else "under-forecast"


def _at_lag(frame: pd.DataFrame, lag: int | None) -> pd.DataFrame:
    _check_lags(frame)
    if lag is None:
        return frame
    if isinstance(lag, bool) or int(lag) != lag or lag < 1:
        raise ValueError(f"lag must be a whole number >= 1, got {lag!r}")
    return frame[frame["lag"] == lag]


def _check_forecast(forecast: str) -> None:
    if forecast not in FORECAST_STEPS:
        raise ValueError(f"unknown forecast column {forecast!r}; choose one of {', '.join(FORECAST_STEPS)}")


def _check_lags(frame: pd.DataFrame) -> None:
    if (frame["lag"] < 1).any():
        raise ValueError("lag must be >= 1 (buckets ahead of the plan's last actual); "
                         f"found {sorted(frame.loc[frame['lag'] < 1, 'lag'].unique())}")


def _require_columns(frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"the lag frame is missing column(s) {', '.join(missing)}")
