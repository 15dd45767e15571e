"""Database down (issue 13, item 6): 503 with Retry-After, cached pages still served, and
back to normal by itself.

The faults are real. PostgreSQL: the app reaches a database of this module's own
through a TCP proxy that the test stops (every connection cut, new ones refused, as
when the server goes away) and starts again. SQLite: another connection holds the
database's exclusive lock (a backup, a long write) longer than the app waits for it.
Both run whatever ``TEST_DATABASE_URL`` says.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from psycopg import sql

from community.core.extensions import db
from community.core.pagecache.middleware import page_cache
from tests.conftest import PASSWORD
from tests.faults.conftest import TcpProxy

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def own_database_url(request, tmp_path_factory):
    """This module's own database, PostgreSQL or SQLite (the suite's stays untouched)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('down') / 'bruggen.sqlite'}"
        return
    name = f"bruggen_down_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))


class PostgresGoesAway:
    """The app's connections go through a proxy; ``down()`` cuts them all."""

    def __init__(self, url: str) -> None:
        self.proxy = TcpProxy(("127.0.0.1", 5432))
        self.proxy.start()
        self.config = {"SQLALCHEMY_DATABASE_URI": url.replace(":5432/", f":{self.proxy.port}/")}

    def down(self) -> None:
        self.proxy.stop()

    def up(self) -> None:
        self.proxy.start()

    def close(self) -> None:
        self.proxy.stop()


class SqliteStaysLocked:
    """Another connection takes SQLite's exclusive lock; the app waits 0.2 s for it."""

    def __init__(self, url: str) -> None:
        self.path = Path(url.removeprefix("sqlite:///"))
        self.config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 0.2}},
        }
        self.holder: sqlite3.Connection | None = None

    def down(self) -> None:
        self.holder = sqlite3.connect(self.path, isolation_level=None)
        self.holder.execute("BEGIN EXCLUSIVE")

    def up(self) -> None:
        assert self.holder is not None
        self.holder.execute("ROLLBACK")
        self.close()

    def close(self) -> None:
        if self.holder is not None:
            self.holder.close()  # rolls back: the lock goes too
            self.holder = None


@pytest.fixture
def fault(own_database_url, make_app):
    kind = PostgresGoesAway if own_database_url.startswith("postgresql") else SqliteStaysLocked
    made = kind(own_database_url)
    with make_app(**made.config).app_context():
        db.drop_all()
        db.create_all()
    yield made
    made.close()  # also after a failed test: the tables are emptied next


def _sign_in(client, user, password=PASSWORD):
    return client.post_form("/aanmelden", {"email": user.email, "password": password})


def test_while_the_database_is_down_cached_pages_serve_and_the_rest_answers_503(
    fault, make_app, make_event, make_user, caplog
):
    app = make_app(**fault.config)
    with app.app_context():  # the data go to this module's database
        event = SimpleNamespace(slug=make_event(title="Inspiratiedag Hasselt").slug)
        member = SimpleNamespace(email=make_user().email)
    base = f"http://{uuid.uuid4().hex}.bruggen.test"
    visitor, signed_in = app.test_client(), app.test_client()
    pages = ("/agenda", f"/activiteiten/{event.slug}", "/agenda.ics")
    assert [visitor.get(url, base_url=base).headers["X-Page-Cache"] for url in pages] == [
        "miss"
    ] * 3
    assert _sign_in(signed_in, member).status_code == 302

    fault.down()
    caplog.set_level(logging.WARNING)

    held = [visitor.get(url, base_url=base) for url in pages]
    assert [(r.status_code, r.headers["X-Page-Cache"]) for r in held] == [(200, "hit")] * 3
    assert "Inspiratiedag Hasselt" in held[1].text
    for entry in page_cache(app).local.values():
        entry["expires"] = time.time() - 1  # as if their minute went by during the outage
    stale = visitor.get("/agenda", base_url=base)
    assert (stale.status_code, stale.headers["X-Page-Cache"]) == (200, "stale")

    not_held = visitor.get("/regios", base_url=base)
    assert not_held.status_code == 503
    assert not_held.headers["Retry-After"] == "30"
    assert not_held.headers["Cache-Control"] == "no-store"
    assert "Even niet beschikbaar" in not_held.text
    english = visitor.get("/regios", base_url=base, headers={"Accept-Language": "en"})
    assert english.status_code == 503 and "Temporarily unavailable" in english.text
    assert _sign_in(app.test_client(), member).status_code == 503
    member_page = signed_in.get("/account")
    assert member_page.status_code == 503 and "Even niet beschikbaar" in member_page.text

    fault.up()

    assert visitor.get("/regios", base_url=base).status_code == 200
    fresh = visitor.get("/agenda", base_url=base)
    assert (fresh.status_code, fresh.headers["X-Page-Cache"]) == (200, "miss")
    assert signed_in.get("/account").status_code == 200
    assert _sign_in(app.test_client(), member).status_code == 302

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("database unavailable, answering 503") for m in warnings)
    assert any("page cache: cannot read the data versions" in m for m in warnings)
    assert any("page cache: the database answers again" in m for m in warnings)


def test_a_process_that_never_read_the_database_answers_503(fault, make_app):
    """A worker started while the database is away has no versions: nothing is served
    from its cache, every page answers 503, and none is kept."""
    fault.down()
    app = make_app(**fault.config)
    visitor = app.test_client()

    pages = [visitor.get(url) for url in ("/", "/agenda", "/agenda")]

    assert [r.status_code for r in pages] == [503] * 3
    assert "X-Page-Cache" not in pages[2].headers
    fault.up()
    assert visitor.get("/agenda").status_code == 200
