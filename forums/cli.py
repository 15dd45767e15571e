"""Command-line command of the forums: ``flask send-forum-digest`` (cron, daily)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.extensions import db
from forums import notifications as notices


@click.command("send-forum-digest")
@with_appcontext
def send_forum_digest_command() -> None:
    """Mail the daily forum digest to members who chose it (run once a day from cron)."""
    from flask import current_app

    # Links in the mails are built as in a request to the public address.
    with current_app.test_request_context(base_url=current_app.config["BRUGGEN_BASE_URL"]):
        sent = notices.send_digests()
        db.session.commit()
    from community.core.mail.outbox import deliver_outbox

    delivered, failed = deliver_outbox()
    click.echo(f"Forumoverzichten: {sent} in de wachtrij, {delivered} verstuurd, {failed} mislukt.")


COMMANDS = (send_forum_digest_command,)
