"""invitations with rsvp, check-in (issue 17)

Revision ID: 39def57d84bf
Revises: 6a8b12e2cacd
Create Date: 2026-12-07 20:55:25.027289

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '39def57d84bf'
down_revision = '6a8b12e2cacd'
branch_labels = None
depends_on = None


def _restore_email_index():
    """A batch copy on SQLite loses the lower(email) index (not reflected): make it again."""
    if "uq_invitations_event_email" not in {
        index["name"] for index in sa.inspect(op.get_bind()).get_indexes("invitations")
    }:
        op.create_index(
            "uq_invitations_event_email",
            "invitations",
            ["event_id", sa.text("lower(email)")],
            unique=True,
        )


def upgrade():
    # invitations: foreign keys need a batch copy on SQLite (then the index is made again);
    # registrations: plain ALTER TABLE, which keeps its lower(email) index.
    # Existing invitations (addresses listed on the activity form) stay "invited", unmailed.
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("status", sa.String(length=20), server_default="invited", nullable=False))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("invited_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=5), server_default="nl", nullable=False))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_invitations_user_id", ["user_id"], unique=False)
        batch_op.create_foreign_key("fk_invitations_user_id_users", "users", ["user_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key("fk_invitations_registration_id_registrations", "registrations", ["registration_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key("fk_invitations_organisation_id_organisations", "organisations", ["organisation_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key("fk_invitations_invited_by_id_users", "users", ["invited_by_id"], ["id"], ondelete="SET NULL")
    _restore_email_index()
    op.add_column("registrations", sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("registrations", sa.Column("is_walk_in", sa.Boolean(), server_default=sa.text("false"), nullable=False))


def downgrade():
    op.drop_column("registrations", "is_walk_in")
    op.drop_column("registrations", "checked_in_at")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invitations_invited_by_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_invitations_organisation_id_organisations", type_="foreignkey")
        batch_op.drop_constraint("fk_invitations_registration_id_registrations", type_="foreignkey")
        batch_op.drop_constraint("fk_invitations_user_id_users", type_="foreignkey")
        batch_op.drop_index("ix_invitations_user_id")
        for name in (
            "reminded_at", "responded_at", "sent_at", "language", "registration_id",
            "invited_by_id", "organisation_id", "user_id", "status", "name",
        ):
            batch_op.drop_column(name)
    _restore_email_index()
