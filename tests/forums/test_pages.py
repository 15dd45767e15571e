"""Forum pages: the public index, a forum's threads, a thread with its posts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from community.accounts.models import User
from community.core.extensions import db
from forums.models import Forum, Post
from tests.pages_helpers import add, forget_loaded_objects, now, sign_in

_n = itertools.count(1)


def quick_user():
    """A member without the (slow) password hashing of ``make_user``."""
    n = next(_n)
    return User(email=f"lid{n}@example.org", display_name=f"Lid {n}", password_hash="-")


def test_forum_index_is_public_with_forums_per_theme_and_thread_titles(
    client, make_forum, make_thread, make_theme
):
    general = make_forum(name="Algemeen", description="Over alles.", position=0)
    second = make_forum(name="Secundair", theme=make_theme(2), position=1)
    first = make_forum(name="Kleuter en lager", theme=make_theme(1), position=2)
    make_thread(first, title="Spijbelen bij kleuters?")
    make_thread(first)

    response = client.get("/forum")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index(first.name) < html.index(second.name) < html.index(general.name)
    assert "Over alles." in html
    assert "2 gesprekken" in html and "0 gesprekken" in html
    assert "Spijbelen bij kleuters?" in html
    assert "laatste activiteit" in html
    assert "Bericht 1." not in html


def test_thread_page_of_a_members_forum_requires_login(client, make_forum, make_thread):
    thread = make_thread(make_forum(is_public=False))

    response = client.get(f"/forum/{thread.forum.slug}/{thread.id}")

    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
    assert client.get(f"/forum/{thread.forum.slug}").status_code == 302


def test_member_reads_a_thread_of_a_members_forum(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(), posts=2)
    sign_in(client, make_user())

    response = client.get(f"/forum/{thread.forum.slug}/{thread.id}")

    assert response.status_code == 200
    assert "<p>Bericht 2.</p>" in response.get_data(as_text=True)


def test_public_forum_is_readable_anonymously(client, make_forum, make_thread):
    thread = make_thread(make_forum(is_public=True))

    forum_page = client.get(f"/forum/{thread.forum.slug}")
    thread_page = client.get(f"/forum/{thread.forum.slug}/{thread.id}")

    assert forum_page.status_code == thread_page.status_code == 200
    assert thread.title in forum_page.get_data(as_text=True)
    assert "<p>Bericht 1.</p>" in thread_page.get_data(as_text=True)


def test_thread_in_another_forum_or_unknown_is_404(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(is_public=True))
    other = make_forum(is_public=True)

    assert client.get(f"/forum/{other.slug}/{thread.id}").status_code == 404
    assert client.get(f"/forum/{thread.forum.slug}/99999").status_code == 404
    assert client.get("/forum/bestaat-niet").status_code == 404


def test_forum_lists_pinned_first_then_by_last_activity_with_reply_counts(
    client, make_forum, make_thread, make_user
):
    forum = make_forum(is_public=True)
    old = make_thread(forum, title="Oud gesprek", last_post_at=now() - dt.timedelta(days=9))
    new = make_thread(forum, posts=4, title="Nieuw gesprek", last_post_at=now())
    pinned = make_thread(
        forum, title="Huisregels", is_pinned=True, last_post_at=now() - dt.timedelta(days=30)
    )
    replier = make_user(display_name="Bart Janssens")
    new.last_poster = replier
    add(new)

    html = client.get(f"/forum/{forum.slug}").get_data(as_text=True)

    assert html.index(pinned.title) < html.index(new.title) < html.index(old.title)
    assert "<td>3</td>" in html  # 4 posts: the opening post and 3 replies
    assert "door Bart Janssens" in html
    assert f"door {old.author.display_name}" in html


def test_deleted_post_is_shown_as_removed(client, make_forum, make_thread):
    thread = make_thread(make_forum(is_public=True), posts=2)
    post = db.session.scalars(thread.posts.select().order_by(Post.id)).first()
    post.is_deleted = True
    add(post)

    html = client.get(f"/forum/{thread.forum.slug}/{thread.id}").get_data(as_text=True)

    assert "Dit bericht is verwijderd." in html
    assert "<p>Bericht 1.</p>" not in html
    assert "<p>Bericht 2.</p>" in html


def test_thread_pages_hold_20_posts(client, make_forum, make_thread):
    thread = make_thread(make_forum(is_public=True), posts=45)
    url = f"/forum/{thread.forum.slug}/{thread.id}"

    first = client.get(url).get_data(as_text=True)
    third = client.get(url + "?pagina=3").get_data(as_text=True)

    assert first.count('class="post card') == 20
    assert "<p>Bericht 20.</p>" in first and "<p>Bericht 21.</p>" not in first
    assert third.count('class="post card') == 5
    assert "<p>Bericht 41.</p>" in third
    assert f'href="{url}?pagina=2"' in first
    assert client.get(url + "?pagina=4").status_code == 404
    assert client.get(url + "?pagina=nul").status_code == 400


def test_home_shows_recent_threads_with_forum_name(client, make_forum, make_thread):
    forum = make_forum(name="Thema 2: secundair")
    make_thread(forum, title="Wie kent een goede NAFT-aanbieder?")

    html = client.get("/").get_data(as_text=True)

    assert "Recent in het forum" in html
    assert "Wie kent een goede NAFT-aanbieder?" in html
    assert "Thema 2: secundair" in html


@pytest.mark.parametrize("page", ["index", "forum", "thread", "home"])
def test_forum_query_counts_do_not_grow_with_the_number_of_threads(
    client, make_forum, make_thread, make_user, make_theme, count_queries, page
):
    forums = [make_forum(theme=make_theme(1)), make_forum(is_public=True), make_forum()]
    target = forums[1]
    sign_in(client, make_user())
    first = make_thread(target, posts=3)
    forum_ids, first_id = [f.id for f in forums], first.id
    url = {
        "index": "/forum",
        "forum": f"/forum/{target.slug}",
        "thread": f"/forum/{target.slug}/{first_id}",
        "home": "/",
    }[page]

    def queries_for(n):
        for i in range(n):
            make_thread(db.session.get(Forum, forum_ids[i % 3]), posts=2, last_poster=quick_user())
            make_thread(db.session.get(Forum, forum_ids[1]), posts=1, last_poster=quick_user())
            db.session.add(Post(thread_id=first_id, author=quick_user(), body="x", body_html="x"))
        db.session.commit()
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)
