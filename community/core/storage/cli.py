"""Command-line command of the upload storage: ``flask sweep-uploads`` (cron, daily)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from community.core.extensions import db
from community.core.storage.local import get_storage
from community.core.storage.sweep import sweep_uploads


@click.command("sweep-uploads")
@with_appcontext
def sweep_uploads_command() -> None:
    """Remove uploaded files no row names and partial uploads, older than a day (daily)."""
    hours = float(current_app.config["UPLOAD_SWEEP_AFTER_HOURS"])
    with db.engine.connect() as connection:
        report = sweep_uploads(get_storage(), connection, older_than=dt.timedelta(hours=hours))
    click.echo(
        f"{report.unreferenced_removed} bestanden zonder verwijzing en "
        f"{report.temporary_removed} onvolledige uploads verwijderd; "
        f"{report.referenced_kept + report.young_kept} bestanden blijven."
    )


COMMANDS = (sweep_uploads_command,)
