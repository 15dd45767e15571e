"""Agenda cards with their registration state, month and free-places filters, query counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from community.core.extensions import db
from events import registration as reg
from events.models import Event, EventStatus, Registration, RegistrationState, event_themes
from events.registration import GuestDetails
from tests.pages_helpers import forget_loaded_objects


def html_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_agenda_cards_show_free_places_full_closed_and_cancelled(client, make_event, make_user):
    now = dt.datetime.now(dt.UTC)
    free = make_event(title="Met plaats", capacity=3)
    full = make_event(title="Vol moment", capacity=1)
    reg.register(full, user=make_user())
    reg.register(free, guest=GuestDetails(name="G", email="g@example.org"))
    db.session.commit()
    make_event(title="Afgesloten moment", registration_closes_at=now - dt.timedelta(hours=1))
    make_event(title="Geschrapt moment", status=EventStatus.CANCELLED)
    make_event(title="Zonder limiet")

    html = html_of(client.get("/agenda"))

    def card(title: str) -> str:
        return html.split(title, 1)[1].split("</article>", 1)[0]

    assert "Nog 2 plaatsen vrij" in card("Met plaats"), "a pending guest holds a place"
    assert "Volzet – inschrijven op de wachtlijst" in card("Vol moment")
    assert "Inschrijvingen afgesloten" in card("Afgesloten moment")
    assert "Geannuleerd" in card("Geschrapt moment")
    assert "Inschrijvingen open" in card("Zonder limiet")


def _brussels(*args) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/Brussels")).astimezone(dt.UTC)


def test_month_filter_uses_brussels_months(client, make_event):
    year = dt.datetime.now(dt.UTC).year + 2
    make_event(title="Eerste van maart", starts_at=_brussels(year, 3, 1, 0, 30))  # 23:30Z Feb
    make_event(title="Laatste van februari", starts_at=_brussels(year, 2, 28, 20, 0))
    make_event(title="In april", starts_at=_brussels(year, 4, 1, 9, 0))

    html = html_of(client.get(f"/agenda?maand={year}-03"))

    assert "Eerste van maart" in html
    assert "Laatste van februari" not in html and "In april" not in html
    assert f'value="{year}-03"' in html


def test_free_places_filter_keeps_only_what_one_can_still_register_for(
    client, make_event, make_user
):
    now = dt.datetime.now(dt.UTC)
    make_event(title="Ruim", capacity=5)
    make_event(title="Onbeperkt")
    full = make_event(title="Vol", capacity=1)
    reg.register(full, user=make_user())
    db.session.commit()
    make_event(title="Dicht", capacity=5, is_registration_closed=True)
    make_event(title="Te laat", capacity=5, registration_closes_at=now - dt.timedelta(days=1))
    make_event(title="Geannuleerd", capacity=5, status=EventStatus.CANCELLED)

    html = html_of(client.get("/agenda?vrij=1"))

    assert "Ruim" in html and "Onbeperkt" in html
    for title in ("Vol<", "Dicht", "Te laat", "Geannuleerd<"):
        assert title not in html
    assert 'name="vrij" value="1" checked' in html


def test_bad_month_or_flag_is_a_400_naming_the_parameter(client):
    for query, parameter in (
        ("maand=2027-13", "maand"),
        ("maand=maart", "maand"),
        ("vrij=ja", "vrij"),
    ):
        response = client.get(f"/agenda?{query}")
        assert response.status_code == 400
        assert f"Ongeldige filter „{parameter}”" in response.get_data(as_text=True)


def _seed(region_id: int, theme_ids: list[int], events: int, registrations: int) -> str:
    """Bulk-insert ``events`` upcoming events with ``registrations`` spread over them."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = [
        {
            "slug": f"bulk-{n}",
            "title": f"Bulk {n}",
            "type": "network_meeting",
            "region_id": region_id,
            "starts_at": now + dt.timedelta(days=5, hours=n),
            "ends_at": now + dt.timedelta(days=5, hours=n + 2),
            "status": EventStatus.PUBLISHED,
            "visibility": "public",
            "capacity": 8 if n % 3 else None,
            "venue_name": "Zaal",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(events)
    ]
    db.session.execute(insert(Event), rows)
    ids = [e.id for e in db.session.query(Event.id).order_by(Event.id)]
    db.session.execute(
        insert(event_themes),
        [{"event_id": i, "theme_id": t} for i in ids for t in theme_ids],
    )
    states = [RegistrationState.CONFIRMED, RegistrationState.WAITLISTED]
    db.session.execute(
        insert(Registration),
        [
            {
                "event_id": ids[n % len(ids)],
                "name": f"Deelnemer {n}",
                "email": f"deelnemer{n}@example.org",
                "state": states[(n // events) % 2],
                "is_listed": n % 5 == 0,
                "created_at": now,
                "answers": {},
            }
            for n in range(registrations)
        ],
    )
    db.session.commit()
    return rows[1]["slug"]


def _page_queries(queries: list[str]) -> int:
    return sum("FROM data_versions" not in query for query in queries)


def test_agenda_and_activity_page_stay_under_ten_queries_with_thousands_of_rows(
    client, make_region, make_theme, make_user, count_queries
):
    region = make_region()
    theme_ids = [make_theme(1).id, make_theme(2).id]
    region_slug = region.slug
    slug = _seed(region.id, theme_ids, events=500, registrations=5000)
    forget_loaded_objects()

    with count_queries() as agenda_queries:
        html = html_of(client.get("/agenda"))
    # 50 per page, soonest first; the last page holds the last one
    assert "Bulk 49<" in html and "Bulk 50<" not in html and "Nog " in html
    assert 'href="/agenda?pagina=10"' in html
    with count_queries() as last_page_queries:
        assert "Bulk 499<" in html_of(client.get("/agenda?pagina=10"))
    # The page's own queries (the page cache reads the data versions at most once a
    # second per process, issue 14: the second request may not read them).
    assert _page_queries(last_page_queries) == _page_queries(agenda_queries)
    with count_queries() as filtered_queries:
        html_of(client.get(f"/agenda?vrij=1&thema=1&regio={region_slug}"))
    forget_loaded_objects()
    with count_queries() as detail_queries:
        page = html_of(client.get(f"/activiteiten/{slug}"))
    assert "5 personen ingeschreven" in page and "5 personen op de wachtlijst" in page

    assert len(agenda_queries) <= 10, agenda_queries
    assert len(filtered_queries) <= 10, filtered_queries
    assert len(detail_queries) <= 10, detail_queries


def test_activity_page_queries_do_not_grow_for_a_signed_in_member(
    client, make_event, make_user, make_theme, count_queries
):
    from tests.pages_helpers import sign_in

    themes = [make_theme(1), make_theme(2)]
    event_id = make_event(capacity=500, themes=themes).id
    user = make_user()
    sign_in(client, user)

    def queries_for(n: int) -> int:
        event = db.session.get(Event, event_id)
        for _ in range(n):
            reg.register(event, user=make_user(), is_listed=True)
        db.session.commit()
        slug = event.slug
        forget_loaded_objects()
        with count_queries() as queries:
            html = html_of(client.get(f"/activiteiten/{slug}"))
        assert "Je schrijft je in als" in html
        return len(queries)

    assert queries_for(2) == queries_for(30) <= 12
