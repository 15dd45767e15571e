"""What the follow-up after an activity and the agenda mail hold about a member (GDPR).

Export: the member's certificates, whether they were mailed and answered each
evaluation (never what: the answers carry no person), and their agenda-mail
subscription. Erasure: certificates, evaluation markers and the subscription are
deleted; the anonymous evaluation answers stay, since nothing ties them to the member
(issue 17, "Rules"). Runs before the registrations are anonymised (``order``), which
would hide which rows are the member's.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import iso_utc
from community.core.extensions import db
from events.models import (
    AgendaSubscription,
    Certificate,
    EvaluationRequest,
    Event,
    Registration,
)
from events.registration import registrations_of

log = logging.getLogger(__name__)


def _registration_ids(user: User):
    return select(Registration.id).where(registrations_of(user))


def _subscriptions(user: User):
    return or_(
        AgendaSubscription.user_id == user.id,
        func.lower(AgendaSubscription.email) == user.email.lower(),
    )


def export_follow_up(user: User) -> dict:
    """Return ``user``'s certificates, evaluation markers and agenda-mail subscription
    (times aware UTC, ISO 8601)."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.registration_id.in_(_registration_ids(user)))
        .order_by(Certificate.event_starts_at, Certificate.id)
    ).all()
    requests = db.session.scalars(
        select(EvaluationRequest)
        .where(EvaluationRequest.registration_id.in_(_registration_ids(user)))
        .options(joinedload(EvaluationRequest.registration).joinedload(Registration.event))
        .order_by(EvaluationRequest.registration_id)
    ).all()
    subscriptions = db.session.scalars(select(AgendaSubscription).where(_subscriptions(user))).all()
    return {
        "certificates": [
            {
                "code": c.code,
                "name": c.name,
                "organisation": c.organisation_name,
                "event": c.event_title,
                "event_starts_at": iso_utc(c.event_starts_at),
                "event_ends_at": iso_utc(c.event_ends_at),
                "minutes": c.minutes,
                "venue": c.venue,
                "organiser": c.organiser,
                "issued_at": iso_utc(c.issued_at),
            }
            for c in certificates
        ],
        "evaluations": [
            {
                "event": r.registration.event.title,
                "mailed_at": iso_utc(r.mailed_at),
                "reminded_at": iso_utc(r.reminded_at),
                "has_answered": r.has_answered,
            }
            for r in requests
        ],
        "agenda_mail": [
            {
                "email": s.email,
                "regions": s.region_slugs,
                "themes": s.theme_numbers,
                "types": s.types,
                "created_at": iso_utc(s.created_at),
                "last_sent_at": iso_utc(s.last_sent_at),
            }
            for s in subscriptions
        ],
    }


def erase_follow_up(user: User, now: dt.datetime) -> None:
    """Delete ``user``'s certificates, evaluation markers and agenda-mail subscription (flushes).

    The anonymous answers (``Evaluation``) stay. A deleted certificate no longer
    verifies: the person asked to be forgotten. ``now`` is unused (the signature of an
    erasure part).
    """
    ids = _registration_ids(user)
    certificates = db.session.execute(
        delete(Certificate).where(Certificate.registration_id.in_(ids))
    ).rowcount
    markers = db.session.execute(
        delete(EvaluationRequest).where(EvaluationRequest.registration_id.in_(ids))
    ).rowcount
    subscriptions = db.session.execute(
        delete(AgendaSubscription).where(_subscriptions(user))
    ).rowcount
    db.session.flush()
    log.info(
        "account %s: %s certificates, %s evaluation markers, %s agenda subscriptions deleted",
        user.id,
        certificates,
        markers,
        subscriptions,
    )


def purge_certificates(now: dt.datetime, retention: dt.timedelta) -> int:
    """Delete the certificates of activities that ended more than ``retention`` ago (flushes).

    A certificate copies the participant's name, also a guest's whose registration is
    anonymised after ``GUEST_RETENTION_DAYS``; it is kept as long as a school may ask to
    check it (``CERTIFICATE_RETENTION_DAYS``, default three years), then it goes, and its
    code no longer verifies (GDPR art. 5(1)(e), storage limitation). ``now``: aware UTC.
    Returns the number deleted.
    """
    deleted = db.session.execute(
        delete(Certificate).where(Certificate.event_ends_at < now - retention)
    ).rowcount
    db.session.flush()
    log.info("purge: %d certificates deleted", deleted)
    return deleted


def purge_evaluation_markers(now: dt.datetime, retention: dt.timedelta) -> int:
    """Delete the "mailed / answered" markers of evaluations of activities that ended more
    than ``retention`` ago (flushes); the anonymous answers stay. Returns the number deleted."""
    ended = select(Event.id).where(Event.ends_at < now - retention)
    deleted = db.session.execute(
        delete(EvaluationRequest).where(EvaluationRequest.event_id.in_(ended))
    ).rowcount
    db.session.flush()
    log.info("purge: %d evaluation markers deleted", deleted)
    return deleted
