"""The organiser's attendee list: filters, counts, attendance, a message to participants."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import queue_mail
from events import notifications
from events.models import (
    Event,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from events.organising.errors import WrongStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttendeeFilters:
    """Filters of the attendee list; None means "any"."""

    state: RegistrationState | None = None
    sector: str | None = None
    organisation: str | None = None
    workshop_id: int | None = None


def attendees(event: Event, filters: AttendeeFilters = AttendeeFilters()) -> list[Registration]:
    """Return the registrations of ``event`` matching ``filters``, in arrival order.

    Without a state filter, cancelled registrations are left out. Workshop
    choices and their programme items are loaded with them (fixed query count).
    """
    query = select(Registration).where(Registration.event_id == event.id)
    if filters.state is None:
        query = query.where(Registration.state != RegistrationState.CANCELLED)
    else:
        query = query.where(Registration.state == filters.state)
    if filters.sector is not None:
        query = query.where(Registration.sector == filters.sector)
    if filters.organisation is not None:
        query = query.where(Registration.organisation_name == filters.organisation)
    if filters.workshop_id is not None:
        query = query.where(
            Registration.workshop_choices.any(
                WorkshopChoice.programme_item_id == filters.workshop_id
            )
        )
    query = query.options(
        selectinload(Registration.workshop_choices).selectinload(WorkshopChoice.programme_item)
    ).order_by(Registration.created_at, Registration.id)
    return list(db.session.scalars(query))


def organisation_names(event: Event) -> list[str]:
    """Return the distinct organisation names of the registrations of ``event``, sorted."""
    return list(
        db.session.scalars(
            select(Registration.organisation_name)
            .where(Registration.event_id == event.id, Registration.organisation_name != "")
            .group_by(Registration.organisation_name)
            .order_by(func.lower(Registration.organisation_name))
        )
    )


def counts_by(registrations: list[Registration], attribute: str) -> list[tuple[str, int]]:
    """Return ``(value, number)`` pairs for ``attribute`` of ``registrations``, most first."""
    counts: dict[str, int] = {}
    for registration in registrations:
        key = getattr(registration, attribute) or ""
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].lower()))


def mark_attendance(registration: Registration, attended: bool | None, *, now=None) -> None:
    """Record whether a confirmed participant came (None: unknown again).

    Raises :class:`WrongStatus` before the activity started or for a
    registration that is not confirmed.
    """
    now = now or utcnow()
    if registration.event.starts_at > now:
        raise WrongStatus(_("Aanwezigheden duid je aan vanaf het begin van de activiteit."))
    if registration.state != RegistrationState.CONFIRMED:
        raise WrongStatus(_("Alleen bevestigde deelnemers kunnen aanwezig gemeld worden."))
    registration.attended = attended
    db.session.flush()
    log.info("attendance of registration %s set to %s", registration.id, attended)


def mail_participants(event: Event, subject: str, body: str, *, sender) -> int:
    """Queue one mail with ``subject`` and ``body`` to every confirmed participant of ``event``.

    Each mail is framed (greeting, activity, footer) in the recipient's language:
    the account's language, else the one kept on the registration, else Dutch.
    ``Reply-To`` is the sending organiser (``sender``, a ``User``). Returns the
    number of mails queued.
    """
    confirmed = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.has_mail_address(),
        )
        .options(selectinload(Registration.user))
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in confirmed:
        user = registration.user
        language = user.locale if user is not None else registration.language
        queue_mail(
            registration.email,
            subject,
            "organiser_message",
            language=language,
            headers={"Reply-To": sender.email},
            event=event,
            registration=registration,
            body=body,
            sender=sender,
            cancel_link=notifications.cancel_url(registration),
        )
    log.info(
        "organiser mail queued for %s confirmed participants of %s", len(confirmed), event.slug
    )
    return len(confirmed)
