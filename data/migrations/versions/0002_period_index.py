"""Index observations by period: the latest month and city-wide windows must not scan every row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_observations_period", "observations", ["period", "indicator_code"])


def downgrade() -> None:
    op.drop_index("ix_observations_period", table_name="observations")
