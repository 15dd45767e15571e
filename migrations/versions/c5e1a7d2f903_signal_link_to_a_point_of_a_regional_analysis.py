"""signal link to a point (a gap) of a regional analysis

Revision ID: c5e1a7d2f903
Revises: 0931a6f24f0b
Create Date: 2026-12-07 22:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e1a7d2f903"
down_revision = "0931a6f24f0b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signal_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysis_point_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_signal_links_analysis_point_id"), ["analysis_point_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_signal_links_analysis_point_id_analysis_points"),
            "analysis_points",
            ["analysis_point_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("signal_links", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signal_links_analysis_point_id_analysis_points"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_signal_links_analysis_point_id"))
        batch_op.drop_column("analysis_point_id")
