"""One submission per file content: two simultaneous loads of the same bytes cannot both commit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_checksum")
        batch.create_index("ix_submissions_checksum", ["checksum"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_checksum")
        batch.create_index("ix_submissions_checksum", ["checksum"], unique=False)
