"""one plan version of each kind per cycle, enforced by the database (superseded ones aside)

Two planners creating the cycle's version at the same moment both passed the service's check;
a partial unique index makes the second insert fail, and the service turns that into a Conflict.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CONDITION = "cycle_id IS NOT NULL AND status <> 'superseded'"


def upgrade() -> None:
    op.create_index("uq_plan_version_per_cycle", "plan_version", ["kind", "cycle_id"], unique=True,
                    sqlite_where=sa.text(CONDITION), postgresql_where=sa.text(CONDITION))


def downgrade() -> None:
    op.drop_index("uq_plan_version_per_cycle", table_name="plan_version")
