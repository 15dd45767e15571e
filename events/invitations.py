"""Invitations with an RSVP (issue 17): invite, accept, decline, remind once, withdraw.

Rules (issue 17, "Invitations with RSVP"):

- An organiser invites people to a published activity that has not started: members
  (their account's address), every member of an organisation, or e-mail addresses of
  people without an account. One invitation per address per activity (any case); an
  address invited before is not mailed twice (a withdrawn one is invited anew).
- Each invitee gets a mail with the activity, an .ics with ``METHOD:REQUEST`` (RFC
  5546 3.2.2; the activity's stable UID and SEQUENCE, as the feeds have them) and
  accept/decline links that work without signing in: a signed token naming the
  invitation and the moment it was made. A GET shows a page with buttons; only the
  POST answers (mail scanners open links).
- Accepting registers the person (``events.registration.register``: capacity and
  waiting list apply; the link proved the address, so a guest is not asked to
  confirm it again). Declining is recorded and frees a place taken by an earlier
  "yes". The organiser may remind those who have not answered, once, and withdraw an
  invitation (a registration made by accepting it is then cancelled).

Functions add and flush; the caller commits. Mails are queued through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from icalendar import vCalAddress, vText
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import Organisation, User
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.i18n import LOCALES
from community.core.mail.outbox import queue_mail
from community.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from events import registration as seats
from events.calendar.ical import CALENDAR_MIMETYPE, calendar_of, event_component
from events.models import (
    Event,
    EventStatus,
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationState,
)

log = logging.getLogger(__name__)

PURPOSE = "invitation-rsvp"

LINK_MAX_AGE = 2 * 365 * 24 * 3600  # seconds; answering stops anyway when the activity starts

MAX_EMAILS = 200  # addresses in one go, so one form cannot mail a whole mailing list

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class InvitationError(DomainError):
    """Base of the invitation errors (a Dutch message, an HTTP status)."""

    status = 409
    text = _l("Deze uitnodiging kan niet.")


class NothingToInvite(InvitationError):
    """The organiser chose no member, organisation or address."""

    status = 422
    field = "emails"
    text = _l("Kies minstens één lid of organisatie, of geef een e-mailadres.")


class TooManyAddresses(InvitationError):
    """More addresses than :data:`MAX_EMAILS` at once."""

    status = 422
    field = "emails"
    text = _l("Nodig hoogstens %(max)s e-mailadressen tegelijk uit.")


class InvitingClosed(InvitationError):
    """Only a published activity that has not started takes invitations."""

    text = _l("Uitnodigen kan alleen voor een gepubliceerde activiteit die nog niet begonnen is.")


class AnsweringClosed(InvitationError):
    """The activity started or was cancelled: the invitation can no longer be answered."""

    status = 410
    text = _l("Deze activiteit is geannuleerd, al begonnen of voorbij: antwoorden kan niet meer.")


class InvitationWithdrawn(InvitationError):
    """The organiser withdrew this invitation."""

    status = 410
    text = _l("Deze uitnodiging werd door de organisator ingetrokken.")


class AlreadyReminded(InvitationError):
    """An invitee is reminded once (issue 17)."""

    text = _l("%(email)s kreeg al een herinnering.")


class NotSilent(InvitationError):
    """Only invitations without an answer get a reminder."""

    text = _l("%(email)s heeft al geantwoord: een herinnering is niet nodig.")


class InvitationLinkInvalid(InvitationError):
    """A forged, damaged or unknown invitation link."""

    status = 404
    text = _l("Deze link is ongeldig. Kopieer de volledige link uit je mail.")


class InvitationLinkExpired(InvitationError):
    """A link of an earlier invitation of the same address (withdrawn and invited again)."""

    status = 410
    text = _l("Deze link is verlopen. Gebruik de link uit je meest recente uitnodiging.")


# --- links ------------------------------------------------------------------------


def _stamp(invitation: Invitation) -> int:
    return (invitation.created_at - _EPOCH) // dt.timedelta(microseconds=1)


def invitation_token(invitation: Invitation) -> str:
    """Return the signed token of ``invitation``'s answer links (no login needed)."""
    return make_token(PURPOSE, {"i": invitation.id, "t": _stamp(invitation)})


def invitation_from_token(token: str) -> Invitation:
    """Return the invitation a token names.

    Raises :class:`InvitationLinkInvalid` (forged, damaged, unknown) or
    :class:`InvitationLinkExpired` (too old, or the address was invited anew since).
    """
    try:
        payload = read_token(PURPOSE, token, max_age=LINK_MAX_AGE)
    except TokenExpired:
        raise InvitationLinkExpired() from None
    except TokenInvalid:
        raise InvitationLinkInvalid() from None
    invitation_id = payload.get("i")
    invitation = (
        db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    )
    if invitation is None:
        raise InvitationLinkInvalid()
    if payload.get("t") != _stamp(invitation):
        raise InvitationLinkExpired()
    return invitation


def answer_url(invitation: Invitation, answer: str | None = None) -> str:
    """Return the absolute link of ``invitation``'s answer page (``answer``: "ja" or "nee")."""
    base = current_app.config["BRUGGEN_BASE_URL"].rstrip("/")
    url = f"{base}/uitnodiging/{invitation_token(invitation)}"
    return f"{url}?antwoord={answer}" if answer else url


# --- the .ics and the mails -------------------------------------------------------


def request_calendar(invitation: Invitation, *, method: str = "REQUEST") -> bytes:
    """Return the .ics of an invitation: ``METHOD:REQUEST`` (or ``CANCEL`` when withdrawn).

    The VEVENT is the feeds' (``event_component``: same UID, SEQUENCE = the activity's
    revision, Europe/Brussels VTIMEZONE, no online link before a "yes"). RFC 5546 3.2.2
    wants an ORGANIZER and the ATTENDEE in a REQUEST: the organiser is the network's
    shared address (no person), the attendee the invitee's own address, with
    ``RSVP=FALSE``: answers go through the links in the mail, not the calendar.
    A CANCEL (3.2.5) carries STATUS:CANCELLED and a SEQUENCE one higher.
    """
    event = invitation.event
    withdrawn = method == "CANCEL" and event.status != EventStatus.CANCELLED
    # A withdrawal changes nothing of the activity: one more than its revision; a
    # cancelled activity already raised its revision.
    sequence = (event.revision or 0) + (1 if withdrawn else 0)
    component = event_component(
        event, sequence=sequence, status="CANCELLED" if method == "CANCEL" else None
    )
    network = event.network or event.region.network
    organiser_address = (network.contact_email if network else "") or current_app.config.get(
        "MAIL_DEFAULT_SENDER", "bruggen@localhost"
    )
    organizer = vCalAddress(f"mailto:{_address_only(organiser_address)}")
    organizer.params["cn"] = vText(network.name if network else "Bruggen")
    component.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{invitation.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    component.add("attendee", attendee)
    return calendar_of([component], method=method).to_ical()


def _address_only(value: str) -> str:
    """``"Bruggen <a@b>"`` → ``a@b``."""
    if "<" in value and value.endswith(">"):
        return value.rsplit("<", 1)[1][:-1].strip()
    return value.strip()


def _attachment(invitation: Invitation, method: str) -> tuple[str, bytes, str]:
    with force_locale(LOCALES.get(invitation.language, LOCALES["nl"])):
        data = request_calendar(invitation, method=method)
    return (f"{invitation.event.slug}.ics", data, f"{CALENDAR_MIMETYPE}; method={method}")


def _mail(invitation: Invitation, subject, template: str, method: str | None, **context) -> None:
    event = invitation.event
    base = current_app.config["BRUGGEN_BASE_URL"].rstrip("/")
    queue_mail(
        invitation.email,
        subject,
        template,
        language=invitation.language,
        attachments=[_attachment(invitation, method)] if method else None,
        invitation=invitation,
        event=event,
        accept_link=answer_url(invitation, "ja"),
        decline_link=answer_url(invitation, "nee"),
        event_link=f"{base}/activiteiten/{event.slug}",
        show_online_link=False,
        **context,
    )


# --- inviting ---------------------------------------------------------------------


@dataclass
class Invited:
    """What :func:`invite` did: the invitations mailed now, the addresses skipped."""

    mailed: list[Invitation] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def _check_open(event: Event, now: dt.datetime) -> None:
    if not can_invite(event, now):
        raise InvitingClosed()


def can_invite(event: Event, now: dt.datetime | None = None) -> bool:
    """True while ``event`` takes invitations and reminders: published and not started."""
    return event.status == EventStatus.PUBLISHED and event.starts_at > (now or utcnow())


def _invitees(
    members: list[User], organisations: list[Organisation], emails: list[str]
) -> dict[str, tuple[str, User | None, Organisation | None]]:
    """Addresses (lowercase) → (address as written, account, organisation), first wins."""
    people: dict[str, tuple[str, User | None, Organisation | None]] = {}
    for user in members:
        if user.is_active:
            people.setdefault(user.email.strip().lower(), (user.email.strip(), user, None))
    for organisation in organisations:
        colleagues = db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id, User.is_active.is_(True))
            .order_by(User.display_name, User.id)
        ).all()
        for user in colleagues:
            key = user.email.strip().lower()
            people.setdefault(key, (user.email.strip(), user, organisation))
    for email in emails:
        address = email.strip()
        if address:
            account = seats.verified_account_of(address)
            people.setdefault(address.lower(), (address, account, None))
    return people


def invite(
    event: Event,
    *,
    invited_by: User,
    members: Sequence[User] = (),
    organisations: Sequence[Organisation] = (),
    emails: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Invited:
    """Invite ``members``, every active member of ``organisations`` and ``emails``; mail each.

    Returns an :class:`Invited`: the invitations mailed now (new ones, listed-only
    addresses from the activity form that had no mail yet, withdrawn ones invited
    anew) and the addresses that were invited already (not mailed again; the
    organiser reminds them instead). ``now``: aware UTC. Raises
    :class:`NothingToInvite`, :class:`TooManyAddresses` (more than ``MAX_EMAILS``
    addresses) and :class:`InvitingClosed` (draft, cancelled or started activity).
    """
    now = now or utcnow()
    _check_open(event, now)
    emails = [e for e in emails if e.strip()]
    if not (members or organisations or emails):
        raise NothingToInvite()
    if len(emails) > MAX_EMAILS:
        raise TooManyAddresses(max=MAX_EMAILS)
    people = _invitees(list(members), list(organisations), emails)
    if not people:
        raise NothingToInvite()
    existing = {
        invitation.email.lower(): invitation
        for invitation in db.session.scalars(
            select(Invitation).where(
                Invitation.event_id == event.id,
                func.lower(Invitation.email).in_(list(people)),
            )
        )
    }
    result = Invited()
    for key, (address, user, organisation) in people.items():
        invitation = existing.get(key)
        if (
            invitation is not None
            and invitation.sent_at is not None
            and invitation.status != InvitationStatus.WITHDRAWN
        ):
            result.already.append(invitation.email)
            continue
        if invitation is None:
            invitation = Invitation(event_id=event.id, email=address)
            db.session.add(invitation)
        invitation.event = event
        invitation.status = InvitationStatus.INVITED
        invitation.user_id = user.id if user is not None else None
        invitation.name = user.display_name if user is not None else invitation.name or ""
        invitation.organisation_id = (
            organisation.id if organisation else (user.organisation_id if user else None)
        )
        invitation.invited_by_id = invited_by.id
        invitation.language = (user.locale if user is not None else None) or "nl"
        invitation.created_at = now
        invitation.sent_at = now
        invitation.responded_at = invitation.reminded_at = None
        invitation.registration_id = None
        result.mailed.append(invitation)
    db.session.flush()
    for invitation in result.mailed:
        _mail(
            invitation,
            _l("Uitnodiging: %(title)s", title=event.title),
            "invitation",
            "REQUEST",
        )
    log.info(
        "event %s: %d invited by user %s, %d already invited",
        event.id,
        len(result.mailed),
        invited_by.id,
        len(result.already),
    )
    return result


# --- answering --------------------------------------------------------------------


def _check_answerable(invitation: Invitation, now: dt.datetime) -> None:
    event = invitation.event
    if invitation.status == InvitationStatus.WITHDRAWN:
        raise InvitationWithdrawn()
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        raise AnsweringClosed()


def can_answer(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """True while ``invitation`` may be answered: not withdrawn, activity published, not started."""
    try:
        _check_answerable(invitation, now or utcnow())
    except InvitationError:
        return False
    return True


def account_of(invitation: Invitation) -> User | None:
    """Return the verified account that answers ``invitation``, or None (answers as a guest).

    The invited member when their account is active and verified and still has the
    invited address; else the account that verified this address (issue 13: an
    invitation is an account's once it verified the address).
    """
    user = invitation.user
    if (
        user is not None
        and user.is_active
        and user.is_verified
        and user.email.lower() == invitation.email.lower()
    ):
        return user
    return seats.verified_account_of(invitation.email)


def live_registration_of(invitation: Invitation) -> Registration | None:
    """Return the registration (not cancelled) of the invited address, or None."""
    return _live_registration(invitation)


def _live_registration(invitation: Invitation) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == invitation.event_id,
            func.lower(Registration.email) == invitation.email.lower(),
            Registration.state != RegistrationState.CANCELLED,
        )
    )


@dataclass(frozen=True)
class Accepted:
    """What :func:`accept` did: the registration, and whether it was made now."""

    registration: Registration
    is_new: bool


def accept(
    invitation: Invitation,
    *,
    name: str = "",
    organisation_name: str = "",
    answers: dict | None = None,
    workshop_ids=(),
    is_listed: bool = False,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> Accepted:
    """Accept ``invitation``: register the invitee; return an :class:`Accepted`.

    With a verified account of the address (:func:`account_of`) the account is
    registered; otherwise a guest registration with ``name`` (required then;
    default: the name on the invitation) and ``organisation_name``, confirmed at
    once because the signed link proved the address. Confirmed, or waitlisted when
    the activity is full. Accepting twice (a double click, two tabs) returns the
    same registration with ``is_new`` False: one registration per address, under the
    activity's lock. Raises :class:`InvitationWithdrawn`, :class:`AnsweringClosed`, and
    what ``events.registration.register`` raises (``InvalidAnswers``,
    ``RegistrationClosed``...); nothing is written then. The caller mails
    ``notify_registered`` for a new registration.
    """
    now = now or utcnow()
    event = invitation.event
    seats.lock_event(event)  # one answer at a time per activity: no double registration
    db.session.refresh(invitation)
    _check_answerable(invitation, now)
    registration = _live_registration(invitation)
    is_new = registration is None
    if registration is None:
        account = account_of(invitation)
        options = {
            "answers": answers,
            "workshop_ids": workshop_ids,
            "is_listed": is_listed,
            "now": now,
        }
        if account is not None:
            registration = seats.register(event, user=account, **options)
        else:
            guest = seats.GuestDetails(
                name=(name or invitation.name).strip(),
                email=invitation.email,
                organisation_name=organisation_name.strip(),
                organisation_id=invitation.organisation_id,
                language=language or invitation.language,
            )
            if not guest.name:
                raise seats.InvalidAnswers({"name": _l("Vul je naam in.")})
            registration = seats.register(event, guest=guest, address_confirmed=True, **options)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.name = invitation.name or registration.name
    invitation.responded_at = now
    invitation.registration_id = registration.id
    db.session.flush()
    log.info("invitation %s accepted: registration %s", invitation.id, registration.id)
    return Accepted(registration=registration, is_new=is_new)


def decline(invitation: Invitation, now: dt.datetime | None = None) -> list[Registration]:
    """Record that the invitee declines; return those promoted into a place they held.

    A registration made by accepting earlier is cancelled (its place goes to the
    waiting list; the caller mails ``notify_promoted`` to the returned). Declining
    twice changes nothing. Raises :class:`InvitationWithdrawn`, :class:`AnsweringClosed`.
    """
    now = now or utcnow()
    event = invitation.event
    seats.lock_event(event)
    db.session.refresh(invitation)
    _check_answerable(invitation, now)
    promoted: list[Registration] = []
    if invitation.status == InvitationStatus.DECLINED:
        return promoted
    registration = _live_registration(invitation)
    if registration is not None and invitation.status == InvitationStatus.ACCEPTED:
        promoted = seats.cancel(registration, now)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = now
    db.session.flush()
    log.info("invitation %s declined", invitation.id)
    return promoted


# --- the organiser's follow-up ----------------------------------------------------


def remind(invitation: Invitation, now: dt.datetime | None = None) -> None:
    """Mail one reminder to an invitee who has not answered (issue 17: "remind ... once").

    An address only listed on the activity form (never mailed) gets its first
    invitation mail instead, and can still be reminded once after. Raises
    :class:`NotSilent` (answered or withdrawn), :class:`AlreadyReminded`,
    :class:`InvitingClosed` (the activity started, is cancelled or a draft).
    """
    now = now or utcnow()
    _check_open(invitation.event, now)
    if invitation.status != InvitationStatus.INVITED:
        raise NotSilent(email=invitation.email)
    if invitation.reminded_at is not None:
        raise AlreadyReminded(email=invitation.email)
    if invitation.sent_at is None:
        invitation.sent_at = now
        db.session.flush()
        _mail(
            invitation,
            _l("Uitnodiging: %(title)s", title=invitation.event.title),
            "invitation",
            "REQUEST",
        )
        log.info("listed invitation %s mailed", invitation.id)
        return
    invitation.reminded_at = now
    db.session.flush()
    _mail(
        invitation,
        _l("Herinnering: uitnodiging voor %(title)s", title=invitation.event.title),
        "invitation_reminder",
        "REQUEST",
    )
    log.info("invitation %s reminded", invitation.id)


def remind_silent(event: Event, now: dt.datetime | None = None) -> int:
    """Remind each invitee of ``event`` who has not answered nor been reminded; return how many.

    Addresses only listed on the activity form (never mailed) are not included: the
    organiser invites them first. Raises :class:`InvitingClosed`.
    """
    now = now or utcnow()
    _check_open(event, now)
    silent = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.event_id == event.id,
            Invitation.status == InvitationStatus.INVITED,
            Invitation.sent_at.is_not(None),
            Invitation.reminded_at.is_(None),
        )
        .order_by(Invitation.id)
    ).all()
    for invitation in silent:
        remind(invitation, now)
    return len(silent)


def withdraw(invitation: Invitation, now: dt.datetime | None = None) -> list[Registration]:
    """Withdraw ``invitation``; return those promoted into a place it freed.

    Its links stop working. A registration made by accepting it is cancelled while
    the activity has not started (the waiting list moves up; the caller mails
    ``notify_promoted``). A mailed invitee is told, with an .ics ``METHOD:CANCEL``
    (RFC 5546 3.2.5) so the calendar entry goes. Withdrawing twice changes nothing.
    """
    now = now or utcnow()
    event = invitation.event
    seats.lock_event(event)
    db.session.refresh(invitation)
    if invitation.status == InvitationStatus.WITHDRAWN:
        return []
    promoted: list[Registration] = []
    registration = _live_registration(invitation)
    if (
        registration is not None
        and invitation.status == InvitationStatus.ACCEPTED
        and event.starts_at > now
    ):
        promoted = seats.cancel(registration, now)
    was_mailed = invitation.sent_at is not None
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.responded_at = None
    db.session.flush()
    if was_mailed and event.status == EventStatus.PUBLISHED and event.starts_at > now:
        _mail(
            invitation,
            _l("Uitnodiging ingetrokken: %(title)s", title=event.title),
            "invitation_withdrawn",
            "CANCEL",
        )
    log.info("invitation %s withdrawn", invitation.id)
    return promoted


def invitations_for(event: Event) -> list[Invitation]:
    """Return ``event``'s invitations for the organiser: by status, then name and address."""
    order = {
        InvitationStatus.INVITED: 0,
        InvitationStatus.ACCEPTED: 1,
        InvitationStatus.DECLINED: 2,
        InvitationStatus.WITHDRAWN: 3,
    }
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.event_id == event.id)
        .options(joinedload(Invitation.organisation), joinedload(Invitation.registration))
    ).all()
    return sorted(
        rows, key=lambda i: (order.get(i.status, 9), (i.name or i.email).lower(), i.email.lower())
    )


def status_counts(invitations: list[Invitation]) -> dict[str, int]:
    """Return the number of ``invitations`` per status value ("invited", "accepted"...)."""
    counts = {status.value: 0 for status in InvitationStatus}
    for invitation in invitations:
        counts[invitation.status] = counts.get(invitation.status, 0) + 1
    return counts


def live_invitation_of(event: Event, email: str) -> Invitation | None:
    """Return the invitation (not withdrawn) of ``email`` (any case) to ``event``, or None."""
    return db.session.scalar(
        select(Invitation).where(
            Invitation.event_id == event.id,
            func.lower(Invitation.email) == email.strip().lower(),
            Invitation.status != InvitationStatus.WITHDRAWN,
        )
    )


def open_invitations_of(user: User, now: dt.datetime | None = None) -> list[Invitation]:
    """Return the invitations ``user`` has not answered, to published activities not started.

    The account's own (``user_id``) and those to its verified address
    (``events.registration.ownership.invitations_of``), soonest activity first; mailed
    ones only (an address merely listed on the activity form was not invited yet).
    """
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Invitation)
            .join(Event, Event.id == Invitation.event_id)
            .where(
                or_(Invitation.user_id == user.id, seats.invitations_of(user)),
                Invitation.status == InvitationStatus.INVITED,
                Invitation.sent_at.is_not(None),
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at > now,
            )
            .options(joinedload(Invitation.event))
            .order_by(Event.starts_at, Invitation.id)
        )
    )


def note_registrations(
    registrations: Sequence[Registration], now: dt.datetime | None = None
) -> int:
    """Count a registration made on the activity page as accepting its invitation; return how many.

    An invitee may register through the ordinary form instead of the mail link; the
    organiser then sees "aanvaard" rather than a silent invitee (and reminds nobody
    who registered). Invitations that were withdrawn stay withdrawn.
    """
    now = now or utcnow()
    noted = 0
    for registration in registrations:
        invitation = live_invitation_of(registration.event, registration.email)
        if invitation is not None and invitation.status == InvitationStatus.INVITED:
            invitation.status = InvitationStatus.ACCEPTED
            invitation.responded_at = now
            invitation.registration_id = registration.id
            invitation.name = invitation.name or registration.name
            noted += 1
    if noted:
        db.session.flush()
    return noted


def notify_cancelled(event: Event, message: str) -> int:
    """Mail the cancellation to invitees of ``event`` who have not answered; return how many.

    Those who accepted are registered and hear it as registrants do
    (``notifications.notify_event_cancelled``); those who declined asked for nothing
    more. The .ics is ``METHOD:CANCEL`` with STATUS:CANCELLED, the same UID and the
    activity's new revision as SEQUENCE (the caller raised it), so the entry the
    invitation put in their calendar goes. Only mailed invitations are told.
    """
    silent = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.event_id == event.id,
            Invitation.status == InvitationStatus.INVITED,
            Invitation.sent_at.is_not(None),
        )
        .order_by(Invitation.id)
    ).all()
    for invitation in silent:
        _mail(
            invitation,
            _l("Geannuleerd: %(title)s", title=event.title),
            "invitation_cancelled",
            "CANCEL",
            message=message,
        )
    log.info("cancellation of event %s mailed to %d invitees", event.id, len(silent))
    return len(silent)
