"""The mail the day after an activity (evaluation link and certificate) and its one reminder.

Issue 17: present participants get the evaluation link by mail the day after the
activity (a scheduled command, ``flask send-follow-up``), with one reminder later. The
same mail carries the link to the attendance certificate. Links work without signing
in: signed tokens naming the registration (``community.core.tokens``). Idempotent: a
registration's ``EvaluationRequest.mailed_at``/``reminded_at`` are set in the same
transaction that queues its mail, so running the command again sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.core.extensions import db
from community.core.mail.outbox import queue_mail
from community.core.tokens import make_token, read_token
from events.followup import certificates, evaluation
from events.followup.errors import FollowUpError
from events.models import (
    EvaluationRequest,
    Event,
    EventStatus,
    Registration,
    RegistrationState,
)
from events.organising.times import brussels_to_utc, to_brussels

log = logging.getLogger(__name__)

#: Activities that ended longer ago than this get no first mail any more (a new install, a
#: cron that was off): a question about an activity weeks ago gets few honest answers.
MAIL_WITHIN = dt.timedelta(days=14)
#: The one reminder goes this long after the first mail, to who has not answered.
REMIND_AFTER = dt.timedelta(days=4)

EVALUATION_PURPOSE = "evaluation"
CERTIFICATE_PURPOSE = "certificate"
EVALUATION_MAX_AGE = int((evaluation.OPEN_FOR + MAIL_WITHIN).total_seconds())
CERTIFICATE_MAX_AGE = 3 * 365 * 24 * 3600  # a certificate is asked for years later


class LinkInvalid(FollowUpError):
    """A follow-up link that is forged, damaged, expired or names no registration."""

    text = _l(
        "Deze link werkt niet (meer). Meld je aan en open de activiteit via "
        "Mijn activiteiten, of vraag de organisator om een nieuwe link."
    )
    status = 404


def evaluation_token(registration: Registration) -> str:
    """Return the signed token of ``registration``'s evaluation link."""
    return make_token(EVALUATION_PURPOSE, {"r": registration.id})


def certificate_token(registration: Registration) -> str:
    """Return the signed token of ``registration``'s certificate download link."""
    return make_token(CERTIFICATE_PURPOSE, {"r": registration.id})


def registration_from_token(purpose: str, token: str) -> Registration:
    """Return the registration a follow-up ``token`` of ``purpose`` names.

    Raises :class:`LinkInvalid` for a forged, damaged or expired token, one of another
    purpose, or a registration that no longer exists.
    """
    from community.core.tokens import TokenInvalid

    max_age = EVALUATION_MAX_AGE if purpose == EVALUATION_PURPOSE else CERTIFICATE_MAX_AGE
    try:
        payload = read_token(purpose, token[:400], max_age)
    except TokenInvalid as error:
        raise LinkInvalid() from error
    registration_id = payload.get("r")
    registration = (
        db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    )
    if registration is None:
        raise LinkInvalid()
    return registration


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def evaluation_url(registration: Registration) -> str:
    """Return the absolute evaluation link of ``registration`` (no sign-in needed)."""
    return _absolute(f"/evaluatie/{evaluation_token(registration)}")


def certificate_url(registration: Registration) -> str:
    """Return the absolute certificate download link of ``registration``."""
    return _absolute(f"/attest/downloaden/{certificate_token(registration)}")


def start_of_local_day(now: dt.datetime) -> dt.datetime:
    """Return local midnight (Europe/Brussels) of ``now``'s day, as aware UTC."""
    return brussels_to_utc(to_brussels(now).date())


def due_events(now: dt.datetime) -> list[Event]:
    """Return the published activities whose follow-up mail is due at ``now`` (aware UTC):
    ended before today (Brussels), at most :data:`MAIL_WITHIN` ago."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.ends_at <= start_of_local_day(now),
                Event.ends_at >= now - MAIL_WITHIN,
            )
            .options(joinedload(Event.region))
            .order_by(Event.ends_at, Event.id)
        )
    )


def _context(registration: Registration, event: Event, now: dt.datetime) -> dict:
    with_evaluation = evaluation.is_open(event, now) and not evaluation.has_answered(registration)
    return {
        "registration": registration,
        "event": event,
        "evaluation_link": evaluation_url(registration) if with_evaluation else None,
        "certificate_link": certificate_url(registration),
        "event_link": _absolute(f"/activiteiten/{event.slug}"),
    }


def send_follow_up(now: dt.datetime) -> tuple[int, int]:
    """Queue the follow-up mails due at ``now`` (aware UTC); return (first mails, reminders).

    First mail: every confirmed participant marked present of a due activity
    (:func:`due_events`) who got none yet and has an address (a walk-in added at the
    door without one has a stand-in without "@", ``events.organising.checkin``); their
    certificate is issued first. Reminder: once, :data:`REMIND_AFTER` after the first
    mail, to who has not answered while the evaluation is still open. Only queues and
    flushes; the caller commits.
    """
    first = 0
    for event in due_events(now):
        present = db.session.scalars(
            select(Registration)
            .outerjoin(EvaluationRequest, EvaluationRequest.registration_id == Registration.id)
            .where(
                Registration.event_id == event.id,
                Registration.state == RegistrationState.CONFIRMED,
                Registration.attended.is_(True),
                Registration.has_mail_address(),
                EvaluationRequest.mailed_at.is_(None),
            )
            .order_by(Registration.id)
        ).all()
        for registration in present:
            certificates.issue_certificate(registration, now)
            request = evaluation.request_for(registration)
            if request is None:
                request = EvaluationRequest(registration_id=registration.id, event_id=event.id)
                db.session.add(request)
            request.mailed_at = now
            queue_mail(
                registration.email,
                _l("Bedankt voor je komst: %(title)s", title=event.title),
                "follow_up",
                language=registration.language,
                **_context(registration, event, now),
            )
            first += 1
    reminded = 0
    waiting = db.session.scalars(
        select(EvaluationRequest)
        .where(
            EvaluationRequest.mailed_at <= now - REMIND_AFTER,
            EvaluationRequest.reminded_at.is_(None),
            EvaluationRequest.has_answered.is_(False),
        )
        .options(joinedload(EvaluationRequest.registration).joinedload(Registration.event))
        .order_by(EvaluationRequest.registration_id)
    ).all()
    for request in waiting:
        registration = request.registration
        event = registration.event
        if not evaluation.is_open(event, now) or not certificates.is_present(registration):
            continue
        request.reminded_at = now
        queue_mail(
            registration.email,
            _l("Herinnering: je mening over %(title)s", title=event.title),
            "follow_up_reminder",
            language=registration.language,
            **_context(registration, event, now),
        )
        reminded += 1
    db.session.flush()
    log.info("follow-up: %d first mails, %d reminders queued", first, reminded)
    return first, reminded


def follow_ups_of(registrations: list[Registration], now: dt.datetime) -> dict[int, dict]:
    """Return, for each of ``registrations`` marked present, what "Mijn activiteiten" offers:
    ``{"certificate": True, "evaluation_token": str | None}`` (a token while the evaluation
    is open and not yet answered). Two queries whatever the number."""
    present = [r for r in registrations if certificates.is_present(r)]
    if not present:
        return {}
    answered = set(
        db.session.scalars(
            select(EvaluationRequest.registration_id).where(
                EvaluationRequest.registration_id.in_([r.id for r in present]),
                EvaluationRequest.has_answered.is_(True),
            )
        )
    )
    result = {}
    for registration in present:
        token = None
        if registration.id not in answered and evaluation.is_open(registration.event, now):
            token = evaluation_token(registration)
        result[registration.id] = {"certificate": True, "evaluation_token": token}
    return result


def verify_url() -> str:
    """Return the absolute address of the public verification page (printed on certificates)."""
    return _absolute("/attest")
