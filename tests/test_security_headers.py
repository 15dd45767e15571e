"""Security headers on every response, production cookies and HSTS, session renewal at login."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from app import create_app
from community.core.extensions import db
from tests.conftest import PASSWORD, BruggenClient

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]


def test_pages_errors_files_and_refused_posts_all_carry_the_headers(client, make_event):
    event = make_event()
    responses = [
        client.get("/"),
        client.get(f"/activiteiten/{event.slug}"),
        client.get(f"/activiteiten/{event.slug}.ics"),
        client.get("/bestaat-niet"),
        client.get("/agenda?regio=geen"),
        client.post("/aanmelden", data={"email": "x@example.org"}),  # no CSRF token: 400
        client.get("/static/css/bruggen.css"),
        client.get("/account"),  # redirect to the login page
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 404, 400, 400, 200, 302]
    for response in responses:
        _assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    """The CSP blocks inline code: every script and style must come from /static."""
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parent.name in ("email", "documents"):  # mails and PDFs: not under the CSP
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)", r"\sstyle=", r"<style", r"\son[a-z]+\s*="):
            if re.search(pattern, text, re.IGNORECASE):
                offending.append((path.name, pattern))
    assert offending == []


@pytest.fixture
def production_app(database_url, app):
    """The app in production mode on the test database (schema made by ``app``)."""
    production = create_app(
        {
            "BRUGGEN_ENV": "production",
            "SECRET_KEY": "a-production-secret-key-that-is-long-enough",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_BACKEND": "console",
        }
    )
    production.test_client_class = BruggenClient
    return production


def _cookie(response, name: str) -> SimpleCookie:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            cookie = SimpleCookie()
            cookie.load(header)
            return cookie[name]
    raise AssertionError(f"no {name} cookie set")


@pytest.mark.real_commits  # the production app is a second app with an engine of its own
def test_production_sends_hsts_and_secure_httponly_lax_cookies(production_app, make_user):
    user = make_user(email="prod@example.org")
    db.session.commit()
    client = production_app.test_client()

    https = {"base_url": "https://bruggen.test"}

    with production_app.app_context():
        page = client.get("/aanmelden", **https)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        response = client.post(
            "/aanmelden",
            data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
            headers={"Referer": "https://bruggen.test/aanmelden"},  # checked over HTTPS
            **https,
        )

    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_security_headers(page)
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_login_renews_the_session_and_the_old_cookie_signs_nobody_in(app, client, make_user, login):
    user = make_user()
    client.get("/aanmelden")  # the login form puts a CSRF token in a new session
    before = client.get_cookie("session").value

    response = login(user)

    after = client.get_cookie("session").value
    assert response.status_code == 302
    assert after != before
    assert client.get("/account").status_code == 200
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/account").status_code == 302  # still signed out: to the login page


def test_session_fixation_a_planted_session_value_does_not_survive_login(client, make_user, login):
    """An attacker's value in the visitor's session is dropped when the visitor signs in."""
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"

    login(user)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()
