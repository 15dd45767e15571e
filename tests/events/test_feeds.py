"""Calendar feeds over HTTP (issue 4): what each feed holds, validators, 304, errors, tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import icalendar
import pytest
from sqlalchemy import select, update
from werkzeug.http import http_date

from community.accounts.models import User
from community.core.db import utcnow
from community.core.extensions import db
from community.core.pagecache.versions import DataVersion
from events.calendar import feeds
from events.calendar.feeds import FeedFilters
from events.calendar.ical import event_uid
from events.models import (
    EventStatus,
    EventType,
    Invitation,
    Registration,
    Visibility,
)
from events.organising import EventDetails, cancel_event, update_event
from events.registration import cancel, register
from tests.pages_helpers import forget_loaded_objects, sign_in


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def vevents(data: bytes) -> dict[str, icalendar.Event]:
    return {str(v["UID"]): v for v in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def calendar_name(data: bytes) -> str:
    return str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"])


@pytest.fixture
def west(make_region):
    return make_region(slug="west-vlaanderen", name="West-Vlaanderen")


@pytest.fixture
def training(make_event, make_theme, west):
    return make_event(
        title="Vorming leerrecht", type=EventType.TRAINING, region=west, themes=[make_theme(2)]
    )


def test_whole_agenda_is_served_inline_as_utf8_calendar_with_validators(client, training):
    response = client.get("/agenda.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="bruggen-agenda.ics"'
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert response.headers["Cache-Control"] == "public, max-age=300, must-revalidate, no-transform"
    assert "Content-Encoding" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert event_uid(training) in vevents(response.data)
    assert calendar_name(response.data) == "Bruggen – agenda"


def test_unchanged_feed_is_byte_for_byte_the_same_and_answers_304(client, training):
    first = client.get("/agenda.ics")
    second = client.get("/agenda.ics")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]

    by_etag = client.get("/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get(
        "/agenda.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )

    assert by_etag.status_code == 304 and by_etag.data == b""
    assert by_etag.headers["ETag"] == first.headers["ETag"]
    assert by_date.status_code == 304


def test_304_path_runs_only_the_aggregate_query(app, client, training, count_queries):
    """The feed's own 304 (what a client with a session cookie gets; the page cache off)."""
    app.config["PAGE_CACHE_ENABLED"] = False
    etag = client.get("/agenda/west-vlaanderen/thema-2/vormingen.ics").headers["ETag"]
    forget_loaded_objects()

    with count_queries() as queries:
        response = client.get(
            "/agenda/west-vlaanderen/thema-2/vormingen.ics", headers={"If-None-Match": etag}
        )

    assert response.status_code == 304
    assert len(queries) == 1, queries
    assert queries[0].lstrip().upper().startswith("SELECT COUNT(")


def test_304_from_the_page_cache_reads_only_the_data_versions(client, training, count_queries):
    url = "/agenda/west-vlaanderen/thema-2/vormingen.ics"
    etag = client.get(url).headers["ETag"]
    forget_loaded_objects()

    with count_queries() as queries:
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304 and response.headers["X-Page-Cache"] == "hit"
    assert response.headers["ETag"] == etag
    # Issue 14: the versions read by the request before are used again (none at all) or
    # read once.
    assert len(queries) <= 1, queries
    assert all("FROM data_versions" in query for query in queries)


def test_a_change_gives_a_new_etag_and_the_old_one_gets_the_full_feed(client, training):
    before = client.get("/agenda.ics")
    training.title = "Vorming leerrecht (nieuwe titel)"
    training.updated_at = utcnow() + dt.timedelta(seconds=1)
    db.session.commit()

    after = client.get("/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"nieuwe titel" in after.data


def test_head_answers_like_get_without_a_body(client, training):
    get = client.get("/agenda.ics")
    head = client.head("/agenda.ics")

    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Accept": ""},
        {"Accept": "text/html"},
        {"User-Agent": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5)"},
        {"User-Agent": "Google-Calendar-Importer", "Accept": "*/*"},
        {"User-Agent": "", "Accept-Language": "en-GB", "Accept-Encoding": "gzip, br"},
    ],
)
def test_odd_client_headers_get_the_same_answer(client, training, headers):
    reference = client.get("/agenda/vormingen.ics", headers={"Accept": "text/calendar"})

    response = client.get("/agenda/vormingen.ics", headers=headers)

    assert response.status_code == 200
    assert response.data == reference.data
    assert "Content-Encoding" not in response.headers
    assert "Location" not in response.headers


def test_filtered_feeds_have_readable_urls_and_names(client, make_event, training, west):
    other_region = make_event(type=EventType.TRAINING)
    meeting = make_event(region=west)

    cases = {
        "/agenda/west-vlaanderen.ics": ("Bruggen – activiteiten West-Vlaanderen", 2),
        "/agenda/vormingen.ics": ("Bruggen – vormingen", 2),
        "/agenda/thema-2.ics": ("Bruggen – activiteiten thema 2", 1),
        "/agenda/west-vlaanderen/vormingen.ics": ("Bruggen – vormingen West-Vlaanderen", 1),
        "/agenda/west-vlaanderen/thema-2/vormingen.ics": (
            "Bruggen – vormingen thema 2 West-Vlaanderen",
            1,
        ),
        "/agenda.ics?regio=west-vlaanderen&thema=2&type=training": (
            "Bruggen – vormingen thema 2 West-Vlaanderen",
            1,
        ),
    }
    for url, (name, count) in cases.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert calendar_name(response.data) == name, url
        assert len(vevents(response.data)) == count, url
    both = vevents(client.get("/agenda/west-vlaanderen.ics").data)
    assert set(both) == {event_uid(training), event_uid(meeting)}
    assert event_uid(other_region) not in both


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/bestaat-niet.ics",
        "/agenda/thema-7.ics",
        "/agenda/west-vlaanderen/cursussen.ics",
        "/agenda/vormingen/west-vlaanderen.ics",  # not the one URL of this filter
        "/agenda/west-vlaanderen/west-vlaanderen.ics",
        "/agenda/THEMA_2.ics",
        "/agenda.ics?regio=nergens",
        "/agenda.ics?type=cursus",
        "/agenda.ics?thema=twee",
    ],
)
def test_unknown_filter_is_a_plain_404(client, west, make_theme, url):
    make_theme(2)

    response = client.get(url, headers={"Accept": "text/calendar"})

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Deze agenda bestaat niet" in response.get_data(as_text=True)


def test_public_feeds_hold_only_public_published_or_cancelled_activities(
    client, make_event, make_user
):
    public = make_event()
    cancelled = make_event(status=EventStatus.CANCELLED, revision=1, cancelled_at=utcnow())
    hidden = [
        make_event(visibility=Visibility.MEMBERS),
        make_event(visibility=Visibility.INVITE_ONLY),
        make_event(status=EventStatus.DRAFT),
    ]
    sign_in(client, make_user(role="admin"))  # a signed-in admin gets the anonymous feed too

    uids = set(vevents(client.get("/agenda.ics").data))

    assert uids == {event_uid(public), event_uid(cancelled)}
    assert not {event_uid(event) for event in hidden} & uids


def test_window_keeps_90_days_of_history_and_cancellations_for_90_days(client, make_event):
    now = utcnow()
    recent = make_event(starts_at=now - days(89), ends_at=now - days(89) + dt.timedelta(hours=2))
    old = make_event(starts_at=now - days(91), ends_at=now - days(91) + dt.timedelta(hours=2))
    cancelled_lately = make_event(
        status=EventStatus.CANCELLED, cancelled_at=now - days(80), revision=1
    )
    cancelled_long_ago = make_event(
        status=EventStatus.CANCELLED, cancelled_at=now - days(100), revision=1
    )

    uids = set(vevents(client.get("/agenda.ics").data))

    assert event_uid(recent) in uids and event_uid(cancelled_lately) in uids
    assert event_uid(old) not in uids and event_uid(cancelled_long_ago) not in uids


def test_event_leaving_the_window_changes_the_validators(app, make_event):
    """Last-Modified moves forward when an activity drops out, not only on edits."""
    event = make_event()
    selection = feeds.public_selection(FeedFilters())
    during = feeds.feed_state(selection, FeedFilters(), event.ends_at + days(10))
    after = feeds.feed_state(selection, FeedFilters(), event.ends_at + days(91))

    assert during.etag != after.etag
    assert after.last_modified > during.last_modified
    assert after.last_modified == (event.ends_at + feeds.RETENTION).replace(microsecond=0)


def test_uid_stays_and_sequence_and_last_modified_grow_when_an_event_moves(client, training):
    """K4, K5 over HTTP: the same UID after two fetches and a rename; SEQUENCE +1."""
    first = vevents(client.get("/agenda.ics").data)[event_uid(training)]
    again = vevents(client.get("/agenda.ics").data)[event_uid(training)]
    assert str(first["UID"]) == str(again["UID"]) == f"event-{training.id}@bruggen.test"

    training.title = "Vorming leerrecht – verplaatst"
    training.starts_at += days(7)
    training.ends_at += days(7)
    training.revision += 1
    training.updated_at = utcnow() + dt.timedelta(seconds=2)
    db.session.commit()
    moved = vevents(client.get("/agenda.ics").data)[event_uid(training)]
    single = vevents(client.get(f"/activiteiten/{training.slug}.ics").data)

    assert str(moved["SUMMARY"]) == "Vorming leerrecht – verplaatst"
    assert moved["SEQUENCE"] == first["SEQUENCE"] + 1 == 1
    assert moved["LAST-MODIFIED"].dt > first["LAST-MODIFIED"].dt
    assert moved["DTSTART"].dt == first["DTSTART"].dt + days(7)
    assert list(single) == [event_uid(training)]


def test_cancelling_an_event_keeps_it_with_status_cancelled(client, training):
    """K6 through the organiser's own cancel function."""
    before = vevents(client.get("/agenda.ics").data)[event_uid(training)]
    cancel_event(training, "Te weinig inschrijvingen.")
    db.session.commit()

    after = vevents(client.get("/agenda.ics").data)[event_uid(training)]

    assert after["STATUS"] == "CANCELLED" and before["STATUS"] == "CONFIRMED"
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_a_registration_changes_neither_the_public_feeds_nor_the_activitys_updated_at(
    client, training, make_user
):
    """A registration is no change of the activity: public feeds show no places or people,
    so their bytes and validators stay (a client's 304 stays a 304); an edit changes them."""
    urls = ["/agenda.ics", "/agenda/west-vlaanderen/thema-2/vormingen.ics"]
    training.capacity = 1
    db.session.commit()
    updated_at = training.updated_at
    before = {url: client.get(url) for url in urls}

    first, second = make_user(), make_user()
    register(training, user=first)
    waiting = register(training, user=second)
    db.session.commit()
    cancel(waiting)
    db.session.commit()

    db.session.refresh(training)
    assert training.seats_version == 3, "three registration changes took the lock"
    assert training.updated_at == updated_at
    for url, old in before.items():
        now = client.get(url)
        assert now.data == old.data, url
        assert now.headers["ETag"] == old.headers["ETag"], url
        assert now.headers["Last-Modified"] == old.headers["Last-Modified"], url
        revalidated = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
        assert revalidated.status_code == 304, url

    update_event(training, replace(EventDetails.of(training), title="Vorming leerrecht (nieuw)"))
    db.session.commit()

    assert training.updated_at > updated_at
    for url, old in before.items():
        edited = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
        assert edited.status_code == 200, url
        assert edited.headers["ETag"] != old.headers["ETag"], url
        assert b"Vorming leerrecht (nieuw)" in edited.data, url


def test_description_is_plain_text_with_programme_link_and_network(make_event, west, app):
    from events.models import ProgrammeItem, ProgrammeItemKind

    event = make_event(
        region=west,
        network=west.network,
        description="**Welkom** & [meer](https://voorbeeld.be)",
        description_html='<p><strong>Welkom</strong> &amp; <a href="https://voorbeeld.be">meer</a></p>',
    )
    event.programme = [
        ProgrammeItem(
            starts_at=event.starts_at,
            ends_at=event.starts_at + dt.timedelta(minutes=45),
            title="Lezing over leerrecht",
            kind=ProgrammeItemKind.TALK,
            speakers="An Peeters",
            room="Zaal 1",
        )
    ]
    db.session.commit()

    with app.test_request_context():
        data = feeds.public_feed(FeedFilters(), None, utcnow())
    description = str(vevents(data)[event_uid(event)]["DESCRIPTION"])

    assert description.startswith("Welkom & meer (https://voorbeeld.be)\n\nProgramma:\n")
    assert "Lezing over leerrecht (lezing, An Peeters, Zaal 1)" in description
    assert f"http://bruggen.test/activiteiten/{event.slug}" in description
    assert "Georganiseerd door Lerend netwerk West-Vlaanderen" in description
    assert "<" not in description and "**" not in description
    assert "ORGANIZER" not in data.decode() and "ATTENDEE" not in data.decode()


# --- the personal feed ----------------------------------------------------------------


def personal_url(user: User) -> str:
    return f"/agenda/persoonlijk/{user.feed_token}.ics"


def test_every_user_has_a_secret_feed_token(make_user):
    one, two = make_user(), make_user()
    assert len(one.feed_token) >= 40 and one.feed_token != two.feed_token


def test_personal_feed_follows_a_registration_and_a_cancellation(client, make_user, make_event):
    """Issue 4, "Done when": registering adds it; the event's cancellation raises SEQUENCE
    and changes STATUS; cancelling one's own place marks it cancelled (not a ghost)."""
    member = make_user()
    event = make_event(capacity=10)
    other = make_event(capacity=10)
    assert vevents(client.get(personal_url(member)).data) == {}

    register(event, user=member)
    register(other, user=member)
    db.session.commit()
    registered = vevents(client.get(personal_url(member)).data)
    assert registered[event_uid(event)]["STATUS"] == "CONFIRMED"

    cancel_event(event, "Geannuleerd wegens ziekte.")
    db.session.commit()
    after_event_cancelled = vevents(client.get(personal_url(member)).data)[event_uid(event)]
    assert after_event_cancelled["STATUS"] == "CANCELLED"
    assert after_event_cancelled["SEQUENCE"] > registered[event_uid(event)]["SEQUENCE"]

    own = db.session.scalar(select(Registration).where(Registration.event_id == other.id))
    cancel(own)
    db.session.commit()
    after_own_cancel = vevents(client.get(personal_url(member)).data)[event_uid(other)]
    assert after_own_cancel["STATUS"] == "CANCELLED"
    assert str(after_own_cancel["SUMMARY"]).startswith("[afgemeld] ")
    assert after_own_cancel["SEQUENCE"] > registered[event_uid(other)]["SEQUENCE"]


def test_personal_feed_marks_the_waiting_list_and_hides_the_link_until_confirmed(
    client, make_user, make_event
):
    first, second = make_user(), make_user()
    event = make_event(capacity=1, is_online=True, online_url="https://meet.example.org/x")
    register(event, user=first)
    register(event, user=second)
    db.session.commit()

    confirmed = vevents(client.get(personal_url(first)).data)[event_uid(event)]
    waiting = vevents(client.get(personal_url(second)).data)[event_uid(event)]

    assert "meet.example.org" in str(confirmed["DESCRIPTION"])
    assert str(waiting["SUMMARY"]).startswith("[wachtlijst] ")
    assert waiting["STATUS"] == "TENTATIVE"
    assert "meet.example.org" not in client.get(personal_url(second)).get_data(as_text=True)
    response = client.get(personal_url(first))
    assert response.headers["Cache-Control"].startswith("private")
    for user in (first, second):
        assert user.email not in response.get_data(as_text=True)
        assert user.display_name not in response.get_data(as_text=True)


def test_personal_feed_adds_followed_filters_with_what_the_member_may_see(
    client, make_user, make_event, make_region
):
    member = make_user()
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    public = make_event(region=west)
    members_only = make_event(region=west, visibility=Visibility.MEMBERS)
    invited = make_event(region=west, visibility=Visibility.INVITE_ONLY)
    not_invited = make_event(region=west, visibility=Visibility.INVITE_ONLY)
    draft = make_event(region=west, status=EventStatus.DRAFT)
    elsewhere = make_event()
    db.session.add(Invitation(event_id=invited.id, email=member.email.upper()))
    db.session.commit()

    data = client.get(personal_url(member) + "?regio=west-vlaanderen").data
    uids = set(vevents(data))

    assert uids == {event_uid(e) for e in (public, members_only, invited)}
    assert not uids & {event_uid(e) for e in (not_invited, draft, elsewhere)}
    assert calendar_name(data) == "Bruggen – mijn activiteiten + activiteiten West-Vlaanderen"
    unverified = make_user(is_verified=False)
    unverified_uids = set(
        vevents(client.get(personal_url(unverified) + "?regio=west-vlaanderen").data)
    )
    assert unverified_uids == {event_uid(public)}


def test_personal_feed_validators_follow_the_members_own_registrations(
    client, make_user, make_event
):
    """A registration leaves the activity's updated_at alone; the personal feed's ETag
    (seat versions) and Last-Modified (the member's own registrations) still move, so a
    client that sends only If-Modified-Since sees its cancelled place."""
    member = make_user()
    event = make_event(capacity=10)
    registration = register(event, user=member)
    an_hour_ago = utcnow() - dt.timedelta(hours=1)
    event.updated_at = registration.created_at = registration.confirmed_at = an_hour_ago
    db.session.execute(update(DataVersion).values(changed_at=an_hour_ago))  # names, regions
    db.session.commit()
    before = client.get(personal_url(member))
    assert before.headers["Last-Modified"] == http_date(an_hour_ago.replace(microsecond=0))

    cancel(registration)
    db.session.commit()

    by_date = client.get(
        personal_url(member), headers={"If-Modified-Since": before.headers["Last-Modified"]}
    )
    by_etag = client.get(personal_url(member), headers={"If-None-Match": before.headers["ETag"]})
    assert by_date.status_code == 200 and by_etag.status_code == 200
    assert str(vevents(by_date.data)[event_uid(event)]["SUMMARY"]).startswith("[afgemeld] ")
    db.session.refresh(event)
    assert event.updated_at == an_hour_ago


@pytest.mark.parametrize("token", ["x" * 43, "kort", "met spatie en ë", "a" * 200])
def test_unknown_token_is_a_404_without_a_hint(client, make_user, token):
    make_user()
    response = client.get(f"/agenda/persoonlijk/{token}.ics")

    assert response.status_code == 404
    assert response.get_data(as_text=True) == "Deze agenda bestaat niet.\n"


def test_regenerating_the_token_revokes_the_old_link_at_once(client, make_user):
    member = make_user()
    old_url = personal_url(member)
    assert client.get(old_url).status_code == 200
    sign_in(client, member)

    response = client.post_form("/agenda/abonneren/nieuwe-link", {"next": "/account"})

    assert response.status_code == 302 and response.headers["Location"] == "/account"
    db.session.refresh(member)
    assert client.get(old_url).status_code == 404
    assert client.get(personal_url(member)).status_code == 200
    assert client.get(old_url).get_data(as_text=True) == "Deze agenda bestaat niet.\n"


def test_regenerating_needs_a_csrf_token_and_a_post(client, make_user):
    member = make_user()
    token = member.feed_token
    sign_in(client, member)

    assert client.post("/agenda/abonneren/nieuwe-link").status_code == 400
    assert client.get("/agenda/abonneren/nieuwe-link").status_code == 405
    db.session.refresh(member)
    assert member.feed_token == token


def test_deactivated_account_has_no_feed(client, make_user):
    member = make_user()
    member.is_active = False
    db.session.commit()

    assert client.get(personal_url(member)).status_code == 404


def test_personal_304_path_runs_only_the_token_lookup_and_the_aggregate(
    client, make_user, make_event, count_queries
):
    member = make_user(role="coordinator")
    register(make_event(), user=member)
    db.session.commit()
    etag = client.get(personal_url(member)).headers["ETag"]
    forget_loaded_objects()

    with count_queries() as queries:
        response = client.get(personal_url(member), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert len(queries) == 2, queries
