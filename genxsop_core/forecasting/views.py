"""What the Forecasting page and CLI read about runs: history, leaderboard, one SKU, two runs side by side."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from genxsop_core import forecasting
from genxsop_core.domain.exceptions import InvalidInput, NotFound
from genxsop_core.domain.models import ForecastRun
from genxsop_core.domain.states import FINISHED_RUN
from genxsop_core.forecasting import late_history
from genxsop_core.forecasting.selection import COMBO_PREFIX
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.presentation.numbers import plural


@dataclass(frozen=True)
class RunSummary:
    id: int
    created_by: str
    created_at: datetime
    scope: str
    model: str
    horizon: int
    status: str
    progress_done: int
    progress_total: int
    seconds: float | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_RUN


def _scope_text(scope: dict) -> str:
    kind = scope.get("kind", "all")
    return "all SKUs" if kind == "all" else f"{kind}: {', '.join(scope.get('values', []))}"


def run_seconds(timings: dict | None) -> float | None:
    """How long a run worked: every step it timed (loading, forecasting, reconciling the hierarchy,
    saving), not the forecast step alone, so Run history and the CLI show what the planner waited for."""
    steps = [float(v) for k, v in (timings or {}).items() if k.endswith("_s") and isinstance(v, (int, float))]
    return round(sum(steps), 3) if steps else None


def _summary(run: ForecastRun) -> RunSummary:
    seconds = run_seconds(run.timings)
    return RunSummary(run.id, run.created_by, run.created_at, _scope_text(run.scope), run.models[0], run.horizon,
                      run.status, run.progress_done, run.progress_total, seconds, run.error)


def list_runs(uow: UnitOfWork, limit: int = 50) -> list[RunSummary]:
    with uow:
        return [_summary(r) for r in uow.forecast_runs.recent(limit)]


def get_run(uow: UnitOfWork, run_id: int) -> RunSummary:
    with uow:
        run = uow.forecast_runs.get(run_id)
        if run is None:
            raise NotFound(f"no forecast run {run_id}")
        return _summary(run)


def late_history_notice(uow: UnitOfWork, run_id: int) -> str | None:
    """Which SKUs' history stops before the latest date, since when, and what the run did with them
    (forecasting.late_history.notice); None when none did, or the run predates the record."""
    with uow:
        run = uow.forecast_runs.get(run_id)
        if run is None:
            raise NotFound(f"no forecast run {run_id}")
        return late_history_text(run.late_history)


def late_history_text(record: Mapping | None, listed: int = 10) -> str | None:
    """A run's late-history record (late_history.run_record) in a sentence; None when every SKU reaches the
    latest date: "2 SKUs' history stops before 2026-11-23, the latest week: BEV-JUI-001 after 2026-10-05
    (7 weeks missing), ...; forecast from each one's own last data (the missing weeks are not counted as zero
    demand)." """
    if not record or not record.get("series"):
        return None
    series, bucket = list(record["series"]), str(record.get("bucket") or "bucket")
    count = len(series)
    who = f"{plural(count, 'SKU')}'{'s' if count == 1 else ''}"
    shown = ", ".join(f"{s['sku']} after {s['last']} ({plural(s['buckets_short'], bucket)} missing)"
                      for s in series[:listed])
    more = f" and {count - listed} more" if count > listed else ""
    how = (f"forecast from each one's own last data (the missing {bucket}s are not counted as zero demand)"
           if record.get("choice") == late_history.OWN_END else
           f"forecast as discontinued (the missing {bucket}s count as zero demand)")
    return f"{who} history stops before {record['latest']}, the latest {bucket}: {shown}{more}; {how}."


def leaderboard(uow: UnitOfWork, run_id: int) -> pd.DataFrame:
    """Per model: SKUs scored, SKUs won, SKUs whose chosen blend it is part of, median backtest
    WAPE / MASE / bias, and a typical reason. Auto mostly chooses blends ("combo:a+b+c"), so
    the blend count is what says which strategies carry the forecast."""
    columns = ["model", "skus_scored", "skus_won", "in_chosen_blend", "wape", "mase", "bias", "why_it_won"]
    with uow:
        scores = uow.forecast_runs.scores(run_id)
    if scores.empty:
        return pd.DataFrame(columns=columns)
    scored = scores.dropna(subset=["wape", "mase"], how="all")
    board = scored.groupby("model").agg(skus_scored=("sku", "nunique"), wape=("wape", "median"),
                                        mase=("mase", "median"), bias=("bias", "median"))
    winners = scores[scores.chosen]
    board = board.join(winners.groupby("model").size().rename("skus_won"), how="outer").fillna({"skus_won": 0})
    board["why_it_won"] = winners.groupby("model").reason.first()
    board["skus_scored"] = board["skus_scored"].fillna(0).astype(int)
    board["skus_won"] = board["skus_won"].astype(int)
    blends = winners.model[winners.model.str.startswith(COMBO_PREFIX)]
    members = blends.str.removeprefix(COMBO_PREFIX).str.split("+").explode().value_counts()
    board["in_chosen_blend"] = members.reindex(board.index).fillna(0).astype(int)
    board = board.reset_index().sort_values(["skus_won", "in_chosen_blend", "mase"], ascending=[False, False, True])
    return board[columns]


@dataclass
class SkuForecast:
    sku: str
    history: pd.DataFrame  # ds, y, promo
    forecast: pd.DataFrame  # ds, model, mean, p01..p99
    backtests: pd.DataFrame  # ds, window, mean
    model: str
    reason: str
    scores: pd.DataFrame  # model, mae, rmse, wape, smape, mase, bias, chosen


def sku_forecast(uow: UnitOfWork, run_id: int, sku: str) -> SkuForecast:
    with uow:
        history = uow.demand.history([sku])
        results = uow.forecast_runs.results(run_id, [sku])
        scores = uow.forecast_runs.scores(run_id)
    scores = scores[scores.sku == sku]
    if results.empty:
        raise NotFound(f"run {run_id} has no forecast for {sku}")
    results = results.rename(columns={"period": "ds"}).assign(ds=lambda f: pd.to_datetime(f.ds))
    is_backtest = results.window.notna()
    backtests = results[is_backtest].astype({"window": int})
    chosen = scores[scores.chosen]
    return SkuForecast(sku, history[["ds", "y", "promo"]], results[~is_backtest].drop(columns=["sku", "window"]),
                       backtests[["ds", "window", "mean"]],
                       chosen.model.iloc[0] if len(chosen) else results[~is_backtest].model.iloc[0],
                       chosen.reason.iloc[0] if len(chosen) else "",
                       scores.drop(columns=["sku", "reason"]))


@dataclass(frozen=True)
class RunComparison:
    """Two runs compared like for like: only the SKUs and periods both forecast count.

    A run over 128 SKUs and 52 weeks against one over 11 SKUs and 26 weeks compares the 11
    SKUs over the 26 weeks; the totals of the rest would say nothing about the difference."""

    table: pd.DataFrame  # per shared SKU: model_a, model_b, total_a, total_b, wape_a, wape_b, change, change_pct
    skus: tuple[int, int]  # SKUs each run forecast
    periods: tuple[int, int]  # future periods each run forecast
    shared_skus: int
    shared_periods: int
    bucket: str  # "week" or "month", to name the periods

    @property
    def comparable(self) -> bool:
        return self.shared_skus > 0 and self.shared_periods > 0

    @property
    def total_a(self) -> float:
        return float(self.table.total_a.sum())

    @property
    def total_b(self) -> float:
        return float(self.table.total_b.sum())

    def scope(self) -> str:
        """What the figures cover, in words: "on the 11 SKUs and 26 weeks both runs cover"."""
        if not self.shared_skus:
            return "The two runs share no SKU: there is nothing to compare."
        if not self.shared_periods:
            return f"The two runs share no {self.bucket}: there is nothing to compare."
        return (f"On the {_count(self.shared_skus, 'SKU')} and {_count(self.shared_periods, self.bucket)} both runs "
                f"cover (run A: {_count(self.skus[0], 'SKU')}, {_count(self.periods[0], self.bucket)}; run B: "
                f"{_count(self.skus[1], 'SKU')}, {_count(self.periods[1], self.bucket)}).")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def compare_runs(uow: UnitOfWork, first: int, second: int, bucket: str = "week") -> RunComparison:
    """Per SKU both runs forecast: each run's model, total forecast over the periods both cover,
    the change and backtest WAPE (see RunComparison)."""
    with uow:
        a, b = (uow.forecast_runs.results(run_id, future_only=True) for run_id in (first, second))
        sa, sb = uow.forecast_runs.scores(first), uow.forecast_runs.scores(second)
    return compare_results(a, b, sa, sb, bucket)


def compare_results(a: pd.DataFrame, b: pd.DataFrame, scores_a: pd.DataFrame, scores_b: pd.DataFrame,
                    bucket: str = "week") -> RunComparison:
    """The pure part of compare_runs: forecast results (sku, period, model, mean) and scores of two runs."""
    skus = sorted(set(a.sku) & set(b.sku))
    periods = set(a.period) & set(b.period)
    shared = [f[f.sku.isin(skus) & f.period.isin(periods)] for f in (a, b)]
    totals = [f.groupby("sku")["mean"].sum().reindex(skus, fill_value=0.0) for f in shared]
    models = [f[f.sku.isin(skus)].groupby("sku").model.first().reindex(skus) for f in (a, b)]
    wapes = [s[s.chosen].set_index("sku").wape.reindex(skus) for s in (scores_a, scores_b)]
    table = pd.DataFrame({"model_a": models[0], "model_b": models[1], "total_a": totals[0], "total_b": totals[1],
                          "wape_a": wapes[0], "wape_b": wapes[1]}, index=pd.Index(skus, dtype=object))
    table["change"] = table.total_b - table.total_a
    table["change_pct"] = table.change / table.total_a.where(table.total_a != 0)
    table = table.reset_index(names="sku") if periods else table.iloc[0:0].reset_index(names="sku")
    return RunComparison(table, (a.sku.nunique(), b.sku.nunique()), (a.period.nunique(), b.period.nunique()),
                         len(skus), len(periods), bucket)


def run_skus(uow: UnitOfWork, run_id: int) -> list[str]:
    """The SKUs a run forecast, in order."""
    with uow:
        scores = uow.forecast_runs.scores(run_id)
    return sorted(scores.sku.unique())


def run_results(uow: UnitOfWork, run_id: int, skus: Sequence[str] | None = None) -> pd.DataFrame:
    """A run's future forecasts (its backtests left out), one row per SKU and period: sku, period, model,
    mean and every stored quantile (p01 ... p99); what a script pulls once the run is done."""
    with uow:
        if uow.forecast_runs.get(run_id) is None:
            raise NotFound(f"no forecast run {run_id}")
        results = uow.forecast_runs.results(run_id, skus, future_only=True)
    return results.drop(columns=["window"]).assign(period=lambda f: pd.to_datetime(f.period))


def forecast_now(uow: UnitOfWork, skus: Sequence[str], horizon: int, model: str = "auto",
                 quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
    """A forecast of a few SKUs computed on the spot and not stored (unique_id, ds, model, mean, one
    column per quantile level): the same engine as a run, for a caller who wants the figures now.
    SKUs the product master does not list as active are refused by name; horizon, model and quantile
    levels are checked by the engine."""
    wanted = list(dict.fromkeys(skus))
    with uow:
        active = set(uow.demand.skus_in_scope("skus", wanted))
        history = uow.demand.history(wanted)
        promotions = uow.demand.planned_promotions(wanted)
    unknown = [sku for sku in wanted if sku not in active]
    if unknown:
        raise NotFound(f"no active product {', '.join(unknown[:10])}" + (f" and {len(unknown) - 10} more"
                                                                          if len(unknown) > 10 else ""))
    if history.empty:
        raise InvalidInput(f"no demand history for {', '.join(wanted[:10])}")
    return forecasting.forecast(history, horizon, model, quantiles, future_promo=promotions, workers=1)
