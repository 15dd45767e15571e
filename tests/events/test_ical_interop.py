"""Every kind of calendar (whole, filtered, personal feed, single .ics) read by four parsers.

Besides ``icalendar`` (which writes them): the strict RFC 5545 parser ``ical``,
``vobject`` (which converts times with the file's own VTIMEZONE) and Mozilla's
``ical.js`` (Thunderbird's parser) through Node. Each parser's reading is
normalised to the same dicts and compared with the expected values of cases
001 K1–K9 and K11. Node and ``tests/js/node_modules`` (``npm ci --prefix
tests/js``, done by ``make test``) are required: without them the tests fail.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from community.core.extensions import db
from events.calendar import feeds
from events.calendar.feeds import FeedFilters
from events.calendar.ical import event_calendar, event_uid
from events.models import EventStatus, EventType, Registration, RegistrationState, Visibility

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.UTC
ROOT = Path(__file__).resolve().parents[2]
PARSE_ICS = ROOT / "tests" / "js" / "parse_ics.mjs"
# The feeds are built "on" this day, so the 2027 dates of the cases stay upcoming.
NOW = dt.datetime(2027, 1, 4, 12, 0, tzinfo=UTC)

K7_TRICKY = "a" * 62 + "ëvaluatie van de dag"
K7_DUTCH = ("Een inspiratiedag over coöperatie, financiën, ëvaluatie en één idee. " * 5)[:300]
K8_LOCATION = "Zaal 2, Gebouw B; Brussel"
K8_DESCRIPTION = "Programma:\nMateriaal op \\\\server\\map"
K9_TITLE = 'Inspiratiedag coöperatie & financiën "2027"'


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BRUSSELS).astimezone(UTC)


# --- the parsers, each normalised to {uid: {...}} -----------------------------------


def _when(value) -> str:
    """A DATE as 2027-10-14, a DATE-TIME as its UTC instant 2027-03-26T08:30:00Z."""
    if isinstance(value, dt.datetime):
        assert value.tzinfo is not None, "floating time: the zone was not understood (K1)"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def read_icalendar(data: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(data)
    events = {}
    for vevent in calendar.walk("VEVENT"):
        categories = vevent.get("CATEGORIES")
        events[str(vevent["UID"])] = {
            "summary": str(vevent["SUMMARY"]),
            "description": str(vevent["DESCRIPTION"]),
            "location": str(vevent.get("LOCATION", "")),
            "status": str(vevent["STATUS"]),
            "sequence": int(vevent["SEQUENCE"]),
            "start": _when(vevent["DTSTART"].dt),
            "end": _when(vevent["DTEND"].dt),
            "categories": [str(c) for c in categories.cats] if categories else [],
        }
    return {"name": str(calendar.get("X-WR-CALNAME", "")), "events": events}


def read_ical(data: bytes) -> dict:
    """The ``ical`` package: strict RFC 5545 (it raises on what it cannot accept)."""
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    events = {}
    for event in calendar.events:
        events[event.uid] = {
            "summary": event.summary,
            "description": event.description,
            "location": event.location or "",
            "status": event.status.value if event.status else "",
            "sequence": event.sequence,
            "start": _when(event.dtstart),
            "end": _when(event.dtend),
            "categories": list(event.categories),
        }
    names = calendar.name if isinstance(calendar.name, list) else [calendar.name]
    # RFC 7986 NAME may repeat (one per language); a single .ics has none.
    return {"name": (names[0] if names else "") or "", "events": events}


def read_vobject(data: bytes) -> dict:
    calendar = vobject.readOne(data.decode("utf-8"))
    events = {}
    for vevent in calendar.contents.get("vevent", []):
        location = getattr(vevent, "location", None)
        categories = [c for line in vevent.contents.get("categories", []) for c in line.value]
        events[vevent.uid.value] = {
            "summary": vevent.summary.value,
            "description": vevent.description.value,
            "location": location.value if location else "",
            "status": vevent.status.value,
            "sequence": int(vevent.sequence.value),
            "start": _when(vevent.dtstart.value),
            "end": _when(vevent.dtend.value),
            "categories": categories,
        }
    names = calendar.contents.get("x-wr-calname", [])
    return {"name": names[0].value if names else "", "events": events}


def _js_when(value: dict) -> str:
    if value["isDate"]:
        return value["local"]
    assert value["tzid"] == "Europe/Brussels", value
    return value["utc"].replace(".000Z", "Z")


def run_icaljs(data: bytes, tmp_path: Path) -> dict:
    """Parse with ical.js in Node; fails (never skips) when Node or the package is missing."""
    node = shutil.which("node")
    assert node, "Node.js is required for the ical.js check (apt-get install nodejs)"
    assert (ROOT / "tests/js/node_modules/ical.js").is_dir(), (
        "ical.js is not installed: run `npm ci --prefix tests/js` (make test does it)"
    )
    path = tmp_path / "calendar.ics"
    path.write_bytes(data)
    result = subprocess.run(
        [node, str(PARSE_ICS), str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def read_icaljs(data: bytes, tmp_path: Path) -> dict:
    parsed = run_icaljs(data, tmp_path)
    events = {}
    for event in parsed["events"]:
        events[event["uid"]] = {
            "summary": event["summary"],
            "description": event["description"],
            "location": event["location"] or "",
            "status": event["status"],
            "sequence": event["sequence"],
            "start": _js_when(event["start"]),
            "end": _js_when(event["end"]),
            "categories": event["categories"],
        }
        assert event["organizer"] is None and event["attendees"] == 0
    return {"name": parsed["properties"]["x-wr-calname"] or "", "events": events}


def read_everywhere(data: bytes, tmp_path: Path) -> dict[str, dict]:
    """Return each parser's reading of ``data``; they must all agree."""
    readings = {
        "icalendar": read_icalendar(data),
        "ical": read_ical(data),
        "vobject": read_vobject(data),
        "ical.js": read_icaljs(data, tmp_path),
    }
    first = readings["icalendar"]
    for parser, reading in readings.items():
        assert reading == first, f"{parser} reads the calendar differently"
    return readings


# --- the data of the cases ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _dutch(app):
    """Labels (CATEGORIES, names) are Dutch: build in a Dutch request, as the feed views do."""
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        yield


@pytest.fixture
def world(make_region, make_theme, make_event):
    """West-Vlaanderen and Antwerpen, theme 2, and the activities of cases K1–K9."""
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    antwerp = make_region(slug="antwerpen", name="Antwerpen")
    theme2 = make_theme(2)
    training = {"type": EventType.TRAINING, "region": west, "themes": [theme2]}
    events = {
        # K1, K2: both sides of the March change; and of the October change.
        "march": make_event(
            title="Vorming leerrecht",
            starts_at=local(2027, 3, 26, 9, 30),
            ends_at=local(2027, 3, 26, 12, 30),
            **training,
        ),
        "april": make_event(
            title="Vorming leerrecht (2)",
            starts_at=local(2027, 4, 2, 9, 30),
            ends_at=local(2027, 4, 2, 12, 30),
            **training,
        ),
        "october": make_event(
            title="Vorming spijbelen",
            starts_at=local(2027, 10, 29, 9, 30),
            ends_at=local(2027, 10, 29, 12, 30),
            **training,
        ),
        "november": make_event(
            title="Vorming spijbelen (2)",
            starts_at=local(2027, 11, 5, 9, 30),
            ends_at=local(2027, 11, 5, 12, 30),
            **training,
        ),
        # K3
        "two_days": make_event(
            title="Inspiratiedagen",
            type=EventType.INSPIRATION_DAY,
            region=antwerp,
            is_all_day=True,
            starts_at=local(2027, 10, 14, 0, 0),
            ends_at=local(2027, 10, 16, 0, 0),
        ),
        "one_day": make_event(
            title="Studiedag",
            type=EventType.STUDY_DAY,
            region=antwerp,
            is_all_day=True,
            starts_at=local(2027, 10, 14, 0, 0),
            ends_at=local(2027, 10, 15, 0, 0),
        ),
        # K6
        "cancelled": make_event(
            title="Netwerkmoment Antwerpen",
            region=antwerp,
            status=EventStatus.CANCELLED,
            revision=2,
            cancelled_at=NOW - dt.timedelta(days=3),
            starts_at=local(2027, 2, 10, 14, 0),
            ends_at=local(2027, 2, 10, 16, 0),
        ),
        # K7, K8, K9
        "tricky": make_event(
            title="Netwerkmoment K7",
            region=antwerp,
            description=K7_TRICKY,
            starts_at=local(2027, 2, 11, 14, 0),
            ends_at=local(2027, 2, 11, 16, 0),
        ),
        "dutch": make_event(
            title="Netwerkmoment K7 lang",
            region=antwerp,
            description=K7_DUTCH,
            starts_at=local(2027, 2, 12, 14, 0),
            ends_at=local(2027, 2, 12, 16, 0),
        ),
        "escaped": make_event(
            title=K9_TITLE,
            region=antwerp,
            venue_name=K8_LOCATION,
            venue_address="",
            description=K8_DESCRIPTION,
            starts_at=local(2027, 2, 13, 9, 0),
            ends_at=local(2027, 2, 13, 17, 0),
        ),
        # Never in a public feed.
        "members": make_event(
            title="Ledenmoment",
            region=west,
            visibility=Visibility.MEMBERS,
            is_online=True,
            online_url="https://meet.example.org/leden",
            starts_at=local(2027, 2, 15, 14, 0),
            ends_at=local(2027, 2, 15, 15, 0),
        ),
        "draft": make_event(title="Ontwerp", region=west, status=EventStatus.DRAFT),
    }
    return {"west": west, "antwerp": antwerp, "theme2": theme2, "events": events}


def uid(world, key) -> str:
    return event_uid(world["events"][key])


def whole_feed() -> bytes:
    return feeds.public_feed(FeedFilters(), None, NOW)


# --- the tests ------------------------------------------------------------------------------


def test_whole_feed_gives_brussels_times_across_both_summer_time_changes(world, tmp_path):
    """K1, K2 in all four parsers: 09:30 local is 08:30Z in winter, 07:30Z in summer."""
    readings = read_everywhere(whole_feed(), tmp_path)

    for reading in readings.values():
        events = reading["events"]
        assert events[uid(world, "march")]["start"] == "2027-03-26T08:30:00Z"
        assert events[uid(world, "march")]["end"] == "2027-03-26T11:30:00Z"
        assert events[uid(world, "april")]["start"] == "2027-04-02T07:30:00Z"
        assert events[uid(world, "october")]["start"] == "2027-10-29T07:30:00Z"
        assert events[uid(world, "november")]["start"] == "2027-11-05T08:30:00Z"
        assert reading["name"] == "Bruggen – agenda"
    text = whole_feed().decode()
    assert "DTSTART;TZID=Europe/Brussels:20270326T093000\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n" in text


def test_whole_feed_as_ical_js_sees_it(world, tmp_path):
    """The calendar properties of issue 4 as Thunderbird's parser reads them."""
    parsed = run_icaljs(whole_feed(), tmp_path)
    properties = parsed["properties"]

    assert properties["version"] == "2.0" and properties["calscale"] == "GREGORIAN"
    assert properties["method"] == "PUBLISH"
    assert properties["name"] == properties["x-wr-calname"] == "Bruggen – agenda"
    assert properties["x-wr-timezone"] == "Europe/Brussels"
    assert properties["refresh-interval"] == "PT4H" == properties["x-published-ttl"]
    assert properties["timezones"] == [
        {"tzid": "Europe/Brussels", "parts": ["daylight", "standard"]}
    ]
    march = next(e for e in parsed["events"] if e["uid"] == uid(world, "march"))
    assert march["dtstartTzid"] == "Europe/Brussels"
    assert march["start"]["local"] == "2027-03-26T09:30:00"


def test_all_day_events_have_an_exclusive_end_date(world, tmp_path):
    """K3: two days 14–15 October end on the 16th; one day on the 15th; no time part."""
    for reading in read_everywhere(whole_feed(), tmp_path).values():
        events = reading["events"]
        two, one = events[uid(world, "two_days")], events[uid(world, "one_day")]
        assert (two["start"], two["end"]) == ("2027-10-14", "2027-10-16")
        assert (one["start"], one["end"]) == ("2027-10-14", "2027-10-15")
    text = whole_feed().decode()
    assert "DTSTART;VALUE=DATE:20271014\r\n" in text
    assert "DTEND;VALUE=DATE:20271016\r\n" in text and "DTEND;VALUE=DATE:20271015\r\n" in text


def test_cancelled_event_stays_with_status_cancelled_and_its_sequence(world, tmp_path):
    """K6: same UID, STATUS:CANCELLED, SEQUENCE the raised revision."""
    for reading in read_everywhere(whole_feed(), tmp_path).values():
        cancelled = reading["events"][uid(world, "cancelled")]
        assert cancelled["status"] == "CANCELLED" and cancelled["sequence"] == 2
        assert reading["events"][uid(world, "march")]["status"] == "CONFIRMED"


def test_folding_keeps_utf8_characters_whole_and_unfolds_to_the_exact_text(world, tmp_path):
    """K7: CRLF everywhere, at most 75 octets a line, each line valid UTF-8 on its own."""
    data = whole_feed()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    for line in data[:-2].split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line
        line.decode("utf-8")
    for reading in read_everywhere(data, tmp_path).values():
        events = reading["events"]
        assert events[uid(world, "tricky")]["description"].startswith(K7_TRICKY + "\n\n")
        assert events[uid(world, "dutch")]["description"].startswith(K7_DUTCH + "\n\n")


def test_text_is_escaped_and_reads_back_exactly(world, tmp_path):
    """K8 and K9: , ; \\ and newlines escaped; UTF-8 and a literal &, no HTML entities."""
    data = whole_feed()
    text = data.decode().replace("\r\n ", "")

    assert "LOCATION:Zaal 2\\, Gebouw B\\; Brussel\r\n" in text
    assert "DESCRIPTION:Programma:\\nMateriaal op \\\\\\\\server\\\\map" in text
    assert 'SUMMARY:Inspiratiedag coöperatie & financiën "2027"'.encode() in data
    assert b"&amp;" not in data and b"&#" not in data
    for reading in read_everywhere(data, tmp_path).values():
        escaped = reading["events"][uid(world, "escaped")]
        assert escaped["location"] == K8_LOCATION
        assert escaped["description"].startswith(K8_DESCRIPTION + "\n\n")
        assert escaped["summary"] == K9_TITLE


def test_public_feed_holds_neither_members_only_nor_draft_activities(world, tmp_path):
    for reading in read_everywhere(whole_feed(), tmp_path).values():
        assert uid(world, "members") not in reading["events"]
        assert uid(world, "draft") not in reading["events"]
        assert len(reading["events"]) == 10
    assert b"meet.example.org" not in whole_feed()


def test_filtered_feed_holds_only_its_activities_under_a_name_of_its_own(world, tmp_path):
    """K11: "theme 2 trainings in West-Vlaanderen" is named so; another filter, another name."""
    filters = FeedFilters("west-vlaanderen", 2, EventType.TRAINING)
    data = feeds.public_feed(filters, "West-Vlaanderen", NOW)

    for reading in read_everywhere(data, tmp_path).values():
        assert reading["name"] == "Bruggen – vormingen thema 2 West-Vlaanderen"
        assert set(reading["events"]) == {
            uid(world, key) for key in ("march", "april", "october", "november")
        }
        for event in reading["events"].values():
            assert event["categories"] == ["vorming", "thema 2"]
    other = feeds.public_feed(FeedFilters(type=EventType.STUDY_DAY), None, NOW)
    assert read_icalendar(other)["name"] == "Bruggen – studiedagen"
    assert set(read_icalendar(other)["events"]) == {uid(world, "one_day")}


def test_personal_feed_marks_places_and_gives_the_online_link_only_when_confirmed(
    world, make_user, tmp_path
):
    member = make_user()
    events = world["events"]
    online = events["members"]
    db.session.add_all(
        [
            Registration(
                event=online,
                user=member,
                name="Lid",
                email=member.email,
                state=RegistrationState.CONFIRMED,
            ),
            Registration(
                event=events["march"],
                user=member,
                name="Lid",
                email=member.email,
                state=RegistrationState.WAITLISTED,
            ),
        ]
    )
    db.session.commit()

    data = feeds.personal_feed(member, None, None, NOW)

    for parser, reading in read_everywhere(data, tmp_path).items():
        assert reading["name"] == "Bruggen – mijn activiteiten", parser
        assert set(reading["events"]) == {uid(world, "members"), uid(world, "march")}
        confirmed = reading["events"][uid(world, "members")]
        assert confirmed["status"] == "CONFIRMED"
        assert confirmed["location"] == "https://meet.example.org/leden"
        assert "Online: https://meet.example.org/leden" in confirmed["description"]
        waiting = reading["events"][uid(world, "march")]
        assert waiting["status"] == "TENTATIVE"
        assert waiting["summary"] == "[wachtlijst] Vorming leerrecht"
    assert b"Lid" not in data.replace(b"Ledenmoment", b"") and member.email.encode() not in data


def test_single_ics_reads_the_same_with_the_same_uid_as_the_feed(world, tmp_path):
    """K4: the download carries the UID of the feed; every parser agrees on its values."""
    event = world["events"]["escaped"]
    single = read_everywhere(event_calendar(event), tmp_path)["ical.js"]["events"]
    in_feed = read_icalendar(whole_feed())["events"]

    assert list(single) == [event_uid(event)]
    assert single[event_uid(event)]["summary"] == in_feed[event_uid(event)]["summary"]
    assert single[event_uid(event)]["location"] == K8_LOCATION
