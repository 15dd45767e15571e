"""'Add to my calendar' links for the web calendars of Google and Outlook.com (no online link)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from events.calendar.ical import TZID, all_day_dates, event_description, event_location
from events.models import Event


def _link_dates(event: Event) -> tuple[str, str, bool]:
    """Start and end for the web calendars: UTC ``YYYYMMDDTHHMMSSZ``, or dates for all-day."""
    if event.is_all_day:
        start, end = all_day_dates(event)
        return start.strftime("%Y%m%d"), end.strftime("%Y%m%d"), True
    fmt = "%Y%m%dT%H%M%SZ"
    return event.starts_at.strftime(fmt), event.ends_at.strftime(fmt), False


def google_calendar_url(event: Event) -> str:
    """Return a Google Calendar "add event" link with ``event``'s data (no online link)."""
    start, end, _ = _link_dates(event)
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{start}/{end}",
        "details": event_description(event, include_online_link=False, programme=False),
        "location": event_location(event, include_online_link=False),
        "ctz": TZID,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(event: Event) -> str:
    """Return an Outlook.com "new event" (compose) link with ``event``'s data (no online link)."""
    start, end, all_day = _link_dates(event)
    if all_day:
        startdt = f"{start[:4]}-{start[4:6]}-{start[6:]}"
        enddt = f"{end[:4]}-{end[4:6]}-{end[6:]}"
    else:
        startdt = event.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        enddt = event.ends_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": startdt,
        "enddt": enddt,
        "body": event_description(event, include_online_link=False, programme=False),
        "location": event_location(event, include_online_link=False),
    }
    if all_day:
        query["allday"] = "true"
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
