"""Test data for reporting: activities, registrations, materials, practices, forum posts."""

from __future__ import annotations

import datetime as dt
import itertools

from community.accounts.models import Organisation, Region, Sector, Theme
from community.core.extensions import db
from community.library.models import Material, MaterialType, Practice, PracticeStatus
from events.models import Event, EventStatus, EventType, Registration, RegistrationState
from forums.models import Forum, Post, Thread
from reporting.period import Period

_n = itertools.count(1)

#: The school year 2025-2026 (local days); its activities are dated inside.
YEAR = Period(dt.date(2025, 9, 1), dt.date(2026, 8, 31))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock UTC on ``day``."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def theme(number: int) -> Theme:
    found = db.session.query(Theme).filter_by(number=number).one_or_none()
    if found is None:
        found = Theme(number=number, name=f"Thema {number}", short=f"t{number}")
        db.session.add(found)
    return found


def organisation(name: str, sector: Sector, kind: str, region: Region) -> Organisation:
    org = Organisation(name=name, sector=sector, kind=kind, region=region)
    db.session.add(org)
    return org


def activity(
    region: Region,
    starts_at: dt.datetime,
    kind: EventType = EventType.NETWORK_MEETING,
    themes=(),
    status: EventStatus = EventStatus.PUBLISHED,
) -> Event:
    n = next(_n)
    event = Event(
        slug=f"stat-activiteit-{n}",
        title=f"Activiteit {n}",
        type=kind,
        region=region,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        status=status,
    )
    event.themes = list(themes)
    db.session.add(event)
    return event


def registration(
    event: Event,
    email: str,
    org: Organisation | None = None,
    state: RegistrationState = RegistrationState.CONFIRMED,
    attended: bool | None = None,
) -> Registration:
    row = Registration(
        event=event,
        name=email.split("@")[0],
        email=email,
        organisation=org,
        organisation_name=org.name if org else "",
        sector=str(org.sector) if org else "",
        state=state,
        attended=attended,
    )
    db.session.add(row)
    return row


def material(region: Region, created_at: dt.datetime, downloads: int = 0, themes=()) -> Material:
    n = next(_n)
    row = Material(
        slug=f"stat-materiaal-{n}",
        title=f"Materiaal {n}",
        type=MaterialType.PRESENTATION,
        region=region,
        url="https://example.org/m",
        download_count=downloads,
        created_at=created_at,
    )
    row.themes = list(themes)
    db.session.add(row)
    return row


def practice(region: Region, published_at: dt.datetime, themes=()) -> Practice:
    n = next(_n)
    row = Practice(
        slug=f"stat-praktijk-{n}",
        title=f"Praktijk {n}",
        region=region,
        status=PracticeStatus.PUBLISHED,
        published_at=published_at,
    )
    row.themes = list(themes)
    db.session.add(row)
    return row


def forum_post(forum: Forum, region: Region, created_at: dt.datetime, author=None) -> Post:
    n = next(_n)
    thread = Thread(
        forum=forum,
        title=f"Gesprek {n}",
        slug=f"gesprek-{n}",
        region=region,
        created_at=created_at,
        last_post_at=created_at,
        author=author,
    )
    post = Post(
        thread=thread,
        body="Tekst.",
        body_html="<p>Tekst.</p>",
        created_at=created_at,
        author=author,
    )
    db.session.add_all([thread, post])
    return post


def region(slug: str, name: str, position: int = 1) -> Region:
    row = Region(slug=slug, name=name, position=position)
    db.session.add(row)
    return row
