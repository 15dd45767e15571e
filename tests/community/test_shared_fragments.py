"""Shared parts of signed-in visitors' pages (community.core.fragments, issue 14).

The agenda, the archive, the home page, the forum index and the library keep their
``title``, ``head`` and ``content`` blocks per audience and data version; the layout
around them (the visitor's name, notification count, sign-out form, flash messages) is
rendered for each request. These tests check that nobody gets another visitor's part,
that a kept page reads exactly as a fresh one, and that a change shows at once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import g

from community.accounts.models import ProjectGroupRole
from community.accounts.permissions import audience_of
from community.core.extensions import db
from community.core.pagecache.middleware import page_cache
from community.library.models import Material, MaterialType
from events.models import EventStatus, Visibility
from forums.models import Forum, Post, Thread
from tests.forums.conftest import reply_url
from tests.pages_helpers import add, now, sign_in

PAGES = ("/", "/agenda", "/agenda/archief", "/forum", "/materiaal")


def _kept(app) -> int:
    """How many shared parts the process keeps."""
    cache = page_cache(app)
    with cache.lock:
        return sum(1 for key in cache.local if key.startswith("fragment:"))


def _forget_kept(app) -> None:
    cache = page_cache(app)
    with cache.lock:
        cache.local.clear()


def _get(client, url: str):
    """GET ``url`` as ``client``'s visitor (the test's app context keeps ``g`` between requests:
    the user Flask-Login found for another client must not be reused)."""
    g.pop("_login_user", None)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def _main(html: str) -> str:
    """The page's <main> without its flash messages: the shared content."""
    return re.search(r'<main id="main" class="wrap">(.*)</main>', html, re.S)[1]


def _without_tokens(html: str) -> str:
    """``html`` without what is signed anew for each request: CSRF tokens, cancel links."""
    html = re.sub(r'value="[\w-]+\.[\w-]+\.[\w-]+"', 'value="…"', html)
    return re.sub(r"/inschrijving/annuleren/[\w.-]+", "/inschrijving/annuleren/…", html)


@pytest.fixture
def browsers(app):
    """Return a callable giving a new test client signed in as ``user``."""

    def _browser(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return _browser


@pytest.mark.parametrize("url", PAGES)
def test_a_kept_page_reads_exactly_as_a_fresh_one(app, url, make_user, make_event, browsers):
    make_event(title="Netwerkmoment Brugge")
    member = browsers(make_user())
    before = _kept(app)
    first = _get(member, url)
    assert _kept(app) == before + 1
    again = _get(member, url)
    assert _kept(app) == before + 1  # served from the kept part
    app.config["FRAGMENT_CACHE_ENABLED"] = False
    whole = _get(member, url)
    assert _without_tokens(again) == _without_tokens(first) == _without_tokens(whole)


def test_two_members_share_the_listing_but_never_each_others_parts(
    app, make_user, make_region, make_event, browsers
):
    west, oost = make_region(), make_region()
    make_event(title="Inspiratiedag Kortrijk", region=west)
    ann = make_user(display_name="Ann Peeters", region_id=west.id)
    bert = make_user(display_name="Bert Claes", region_id=oost.id)
    assert audience_of(ann) == audience_of(bert) == "member"
    for url in PAGES:
        page_ann = _get(browsers(ann), url)
        kept = _kept(app)
        page_bert = _get(browsers(bert), url)
        assert _kept(app) == kept, f"{url}: Bert got Ann's kept part"
        assert "Ann Peeters" in page_ann and "Ann Peeters" not in page_bert, url
        assert "Bert Claes" in page_bert and "Bert Claes" not in page_ann, url
        assert _main(page_ann) == _main(page_bert), url


def test_a_member_never_gets_a_coordinators_listing_nor_the_other_way_round(
    app, make_user, make_region, make_event, browsers
):
    region = make_region()
    invite_only = Visibility.INVITE_ONLY
    make_event(title="Casusoverleg op uitnodiging", region=region, visibility=invite_only)
    make_event(title="Ontwerp van een vorming", region=region, status=EventStatus.DRAFT)
    coordinator = make_user("coordinator", regions=[region])
    member = make_user()
    for first, second in ((coordinator, member), (member, coordinator)):
        seen = {}
        for user in (first, second):
            seen[user.id] = _get(browsers(user), "/agenda")
        assert "Casusoverleg op uitnodiging" in seen[coordinator.id]
        assert "Ontwerp van een vorming" in seen[coordinator.id]
        assert "Casusoverleg op uitnodiging" not in seen[member.id]
        assert "Ontwerp van een vorming" not in seen[member.id]
        _forget_kept(app)  # the next round starts without kept parts


def test_coordinators_of_two_regions_each_see_only_their_own_drafts(
    app, make_user, make_region, make_event, browsers
):
    west, oost = make_region(), make_region()
    make_event(title="Ontwerp West", region=west, status=EventStatus.DRAFT)
    make_event(title="Ontwerp Oost", region=oost, status=EventStatus.DRAFT)
    of_west = make_user("coordinator", regions=[west])
    of_oost = make_user("coordinator", regions=[oost])
    assert audience_of(of_west) != audience_of(of_oost)
    page_west = _get(browsers(of_west), "/agenda")
    page_oost = _get(browsers(of_oost), "/agenda")
    assert "Ontwerp West" in page_west and "Ontwerp Oost" not in page_west
    assert "Ontwerp Oost" in page_oost and "Ontwerp West" not in page_oost


def test_members_only_and_project_group_items_stay_with_their_audience(
    app, make_user, make_event, browsers
):
    make_event(title="Ledenmoment", visibility=Visibility.MEMBERS)
    add(
        Material(
            slug="groepsverslag",
            title="Verslag van de projectgroep",
            type=MaterialType.REPORT,
            is_public=False,
            is_project_group=True,
        )
    )
    unverified = make_user(is_verified=False)
    member = make_user()
    in_group = make_user(project_group_role=ProjectGroupRole.MEMBER)
    for url in ("/agenda", "/materiaal"):
        pages = {user.id: _get(browsers(user), url) for user in (in_group, member, unverified)}
        assert "Ledenmoment" in pages[member.id] or url != "/agenda"
        assert "Ledenmoment" not in pages[unverified.id]
        assert "Verslag van de projectgroep" not in pages[member.id]
        assert "Verslag van de projectgroep" not in pages[unverified.id]
        assert "Verslag van de projectgroep" in pages[in_group.id] or url != "/materiaal"


def test_a_change_shows_at_once_on_a_kept_page(app, make_user, make_event, browsers):
    event = make_event(title="Netwerkmoment Gent", capacity=1)
    member, other = make_user(), make_user()
    forum = add(Forum(slug="tweede-graad", name="Tweede graad", position=1))
    thread = Thread(
        forum=forum,
        title="Spijbelen in het eerste jaar",
        slug="spijbelen",
        author=other,
        last_poster=other,
        post_count=1,
        last_post_at=now() - dt.timedelta(days=2),
    )
    add(thread, Post(thread=thread, author=other, body="Eerst.", body_html="<p>Eerst.</p>"))
    reader = browsers(member)
    for url in PAGES:
        _get(reader, url)

    # An edit by a coordinator (any process: the version is in the database).
    event.title = "Netwerkmoment Gent (nieuwe zaal)"
    db.session.commit()
    assert "Netwerkmoment Gent (nieuwe zaal)" in _get(reader, "/agenda")
    assert "Netwerkmoment Gent (nieuwe zaal)" in _get(reader, "/")

    # A registration takes the last place: the agenda says so at once.
    writer = browsers(other)
    assert "Nog 1 plaats vrij" in _get(reader, "/agenda")
    g.pop("_login_user", None)
    registered = writer.post_form(f"/activiteiten/{event.slug}/inschrijven")
    assert registered.status_code == 302
    assert "Volzet" in _get(reader, "/agenda")

    # A new post moves the thread's count on the forum index.
    before = _get(reader, "/forum")
    assert "1 gesprek" in before
    g.pop("_login_user", None)
    posted = writer.post_form(reply_url(thread), {"body": "Bij ons ook, we werken met de CLB."})
    assert posted.status_code == 303
    after = _get(reader, "/forum")
    assert _main(after) != _main(before)


def test_the_activity_page_keeps_everything_but_each_visitors_registration_block(
    app, make_user, make_event, browsers
):
    event = make_event(title="Inspiratiedag Leuven", capacity=20)
    ann, bert = make_user(display_name="Ann Peeters"), make_user(display_name="Bert Claes")
    url = f"/activiteiten/{event.slug}"
    g.pop("_login_user", None)
    assert browsers(ann).post_form(f"{url}/inschrijven").status_code == 302  # Ann registers
    for first, second in ((ann, bert), (bert, ann)):
        _forget_kept(app)  # each round starts without kept parts
        before = _kept(app)
        pages = {user.id: _get(browsers(user), url) for user in (first, second)}
        assert _kept(app) == before + 1  # one kept page served both
        assert "Je bent ingeschreven voor deze activiteit." in pages[ann.id]
        assert "/inschrijving/annuleren/" in pages[ann.id]
        assert "Je bent ingeschreven voor deze activiteit." not in pages[bert.id]
        assert "/inschrijving/annuleren/" not in pages[bert.id]
        assert f'action="{url}/inschrijven#inschrijven"' in pages[bert.id]
        assert f'action="{url}/inschrijven#inschrijven"' not in pages[ann.id]
        app.config["FRAGMENT_CACHE_ENABLED"] = False
        for user in (ann, bert):
            assert _without_tokens(_get(browsers(user), url)) == _without_tokens(pages[user.id])
        app.config["FRAGMENT_CACHE_ENABLED"] = True


def test_an_invitees_page_of_an_invite_only_activity_is_not_the_audiences(
    app, make_user, make_region, make_event, browsers
):
    from events.models import Invitation

    region = make_region()
    rots = make_event(title="Casustafel", region=region, visibility=Visibility.INVITE_ONLY)
    invitee, member = make_user(), make_user()
    coordinator = make_user("coordinator", regions=[region])
    add(Invitation(event_id=rots.id, email=invitee.email))
    url = f"/activiteiten/{rots.slug}"
    assert "Casustafel" in _get(browsers(invitee), url)
    g.pop("_login_user", None)
    assert browsers(member).get(url).status_code == 404
    kept = _kept(app)
    page = _get(browsers(coordinator), url)
    assert _kept(app) == kept + 1, "the coordinator got the invitee's kept page"
    assert "Je coördineert deze regio" in page


def test_the_kept_main_menu_follows_the_visitors_language_and_reading_of_signals(
    app, client, make_user, browsers
):
    from flask import url_for

    with app.test_request_context():
        for_members, for_all = url_for("signals.index"), url_for("signals.passed_on")

    def menu(html: str) -> str:
        return re.search(r'<nav class="main-nav".*?</nav>', html, re.S)[0]

    anonymous = menu(_get(app.test_client(), "/privacy"))
    member = menu(_get(browsers(make_user()), "/privacy"))
    unverified = menu(_get(browsers(make_user(is_verified=False)), "/privacy"))
    english = menu(_get(browsers(make_user(locale="en")), "/privacy"))
    assert f'href="{for_all}"' in anonymous and f'href="{for_members}"' not in anonymous
    assert f'href="{for_members}"' in member and f'href="{for_all}"' not in member
    assert unverified == anonymous
    assert english != member and f'href="{for_members}"' in english
