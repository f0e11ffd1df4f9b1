"""demo accounts and demo rows are marked; the one-time setup token of the first administrator

`app_user.is_demo` marks the six demo accounts (outside demo mode they may not sign in, and
go-live removes them). Existing demo accounts are recognised by their username and their
'@demo.genxsop' address, the way bootstrap seeded them. `origin` marks rows the demo created
('demo'), and demo rows a real import updated afterwards ('demo+import'): go-live deletes the
first and refuses while the second exist. Rows that hang off a marked plan version, cycle or
forecast run (plan rows, results, sign-offs) go with their parent, so they carry no mark,
except supply plan rows, which a real import may add to the demo's working supply version.
Rows of a demo database seeded before this revision are not marked: nothing tells them apart
from rows imported since. `setup_token` keeps the hash of the token that lets the first
administrator be created in the browser.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DEMO_USERNAMES = ("admin", "coordinator", "demand", "supply", "executive", "viewer")
MARKED_TABLES = ("product", "resource", "routing", "demand_actual", "inventory_snapshot", "supply_plan",
                 "reason_code", "plan_version", "sop_cycle", "forecast_run")

users = sa.table("app_user", sa.column("username", sa.String), sa.column("email", sa.String),
                 sa.column("is_demo", sa.Boolean))


def upgrade() -> None:
    op.add_column("app_user", sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(users.update()
               .where(users.c.username.in_(DEMO_USERNAMES), users.c.email.like("%@demo.genxsop"))
               .values(is_demo=True))
    for table in MARKED_TABLES:
        op.add_column(table, sa.Column("origin", sa.String(20), nullable=True))
    op.create_table(
        "setup_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("setup_token")
    for table in MARKED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("origin")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("is_demo")
