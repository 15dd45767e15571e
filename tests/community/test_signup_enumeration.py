"""No account enumeration at sign-up (issue 13, "Access control" 4).

Signing up with an address that already has an account answers exactly like a new
one: the same status, the same redirect, the same message on the same page, no one
signed in. Only the mail differs, and only the owner of the address reads it: a
verification link for a new account; for an existing one a note that someone tried,
with links to sign in and to choose a new password. Mails go over the real SMTP
server of the ``mailbox`` fixture.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db, limiter
from community.core.mail.outbox import deliver_outbox
from tests.conftest import PASSWORD, links_in

CSRF_VALUE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]*(")')


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()


def _session_of(browser) -> dict:
    with browser.session_transaction() as session:
        return {k: v for k, v in session.items() if k != "csrf_token"}


def _sign_up(app, data: dict) -> dict:
    """Sign up from a fresh browser; return what that browser gets to see."""
    browser = app.test_client()
    response = browser.post_form("/registreren", data)
    session = _session_of(browser)
    page = browser.get(response.headers.get("Location", "/registreren"))
    return {
        "status": response.status_code,
        "location": response.headers.get("Location"),
        "body": response.get_data(as_text=True),
        "remember cookie": browser.get_cookie("remember_token") is not None,
        "session": session,
        "page status": page.status_code,
        "page": CSRF_VALUE.sub(r"\1…\2", page.get_data(as_text=True)),
        "account page": browser.get("/account").status_code,
    }


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _delivered(mailbox) -> list:
    db.session.commit()
    deliver_outbox()
    return list(mailbox)


def test_an_existing_address_gets_the_same_answer_as_a_new_one(app, mailbox, signup_data):
    new = _sign_up(app, signup_data(email="Ann@Example.org"))
    [verification] = _delivered(mailbox)
    mailbox.clear()
    other_password = {"password": "x" * 12, "password_repeat": "x" * 12}
    existing = _sign_up(
        app, signup_data(email="Ann@Example.org", display_name="Iemand", **other_password)
    )

    assert existing == new
    assert new["status"] == 302 and new["location"] == "/aanmelden"
    assert new["account page"] == 302, "no one is signed in"
    assert "_user_id" not in new["session"]
    assert "We stuurden een mail naar Ann@example.org" in new["page"]  # as typed
    assert "Er bestaat al een account" not in new["page"]
    assert _accounts() == 1

    assert verification["To"] == "Ann@example.org"
    assert verification["Subject"] == "Bevestig je e-mailadres voor Bruggen"
    [notice] = _delivered(mailbox)
    assert notice["To"] == "Ann@example.org"
    assert notice["Subject"] == "Je hebt al een account bij Bruggen"
    text = notice.get_body(preferencelist=("plain",)).get_content()
    assert "Iemand probeerde een account voor Bruggen te maken met dit e-mailadres." in text
    links = links_in(notice)
    assert "http://bruggen.test/aanmelden" in links
    assert any("/wachtwoord-herstellen/" in link for link in links)
    assert not any("/bevestigen/" in link for link in links), "no verification link"

    account = db.session.scalar(select(User))
    assert account.display_name == "Ann Peeters", "the account did not change"
    assert account.check_password("een-lang-wachtwoord")


def test_the_owner_takes_over_an_account_someone_else_made_with_their_address(
    app, client, mailbox, make_user, signup_data
):
    squatter = make_user(email="ann@example.org", display_name="Niet Ann", is_verified=False)
    squatters_browser = app.test_client()
    squatters_browser.post_form("/aanmelden", {"email": squatter.email, "password": PASSWORD})

    _sign_up(app, signup_data(email="ann@example.org"))
    [notice] = _delivered(mailbox)
    [reset] = [link for link in links_in(notice) if "/wachtwoord-herstellen/" in link]
    chosen = "mijn-eigen-wachtwoord"
    response = client.post_form(
        urlsplit(reset).path, {"password": chosen, "password_repeat": chosen}
    )

    assert response.status_code == 302
    db.session.expire_all()
    account = db.session.get(User, squatter.id)
    assert account.is_verified and account.check_password(chosen)
    assert squatters_browser.get("/account").status_code == 302, "their session ended"


def test_a_deactivated_account_gets_the_same_answer_and_no_mail(
    app, mailbox, make_user, signup_data
):
    make_user(email="ann@example.org", is_active=False)
    other = _sign_up(app, signup_data(email="bert@example.org"))
    mailbox.clear()

    answer = _sign_up(app, signup_data(email="ann@example.org"))

    assert answer["status"] == other["status"] and answer["location"] == other["location"]
    assert answer["page"] == other["page"].replace("bert@example.org", "ann@example.org")
    assert _delivered(mailbox) == []


def test_sign_ups_for_one_address_are_limited_alike_whether_it_has_an_account(
    app, mailbox, make_user, signup_data
):
    make_user(email="bestaand@example.org")
    answers = {}
    for email in ("bestaand@example.org", "nieuw@example.org"):
        answers[email] = [_sign_up(app, signup_data(email=email))["status"] for _ in range(4)]

    assert answers["bestaand@example.org"] == answers["nieuw@example.org"] == [302] * 3 + [429]
    refused = app.test_client().post_form("/registreren", signup_data(email="nieuw@example.org"))
    assert "We stuurden al meerdere mails naar dit e-mailadres." in refused.text
    assert len(_delivered(mailbox)) == 6
    assert _accounts() == 2
