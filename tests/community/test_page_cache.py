"""The page cache for anonymous visitors (issue 8, "Targets"): right pages, never personal."""

from __future__ import annotations

import re
import uuid

import pytest
import redis
from flask import Flask

from app import create_app
from community.core.extensions import db
from community.core.pagecache.middleware import cached_page, page_cache
from community.core.pagecache.versions import SCOPE_OF_TABLE, SCOPES, DataVersion, current_versions
from events.models import Registration, RegistrationState

PUBLIC_PAGES = (
    "/",
    "/regios",
    "/agenda",
    "/materiaal",
    "/praktijkvoorbeelden",
    "/agenda.ics",
    "/forum",
)


def _guest(name: str, email: str) -> dict:
    """The guest registration form as a visitor without account fills it in."""
    return {
        "guest_name": name,
        "guest_email": email,
        "guest_organisation": "School",
        "guest_sector": "onderwijs",
    }


def _cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_an_anonymous_page_is_rendered_once_then_served_from_the_cache(client, make_event):
    event = make_event(title="Netwerkmoment Brugge")
    for url in (*PUBLIC_PAGES, f"/activiteiten/{event.slug}"):
        first = client.get(url)
        second = client.get(url)
        assert first.status_code == 200, url
        assert (_cache_state(first), _cache_state(second)) == ("miss", "hit"), url
        assert second.data == first.data, url
        assert second.headers["ETag"] == first.headers["ETag"], url
        assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers, url
        assert second.headers["Content-Length"] == str(len(first.data)), url


def test_a_cached_page_carries_no_csrf_token_and_no_session(client, make_event):
    event = make_event()
    for url in (*PUBLIC_PAGES, f"/activiteiten/{event.slug}"):
        page = client.get(url).text
        assert "csrf_token" not in page, url
    # Nothing in the visit gave the client a session.
    assert client.get_cookie("session") is None


def test_the_etag_answers_304_without_a_body(client, make_event):
    make_event()
    first = client.get("/agenda")
    again = client.get("/agenda", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get("/agenda", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_head_request_gets_the_headers_of_the_cached_page(client, make_event):
    make_event()
    page = client.get("/agenda")
    head = client.head("/agenda")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == page.headers["ETag"]


def test_a_change_of_the_data_shows_at_once(client, make_event):
    event = make_event(title="Eerste titel", capacity=5)
    client.get("/agenda")
    assert "Eerste titel" in client.get("/agenda").text
    event.title = "Nieuwe titel"
    db.session.commit()
    page = client.get("/agenda")
    assert _cache_state(page) == "miss"
    assert "Nieuwe titel" in page.text and "Eerste titel" not in page.text


def test_a_registration_updates_the_places_left_on_the_cached_activity_page(
    client, make_event, make_user
):
    event = make_event(capacity=3)
    url = f"/activiteiten/{event.slug}"
    assert "3 plaatsen vrij" in client.get(url).text
    assert _cache_state(client.get(url)) == "hit"
    member = make_user()
    db.session.add(
        Registration(
            event_id=event.id,
            user_id=member.id,
            name=member.display_name,
            email=member.email,
            state=RegistrationState.CONFIRMED,
        )
    )
    db.session.commit()
    page = client.get(url)
    assert _cache_state(page) == "miss" and "2 plaatsen vrij" in page.text


def test_each_language_has_its_own_cached_page(client, make_event):
    make_event()
    dutch = client.get("/agenda", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    english = client.get("/agenda", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="nl"' in dutch.text and 'lang="en"' in english.text
    assert _cache_state(english) == "miss"
    assert "Accept-Language" in english.headers["Vary"] and "Cookie" in english.headers["Vary"]


def test_a_signed_in_member_never_gets_or_leaves_a_cached_page(
    app, client, make_event, sign_in_as, make_user
):
    make_event()
    member = make_user(display_name="Rosa Peeters")
    sign_in_as(member)
    personal = client.get("/agenda")
    assert _cache_state(personal) is None
    assert "Rosa Peeters" in personal.text
    anonymous = app.test_client().get("/agenda")  # any other visitor
    assert "Rosa Peeters" not in anonymous.text
    assert _cache_state(anonymous) == "miss"


def test_two_visitors_never_see_each_others_flash_messages(app, make_event):
    event = make_event(capacity=10)
    url = f"/activiteiten/{event.slug}"
    guest, other = app.test_client(), app.test_client()
    guest.get(url)  # fills the cache
    response = guest.post(
        f"{url}/inschrijven",
        data=_guest("Gast Eén", "gast.een@example.org"),
    )
    assert response.status_code == 302, response.text
    own = guest.get(url)
    assert "Bijna klaar" in own.text and _cache_state(own) is None
    seen_by_other = other.get(url)
    assert "Bijna klaar" not in seen_by_other.text
    assert "gast.een@example.org" not in seen_by_other.text
    assert other.get_cookie("session") is None


def test_a_page_that_would_hand_out_a_csrf_token_is_not_kept(make_app):
    """A guard, not a convention: a page that touches the session is never stored."""
    from flask import render_template_string

    @cached_page("site")
    def leaky():
        return render_template_string("<p>{{ csrf_token() }}</p>")

    app = make_app()  # a new app: one that has answered a request takes no new routes
    app.add_url_rule("/_leaky", "leaky", leaky)
    page_cache(app).endpoints = None  # learn the new endpoint
    client = app.test_client()
    first, second = client.get("/_leaky"), app.test_client().get("/_leaky")
    assert first.status_code == 200 and "Set-Cookie" in first.headers
    assert _cache_state(first) is None and _cache_state(second) is None
    assert first.text != second.text


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValueError):
        cached_page("everything")


def test_every_table_has_a_known_scope(app):
    for name in db.metadata.tables:
        assert SCOPE_OF_TABLE.get(name, "site") in (*SCOPES, None), name


def test_a_commit_raises_the_versions_of_what_it_wrote_and_nothing_else(app, make_event):
    make_event()
    before = current_versions()
    db.session.commit()  # nothing written
    assert current_versions() == before
    event = make_event()
    after = current_versions()
    assert after["events"] == before["events"] + 1
    assert after["forums"] == before["forums"] and after["library"] == before["library"]
    event.title = "Anders"
    db.session.rollback()  # a rolled-back change raises nothing
    assert current_versions() == after


def test_bulk_statements_raise_the_version_too(app, make_event):
    from sqlalchemy import update

    from events.models import Event

    make_event()
    before = current_versions()["events"]
    db.session.execute(update(Event).values(title="Bulk"))
    db.session.commit()
    assert current_versions()["events"] == before + 1
    assert db.session.get(DataVersion, "events").version == before + 1


def _redis_url() -> str:
    return "redis://127.0.0.1:6379/14"


@pytest.mark.real_commits  # the second app reads the data through its own connection
def test_processes_share_the_cache_through_redis(database_url, tmp_path, make_event):
    """Two apps (two processes in production) with one Redis: one renders, the other serves."""
    make_event(title="Gedeeld")
    prefix_probe = redis.Redis.from_url(_redis_url())
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": _redis_url(),
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        # A host of its own: keys of other test runs never match.
        "SERVER_NAME": None,
    }
    host = f"{uuid.uuid4().hex}.bruggen.test"
    first: Flask = create_app(config)
    second: Flask = create_app(config)
    try:
        one = first.test_client().get("/agenda", base_url=f"http://{host}")
        two = second.test_client().get("/agenda", base_url=f"http://{host}")
        assert (_cache_state(one), _cache_state(two)) == ("miss", "hit")
        assert two.data == one.data and "Gedeeld" in two.text
    finally:
        for key in prefix_probe.scan_iter("bruggen:page:*"):
            ttl = prefix_probe.ttl(key)
            assert ttl is None or ttl <= 60
        with first.app_context():
            db.engine.dispose()
        with second.app_context():
            db.engine.dispose()


def test_the_cached_activity_page_still_takes_a_guest_registration(client, make_event, mailbox):
    event = make_event(capacity=10)
    url = f"/activiteiten/{event.slug}"
    client.get(url)
    page = client.get(url)
    assert _cache_state(page) == "hit"
    action = re.search(r'<form method="post" action="([^"]+inschrijven)[^"]*"', page.text)[1]
    response = client.post(
        action,
        data=_guest("Gast Twee", "gast.twee@example.org"),
    )
    assert response.status_code == 302
    assert db.session.query(Registration).filter_by(email="gast.twee@example.org").count() == 1


def test_a_guest_registration_from_another_site_is_refused(client, make_event):
    event = make_event(capacity=10)
    response = client.post(
        f"/activiteiten/{event.slug}/inschrijven",
        data=_guest("Gast Drie", "gast.drie@example.org"),
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    assert "andere website" in response.text
    assert db.session.query(Registration).count() == 0


def test_a_signed_in_member_still_needs_the_csrf_token(client, make_event, make_user, sign_in_as):
    event = make_event(capacity=10)
    sign_in_as(make_user())
    response = client.post(f"/activiteiten/{event.slug}/inschrijven", data={"is_listed": ""})
    assert response.status_code == 400
    assert db.session.query(Registration).count() == 0
    language = client.post("/taal", data={"language": "en"})
    assert language.status_code == 400


def test_an_anonymous_visitor_switches_language_without_a_token(client):
    response = client.post("/taal", data={"language": "en", "next": "/agenda"})
    assert response.status_code == 302
    page = client.get("/agenda")
    assert 'lang="en"' in page.text and _cache_state(page) is None
    refused = client.post(
        "/taal", data={"language": "nl"}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 400


def test_feeds_keep_their_entries_longer_than_pages(app, client):
    endpoints = page_cache(app)._cacheable_endpoints()
    assert endpoints["events.agenda_feed"] == (("events", "site"), 600)
    assert endpoints["events.filtered_feed"][1] == 600
    assert endpoints["events.agenda"] == (("events", "site"), 60)
    assert endpoints["events.detail"][1] == 60
    assert endpoints["events.detail"][0] == ("events", "forums", "library", "members", "site")
    assert endpoints["site.home"][0] == SCOPES


def test_nothing_personal_is_declared_cacheable(app):
    """Only public, anonymous-visitor pages: no account, management or personal feed page."""
    endpoints = set(page_cache(app)._cacheable_endpoints())
    assert endpoints == {
        "site.home",
        "site.regions",
        "site.region",
        "library.materials",
        "library.practices",
        "events.agenda",
        "events.archive",
        "events.detail",
        "events.agenda_feed",
        "events.filtered_feed",
        "events.embedded_agenda",  # issue 17: the agenda on partners' websites
        "events.agenda_json",
        "forums.index",
        "signals.passed_on",  # only what coordinators published (issue 16)
        # the regional map's public pages and open data (issue 15)
        "regionmap.catalogue",
        "regionmap.offer",
        "regionmap.organisations",
        "regionmap.organisation",
        "regionmap.bodies",
        "regionmap.overview",
        "regionmap.analysis",
        "regionmap.open_data",
        "regionmap.hsds_json",
        "regionmap.hsds_table",
    }


def test_an_entry_is_not_served_after_its_time(app, client, make_event):
    import time

    make_event()
    client.get("/agenda")
    cache = page_cache(app)
    (key,) = [k for k in cache.local if cache.local[k]["body"] == client.get("/agenda").data]
    entry = dict(cache.local[key], expires=time.time() - 1)
    cache.local[key] = entry  # as if 60 s went by
    assert _cache_state(client.get("/agenda")) == "miss"


def test_a_process_that_only_gets_revalidations_still_fills_its_cache(app, make_event):
    """Calendar clients always send If-None-Match; a new process must still keep the feed."""
    make_event()
    etag = app.test_client().get("/agenda.ics").headers["ETag"]
    page_cache(app).local.clear()  # a second worker: nothing kept yet
    first = app.test_client().get("/agenda.ics", headers={"If-None-Match": etag})
    second = app.test_client().get("/agenda.ics", headers={"If-None-Match": etag})
    assert (first.status_code, second.status_code) == (304, 304)
    assert (_cache_state(first), _cache_state(second)) == ("miss", "hit")


def test_the_home_and_region_pages_show_a_change_of_an_activity_at_once(client, make_event):
    event = make_event(title="Oude titel")
    region_url = f"/regio/{event.region.slug}"
    for url in ("/", region_url):
        assert "Oude titel" in client.get(url).text
        assert _cache_state(client.get(url)) == "hit"
    event.title = "Nieuwe titel"
    db.session.commit()
    for url in ("/", region_url):
        page = client.get(url)
        assert "Nieuwe titel" in page.text and "Oude titel" not in page.text, url


def test_a_renamed_member_shows_at_once_on_the_activity_page(client, make_event, make_user):
    event = make_event(capacity=5)
    member = make_user(display_name="Naam Voor")
    db.session.add(
        Registration(
            event_id=event.id,
            user_id=member.id,
            name=member.display_name,
            email=member.email,
            state=RegistrationState.CONFIRMED,
            is_listed=True,
        )
    )
    db.session.commit()
    url = f"/activiteiten/{event.slug}"
    client.get(url)
    before = current_versions()["members"]
    member.display_name = "Naam Na"
    db.session.commit()
    assert current_versions()["members"] == before + 1
    assert _cache_state(client.get(url)) == "miss"


def test_signing_in_changes_no_cached_page(client, make_user, login):
    member = make_user()
    before = current_versions()
    login(member)
    assert current_versions() == before
    assert member.last_login_at is not None


# --- the data versions read once a second per process (issue 14) ----------------------------


def test_a_hit_right_after_another_reads_no_versions(client, make_event, count_queries):
    make_event(title="Netwerkmoment Brugge")
    client.get("/agenda")

    with count_queries() as queries:
        page = client.get("/agenda")

    assert _cache_state(page) == "hit"
    assert queries == []


def test_a_commit_in_this_process_is_never_served_stale(client, make_event, count_queries):
    """The memo of the versions is dropped by any commit of this process that raised one,
    however soon after the last read."""
    event = make_event(title="Eerste titel")
    for n in range(3):
        assert _cache_state(client.get("/agenda")) in ("miss", "hit")
        event.title = f"Titel {n}"
        db.session.commit()
        with count_queries() as queries:
            page = client.get("/agenda")
        assert _cache_state(page) == "miss"
        assert f"Titel {n}" in page.text
        assert any("FROM data_versions" in query for query in queries)


def _commit_of_another_process(event_id: int, title: str) -> None:
    """What another worker's commit looks like to this one: rows and versions changed
    without this process's session (no local commit counted)."""
    connection = db.session.connection()
    connection.exec_driver_sql(
        "UPDATE events SET title = ? WHERE id = ?"
        if connection.dialect.name == "sqlite"
        else "UPDATE events SET title = %s WHERE id = %s",
        (title, event_id),
    )
    connection.exec_driver_sql("UPDATE data_versions SET version = version + 1")
    db.session.commit()  # wrote nothing the session tracks: no local commit counted


def test_a_commit_of_another_process_shows_within_the_versions_window(
    app, client, make_event, monkeypatch
):
    """Bounded staleness: at most PAGE_CACHE_VERSIONS_SECONDS after a read of this process."""
    from community.core.pagecache import middleware

    event = make_event(title="Eerste titel")
    clock = [1000.0]
    monkeypatch.setattr(middleware.time, "monotonic", lambda: clock[0])
    page_cache(app).forget_versions()
    client.get("/agenda")

    _commit_of_another_process(event.id, "Titel van elders")
    clock[0] += 0.9
    within = client.get("/agenda")
    clock[0] += 0.2  # 1.1 s after the read
    after = client.get("/agenda")

    assert _cache_state(within) == "hit" and "Eerste titel" in within.text
    assert _cache_state(after) == "miss" and "Titel van elders" in after.text


def test_without_the_window_every_request_reads_the_versions(
    app, client, make_event, count_queries
):
    app.config["PAGE_CACHE_VERSIONS_SECONDS"] = 0
    page_cache(app).versions_seconds = 0
    event = make_event(title="Eerste titel")
    client.get("/agenda")
    _commit_of_another_process(event.id, "Titel van elders")

    with count_queries() as queries:
        page = client.get("/agenda")

    assert "Titel van elders" in page.text
    assert any("FROM data_versions" in query for query in queries)
