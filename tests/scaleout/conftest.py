"""Two production instances against one fresh PostgreSQL database, one Redis, one upload folder.

The package makes its own PostgreSQL database whatever ``TEST_DATABASE_URL``
says (so CI runs it once, in the SQLite pass; the Makefile's PostgreSQL pass
ignores ``tests/scaleout``), builds its schema with ``flask db upgrade`` as a
deployment does, and drops it at the end. PostgreSQL (127.0.0.1:5432, user
postgres) and Redis (127.0.0.1:6379) must run: when they do not, the tests
fail, never skip. The ``app`` fixture is overridden here, so the factory
fixtures of ``tests/conftest.py`` (``make_user``, ``make_event``...) write
into this database.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import uuid

import psycopg
import pytest
import redis
from psycopg import sql

from app import create_app
from community.core.extensions import db
from tests.conftest import _empty_tables
from tests.scaleout.instances import (
    PUBLIC_URL,
    REDIS_URL,
    ROOT,
    start_instances,
    stop_instances,
)

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="package")
def secret_key() -> str:
    """The SECRET_KEY all instances share (production wants at least 24 characters)."""
    return secrets.token_hex(32)


@pytest.fixture(scope="package")
def scaleout_database(secret_key):
    """A new, migrated PostgreSQL database; yields its URL, dropped WITH (FORCE) afterwards."""
    name = f"bruggen_scaleout_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{POSTGRES_URL}/{name}"  # as hosting platforms give it; the app adds +psycopg
    try:
        upgrade = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env={"BRUGGEN_ENV": "production", "SECRET_KEY": secret_key, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        yield url
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))


@pytest.fixture(scope="package")
def redis_prefix():
    """A rate-limit key prefix unique to this run; its keys are removed from Redis afterwards.

    Yields ``(connection, prefix)``.
    """
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # the local Redis must run: fail, never skip
    prefix = f"bruggen-scaleout-{uuid.uuid4().hex}"
    yield connection, prefix
    keys = list(connection.scan_iter(match=f"*{prefix}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


@pytest.fixture(scope="package")
def shared_uploads(tmp_path_factory):
    """The upload folder both instances use (in production: a shared filesystem)."""
    return tmp_path_factory.mktemp("shared-uploads")


@pytest.fixture(scope="package")
def production_env(scaleout_database, shared_uploads, secret_key, smtp_server) -> dict:
    """The environment of a production instance, as the README's production section lists it."""
    _, smtp_port = smtp_server
    return {
        "BRUGGEN_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": scaleout_database,
        "REDIS_URL": REDIS_URL,
        "UPLOAD_FOLDER": str(shared_uploads),
        "PROXY_COUNT": "1",
        "BRUGGEN_BASE_URL": PUBLIC_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
    }


@pytest.fixture(scope="package")
def instances(production_env, redis_prefix, tmp_path_factory):
    """Two gunicorn instances (2 workers each) sharing database, Redis and uploads.

    Yields their ports. Only the rate-limit key prefix is not from the
    environment: it keeps this run's counters apart in Redis.
    """
    _, prefix = redis_prefix
    logs = tmp_path_factory.mktemp("instance-logs")
    started = start_instances(
        2, logs, env=production_env, test_config={"RATELIMIT_KEY_PREFIX": prefix}
    )
    yield [instance.port for instance in started]
    stop_instances(started)


@pytest.fixture
def app(scaleout_database, shared_uploads, secret_key):
    """The app in this process, on the same database and folder: seeds data, checks results.

    Every table is emptied after each test (the instances keep running).
    """
    app = create_app(
        {
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": scaleout_database,
            "UPLOAD_FOLDER": str(shared_uploads),
            "MAIL_BACKEND": "console",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
