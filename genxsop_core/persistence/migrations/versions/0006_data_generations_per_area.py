"""a generation counter per area of data, so every replica's page caches know when they are stale

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The areas as they were when this revision was written (genxsop_core.domain.generations.DataArea);
# a later area arrives with its own revision, which inserts its row.
AREAS = ("master_data", "actuals", "stock", "plans", "capacity", "forecasts", "targets")


def upgrade() -> None:
    table = op.create_table(
        "data_generation",
        sa.Column("area", sa.String(length=40), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.bulk_insert(table, [{"area": area, "generation": 0} for area in AREAS])


def downgrade() -> None:
    op.drop_table("data_generation")
