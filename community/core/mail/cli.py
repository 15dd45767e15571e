"""Command-line command of the outbox: ``flask send-mail`` (cron, every minute)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.mail.outbox import deliver_outbox


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send the mails waiting in the outbox (retries failed ones that are due)."""
    sent, failed = deliver_outbox(limit=1000)
    click.echo(f"{sent} verzonden, {failed} mislukt.")


COMMANDS = (send_mail,)
