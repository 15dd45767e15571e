"""Commands for cron: reminders, expired places, the follow-up mail, the agenda mail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue and send the reminders of activities starting within two days (run e.g. hourly)."""
    from events.notifications import send_reminders

    count = send_reminders(utcnow())
    db.session.commit()
    sent, failed = deliver_outbox()
    click.echo(f"{count} herinneringen klaargezet; {sent} mails verstuurd, {failed} mislukt.")


@click.command("release-expired-registrations")
@with_appcontext
def release_expired_command() -> None:
    """Free the places of guests who did not confirm within 48 hours; mail who moves up."""
    from events.notifications import notify_promoted
    from events.registration import release_expired_places

    promoted = release_expired_places(utcnow())
    for registration in promoted:
        notify_promoted(registration)
    db.session.commit()
    deliver_outbox()
    click.echo(f"{len(promoted)} personen van de wachtlijst ingeschreven.")


@click.command("send-follow-up")
@with_appcontext
def send_follow_up_command() -> None:
    """The day after an activity: mail present participants the evaluation and their
    certificate; one reminder four days later (run daily, e.g. at 09:00; idempotent)."""
    from events.followup.mailing import send_follow_up

    first, reminded = send_follow_up(utcnow())
    db.session.commit()
    sent, failed = deliver_outbox()
    click.echo(
        f"{first} mails na de activiteit en {reminded} herinneringen klaargezet; "
        f"{sent} mails verstuurd, {failed} mislukt."
    )


@click.command("send-agenda-mail")
@with_appcontext
def send_agenda_mail_command() -> None:
    """Mail every subscriber the activities new in the agenda for their choice (run weekly;
    a subscription gets at most one mail per 6.5 days, so running it again sends nothing)."""
    from events.agenda_mail import send_agenda_mails

    count = send_agenda_mails(utcnow())
    db.session.commit()
    sent, failed = deliver_outbox()
    click.echo(f"{count} agendamails klaargezet; {sent} mails verstuurd, {failed} mislukt.")


COMMANDS = (
    send_reminders_command,
    release_expired_command,
    send_follow_up_command,
    send_agenda_mail_command,
)
