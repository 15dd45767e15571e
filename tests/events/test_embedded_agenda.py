"""The agenda on partners' websites (issue 17): a page to frame, its JSON, the snippet."""

from __future__ import annotations

import datetime as dt
import json

from community.core.extensions import db
from community.core.security import FRAMEABLE_CONTENT_SECURITY_POLICY
from events import registration as reg
from events.models import EventStatus, EventType, Visibility


def test_embedded_page_may_be_framed_and_others_may_not(client, make_event):
    make_event(title="Netwerkmoment Brugge")

    embedded = client.get("/agenda/ingebed")
    agenda = client.get("/agenda")

    assert embedded.status_code == 200
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    assert embedded.headers["Content-Security-Policy"] == FRAMEABLE_CONTENT_SECURITY_POLICY
    assert "X-Frame-Options" not in embedded.headers
    assert "frame-ancestors 'none'" in agenda.headers["Content-Security-Policy"]
    assert agenda.headers["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" not in embedded.headers


def test_embedded_page_lists_upcoming_public_activities_of_the_filters(
    client, make_event, make_region, make_theme
):
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    theme = make_theme(2)
    make_event(title="Vorming West", region=west, type=EventType.TRAINING, themes=[theme])
    make_event(title="Netwerkmoment West", region=west)
    make_event(title="Vorming Limburg", type=EventType.TRAINING, themes=[theme])
    make_event(title="Ledenmoment West", region=west, visibility=Visibility.MEMBERS)
    make_event(title="Ontwerp West", region=west, status=EventStatus.DRAFT)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    make_event(title="Voorbij West", region=west, starts_at=past)

    html = client.get("/agenda/ingebed?regio=west-vlaanderen").get_data(as_text=True)
    filtered = client.get("/agenda/ingebed?regio=west-vlaanderen&thema=2&type=training")

    assert "Vorming West" in html and "Netwerkmoment West" in html
    for hidden in ("Vorming Limburg", "Ledenmoment West", "Ontwerp West", "Voorbij West"):
        assert hidden not in html
    assert 'target="_blank" rel="noopener"' in html
    assert "West-Vlaanderen" in html
    text = filtered.get_data(as_text=True)
    assert "Vorming West" in text and "Netwerkmoment West" not in text


def test_json_has_the_same_listing_without_personal_data(client, make_event, make_user):
    event = make_event(title="Vorming NAFT", summary="Korte trajecten.", capacity=5)
    person = make_user(display_name="Griet Vermeulen", email="griet@example.org")
    reg.register(event, user=person)
    db.session.commit()

    response = client.get("/agenda.json")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.data)
    assert document["version"] == 1
    (activity,) = document["activities"]
    assert activity["title"] == "Vorming NAFT"
    assert activity["url"].endswith(f"/activiteiten/{event.slug}")
    assert activity["starts_at"] == event.starts_at.isoformat()
    body = response.get_data(as_text=True)
    assert "Griet" not in body and "griet@example.org" not in body


def test_unknown_filters_answer_400(client, make_event):
    assert client.get("/agenda/ingebed?regio=nergens").status_code == 400
    assert client.get("/agenda.json?thema=٣").status_code == 400
    assert client.get("/agenda.json?type=feest").status_code == 400


def test_embedded_page_is_served_from_the_page_cache(make_app, make_event):
    app = make_app(PAGE_CACHE_ENABLED=True)
    make_event(title="Netwerkmoment")
    client = app.test_client()

    first = client.get("/agenda/ingebed")
    second = client.get("/agenda/ingebed?utm_source=partner")

    assert second.headers.get("X-Page-Cache") == "hit"
    assert first.get_data() == second.get_data()
    assert "frame-ancestors *" in second.headers["Content-Security-Policy"]


def test_subscribe_page_offers_the_snippet_for_the_chosen_filters(client, make_region):
    make_region(slug="west-vlaanderen", name="West-Vlaanderen")

    html = client.get("/agenda/abonneren?regio=west-vlaanderen").get_data(as_text=True)

    assert "Deze agenda op je eigen website" in html
    assert "&lt;iframe src=&#34;http://" in html or "&lt;iframe src=&quot;http://" in html
    assert "/agenda/ingebed?regio=west-vlaanderen" in html
    assert "/agenda.json?regio=west-vlaanderen" in html
