"""Places under a lock: the row lock, the waiting list, promotion, cancellation, release."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update

from community.core.db import utcnow
from community.core.extensions import db
from events.models import (
    Event,
    EventStatus,
    ProgrammeItem,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from events.registration.availability import (
    HOLDING,
    PENDING_HOLD,
    holds_place,
    workshop_seats_taken,
)
from events.registration.errors import CancellationClosed, EventFull, NotWaitlisted

log = logging.getLogger(__name__)


_LOCKED_COLUMNS = [
    "status",
    "capacity",
    "starts_at",
    "is_registration_closed",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
    "seats_version",
]


def lock_event(event: Event) -> None:
    """Take ``event``'s registration lock until the transaction ends, then reload its settings.

    ``UPDATE events SET seats_version = seats_version + 1`` locks the event's
    row on PostgreSQL and takes the database write lock on SQLite; any other
    transaction doing the same waits until this one commits or rolls back.
    Counting places after this and writing in the same transaction makes
    "check the capacity and register" one atomic step (issue 3, "No overbooking").
    ``updated_at`` is set to itself, so its ``onupdate`` does not fire: a
    registration is no change of the activity (its feeds' LAST-MODIFIED, DTSTAMP
    and the public feeds' ETag stay; the personal feed follows its own state changes).
    """
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(seats_version=Event.seats_version + 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, attribute_names=_LOCKED_COLUMNS)


def release_expired_holds(event: Event, now: dt.datetime) -> list[Registration]:
    """Cancel the guest registrations of ``event`` whose 48-hour hold passed (lock held)."""
    expired = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.state.in_([RegistrationState.PENDING, RegistrationState.WAITLISTED]),
            Registration.pending_until.is_not(None),
            Registration.pending_until <= now,
        )
    ).all()
    for registration in expired:
        _set_cancelled(registration, now)
        log.info("registration %s expired unconfirmed (event %s)", registration.id, event.id)
    if expired:
        db.session.flush()
    return list(expired)


def _set_cancelled(registration: Registration, now: dt.datetime) -> None:
    registration.state = RegistrationState.CANCELLED
    registration.cancelled_at = now
    for choice in registration.workshop_choices:
        choice.state = RegistrationState.CANCELLED


def take_seat(registration: Registration, now: dt.datetime) -> None:
    """Give ``registration`` a place: confirmed, or pending while a guest has not confirmed."""
    if registration.pending_until is not None:
        registration.state = RegistrationState.PENDING
        registration.pending_until = max(registration.pending_until, now + PENDING_HOLD)
    else:
        registration.state = RegistrationState.CONFIRMED
        registration.confirmed_at = now


def count_held(event: Event, now: dt.datetime) -> int:
    """Places of ``event`` held at ``now`` (aware UTC): confirmed, or pending in time.

    Call with the activity's lock held (:func:`lock_event`); flushes first.
    """
    db.session.flush()
    return db.session.execute(
        select(func.count()).where(Registration.event_id == event.id, holds_place(now))
    ).scalar_one()


def fill_locked(event: Event, now: dt.datetime) -> list[Registration]:
    """Promote from the waiting list while places are free (lock held); return the promoted."""
    release_expired_holds(event, now)
    promoted: list[Registration] = []
    if event.status == EventStatus.PUBLISHED and event.starts_at > now:
        query = (
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == RegistrationState.WAITLISTED,
            )
            .order_by(Registration.created_at, Registration.id)
        )
        if event.capacity is not None:
            free = event.capacity - count_held(event, now)
            query = query.limit(max(free, 0))
        if event.capacity is None or free > 0:
            for registration in db.session.scalars(query).all():
                take_seat(registration, now)
                promoted.append(registration)
                log.info("registration %s promoted (event %s)", registration.id, event.id)
    db.session.flush()
    fill_workshops_locked(event)
    return promoted


# Where :func:`fill_workshops_locked` leaves the workshop places it gave, until the
# transaction commits: ``events.notifications`` mails each person then (issue 17).
WORKSHOP_PLACES_GIVEN = "bruggen.workshop_places_given"


def fill_workshops_locked(
    event: Event, *, quiet: Registration | None = None
) -> list[WorkshopChoice]:
    """Give free workshop places to waiting choices of seated registrations, in arrival order.

    Returns the choices seated. Each one, except those of ``quiet`` (a registration
    being made now, whose own mail says where it stands), is noted in the session
    (``WORKSHOP_PLACES_GIVEN``): when the transaction commits, the person is mailed
    that the workshop place is theirs (issue 17: "the person who gets the workshop
    place is mailed"); a rollback forgets them.
    """
    db.session.flush()
    capped = db.session.scalars(
        select(ProgrammeItem).where(
            ProgrammeItem.event_id == event.id, ProgrammeItem.kind == ProgrammeItemKind.WORKSHOP
        )
    ).all()
    if not capped:
        return []
    taken = workshop_seats_taken(event)
    waiting = db.session.scalars(
        select(WorkshopChoice)
        .join(Registration, Registration.id == WorkshopChoice.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.state.in_(HOLDING),
            WorkshopChoice.state == RegistrationState.WAITLISTED,
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    capacity = {item.id: item.capacity for item in capped}
    seated = []
    for choice in waiting:
        item_id = choice.programme_item_id
        item_capacity = capacity.get(item_id)
        if item_capacity is None or taken.get(item_id, 0) < item_capacity:
            choice.state = RegistrationState.CONFIRMED
            taken[item_id] = taken.get(item_id, 0) + 1
            seated.append(choice)
    db.session.flush()
    given = db.session.info.setdefault(WORKSHOP_PLACES_GIVEN, [])
    given.extend(
        (choice.registration_id, choice.programme_item_id)
        for choice in seated
        if quiet is None or choice.registration_id != quiet.id
    )
    return seated


def cancel(registration: Registration, now: dt.datetime | None = None) -> list[Registration]:
    """Cancel ``registration`` (also leaving the waiting list); return those promoted in its place.

    Freed places go to the waiting list in arrival order (confirmed, or pending
    for guests who have not confirmed yet). Cancelling a cancelled registration
    does nothing and returns []. Raises :class:`CancellationClosed` once the
    activity has started.
    """
    now = now or utcnow()
    event = registration.event
    lock_event(event)
    db.session.refresh(registration, attribute_names=["state"])
    if registration.state == RegistrationState.CANCELLED:
        return []
    if event.starts_at <= now:
        raise CancellationClosed()
    _set_cancelled(registration, now)
    db.session.flush()
    log.info("registration %s cancelled (event %s)", registration.id, event.id)
    return fill_locked(event, now)


def promote(
    registration: Registration, *, force: bool = False, now: dt.datetime | None = None
) -> None:
    """Move ``registration`` from the waiting list to a place (a coordinator's manual promotion).

    Without ``force`` only when a place is free, else :class:`EventFull`; with
    ``force`` the coordinator deliberately goes over the capacity. A guest
    who has not confirmed the e-mail gets a pending place (48 hours). Raises
    :class:`NotWaitlisted` for any other state. The caller mails
    ``notify_promoted``.
    """
    now = now or utcnow()
    event = registration.event
    lock_event(event)
    db.session.refresh(registration, attribute_names=["state"])
    if registration.state != RegistrationState.WAITLISTED:
        raise NotWaitlisted()
    if not force and event.capacity is not None and count_held(event, now) >= event.capacity:
        raise EventFull()
    take_seat(registration, now)
    db.session.flush()
    fill_workshops_locked(event)
    log.info("registration %s promoted by hand (force=%s)", registration.id, force)


def fill_free_seats(event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """Promote from the waiting list in arrival order while places are free; return the promoted.

    For use after the capacity was raised, places were released, or a
    workshop grew. Also releases guest places whose 48 hours passed. Nobody is
    promoted on a cancelled, unpublished or started activity.
    """
    now = now or utcnow()
    lock_event(event)
    return fill_locked(event, now)


def release_expired_places(now: dt.datetime | None = None) -> list[Registration]:
    """Release every expired guest hold of upcoming activities; return those promoted (cron)."""
    now = now or utcnow()
    event_ids = db.session.scalars(
        select(Registration.event_id)
        .where(Registration.pending_until.is_not(None), Registration.pending_until <= now)
        .where(Registration.state.in_([RegistrationState.PENDING, RegistrationState.WAITLISTED]))
        .distinct()
    ).all()
    promoted = []
    for event in db.session.scalars(select(Event).where(Event.id.in_(event_ids))).all():
        promoted += fill_free_seats(event, now)
    return promoted
