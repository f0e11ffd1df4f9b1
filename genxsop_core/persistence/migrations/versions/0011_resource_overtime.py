"""a resource says how much overtime it can add per bucket and what an overtime hour costs

`resource.overtime_hours` (hours per planning bucket on top of capacity_hours, 0 = none) and
`resource.overtime_cost_per_hour` (NULL = 1.5 x cost_per_hour, the usual time-and-a-half) are what
the supply balance (genxsop_core.supply.balance) may use beyond capacity and what it pays for it.
Resources before this revision get no overtime: the balance then keeps within capacity.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("resource", sa.Column("overtime_hours", sa.Float(), nullable=False, server_default="0"))
    op.add_column("resource", sa.Column("overtime_cost_per_hour", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.drop_column("overtime_cost_per_hour")
        batch.drop_column("overtime_hours")
