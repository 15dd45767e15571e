"""Activities' life cycle: create, edit, publish, copy, cancel, delete; open, close registration."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select

from community.accounts.models import Organisation, Region, Theme
from community.core.db import utcnow
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.markup import render_markdown
from community.core.text import slugify as text_slugify
from events import invitations, notifications
from events import registration as seats
from events.models import (
    Event,
    EventMaterial,
    EventQuestion,
    EventStatus,
    EventType,
    Invitation,
    InvitationStatus,
    ProgrammeItem,
    Registration,
    Visibility,
    WorkshopChoice,
)
from events.organising.errors import (
    SLUG_MAX,
    SLUG_PATTERN,
    CapacityBelowTaken,
    InvalidPeriod,
    InvalidRegistrationPeriod,
    SlugInvalid,
    SlugLocked,
    SlugTaken,
    VenueMissing,
    WrongStatus,
)
from events.organising.times import _shift_local
from events.signals import event_changed, event_published

log = logging.getLogger(__name__)


def slugify(text: str) -> str:
    """Return a web address for ``text``: lowercase ASCII letters, digits and single hyphens.

    Accents are dropped ("Inspiratiedag één" → "inspiratiedag-een"); at most
    ``SLUG_MAX`` characters; "activiteit" when nothing usable remains.
    """
    return text_slugify(text, max_length=SLUG_MAX, fallback="activiteit", whole_words=False)


def _slug_in_use(slug: str, exclude_id: int | None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if exclude_id is not None:
        query = query.where(Event.id != exclude_id)
    return db.session.scalar(query) is not None


def unique_slug(base: str, exclude_id: int | None = None) -> str:
    """Return ``base`` or ``base-2``, ``base-3``... whichever no other activity uses."""
    taken = set(
        db.session.scalars(
            select(Event.slug).where(
                (Event.slug == base) | Event.slug.like(f"{base}-%"),
                Event.id != (exclude_id or 0),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _choose_slug(wanted: str | None, title: str, event: Event | None) -> str:
    """Return the slug for ``event`` (None: a new one), given the organiser's ``wanted`` slug.

    Empty ``wanted``: generated from ``title`` and made unique. A published or
    cancelled activity keeps its slug (raises :class:`SlugLocked` on a change).
    """
    wanted = (wanted or "").strip().lower()
    if event is not None and event.status != EventStatus.DRAFT:
        if wanted and wanted != event.slug:
            raise SlugLocked()
        return event.slug
    exclude = event.id if event is not None else None
    if not wanted:
        if event is not None and event.slug == unique_slug(slugify(title), exclude):
            return event.slug
        return unique_slug(slugify(title), exclude)
    if len(wanted) > SLUG_MAX or not SLUG_PATTERN.match(wanted):
        raise SlugInvalid()
    if _slug_in_use(wanted, exclude):
        raise SlugTaken(wanted)
    return wanted


@dataclass
class EventDetails:
    """What an organiser enters for an activity; times aware UTC (see :func:`brussels_to_utc`)."""

    title: str
    type: EventType
    region: Region
    themes: list[Theme]
    starts_at: dt.datetime
    ends_at: dt.datetime
    organisations: list[Organisation] = field(default_factory=list)
    summary: str = ""
    description: str = ""
    is_all_day: bool = False
    venue_name: str = ""
    venue_address: str = ""
    is_online: bool = False
    online_url: str = ""
    capacity: int | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    visibility: Visibility = Visibility.PUBLIC
    invited_emails: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, event: Event) -> EventDetails:
        """Return the details of an existing ``event`` (for copying)."""
        invited = db.session.scalars(
            select(Invitation.email)
            .where(Invitation.event_id == event.id, Invitation.status != InvitationStatus.WITHDRAWN)
            .order_by(Invitation.id)
        ).all()
        return cls(
            title=event.title,
            type=EventType(event.type),
            region=event.region,
            themes=list(event.themes),
            organisations=list(event.organisations),
            summary=event.summary,
            description=event.description,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            is_all_day=event.is_all_day,
            venue_name=event.venue_name,
            venue_address=event.venue_address,
            is_online=event.is_online,
            online_url=event.online_url,
            capacity=event.capacity,
            registration_opens_at=event.registration_opens_at,
            registration_closes_at=event.registration_closes_at,
            visibility=Visibility(event.visibility),
            invited_emails=list(invited),
        )


TIME_FIELDS = ("starts_at", "ends_at", "is_all_day")


PLACE_FIELDS = ("venue_name", "venue_address", "is_online", "online_url")


_PLAIN_FIELDS = (
    "title",
    "type",
    "summary",
    "description",
    *TIME_FIELDS,
    *PLACE_FIELDS,
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
)


def _check(details: EventDetails) -> None:
    if details.ends_at <= details.starts_at:
        raise InvalidPeriod()
    opens, closes = details.registration_opens_at, details.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise InvalidRegistrationPeriod()
    if not details.is_online and not details.venue_name.strip():
        raise VenueMissing()


def _apply(event: Event, details: EventDetails) -> None:
    for name in _PLAIN_FIELDS:
        setattr(event, name, getattr(details, name))
    event.region = details.region
    event.network = details.region.network
    event.themes = list(details.themes)
    event.organisations = list(details.organisations)
    event.description_html = render_markdown(details.description)
    if not details.is_online:
        event.online_url = ""


def _sync_invitations(event: Event, emails: list[str]) -> None:
    """Make the live invitations of ``event`` exactly ``emails`` (compared case-insensitively).

    An address left out is withdrawn (its answer stays on record, issue 17); one listed
    again after a withdrawal is invited again. No mail goes out from here: the
    invitations page (``events.invitations``) mails them.
    """
    wanted = {e.strip().lower(): e.strip() for e in emails if e.strip()}
    existing = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)).all()
    for invitation in existing:
        if invitation.email.lower() not in wanted:
            if invitation.status != InvitationStatus.WITHDRAWN:
                invitation.status = InvitationStatus.WITHDRAWN
        else:
            wanted.pop(invitation.email.lower())
            if invitation.status == InvitationStatus.WITHDRAWN:
                invitation.status = InvitationStatus.INVITED
                invitation.created_at = utcnow()
                invitation.sent_at = invitation.responded_at = invitation.reminded_at = None
    for email in wanted.values():
        db.session.add(Invitation(event_id=event.id, email=email))


def create_event(details: EventDetails, *, slug: str | None = None) -> Event:
    """Add a new draft activity from ``details`` and return it (flushed, with its id).

    ``slug`` empty: generated from the title and made unique. Raises
    :class:`InvalidPeriod`, :class:`InvalidRegistrationPeriod`,
    :class:`VenueMissing`, :class:`SlugInvalid` or :class:`SlugTaken`.
    """
    _check(details)
    event = Event(slug=_choose_slug(slug, details.title, None), status=EventStatus.DRAFT)
    _apply(event, details)
    db.session.add(event)
    db.session.flush()
    _sync_invitations(event, details.invited_emails)
    db.session.flush()
    log.info("event %s created as draft in region %s", event.slug, details.region.slug)
    return event


@dataclass
class EventUpdate:
    """What :func:`update_event` changed: time/place (participants told) and promotions."""

    time_or_place_changed: bool = False
    participants_notified: bool = False
    promoted: list[Registration] = field(default_factory=list)


def update_event(event: Event, details: EventDetails, *, slug: str | None = None) -> EventUpdate:
    """Change ``event`` to ``details``; return an :class:`EventUpdate`.

    ``revision`` (SEQUENCE in calendars, RFC 5545 3.8.7.4) grows when time or
    place change, not for other edits. When a published activity's time or
    place changed, its participants are told (``notify_event_changed``) and
    ``event_changed`` is sent. A higher capacity fills the freed seats from
    the waiting list (``fill_free_seats``). Raises the errors of
    :func:`create_event`, :class:`SlugLocked` for a published activity's slug,
    and :class:`CapacityBelowTaken` when fewer places than taken are asked.
    Takes ``event``'s row lock first: the activity form sent twice at once (a double
    click) saves twice, in turn, and the second compares against what the first saved.
    """
    _check(details)
    lock_for_update(event)
    new_slug = _choose_slug(slug, details.title, event)
    if details.capacity is not None and (
        event.capacity is None or details.capacity < event.capacity
    ):
        # Counted under the registration lock, so no registration slips in between.
        seats.lock_event(event)
        taken = seats.seats_taken(event)
        if details.capacity < taken:
            raise CapacityBelowTaken(details.capacity, taken)
    old_capacity = event.capacity
    changed = any(
        getattr(event, name) != getattr(details, name) for name in TIME_FIELDS + PLACE_FIELDS
    )
    event.slug = new_slug
    _apply(event, details)
    _sync_invitations(event, details.invited_emails)
    event.updated_at = utcnow()
    result = EventUpdate(time_or_place_changed=changed)
    if changed:
        event.revision += 1
    db.session.flush()
    if event.status != EventStatus.PUBLISHED:
        return result
    if changed:
        notifications.notify_event_changed(event)
        event_changed.send(event)
        result.participants_notified = True
        log.info("event %s changed time or place (revision %s)", event.slug, event.revision)
    grew = old_capacity is not None and (
        details.capacity is None or details.capacity > old_capacity
    )
    if grew:
        result.promoted = seats.fill_free_seats(event)
        for promoted in result.promoted:
            notifications.notify_promoted(promoted)
    return result


def publish_event(event: Event) -> Event:
    """Publish draft ``event``: it shows in the agenda and registration can open.

    Sends ``event_published`` with the event as sender (forums open its thread).
    Raises :class:`WrongStatus` when ``event`` is not a draft.
    """
    if event.status != EventStatus.DRAFT:
        raise WrongStatus(_("Alleen een ontwerp kan gepubliceerd worden."))
    event.status = EventStatus.PUBLISHED
    event.revision += 1
    event.updated_at = utcnow()
    db.session.flush()
    event_published.send(event)
    log.info("event %s published", event.slug)
    return event


def cancel_event(event: Event, message: str) -> Event:
    """Cancel published ``event``, telling every registrant ``message``.

    Invitees who have not answered hold the invitation's .ics in their calendar:
    they get the cancellation too (``events.invitations.notify_cancelled``).

    The activity stays visible as cancelled and registration closes (issue 3,
    "Organiser tools"); ``revision`` grows so calendars show STATUS:CANCELLED.
    Sends ``event_changed``. Raises :class:`WrongStatus` for a draft (delete
    it instead) or an activity that is already cancelled.
    """
    if event.status == EventStatus.CANCELLED:
        raise WrongStatus(_("Deze activiteit is al geannuleerd."))
    if event.status == EventStatus.DRAFT:
        raise WrongStatus(_("Een ontwerp annuleer je niet: verwijder het."))
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.cancellation_message = message
    event.is_registration_closed = True
    event.revision += 1
    event.updated_at = utcnow()
    db.session.flush()
    notifications.notify_event_cancelled(event, message)
    invitations.notify_cancelled(event, message)  # issue 17: the unanswered invitees too
    event_changed.send(event)
    log.info("event %s cancelled", event.slug)
    return event


def delete_event(event: Event) -> None:
    """Delete draft ``event`` with its programme, questions and invitations.

    Raises :class:`WrongStatus` for a published or cancelled activity: those
    have participants and links, and are cancelled instead (HTTP 409).
    """
    if event.status != EventStatus.DRAFT:
        raise WrongStatus(
            _(
                "Alleen een ontwerp kan verwijderd worden. Een gepubliceerde activiteit "
                "annuleer je, zodat deelnemers op de hoogte zijn."
            )
        )
    registration_ids = select(Registration.id).where(Registration.event_id == event.id)
    # SQLite enforces no foreign-key cascades here, so remove the dependants explicitly.
    db.session.execute(
        delete(WorkshopChoice).where(WorkshopChoice.registration_id.in_(registration_ids))
    )
    for model in (Registration, Invitation, EventMaterial):
        db.session.execute(delete(model).where(model.event_id == event.id))
    slug = event.slug
    db.session.delete(event)
    db.session.flush()
    log.info("draft event %s deleted", slug)


def copy_event(event: Event, *, days: int, title: str | None = None) -> Event:
    """Return a new draft copied from ``event``, moved ``days`` calendar days later.

    Copies the fields, programme, questions and invitations; keeps the Brussels
    wall-clock times (a 14:00 activity stays 14:00 across a change to summer
    time) and takes a new slug from the (new) title. Raises
    :class:`NonexistentLocalTime` when a moved time falls in the spring gap.
    """
    details = EventDetails.of(event)
    details.title = title or event.title
    details.starts_at = _shift_local(event.starts_at, days, "starts_at")
    details.ends_at = _shift_local(event.ends_at, days, "ends_at")
    details.registration_opens_at = _shift_local(
        event.registration_opens_at, days, "registration_opens_at"
    )
    details.registration_closes_at = _shift_local(
        event.registration_closes_at, days, "registration_closes_at"
    )
    programme = [
        (item, _shift_local(item.starts_at, days, None), _shift_local(item.ends_at, days, None))
        for item in event.programme
    ]
    copy = create_event(details)
    for item, starts_at, ends_at in programme:
        copy.programme.append(
            ProgrammeItem(
                position=item.position,
                starts_at=starts_at,
                ends_at=ends_at,
                title=item.title,
                kind=item.kind,
                speakers=item.speakers,
                room=item.room,
                description=item.description,
                capacity=item.capacity,
            )
        )
    for question in event.questions:
        copy.questions.append(
            EventQuestion(
                position=question.position,
                label=question.label,
                kind=question.kind,
                choices=list(question.choices or []),
                is_required=question.is_required,
            )
        )
    db.session.flush()
    log.info("event %s copied to %s (%+d days)", event.slug, copy.slug, days)
    return copy


def close_registration(event: Event) -> None:
    """Close registration for ``event`` now, before its deadline (issue 3, "Organiser tools")."""
    event.is_registration_closed = True
    event.updated_at = utcnow()
    db.session.flush()
    log.info("registration closed early for %s", event.slug)


def reopen_registration(event: Event) -> None:
    """Open registration again after :func:`close_registration`.

    Raises :class:`WrongStatus` for a cancelled activity (registration stays closed).
    """
    if event.status == EventStatus.CANCELLED:
        raise WrongStatus(_("Een geannuleerde activiteit kan geen inschrijvingen meer openen."))
    event.is_registration_closed = False
    event.updated_at = utcnow()
    db.session.flush()
    log.info("registration reopened for %s", event.slug)
