"""personal calendar feed token

Revision ID: 047f6d5f855c
Revises: 52735d2f806f
Create Date: 2026-11-30 18:12:43.806602

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '047f6d5f855c'
down_revision = '52735d2f806f'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch copy: that would lose the lower(email) index on SQLite);
    # every existing account gets its own random token before the unique index is made.
    op.add_column(
        "users", sa.Column("feed_token", sa.String(length=43), nullable=False, server_default="")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE users SET feed_token = md5(random()::text || id::text)")
    else:
        op.execute("UPDATE users SET feed_token = lower(hex(randomblob(21)))")
    op.create_index("ix_users_feed_token", "users", ["feed_token"], unique=True)


def downgrade():
    op.drop_index("ix_users_feed_token", table_name="users")
    op.drop_column("users", "feed_token")
