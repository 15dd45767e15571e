"""Registration for activities: places, waiting list, guests, workshops, questions (issue 3).

Rules (issue 3, "Registration"):

- A signed-in user's registration is ``confirmed`` at once, or ``waitlisted``
  when the activity is full. A guest's is ``pending``: the place is held for
  48 hours (it counts against the capacity) until the guest confirms by the
  link in the mail. A guest on a full activity is ``waitlisted`` and must
  confirm too. ``pending_until`` is set while a guest has not confirmed the
  e-mail address; past it the registration is cancelled and its place freed.
- A colleague (``registered_by``) may register others of the same organisation;
  those are confirmed or waitlisted at once, each gets their own mails.
- The waiting list is served in arrival order, ``(created_at, id)``.
- No overbooking, ever: every function that gives or frees places first takes
  the activity's lock (:func:`lock_event`) and then counts and writes in the same
  transaction, so two requests never both see the last free place.

Every function only adds and flushes; the caller commits (and so releases the
lock). Mails are not sent here: callers use :mod:`events.notifications`
(``notify_registered``, ``notify_promoted``) on what these functions return.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from community.core.db import utcnow
from community.core.extensions import db
from community.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from community.models import User
from events.models import (
    Event,
    EventQuestion,
    EventStatus,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
    WorkshopChoice,
)
from events.permissions import can_manage_event

log = logging.getLogger(__name__)

#: How long a guest's place is held until the guest confirms (issue 3: 48 hours).
PENDING_HOLD = dt.timedelta(hours=48)

#: States that hold a place at the activity (a pending place only until ``pending_until``).
HOLDING = (RegistrationState.CONFIRMED, RegistrationState.PENDING)

MAX_TEXT_ANSWER = 2000  # characters


# --- errors -------------------------------------------------------------------


class RegistrationError(Exception):
    """Base of the registration domain errors; ``message`` is Dutch (translated), ``status``
    the HTTP status a view answers with."""

    status = 409
    default_message = _l("Deze inschrijving kan niet.")

    def __init__(self, message=None) -> None:
        self._message = message if message is not None else self.default_message
        super().__init__(type(self).__name__)  # the message is translated when shown

    @property
    def message(self) -> str:
        return str(self._message)


class ClosedReason(enum.StrEnum):
    """Why registration for an activity is closed."""

    NOT_PUBLISHED = "not_published"
    CANCELLED = "cancelled"
    CLOSED_EARLY = "closed_early"
    NOT_YET_OPEN = "not_yet_open"
    DEADLINE_PASSED = "deadline_passed"
    STARTED = "started"

    @property
    def message(self) -> str:
        return str(CLOSED_MESSAGES[self])


CLOSED_MESSAGES = {
    ClosedReason.NOT_PUBLISHED: _l("Deze activiteit is nog niet gepubliceerd."),
    ClosedReason.CANCELLED: _l("Deze activiteit is geannuleerd: inschrijven kan niet meer."),
    ClosedReason.CLOSED_EARLY: _l("De inschrijvingen voor deze activiteit zijn afgesloten."),
    ClosedReason.NOT_YET_OPEN: _l("De inschrijvingen voor deze activiteit zijn nog niet open."),
    ClosedReason.DEADLINE_PASSED: _l(
        "De uiterste inschrijvingsdatum voor deze activiteit is voorbij."
    ),
    ClosedReason.STARTED: _l(
        "Deze activiteit is al begonnen of voorbij: inschrijven kan niet meer."
    ),
}


class RegistrationClosed(RegistrationError):
    """Registration is closed; ``reason`` says why (deadline, start, cancelled...)."""

    status = 409

    def __init__(self, reason: ClosedReason) -> None:
        self.reason = reason
        super().__init__(CLOSED_MESSAGES[reason])


class AlreadyRegistered(RegistrationError):
    """This e-mail address (case-insensitive) already has a live registration for the activity."""

    status = 409
    default_message = _l(
        "Met dit e-mailadres is al iemand ingeschreven voor deze activiteit. "
        "Wil je je inschrijving aanpassen? Annuleer ze dan eerst via de link in je mail."
    )


class NotInvited(RegistrationError):
    """An ``invite_only`` activity and no invitation for this e-mail address."""

    status = 403
    default_message = _l(
        "Deze activiteit is enkel op uitnodiging. Voor dit e-mailadres is er geen uitnodiging."
    )


class NotSameOrganisation(RegistrationError):
    """A colleague tried to register others without an organisation on their own profile."""

    status = 422
    default_message = _l(
        "Je kunt enkel collega's van je eigen organisatie inschrijven. "
        "Vul eerst je organisatie in op je profiel."
    )


class InvalidAnswers(RegistrationError):
    """Answers to the activity's questions (or workshop choices) are missing or invalid.

    ``errors`` maps the question id (``str``) or ``"workshops"`` to a Dutch message
    (a lazy string: ``str()`` it in the recipient's locale).
    """

    status = 422
    default_message = _l("Sommige vragen zijn niet (goed) beantwoord.")

    def __init__(self, errors: dict) -> None:
        self.errors = errors
        super().__init__()


class EventFull(RegistrationError):
    """No free place (only raised by :func:`promote` without ``force``)."""

    status = 409
    default_message = _l("Er is geen vrije plaats meer voor deze activiteit.")


class NotWaitlisted(RegistrationError):
    """Only a registration on the waiting list can be promoted."""

    status = 409
    default_message = _l("Deze persoon staat niet op de wachtlijst.")


class CancellationClosed(RegistrationError):
    """The activity has started: a registration can no longer be cancelled."""

    status = 410
    default_message = _l("Deze activiteit is al begonnen of voorbij: annuleren kan niet meer.")


class ConfirmationExpired(RegistrationError):
    """A guest confirmed too late (after 48 hours); the place was released.

    ``promoted``: who moved up from the waiting list into the freed place (to mail).
    """

    status = 410
    default_message = _l(
        "Deze bevestigingslink is verlopen: je plaats werd na 48 uur vrijgegeven. "
        "Schrijf je opnieuw in als er nog plaats is."
    )

    def __init__(self, promoted: list | None = None) -> None:
        self.promoted = promoted or []
        super().__init__()


class LinkInvalid(RegistrationError):
    """A confirmation or cancel link that was forged, damaged or names no registration."""

    status = 404
    default_message = _l("Deze link is ongeldig. Kopieer de volledige link uit je mail.")


class LinkExpired(RegistrationError):
    """A cancel link of a registration that was since cancelled and made again, or too old."""

    status = 410
    default_message = _l(
        "Deze link is verlopen. Gebruik de link uit je meest recente mail over deze activiteit."
    )


# --- who registers --------------------------------------------------------------


@dataclass(frozen=True)
class GuestDetails:
    """A person registering without an account (or registered by a colleague).

    ``sector`` is a ``community.models.Sector`` value or ""; ``language`` the
    language of their mails ("nl", "en").
    """

    name: str
    email: str
    organisation_name: str = ""
    sector: str = ""
    job_title: str = ""
    organisation_id: int | None = None
    language: str = "nl"


# --- open or closed -------------------------------------------------------------


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


# --- counting -----------------------------------------------------------------


def _holds_place(now: dt.datetime):
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
        .where(Registration.event_id.in_(ids), _holds_place(now or utcnow()))
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
    return db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event.id,
            Registration.state == RegistrationState.WAITLISTED,
        )
    )


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
        .where(Registration.event_id == Event.id, _holds_place(now))
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


# --- the lock -------------------------------------------------------------------

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
    and the public feeds' ETag stay; the personal feed follows ``seats_version``).
    """
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(seats_version=Event.seats_version + 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, attribute_names=_LOCKED_COLUMNS)


def _release_expired(event: Event, now: dt.datetime) -> list[Registration]:
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


def _seat(registration: Registration, now: dt.datetime) -> None:
    """Give ``registration`` a place: confirmed, or pending while a guest has not confirmed."""
    if registration.pending_until is not None:
        registration.state = RegistrationState.PENDING
        registration.pending_until = max(registration.pending_until, now + PENDING_HOLD)
    else:
        registration.state = RegistrationState.CONFIRMED
        registration.confirmed_at = now


def _count_held(event: Event, now: dt.datetime) -> int:
    db.session.flush()
    return db.session.scalar(
        select(func.count()).where(Registration.event_id == event.id, _holds_place(now))
    )


def _fill_locked(event: Event, now: dt.datetime) -> list[Registration]:
    """Promote from the waiting list while places are free (lock held); return the promoted."""
    _release_expired(event, now)
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
            free = event.capacity - _count_held(event, now)
            query = query.limit(max(free, 0))
        if event.capacity is None or free > 0:
            for registration in db.session.scalars(query).all():
                _seat(registration, now)
                promoted.append(registration)
                log.info("registration %s promoted (event %s)", registration.id, event.id)
    db.session.flush()
    _fill_workshops_locked(event)
    return promoted


def _fill_workshops_locked(event: Event) -> list[WorkshopChoice]:
    """Give free workshop places to waiting choices of seated registrations, in arrival order."""
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
        if capacity.get(item_id) is None or taken.get(item_id, 0) < capacity[item_id]:
            choice.state = RegistrationState.CONFIRMED
            taken[item_id] = taken.get(item_id, 0) + 1
            seated.append(choice)
    db.session.flush()
    return seated


# --- answers and workshops ------------------------------------------------------

YES = {"ja", "yes", "y", "1", "true", "on"}
NO = {"nee", "no", "n", "0", "false", "off"}


def validate_answers(questions: list[EventQuestion], answers: dict | None) -> dict[str, Any]:
    """Return the cleaned answers ``{str(question.id): value}`` to ``questions``.

    Values: text → str (stripped, at most 2,000 characters), choice → one of the
    question's choices, choices → list of them, yes_no → True/False; an
    unanswered optional question is left out. Keys may be ints or strings;
    answers to unknown questions are ignored. Raises :class:`InvalidAnswers`
    with a Dutch message per question that is required and unanswered or
    whose answer is not allowed.
    """
    answers = answers or {}
    clean: dict[str, Any] = {}
    errors: dict = {}
    for question in questions:
        key = str(question.id)
        raw = answers.get(key, answers.get(question.id))
        label = question.label
        value: Any = None
        if question.kind == QuestionKind.TEXT:
            value = str(raw or "").strip()
            if len(value) > MAX_TEXT_ANSWER:
                errors[key] = _l(
                    "Je antwoord op „%(label)s” mag hoogstens %(max)s tekens lang zijn.",
                    label=label,
                    max=MAX_TEXT_ANSWER,
                )
                continue
        elif question.kind == QuestionKind.CHOICE:
            value = str(raw or "").strip()
            if value and value not in question.choices:
                errors[key] = _l("Kies bij „%(label)s” een van de mogelijkheden.", label=label)
                continue
        elif question.kind == QuestionKind.CHOICES:
            items = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
            value = [str(item) for item in items if str(item)]
            if any(item not in question.choices for item in value):
                errors[key] = _l(
                    "Kies bij „%(label)s” alleen mogelijkheden uit de lijst.", label=label
                )
                continue
        elif question.kind == QuestionKind.YES_NO:
            if isinstance(raw, bool):
                value = raw
            elif str(raw or "").strip().lower() in YES:
                value = True
            elif str(raw or "").strip().lower() in NO:
                value = False
            elif raw not in (None, ""):
                errors[key] = _l("Antwoord bij „%(label)s” met ja of nee.", label=label)
                continue
        if value in (None, "", []):
            if question.is_required:
                errors[key] = _l("Beantwoord de vraag „%(label)s”.", label=label)
            continue
        clean[key] = value
    if errors:
        raise InvalidAnswers(errors)
    return clean


def workshops_of(event: Event) -> list[ProgrammeItem]:
    """Return the programme items of ``event`` one can choose at registration (kind workshop)."""
    return [item for item in event.programme if item.kind == ProgrammeItemKind.WORKSHOP]


def _chosen_workshops(event: Event, workshop_ids) -> list[ProgrammeItem]:
    """Return the chosen workshops; raise :class:`InvalidAnswers` if unknown or overlapping."""
    ids = list(dict.fromkeys(int(i) for i in workshop_ids or ()))
    by_id = {item.id: item for item in workshops_of(event)}
    if any(i not in by_id for i in ids):
        raise InvalidAnswers({"workshops": _l("Deze workshop hoort niet bij deze activiteit.")})
    chosen = sorted((by_id[i] for i in ids), key=lambda item: item.starts_at)
    for earlier, later in zip(chosen, chosen[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            raise InvalidAnswers(
                {
                    "workshops": _l(
                        "„%(a)s” en „%(b)s” lopen tegelijk: kies één workshop per tijdsblok.",
                        a=earlier.title,
                        b=later.title,
                    )
                }
            )
    return chosen


# --- registering ----------------------------------------------------------------


def _is_invited(event: Event, email: str) -> bool:
    return (
        db.session.scalar(
            select(Invitation.id).where(
                Invitation.event_id == event.id, func.lower(Invitation.email) == email.lower()
            )
        )
        is not None
    )


def _person(user: User | None, guest: GuestDetails | None, registered_by: User | None) -> dict:
    """Return the registration's personal fields from the user or the guest details."""
    if (user is None) == (guest is None):
        raise ValueError("register() needs exactly one of user= or guest=")
    if user is not None:
        return {
            "user_id": user.id,
            "name": user.display_name,
            "email": user.email.strip(),
            "organisation_id": user.organisation_id,
            "organisation_name": user.organisation.name if user.organisation else "",
            "sector": user.sector or "",
            "job_title": user.job_title or "",
            "language": user.locale or "nl",
        }
    values = {
        "user_id": None,
        "name": guest.name.strip(),
        "email": guest.email.strip(),
        "organisation_id": guest.organisation_id,
        "organisation_name": guest.organisation_name.strip(),
        "sector": guest.sector or "",
        "job_title": guest.job_title.strip(),
        "language": guest.language or "nl",
    }
    account = db.session.scalar(
        select(User).where(func.lower(User.email) == values["email"].lower())
    )
    if account is not None:
        values["user_id"] = account.id
        values["language"] = account.locale or values["language"]
    return values


def register(
    event: Event,
    *,
    user: User | None = None,
    guest: GuestDetails | None = None,
    registered_by: User | None = None,
    answers: dict | None = None,
    workshop_ids=(),
    is_listed: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a signed-in ``user`` or a ``guest`` for ``event``; return the registration.

    - ``user``: confirmed at once, or waitlisted when the activity is full.
    - ``guest`` alone: ``pending`` (place held for 48 hours, ``pending_until``) or
      waitlisted when full; either way the guest must confirm the e-mail address
      with :func:`confirm_guest`.
    - ``guest`` with ``registered_by`` (a signed-in colleague): confirmed or
      waitlisted at once; the guest's organisation is the colleague's
      (coordinators of the event may register anyone).
    - ``workshop_ids``: chosen workshops (programme items of kind workshop); each
      choice gets a workshop place, or waits for one, in arrival order.

    Registering again after cancelling reuses the row, at the back of the queue.
    ``now`` is an aware UTC datetime (default: the current time).

    Raises :class:`RegistrationClosed`, :class:`NotInvited` (invite-only and the
    e-mail has no ``Invitation``; coordinators of the event may always register),
    :class:`AlreadyRegistered` (same e-mail, any case), :class:`InvalidAnswers`,
    :class:`NotSameOrganisation`. Nothing is written when it raises.
    """
    given_now = now
    now = now or utcnow()
    reason = closed_reason(event, now)
    if reason is not None:
        raise RegistrationClosed(reason)
    person = _person(user, guest, registered_by)
    acting = user or registered_by
    is_manager = acting is not None and can_manage_event(acting, event)
    if registered_by is not None and guest is not None and not is_manager:
        if registered_by.organisation_id is None:
            raise NotSameOrganisation()
        person["organisation_id"] = registered_by.organisation_id
        person["organisation_name"] = registered_by.organisation.name
    clean_answers = validate_answers(event.questions, answers)
    workshops = _chosen_workshops(event, workshop_ids)
    if (
        event.visibility == Visibility.INVITE_ONLY
        and not is_manager
        and not _is_invited(event, person["email"])
    ):
        raise NotInvited()

    lock_event(event)
    now = given_now or utcnow()  # arrival order is the order in which the lock was taken
    reason = closed_reason(event, now)
    if reason is not None:
        raise RegistrationClosed(reason)
    _release_expired(event, now)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            func.lower(Registration.email) == person["email"].lower(),
        )
    )
    if registration is not None and registration.state != RegistrationState.CANCELLED:
        raise AlreadyRegistered()
    if registration is None:
        registration = Registration(event_id=event.id)
        db.session.add(registration)
    elif registration.workshop_choices:
        registration.workshop_choices = []
        db.session.flush()
    for name, value in person.items():
        setattr(registration, name, value)
    registration.event = event
    registration.registered_by_id = registered_by.id if registered_by is not None else None
    registration.answers = clean_answers
    registration.is_listed = is_listed
    registration.created_at = now
    registration.cancelled_at = registration.confirmed_at = None
    registration.reminder_sent_at = registration.attended = None
    needs_confirmation = guest is not None and registered_by is None
    registration.pending_until = now + PENDING_HOLD if needs_confirmation else None
    registration.state = RegistrationState.WAITLISTED  # holds no place while counting
    full = event.capacity is not None and _count_held(event, now) >= event.capacity
    if not full:
        _seat(registration, now)
    for item in workshops:
        registration.workshop_choices.append(
            WorkshopChoice(programme_item_id=item.id, state=RegistrationState.WAITLISTED)
        )
    db.session.flush()
    if registration.state in HOLDING:
        _fill_workshops_locked(event)
    log.info("registration %s for event %s: %s", registration.id, event.id, registration.state)
    return registration


def register_group(
    event: Event,
    *,
    registered_by: User,
    guests: list[GuestDetails],
    include_self: bool = False,
    answers: dict | None = None,
    workshop_ids=(),
    is_listed: bool = False,
    now: dt.datetime | None = None,
) -> list[Registration]:
    """Register ``registered_by`` (when ``include_self``) and colleagues ``guests`` at once.

    All in the caller's transaction under one lock, in the order given: when
    the places run out midway, the rest go to the waiting list (case K1a).
    The answers and workshops apply to ``registered_by`` only. Raises what
    :func:`register` raises; then the caller rolls back and nothing is kept.
    """
    registrations = []
    if include_self:
        registrations.append(
            register(
                event,
                user=registered_by,
                answers=answers,
                workshop_ids=workshop_ids,
                is_listed=is_listed,
                now=now,
            )
        )
    seen = {registered_by.email.lower()} if include_self else set()
    for guest in guests:
        if guest.email.strip().lower() in seen:
            raise AlreadyRegistered()
        seen.add(guest.email.strip().lower())
        registrations.append(register(event, guest=guest, registered_by=registered_by, now=now))
    return registrations


# --- confirming, cancelling, promoting ------------------------------------------


# Links in mails: signed tokens naming the registration and its arrival time, so
# a link of a registration that was cancelled and made again no longer works.
CONFIRM_PURPOSE = "registration-confirm"
CANCEL_PURPOSE = "registration-cancel"
LINK_MAX_AGE = 2 * 365 * 24 * 3600  # seconds; cancel links stop working when the event starts
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _stamp(registration: Registration) -> int:
    return (registration.created_at - _EPOCH) // dt.timedelta(microseconds=1)


def confirmation_token(registration: Registration) -> str:
    """Return the signed token of the guest's confirmation link."""
    return make_token(CONFIRM_PURPOSE, {"r": registration.id, "t": _stamp(registration)})


def cancel_token(registration: Registration) -> str:
    """Return the signed token of the registration's cancel link (works without login)."""
    return make_token(CANCEL_PURPOSE, {"r": registration.id, "t": _stamp(registration)})


def registration_from_token(purpose: str, token: str) -> Registration:
    """Return the registration a confirmation or cancel ``token`` names.

    Raises :class:`LinkInvalid` (forged, damaged, unknown registration) or
    :class:`LinkExpired` (too old, or the registration was cancelled and made
    again since the link was sent).
    """
    try:
        payload = read_token(purpose, token, max_age=LINK_MAX_AGE)
    except TokenExpired:
        raise LinkExpired() from None
    except TokenInvalid:
        raise LinkInvalid() from None
    registration = db.session.get(Registration, payload.get("r")) if payload.get("r") else None
    if registration is None:
        raise LinkInvalid()
    if payload.get("t") != _stamp(registration):
        raise LinkExpired()
    return registration


def confirm_guest(token: str, now: dt.datetime | None = None) -> Registration:
    """Confirm the guest registration named by the confirmation link ``token``; return it.

    Raises :class:`LinkInvalid`, :class:`LinkExpired`, or
    :class:`ConfirmationExpired` after 48 hours (the place is then released;
    the caller commits anyway). See :func:`confirm_registration`.
    """
    return confirm_registration(registration_from_token(CONFIRM_PURPOSE, token), now)


def confirm_registration(
    registration: Registration, now: dt.datetime | None = None
) -> Registration:
    """Confirm a guest's e-mail address; return the registration, now confirmed or waitlisted.

    A pending place becomes ``confirmed``; a waitlisted guest stays on the
    waiting list, confirmed for promotion. Confirming twice is harmless. After
    ``pending_until`` (48 hours) raises :class:`ConfirmationExpired`: the place
    is released and given to the waiting list (the caller commits anyway and
    mails ``error.promoted``). A cancelled registration raises :class:`LinkExpired`.
    """
    now = now or utcnow()
    event = registration.event
    lock_event(event)
    db.session.refresh(registration)
    if registration.state == RegistrationState.CANCELLED:
        raise LinkExpired()
    if registration.pending_until is None:
        return registration
    if registration.pending_until <= now:
        raise ConfirmationExpired(_fill_locked(event, now))
    registration.pending_until = None
    if registration.state == RegistrationState.PENDING:
        registration.state = RegistrationState.CONFIRMED
        registration.confirmed_at = now
    db.session.flush()
    log.info("guest registration %s confirmed: %s", registration.id, registration.state)
    return registration


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
    return _fill_locked(event, now)


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
    if not force and event.capacity is not None and _count_held(event, now) >= event.capacity:
        raise EventFull()
    _seat(registration, now)
    db.session.flush()
    _fill_workshops_locked(event)
    log.info("registration %s promoted by hand (force=%s)", registration.id, force)


def fill_free_seats(event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """Promote from the waiting list in arrival order while places are free; return the promoted.

    For use after the capacity was raised, places were released, or a
    workshop grew. Also releases guest places whose 48 hours passed. Nobody is
    promoted on a cancelled, unpublished or started activity.
    """
    now = now or utcnow()
    lock_event(event)
    return _fill_locked(event, now)


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
