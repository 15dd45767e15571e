"""The agenda for other websites: an embeddable listing and its JSON (issue 17).

The same selection as the public calendar feeds (``events.calendar.feeds``): what an
anonymous visitor may see (public, published), with the feeds' region, theme and type
filters; here only the activities that have not ended, soonest first. No personal data:
no registrations, no names, no online meeting links, no counts of people.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.core.extensions import db
from events.calendar.feeds import FeedFilters, public_selection
from events.models import Event, EventStatus

#: The most activities one listing holds (the soonest); a partner's page stays light.
MAX_LISTED = 50
#: The JSON's format; a change that breaks readers raises it (documented in the README).
JSON_VERSION = 1


def upcoming_public(filters: FeedFilters, now: dt.datetime, limit: int = MAX_LISTED) -> list[Event]:
    """Return at most ``limit`` published public activities matching ``filters`` that have
    not ended at ``now`` (aware UTC), soonest first, with region and themes loaded (three
    queries). Cancelled activities are left out: a partner's page lists what takes place."""
    query = (
        select(Event)
        .where(
            public_selection(filters),
            Event.status == EventStatus.PUBLISHED,
            Event.ends_at >= now,
        )
        .options(joinedload(Event.region), selectinload(Event.themes))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())


def _with_query(path: str, args: dict[str, str]) -> str:
    return f"{path}?{urlencode(args)}" if args else path


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def as_json(events: list[Event], filters: FeedFilters, now: dt.datetime) -> dict:
    """Return the listing as the JSON document of ``/agenda.json`` (README, "The agenda on
    other websites"): times ISO 8601 in UTC, labels in Dutch; call in a request context."""
    return {
        "version": JSON_VERSION,
        "generated_at": now.replace(microsecond=0).isoformat(),
        "filters": filters.as_args(),
        "agenda_url": _absolute(_with_query(url_for("events.agenda"), filters.as_args())),
        "activities": [
            {
                "title": event.title,
                "url": _absolute(url_for("events.detail", slug=event.slug)),
                "type": str(event.type),
                "type_label": event.type_label,
                "starts_at": event.starts_at.isoformat(),
                "ends_at": event.ends_at.isoformat(),
                "is_all_day": event.is_all_day,
                "region": event.region.name,
                "region_slug": event.region.slug,
                "themes": [theme.number for theme in event.themes],
                "summary": event.summary,
                "is_online": event.is_online,
                "venue_name": "" if event.is_online else event.venue_name,
                "venue_address": "" if event.is_online else event.venue_address,
            }
            for event in events
        ],
    }
