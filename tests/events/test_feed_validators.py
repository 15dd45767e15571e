"""Validators never go back (issue 13, item 11): a feed's Last-Modified never decreases, and a
feed or .ics whose bytes changed never answers 304, by ETag or by If-Modified-Since alone.

HTTP dates have whole seconds, so each step first moves every stored time an hour back:
what a step changes then lies in a later second than what the client saw before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import update
from werkzeug.http import parse_date

from community.accounts.models import Network
from community.core.db import utcnow
from community.core.extensions import db
from community.core.pagecache.versions import DataVersion
from events.models import Event, EventStatus, EventType, Visibility
from events.organising import (
    EventDetails,
    cancel_event,
    create_event,
    delete_event,
    publish_event,
    update_event,
)
from events.registration import register
from tests.pages_helpers import sign_in


@pytest.fixture
def regions(make_region):
    return make_region(slug="noord", name="Noord"), make_region(slug="zuid", name="Zuid")


@pytest.fixture
def themes(make_theme):
    return make_theme(1), make_theme(2)


@pytest.fixture
def training(make_event, regions, themes):
    return make_event(
        title="Vorming leerrecht", type=EventType.TRAINING, region=regions[0], themes=[themes[1]]
    )


FEEDS = [
    "/agenda.ics",
    "/agenda/noord.ics",
    "/agenda/noord/thema-2.ics",
    "/agenda/noord/thema-2/vormingen.ics",
    "/agenda/thema-2.ics",
    "/agenda/vormingen.ics",
    "/agenda/zuid.ics",
    "/agenda.ics?regio=noord&type=vormingen",
]


def _an_hour_back() -> None:
    """Make every stored change an hour old, as if the client's copy were that old."""
    earlier = utcnow() - dt.timedelta(hours=1)
    db.session.execute(update(Event).values(updated_at=earlier))
    db.session.execute(update(DataVersion).values(changed_at=earlier))
    db.session.commit()


def _last_modified(response) -> dt.datetime:
    return parse_date(response.headers["Last-Modified"])


def test_an_activity_leaving_a_filter_moves_last_modified_forward(client, training, regions):
    _an_hour_back()
    before = client.get("/agenda/noord.ics")
    assert b"Vorming leerrecht" in before.data

    update_event(training, replace(EventDetails.of(training), region=regions[1]))
    db.session.commit()
    after = client.get(
        "/agenda/noord.ics", headers={"If-Modified-Since": before.headers["Last-Modified"]}
    )

    assert after.status_code == 200, "the feed changed: no 304 for If-Modified-Since"
    assert b"Vorming leerrecht" not in after.data
    assert _last_modified(after) > _last_modified(before)
    assert _last_modified(after) > dt.datetime(2020, 1, 2, tzinfo=dt.UTC), "not the epoch"


def test_the_feed_the_activity_moved_to_also_moves_forward(client, training, regions):
    _an_hour_back()
    before = client.get("/agenda/zuid.ics")

    update_event(training, replace(EventDetails.of(training), region=regions[1]))
    db.session.commit()
    after = client.get("/agenda/zuid.ics", headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200 and b"Vorming leerrecht" in after.data
    assert _last_modified(after) > _last_modified(before)


def _operations(training, regions, themes):
    """Steps that change what some feed holds; each returns nothing and commits."""

    def edit(**changes):
        def step():
            update_event(training, replace(EventDetails.of(training), **changes))

        return step

    def add_draft_then_delete_it():
        draft = create_event(replace(EventDetails.of(training), title="Ontwerp"))
        db.session.commit()
        delete_event(draft)

    def publish_another():
        other = create_event(replace(EventDetails.of(training), title="Netwerkmoment Zuid"))
        publish_event(other)

    def rename_network():
        network = db.session.get(Network, training.network_id) or training.region.network
        network.name = "Lerend netwerk (nieuwe naam)"

    def rename_region():
        regions[0].name = "Noord (nieuwe naam)"

    return [
        ("another theme", edit(themes=[themes[0]])),
        ("another type", edit(type=EventType.STUDY_DAY)),
        ("back to the first type and theme", edit(type=EventType.TRAINING, themes=[themes[1]])),
        ("members only", edit(visibility=Visibility.MEMBERS)),
        ("public again", edit(visibility=Visibility.PUBLIC)),
        ("a draft made and deleted", add_draft_then_delete_it),
        ("another activity published", publish_another),
        ("the network renamed", rename_network),
        ("the region renamed", rename_region),
        ("another region", edit(region=regions[1])),
        ("cancelled", lambda: cancel_event(training, "Te weinig inschrijvingen.")),
    ]


def test_no_step_makes_any_feed_go_back_or_hide_a_change(client, training, regions, themes):
    for name, step in _operations(training, regions, themes):
        _an_hour_back()
        before = {url: client.get(url) for url in FEEDS}

        step()
        db.session.commit()

        for url, old in before.items():
            by_date = client.get(url, headers={"If-Modified-Since": old.headers["Last-Modified"]})
            by_etag = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
            now = client.get(url)
            assert _last_modified(now) >= _last_modified(old), (name, url)
            if now.data != old.data:
                assert by_date.status_code == 200, (name, url, "If-Modified-Since")
                assert by_etag.status_code == 200, (name, url, "If-None-Match")
                assert now.headers["ETag"] != old.headers["ETag"], (name, url)
            # The same bytes may still get a 200 (a renamed network changes every feed's
            # ETag): a download too many, never a wrong calendar.


def test_a_registration_still_leaves_the_public_feeds_alone(client, training, make_user):
    _an_hour_back()
    before = client.get("/agenda/noord.ics")

    register(training, user=make_user())
    db.session.commit()
    after = client.get("/agenda/noord.ics")

    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.headers["Last-Modified"] == before.headers["Last-Modified"]


# --- the single activity's .ics -----------------------------------------------------------


def test_the_activity_ics_has_validators_and_answers_304(client, training):
    url = f"/activiteiten/{training.slug}.ics"
    first = client.get(url)

    assert first.status_code == 200 and first.data.startswith(b"BEGIN:VCALENDAR")
    assert first.headers["ETag"].startswith('"')
    assert _last_modified(first) == training.updated_at.replace(microsecond=0)
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304 and by_date.data == b""
    assert by_date.headers["ETag"] == first.headers["ETag"]


def test_an_edited_activity_gets_a_new_ics_also_by_date(client, training):
    url = f"/activiteiten/{training.slug}.ics"
    _an_hour_back()
    first = client.get(url)

    update_event(training, replace(EventDetails.of(training), title="Vorming leerrecht (nieuw)"))
    db.session.commit()

    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    by_etag = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert by_date.status_code == by_etag.status_code == 200
    assert b"Vorming leerrecht (nieuw)" in by_date.data
    assert _last_modified(by_date) > _last_modified(first)


def test_a_confirmed_participant_gets_another_ics_than_a_visitor(client, make_event, make_user):
    event = make_event(is_online=True, online_url="https://meet.example/abc", capacity=5)
    url = f"/activiteiten/{event.slug}.ics"
    _an_hour_back()
    visitor = client.get(url)
    member = make_user()
    sign_in(client, member)
    not_yet = client.get(url, headers={"If-None-Match": visitor.headers["ETag"]})
    assert not_yet.status_code == 304, "signed in without a place: the same file"

    register(event, user=member)
    db.session.commit()
    by_etag = client.get(url, headers={"If-None-Match": visitor.headers["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": visitor.headers["Last-Modified"]})

    assert by_etag.status_code == by_date.status_code == 200
    assert b"meet.example/abc" in by_etag.data and b"meet.example/abc" not in visitor.data
    assert "Cookie" in by_etag.headers["Vary"]


def test_the_ics_in_another_language_has_another_etag(client, training):
    url = f"/activiteiten/{training.slug}.ics"

    dutch = client.get(url, headers={"Accept-Language": "nl"})
    english = client.get(url, headers={"Accept-Language": "en"})

    assert dutch.data != english.data
    assert dutch.headers["ETag"] != english.headers["ETag"]
    again = client.get(
        url, headers={"Accept-Language": "en", "If-None-Match": dutch.headers["ETag"]}
    )
    assert again.status_code == 200


def test_a_cancelled_activity_ics_moves_forward(client, training):
    url = f"/activiteiten/{training.slug}.ics"
    _an_hour_back()
    first = client.get(url)

    cancel_event(training, "Te weinig inschrijvingen.")
    db.session.commit()
    after = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})

    assert after.status_code == 200 and b"STATUS:CANCELLED" in after.data
    assert training.status == EventStatus.CANCELLED
