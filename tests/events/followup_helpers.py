"""Helpers of the follow-up tests: an activity that took place, with present participants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from community.accounts.models import Network
from community.core.extensions import db
from events.models import (
    EventType,
    ProgrammeItem,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BRUSSELS).astimezone(dt.UTC)


def took_place(make_event, region=None, *, days_ago: int = 1, **overrides):
    """A training from 09:00 to 16:00 Brussels time ``days_ago`` days ago, with a programme:
    a talk 09:30-11:00, a break, two parallel workshops 11:30-13:00 (3 hours in all)."""
    day = dt.datetime.now(BRUSSELS).date() - dt.timedelta(days=days_ago)
    start = local(day.year, day.month, day.day, 9, 0)
    values = {
        "title": "Vorming signalen van schooluitval",
        "type": EventType.TRAINING,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=7),
    }
    if region is not None:
        values["region"] = region
    values.update(overrides)
    event = make_event(**values)
    minutes = dt.timedelta(minutes=1)
    event.programme = [
        ProgrammeItem(
            title="Lezing", starts_at=start + 30 * minutes, ends_at=start + 120 * minutes
        ),
        ProgrammeItem(
            title="Pauze",
            kind=ProgrammeItemKind.BREAK,
            starts_at=start + 120 * minutes,
            ends_at=start + 150 * minutes,
        ),
        ProgrammeItem(
            title="Workshop A",
            kind=ProgrammeItemKind.WORKSHOP,
            starts_at=start + 150 * minutes,
            ends_at=start + 240 * minutes,
        ),
        ProgrammeItem(
            title="Workshop B",
            kind=ProgrammeItemKind.WORKSHOP,
            starts_at=start + 150 * minutes,
            ends_at=start + 240 * minutes,
        ),
    ]
    db.session.commit()
    return event


def participant(event, *, name="Annelies Verhaeghe", email=None, user=None, attended=True):
    """A confirmed registration for ``event``, marked present (``attended``), committed."""
    if email is None:
        email = user.email if user is not None else f"{name.split()[0].lower()}@example.org"
    registration = Registration(
        event=event,
        user=user,
        name=user.display_name if user is not None else name,
        email=user.email
        if user is not None
        else (email or f"{name.split()[0].lower()}@example.org"),
        organisation_name="Basisschool De Regenboog",
        state=RegistrationState.CONFIRMED,
        attended=attended,
        language="nl",
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def network_of(region) -> Network:
    return region.network
