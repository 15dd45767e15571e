"""Registering a person (member, guest or colleagues) with their answers and workshop choices."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.db import utcnow
from community.core.extensions import db
from events.models import (
    Event,
    EventQuestion,
    Invitation,
    InvitationStatus,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
    WorkshopChoice,
)
from events.permissions import can_manage_event
from events.registration.availability import HOLDING, PENDING_HOLD, closed_reason
from events.registration.errors import (
    AlreadyRegistered,
    InvalidAnswers,
    NotInvited,
    NotSameOrganisation,
    RegistrationClosed,
)
from events.registration.ownership import verified_account_of
from events.registration.seats import (
    count_held,
    fill_workshops_locked,
    lock_event,
    release_expired_holds,
    take_seat,
)

log = logging.getLogger(__name__)


MAX_TEXT_ANSWER = 2000  # characters


@dataclass(frozen=True)
class GuestDetails:
    """A person registering without an account (or registered by a colleague).

    ``sector`` is a ``community.accounts.models.Sector`` value or ""; ``language`` the
    language of their mails ("nl", "en").
    """

    name: str
    email: str
    organisation_name: str = ""
    sector: str = ""
    job_title: str = ""
    organisation_id: int | None = None
    language: str = "nl"


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


def _is_invited(event: Event, email: str) -> bool:
    """True when ``email`` holds an invitation to ``event`` that was not withdrawn."""
    return (
        db.session.scalar(
            select(Invitation.id).where(
                Invitation.event_id == event.id,
                func.lower(Invitation.email) == email.lower(),
                Invitation.status != InvitationStatus.WITHDRAWN,
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
    assert guest is not None  # exactly one of the two (checked above)
    values: dict[str, Any] = {
        "user_id": None,
        "name": guest.name.strip(),
        "email": guest.email.strip(),
        "organisation_id": guest.organisation_id,
        "organisation_name": guest.organisation_name.strip(),
        "sector": guest.sector or "",
        "job_title": guest.job_title.strip(),
        "language": guest.language or "nl",
    }
    account = verified_account_of(values["email"])  # issue 13: never an unverified one
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
    address_confirmed: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Register a signed-in ``user`` or a ``guest`` for ``event``; return the registration.

    - ``user``: confirmed at once, or waitlisted when the activity is full.
    - ``guest`` alone: ``pending`` (place held for 48 hours, ``pending_until``) or
      waitlisted when full; either way the guest must confirm the e-mail address
      with :func:`confirm_guest`. With ``address_confirmed`` (the guest answered an
      invitation by the signed link mailed to this address: ``events.invitations``)
      the guest has shown to read the mailbox and is confirmed or waitlisted at once.
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
        assert registered_by.organisation is not None  # organisation_id is set
        person["organisation_id"] = registered_by.organisation_id
        person["organisation_name"] = registered_by.organisation.name
    clean_answers = validate_answers(event.questions, answers)
    workshops = _chosen_workshops(event, workshop_ids)
    if (
        event.visibility == Visibility.INVITE_ONLY
        and not is_manager
        # An invitation is to an address: a signed-in account must have verified it.
        and not ((user is None or user.is_verified) and _is_invited(event, person["email"]))
    ):
        raise NotInvited()

    lock_event(event)
    now = given_now or utcnow()  # arrival order is the order in which the lock was taken
    reason = closed_reason(event, now)
    if reason is not None:
        raise RegistrationClosed(reason)
    release_expired_holds(event, now)
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
    needs_confirmation = guest is not None and registered_by is None and not address_confirmed
    registration.pending_until = now + PENDING_HOLD if needs_confirmation else None
    registration.state = RegistrationState.WAITLISTED  # holds no place while counting
    full = event.capacity is not None and count_held(event, now) >= event.capacity
    if not full:
        take_seat(registration, now)
    for item in workshops:
        registration.workshop_choices.append(
            WorkshopChoice(programme_item_id=item.id, state=RegistrationState.WAITLISTED)
        )
    db.session.flush()
    if registration.state in HOLDING:
        fill_workshops_locked(event, quiet=registration)
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
