"""What the events package holds about a member, registered with the base's privacy rights.

Export: every registration of the member (with attendance and check-in) and every
invitation to the member (issue 17). Deletion: registrations for
activities that have not started are cancelled (the waiting list moves up and
is mailed), every registration is anonymised. Purge: guest registrations are
anonymised ``GUEST_RETENTION_DAYS`` after their activity ended (issue 7,
"Privacy rights (GDPR)"; GDPR art. 5(1)(e), storage limitation).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import User
from community.core.db import iso_utc
from community.core.extensions import db
from community.gdpr.rights import (
    DELETED_NAME,
    anonymous_address,
)
from events import registration as seats
from events.models import Event, Invitation, Registration, RegistrationState, WorkshopChoice
from events.notifications import notify_promoted
from events.registration import invitations_of, registrations_of

log = logging.getLogger(__name__)

ANONYMOUS_PREFIX = "verwijderd-"


def _of(user: User):
    """Registrations of ``user``: made with the account, or with its address as a guest once
    that address is verified (``events.registration.ownership``, issue 13)."""
    return registrations_of(user)


def export_registrations(user: User) -> list[dict]:
    """Return ``user``'s registrations, oldest activity first (times aware UTC, ISO 8601)."""
    rows = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(_of(user))
        .options(
            joinedload(Registration.event),
            selectinload(Registration.workshop_choices).joinedload(WorkshopChoice.programme_item),
        )
        .order_by(Event.starts_at, Registration.id)
    ).all()
    return [
        {
            "event": r.event.title,
            "event_slug": r.event.slug,
            "event_starts_at": iso_utc(r.event.starts_at),
            "state": str(r.state),
            "name": r.name,
            "email": r.email,
            "organisation": r.organisation_name,
            "sector": r.sector,
            "job_title": r.job_title,
            "answers": r.answers,
            "workshops": [
                {"title": c.programme_item.title, "state": str(c.state)} for c in r.workshop_choices
            ],
            "is_listed": r.is_listed,
            "attended": r.attended,
            "checked_in_at": iso_utc(r.checked_in_at),
            "is_walk_in": r.is_walk_in,
            "created_at": iso_utc(r.created_at),
            "confirmed_at": iso_utc(r.confirmed_at),
            "cancelled_at": iso_utc(r.cancelled_at),
        }
        for r in rows
    ]


def _invitations_of(user: User):
    """Invitations that are ``user``'s: to the account, or to its verified address."""
    return or_(Invitation.user_id == user.id, invitations_of(user))


def export_invitations(user: User) -> list[dict]:
    """Return ``user``'s invitations (issue 17), oldest activity first (aware UTC, ISO 8601).

    Who invited is named only as "an organiser": the organiser's identity is theirs.
    """
    rows = db.session.scalars(
        select(Invitation)
        .join(Event, Event.id == Invitation.event_id)
        .where(_invitations_of(user))
        .options(joinedload(Invitation.event), joinedload(Invitation.organisation))
        .order_by(Event.starts_at, Invitation.id)
    ).all()
    return [
        {
            "event": i.event.title,
            "event_slug": i.event.slug,
            "event_starts_at": iso_utc(i.event.starts_at),
            "email": i.email,
            "name": i.name,
            "status": str(i.status),
            "organisation": i.organisation.name if i.organisation else "",
            "invited_at": iso_utc(i.created_at),
            "mailed_at": iso_utc(i.sent_at),
            "reminded_at": iso_utc(i.reminded_at),
            "responded_at": iso_utc(i.responded_at),
        }
        for i in rows
    ]


def anonymise_registration(registration: Registration) -> None:
    """Replace the personal data of ``registration``; state, attendance and workshops stay.

    The counts per activity (and the attendance figures for the network's
    reports) remain right, without a person behind them. Flushes nothing.
    """
    registration.name = DELETED_NAME
    registration.email = anonymous_address("inschrijving", registration.id)
    registration.user_id = None
    registration.registered_by_id = None
    registration.organisation_id = None
    registration.organisation_name = ""
    registration.sector = ""
    registration.job_title = ""
    registration.answers = {}
    registration.is_listed = False
    # Attendance (attended, checked_in_at, is_walk_in) stays: the network's counts.


def erase_registrations(user: User, now: dt.datetime) -> None:
    """Cancel ``user``'s registrations for activities not yet started, anonymise all of them.

    Cancelling frees the place: the waiting list moves up in arrival order and
    those promoted get their mail (``notify_promoted``). Registrations ``user``
    made for colleagues stay theirs, without the link to ``user``. Invitations
    to ``user``'s address are removed. An unverified account touches nothing made
    with its address by others (``events.registration.ownership``). Invitations to
    the account or its verified address are deleted (issue 17). ``now``: aware
    UTC. Flushes.
    """
    rows = db.session.scalars(
        select(Registration)
        .where(_of(user))
        .options(joinedload(Registration.event))
        .order_by(Registration.id)
    ).all()
    for registration in rows:
        live = registration.state != RegistrationState.CANCELLED
        if live and registration.event.starts_at > now:
            for promoted in seats.cancel(registration, now):
                notify_promoted(promoted)
        anonymise_registration(registration)
    db.session.execute(
        update(Registration)
        .where(Registration.registered_by_id == user.id)
        .values(registered_by_id=None)
    )
    db.session.execute(delete(Invitation).where(_invitations_of(user)))
    db.session.flush()
    log.info("account %s: %d registrations cancelled or anonymised", user.id, len(rows))


def purge_guest_registrations(now: dt.datetime, retention: dt.timedelta) -> int:
    """Anonymise guest registrations of activities that ended more than ``retention`` ago.

    Guests (no account) cannot delete their data themselves, so it is kept
    only as long as the network needs it for follow-up and reporting.
    ``now``: aware UTC. Returns the number anonymised. Flushes.
    """
    ended = select(Event.id).where(Event.ends_at < now - retention)
    rows = db.session.scalars(
        select(Registration).where(
            Registration.user_id.is_(None),
            Registration.event_id.in_(ended),
            Registration.email.not_like(f"{ANONYMOUS_PREFIX}%"),
        )
    ).all()
    for registration in rows:
        anonymise_registration(registration)
    db.session.flush()
    log.info("purge: %d guest registrations anonymised", len(rows))
    return len(rows)


def purge_guest_invitations(now: dt.datetime, retention: dt.timedelta) -> int:
    """Delete invitations to addresses without an account, ``retention`` after the activity ended.

    The guest's answer lives on in the registration it made (itself anonymised by
    :func:`purge_guest_registrations` after the same period). ``now``: aware UTC.
    Returns the number deleted. Flushes.
    """
    ended = select(Event.id).where(Event.ends_at < now - retention)
    result = db.session.execute(
        delete(Invitation).where(Invitation.user_id.is_(None), Invitation.event_id.in_(ended))
    )
    db.session.flush()
    count = result.rowcount or 0  # type: ignore[attr-defined]
    log.info("purge: %d guest invitations deleted", count)
    return count
