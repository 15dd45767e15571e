"""The browser tests' server runs on the database of the pass: SQLite, or PostgreSQL in the
PostgreSQL pass of ``make test`` (for the tests marked ``both_databases``)."""

from __future__ import annotations

import os

import pytest

from community.core.extensions import db


@pytest.mark.both_databases
def test_the_server_runs_on_the_database_of_the_pass(server):
    with server.app.app_context():
        dialect = db.engine.dialect.name
        seeded = db.session.execute(db.text("SELECT count(*) FROM events")).scalar_one()
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert dialect == expected
    assert seeded > 0  # the demo content is there
