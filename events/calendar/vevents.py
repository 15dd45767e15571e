"""VEVENTs for the feeds written straight from database rows: the bytes ``icalendar`` writes.

Building the whole agenda (a thousand activities) through ORM objects and
``icalendar`` components took more than a second (issue 14): most of it in
``icalendar``'s property objects and its character-by-character line folding,
the rest in loading ORM objects and in Flask-Babel lookups repeated per
activity. Here the activities are read with SQLAlchemy Core (three queries
whatever their number: activities, themes, programme), the translated words
are looked up once per build, and each VEVENT is written as text in the
order and with the escaping and folding of ``icalendar`` 7 (RFC 5545 3.1
folding before the 75th octet, never splitting a UTF-8 character nor a
backslash escape; 3.3.11 TEXT escaping). ``tests/events/test_vevents.py``
checks the result byte for byte against :func:`events.calendar.ical.event_component`,
which stays the one writer of single activities (downloads, mails).

Each VEVENT's text is kept in a small per-process cache (:data:`CACHE_SIZE`
entries, least recently used first out) keyed by everything it is made of: every
field of the row (:meth:`FeedEvent.content`: its texts, times, network name,
themes and programme), the description cap, the personal parts, the language
and the base URL. The text is a function of that key alone, so an entry can
never be stale; a feed rebuilt after one activity changed writes only that one.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from community.accounts.models import Network, Region, Theme
from community.core.extensions import db
from events.calendar.ical import STATUS, TZID, _shorten, _TextExtractor, plain_text
from events.models import (
    Event,
    EventStatus,
    EventType,
    ProgrammeItem,
    ProgrammeItemKind,
    event_themes,
)

ZONE = ZoneInfo(TZID)
# icalendar folds a content line before the octet that would make it 75 long (RFC 5545 3.1
# says "SHOULD NOT be longer than 75 octets"): at most 74 octets of content per line.
FOLD_OCTETS = 74
# VEVENT texts kept per process (about 0.5–1.5 kB each): the whole agenda with both caps.
CACHE_SIZE = 2048


# --- rows -----------------------------------------------------------------------------


@dataclass(slots=True)
class ProgrammeRow:
    """A programme item as a VEVENT's description shows it (times aware UTC)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    kind: str
    speakers: str
    room: str


@dataclass(slots=True)
class FeedEvent:
    """An activity as its VEVENT shows it, read with Core (times aware UTC).

    ``network_name`` is None without a network; ``theme_numbers`` ascending;
    ``programme`` in the activity page's order (start, position).
    """

    id: int
    slug: str
    title: str
    type: str
    status: str
    region_slug: str
    network_name: str | None
    summary: str
    description: str
    description_html: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    is_all_day: bool
    venue_name: str
    venue_address: str
    is_online: bool
    online_url: str
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    theme_numbers: list[int] = field(default_factory=list)
    programme: list[ProgrammeRow] = field(default_factory=list)

    def content(self) -> tuple:
        """Return every field as a hashable tuple: the VEVENT cache's key (with the cap,
        language and personal parts), so any change of what is written changes it."""
        return (
            *(getattr(self, name) for name in _SCALARS),
            tuple(self.theme_numbers),
            tuple(
                (p.starts_at, p.ends_at, p.title, p.kind, p.speakers, p.room)
                for p in self.programme
            ),
        )


_SCALARS = tuple(name for name in FeedEvent.__slots__ if name not in ("theme_numbers", "programme"))


_EVENT_COLUMNS = (
    Event.id,
    Event.slug,
    Event.title,
    Event.type,
    Event.status,
    Region.slug,
    Network.name,
    Event.summary,
    Event.description,
    Event.description_html,
    Event.starts_at,
    Event.ends_at,
    Event.is_all_day,
    Event.venue_name,
    Event.venue_address,
    Event.is_online,
    Event.online_url,
    Event.revision,
    Event.created_at,
    Event.updated_at,
)


def load_feed_events(where: ColumnElement[bool]) -> list[FeedEvent]:
    """Return the activities matching ``where``, soonest first (start, id), with their themes
    and programme: three queries whatever their number (no ORM objects are made)."""
    query = (
        select(*_EVENT_COLUMNS)
        .join(Region, Region.id == Event.region_id)
        .outerjoin(Network, Network.id == Event.network_id)
        .where(where)
        .order_by(Event.starts_at, Event.id)
    )
    events = [FeedEvent(*row) for row in db.session.execute(query)]  # type: ignore[call-arg]
    if not events:
        return events
    by_id = {event.id: event for event in events}
    ids = select(Event.id).where(where).scalar_subquery()
    themes = (
        select(event_themes.c.event_id, Theme.number)
        .join(Theme, Theme.id == event_themes.c.theme_id)
        .where(event_themes.c.event_id.in_(ids))
        .order_by(Theme.number)
    )
    for event_id, number in db.session.execute(themes):
        by_id[event_id].theme_numbers.append(number)
    programme = (
        select(
            ProgrammeItem.event_id,
            ProgrammeItem.starts_at,
            ProgrammeItem.ends_at,
            ProgrammeItem.title,
            ProgrammeItem.kind,
            ProgrammeItem.speakers,
            ProgrammeItem.room,
        )
        .where(ProgrammeItem.event_id.in_(ids))
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position)
    )
    for event_id, starts_at, ends_at, title, kind, speakers, room in db.session.execute(programme):
        by_id[event_id].programme.append(
            ProgrammeRow(starts_at, ends_at, title, kind, speakers, room)
        )
    return events


# --- text -----------------------------------------------------------------------------


def escape_text(text: str) -> str:
    r"""Escape a TEXT value as ``icalendar`` 7 does (RFC 5545 3.3.11), in the same order:
    ``\N`` becomes a newline first, then backslash, ``;``, ``,`` and line ends."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def fold(line: str) -> bytes:
    """Return the content line ``line`` as UTF-8, folded as ``icalendar`` 7 folds it.

    RFC 5545 3.1: at most :data:`FOLD_OCTETS` octets of content per physical line,
    continued after CRLF and a space; never inside a UTF-8 character; a backslash or
    caret that would end a line moves to the next one (an escape is never split).
    """
    data = line.encode()
    size = len(data)
    if size <= FOLD_OCTETS:
        return data
    parts = []
    start = 0
    while size - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        while data[cut] & 0xC0 == 0x80:  # inside a character: cut before it
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


# A start tag with double-quoted attributes, an end tag, or a "<" that is neither.
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)"
    r"((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*\"[^\"]*\")?)*)\s*(/?)>|<"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*\"([^\"]*)\")?")
# Elements whose content HTMLParser reads as raw text.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})
_BLOCKS = _TextExtractor.BLOCKS
_BLANK_LINES = re.compile(r"\n\n\n+")  # plain_text's "\n{3,}", found faster


def fast_plain_text(html: str) -> str:
    """Return :func:`events.calendar.ical.plain_text` of ``html``, several times faster.

    Sanitised HTML (nh3's output: double-quoted attributes, ``<`` and ``&`` in text
    escaped) is split into tags and text with one regular expression and handled as
    :class:`_TextExtractor` handles what ``HTMLParser`` reports (attributes are read
    for links only: the extractor looks at nothing else). Anything else (a
    comment, a bare ``<``, an unquoted attribute, an end tag with attributes, raw-text
    elements) goes through ``HTMLParser`` itself, so the result is always the same.
    """
    if "<" not in html:
        return plain_text(html)
    # The handlers of _TextExtractor, inlined (a call per tag costs as much as the rest).
    parts: list[str] = []
    links: list[str | None] = []
    position = 0
    for match in _TAG.finditer(html):
        start = match.start()
        if start > position:
            parts.append(unescape(html[position:start]))
        closing, name, attributes, empty = match.groups()
        if name is None:
            return plain_text(html)
        name = name.lower()
        if name in _RAW_TEXT or (closing and (attributes or empty)):
            return plain_text(html)
        position = match.end()
        if not closing:
            if name in _BLOCKS:
                parts.append("\n\n")
            elif name == "li":
                parts.append("\n- ")
            elif name == "br" or name == "tr":
                parts.append("\n")
            elif name == "a":
                found = dict(
                    (key.lower(), unescape(value) if value else value)
                    for key, value in _ATTRIBUTE.findall(attributes)
                )
                links.append(found.get("href"))
            if not empty:
                continue
        if name in _BLOCKS:
            parts.append("\n\n")
        elif name == "a" and links:
            href = links.pop()
            if href and not href.startswith("mailto:") and href not in parts[-1:]:
                parts.append(f" ({href})")
    if position < len(html):
        parts.append(unescape(html[position:]))
    text = "".join(parts)
    # The two substitutions of plain_text, run only when they can change something.
    if " \n" in text or "\t\n" in text:
        text = re.sub(r"[ \t]+\n", "\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# --- writing --------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


def _local(moment: dt.datetime) -> str:
    moment = moment.astimezone(ZONE)
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def _day(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


class Words:
    """The translated words of one build, each looked up once (Flask-Babel's ``gettext``
    costs tens of microseconds a call): type and programme-kind labels, "thema n",
    "Programma:", "Georganiseerd door …", in the current locale."""

    def __init__(self) -> None:
        self.programme = _("Programma:")
        self._types: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._themes: dict[int, str] = {}
        self._organisers: dict[str, str] = {}

    def type_label(self, kind: str) -> str:
        if kind not in self._types:
            self._types[kind] = EventType(kind).label
        return self._types[kind]

    def kind_label(self, kind: str) -> str:
        if kind not in self._kinds:
            self._kinds[kind] = ProgrammeItemKind(kind).label
        return self._kinds[kind]

    def theme(self, number: int) -> str:
        if number not in self._themes:
            self._themes[number] = _("thema %(n)s", n=number)
        return self._themes[number]

    def organiser(self, network: str) -> str:
        if network not in self._organisers:
            self._organisers[network] = _("Georganiseerd door %(network)s", network=network)
        return self._organisers[network]


@dataclass(slots=True)
class Personal:
    """A personal feed's parts of one VEVENT (see ``feeds.personal_feed``)."""

    include_online_link: bool = False
    sequence: int | None = None
    status: str | None = None
    summary_prefix: str = ""

    def key(self) -> tuple:
        return (self.include_online_link, self.sequence, self.status, self.summary_prefix)


NOT_PERSONAL = Personal()


class FeedWriter:
    """Writes VEVENTs of :class:`FeedEvent` rows; one per feed build (its words, base URL)."""

    def __init__(self) -> None:
        self.words = Words()
        self.base = current_app.config["BRUGGEN_BASE_URL"].rstrip("/")
        self.host = urlsplit(self.base).hostname or "bruggen"
        self.language = str(get_locale())
        self._bodies: dict[int, str] = {}

    def _body(self, event: FeedEvent) -> str:
        """Description and programme, uncapped (:func:`ical.event_description`'s body)."""
        if event.id not in self._bodies:
            if event.description_html:
                text = fast_plain_text(event.description_html)
            else:
                text = (event.description or event.summary or "").strip()
            body = [text]
            schedule = self._programme(event)
            if schedule:
                body.append(self.words.programme + "\n" + schedule)
            self._bodies[event.id] = "\n\n".join(part for part in body if part)
        return self._bodies[event.id]

    def _programme(self, event: FeedEvent) -> str:
        """:func:`ical.programme_text` of the row."""
        if not event.programme:
            return ""
        start_day = event.starts_at.astimezone(ZONE).date()
        end_day = event.ends_at.astimezone(ZONE).date()
        lines = []
        for item in event.programme:
            start, end = item.starts_at.astimezone(ZONE), item.ends_at.astimezone(ZONE)
            when = f"{start:%H:%M}–{end:%H:%M}"
            if start_day != end_day:
                when = f"{start:%d/%m} {when}"
            details = [self.words.kind_label(item.kind)]
            details += [part for part in (item.speakers, item.room) if part]
            lines.append(f"{when} {item.title} ({', '.join(details)})")
        return "\n".join(lines)

    def description(self, event: FeedEvent, include_online_link: bool, cap: int | None) -> str:
        """:func:`ical.event_description` of the row (with the programme)."""
        parts = [_shorten(self._body(event), cap)]
        if event.is_online and include_online_link and event.online_url:
            parts.append(f"Online: {event.online_url}")
        parts.append(self.url(event))
        if event.network_name is not None:
            parts.append(self.words.organiser(event.network_name))
        return "\n\n".join(part for part in parts if part)

    def url(self, event: FeedEvent) -> str:
        return f"{self.base}/activiteiten/{event.slug}"

    def vevent(self, event: FeedEvent, cap: int | None, personal: Personal = NOT_PERSONAL) -> bytes:
        """Return the VEVENT of ``event`` as :func:`ical.event_component` writes it
        (``max_description=cap`` and the ``personal`` arguments), CRLF after every line."""
        key = (event.content(), cap, personal.key(), self.language, self.base)
        with _CACHE_LOCK:  # gthread workers build feeds in several threads
            cached = _CACHE.get(key)
            if cached is not None:
                _CACHE.move_to_end(key)
                return cached
        data = self._write(event, cap, personal)
        with _CACHE_LOCK:
            _CACHE[key] = data
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return data

    def _write(self, event: FeedEvent, cap: int | None, personal: Personal) -> bytes:
        online = personal.include_online_link
        if event.is_all_day:
            start, end = event.starts_at.astimezone(ZONE), event.ends_at.astimezone(ZONE)
            last_day = (end - dt.timedelta(seconds=1)).date() if end > start else start.date()
            dtstart = f"DTSTART;VALUE=DATE:{_day(start.date())}"
            dtend = f"DTEND;VALUE=DATE:{_day(last_day + dt.timedelta(days=1))}"
        else:
            dtstart = f"DTSTART;TZID={TZID}:{_local(event.starts_at)}"
            dtend = f"DTEND;TZID={TZID}:{_local(event.ends_at)}"
        if event.is_online:
            location = event.online_url if online and event.online_url else "Online"
        else:
            location = ", ".join(p for p in (event.venue_name, event.venue_address) if p)
        categories = [self.words.type_label(event.type)]
        categories += [self.words.theme(number) for number in event.theme_numbers]
        sequence = (event.revision or 0) if personal.sequence is None else personal.sequence
        status = personal.status or STATUS.get(EventStatus(event.status), "CONFIRMED")
        modified = _utc(event.updated_at)
        lines = [
            "BEGIN:VEVENT",
            "SUMMARY:" + escape_text(personal.summary_prefix + event.title),
            dtstart,
            dtend,
            "DTSTAMP:" + modified,
            "UID:" + escape_text(f"event-{event.id}@{self.host}"),
            f"SEQUENCE:{sequence}",
            "CATEGORIES:" + ",".join(escape_text(c) for c in categories),
            "CREATED:" + _utc(event.created_at),
            "DESCRIPTION:" + escape_text(self.description(event, online, cap)),
            "LAST-MODIFIED:" + modified,
        ]
        if location:
            lines.append("LOCATION:" + escape_text(location))
        lines += [
            "STATUS:" + escape_text(status),
            "TRANSP:OPAQUE",
            "URL:" + self.url(event),
            "END:VEVENT",
        ]
        return b"\r\n".join(fold(line) for line in lines) + b"\r\n"


_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every cached VEVENT text (tests; a change of the way VEVENTs are written)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def render_events(
    events: Iterable[FeedEvent], write: Callable[[FeedEvent, int], bytes], caps, budget: int
) -> tuple[list[bytes], bool]:
    """Return the VEVENT bytes of ``events`` with the first of ``caps`` that fits ``budget``
    octets, and whether all fit; with the last cap, the ones that fit (soonest first)."""
    events = list(events)
    parts: list[bytes] = []
    for cap in caps:
        parts, size = [], 0
        for event in events:
            parts.append(write(event, cap))
            size += len(parts[-1])
            if size > budget:
                break
        else:
            return parts, True
    return parts[:-1], False
