"""Shared fixtures: one app per test session, each test rolled back, a real SMTP server.

The app is made once per session (per xdist worker) by the factory with a test
config. Each test runs inside an outer transaction on one database connection
that is rolled back at the end: the test's and the requests' sessions join it
with a SAVEPOINT (SQLAlchemy's ``join_transaction_mode="create_savepoint"``), so
their commits are real commits of that savepoint. Tests that need commits other
connections see (threads, a second app or process) carry the marker
``real_commits``: they commit for real and every table is emptied afterwards.

The database is SQLite in a temporary folder, or, when ``TEST_DATABASE_URL``
names a PostgreSQL database, a database per xdist worker next to it
(``<name>_gw0``...), made at the start and dropped at the end. A database that
cannot be reached makes the suite fail, never skip.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import itertools
import os
import re
import socket
import threading
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, make_url, select, text

from app import create_app
from app import database_url as normalise_url
from community.core.extensions import db, limiter
from community.core.pagecache.middleware import page_cache
from community.library.downloads import tally
from tests.pages_helpers import sign_in

# Folders whose tests share one expensive fixture: each runs on one xdist worker.
XDIST_GROUPS = {"e2e", "scaleout"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with tests/e2e (one server, one Chromium) and tests/scaleout
    (one database, two gunicorns) each a group that one worker runs.

    xdist's own loadgroup finds a group in a suffix it adds to the node id from the
    ``xdist_group`` marker; pytest 9.2 no longer lets it change node ids, so the
    groups are named here by folder. Groups go out first (most tests first), then
    the other tests one by one to whichever worker is free.
    """
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FolderGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = nodeid.split("::")[0].split("/")[-2]
            return folder if folder in XDIST_GROUPS else super()._split_scope(nodeid)

    return FolderGroups(config, log)


PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)

# The settings every test app has; a test that needs others asks ``make_app``.
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    # No socket unless the test reads the ``mailbox`` (the app fixture switches it to SMTP).
    "MAIL_BACKEND": "locmem",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_USE_TLS": False,
    "BRUGGEN_BASE_URL": "http://bruggen.test",
    "SERVER_NAME": None,
    # One PBKDF2 round instead of scrypt (~0.13 s per hash or check): no test is about the
    # cost of a hash; tests/community/test_passwords.py checks production's scrypt.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
}


class _Collector:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1 (a free port, one per xdist worker) for the session.

    Yields its collector and port.
    """
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield collector, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> list[EmailMessage]:
    """The messages received by the test SMTP server during this test.

    Asking for it makes the ``app`` send over SMTP to that server (else mail stays in
    memory: Flask-Mailman's ``locmem`` backend).
    """
    collector, _ = smtp_server
    collector.messages.clear()
    return collector.messages


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The URL of this session's (this xdist worker's) test database.

    SQLite: a file in the session's temporary folder. With ``TEST_DATABASE_URL``
    (PostgreSQL in CI): under xdist a database per worker on that server, named
    after it with the worker's id (``bruggen_test_..._gw0``), made now and dropped
    at the end; without xdist the database of the URL itself.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    if not worker:
        yield url
        return
    with fresh_postgres_database(url, f"_{worker}") as fresh:
        yield fresh


@contextmanager
def fresh_postgres_database(url: str, suffix: str):
    """Make the database ``<name of url><suffix>`` on the server of ``url`` (dropped first
    if left behind), yield its URL, drop it at the end."""
    base = make_url(normalise_url(url))
    name = f"{base.database}{suffix}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


class BruggenClient(FlaskClient):
    """Test client that can post a form with a valid CSRF token, like a browser would."""

    def open(self, *args, buffered: bool = True, **kwargs):
        """Make a request; the response is read and closed before it is returned.

        As a WSGI server does once the body is sent: that runs what the app left for
        after the response (``response.call_on_close``, e.g. sending the outbox).
        """
        return super().open(*args, buffered=buffered, **kwargs)

    def csrf_token(self) -> str:
        """Return a signed CSRF token for this client's session (Flask-WTF's scheme)."""
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST ``data`` to ``url`` with a valid ``csrf_token`` field added."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def _forget_cached_user():
    # The ``app`` fixture keeps one app context open for the whole test and test-client
    # requests reuse it, so ``g`` (where Flask-Login caches ``current_user``) would
    # outlive a request, and so would Flask-Babel's chosen locale. In production
    # each request has its own app context.
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    g.pop("csrf_token", None)  # Flask-WTF's token of the previous request


def _test_app(database_url: str, smtp_port: int, upload_folder, **overrides) -> Flask:
    """An app from the factory with ``TEST_CONFIG``, the given database and ``overrides``."""
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_PORT": smtp_port,
            "UPLOAD_FOLDER": str(upload_folder),
            **overrides,
        }
    )
    app.test_client_class = BruggenClient
    app.before_request(_forget_cached_user)
    # The limiter is one object for every app of the process and the last app made
    # configures it; the mail settings are read once. Each test starts from these.
    app.extensions["tests.limiter"] = dict(limiter.__dict__)
    app.extensions["tests.mailman"] = dict(app.extensions["mailman"].__dict__)
    return app


@pytest.fixture(scope="session")
def _session_app(database_url, smtp_server, tmp_path_factory):
    """The app every test of this session (xdist worker) shares, on a database with the schema."""
    _, port = smtp_server
    app = _test_app(database_url, port, tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def _start_clean(app: Flask, *, smtp: bool) -> None:
    """Forget what an earlier test left in the app's extensions (limits, cached pages, mail)."""
    limiter.__dict__.update(app.extensions["tests.limiter"])
    limiter.reset()
    cache = page_cache(app)
    with cache.lock:
        cache.local.clear()
    cache.forget_versions()  # the last test's versions were rolled back
    tally(app).discard()  # downloads counted and not yet written
    mailman = app.extensions["mailman"]
    mailman.__dict__.update(app.extensions["tests.mailman"])
    mailman.backend = "smtp" if smtp else "locmem"
    mailman.outbox = []  # what the locmem backend "sent"


class _Lent:
    """The test's connection lent to code that opens "another" connection: closing is a no-op.

    ``with engine.connect() as conn`` gives the connection itself.
    """

    def __init__(self, connection) -> None:
        self._connection = connection

    def __enter__(self):
        return self._connection

    def __exit__(self, *exc_info) -> bool:
        return False

    def close(self) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._connection, name)


# The connection of the running rolled-back test (``make_app`` lends it to its apps too).
_lent_connection = None


def _in_this_thread(connection, get_bind):
    """A ``Session.get_bind`` giving ``connection`` in the calling thread, else ``get_bind``'s."""
    owner = threading.get_ident()

    def bind(session, *args, **kwargs):
        if threading.get_ident() == owner:
            return connection
        return get_bind(session, *args, **kwargs)

    return bind


def _lender(connection, connect):
    """An ``Engine.connect`` lending ``connection`` in the calling thread, else ``connect``."""
    owner = threading.get_ident()

    def lend():
        return _Lent(connection) if threading.get_ident() == owner else connect()

    return lend


@contextmanager
def _rolled_back(app: Flask):
    """Run the block inside a transaction on one connection, rolled back at the end.

    Every ``db.session`` (the test's, each request's, a CLI command's) is bound to
    that connection and joins its transaction with a SAVEPOINT, so a commit in the
    app releases a savepoint. Code that opens a connection of its own (the page
    cache reading data versions, the file clean-up after a commit) gets the same
    connection, so it sees what the test committed, as it would in production.
    Only in the test's thread: another thread (the server of tests/e2e, say, still
    sending mail after its last test) keeps its own connections.
    """
    global _lent_connection
    engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite begins a transaction only before a write, and SQLite makes a SAVEPOINT
        # outside a transaction the transaction itself (its RELEASE would commit).
        connection.exec_driver_sql("BEGIN")
    factory = db.session.session_factory
    factory.class_.get_bind = _in_this_thread(connection, factory.class_.get_bind)
    factory.kw["join_transaction_mode"] = "create_savepoint"
    engine.connect = _lender(connection, engine.connect)
    connection.connect = lambda: _Lent(connection)
    _lent_connection = connection
    try:
        yield connection
    finally:
        db.session.remove()
        _lent_connection = None
        del engine.connect, connection.connect
        del factory.class_.get_bind  # Flask-SQLAlchemy's again
        factory.kw.pop("join_transaction_mode")
        outer.rollback()
        connection.close()


@pytest.fixture
def app(request, _session_app, tmp_path):
    """The session's app, in an app context, for one test; its writes are rolled back after.

    Changes the test makes to ``app.config`` or the Jinja loader are undone after it.
    With the marker ``real_commits`` the test commits for real instead, and every
    table is emptied after it. Uploads go to the test's own temporary folder.
    """
    app = _session_app
    config, loader = dict(app.config), app.jinja_env.loader
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    _start_clean(app, smtp="mailbox" in request.fixturenames)
    try:
        with app.app_context():
            if request.node.get_closest_marker("real_commits"):
                try:
                    yield app
                finally:
                    db.session.remove()
                    _empty_tables()
            else:
                with _rolled_back(app):
                    yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.jinja_env.loader = loader


@pytest.fixture
def make_app(app, database_url, smtp_server, tmp_path):
    """Return a callable making another app on the test database: ``make_app(**config)``.

    For a test about a differently configured app (or one that adds routes, which a
    running app refuses). It shares the test's transaction (or, with ``real_commits``,
    the committed data); the apps are closed after the test.
    """
    _, port = smtp_server
    made: list[Flask] = []

    def _make(**overrides) -> Flask:
        new = _test_app(database_url, port, tmp_path / "uploads", **overrides)
        if _lent_connection is not None:
            with new.app_context():
                db.engine.connect = _lender(_lent_connection, db.engine.connect)
        made.append(new)
        return new

    yield _make
    for new in made:
        with new.app_context():
            db.engine.__dict__.pop("connect", None)
            db.engine.dispose()


def _empty_tables() -> None:
    """Delete every row: for good, or in a rolled-back test inside its transaction.

    PostgreSQL empties committed tables fastest with TRUNCATE; inside a transaction
    that is rolled back, a TRUNCATE makes and then drops new files for every table
    (~0.6 s), so DELETE does it there.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    if _lent_connection is not None:
        for table in tables:
            _lent_connection.execute(table.delete())
        return
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app) -> BruggenClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_SAVEPOINT_STATEMENTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


@pytest.fixture
def count_queries(app):
    """Context manager factory: ``with count_queries() as queries:`` lists the SQL run inside."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            # The savepoints the rolled-back test's sessions join with are not the app's.
            if not statement.startswith(_SAVEPOINT_STATEMENTS):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count


# --- factories -------------------------------------------------------------


@pytest.fixture
def make_region(app):
    from community.accounts.models import Network, Region

    def _make(**overrides):
        n = next(_counter)
        with_network = overrides.pop("with_network", True)
        values = {"slug": f"regio-{n}", "name": f"Regio {n}", "position": n}
        values.update(overrides)
        region = Region(**values)
        db.session.add(region)
        if with_network and not region.is_network_wide:
            db.session.add(
                Network(
                    region=region,
                    name=f"Lerend netwerk {region.name}",
                    contact_email=f"netwerk-{n}@example.org",
                )
            )
        db.session.commit()
        return region

    return _make


@pytest.fixture
def make_theme(app):
    from community.accounts.models import Theme

    def _make(number: int):
        theme = db.session.scalar(select(Theme).where(Theme.number == number))
        if theme is None:
            theme = Theme(number=number, name=f"Thema {number}", short=f"t{number}")
            db.session.add(theme)
            db.session.commit()
        return theme

    return _make


@pytest.fixture
def make_user(app):
    """Return a callable making a user; ``role`` is "member", "coordinator" or "admin"."""
    from community.accounts.models import User

    def _make(role: str = "member", regions=(), password: str = PASSWORD, **overrides):
        n = next(_counter)
        values = {
            "email": f"user{n}@example.org",
            "display_name": f"Gebruiker {n}",
            "is_verified": True,
            "locale": "nl",
        }
        values.update(overrides)
        user = User(**values)
        user.set_password(password)  # cheap in tests: PASSWORD_HASH_METHOD of TEST_CONFIG
        user.is_admin = role == "admin"
        if role == "coordinator":
            user.coordinated_regions = list(regions)
        db.session.add(user)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def login(client):
    """Sign ``user`` in through the login form; returns the response.

    For tests of signing in; other tests use ``sign_in_as``.
    """

    def _login(user, password: str = PASSWORD, remember: bool = False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        return client.post_form("/aanmelden", data)

    return _login


@pytest.fixture
def sign_in_as(client):
    """Return a callable signing ``user`` in on ``client`` without the login form.

    It sets the Flask-Login session as a sign-in does (the id carries the account's
    session token, so a later password change still ends it).
    """

    def _sign_in(user) -> None:
        sign_in(client, user)

    return _sign_in


@pytest.fixture
def make_event(app, make_region):
    """Return a callable making a published public event starting in 10 days, 2 hours long."""
    from events.models import Event, EventStatus, EventType, Visibility

    def _make(**overrides):
        n = next(_counter)
        themes = overrides.pop("themes", [])
        starts_at = overrides.pop(
            "starts_at",
            dt.datetime.now(dt.UTC).replace(microsecond=0, second=0) + dt.timedelta(days=10),
        )
        values = {
            "slug": f"activiteit-{n}",
            "title": f"Activiteit {n}",
            "type": EventType.NETWORK_MEETING,
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "status": EventStatus.PUBLISHED,
            "visibility": Visibility.PUBLIC,
            "venue_name": "Zaal",
            "venue_address": "Straat 1, 9000 Gent",
        }
        if "region" not in overrides and "region_id" not in overrides:
            values["region"] = make_region()
        values.update(overrides)
        event_ = Event(**values)
        event_.themes = list(themes)
        db.session.add(event_)
        db.session.commit()
        return event_

    return _make


def links_in(message: EmailMessage) -> list[str]:
    """Return the http(s) links in the plain-text part of ``message``."""
    part = message.get_body(preferencelist=("plain",))
    return re.findall(r"https?://\S+", part.get_content())
