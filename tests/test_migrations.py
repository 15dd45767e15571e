"""The Alembic migrations build the schema of the models from an empty database, and undo it."""

from __future__ import annotations

import uuid
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app import database_url as normalise_url
from community.core.extensions import db
from community.core.features import include_object
from community.core.migrations import init_migrations


@pytest.fixture
def empty_database(database_url, tmp_path):
    """URL of a new, empty database next to the test database; dropped afterwards.

    SQLite: a file in this test's folder. PostgreSQL: a database with a unique
    name on the server of ``TEST_DATABASE_URL`` (the shared test database is
    built by ``create_all`` and must not be touched).
    """
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"bruggen_migrations_{uuid.uuid4().hex[:12]}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def migrations_app(empty_database, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    init_migrations(app)  # Flask-Migrate is bound for `flask db` only (issue 14)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (lower(email)): SQLAlchemy and Alembic
        # warn and skip them; the next test checks that index by its effect instead.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_of_an_empty_database_gives_the_schema_of_the_models(migrations_app):
    upgrade()

    assert _schema_differences() == []


def test_migrated_schema_refuses_an_email_that_differs_only_in_case(migrations_app):
    from community.accounts.models import User

    upgrade()
    db.session.add(User(email="ann@example.org", display_name="Ann", password_hash="x"))
    db.session.commit()
    db.session.add(User(email="Ann@Example.org", display_name="Ann", password_hash="x"))

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_downgrade_to_base_removes_every_table(migrations_app):
    upgrade()
    downgrade(revision="base")

    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
