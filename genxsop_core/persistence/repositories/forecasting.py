"""Forecast runs, their results and model scores."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from genxsop_core.domain.models import (
    NODE_QUANTILE_COLUMNS,
    QUANTILE_COLUMNS,
    ForecastModelScore,
    ForecastNodeResult,
    ForecastResult,
    ForecastRun,
    Product,
)
from genxsop_core.domain.states import UNFINISHED_RUN


class ForecastRunRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, run: ForecastRun) -> None:
        self.session.add(run)

    def get(self, run_id: int) -> ForecastRun | None:
        return self.session.get(ForecastRun, run_id)

    def lock(self, run: ForecastRun) -> None:
        """Read the run again and lock its row until the transaction ends (SELECT ... FOR UPDATE)."""
        self.session.refresh(run, with_for_update=True)

    def recent(self, limit: int = 50) -> list[ForecastRun]:
        return list(self.session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit)))

    def unfinished(self) -> list[ForecastRun]:
        return list(self.session.scalars(select(ForecastRun).where(ForecastRun.status.in_(UNFINISHED_RUN))))

    def results(self, run_id: int, skus: Sequence[str] | None = None, future_only: bool = False) -> pd.DataFrame:
        """sku, period, model, window, mean, quantiles; `window` is NA on the forecast and the window
        number on the chosen model's backtest forecasts, which `future_only` leaves out."""
        query = (select(Product.sku, ForecastResult.period, ForecastResult.model, ForecastResult.window,
                        ForecastResult.mean, *[getattr(ForecastResult, q) for q in QUANTILE_COLUMNS])
                 .join(Product, Product.id == ForecastResult.product_id).where(ForecastResult.run_id == run_id))
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        if future_only:
            query = query.where(ForecastResult.window.is_(None))
        result = self.session.execute(query.order_by(Product.sku, ForecastResult.period))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frame.astype({"window": "Int64"})

    def scores(self, run_id: int) -> pd.DataFrame:
        S = ForecastModelScore  # noqa: N806 - short alias keeps the query readable
        result = self.session.execute(
            select(Product.sku, S.model, S.mae, S.rmse, S.wape, S.smape, S.mase, S.bias, S.chosen, S.reason)
            .join(Product, Product.id == S.product_id).where(S.run_id == run_id).order_by(Product.sku, S.model))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def add_node_results(self, run_id: int, nodes: pd.DataFrame) -> None:
        """Store a run's reconciled node forecasts (level, node, period, model, mean, p10, p50, p90)
        in the caller's transaction."""
        rows = [{"run_id": run_id, "level": str(r.level), "node": str(r.node), "period": pd.Timestamp(r.period).date(),
                 "model": str(r.model), "mean": float(r.mean),
                 **{q: None if pd.isna(getattr(r, q)) else float(getattr(r, q)) for q in NODE_QUANTILE_COLUMNS}}
                for r in nodes.itertuples(index=False)]
        if rows:
            self.session.execute(insert(ForecastNodeResult), rows)

    def node_results(self, run_id: int, level: str | None = None, node: str | None = None) -> pd.DataFrame:
        """level, node, period, model, mean, p10, p50, p90 of a run's reconciled node forecasts (all,
        one level's, or one node's), ordered by level, node and period; empty for a run made before
        they were stored."""
        N = ForecastNodeResult  # noqa: N806 - short alias keeps the query readable
        query = select(N.level, N.node, N.period, N.model, N.mean, *[getattr(N, q) for q in NODE_QUANTILE_COLUMNS]
                       ).where(N.run_id == run_id)
        if level is not None:
            query = query.where(N.level == level)
        if node is not None:
            query = query.where(N.node == node)
        result = self.session.execute(query.order_by(N.level, N.node, N.period))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frame.assign(period=pd.to_datetime(frame["period"])).astype(
            {"mean": float, **dict.fromkeys(NODE_QUANTILE_COLUMNS, float)})

    def has_node_results(self, run_id: int) -> bool:
        """Whether the run stored reconciled node forecasts (runs before revision 0009 did not)."""
        N = ForecastNodeResult  # noqa: N806
        return bool(self.session.scalar(select(func.count()).select_from(N).where(N.run_id == run_id)))
