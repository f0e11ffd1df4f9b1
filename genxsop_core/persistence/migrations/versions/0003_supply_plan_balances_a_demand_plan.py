"""supply plan versions name the demand plan version they balance

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plan_version", sa.Column("demand_version_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_version") as batch:
        batch.drop_column("demand_version_id")
