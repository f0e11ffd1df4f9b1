"""wider model names: a three-model combination's name needs more than 40 characters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = ("forecast_result", "forecast_model_score")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite does not enforce VARCHAR lengths
        return
    for table in TABLES:
        op.alter_column(table, "model", type_=sa.String(length=120), existing_type=sa.String(length=40),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table in TABLES:
        op.alter_column(table, "model", type_=sa.String(length=40), existing_type=sa.String(length=120),
                        existing_nullable=False)
