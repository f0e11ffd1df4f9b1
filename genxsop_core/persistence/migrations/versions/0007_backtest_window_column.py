"""backtest forecasts carry their window number in a column, not in the model name

Until now a run's backtest rows were stored with model 'backtest-N' and every reader parsed
the name. They get `window` = N and the model they really are: the backtests are the chosen
model's, the same model as the SKU's forecast rows in that run (the chosen model score if
those are missing, 'unknown' if both are). The forecast rows keep window NULL. Windows overlap
(their origins are half a horizon apart), so the unique key takes in the window; NULL never
equals NULL in a unique key, hence the index on coalesce(window, 0). SQLAlchemy does not reflect
an expression index on SQLite, so a later batch_alter_table("forecast_result") there loses it:
such a migration must create it again.
The downgrade writes 'backtest-N' back into the model column.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_KEY = "uq_forecast_result_key"
NEW_KEY = "uq_forecast_result_bucket"
PREFIX = "backtest-"

results = sa.table("forecast_result", sa.column("run_id", sa.Integer), sa.column("product_id", sa.Integer),
                   sa.column("model", sa.String), sa.column("window", sa.Integer))
scores = sa.table("forecast_model_score", sa.column("run_id", sa.Integer), sa.column("product_id", sa.Integer),
                  sa.column("model", sa.String), sa.column("chosen", sa.Boolean))


def _same_sku(table: sa.FromClause) -> list[sa.ColumnElement[bool]]:
    return [table.c.run_id == results.c.run_id, table.c.product_id == results.c.product_id]


def upgrade() -> None:
    with op.batch_alter_table("forecast_result") as batch:
        batch.add_column(sa.Column("window", sa.Integer(), nullable=True))
        batch.drop_constraint(OLD_KEY, type_="unique")
    is_backtest = results.c.model.like(f"{PREFIX}%")
    op.execute(results.update().where(is_backtest)
               .values(window=sa.cast(sa.func.substr(results.c.model, len(PREFIX) + 1), sa.Integer)))
    op.create_index(NEW_KEY, "forecast_result",
                    ["run_id", "product_id", "period", "model", sa.text('coalesce("window", 0)')], unique=True)
    forecast = results.alias("forecast")
    forecast_model = (sa.select(sa.func.min(forecast.c.model))
                      .where(*_same_sku(forecast), forecast.c.window.is_(None)).scalar_subquery())
    chosen_model = (sa.select(sa.func.min(scores.c.model))
                    .where(*_same_sku(scores), scores.c.chosen.is_(sa.true())).scalar_subquery())
    op.execute(results.update().where(results.c.window.is_not(None))
               .values(model=sa.func.coalesce(forecast_model, chosen_model, "unknown")))


def downgrade() -> None:
    op.drop_index(NEW_KEY, table_name="forecast_result")
    op.execute(results.update().where(results.c.window.is_not(None))
               .values(model=sa.literal(PREFIX) + sa.cast(results.c.window, sa.String)))
    with op.batch_alter_table("forecast_result") as batch:
        batch.drop_column("window")
        batch.create_unique_constraint(OLD_KEY, ["run_id", "product_id", "period", "model"])
