"""The account page (profile and language) and the language switch."""

from __future__ import annotations

from community.accounts.models import User
from community.core.extensions import db


def test_profile_edit_stores_the_new_values(client, sign_in_as, make_user, make_region, make_theme):
    region = make_region(name="Limburg")
    theme1, theme2 = make_theme(1), make_theme(2)
    user = make_user(display_name="Dirk")
    sign_in_as(user)
    data = {
        "display_name": "Dirk Janssens",
        "region": str(region.id),
        "organisation": "",
        "sector": "welzijn",
        "job_title": "jeugdhulpverlener",
        "themes": [str(theme1.id), str(theme2.id)],
        "language": "nl",
    }

    response = client.post_form("/account", data)

    assert response.status_code == 302
    assert "Je gegevens zijn bewaard." in client.get("/account").text
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.display_name == "Dirk Janssens"
    assert user.region.name == "Limburg"
    assert user.sector == "welzijn"
    assert user.job_title == "jeugdhulpverlener"
    assert [t.number for t in user.themes] == [1, 2]


def test_profile_page_shows_the_current_values(client, sign_in_as, make_user, make_region):
    region = make_region(name="Antwerpen")
    sign_in_as(make_user(display_name="Els Maes", region=region, job_title="CLB-medewerker"))

    page = client.get("/account").text

    assert 'value="Els Maes"' in page
    assert 'value="CLB-medewerker"' in page
    assert f'<option selected value="{region.id}">Antwerpen</option>' in page


def test_invalid_profile_is_refused_and_nothing_changes(client, sign_in_as, make_user, make_region):
    region = make_region()
    user = make_user(display_name="Fien")
    sign_in_as(user)
    data = {"display_name": "", "region": str(region.id), "sector": "onderwijs", "language": "nl"}

    response = client.post_form("/account", data)

    assert response.status_code == 422
    assert "Vul je naam in." in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Fien"


def test_verified_user_sees_no_verification_notice(client, sign_in_as, make_user):
    sign_in_as(make_user(is_verified=True))

    assert "Bevestig je e-mailadres" not in client.get("/account").text


def test_language_switch_is_kept_in_the_session(client):
    response = client.post_form("/taal", {"language": "en", "next": "/account"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    with client.session_transaction() as session:
        assert session["language"] == "en"
    assert '<html lang="en">' in client.get("/").text


def test_language_switch_is_stored_on_the_signed_in_user(client, sign_in_as, make_user):
    user = make_user(locale="nl")
    sign_in_as(user)

    client.post_form("/taal", {"language": "en", "next": "/"})

    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert '<html lang="en">' in client.get("/account").text


def test_language_switch_ignores_a_next_page_on_another_site(client):
    response = client.post_form("/taal", {"language": "en", "next": "https://evil.example/"})

    assert response.headers["Location"] == "/"


def test_language_switch_refuses_unknown_languages(client):
    response = client.post_form("/taal", {"language": "fr"})

    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "language" not in session


def test_language_switch_of_a_signed_in_member_without_csrf_token_changes_nothing(
    client, make_user, sign_in_as
):
    member = make_user()
    sign_in_as(member)
    response = client.post("/taal", data={"language": "en"})

    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "language" not in session
    assert member.locale != "en"


def test_an_anonymous_visitor_switches_language_without_a_token(client):
    """The switch is on cached pages that carry no token (community.core.security)."""
    response = client.post("/taal", data={"language": "en"})

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["language"] == "en"


def test_accept_language_english_gives_an_english_page(client):
    page = client.get("/aanmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert '<html lang="en">' in page.text


def test_dutch_is_the_default_language(client):
    assert '<html lang="nl">' in client.get("/aanmelden").text
