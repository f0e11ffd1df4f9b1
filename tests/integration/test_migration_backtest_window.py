"""Migration 0007: backtest rows stored as model 'backtest-N' get a window column and their real model."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from genxsop_core.persistence.db import get_engine
from genxsop_core.persistence.migrate import alembic_config
from tests.conftest import database_at_revision

PRODUCT = sa.table("product", *(sa.column(c) for c in (
    "id", "sku", "name", "category", "family", "uom", "unit_cost", "unit_price", "lead_time_days",
    "lead_time_std_days", "moq", "order_cost", "holding_cost_rate", "service_level_target", "status")))
RUN = sa.table("forecast_run", *(sa.column(c) for c in (
    "id", "created_by", "created_at", "horizon", "status", "progress_done", "progress_total")),
    *(sa.column(c, sa.JSON) for c in ("scope", "models", "quantiles", "timings")))
RESULT = sa.table("forecast_result", *(sa.column(c) for c in ("run_id", "product_id", "period", "model", "mean")))
SCORE = sa.table("forecast_model_score", *(sa.column(c) for c in ("run_id", "product_id", "model", "chosen", "reason")))

W = [date(2026, 1, 5) + (date(2026, 1, 12) - date(2026, 1, 5)) * k for k in range(6)]  # six weeks
# (sku, period, model as stored before 0007, mean): ORANGE has its forecast and two overlapping backtest
# windows; LEMON's forecast rows are gone, only its chosen model score names the model
OLD_ROWS = [("ORANGE", W[4], "ets", 10.0), ("ORANGE", W[5], "ets", 11.0),
            ("ORANGE", W[0], "backtest-1", 7.0), ("ORANGE", W[1], "backtest-1", 8.0),
            ("ORANGE", W[1], "backtest-2", 8.5), ("ORANGE", W[2], "backtest-2", 9.0),
            ("LEMON", W[2], "backtest-1", 3.0)]
NEW_ROWS = {("ORANGE", W[4], "ets", None, 10.0), ("ORANGE", W[5], "ets", None, 11.0),
            ("ORANGE", W[0], "ets", 1, 7.0), ("ORANGE", W[1], "ets", 1, 8.0),
            ("ORANGE", W[1], "ets", 2, 8.5), ("ORANGE", W[2], "ets", 2, 9.0),
            ("LEMON", W[2], "theta", 1, 3.0)}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database migrated only to revision 0006."""
    with database_at_revision(request.param, tmp_path, "0006") as url:
        yield url


def _write_old_rows(url: str) -> None:
    with get_engine(url).begin() as connection:
        connection.execute(PRODUCT.insert(), [
            {"id": i, "sku": sku, "name": sku, "category": "Fruit", "family": "Citrus", "uom": "each", "unit_cost": 1.0,
             "unit_price": 2.0, "lead_time_days": 7.0, "lead_time_std_days": 1.0, "moq": 0.0, "order_cost": 0.0,
             "holding_cost_rate": 0.2, "service_level_target": 0.95, "status": "active"}
            for i, sku in ((1, "ORANGE"), (2, "LEMON"))])
        connection.execute(RUN.insert(), [{
            "id": 1, "created_by": "alice", "created_at": datetime(2026, 2, 1, tzinfo=UTC),
            "scope": {"kind": "all"}, "models": ["auto"], "horizon": 2, "quantiles": [], "status": "done",
            "progress_done": 2, "progress_total": 2, "timings": {}}])
        ids = {"ORANGE": 1, "LEMON": 2}
        connection.execute(RESULT.insert(), [{"run_id": 1, "product_id": ids[sku], "period": period, "model": model,
                                              "mean": mean} for sku, period, model, mean in OLD_ROWS])
        connection.execute(SCORE.insert(), [
            {"run_id": 1, "product_id": 1, "model": "ets", "chosen": True, "reason": "lowest backtest MAE"},
            {"run_id": 1, "product_id": 2, "model": "naive", "chosen": False, "reason": ""},
            {"run_id": 1, "product_id": 2, "model": "theta", "chosen": True, "reason": "lowest backtest MAE"}])


def _rows(url: str, with_window: bool) -> set[tuple]:
    window = ', r."window"' if with_window else ""
    with get_engine(url).connect() as connection:
        found = connection.execute(sa.text(f"SELECT p.sku, r.period, r.model{window}, r.mean FROM forecast_result r "
                                           "JOIN product p ON p.id = r.product_id"))
        return {(row[0], date.fromisoformat(str(row[1])), *row[2:]) for row in found}


def test_backtest_rows_move_to_the_window_column_and_back(url_at_0006):
    _write_old_rows(url_at_0006)
    config = alembic_config(url_at_0006)

    command.upgrade(config, "0007")
    assert _rows(url_at_0006, with_window=True) == NEW_ROWS
    with pytest.raises(sa.exc.IntegrityError), get_engine(url_at_0006).begin() as connection:
        # the forecast rows (no window) are still one per bucket and model
        connection.execute(sa.text("INSERT INTO forecast_result (run_id, product_id, period, model, mean) "
                                   "VALUES (1, 1, :period, 'ets', 1.0)"), {"period": W[4]})

    command.downgrade(config, "0006")
    assert _rows(url_at_0006, with_window=False) == set(OLD_ROWS)
