"""Shared fixtures: the app from the factory, a fresh database per test, a real SMTP server.

The database is SQLite in a temporary folder, or the PostgreSQL database named
by ``TEST_DATABASE_URL`` (CI runs the suite on both). A database that cannot be
reached makes the suite fail, never skip.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import itertools
import os
import re
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, select, text

from app import create_app
from community.core.extensions import db

PASSWORD = "correct-horse-battery"
_password_hashes: dict[str, str] = {}
_counter = itertools.count(1)


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
    """A real SMTP server on 127.0.0.1 for the whole session; yields its collector and port."""
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield collector, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> list[EmailMessage]:
    """The messages received by the test SMTP server during this test."""
    collector, _ = smtp_server
    collector.messages.clear()
    return collector.messages


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """``TEST_DATABASE_URL`` if set (PostgreSQL in CI), else a SQLite file for this session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


_schema_ready: set[str] = set()


class BruggenClient(FlaskClient):
    """Test client that can post a form with a valid CSRF token, like a browser would."""

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


@pytest.fixture
def app(database_url, smtp_server, tmp_path):
    """A Bruggen app from the factory with test settings and an empty database."""
    _, port = smtp_server
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
            "BRUGGEN_BASE_URL": "http://bruggen.test",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = BruggenClient

    @app.before_request
    def _forget_cached_user():
        # This fixture keeps one app context open for the whole test and test-client
        # requests reuse it, so ``g`` (where Flask-Login caches ``current_user``) would
        # outlive a request, and so would Flask-Babel's chosen locale. In production
        # each request has its own app context.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        g.pop("csrf_token", None)  # Flask-WTF's token of the previous request

    with app.app_context():
        if database_url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(database_url)
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
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


@pytest.fixture
def count_queries(app):
    """Context manager factory: ``with count_queries() as queries:`` lists the SQL run inside."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
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
        # scrypt is slow on purpose; hash each test password once per session.
        if password not in _password_hashes:
            user.set_password(password)
            _password_hashes[password] = user.password_hash
        user.password_hash = _password_hashes[password]
        user.is_admin = role == "admin"
        if role == "coordinator":
            user.coordinated_regions = list(regions)
        db.session.add(user)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def login(client):
    """Sign ``user`` in through the login form; returns the response."""

    def _login(user, password: str = PASSWORD, remember: bool = False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        return client.post_form("/aanmelden", data)

    return _login


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
