"""The activity page: facts, Brussels times, programme, materials, discussion."""

from __future__ import annotations

import datetime as dt

from community.accounts.models import Organisation, Sector
from community.library.models import Material, MaterialType
from events.models import EventMaterial, EventStatus, ProgrammeItem, ProgrammeItemKind
from forums.models import Forum, Thread
from tests.pages_helpers import add

UTC = dt.UTC
WINTER_DAY = dt.datetime(2030, 12, 19, 8, 0, tzinfo=UTC)  # 09:00 in Brussels (CET)


def test_detail_shows_the_programme_in_brussels_time(client, make_event):
    event = make_event(
        title="Inspiratiedag",
        starts_at=WINTER_DAY,
        ends_at=WINTER_DAY + dt.timedelta(hours=7),
        summary="Een dag vol inspiratie.",
    )
    event.programme = [
        ProgrammeItem(
            starts_at=WINTER_DAY,
            ends_at=WINTER_DAY + dt.timedelta(minutes=45),
            title="Onthaal en welkomstwoord",
            kind=ProgrammeItemKind.TALK,
            speakers="An Peeters",
            room="Grote zaal",
        ),
        ProgrammeItem(
            starts_at=WINTER_DAY + dt.timedelta(hours=1),
            ends_at=WINTER_DAY + dt.timedelta(hours=2),
            title="Sofagesprek",
            kind=ProgrammeItemKind.PANEL,
        ),
    ]
    add(event)

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "donderdag 19 december 2030, 09:00 – 16:00" in html
    assert "09:00</time> – <time" in html and "09:45" in html
    assert "10:00" in html and "11:00" in html
    assert ">08:00<" not in html
    assert "Onthaal en welkomstwoord" in html and "(lezing)" in html
    assert "(sofagesprek)" in html
    assert "An Peeters" in html and "Grote zaal" in html
    assert "Een dag vol inspiratie." in html


def test_detail_shows_summer_times_with_the_summer_offset(client, make_event):
    start = dt.datetime(2030, 6, 20, 12, 30, tzinfo=UTC)  # 14:30 in Brussels (CEST)
    event = make_event(starts_at=start, ends_at=start + dt.timedelta(hours=2))

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "donderdag 20 juni 2030, 14:30 – 16:30" in html


def test_detail_shows_multi_day_and_all_day_activities_sensibly(client, make_event):
    multi = make_event(
        starts_at=dt.datetime(2030, 3, 7, 8, 0, tzinfo=UTC),
        ends_at=dt.datetime(2030, 3, 8, 15, 0, tzinfo=UTC),
    )
    all_day = make_event(
        is_all_day=True,
        starts_at=dt.datetime(2030, 3, 6, 23, 0, tzinfo=UTC),  # local midnight
        ends_at=dt.datetime(2030, 3, 7, 23, 0, tzinfo=UTC),
    )
    two_days = make_event(
        is_all_day=True,
        starts_at=dt.datetime(2030, 3, 6, 23, 0, tzinfo=UTC),
        ends_at=dt.datetime(2030, 3, 8, 23, 0, tzinfo=UTC),
    )

    def page(event):
        return client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "donderdag 7 maart 2030, 09:00 – vrijdag 8 maart 2030, 16:00" in page(multi)
    assert "donderdag 7 maart 2030 (hele dag)" in page(all_day)
    assert "van donderdag 7 maart 2030 tot en met vrijdag 8 maart 2030" in page(two_days)


def test_detail_never_shows_the_online_meeting_link(client, make_event):
    event = make_event(is_online=True, online_url="https://meet.example.org/geheim-123")

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "Online" in html
    assert "geheim-123" not in html
    assert "meet.example.org" not in html


def test_detail_shows_venue_with_an_openstreetmap_link(client, make_event):
    event = make_event(venue_name="Provinciehuis", venue_address="Markt 1, 8000 Brugge")

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "Provinciehuis" in html and "Markt 1, 8000 Brugge" in html
    assert "https://www.openstreetmap.org/search?query=Markt+1%2C+8000+Brugge" in html


def test_detail_shows_region_network_organisations_themes_and_capacity(
    client, make_event, make_region, make_theme
):
    region = make_region(name="West-Vlaanderen", slug="west-vlaanderen")
    org = add(Organisation(name="CLB Brugge", sector=Sector.EDUCATION))
    event = make_event(region=region, network=region.network, capacity=80, themes=[make_theme(1)])
    event.organisations = [org]
    add(event)

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "West-Vlaanderen" in html
    assert "Lerend netwerk West-Vlaanderen" in html
    assert "CLB Brugge" in html
    assert "80 deelnemers" in html
    assert "Thema 1" in html
    assert "netwerkmoment" in html


def test_detail_renders_the_sanitised_description(client, make_event):
    event = make_event(description_html="<p>Met <strong>vetjes</strong>.</p>")

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "<p>Met <strong>vetjes</strong>.</p>" in html


def test_detail_links_materials_of_the_activity_and_of_programme_items(client, make_event):
    event = make_event()
    item = ProgrammeItem(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        title="Workshop",
        kind=ProgrammeItemKind.WORKSHOP,
    )
    slides = Material(slug="slides", title="Slides workshop", type=MaterialType.PRESENTATION)
    report = Material(slug="verslag", title="Verslag van de dag", type=MaterialType.REPORT)
    add(item, slides, report)
    add(
        EventMaterial(event=event, material=slides, programme_item_id=item.id),
        EventMaterial(event=event, material=report),
    )

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert '<a href="/materiaal/slides">Slides workshop</a>' in html
    assert "Materiaal bij deze activiteit" in html
    assert '<a href="/materiaal/verslag">Verslag van de dag</a>' in html


def test_detail_hides_members_only_materials_from_anonymous_visitors(client, make_event):
    event = make_event()
    secret = Material(slug="intern", title="Interne nota", type=MaterialType.OTHER, is_public=False)
    add(secret)
    add(EventMaterial(event=event, material=secret))

    assert "Interne nota" not in client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)


def test_detail_links_the_discussion_thread_of_the_activity(client, make_event):
    event = make_event()
    forum = add(Forum(slug="algemeen", name="Algemeen forum"))
    thread = add(
        Thread(
            forum=forum, title="Nabespreking inspiratiedag", slug="nabespreking", event_id=event.id
        )
    )

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert f'href="/forum/algemeen/{thread.id}"' in html
    assert "Nabespreking inspiratiedag" in html


def test_cancelled_activity_page_says_it_is_cancelled(client, make_event):
    event = make_event(status=EventStatus.CANCELLED)

    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)

    assert "Deze activiteit is geannuleerd." in html


def test_detail_of_unknown_activity_is_404(client):
    assert client.get("/activiteiten/bestaat-niet").status_code == 404
