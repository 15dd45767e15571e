"""Fixtures of the forum tests: forums, threads with posts, posting through the pages."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask import g

from community.core.extensions import db
from forums.models import Forum, Post, Thread
from tests.pages_helpers import add, now

_n = itertools.count(1)


@pytest.fixture
def make_forum(app):
    """Return a callable making a forum (members only unless ``is_public=True``)."""

    def _make(**overrides):
        n = next(_n)
        values = {"slug": f"forum-{n}", "name": f"Forum {n}", "position": n}
        values.update(overrides)
        return add(Forum(**values))

    return _make


@pytest.fixture
def make_thread(app, make_user):
    """Return a callable making a thread in ``forum`` with ``posts`` posts by ``author``."""

    def _make(forum, posts: int = 1, author=None, **overrides):
        author = author or make_user()
        n = next(_n)
        start = overrides.pop("last_post_at", now() - dt.timedelta(hours=n))
        values = {
            "forum": forum,
            "title": f"Gesprek {n}",
            "slug": f"gesprek-{n}",
            "author": author,
            "last_poster": author,
            "post_count": posts,
            "last_post_at": start,
        }
        values.update(overrides)
        thread = Thread(**values)
        db.session.add(thread)
        for i in range(posts):
            db.session.add(
                Post(
                    thread=thread,
                    author=author,
                    body=f"Bericht {i + 1}.",
                    body_html=f"<p>Bericht {i + 1}.</p>",
                    created_at=start,
                )
            )
        db.session.commit()
        return thread

    return _make


def thread_url(thread) -> str:
    return f"/forum/{thread.forum.slug}/{thread.id}"


def reply_url(thread) -> str:
    return f"/forum/{thread.forum.slug}/{thread.id}/reageren"


def sign_in(client, user) -> None:
    """Sign ``user`` in by setting the Flask-Login session (``User.get_id()`` as the id)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    g.pop("_login_user", None)
