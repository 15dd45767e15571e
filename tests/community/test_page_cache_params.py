"""Cache flooding (issue 13, item 12): a cached page is keyed on the parameters it reads only."""

from __future__ import annotations

import pytest

from community.core.pagecache.middleware import cached_page, canonical_query, page_cache
from tests.route_world import build_world


def _entries(app) -> int:
    return len(page_cache(app).local)


def test_unknown_parameters_make_no_new_entries(app, client, make_event):
    make_event(title="Netwerkmoment Brugge")
    first = client.get("/agenda")

    answers = [client.get(f"/agenda?junk={n}&utm_source=nieuwsbrief{n}") for n in range(1, 31)]

    assert first.headers["X-Page-Cache"] == "miss"
    assert {answer.headers["X-Page-Cache"] for answer in answers} == {"hit"}
    assert {answer.data for answer in answers} == {first.data}
    assert _entries(app) == 1


def test_a_parameter_the_page_reads_still_makes_its_own_page(app, client, make_event, make_region):
    north, south = make_region(slug="noord"), make_region(slug="zuid")
    make_event(title="Vorming in het noorden", region=north)
    make_event(title="Vorming in het zuiden", region=south)

    in_north = client.get("/agenda?regio=noord")
    in_south = client.get("/agenda?regio=zuid")

    assert "noorden" in in_north.text and "zuiden" not in in_north.text
    assert "zuiden" in in_south.text and "noorden" not in in_south.text
    assert in_south.headers["X-Page-Cache"] == "miss"
    assert _entries(app) == 2


@pytest.mark.parametrize(
    "spelling",
    [
        "/agenda?thema=&regio=noord",
        "/agenda?regio=+noord+",
        "/agenda?regio=noord&regio=zuid",  # the page reads the first value
        "/agenda?utm_campaign=x&regio=noord&fbclid=abc",
    ],
)
def test_spellings_of_the_same_filter_share_one_entry(app, client, make_region, spelling):
    make_region(slug="noord")
    make_region(slug="zuid")
    client.get("/agenda?regio=noord")

    again = client.get(spelling)

    assert again.status_code == 200
    assert again.headers["X-Page-Cache"] == "hit"
    assert _entries(app) == 1


def test_the_page_never_sees_a_parameter_it_does_not_declare(client, make_user, login):
    # Signed in (never cached) the page reads the same: links made from the request (the
    # language form's way back, the paging links) carry no parameter the page ignores.
    login(make_user())

    page = client.get("/agenda?vrij=1&rommel=%3Cscript%3E").text

    assert 'name="next" value="/agenda?vrij=1"' in page
    assert "rommel" not in page


def test_a_parameter_registered_by_a_feature_is_read(app, client):
    world = build_world()  # an activity with a material

    whole = client.get("/materiaal")
    of_event = client.get(f"/materiaal?activiteit={world.event.slug}")
    again = client.get(f"/materiaal?activiteit={world.event.slug}&extra=1")

    assert of_event.status_code == 200 and of_event.data != whole.data
    assert again.headers["X-Page-Cache"] == "hit"

    page_cache(app)._cacheable_endpoints()
    assert "activiteit" in page_cache(app).params["library.materials"]
    assert _entries(app) == 2


def test_every_cached_page_declares_what_it_reads(app):
    """Pages that read the query string say so (a missing name would be invisible to them)."""
    page_cache(app)._cacheable_endpoints()
    declared = {endpoint: sorted(params) for endpoint, params in page_cache(app).params.items()}

    assert declared["events.agenda"] == ["maand", "pagina", "regio", "thema", "type", "vrij"]
    assert declared["events.archive"] == declared["events.agenda"]
    assert declared["events.agenda_feed"] == ["regio", "thema", "type"]
    assert declared["library.practices"] == ["q", "regio", "sector", "thema"]
    assert set(declared["library.materials"]) >= {"q", "regio", "thema", "pagina", "activiteit"}
    assert declared["site.home"] == declared["events.detail"] == []


def test_canonical_query_keeps_only_the_named_parameters_in_one_spelling():
    names = frozenset({"regio", "thema", "q"})

    assert canonical_query("thema=1&x=9&regio=+noord&regio=zuid", names) == "regio=noord&thema=1"
    assert canonical_query("q=%20spijbelen%20%20op++school&thema=", names) == (
        "q=spijbelen+op+school"
    )
    assert canonical_query("q=caf%E9", names) == "q=caf%EF%BF%BD"
    assert canonical_query("", names) == ""


def test_params_must_be_a_list_of_names():
    with pytest.raises(ValueError):
        cached_page("events", params="regio")
