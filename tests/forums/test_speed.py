"""A thread page makes at most 8 SQL queries, whatever the number of posts, authors and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from community.accounts.models import User
from community.core.extensions import db
from forums.models import Post, Thread
from tests.forums.conftest import sign_in
from tests.pages_helpers import forget_loaded_objects

MAX_QUERIES = 8


@pytest.fixture
def big_thread(make_forum, make_thread):
    """A thread of 2,000 posts by 100 authors, inserted in bulk."""
    thread = make_thread(make_forum(), posts=0)
    authors = (
        db.session.execute(
            insert(User).returning(User.id),
            [
                {
                    "email": f"auteur{n}@example.org",
                    "display_name": f"Auteur {n}",
                    "password_hash": "-",
                }
                for n in range(100)
            ],
        )
        .scalars()
        .all()
    )
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    db.session.execute(
        insert(Post),
        [
            {
                "thread_id": thread.id,
                "author_id": authors[n % len(authors)],
                "body": f"Bericht {n + 1}",
                "body_html": f"<p>Bericht {n + 1}</p>",
                "created_at": start + dt.timedelta(minutes=n),
            }
            for n in range(2000)
        ],
    )
    thread.post_count = 2000
    db.session.commit()
    return thread


@pytest.mark.parametrize("role", ["member", "coordinator", "admin", "anonymous"])
def test_thread_of_2000_posts_pages_take_a_fixed_small_number_of_queries(
    client, big_thread, make_user, count_queries, role
):
    if role != "anonymous":
        sign_in(client, make_user(role))
    if role == "anonymous":
        big_thread.forum.is_public = True
        db.session.commit()
    url = f"/forum/{big_thread.forum.slug}/{big_thread.id}"
    counts = []
    for page in (1, 2, 50, 100, 1):
        forget_loaded_objects()
        with count_queries() as queries:
            response = client.get(f"{url}?pagina={page}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="post card') == 20
        counts.append(len(queries))

    assert max(counts) <= MAX_QUERIES, counts
    assert db.session.get(Thread, big_thread.id).post_count == 2000
