"""The .ics of an activity: cases 001 K1–K5, K7–K9, read back with icalendar and vobject."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from community.core.extensions import db
from events.calendar.ical import brussels_timezone, event_calendar, event_uid
from events.models import EventStatus

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.UTC


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BRUSSELS).astimezone(UTC)


def vevent_of(data: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(data)
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def unfold(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


@pytest.fixture(autouse=True)
def _dutch(app):
    """Labels (CATEGORIES) are translated: build the calendars in a Dutch request."""
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        yield


@pytest.fixture
def training(make_event):
    return make_event(
        title="Vorming leerrecht",
        starts_at=local(2027, 3, 26, 9, 30),
        ends_at=local(2027, 3, 26, 12, 30),
    )


def test_calendar_defines_the_brussels_time_zone_it_uses(training):
    """K1: TZID=Europe/Brussels comes with its VTIMEZONE (STANDARD and DAYLIGHT)."""
    data = event_calendar(training)
    text = unfold(data)

    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n" in text
    assert "BEGIN:STANDARD" in text and "BEGIN:DAYLIGHT" in text
    assert "DTSTART;TZID=Europe/Brussels:20270326T093000\r\n" in text
    assert "DTEND;TZID=Europe/Brussels:20270326T123000\r\n" in text
    for line in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "PRODID:-//Bruggen"):
        assert line in text
    assert "ORGANIZER" not in text and "ATTENDEE" not in text
    assert vevent_of(data)["DTSTART"].dt.astimezone(UTC) == dt.datetime(
        2027, 3, 26, 8, 30, tzinfo=UTC
    )


def test_vtimezone_alone_gives_the_right_utc_times_across_summer_time(make_event):
    """K2: 09:30 on 26 March (CET) and 2 April 2027 (CEST) are 08:30Z and 07:30Z.

    vobject converts with the VTIMEZONE block in the file (not the zone name),
    so this checks the block's DST rules themselves.
    """
    before = make_event(starts_at=local(2027, 3, 26, 9, 30), ends_at=local(2027, 3, 26, 11, 0))
    after = make_event(starts_at=local(2027, 4, 2, 9, 30), ends_at=local(2027, 4, 2, 11, 0))

    for event, expected in ((before, (8, 30)), (after, (7, 30))):
        parsed = vobject.readOne(event_calendar(event).decode("utf-8"))
        start = parsed.vevent.dtstart.value
        assert (start.hour, start.minute) == (9, 30)
        assert start.astimezone(UTC) == dt.datetime(2027, *event_date(event), *expected, tzinfo=UTC)
        # icalendar agrees
        assert vevent_of(event_calendar(event))["DTSTART"].dt.astimezone(UTC).hour == expected[0]


def event_date(event) -> tuple[int, int]:
    start = event.starts_at.astimezone(BRUSSELS)
    return start.month, start.day


def test_vtimezone_rules_match_the_zoneinfo_database_for_every_day_until_2037():
    text = icalendar.Calendar()
    text.add("version", "2.0")
    text.add("prodid", "test")
    text.add_component(brussels_timezone())
    vtimezone = vobject.readOne(text.to_ical().decode()).vtimezone.gettzinfo()
    instant = dt.datetime(2020, 1, 1, 0, 30, tzinfo=UTC)
    while instant.year < 2038:
        expected = instant.astimezone(BRUSSELS)
        assert instant.astimezone(vtimezone).utcoffset() == expected.utcoffset(), expected
        instant += dt.timedelta(hours=7)


def test_all_day_activities_end_on_the_day_after_the_last_day(make_event):
    """K3: exclusive DTEND as a DATE, no time part."""
    two_days = make_event(
        is_all_day=True, starts_at=local(2027, 10, 14, 0, 0), ends_at=local(2027, 10, 16, 0, 0)
    )
    one_day = make_event(
        is_all_day=True, starts_at=local(2027, 10, 14, 0, 0), ends_at=local(2027, 10, 15, 0, 0)
    )

    text = unfold(event_calendar(two_days))
    assert "DTSTART;VALUE=DATE:20271014\r\n" in text
    assert "DTEND;VALUE=DATE:20271016\r\n" in text
    text = unfold(event_calendar(one_day))
    assert "DTSTART;VALUE=DATE:20271014\r\n" in text
    assert "DTEND;VALUE=DATE:20271015\r\n" in text
    parsed = vobject.readOne(event_calendar(one_day).decode())
    assert parsed.vevent.dtend.value == dt.date(2027, 10, 15)


def test_uid_is_stable_and_sequence_grows_when_the_activity_moves(training):
    """K4, K5: same UID after renaming and moving; SEQUENCE a small growing integer."""
    first = vevent_of(event_calendar(training))
    assert str(first["UID"]) == f"event-{training.id}@bruggen.test" == event_uid(training)
    assert first["SEQUENCE"] == 0

    training.title = "Vorming leerrecht (nieuwe datum)"
    training.starts_at = local(2027, 4, 2, 9, 30)
    training.ends_at = local(2027, 4, 2, 12, 30)
    training.revision += 1
    db.session.commit()
    moved = vevent_of(event_calendar(training))

    assert str(moved["UID"]) == str(first["UID"])
    assert moved["SEQUENCE"] == 1
    assert moved["LAST-MODIFIED"].dt >= first["LAST-MODIFIED"].dt
    assert moved["DTSTAMP"].dt == training.updated_at.replace(microsecond=0)
    assert event_calendar(training) == event_calendar(training), "no 'now' inside"


def test_cancelled_activity_keeps_its_uid_with_status_cancelled(training):
    training.status = EventStatus.CANCELLED
    training.revision += 1
    db.session.commit()

    vevent = vevent_of(event_calendar(training))

    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1
    assert str(vevent["UID"]) == event_uid(training)


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def test_long_lines_are_folded_at_75_octets_without_splitting_utf8(make_event):
    """K7: the ë falls on octets 75–76; every physical line is valid UTF-8 on its own."""
    tricky = "a" * 62 + "ëvaluatie van de dag"
    long_dutch = ("Een inspiratiedag over coöperatie, financiën en ëvaluatie. " * 6)[:300]
    for description in (tricky, long_dutch):
        event = make_event(description=description, summary="")
        data = event_calendar(event)
        for line in _lines(data):
            assert len(line) <= 75
            line.decode("utf-8")  # raises if a character was split
            assert b"\n" not in line and b"\r" not in line
        assert vevent_of(data)["DESCRIPTION"].startswith(description + "\n\n")
        assert vobject.readOne(data.decode()).vevent.description.value.startswith(description)


def test_text_values_are_escaped_and_read_back_exactly(make_event):
    """K8: , ; \\ and newlines escaped; parsed back equal to the input."""
    description = "Programma:\nMateriaal op \\\\server\\map"
    event = make_event(
        venue_name="Zaal 2, Gebouw B; Brussel", venue_address="", description=description
    )
    data = event_calendar(event)
    text = unfold(data)

    assert "LOCATION:Zaal 2\\, Gebouw B\\; Brussel\r\n" in text
    assert "DESCRIPTION:Programma:\\nMateriaal op \\\\\\\\server\\\\map" in text
    vevent = vevent_of(data)
    assert str(vevent["LOCATION"]) == "Zaal 2, Gebouw B; Brussel"
    assert str(vevent["DESCRIPTION"]).startswith(description + "\n\n")
    parsed = vobject.readOne(data.decode()).vevent
    assert parsed.location.value == "Zaal 2, Gebouw B; Brussel"
    assert parsed.description.value.startswith(description)


def test_title_keeps_utf8_and_a_literal_ampersand(make_event):
    """K9: UTF-8 bytes of ö and a literal &, never &amp; or &#."""
    event = make_event(title='Inspiratiedag coöperatie & financiën "2027"')
    data = event_calendar(event)

    assert 'SUMMARY:Inspiratiedag coöperatie & financiën "2027"'.encode() in data
    assert b"&amp;" not in data and b"&#" not in data


def test_online_link_only_when_asked_and_url_and_categories_present(make_event):
    event = make_event(is_online=True, online_url="https://meet.example.org/abc")

    public = unfold(event_calendar(event))
    private = unfold(event_calendar(event, include_online_link=True))

    assert "meet.example.org" not in public
    assert "LOCATION:Online\r\n" in public
    assert "LOCATION:https://meet.example.org/abc\r\n" in private
    assert f"URL:http://bruggen.test/activiteiten/{event.slug}\r\n" in public
    assert "CATEGORIES:netwerkmoment" in public
