"""Fixtures for the account tests: sign-up form data, counting users, a second browser."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db

NEW_PASSWORD = "een-nieuw-lang-wachtwoord"


@pytest.fixture
def user_count(app):
    """Return a callable giving the number of accounts in the database."""

    def _count() -> int:
        return db.session.scalar(select(func.count()).select_from(User))

    return _count


@pytest.fixture
def signup_data(make_region, make_theme):
    """Return a callable giving valid sign-up form data, with ``overrides`` applied."""
    region = make_region(name="Oost-Vlaanderen")
    theme = make_theme(2)

    def _data(**overrides) -> dict:
        data = {
            "email": "ann@example.org",
            "display_name": "Ann Peeters",
            "password": "een-lang-wachtwoord",
            "password_repeat": "een-lang-wachtwoord",
            "region": str(region.id),
            "organisation": "",
            "sector": "onderwijs",
            "job_title": "leerlingenbegeleider",
            "themes": [str(theme.id)],
            "language": "nl",
        }
        data.update(overrides)
        return data

    return _data
