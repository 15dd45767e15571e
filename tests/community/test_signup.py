"""Sign-up with e-mail verification: the mail is received over SMTP and its link followed."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from community.accounts import auth
from community.accounts.models import User
from community.core.extensions import db
from tests.conftest import links_in


def _path(link: str) -> str:
    return urlsplit(link).path


def test_signup_sends_verification_mail_and_link_verifies_account(
    client, mailbox, signup_data, user_count
):
    response = client.post_form("/registreren", signup_data(email="Ann@Example.org"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/aanmelden"
    assert "We stuurden een mail naar Ann@example.org" in client.get("/aanmelden").text
    user = db.session.scalar(select(User))
    assert user.email == "Ann@example.org"  # the domain is normalised, the local part kept
    assert user.display_name == "Ann Peeters"
    assert user.sector == "onderwijs"
    assert [t.number for t in user.themes] == [2]
    assert user.region.name == "Oost-Vlaanderen"
    assert user.is_verified is False
    assert user.check_password("een-lang-wachtwoord")

    client.post_form("/aanmelden", {"email": user.email, "password": "een-lang-wachtwoord"})
    page = client.get("/account")
    assert "Bevestig je e-mailadres" in page.text
    assert "Stuur de bevestigingsmail opnieuw" in page.text

    [message] = mailbox
    assert message["To"] == "Ann@example.org"
    assert message["Subject"] == "Bevestig je e-mailadres voor Bruggen"
    [link] = [link for link in links_in(message) if "/bevestigen/" in link]
    assert link.startswith("http://bruggen.test/bevestigen/")

    page = client.get(_path(link))  # a mail scanner fetching the link changes nothing
    assert page.status_code == 200
    assert "Ja, bevestig mijn e-mailadres" in page.text
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified is False

    response = client.post_form(_path(link))

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified is True
    assert "Je e-mailadres is bevestigd" in client.get(response.headers["Location"]).text
    assert user_count() == 1


def test_signup_signs_no_one_in_the_new_member_signs_in_with_their_password(client, signup_data):
    client.post_form("/registreren", signup_data())

    assert client.get("/account").status_code == 302  # to the login page
    client.post_form("/aanmelden", {"email": "ann@example.org", "password": "een-lang-wachtwoord"})
    page = client.get("/account")

    assert page.status_code == 200
    assert "Ann Peeters" in page.text


def test_signup_form_is_in_dutch_and_lists_regions_and_themes(client, signup_data):
    signup_data()

    page = client.get("/registreren")

    assert page.status_code == 200
    assert '<label for="email">E-mailadres</label>' in page.text
    assert "Oost-Vlaanderen" in page.text
    assert "Thema 2" in page.text
    assert "welzijn/jeugdhulp" in page.text


def test_resend_button_sends_a_new_verification_mail(client, mailbox, signup_data):
    client.post_form("/registreren", signup_data())
    client.post_form("/aanmelden", {"email": "ann@example.org", "password": "een-lang-wachtwoord"})
    mailbox.clear()

    response = client.post_form("/account/bevestigingsmail")

    assert response.status_code == 302
    [message] = mailbox
    assert links_in(message)[0].startswith("http://bruggen.test/bevestigen/")


def test_verification_mail_is_in_the_users_language(client, mailbox, signup_data):
    client.post_form("/registreren", signup_data(language="en"))

    [message] = mailbox
    assert db.session.scalar(select(User)).locale == "en"
    assert links_in(message)


# --- bad input: a clear Dutch message, status 422, no account -----------------


def _refused(response, message: str, user_count) -> None:
    assert response.status_code == 422
    assert message in response.text
    assert user_count() == 0


def test_signup_with_invalid_email_is_refused(client, signup_data, user_count):
    response = client.post_form("/registreren", signup_data(email="ann@@example"))
    _refused(response, "Dit is geen geldig e-mailadres.", user_count)


def test_signup_with_short_password_is_refused(client, signup_data, user_count):
    data = signup_data(password="kort-pw", password_repeat="kort-pw")
    response = client.post_form("/registreren", data)
    _refused(response, "Je wachtwoord moet minstens 10 tekens lang zijn.", user_count)


def test_signup_with_mismatched_repeat_is_refused(client, signup_data, user_count):
    data = signup_data(password_repeat="een-ander-wachtwoord")
    response = client.post_form("/registreren", data)
    _refused(response, "De twee wachtwoorden zijn niet gelijk.", user_count)


def test_signup_without_region_or_name_names_the_missing_fields(client, signup_data, user_count):
    response = client.post_form("/registreren", signup_data(region="", display_name=""))
    _refused(response, "Kies je regio.", user_count)
    assert "Vul je naam in." in response.text
    assert "Not a valid choice" not in response.text


def test_signup_with_unknown_region_id_gets_a_dutch_message(client, signup_data, user_count):
    response = client.post_form("/registreren", signup_data(region="9999", themes=["x"]))
    _refused(response, "Kies een van de mogelijkheden uit de lijst.", user_count)


def test_signup_without_csrf_token_is_refused_and_stores_nothing(
    client, mailbox, signup_data, user_count
):
    response = client.post("/registreren", data=signup_data())

    assert response.status_code == 400
    assert "beveiligingscode ontbreekt" in response.text
    assert user_count() == 0
    assert mailbox == []


# --- verification links ------------------------------------------------------


def test_expired_verification_link_says_so_and_offers_a_new_one(app, client, make_user):
    user = make_user(is_verified=False)
    token = auth.verification_token(user)
    app.config["VERIFY_TOKEN_MAX_AGE"] = -1

    for response in (client.get(f"/bevestigen/{token}"), client.post_form(f"/bevestigen/{token}")):
        assert response.status_code == 410
        assert "Deze link is verlopen" in response.text
        assert "nieuwe bevestigingsmail" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified is False


def test_forged_verification_link_is_refused(client, make_user):
    user = make_user(is_verified=False)
    token = auth.verification_token(user)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (forged, "geen-echte-link", auth.reset_token(user)):
        for response in (client.get(f"/bevestigen/{bad}"), client.post_form(f"/bevestigen/{bad}")):
            assert response.status_code == 400
            assert "Deze link is niet geldig" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified is False


def test_verification_link_for_a_changed_address_is_refused(client, make_user):
    user = make_user(is_verified=False, email="oud@example.org")
    token = auth.verification_token(user)
    user.email = "nieuw@example.org"
    db.session.commit()

    assert client.get(f"/bevestigen/{token}").status_code == 400
    assert client.post_form(f"/bevestigen/{token}").status_code == 400


def test_verification_post_without_csrf_token_is_refused(client, make_user):
    user = make_user(is_verified=False)

    response = client.post(f"/bevestigen/{auth.verification_token(user)}")

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified is False
