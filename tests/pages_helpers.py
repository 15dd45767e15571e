"""Helpers shared by the page tests: signing in without the login form, making content."""

from __future__ import annotations

import datetime as dt

from flask import g

from community.core.extensions import db


def sign_in(client, user) -> None:
    """Sign ``user`` in by setting the Flask-Login session directly.

    The ``app`` fixture keeps one app context for the whole test, so requests
    share ``g``; the user Flask-Login cached there by an earlier request is dropped.
    """
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    g.pop("_login_user", None)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def add(*objects):
    """Add ``objects`` to the session, commit, and return the first."""
    db.session.add_all(objects)
    db.session.commit()
    return objects[0]


def forget_loaded_objects() -> None:
    """Start the next request from an empty session, as a real request would.

    Tests and requests share one app context and so one SQLAlchemy session and
    one ``g``; without this, objects the test made are already in the identity
    map and a page could hide lazy loads (N+1 queries) from ``count_queries``.
    """
    db.session.expunge_all()
    g.pop("_login_user", None)
