"""Login, logout, "remember me", session renewal and safe redirects."""

from __future__ import annotations

from community.accounts.models import User
from community.core.extensions import db
from tests.conftest import PASSWORD


def test_login_with_right_password_signs_in_and_records_the_time(client, login, make_user):
    user = make_user(display_name="Bart Claes")

    response = login(user)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    assert client.get("/account").status_code == 200


def test_login_accepts_the_email_in_any_case(client, make_user):
    make_user(email="bart@example.org")

    response = client.post_form("/aanmelden", {"email": "Bart@Example.ORG", "password": PASSWORD})

    assert response.status_code == 302


def test_login_with_wrong_password_is_refused_with_401(client, login, make_user):
    user = make_user()

    response = login(user, password="verkeerd-wachtwoord")

    assert response.status_code == 401
    assert "E-mailadres of wachtwoord klopt niet." in response.text
    assert client.get("/account").status_code == 302  # still anonymous
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None


def test_login_with_unknown_email_gives_the_same_answer(client):
    response = client.post_form(
        "/aanmelden", {"email": "niemand@example.org", "password": "x" * 12}
    )

    assert response.status_code == 401
    assert "E-mailadres of wachtwoord klopt niet." in response.text


def test_login_with_empty_fields_asks_for_them(client):
    response = client.post_form("/aanmelden", {"email": "", "password": ""})

    assert response.status_code == 422
    assert "Vul je e-mailadres in." in response.text
    assert "Vul je wachtwoord in." in response.text


def test_deactivated_account_cannot_log_in(client, login, make_user):
    user = make_user(is_active=False)

    response = login(user)

    assert response.status_code == 403
    assert "Dit account is gedeactiveerd" in response.text
    assert client.get("/account").status_code == 302


def test_logout_ends_the_session(client, login, make_user):
    login(make_user())

    response = client.post_form("/afmelden")

    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_logout_only_accepts_post(client, login, make_user):
    login(make_user())

    assert client.get("/afmelden").status_code == 405
    assert client.get("/account").status_code == 200


def test_remember_me_sets_the_remember_cookie(client, login, make_user):
    login(make_user(), remember=True)

    cookie = client.get_cookie("remember_token")

    assert cookie is not None
    assert cookie.expires is not None


def test_without_remember_me_no_remember_cookie_is_set(client, login, make_user):
    login(make_user())

    assert client.get_cookie("remember_token") is None


def test_login_renews_the_session_but_keeps_the_language(client, login, make_user):
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
        session["language"] = "en"

    login(make_user(locale="nl"))

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["language"] == "en"
        assert session["_user_id"]


def test_login_redirects_to_a_local_next_page(client, make_user):
    user = make_user()

    response = client.post_form(
        "/aanmelden?next=/account", {"email": user.email, "password": PASSWORD}
    )

    assert response.headers["Location"] == "/account"


def test_login_ignores_a_next_page_on_another_site(client, make_user):
    user = make_user()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.post_form("/afmelden")
        response = client.post_form(
            "/aanmelden", {"email": user.email, "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/"


def test_a_protected_page_sends_anonymous_users_to_login_and_back(client, make_user):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden?next=")
    page = client.get(response.headers["Location"])
    assert 'name="next" value="/account"' in page.text


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()

    response = client.post("/aanmelden", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/account").status_code == 302
