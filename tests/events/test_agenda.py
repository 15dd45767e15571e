"""The agenda: upcoming activities with filters, and the archive of past ones."""

from __future__ import annotations

import pytest

from community.accounts.models import Theme
from community.core.extensions import db
from events.models import EventStatus, EventType
from tests.pages_helpers import days, forget_loaded_objects, now


def test_agenda_lists_upcoming_activities_soonest_first(client, make_event):
    later = make_event(title="Later moment", starts_at=now() + days(20))
    sooner = make_event(title="Vroeger moment", starts_at=now() + days(2))
    make_event(title="Voorbij moment", starts_at=now() - days(5))

    html = client.get("/agenda").get_data(as_text=True)

    assert html.index(sooner.title) < html.index(later.title)
    assert "Voorbij moment" not in html


def test_agenda_keeps_an_activity_that_is_still_going_on(client, make_event):
    make_event(title="Loopt nog", starts_at=now() - days(1), ends_at=now() + days(1))

    assert "Loopt nog" in client.get("/agenda").get_data(as_text=True)


def test_agenda_filters_by_region(client, make_event, make_region):
    gent, brugge = make_region(slug="oost", name="Oost"), make_region(slug="west", name="West")
    make_event(title="In Oost", region=gent)
    make_event(title="In West", region=brugge)

    html = client.get("/agenda?regio=oost").get_data(as_text=True)

    assert "In Oost" in html
    assert "In West" not in html


def test_agenda_filters_by_theme_and_an_event_with_both_themes_matches_each(
    client, make_event, make_theme
):
    one, two = make_theme(1), make_theme(2)
    make_event(title="Kleuters", themes=[one])
    make_event(title="Secundair", themes=[two])
    make_event(title="Iedereen", themes=[one, two])

    theme_one = client.get("/agenda?thema=1").get_data(as_text=True)
    theme_two = client.get("/agenda?thema=2").get_data(as_text=True)

    assert "Kleuters" in theme_one and "Iedereen" in theme_one
    assert "Secundair" not in theme_one
    assert "Secundair" in theme_two and "Iedereen" in theme_two
    assert "Kleuters" not in theme_two


def test_agenda_filters_by_type(client, make_event):
    make_event(title="Een vorming", type=EventType.TRAINING)
    make_event(title="Een netwerkmoment", type=EventType.NETWORK_MEETING)

    html = client.get("/agenda?type=training").get_data(as_text=True)

    assert "Een vorming" in html
    assert "Een netwerkmoment" not in html


def test_agenda_combines_region_theme_and_type(client, make_event, make_region, make_theme):
    oost, west = make_region(slug="oost"), make_region(slug="west")
    one, two = make_theme(1), make_theme(2)
    make_event(title="Raak", region=oost, themes=[two], type=EventType.TRAINING)
    make_event(title="Andere regio", region=west, themes=[two], type=EventType.TRAINING)
    make_event(title="Ander thema", region=oost, themes=[one], type=EventType.TRAINING)
    make_event(title="Andere soort", region=oost, themes=[two], type=EventType.STUDY_DAY)

    html = client.get("/agenda?regio=oost&thema=2&type=training").get_data(as_text=True)

    assert "Raak" in html
    for other in ("Andere regio", "Ander thema", "Andere soort"):
        assert other not in html


def test_agenda_filter_form_works_without_javascript(client, make_region, make_theme):
    make_region(slug="oost", name="Oost")
    make_theme(1)

    html = client.get("/agenda?regio=oost").get_data(as_text=True)

    assert '<form method="get" action="/agenda"' in html
    assert '<option value="oost" selected>' in html
    assert 'name="thema"' in html and 'name="type"' in html


def test_empty_filter_values_mean_no_filter(client, make_event):
    make_event(title="Zichtbaar")

    response = client.get("/agenda?regio=&thema=&type=")

    assert response.status_code == 200
    assert "Zichtbaar" in response.get_data(as_text=True)


def test_unknown_region_filter_answers_400_naming_the_parameter(client, make_event):
    response = client.get("/agenda?regio=atlantis")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ongeldige filter „regio”: de waarde „atlantis” bestaat niet." in html


def test_unknown_theme_and_type_filters_answer_400(client, make_theme):
    make_theme(1)

    theme = client.get("/agenda?thema=7")
    not_a_number = client.get("/agenda?thema=een")
    kind = client.get("/agenda?type=feestje")

    assert theme.status_code == not_a_number.status_code == kind.status_code == 400
    assert "Ongeldige filter „thema”" in theme.get_data(as_text=True)
    assert "Ongeldige filter „type”: de waarde „feestje”" in kind.get_data(as_text=True)


def test_archive_shows_past_activities_only_newest_first(client, make_event):
    make_event(title="Komend", starts_at=now() + days(3))
    old = make_event(title="Lang geleden", starts_at=now() - days(60))
    recent = make_event(title="Vorige week", starts_at=now() - days(7))

    response = client.get("/agenda/archief")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Komend" not in html
    assert html.index(recent.title) < html.index(old.title)


def test_archive_accepts_the_same_filters(client, make_event, make_region):
    oost = make_region(slug="oost")
    make_event(title="Voorbij in Oost", region=oost, starts_at=now() - days(3))
    make_event(title="Voorbij elders", starts_at=now() - days(3))

    html = client.get("/agenda/archief?regio=oost").get_data(as_text=True)

    assert "Voorbij in Oost" in html
    assert "Voorbij elders" not in html
    assert client.get("/agenda/archief?type=nope").status_code == 400


def test_cancelled_activity_shows_as_cancelled_on_the_agenda(client, make_event):
    make_event(title="Gaat niet door", status=EventStatus.CANCELLED)

    html = client.get("/agenda").get_data(as_text=True)

    assert "Gaat niet door" in html
    assert "Geannuleerd" in html


def test_agenda_query_count_does_not_grow_with_the_number_of_activities(
    client, make_event, make_region, make_theme, count_queries
):
    slug = make_region().slug
    theme_ids = [make_theme(1).id, make_theme(2).id]

    def queries_for(n):
        themes = [db.session.get(Theme, i) for i in theme_ids]
        for _ in range(n):
            make_event(region=make_region(), themes=themes)
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get(f"/agenda?thema=1&regio={slug}").status_code == 200
            assert client.get("/agenda").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(9)


def test_archive_query_count_does_not_grow_with_the_number_of_activities(
    client, make_event, make_theme, count_queries
):
    theme_ids = [make_theme(1).id, make_theme(2).id]

    def queries_for(n):
        themes = [db.session.get(Theme, i) for i in theme_ids]
        for _ in range(n):
            make_event(themes=themes, starts_at=now() - days(4))
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get("/agenda/archief").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


def test_agenda_pages_refuse_a_bad_page_number(client, make_event):
    make_event()
    assert client.get("/agenda?pagina=abc").status_code == 400
    assert client.get("/agenda?pagina=0").status_code == 400
    assert client.get("/agenda?pagina=99999999999999999999").status_code == 400
    assert client.get("/agenda?pagina=2").status_code == 404
    assert client.get("/agenda/archief?pagina=2").status_code == 404
    assert client.get("/agenda?pagina=1").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "pagina=%C2%B2",  # ²: str.isdigit() says yes, int() says no
        "pagina=%E2%91%A0",  # ①
        "pagina=%D9%A3",  # Arabic-Indic 3: not page 3
        "thema=%C2%B2",
        "maand=9999-12",  # the month after it does not exist
        "maand=%D9%A3%D9%A3%D9%A3%D9%A3-01",
    ],
)
def test_unicode_digits_and_far_months_are_refused_with_400(client, make_event, query):
    make_event()
    for url in ("/agenda", "/agenda/archief"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert "Ongeldige" in response.text
