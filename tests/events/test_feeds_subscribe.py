"""The subscribe page (/agenda/abonneren) and the feed links on agenda, region and account pages."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import icalendar

from community.core.extensions import db
from events.calendar import feeds
from events.calendar.feeds import FeedFilters
from events.calendar.ical import calendar_of, event_component
from events.models import EventType
from tests.pages_helpers import sign_in


def hrefs(page: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_subscribe_page_gives_every_kind_of_link_for_the_chosen_filters(client, make_region):
    make_region(slug="west-vlaanderen", name="West-Vlaanderen")

    response = client.get("/agenda/abonneren?regio=west-vlaanderen&thema=&type=training")
    page = response.get_data(as_text=True)
    links = hrefs(page)

    feed = "http://bruggen.test/agenda/west-vlaanderen/vormingen.ics"
    webcal = "webcal://bruggen.test/agenda/west-vlaanderen/vormingen.ics"
    assert response.status_code == 200
    assert webcal in links
    google = next(link for link in links if link.startswith("https://calendar.google.com/"))
    assert google.startswith("https://calendar.google.com/calendar/render?cid=")
    assert unquote(google.split("cid=", 1)[1]) == webcal
    outlook = next(link for link in links if link.startswith("https://outlook.live.com/"))
    query = parse_qs(urlsplit(outlook).query)
    assert urlsplit(outlook).path == "/calendar/0/addfromweb"
    assert query == {"url": [feed], "name": ["Bruggen – vormingen West-Vlaanderen"]}
    assert f'value="{feed}" readonly' in page
    assert "Google Agenda" in page and "Thunderbird" in page and "Outlook" in page
    assert "<script>" not in page and 'src="/static/js/copy-link.js"' in page
    assert "Deze link is geheim" not in page  # anonymous: no personal link


def test_subscribe_links_open_a_feed_that_exists(client, make_region, make_event):
    region = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    make_event(region=region, type=EventType.TRAINING)
    page = client.get("/agenda/abonneren?regio=west-vlaanderen&type=training").get_data(
        as_text=True
    )
    webcal = next(link for link in hrefs(page) if link.startswith("webcal://"))

    response = client.get(urlsplit(webcal).path)

    assert response.status_code == 200
    assert len(icalendar.Calendar.from_ical(response.data).walk("VEVENT")) == 1


def test_subscribe_page_with_an_unknown_filter_is_a_400_with_a_message(client, make_region):
    response = client.get("/agenda/abonneren?regio=nergens")

    assert response.status_code == 400
    assert "nergens" in response.get_data(as_text=True)


def test_signed_in_user_gets_the_secret_personal_link_and_a_regenerate_button(client, make_user):
    member = make_user()
    sign_in(client, member)

    page = client.get("/agenda/abonneren").get_data(as_text=True)

    assert f"http://bruggen.test/agenda/persoonlijk/{member.feed_token}.ics" in page
    assert f"webcal://bruggen.test/agenda/persoonlijk/{member.feed_token}.ics" in page
    assert "Deze link is geheim" in page
    assert 'action="/agenda/abonneren/nieuwe-link"' in page
    assert 'name="csrf_token"' in page


def test_account_page_shows_the_personal_link_and_regenerates_it(client, make_user):
    member = make_user()
    sign_in(client, member)
    old = member.feed_token

    page = client.get("/account").get_data(as_text=True)
    assert f"/agenda/persoonlijk/{old}.ics" in page
    assert 'action="/agenda/abonneren/nieuwe-link"' in page

    response = client.post_form("/agenda/abonneren/nieuwe-link", {"next": "/account"})
    db.session.refresh(member)
    assert member.feed_token != old
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De oude link werkt niet meer" in page
    assert f"/agenda/persoonlijk/{member.feed_token}.ics" in page


def test_agenda_links_to_the_feed_of_its_filters(client, make_region, make_theme):
    make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    make_theme(2)

    filtered = client.get("/agenda?regio=west-vlaanderen&thema=2&type=training")
    whole = client.get("/agenda")

    assert "/agenda/west-vlaanderen/thema-2/vormingen.ics" in hrefs(filtered.get_data(as_text=True))
    assert "/agenda/abonneren?regio=west-vlaanderen&thema=2&type=training" in hrefs(
        filtered.get_data(as_text=True)
    )
    assert "/agenda.ics" in hrefs(whole.get_data(as_text=True))
    assert "/agenda/abonneren" in hrefs(whole.get_data(as_text=True))


def test_region_page_links_to_its_feed(client, make_region):
    make_region(slug="west-vlaanderen", name="West-Vlaanderen")

    page = client.get("/regio/west-vlaanderen").get_data(as_text=True)

    assert "/agenda/west-vlaanderen.ics" in hrefs(page)
    assert "/agenda/abonneren?regio=west-vlaanderen" in hrefs(page)


def test_joined_feed_is_exactly_what_icalendar_writes_for_the_whole_calendar(app, make_event):
    events = [make_event(description="Één, twee; drie"), make_event()]
    with app.test_request_context():
        data = feeds.public_feed(FeedFilters(), None, events[0].starts_at)
        whole = calendar_of(
            [event_component(e, max_description=1500) for e in events],
            name="Bruggen – agenda",
            refresh=feeds.REFRESH_INTERVAL,
        ).to_ical()

    assert data == whole
