"""Demo content of issue 17: present participants of a past activity, their certificates, and
anonymous evaluation answers (``follow_up`` in ``demo/content.yaml``)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from demo.seed import slugify
from events.followup import certificates
from events.models import (
    Evaluation,
    EvaluationRequest,
    Event,
    Registration,
    RegistrationState,
)


def _registration(event: Event, email: str, name: str, organisation: str, user=None):
    found = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, func.lower(Registration.email) == email.lower()
        )
    )
    if found is not None:
        return found, 0
    registration = Registration(
        event=event,
        user=user,
        name=name,
        email=email,
        organisation_name=organisation,
        state=RegistrationState.CONFIRMED,
        created_at=event.starts_at - dt.timedelta(days=10),
        confirmed_at=event.starts_at - dt.timedelta(days=10),
        attended=True,
    )
    db.session.add(registration)
    db.session.flush()
    return registration, 1


def seed_follow_up(content: dict) -> dict[str, int]:
    """Add the missing follow-up demo rows and flush; return how many of each were added.

    Idempotent: registrations are found by activity and address, and answers are only
    added to an activity that has none. The activities are found by their title's slug.
    """
    titles = {event["key"]: event["title"] for event in content["events"] if "key" in event}
    counts = {"present": 0, "certificates": 0, "evaluations": 0}
    for data in content.get("follow_up", []):
        event = db.session.scalar(select(Event).filter_by(slug=slugify(titles[data["event"]], 160)))
        if event is None:
            continue
        registrations = []
        for email in data.get("present", []):
            user = db.session.scalar(select(User).filter_by(email=email))
            if user is None:
                continue
            organisation = user.organisation.name if user.organisation else ""
            found, added = _registration(event, email, user.display_name, organisation, user)
            registrations.append(found)
            counts["present"] += added
        guests = []
        for guest in data.get("guests", []):
            found, added = _registration(
                event, guest["email"], guest["name"], guest.get("organisation", "")
            )
            guests.append(found)
            counts["present"] += added
        for registration in [*registrations, *guests]:
            if certificates.certificate_of(registration) is None:
                certificates.issue_certificate(registration, event.ends_at + dt.timedelta(days=1))
                counts["certificates"] += 1
        has_answers = db.session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.event_id == event.id)
        )
        if has_answers:
            continue
        for answers in data.get("evaluations", []):
            db.session.add(Evaluation(id=secrets.token_hex(16), event_id=event.id, answers=answers))
            counts["evaluations"] += 1
        for registration in guests[: data.get("answered", 0)]:
            db.session.add(
                EvaluationRequest(
                    registration_id=registration.id,
                    event_id=event.id,
                    mailed_at=event.ends_at + dt.timedelta(days=1),
                    has_answered=True,
                )
            )
    db.session.flush()
    return counts
