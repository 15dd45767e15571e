"""Alembic environment of Bruggen (Flask-Migrate): runs migrations with the app's engine."""

import logging
import warnings
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.exc import SAWarning

from community.core.db import UTCDateTime
from community.core.features import include_object

config = context.config

# create_app() already configures logging; alembic.ini's settings are only a fallback,
# so running migrations (in the CLI or in a test) never resets the app's loggers.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


# Batch mode reflects tables on SQLite; the lower(email) expression indexes cannot be
# reflected and SQLAlchemy says so. Revisions never batch-copy those tables (they use
# plain ALTER TABLE there), so the warning carries no loss.
warnings.filterwarnings(
    "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
)


def render_item(type_, obj, autogen_context):
    """Render the app's UTC datetime type as plain ``sa.DateTime(timezone=True)``.

    Revisions then need no import from the application: UTCDateTime only
    converts values in Python, the column type is an aware DateTime.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def process_revision_directives(context, revision, directives):
    """Write no empty revision when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def configure_args() -> dict:
    """Return the options of ``context.configure`` shared by offline and online runs."""
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", process_revision_directives)
    args.setdefault("render_item", render_item)
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    args.setdefault("render_as_batch", True)
    args.setdefault("compare_type", True)
    args.setdefault("include_object", include_object)
    return args


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations without a database connection (``--sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **configure_args(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the app's database."""
    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **configure_args()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
