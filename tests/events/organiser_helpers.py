"""Helpers for the organiser-tool tests: the activity form as a browser sends it, registrations."""

from __future__ import annotations

import datetime as dt
import itertools

from community.core.extensions import db
from events.models import Registration, RegistrationState

_numbers = itertools.count(1)

# A Thursday in May 2027: Brussels is on summer time (UTC+2).
DAY = dt.date(2027, 5, 20)


def event_form(region, themes, /, **overrides) -> dict:
    """Return the fields of the activity form for a one-afternoon network moment on ``DAY``."""
    data = {
        "title": "Netwerkmoment schoolverzuim",
        "slug": "",
        "type": "network_meeting",
        "themes": [str(t.id) for t in themes],
        "region": str(region.id),
        "summary": "We bespreken spijbelen en leerrecht.",
        "description": "### Programma\n\nMet **sofagesprek**.",
        "start_date": DAY.isoformat(),
        "start_time": "13:30",
        "end_date": DAY.isoformat(),
        "end_time": "16:00",
        "venue_name": "CLB Gent",
        "venue_address": "Kortrijksesteenweg 1, 9000 Gent",
        "online_url": "",
        "capacity": "",
        "registration_opens_date": "",
        "registration_opens_time": "",
        "registration_closes_date": "",
        "registration_closes_time": "",
        "visibility": "public",
        "invited_emails": "",
    }
    data.update({k: v for k, v in overrides.items() if v is not None})
    for name in [k for k, v in overrides.items() if v is None]:
        data.pop(name, None)
    return data


def register(event, state=RegistrationState.CONFIRMED, **values) -> Registration:
    """Add a registration of ``event`` in ``state`` (arrival order = call order) and commit."""
    n = next(_numbers)
    created = dt.datetime.now(dt.UTC) - dt.timedelta(days=30) + dt.timedelta(seconds=n)
    fields = {
        "name": f"Deelnemer {n}",
        "email": f"deelnemer{n}@example.org",
        "organisation_name": "CLB Gent",
        "sector": "onderwijs",
        "job_title": "CLB-medewerker",
        "created_at": created,
    }
    fields.update(values)
    registration = Registration(event=event, state=state, **fields)
    if state == RegistrationState.CONFIRMED:
        registration.confirmed_at = created
    db.session.add(registration)
    db.session.commit()
    return registration


def text_of(response) -> str:
    return response.get_data(as_text=True)
