"""Is registration open, and how many places are taken or left (activity and workshops)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from community.core.db import utcnow
from community.core.extensions import db
from events.models import (
    Event,
    EventStatus,
    ProgrammeItem,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from events.registration.errors import ClosedReason

#: How long a guest's place is held until the guest confirms (issue 3: 48 hours).
PENDING_HOLD = dt.timedelta(hours=48)


#: States that hold a place at the activity (a pending place only until ``pending_until``).
HOLDING = (RegistrationState.CONFIRMED, RegistrationState.PENDING)


def closed_reason(event: Event, now: dt.datetime | None = None) -> ClosedReason | None:
    """Return why registration for ``event`` is closed at ``now`` (aware UTC), or None if open.

    Closed when: not published, cancelled, closed early by a coordinator
    (``is_registration_closed``), before ``registration_opens_at``, at or after
    ``registration_closes_at`` (the deadline), or at or after the start
    (issue 3: "Registrations close at the deadline, at the start, or when the
    event is cancelled").
    """
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return ClosedReason.CANCELLED
    if event.status != EventStatus.PUBLISHED:
        return ClosedReason.NOT_PUBLISHED
    if event.starts_at <= now:
        return ClosedReason.STARTED
    if event.is_registration_closed:
        return ClosedReason.CLOSED_EARLY
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return ClosedReason.NOT_YET_OPEN
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        return ClosedReason.DEADLINE_PASSED
    return None


def registration_open(event: Event, now: dt.datetime | None = None) -> bool:
    """True when one can register for ``event`` at ``now``; :func:`closed_reason` says why not."""
    return closed_reason(event, now) is None


def holds_place(now: dt.datetime):
    """WHERE clause: registrations that hold a place at ``now`` (confirmed, or pending in time)."""
    return or_(
        Registration.state == RegistrationState.CONFIRMED,
        and_(Registration.state == RegistrationState.PENDING, Registration.pending_until > now),
    )


def seats_taken(event: Event, now: dt.datetime | None = None) -> int:
    """Return the number of places held at ``event``: confirmed plus pending guests in time."""
    return seats_taken_by_event([event.id], now).get(event.id, 0)


def seats_taken_by_event(event_ids, now: dt.datetime | None = None) -> dict[int, int]:
    """Return ``{event_id: places held}`` for many activities in one query (agenda cards)."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count())
        .where(Registration.event_id.in_(ids), holds_place(now or utcnow()))
        .group_by(Registration.event_id)
    )
    return dict(rows.all())


def seats_left(event: Event, now: dt.datetime | None = None) -> int | None:
    """Return the free places at ``event`` (never below 0), or None when it has no capacity."""
    if event.capacity is None:
        return None
    return max(event.capacity - seats_taken(event, now), 0)


def waitlist_count(event: Event) -> int:
    """Return the number of registrations on ``event``'s waiting list."""
    return db.session.execute(
        select(func.count()).where(
            Registration.event_id == event.id,
            Registration.state == RegistrationState.WAITLISTED,
        )
    ).scalar_one()


def workshop_seats_taken(event: Event) -> dict[int, int]:
    """Return ``{programme_item_id: places held}`` for the workshops of ``event``."""
    rows = db.session.execute(
        select(WorkshopChoice.programme_item_id, func.count())
        .join(ProgrammeItem, ProgrammeItem.id == WorkshopChoice.programme_item_id)
        .where(
            ProgrammeItem.event_id == event.id,
            WorkshopChoice.state == RegistrationState.CONFIRMED,
        )
        .group_by(WorkshopChoice.programme_item_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Availability:
    """What an agenda card or activity page says about places.

    ``kind``: "cancelled", "closed" (``reason`` says why), "full" (waiting
    list), "free" (``seats_left`` places) or "open" (no capacity).
    """

    kind: str
    seats_left: int | None = None
    reason: ClosedReason | None = None


def availability(event: Event, taken: int, now: dt.datetime | None = None) -> Availability:
    """Return the availability of ``event`` with ``taken`` places held (see :func:`seats_taken`)."""
    reason = closed_reason(event, now)
    if reason == ClosedReason.CANCELLED:
        return Availability("cancelled", reason=reason)
    if reason is not None:
        return Availability("closed", reason=reason)
    if event.capacity is None:
        return Availability("open")
    left = max(event.capacity - taken, 0)
    return Availability("free" if left else "full", seats_left=left)


def free_places_filter(now: dt.datetime):
    """WHERE clause on ``Event``: registration open now and a free place (or no capacity)."""
    held = (
        select(func.count())
        .where(Registration.event_id == Event.id, holds_place(now))
        .correlate(Event)
        .scalar_subquery()
    )
    return and_(
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at > now,
        Event.is_registration_closed.is_(False),
        or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= now),
        or_(Event.registration_closes_at.is_(None), Event.registration_closes_at > now),
        or_(Event.capacity.is_(None), Event.capacity > held),
    )
