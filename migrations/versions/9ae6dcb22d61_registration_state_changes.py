"""registration state changes (the personal feed's SEQUENCE)

Revision ID: 9ae6dcb22d61
Revises: 452d99b4f290
Create Date: 2026-12-07 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9ae6dcb22d61'
down_revision = '452d99b4f290'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch copy: that would lose the lower(email) index on SQLite).
    # Every existing registration has had at least its first state.
    op.add_column(
        "registrations",
        sa.Column("state_changes", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade():
    op.drop_column("registrations", "state_changes")
