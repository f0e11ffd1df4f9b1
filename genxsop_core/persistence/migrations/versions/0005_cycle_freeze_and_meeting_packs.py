"""the frozen plan of a cycle (lineage) and the meeting packs stored with it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sop_cycle") as batch:
        batch.add_column(sa.Column("frozen", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("frozen_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "meeting_pack",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("sop_cycle.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meeting_pack")
    with op.batch_alter_table("sop_cycle") as batch:
        batch.drop_column("frozen_at")
        batch.drop_column("frozen_by")
        batch.drop_column("frozen")
