"""Password reset by e-mail and changing the password."""

from __future__ import annotations

from urllib.parse import urlsplit

from app import create_app
from community.accounts import auth
from community.accounts.models import User
from community.core.extensions import db
from tests.community.conftest import NEW_PASSWORD
from tests.conftest import PASSWORD, TEST_CONFIG, links_in


def test_production_hashes_passwords_with_scrypt(tmp_path):
    """The tests' apps use a cheap hash (``TEST_CONFIG``); an app without it uses scrypt."""
    production = create_app(
        {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    )
    user = User(email="prod@example.org", display_name="Prod")
    with production.app_context():
        user.set_password("een-lang-wachtwoord")

    assert production.config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("een-lang-wachtwoord")
    assert not user.check_password("een-ander-wachtwoord")
    assert TEST_CONFIG["PASSWORD_HASH_METHOD"] != "scrypt"


def test_password_reset_by_mail_end_to_end(client, mailbox, login, make_user):
    user = make_user(email="carla@example.org")

    response = client.post_form("/wachtwoord-vergeten", {"email": "Carla@example.org"})

    assert response.status_code == 302
    [message] = mailbox
    assert message["To"] == "carla@example.org"
    assert message["Subject"] == "Een nieuw wachtwoord voor Bruggen"
    [link] = [link for link in links_in(message) if "/wachtwoord-herstellen/" in link]
    path = urlsplit(link).path
    assert link.startswith("http://bruggen.test/wachtwoord-herstellen/")
    assert client.get(path).status_code == 200

    data = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    response = client.post_form(path, data)

    assert response.status_code == 302
    assert response.headers["Location"] == "/aanmelden"
    assert login(user, password=PASSWORD).status_code == 401
    assert login(user, password=NEW_PASSWORD).status_code == 302

    # The link works once: the password it was made for is gone.
    client.post_form("/afmelden")
    reused = client.post_form(
        path, {"password": "nog-een-ander-ww", "password_repeat": "nog-een-ander-ww"}
    )
    assert reused.status_code == 400
    assert "al gebruikt" in reused.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_forgot_password_gives_the_same_answer_for_unknown_addresses(client, mailbox, make_user):
    make_user(email="known@example.org")

    known = client.post_form("/wachtwoord-vergeten", {"email": "known@example.org"})
    known_page = client.get(known.headers["Location"]).text
    unknown = client.post_form("/wachtwoord-vergeten", {"email": "unknown@example.org"})
    unknown_page = client.get(unknown.headers["Location"]).text

    assert known.status_code == unknown.status_code == 302
    assert "Als er een account bestaat met dit e-mailadres" in known_page
    assert "Als er een account bestaat met dit e-mailadres" in unknown_page
    assert [m["To"] for m in mailbox] == ["known@example.org"]


def test_deactivated_account_gets_no_reset_mail(client, mailbox, make_user):
    make_user(email="weg@example.org", is_active=False)

    client.post_form("/wachtwoord-vergeten", {"email": "weg@example.org"})

    assert mailbox == []


def test_forgot_password_with_invalid_email_asks_for_a_valid_one(client):
    response = client.post_form("/wachtwoord-vergeten", {"email": "geen-adres"})

    assert response.status_code == 422
    assert "Dit is geen geldig e-mailadres." in response.text


def test_expired_reset_link_says_so_and_changes_nothing(app, client, make_user):
    user = make_user()
    token = auth.reset_token(user)
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    data = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}

    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 410
    response = client.post_form(f"/wachtwoord-herstellen/{token}", data)

    assert response.status_code == 410
    assert "Deze link is verlopen" in response.text
    assert "Vraag een nieuwe link aan" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_forged_reset_link_is_refused(client, make_user):
    user = make_user()
    data = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}

    for bad in ("geen-echte-link", auth.reset_token(user) + "x", auth.verification_token(user)):
        response = client.post_form(f"/wachtwoord-herstellen/{bad}", data)
        assert response.status_code == 400
        assert "Deze link is niet geldig" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_reset_with_short_password_is_refused(client, make_user):
    user = make_user()
    token = auth.reset_token(user)

    response = client.post_form(
        f"/wachtwoord-herstellen/{token}", {"password": "kort", "password_repeat": "kort"}
    )

    assert response.status_code == 422
    assert "Je wachtwoord moet minstens 10 tekens lang zijn." in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_change_password_needs_the_current_password(client, sign_in_as, make_user):
    user = make_user()
    sign_in_as(user)
    data = {"current_password": "niet-mijn-wachtwoord", "password": NEW_PASSWORD}
    data["password_repeat"] = NEW_PASSWORD

    response = client.post_form("/account/wachtwoord", data)

    assert response.status_code == 422
    assert "Je huidige wachtwoord klopt niet." in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_change_password_sets_the_new_password(client, sign_in_as, make_user):
    user = make_user()
    sign_in_as(user)
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD}
    data["password_repeat"] = NEW_PASSWORD

    response = client.post_form("/account/wachtwoord", data)

    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.check_password(NEW_PASSWORD)
    assert not changed.check_password(PASSWORD)


def test_change_password_requires_login(client):
    response = client.get("/account/wachtwoord")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden")
