"""Organiser tools: create, edit, publish, copy, cancel and delete activities; programme, questions.

Functions here never touch ``request``, ``session`` or ``flash``; they add and
flush (the view commits once) and raise :class:`OrganiserError` subclasses,
whose ``message`` the view shows. Times are aware UTC datetimes; the local
time organisers type is Europe/Brussels (DESIGN.md, "Who uses it").
Rules come from issue 3, "Organiser tools" and "Bad input".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import queue_mail
from community.core.markup import render_markdown
from community.models import Organisation, Region, Theme

from . import notifications
from . import registration as seats
from .models import (
    Event,
    EventMaterial,
    EventQuestion,
    EventStatus,
    EventType,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
    WorkshopChoice,
)
from .signals import event_changed, event_published

log = logging.getLogger(__name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
SLUG_MAX = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- errors -------------------------------------------------------------------


class OrganiserError(Exception):
    """Base of the organiser errors; ``field`` names the input at fault (or None)."""

    field: str | None = None

    @property
    def message(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class NonexistentLocalTime(OrganiserError):
    """A local date and time that does not exist in Europe/Brussels.

    On the last Sunday of March the clocks jump from 02:00 to 03:00, so e.g.
    28 March 2027 02:30 never happens there (EU Directive 2000/84/EC, art. 2).
    """

    def __init__(self, value: dt.datetime, field: str | None = None) -> None:
        super().__init__(f"{value.isoformat()} does not exist in Europe/Brussels")
        self.value = value
        self.field = field

    @property
    def message(self) -> str:
        return _(
            "%(date)s om %(time)s bestaat niet in Brussel: die nacht springt de klok "
            "van 02:00 naar 03:00 (zomeruur). Kies een ander uur.",
            date=self.value.strftime("%d-%m-%Y"),
            time=self.value.strftime("%H:%M"),
        )


class InvalidPeriod(OrganiserError):
    """The end of an activity (or programme item) is not after its start."""

    field = "ends_at"

    @property
    def message(self) -> str:
        return _("Het einde moet na het begin liggen.")


class InvalidRegistrationPeriod(OrganiserError):
    """Registration closes before it opens."""

    field = "registration_closes_at"

    @property
    def message(self) -> str:
        return _("De inschrijvingen kunnen niet sluiten voor ze openen.")


class VenueMissing(OrganiserError):
    """An activity on location without a venue name."""

    field = "venue_name"

    @property
    def message(self) -> str:
        return _("Vul de locatie in, of duid aan dat de activiteit online is.")


class CapacityBelowTaken(OrganiserError):
    """The new capacity is lower than the places already taken (confirmed or held)."""

    field = "capacity"

    def __init__(self, capacity: int, taken: int) -> None:
        super().__init__(f"capacity {capacity} below {taken} places taken")
        self.capacity = capacity
        self.taken = taken

    @property
    def message(self) -> str:
        return _(
            "Er zijn al %(taken)s plaatsen ingenomen; de capaciteit kan niet lager zijn. "
            "Annuleer eerst inschrijvingen als er minder plaatsen moeten zijn.",
            taken=self.taken,
        )


class SlugInvalid(OrganiserError):
    """A chosen web address (slug) with other characters than a-z, 0-9 and hyphens."""

    field = "slug"

    @property
    def message(self) -> str:
        return _(
            "Een webadres bestaat uit kleine letters, cijfers en koppeltekens "
            "(bijvoorbeeld netwerkmoment-gent-2027), hoogstens %(max)s tekens.",
            max=SLUG_MAX,
        )


class SlugTaken(OrganiserError):
    """Another activity already has this web address (slug)."""

    field = "slug"

    def __init__(self, slug: str) -> None:
        super().__init__(f"slug {slug!r} taken")
        self.slug = slug

    @property
    def message(self) -> str:
        return _(
            "Het webadres „%(slug)s” is al in gebruik door een andere activiteit. "
            "Kies een ander of laat het veld leeg.",
            slug=self.slug,
        )


class SlugLocked(OrganiserError):
    """The web address of a published activity stays stable (links and calendars use it)."""

    field = "slug"

    @property
    def message(self) -> str:
        return _(
            "Het webadres van een gepubliceerde activiteit verandert niet meer: "
            "links en agenda's van deelnemers gebruiken het."
        )


class WrongStatus(OrganiserError):
    """The action does not fit the activity's status (HTTP 409 in the views)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    @property
    def message(self) -> str:
        return self.text


class ProgrammeItemError(OrganiserError):
    """A programme item that does not fit its activity."""

    def __init__(self, text: str, field: str | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.field = field

    @property
    def message(self) -> str:
        return self.text


class QuestionError(ProgrammeItemError):
    """A registration question that cannot be saved as given."""


# --- local time -----------------------------------------------------------------


def brussels_to_utc(day: dt.date, time: dt.time | None = None, field: str | None = None):
    """Return the aware UTC datetime of local ``day`` at ``time`` (00:00 when None) in Brussels.

    Raises :class:`NonexistentLocalTime` for a time in the spring-forward gap
    (e.g. 2027-03-28 02:30). A time that occurs twice (the autumn night, 02:00
    to 03:00) is read as the first occurrence, summer time (PEP 495 ``fold=0``).
    """
    naive = dt.datetime.combine(day, time or dt.time(0, 0))
    aware = naive.replace(tzinfo=BRUSSELS, fold=0)
    result = aware.astimezone(dt.UTC)
    if result.astimezone(BRUSSELS).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(naive, field)
    return result


def to_brussels(value: dt.datetime) -> dt.datetime:
    """Return aware ``value`` in Europe/Brussels local time."""
    return value.astimezone(BRUSSELS)


def _shift_local(value: dt.datetime | None, days: int, field: str) -> dt.datetime | None:
    """Move ``value`` by ``days`` calendar days keeping its Brussels wall-clock time."""
    if value is None:
        return None
    local = to_brussels(value)
    return brussels_to_utc(local.date() + dt.timedelta(days=days), local.time(), field)


# --- slugs ------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Return a web address for ``text``: lowercase ASCII letters, digits and single hyphens.

    Accents are dropped ("Inspiratiedag één" → "inspiratiedag-een"); at most
    ``SLUG_MAX`` characters; "activiteit" when nothing usable remains.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug or "activiteit"


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


# --- create and edit ------------------------------------------------------------------


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
            select(Invitation.email).where(Invitation.event_id == event.id).order_by(Invitation.id)
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
    """Make the invitations of ``event`` exactly ``emails`` (compared case-insensitively)."""
    wanted = {e.strip().lower(): e.strip() for e in emails if e.strip()}
    existing = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)).all()
    for invitation in existing:
        if invitation.email.lower() not in wanted:
            db.session.delete(invitation)
        else:
            wanted.pop(invitation.email.lower())
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
    """
    _check(details)
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


# --- life cycle -------------------------------------------------------------------------


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


# --- programme and questions --------------------------------------------------------


@dataclass
class ProgrammeItemDetails:
    """A programme item as entered: times aware UTC, ``capacity`` only for workshops."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    kind: ProgrammeItemKind = ProgrammeItemKind.TALK
    speakers: str = ""
    room: str = ""
    description: str = ""
    capacity: int | None = None


def save_programme_item(
    event: Event, details: ProgrammeItemDetails, item: ProgrammeItem | None = None
) -> ProgrammeItem:
    """Add a programme item to ``event`` (``item`` None) or change ``item``; return it.

    Raises :class:`ProgrammeItemError` when the end is not after the start,
    the item falls outside the activity, or a capacity is given for another
    kind than a workshop.
    """
    if details.ends_at <= details.starts_at:
        raise ProgrammeItemError(_("Het einde moet na het begin liggen."), "end_time")
    if details.starts_at < event.starts_at or details.ends_at > event.ends_at:
        raise ProgrammeItemError(
            _("Een programmaonderdeel moet binnen het begin en einde van de activiteit vallen."),
            "start_time",
        )
    if details.capacity is not None and details.kind != ProgrammeItemKind.WORKSHOP:
        raise ProgrammeItemError(_("Alleen een workshop heeft een eigen capaciteit."), "capacity")
    if item is None:
        item = ProgrammeItem(position=len(event.programme), **vars(details))
        event.programme.append(item)
    else:
        for name, value in vars(details).items():
            setattr(item, name, value)
    event.updated_at = utcnow()
    db.session.flush()
    return item


def delete_programme_item(item: ProgrammeItem) -> None:
    """Remove ``item`` and the workshop choices made for it."""
    db.session.execute(delete(WorkshopChoice).where(WorkshopChoice.programme_item_id == item.id))
    event = item.event
    event.programme.remove(item)
    event.updated_at = utcnow()
    db.session.flush()


@dataclass
class QuestionDetails:
    """A registration question as entered; ``choices`` only for (multiple) choice questions."""

    label: str
    kind: QuestionKind = QuestionKind.TEXT
    choices: list[str] = field(default_factory=list)
    is_required: bool = False
    position: int | None = None


def save_question(
    event: Event, details: QuestionDetails, question: EventQuestion | None = None
) -> EventQuestion:
    """Add a question to ``event`` (``question`` None) or change ``question``; return it.

    A choice question needs at least two different choices; text and yes/no
    questions keep none. Raises :class:`QuestionError` otherwise.
    """
    choices = list(dict.fromkeys(c.strip() for c in details.choices if c.strip()))
    if details.kind in (QuestionKind.CHOICE, QuestionKind.CHOICES):
        if len(choices) < 2:
            raise QuestionError(
                _("Geef minstens twee verschillende keuzes, één per regel."), "choices"
            )
    else:
        choices = []
    position = details.position
    if question is None:
        if position is None:
            position = max((q.position for q in event.questions), default=0) + 1
        question = EventQuestion(position=position)
        event.questions.append(question)
    elif position is not None:
        question.position = position
    question.label = details.label
    question.kind = details.kind
    question.choices = choices
    question.is_required = details.is_required
    db.session.flush()
    return question


def delete_question(question: EventQuestion) -> None:
    """Remove ``question`` from its activity (answers already given stay in the registrations)."""
    question.event.questions.remove(question)
    db.session.flush()


# --- attendees -------------------------------------------------------------------------


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
        .where(Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED)
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
