"""Bad input in the organiser's forms (issue 13, items 9 and 10): refused with a message, or
made one line, never a 500; nothing stored when refused. Run on PostgreSQL too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from events.models import Event, ProgrammeItem
from tests.events.organiser_helpers import event_form, register, text_of
from tests.pages_helpers import sign_in
from tests.route_world import build_world

NEW = "/beheer/activiteiten/nieuw"


@pytest.fixture
def coordinator(client, make_user, make_region, make_theme):
    region = make_region(name="Oost-Vlaanderen")
    user = make_user("coordinator", regions=[region])
    sign_in(client, user)
    return region, [make_theme(1)]


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


@pytest.mark.parametrize("places", ["100001", "9223372036854775808", "99999999999999999999999"])
def test_more_places_than_any_venue_holds_are_refused(client, coordinator, places):
    region, themes = coordinator

    response = client.post_form(NEW, event_form(region, themes, capacity=places))

    assert response.status_code == 422
    assert "Het aantal plaatsen is hoogstens 100000." in text_of(response)
    assert event_count() == 0


def test_a_workshop_with_too_many_places_is_refused(app, client):
    world = build_world()
    sign_in(client, world.users["coordinator"])
    url = f"/beheer/activiteiten/{world.event.slug}/programma/{world.item.id}"
    start = world.item.starts_at.astimezone(ZoneInfo("Europe/Brussels"))

    response = client.post_form(
        url,
        {
            "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "end_time": (start + dt.timedelta(minutes=30)).strftime("%H:%M"),
            "title": "Workshop",
            "kind": "workshop",
            "capacity": "10000000000000000000000",
        },
    )

    assert response.status_code == 422
    assert "Het aantal plaatsen is hoogstens 100000." in text_of(response)
    db.session.expire_all()
    assert db.session.get(ProgrammeItem, world.item.id).capacity == 10


# --- single-line text that ends up in a mail header (item 10) ---------------------------


def test_an_activity_title_with_line_breaks_is_stored_as_one_line(client, coordinator):
    region, themes = coordinator
    title = "Netwerkmoment\r\nBcc: iedereen@example.org\tover  spijbelen "

    response = client.post_form(NEW, event_form(region, themes, title=title))

    assert response.status_code == 302
    stored = db.session.scalar(select(Event.title))
    assert stored == "Netwerkmoment Bcc: iedereen@example.org over spijbelen"


def test_a_title_of_only_line_breaks_is_refused_with_a_message(client, coordinator):
    region, themes = coordinator

    response = client.post_form(NEW, event_form(region, themes, title="\r\n\t \r\n"))

    assert response.status_code == 422
    assert "Vul een titel in." in text_of(response)
    assert event_count() == 0


def test_the_organisers_subject_is_one_line_and_the_mail_arrives(
    client, make_user, make_region, make_event, mailbox
):
    region = make_region()
    sign_in(client, make_user("coordinator", regions=[region]))
    event = make_event(region=region, title="Netwerkmoment")
    register(event, email="an@example.org", name="An")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/mail",
        {"subject": "Praktisch\r\nBcc: buitenstaander@example.org", "body": "Tot dan!"},
    )

    assert response.status_code == 302
    assert [m["To"] for m in mailbox] == ["an@example.org"]
    assert mailbox[0]["Subject"] == "Praktisch Bcc: buitenstaander@example.org"
    assert mailbox[0]["Bcc"] is None
    assert mailbox[0]["X-Envelope-To"] == "an@example.org"


def test_a_title_that_got_in_with_a_line_break_still_gives_a_one_line_subject(
    client, make_event, mailbox
):
    # A title stored before titles were made one line (or written by a script).
    event = make_event(title="Oud\nnetwerkmoment", capacity=10)

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven",
        {
            "guest_name": "An Peeters",
            "guest_email": "an@example.org",
            "guest_organisation": "CLB Gent",
            "guest_sector": "onderwijs",
        },
    )

    assert response.status_code == 302
    assert [m["Subject"] for m in mailbox] == ["Bevestig je inschrijving: Oud netwerkmoment"]
