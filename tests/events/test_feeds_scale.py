"""Feeds with large data sets (case 001 K12, issue 4 "Speed"): size cap and fixed query counts."""

from __future__ import annotations

import datetime as dt

import icalendar
from sqlalchemy import insert, select

from community.accounts.models import Theme
from community.core.db import utcnow
from community.core.extensions import db
from events.models import Event, EventStatus, EventType, ProgrammeItem, Visibility, event_themes
from tests.pages_helpers import forget_loaded_objects

# About 1 kB of Dutch text (ö is two octets).
ONE_KB = ("Een vorming over leerrecht, spijbelen en coöperatie met het CLB. " * 16)[:1000].strip()


def bulk_events(region_id: int, starts: list[dt.datetime], theme: Theme | None = None) -> None:
    """Insert one public published training per start (2 hours, 1 kB description) in bulk,
    each with two programme items and, when given, ``theme``."""
    now = utcnow()
    first_id = (db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0) + 1
    rows = [
        {
            "id": first_id + n,
            "slug": f"bulk-{first_id + n}",
            "title": f"Vorming leerrecht {n}",
            "type": EventType.TRAINING,
            "region_id": region_id,
            "description": ONE_KB,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "status": EventStatus.PUBLISHED,
            "visibility": Visibility.PUBLIC,
            "venue_name": "Zaal 2, Gebouw B",
            "venue_address": "Kerkstraat 1, 8000 Brugge",
            "created_at": now,
            "updated_at": now,
        }
        for n, start in enumerate(starts)
    ]
    db.session.execute(insert(Event), rows)
    programme = [
        {
            "event_id": row["id"],
            "position": part,
            "starts_at": row["starts_at"] + dt.timedelta(minutes=60 * part),
            "ends_at": row["starts_at"] + dt.timedelta(minutes=60 * part + 55),
            "title": f"Deel {part + 1}",
        }
        for row in rows
        for part in range(2)
    ]
    db.session.execute(insert(ProgrammeItem), programme)
    if theme is not None:
        db.session.execute(
            insert(event_themes), [{"event_id": row["id"], "theme_id": theme.id} for row in rows]
        )
    db.session.commit()


def test_five_years_of_3000_events_stay_under_one_megabyte(client, make_region):
    """K12: about 3,000 events with 1 kB descriptions over five years: feed < 1,000,000 bytes,
    the window (upcoming plus 90 days) still complete."""
    region = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    now = utcnow().replace(microsecond=0)
    first = now - dt.timedelta(days=4 * 365 + 180)
    step = dt.timedelta(days=5 * 365) / 3000
    starts = [first + step * n for n in range(3000)]
    bulk_events(region.id, starts)
    expected = sum(1 for start in starts if start + dt.timedelta(hours=2) >= now - dt.timedelta(90))

    response = client.get("/agenda.ics")

    assert response.status_code == 200
    assert len(response.data) < 1_000_000
    assert len(icalendar.Calendar.from_ical(response.data).walk("VEVENT")) == expected
    first = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(first["DESCRIPTION"]).startswith(ONE_KB + "\n\nProgramma:\n"), "not shortened"


def test_even_2000_upcoming_events_stay_under_one_megabyte(client, make_region):
    """K12 at its worst: everything upcoming; descriptions shrink, then the furthest go."""
    region = make_region()
    now = utcnow().replace(microsecond=0)
    bulk_events(region.id, [now + dt.timedelta(hours=6 * n + 1) for n in range(2000)])

    response = client.get("/agenda.ics")
    vevents = icalendar.Calendar.from_ical(response.data).walk("VEVENT")

    assert len(response.data) < 1_000_000
    assert len(vevents) > 500
    assert str(vevents[0]["SUMMARY"]) == "Vorming leerrecht 0", "the soonest are kept"
    assert "http://bruggen.test/activiteiten/bulk-" in str(vevents[0]["DESCRIPTION"])


def test_feed_of_2000_events_is_built_with_a_fixed_number_of_queries(
    client, make_region, make_theme, count_queries
):
    region = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    now = utcnow().replace(microsecond=0)
    bulk_events(
        region.id, [now + dt.timedelta(hours=3 * n + 1) for n in range(2000)], make_theme(2)
    )
    forget_loaded_objects()

    with count_queries() as queries:
        response = client.get("/agenda/west-vlaanderen/thema-2.ics")

    assert response.status_code == 200
    # the page cache's data versions, then: validators, events (with region and network),
    # themes, programme
    assert len(queries) == 5, queries
    assert "FROM data_versions" in queries[0]
    assert b"CATEGORIES:vorming,thema 2" in response.data


def test_304_on_2000_events_does_not_build_the_feed(client, make_region, count_queries):
    region = make_region()
    now = utcnow().replace(microsecond=0)
    bulk_events(region.id, [now + dt.timedelta(hours=3 * n + 1) for n in range(2000)])
    etag = client.get("/agenda.ics").headers["ETag"]
    forget_loaded_objects()

    with count_queries() as queries:
        response = client.get("/agenda.ics", headers={"If-None-Match": etag})

    assert response.status_code == 304
    # At most the page cache's data versions (issue 14: none when read less than 1 s ago).
    assert len(queries) <= 1, queries
    assert all("FROM data_versions" in query for query in queries)
