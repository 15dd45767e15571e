"""Mails about registrations and activities, in the recipient's language, through the outbox.

Every mail states the activity's title, date, time and place (the online
meeting link only to confirmed participants), carries a signed cancel link
that works without login (also to leave the waiting list) and, where it
concerns a date, the activity as an ``.ics`` attachment whose MIME type
``method=`` equals the METHOD inside (issue 3, "Mail"; cases 001 K9, K10).
Functions only queue mails (``community.core.mail.outbox.queue_mail``); the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from community.core.extensions import db
from community.core.i18n import LOCALES
from community.core.mail.outbox import queue_mail
from events.calendar.ical import mail_attachment
from events.models import (
    Event,
    EventStatus,
    ProgrammeItem,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from events.registration import cancel_token, confirmation_token
from events.registration.seats import WORKSHOP_PLACES_GIVEN

log = logging.getLogger(__name__)

#: Reminders go out this long before the start (issue 3: "two days before").
REMINDER_BEFORE = dt.timedelta(days=2)


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def cancel_url(registration: Registration) -> str:
    """Return the absolute, signed cancel link of ``registration`` (no login needed)."""
    return _absolute(f"/inschrijving/annuleren/{cancel_token(registration)}")


def confirm_url(registration: Registration) -> str:
    """Return the absolute, signed link by which a guest confirms the e-mail address."""
    return _absolute(f"/inschrijving/bevestigen/{confirmation_token(registration)}")


def _attachment(registration: Registration, event: Event) -> tuple[str, bytes, str]:
    """The .ics in the recipient's language, with the online link (only for the confirmed)."""
    with force_locale(LOCALES.get(registration.language, LOCALES["nl"])):
        return mail_attachment(event, method="PUBLISH", include_online_link=True)


def _queue(registration: Registration, subject, template: str, *, with_calendar: bool, **context):
    event = registration.event
    attachments = [_attachment(registration, event)] if with_calendar else None
    queue_mail(
        registration.email,
        subject,
        template,
        language=registration.language,
        attachments=attachments,
        registration=registration,
        event=event,
        cancel_link=cancel_url(registration),
        show_online_link=registration.state == RegistrationState.CONFIRMED,
        event_link=_absolute(f"/activiteiten/{event.slug}"),
        **context,
    )


def notify_registered(registration: Registration) -> None:
    """Queue the mail that follows a registration, by its state.

    Confirmed: confirmation with the .ics (PUBLISH). Waitlisted: place on the
    waiting list. A guest who still has to confirm (``pending_until`` set):
    the confirmation link, valid 48 hours. Cancelled: nothing.
    """
    title = registration.event.title
    if registration.pending_until is not None and registration.state in (
        RegistrationState.PENDING,
        RegistrationState.WAITLISTED,
    ):
        _queue(
            registration,
            _l("Bevestig je inschrijving: %(title)s", title=title),
            "registration_pending",
            with_calendar=False,
            confirm_link=confirm_url(registration),
        )
    elif registration.state == RegistrationState.CONFIRMED:
        _queue(
            registration,
            _l("Inschrijving bevestigd: %(title)s", title=title),
            "registration_confirmed",
            with_calendar=True,
        )
    elif registration.state == RegistrationState.WAITLISTED:
        _queue(
            registration,
            _l("Je staat op de wachtlijst: %(title)s", title=title),
            "registration_waitlisted",
            with_calendar=False,
        )


def notify_promoted(registration: Registration) -> None:
    """Queue the mail to someone moved from the waiting list to a place.

    Confirmed: "a place is free, you are registered", with the .ics. A guest
    who has not confirmed yet gets the confirmation link (48 hours) instead.
    """
    title = registration.event.title
    if registration.state == RegistrationState.PENDING:
        _queue(
            registration,
            _l("Er is een plaats vrij: bevestig je inschrijving voor %(title)s", title=title),
            "registration_pending",
            with_calendar=False,
            confirm_link=confirm_url(registration),
            promoted=True,
        )
    elif registration.state == RegistrationState.CONFIRMED:
        _queue(
            registration,
            _l("Er is een plaats vrij: je bent ingeschreven voor %(title)s", title=title),
            "registration_promoted",
            with_calendar=True,
        )


def _live_registrations(event: Event, states) -> list[Registration]:
    return db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.state.in_(states),
            Registration.has_mail_address(),
        )
        .options(joinedload(Registration.event))
        .order_by(Registration.created_at, Registration.id)
    ).all()


def notify_event_changed(event: Event) -> int:
    """Queue a change mail (time or place changed) to the confirmed, pending and waitlisted.

    The confirmed get the updated .ics (same UID, SEQUENCE = the new
    ``event.revision``: the caller raises it first). Returns the number queued.
    """
    registrations = _live_registrations(
        event,
        [RegistrationState.CONFIRMED, RegistrationState.PENDING, RegistrationState.WAITLISTED],
    )
    for registration in registrations:
        _queue(
            registration,
            _l("Gewijzigd: %(title)s", title=event.title),
            "event_changed",
            with_calendar=registration.state == RegistrationState.CONFIRMED,
        )
    log.info("change of event %s mailed to %s registrations", event.id, len(registrations))
    return len(registrations)


def notify_event_cancelled(event: Event, message: str) -> int:
    """Queue the cancellation mail, with the coordinator's ``message``, to everyone not cancelled.

    The confirmed get the .ics with STATUS:CANCELLED (METHOD:PUBLISH, same
    UID, the caller raised ``event.revision`` and set the status first; case
    001 K6, K10). Returns the number queued.
    """
    registrations = _live_registrations(
        event,
        [RegistrationState.CONFIRMED, RegistrationState.PENDING, RegistrationState.WAITLISTED],
    )
    for registration in registrations:
        _queue(
            registration,
            _l("Geannuleerd: %(title)s", title=event.title),
            "event_cancelled",
            with_calendar=registration.state == RegistrationState.CONFIRMED,
            message=message,
        )
    log.info("cancellation of event %s mailed to %s registrations", event.id, len(registrations))
    return len(registrations)


def send_reminders(now: dt.datetime) -> int:
    """Queue a reminder for each confirmed registration of activities starting within two days.

    ``now`` is aware UTC. Each registration is reminded once
    (``reminder_sent_at``); those confirmed less than two days before the
    start are not (their confirmation is recent). Returns the number queued.
    Run it regularly (``flask send-reminders`` from cron, e.g. hourly).
    """
    registrations = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_BEFORE,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.reminder_sent_at.is_(None),
            Registration.has_mail_address(),
        )
        .options(joinedload(Registration.event).joinedload(Event.network))
        .order_by(Event.starts_at, Registration.id)
    ).all()
    count = 0
    for registration in registrations:
        event = registration.event
        if registration.confirmed_at and registration.confirmed_at > event.starts_at - (
            REMINDER_BEFORE
        ):
            continue
        _queue(
            registration,
            _l("Herinnering: %(title)s", title=event.title),
            "event_reminder",
            with_calendar=True,
        )
        registration.reminder_sent_at = now
        count += 1
    db.session.flush()
    log.info("%s reminders queued", count)
    return count


def notify_workshop_place(registration: Registration, item: ProgrammeItem) -> None:
    """Queue the mail to someone who moved from a workshop's waiting list into the workshop."""
    _queue(
        registration,
        _l("Er is een plaats vrij in de workshop %(workshop)s", workshop=item.title),
        "workshop_place",
        with_calendar=False,
        workshop=item,
    )


def _mail_workshop_places(session: Session) -> None:
    """Before a commit: mail each workshop place given in this transaction (issue 17).

    ``events.registration.seats.fill_workshops_locked`` notes the places it gives in
    ``session.info``; a hook rather than a line in each caller, so that no way of
    freeing a workshop place (a cancellation, a promotion, an erasure, an expired
    hold) forgets the mail. A place taken back before the commit (the registration
    cancelled) is not mailed.
    """
    given = session.info.pop(WORKSHOP_PLACES_GIVEN, None)
    if not given:
        return
    for registration_id, item_id in dict.fromkeys(given):
        choice = session.get(WorkshopChoice, (registration_id, item_id))
        if choice is None or choice.state != RegistrationState.CONFIRMED:
            continue
        registration = choice.registration
        if registration.state not in (RegistrationState.CONFIRMED, RegistrationState.PENDING):
            continue
        notify_workshop_place(registration, choice.programme_item)
        log.info("workshop place %s mailed to registration %s", item_id, registration_id)


def _forget_workshop_places(session: Session, *args) -> None:
    session.info.pop(WORKSHOP_PLACES_GIVEN, None)


sa_event.listen(Session, "before_commit", _mail_workshop_places)
sa_event.listen(Session, "after_rollback", _forget_workshop_places)
sa_event.listen(Session, "after_soft_rollback", _forget_workshop_places)
