"""Database migrations (Alembic through Flask-Migrate), imported only when they are used.

Issue 14: importing Flask-Migrate imports Alembic (a third of a second and several
megabytes per worker) for commands a web worker never runs. ``create_app`` registers
:data:`MIGRATION_COMMANDS`, a ``flask db`` group that imports Flask-Migrate and binds it
to the app (:func:`init_migrations`) when one of its commands runs; code that calls
Flask-Migrate's functions itself (``flask_migrate.upgrade()`` in the tests) calls
:func:`init_migrations` first.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

from community.core.extensions import db


def init_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to ``app`` with the repository's ``migrations/`` folder (once).

    Sets ``app.extensions["migrate"]`` (read by ``migrations/env.py``) and replaces
    the lazy ``flask db`` group by Flask-Migrate's own.
    """
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(Path(app.root_path) / "migrations"))


class _MigrationCommands(click.Group):
    """``flask db …``: Flask-Migrate's own group, imported and bound when ``db`` is used."""

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands  # type: ignore[import-not-found]

        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        """The context of Flask-Migrate's group (its options, its callback), app bound."""
        if parent is not None:
            init_migrations(parent.ensure_object(ScriptInfo).load_app())
        return self._commands().make_context(info_name, args, parent=parent, **extra)


MIGRATION_COMMANDS = _MigrationCommands("db", help="Perform database migrations.")
