"""A thread's pages read from whichever end is nearer (issue 14): the same posts in order."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.core.extensions import db
from forums.models import Post
from forums.views import POSTS_PER_PAGE
from tests.forums.conftest import sign_in, thread_url


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="bericht-(\d+)"', html)]


def test_every_page_of_a_long_thread_shows_its_own_posts_in_the_order_written(
    app, client, make_forum, make_thread, make_user, count_queries
):
    thread = make_thread(make_forum(), posts=2 * POSTS_PER_PAGE + 5)
    ids = sorted(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)))
    sign_in(client, make_user())
    queries = []
    for page in (1, 2, 3):
        with count_queries() as made:
            html = client.get(f"{thread_url(thread)}?pagina={page}").text
        queries.append(len(made))
        assert _shown(html) == ids[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]
    assert len(set(queries[1:])) == 1  # the middle and the last page: the same statements
    assert client.get(f"{thread_url(thread)}?pagina=4").status_code == 404


def test_the_last_page_of_a_thread_of_one_page_or_exactly_two(
    app, client, make_forum, make_thread, make_user
):
    sign_in(client, make_user())
    for count in (1, POSTS_PER_PAGE, 2 * POSTS_PER_PAGE):
        thread = make_thread(make_forum(), posts=count)
        ids = sorted(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)))
        last = -(-count // POSTS_PER_PAGE)
        html = client.get(f"{thread_url(thread)}?pagina={last}").text
        assert _shown(html) == ids[(last - 1) * POSTS_PER_PAGE :]
