"""Command-line command of the GDPR part: ``flask purge`` (cron, daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from community.core.db import utcnow
from community.core.extensions import db
from community.gdpr import rights as privacy


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Anonymise guest registrations and remove sent mails past their retention (e.g. daily)."""
    counts = privacy.purge(utcnow(), current_app.config)
    db.session.commit()
    click.echo(
        f"{counts.get('guest_registrations', 0)} gastinschrijvingen geanonimiseerd; "
        f"{counts.get('sent_mail', 0)} verstuurde mails verwijderd."
    )


COMMANDS = (purge_command,)
