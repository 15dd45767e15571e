"""Command-line commands of the case tables (``flask <command>``; cron: README)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox


@click.command("send-case-follow-ups")
@with_appcontext
def send_case_follow_ups_command() -> None:
    """Mail each requester whose closed case reached its check-in day "Je hebt een update
    over casus C-…" with the link to report back (run daily; each case once)."""
    from casetables.follow_up import send_follow_ups

    count = send_follow_ups(utcnow())
    db.session.commit()
    sent, failed = deliver_outbox()
    click.echo(f"{count} opvolgmails klaargezet; {sent} mails verstuurd, {failed} mislukt.")


#: Registered by ``app.CLI_COMMANDS``.
COMMANDS: list[click.Command] = [send_case_follow_ups_command]
