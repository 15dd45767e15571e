"""Redis down (issue 13, item 5): the site keeps working, and shares again when Redis returns.

A real ``redis-server`` of the test's own is stopped and started again under an app
whose ``REDIS_URL`` names it. While it is away, rate limits count in the process
(Flask-Limiter's in-memory fallback, with a warning) and the page cache serves and
keeps pages in its own layer; when it is back, both use it again without a restart.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from community.core.pagecache.middleware import page_cache
from events.models import Registration
from forums.models import Post
from tests.conftest import PASSWORD
from tests.faults.conftest import wait_until
from tests.forums.conftest import reply_url

RETURNS_WITHIN = 90  # s: Flask-Limiter checks a dead storage again after 1, 2, 4 ... 32 s


def _guest(email: str) -> dict:
    return {
        "guest_name": "Gast",
        "guest_email": email,
        "guest_organisation": "Basisschool De Linde",
        "guest_sector": "onderwijs",
    }


def _sign_in(client, email: str, password: str, address: str):
    return client.post_form(
        "/aanmelden", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _page_keys(server) -> list[bytes]:
    return list(server.client().scan_iter("bruggen:page:*"))


def _limit_keys(server) -> list[bytes]:
    return list(server.client().scan_iter("LIMITS*"))


@pytest.fixture
def site(make_app, make_event, make_user, make_forum, make_thread, redis_server):
    """An app on the private Redis, with an activity open for guests and a forum thread.

    Afterwards Redis runs again and the limits are counted in it: the limiter is one
    object per process, and the next test must not find it on its fallback.
    """
    app = make_app(REDIS_URL=redis_server.url)
    host = f"{uuid.uuid4().hex}.bruggen.test"  # entries of other tests never match
    event = make_event(capacity=50, title="Netwerkmoment Gent")
    member = make_user()
    thread = make_thread(make_forum())
    yield app, host, event, member, thread
    if redis_server.process is None:
        redis_server.start()
    _until_limits_are_shared(app, redis_server)


def test_while_redis_is_down_pages_sign_in_registration_posting_and_feeds_work(
    site, redis_server, caplog
):
    app, host, event, member, thread = site
    visitor = app.test_client()
    base = f"http://{host}"
    activity = f"/activiteiten/{event.slug}"
    assert visitor.get(activity, base_url=base).headers["X-Page-Cache"] == "miss"
    assert _page_keys(redis_server), "with Redis up, pages are shared through it"

    redis_server.stop()
    caplog.set_level(logging.WARNING)

    # The page this process holds, and a page it renders and keeps now.
    assert visitor.get(activity, base_url=base).headers["X-Page-Cache"] == "hit"
    agenda = [visitor.get("/agenda", base_url=base) for _ in range(2)]
    assert [r.status_code for r in agenda] == [200, 200]
    assert [r.headers["X-Page-Cache"] for r in agenda] == ["miss", "hit"]
    feed = visitor.get("/agenda.ics", base_url=base)
    assert feed.status_code == 200 and b"Netwerkmoment Gent" in feed.data

    # A guest registers from the cached page.
    action = re.search(r'action="([^"]+inschrijven)', visitor.get(activity, base_url=base).text)[1]
    registered = visitor.post(action, data=_guest("gast@example.org"), base_url=base)
    assert registered.status_code == 302
    count = select(func.count()).select_from(Registration).where(Registration.event_id == event.id)
    assert db.session.scalar(count) == 1

    # A member signs in (a wrong password first) and posts.
    member_browser = app.test_client()
    assert _sign_in(member_browser, member.email, "fout-wachtwoord", "10.1.0.1").status_code == 401
    assert _sign_in(member_browser, member.email, PASSWORD, "10.1.0.1").status_code == 302
    posted = member_browser.post_form(reply_url(thread), {"body": "Ook bij ons werkt dat."})
    assert posted.status_code == 303  # see the thread
    assert db.session.scalar(select(func.count()).select_from(Post)) == 2

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("falling back to in-memory storage" in m for m in warnings), warnings
    assert sum("page cache: Redis unreachable" in m for m in warnings) == 1, warnings


def test_while_redis_is_down_limits_still_count_in_the_process(site, redis_server):
    app, _host, _event, member, _thread = site
    attacker = app.test_client()
    redis_server.stop()

    tries = [_sign_in(attacker, member.email, "fout", "10.2.0.1").status_code for _ in range(5)]
    refused = _sign_in(attacker, member.email, "fout", "10.2.0.1")

    assert tries == [401] * 5
    assert refused.status_code == 429
    assert "Te veel mislukte aanmeldpogingen" in refused.text


def test_when_redis_returns_limits_and_pages_are_shared_through_it_again(site, redis_server):
    app, host, _event, member, _thread = site
    base = f"http://{host}"
    browser = app.test_client()
    redis_server.stop()
    assert _sign_in(browser, member.email, "fout", "10.3.0.1").status_code == 401
    assert browser.get("/regios", base_url=base).status_code == 200

    redis_server.start()  # empty: it keeps nothing on disk
    assert _limit_keys(redis_server) == [] and _page_keys(redis_server) == []

    _until_limits_are_shared(app, redis_server)
    cache = page_cache(app)
    wait_until(
        lambda: time.monotonic() >= cache.shared.next_try,
        within=cache.shared.retry + 1,
        what="the page cache's pause after a failed Redis call",
    )
    page = browser.get("/materiaal", base_url=base)

    assert page.headers["X-Page-Cache"] == "miss"
    assert _page_keys(redis_server), "the page is kept in Redis again"
    assert cache.shared.down_since is None


def _until_limits_are_shared(app, server) -> None:
    """Failed sign-ins (each from another address) until their count shows up in Redis."""
    browser = app.test_client()
    addresses = (f"10.9.{n // 250}.{n % 250}" for n in range(10**6))

    def counted_in_redis() -> bool:
        _sign_in(browser, "niemand@example.org", "fout", next(addresses))
        return bool(_limit_keys(server))

    wait_until(counted_in_redis, within=RETURNS_WITHIN, what="rate limits counted in Redis")


def test_members_pages_share_their_kept_parts_through_redis_and_render_while_it_is_down(
    site, redis_server, make_event
):
    app, _host, event, member, _thread = site
    browser = app.test_client()
    form = {"email": member.email, "password": PASSWORD}
    assert browser.post_form("/aanmelden", form).status_code == 302
    first = browser.get("/agenda")
    assert first.status_code == 200 and "Netwerkmoment Gent" in first.text
    assert list(redis_server.client().scan_iter("bruggen:fragment:*")), "kept parts in Redis"

    redis_server.stop()
    make_event(title="Vorming Brugge")  # committed: the events version moves
    urls = ("/agenda", "/agenda", "/", "/forum", "/materiaal", f"/activiteiten/{event.slug}")
    pages = [browser.get(url) for url in urls]

    assert [page.status_code for page in pages] == [200] * len(urls)
    assert "Vorming Brugge" in pages[0].text and "Vorming Brugge" in pages[1].text
    assert all(member.display_name in page.text for page in pages)
