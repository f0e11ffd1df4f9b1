"""reconciled forecasts of every node of the product hierarchy, stored with their run

`forecast_node_result` holds, per run, the forecast of each node (total, category, family, SKU)
after reconciliation: a node's mean is the sum of its children's, and its P10-P90 band is the
node's own, not the sum of its SKUs' bands. The rows go with their run (ON DELETE CASCADE).
Runs made before this revision have none: the Demand review draws their summed band and says so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_node_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("p10", sa.Float(), nullable=True),
        sa.Column("p50", sa.Float(), nullable=True),
        sa.Column("p90", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["forecast_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "level", "node", "period", name="uq_forecast_node_bucket"),
    )
    op.create_index("ix_forecast_node_result_run_id", "forecast_node_result", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_forecast_node_result_run_id", table_name="forecast_node_result")
    op.drop_table("forecast_node_result")
