"""folded copies of names and texts, for matching without accents and case

Revision ID: 8c42ecba891e
Revises: 9ae6dcb22d61
Create Date: 2026-12-07 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from community.core.text import fold


# revision identifiers, used by Alembic.
revision = '8c42ecba891e'
down_revision = '9ae6dcb22d61'
branch_labels = None
depends_on = None

# table -> (folded copy column, the columns it folds), as community.core.db.keep_folded_copy
COPIES = {
    "users": ("search_name", ("display_name",)),
    "materials": ("search_text", ("title", "description", "file_text")),
    "practices": ("search_text", ("title", "summary", "approach")),
}


def upgrade():
    # Plain ALTER TABLE (no batch copy: that would lose the lower(email) index on SQLite).
    for table, (target, _) in COPIES.items():
        op.add_column(table, sa.Column(target, sa.Text(), nullable=False, server_default=""))
    # Fill the copies of existing rows with the same Python fold the app writes them with.
    connection = op.get_bind()
    for table, (target, sources) in COPIES.items():
        rows = sa.table(table, sa.column("id"), sa.column(target), *map(sa.column, sources))
        for row in connection.execute(sa.select(rows.c.id, *(rows.c[s] for s in sources))):
            folded = fold("\n".join(value or "" for value in row[1:]))
            connection.execute(
                rows.update().where(rows.c.id == row[0]).values({target: folded})
            )


def downgrade():
    for table, (target, _) in COPIES.items():
        op.drop_column(table, target)
