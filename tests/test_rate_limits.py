"""Rate limits on login, sign-up, password reset, verification mails and guest registration.

In memory per test app here. Shared through Redis when several instances run:
``tests/scaleout`` checks that with two real gunicorn instances (issue 7, "Security").
"""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from events.models import Registration
from tests.conftest import PASSWORD
from tests.pages_helpers import sign_in

HOME = {"REMOTE_ADDR": "10.0.0.1"}
OFFICE = {"REMOTE_ADDR": "10.0.0.2"}


def _login(client, email, password, address=HOME):
    return client.post_form(
        "/aanmelden", {"email": email, "password": password}, environ_base=address
    )


def test_failed_logins_from_one_address_are_limited_with_a_dutch_429(client, make_user):
    users = [make_user() for _ in range(3)]
    statuses = [
        _login(client, users[i % 3].email, "fout-wachtwoord").status_code for i in range(10)
    ]

    refused = _login(client, users[0].email, "fout-wachtwoord")

    assert statuses == [401] * 10
    assert refused.status_code == 429
    assert "Te veel mislukte aanmeldpogingen" in refused.text
    assert int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_an_attacker_cannot_lock_a_member_out_from_elsewhere(client, make_user):
    ann = make_user()
    for _ in range(5):
        _login(client, ann.email, "fout-wachtwoord", HOME)

    attacker_again = _login(client, ann.email, "fout-wachtwoord", HOME)
    ann_at_the_office = _login(client, ann.email, PASSWORD, OFFICE)

    assert attacker_again.status_code == 429
    assert ann_at_the_office.status_code == 302  # the key is (address, e-mail), not the e-mail


def test_the_limit_per_email_stops_guessing_one_account_before_the_address_limit(client, make_user):
    ann, bert = make_user(), make_user()
    for _ in range(5):
        _login(client, ann.email.upper(), "fout-wachtwoord")

    assert _login(client, ann.email, "fout-wachtwoord").status_code == 429
    assert _login(client, bert.email, "fout-wachtwoord").status_code == 401


def test_successful_logins_do_not_count(client, make_user):
    """A whole training room behind one address signs in at the same time."""
    users = [make_user() for _ in range(15)]

    statuses = [_login(client, user.email, PASSWORD).status_code for user in users]

    assert statuses == [302] * 15


def test_signups_from_one_address_are_limited(client, make_region):
    region = make_region()

    def signup(n):
        data = {
            "email": f"nieuw{n}@example.org",
            "display_name": f"Nieuw {n}",
            "password": "een-lang-wachtwoord",
            "password_repeat": "een-lang-wachtwoord",
            "region": str(region.id),
            "sector": "onderwijs",
            "language": "nl",
        }
        with client.session_transaction() as session:
            session.clear()  # each sign-up signs in; start signed out again
        return client.post_form("/registreren", data, environ_base=HOME)

    statuses = [signup(n).status_code for n in range(10)]
    refused = signup(10)

    assert statuses == [302] * 10
    assert refused.status_code == 429
    assert "te veel accounts" in refused.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 10


def test_password_reset_requests_are_limited_per_address_and_email(client, make_user, mailbox):
    ann = make_user()

    def ask(email, address=HOME):
        return client.post_form("/wachtwoord-vergeten", {"email": email}, environ_base=address)

    statuses = [ask(ann.email).status_code for _ in range(3)]
    refused = ask(ann.email)
    other_account = ask("iemand@example.org")

    assert statuses == [302] * 3
    assert refused.status_code == 429
    assert "elke link die we stuurden werkt" in refused.text
    assert other_account.status_code == 302
    assert [m["To"] for m in mailbox] == [ann.email] * 3


def test_verification_mails_are_limited_per_member(client, make_user, mailbox):
    user = make_user(is_verified=False)
    sign_in(client, user)

    statuses = [client.post_form("/account/bevestigingsmail").status_code for _ in range(5)]
    refused = client.post_form("/account/bevestigingsmail")

    assert statuses == [302] * 5
    assert refused.status_code == 429
    assert "meerdere bevestigingsmails" in refused.text
    assert len(mailbox) == 5


def test_guest_registrations_are_limited_per_address_but_members_are_not(
    client, make_event, make_user
):
    event = make_event(capacity=100)

    def register_guest(n):
        data = {
            "guest_name": f"Gast {n}",
            "guest_email": f"gast{n}@example.org",
            "guest_organisation": "CLB Leuven",
            "guest_sector": "onderwijs",
            "guest_job_title": "psycholoog",
        }
        return client.post_form(f"/activiteiten/{event.slug}/inschrijven", data, environ_base=HOME)

    statuses = [register_guest(n).status_code for n in range(20)]
    refused = register_guest(20)
    members = []
    for _ in range(6):
        sign_in(client, make_user())
        url = f"/activiteiten/{event.slug}/inschrijven"
        members.append(client.post_form(url, {}, environ_base=HOME).status_code)

    assert statuses == [302] * 20  # issue 13: colleagues share one address
    assert refused.status_code == 429
    assert "te veel gastinschrijvingen" in refused.text
    assert members == [302] * 6
    count = select(func.count()).select_from(Registration)
    assert db.session.scalar(count) == 26
