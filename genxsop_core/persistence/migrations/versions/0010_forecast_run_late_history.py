"""a forecast run keeps what it did with SKUs whose history stops before the latest date

`forecast_run.late_history` (JSON) holds the planner's choice for such SKUs ("own_end": forecast
from each one's own last data, or "zeros": treat as discontinued), set when the run is requested,
and, once it has run, the latest date of the history and each SKU that stopped early with its last
bucket and how many buckets it is short (forecasting.late_history.run_record). Runs made before
this revision have none (NULL): they padded such SKUs with zeros without a word.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forecast_run", sa.Column("late_history", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecast_run") as batch:
        batch.drop_column("late_history")
