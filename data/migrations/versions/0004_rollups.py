"""Pre-aggregated roll-ups for the city and each township, filled from the observations already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("unit_code", sa.String(12), primary_key=True),
        sa.Column("indicator_code", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("value_sum", sa.Double, nullable=True),
        sa.Column("numerator_sum", sa.Double, nullable=True),
        sa.Column("denominator_sum", sa.Double, nullable=True),
        sa.Column("reported", sa.Integer, nullable=False),
        mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin",
    )
    op.create_index("ix_rollups_indicator", "rollups", ["indicator_code", "period"])
    from dashboard.data import rollups

    rollups.refresh(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_rollups_indicator", table_name="rollups")
    op.drop_table("rollups")
