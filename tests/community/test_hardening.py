"""Foundation hardening found by trying the site: ids, sessions, language, admin command."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "path",
    [
        "/forum/thema-1/99999999999999999999999",
        "/forum/thema-1/9223372036854775808",
        "/beheer/gebruikers/9223372036854775808",
    ],
)
def test_ids_beyond_64_bits_are_not_found_instead_of_crashing(client, sign_in_as, make_user, path):
    sign_in_as(make_user(role="admin"))

    assert client.get(path).status_code == 404


def test_a_password_change_ends_remember_me_cookies_and_other_sessions(app, make_user, login):
    user = make_user()
    other_browser = app.test_client()
    other_browser.post_form("/aanmelden", {"email": user.email, "password": PASSWORD})
    assert other_browser.get("/account").status_code == 200
    login(user, remember=True)

    response = app.test_client()
    this_browser = response
    this_browser.post_form(
        "/aanmelden", {"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    remember = this_browser.get_cookie("remember_token")
    assert remember is not None
    this_browser.post_form(
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "password": "een-ander-lang-wachtwoord",
            "password_repeat": "een-ander-lang-wachtwoord",
        },
    )

    assert this_browser.get("/account").status_code == 200, "this session goes on"
    assert other_browser.get("/account").status_code == 302, "the other session ended"
    cookie_only = app.test_client()
    cookie_only.set_cookie("remember_token", remember.value)
    assert cookie_only.get("/account").status_code == 302, "the old remember cookie is dead"


def test_signing_out_keeps_the_chosen_language(client, sign_in_as, make_user):
    sign_in_as(make_user(locale="en"))

    client.post_form("/afmelden")

    assert '<html lang="en">' in client.get("/").text


def test_pages_vary_on_accept_language(client):
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_verification_link_does_not_carry_the_e_mail_address(app, make_user):
    import base64

    from community.accounts.auth import verification_token

    user = make_user(email="ann.peeters@example.org", is_verified=False)
    token = verification_token(user)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))

    assert b"ann.peeters" not in decoded


@pytest.mark.parametrize("bad", ["not-an-email", "", "a@b@example.org"])
def test_create_admin_refuses_an_invalid_address(runner, bad):
    result = runner.invoke(args=["create-admin", bad, "--password", "beheer-wachtwoord"])

    assert result.exit_code != 0
    assert "geen geldig e-mailadres" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_keeps_the_password_of_an_existing_account(runner, make_user, client, login):
    member = make_user(email="kris@example.org")

    result = runner.invoke(args=["create-admin", " Kris@Example.org "])

    assert result.exit_code == 0, result.output
    assert "het wachtwoord bleef" in result.output
    assert "Wachtwoord:" not in result.output
    db.session.expire_all()
    assert db.session.get(User, member.id).is_admin
    assert login(member).status_code == 302


def test_sign_up_accepts_an_address_with_surrounding_spaces(client, signup_data, user_count):
    response = client.post_form("/registreren", signup_data(email="  new2@example.org "))

    assert response.status_code == 302
    assert user_count() == 1
    assert db.session.scalar(select(User.email)) == "new2@example.org"


@pytest.mark.parametrize(
    "path",
    [
        "/forum/thema-1/2147483648",
        "/organisaties/2147483648",
        "/omgevingsanalyse/2147483648",
        "/signalen/2147483648",
        "/signalen/bundels/2147483648",
        "/signalen/nota/2147483648.pdf",
    ],
)
def test_ids_beyond_the_postgresql_integer_column_are_not_routed(app, path):
    """Ids are INTEGER columns (int4 on PostgreSQL): 2**31 made psycopg raise
    NumericValueOutOfRange, a 500 there, where SQLite answered 404."""
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path)
    assert app.url_map.bind("localhost").match(path.replace("2147483648", "2147483647"))
