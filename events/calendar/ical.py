"""iCalendar (RFC 5545) output of activities: one VEVENT per activity and the VCALENDAR around it.

Built with the ``icalendar`` library, which escapes text (RFC 5545 3.3.11),
folds lines at 75 octets without splitting a UTF-8 character (3.1) and ends
every line in CRLF. Times are written as Europe/Brussels local time with a
VTIMEZONE that defines the zone (cases 001 K1, K2); all-day activities as
dates with an exclusive end (K3). The UID is derived from the activity's id
(K4) and SEQUENCE is its revision counter (K5). The subscription feeds reuse
:func:`event_component` and :func:`calendar_of`.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from icalendar import Event as VEvent

from events.models import Event, EventStatus

TZID = "Europe/Brussels"


PRODID = "-//Bruggen//lerende netwerken jeugdhulp-onderwijs//NL"


CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"


STATUS = {
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.DRAFT: "TENTATIVE",
}


def _base_url() -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/")


def event_url(event: Event) -> str:
    """Return the absolute URL of ``event``'s page."""
    return f"{_base_url()}/activiteiten/{event.slug}"


def event_uid(event: Event) -> str:
    """Return ``event``'s UID, ``event-<id>@<host of BRUGGEN_BASE_URL>``.

    Stable for the life of the activity (renaming or moving it keeps it), the
    same in feeds, downloads and mails (case 001 K4; RFC 5545 3.8.4.7).
    """
    host = urlsplit(_base_url()).hostname or "bruggen"
    return f"event-{event.id}@{host}"


def brussels_timezone() -> Timezone:
    """Return the VTIMEZONE of Europe/Brussels with its current DST rules (RFC 5545 3.6.5).

    Central European Time (+01:00) with summer time (+02:00) from the last
    Sunday of March 02:00 to the last Sunday of October 03:00 local time, the
    EU rule since 1996 (Directive 2000/84/EC). Written as RRULEs rather than a
    list of dates, which Outlook reads reliably; a test checks it against the
    zoneinfo database for every day of 2020–2037.
    """
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add("x-lic-location", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    timezone.add_component(daylight)
    timezone.add_component(standard)
    return timezone


class _TextExtractor(HTMLParser):
    """Collects the text of sanitised HTML: blocks on their own lines, links as "text (url)"."""

    BLOCKS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("br", "tr"):
            self.parts.append("\n")
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href and not href.startswith("mailto:") and href not in self.parts[-1:]:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Return the text of sanitised HTML (``render_markdown`` output) for a plain-text field.

    Paragraphs and lists stay on their own lines (blank line between blocks,
    "- " before list items), a link keeps its address in brackets after its
    text, entities are decoded (``&amp;`` becomes ``&``: RFC 5545 text is not
    HTML, case 001 K9). Runs of blank lines and trailing spaces are removed.
    """
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(extractor.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def event_text(event: Event) -> str:
    """Return ``event``'s description as plain text: the rendered Markdown, else the summary.

    ``description_html`` (sanitised HTML rendered from the Markdown source when
    the organiser saved it) is converted with :func:`plain_text`, so the
    calendar shows what the page shows; without it the source text is used as
    it is.
    """
    if event.description_html:
        return plain_text(event.description_html)
    return (event.description or event.summary or "").strip()


def programme_text(event: Event) -> str:
    """Return the programme as lines "09:30–10:00 Title (kind, speakers, room)" in Brussels time.

    Multi-day activities put the date before the time. Empty when the
    activity has no programme.
    """
    zone = ZoneInfo(TZID)
    start_day = event.starts_at.astimezone(zone).date()
    end_day = event.ends_at.astimezone(zone).date()
    lines = []
    for item in event.programme:
        start, end = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        when = f"{start:%H:%M}–{end:%H:%M}"
        if start_day != end_day:
            when = f"{start:%d/%m} {when}"
        details = [item.kind_label] + [part for part in (item.speakers, item.room) if part]
        lines.append(f"{when} {item.title} ({', '.join(details)})")
    return "\n".join(lines)


def _shorten(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return ""
    return text[: max_chars - 1].rstrip() + "…"


def event_description(
    event: Event,
    include_online_link: bool,
    *,
    programme: bool = True,
    max_chars: int | None = None,
) -> str:
    """Plain text: description and programme (at most ``max_chars`` together), links, organiser.

    The online link only with ``include_online_link``; the activity's URL and
    the organising network always (issue 4: no ORGANIZER property, the
    network is named here).
    """
    body = [event_text(event)]
    schedule = programme_text(event) if programme else ""
    if schedule:
        body.append(_("Programma:") + "\n" + schedule)
    parts = [_shorten("\n\n".join(part for part in body if part), max_chars)]
    if event.is_online and include_online_link and event.online_url:
        parts.append(f"Online: {event.online_url}")
    parts.append(event_url(event))
    if event.network is not None:
        parts.append(_("Georganiseerd door %(network)s", network=event.network.name))
    return "\n\n".join(part for part in parts if part)


def event_location(event: Event, include_online_link: bool) -> str:
    """The LOCATION text: venue name and address, "Online", or the online link when allowed."""
    if event.is_online:
        return event.online_url if include_online_link and event.online_url else "Online"
    return ", ".join(part for part in (event.venue_name, event.venue_address) if part)


def all_day_dates(event: Event) -> tuple[dt.date, dt.date]:
    """Return the first day and the day after the last day (exclusive end) of an all-day event."""
    zone = ZoneInfo(TZID)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    last_day = (end - dt.timedelta(seconds=1)).date() if end > start else start.date()
    return start.date(), last_day + dt.timedelta(days=1)


def event_component(
    event: Event,
    *,
    include_online_link: bool = False,
    max_description: int | None = None,
    sequence: int | None = None,
    status: str | None = None,
    summary_prefix: str = "",
) -> VEvent:
    """Return the VEVENT of ``event`` (no ORGANIZER or ATTENDEE: no personal data).

    DTSTART/DTEND in Europe/Brussels local time with TZID (the calendar must
    carry :func:`brussels_timezone`); all-day as VALUE=DATE with the day after
    the last day as exclusive end (RFC 5545 3.6.1). DTSTAMP, LAST-MODIFIED:
    the last change of the activity (``updated_at``), so output is the same
    until it changes; SEQUENCE: ``event.revision`` unless ``sequence`` is
    given. The online meeting link only with ``include_online_link`` (mails
    and feeds of confirmed participants). ``max_description`` caps the
    description and programme (characters; links and organiser always
    follow); ``status`` (e.g. "TENTATIVE") and ``summary_prefix`` (e.g.
    "[wachtlijst] ") mark a personal feed's waitlisted places. CATEGORIES: the
    type and the themes ("thema 1").
    """
    zone = ZoneInfo(TZID)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at.astimezone(dt.UTC))
    vevent.add("created", event.created_at.astimezone(dt.UTC))
    vevent.add("last-modified", event.updated_at.astimezone(dt.UTC))
    vevent.add("sequence", (event.revision or 0) if sequence is None else sequence)
    if event.is_all_day:
        first_day, day_after = all_day_dates(event)
        vevent.add("dtstart", first_day)
        vevent.add("dtend", day_after)
    else:
        vevent.add("dtstart", start)
        vevent.add("dtend", end)
    vevent.add("summary", summary_prefix + event.title)
    vevent.add(
        "description", event_description(event, include_online_link, max_chars=max_description)
    )
    location = event_location(event, include_online_link)
    if location:
        vevent.add("location", location)
    vevent.add("url", event_url(event))
    themes = [_("thema %(n)s", n=theme.number) for theme in event.themes]
    vevent.add("categories", [event.type_label, *themes])
    vevent.add("status", status or STATUS.get(EventStatus(event.status), "CONFIRMED"))
    vevent.add("transp", "OPAQUE")
    return vevent


def calendar_of(
    components,
    *,
    method: str | None = "PUBLISH",
    name: str | None = None,
    refresh: dt.timedelta | None = None,
) -> Calendar:
    """Return a VCALENDAR holding ``components`` (VEVENTs) and the Europe/Brussels VTIMEZONE.

    VERSION, PRODID, CALSCALE and METHOD come before the first component
    (case 001 K10); ``name`` sets NAME and X-WR-CALNAME (K11) for feeds;
    ``refresh`` sets REFRESH-INTERVAL;VALUE=DURATION (RFC 7986 5.7) and its
    older spelling X-PUBLISHED-TTL (Outlook, Apple) for subscriptions.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    if refresh is not None:
        calendar.add("refresh-interval", vDuration(refresh, params={"VALUE": "DURATION"}))
        calendar.add("x-published-ttl", vDuration(refresh))
    calendar.add_component(brussels_timezone())
    for component in components:
        calendar.add_component(component)
    return calendar


def event_calendar(
    event: Event, *, method: str = "PUBLISH", include_online_link: bool = False
) -> bytes:
    """Return ``event`` as a complete .ics file (UTF-8 bytes, CRLF lines, starts BEGIN:VCALENDAR).

    ``method`` is the iTIP method (RFC 5546): "PUBLISH" for downloads,
    confirmations and changes; a cancellation is PUBLISH with STATUS:CANCELLED
    (the event's status) and a higher SEQUENCE. A mail part carrying it must
    say the same ``method=`` (see :func:`mail_attachment`).
    """
    component = event_component(event, include_online_link=include_online_link)
    return calendar_of([component], method=method).to_ical()


def mail_attachment(
    event: Event, *, method: str = "PUBLISH", include_online_link: bool = False
) -> tuple[str, bytes, str]:
    """Return ``(filename, bytes, MIME type)`` for the outbox's ``queue_mail(attachments=)``.

    The MIME type is ``text/calendar; charset=utf-8; method=<method>`` with the
    same method as the METHOD line inside (case 001 K9, K10).
    """
    data = event_calendar(event, method=method, include_online_link=include_online_link)
    return (f"{event.slug}.ics", data, f"{CALENDAR_MIMETYPE}; method={method}")
