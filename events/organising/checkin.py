"""Check-in on the day (issue 17): the list at the door, present/undo, walk-ins, the counts.

Check-in sets the same ``Registration.attended`` as the attendance on the attendee
list (``attendees.mark_attendance``), so evaluation and certificates read one field;
``checked_in_at`` says when the person was seen at the door. The door opens at local
midnight (Europe/Brussels) of the activity's first day and stays open until the end of
its last day; after that the attendee list records attendance.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from events import registration as seats
from events.models import Event, EventStatus, Registration, RegistrationState
from events.organising.errors import WrongStatus

__all__ = [
    "NO_ADDRESS_PREFIX",
    "CheckInClosed",
    "AlreadyOnTheList",
    "WrongStatus",
    "door_open",
    "DoorCounts",
    "door_counts",
    "door_list",
    "check_in",
    "add_walk_in",
    "AttendanceRow",
    "attendance_by_organisation",
]
from events.organising.times import BRUSSELS

log = logging.getLogger(__name__)

# A walk-in without an e-mail address gets this stand-in (no "@": never mailed).
NO_ADDRESS_PREFIX = "zonder-adres-"


class CheckInClosed(WrongStatus):
    """Check-in is for the day itself."""

    text = _l(
        "Aanmelden aan de deur kan op de dag van de activiteit zelf. "
        "Nadien duid je de aanwezigheden aan op de deelnemerslijst."
    )


class AlreadyOnTheList(DomainError):
    """A walk-in's address already has a place: check that person in on the list."""

    status = 409
    field = "email"
    text = _l("%(name)s staat al op de lijst met dit e-mailadres: meld die persoon daar aan.")


def door_open(event: Event, now: dt.datetime | None = None) -> bool:
    """True from local midnight of the first day to local midnight after the last day.

    ``now``: aware UTC. Days are Europe/Brussels days. A cancelled or draft activity
    has no door.
    """
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED:
        return False
    first_day = event.starts_at.astimezone(BRUSSELS).date()
    last_day = (event.ends_at - dt.timedelta(seconds=1)).astimezone(BRUSSELS).date()
    opens = dt.datetime.combine(first_day, dt.time(0), BRUSSELS)
    closes = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), BRUSSELS)
    return opens <= now < closes


@dataclass(frozen=True)
class DoorCounts:
    """Present and expected at the door: ``expected`` counts the confirmed places."""

    present: int
    expected: int


def door_counts(event: Event) -> DoorCounts:
    """Return how many confirmed participants of ``event`` are present, of how many (one query)."""
    present, expected = db.session.execute(
        select(
            func.coalesce(func.sum(case((Registration.attended.is_(True), 1), else_=0)), 0),
            func.count(),
        ).where(
            Registration.event_id == event.id,
            Registration.state == RegistrationState.CONFIRMED,
        )
    ).one()
    return DoorCounts(present=int(present), expected=int(expected))


def door_list(event: Event, search: str = "") -> list[Registration]:
    """Return the confirmed participants of ``event``, by name; ``search`` matches name,
    organisation or e-mail address (any case, part of a word)."""
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED
    )
    needle = search.strip().lower()
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            func.lower(Registration.name).like(pattern, escape="\\")
            | func.lower(Registration.organisation_name).like(pattern, escape="\\")
            | func.lower(Registration.email).like(pattern, escape="\\")
        )
    return list(db.session.scalars(query.order_by(func.lower(Registration.name), Registration.id)))


def check_in(
    registration: Registration, present: bool = True, *, now: dt.datetime | None = None
) -> None:
    """Mark a confirmed participant present at the door (``present=False``: undo).

    Present sets ``attended`` True and ``checked_in_at`` (aware UTC, the first time
    only); undo sets ``attended`` back to unknown. Raises :class:`CheckInClosed`
    outside the day (:func:`door_open`) and ``WrongStatus`` for a registration that is
    not confirmed.
    """
    now = now or utcnow()
    if not door_open(registration.event, now):
        raise CheckInClosed()
    if registration.state != RegistrationState.CONFIRMED:
        raise WrongStatus(_l("Alleen bevestigde deelnemers kunnen aanwezig gemeld worden."))
    if present:
        registration.attended = True
        registration.checked_in_at = registration.checked_in_at or now
    else:
        registration.attended = None
        registration.checked_in_at = None
    db.session.flush()
    log.info("registration %s checked in: %s", registration.id, present)


def add_walk_in(
    event: Event,
    *,
    name: str,
    by: User,
    email: str = "",
    organisation_name: str = "",
    now: dt.datetime | None = None,
) -> Registration:
    """Register someone who came without registering, confirmed and present; return it.

    A walk-in is a guest registration made by the organiser ``by`` at the door; the
    capacity does not apply (the person is in the room). Without ``email`` the
    registration gets a stand-in address that is never mailed. An address with a
    cancelled or waiting registration reuses it. Raises :class:`CheckInClosed` outside
    the day and :class:`AlreadyOnTheList` when the address has a confirmed place.
    """
    now = now or utcnow()
    if not door_open(event, now):
        raise CheckInClosed()
    seats.lock_event(event)
    address = email.strip()
    registration = None
    if address:
        registration = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id,
                func.lower(Registration.email) == address.lower(),
            )
        )
    if registration is not None and registration.state == RegistrationState.CONFIRMED:
        raise AlreadyOnTheList(name=registration.name)
    account = seats.verified_account_of(address) if address else None
    if registration is None:
        registration = Registration(
            event_id=event.id,
            email=address or NO_ADDRESS_PREFIX + secrets.token_hex(8),
            created_at=now,
            state=RegistrationState.CONFIRMED,
        )
        db.session.add(registration)
    registration.event = event
    registration.user_id = account.id if account is not None else None
    registration.name = name.strip()
    registration.organisation_name = organisation_name.strip()
    registration.registered_by_id = by.id
    registration.language = account.locale if account is not None else "nl"
    registration.state = RegistrationState.CONFIRMED
    registration.pending_until = registration.cancelled_at = None
    registration.confirmed_at = now
    registration.attended = True
    registration.checked_in_at = now
    registration.is_walk_in = True
    db.session.flush()
    log.info("walk-in registration %s at event %s", registration.id, event.id)
    return registration


@dataclass(frozen=True)
class AttendanceRow:
    """Attendance of one group (an organisation, or the whole activity)."""

    label: str
    confirmed: int
    present: int
    absent: int
    unknown: int
    walk_ins: int

    @property
    def no_shows(self) -> int:
        """Confirmed but not present: marked absent or never checked in."""
        return self.confirmed - self.present


def attendance_by_organisation(event: Event) -> tuple[AttendanceRow, list[AttendanceRow]]:
    """Return the activity's attendance total and one row per organisation (most first).

    Counts confirmed registrations: present (``attended`` True), no-shows (False),
    not recorded (None), and the walk-ins among the present. Organisation "" is the
    registrations without one.
    """
    rows = db.session.execute(
        select(
            Registration.organisation_name,
            func.count(),
            func.coalesce(func.sum(case((Registration.attended.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Registration.attended.is_(False), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Registration.is_walk_in.is_(True), 1), else_=0)), 0),
        )
        .where(Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED)
        .group_by(Registration.organisation_name)
    ).all()
    groups = [
        AttendanceRow(
            label=name or "",
            confirmed=int(total),
            present=int(present),
            absent=int(absent),
            unknown=int(total) - int(present) - int(absent),
            walk_ins=int(walk_ins),
        )
        for name, total, present, absent, walk_ins in rows
    ]
    groups.sort(key=lambda row: (-row.confirmed, row.label.lower()))
    total = AttendanceRow(
        label="",
        confirmed=sum(g.confirmed for g in groups),
        present=sum(g.present for g in groups),
        absent=sum(g.absent for g in groups),
        unknown=sum(g.unknown for g in groups),
        walk_ins=sum(g.walk_ins for g in groups),
    )
    return total, groups
