"""Admin pages for accounts: access by role, deactivation, roles, ``flask create-admin``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from tests.conftest import PASSWORD


@pytest.mark.parametrize("role, status", [("member", 403), ("coordinator", 403), ("admin", 200)])
def test_users_page_is_for_admins_only(client, sign_in_as, make_user, make_region, role, status):
    sign_in_as(make_user(role=role, regions=[make_region()]))

    assert client.get("/beheer/gebruikers").status_code == status


def test_users_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/beheer/gebruikers")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden?next=")


def test_users_page_lists_accounts_with_their_state(client, sign_in_as, make_user):
    sign_in_as(make_user(role="admin", display_name="Beheerder"))
    make_user(display_name="Greet Wouters", is_verified=False)
    make_user(display_name="Hans Peeters", is_active=False)

    page = client.get("/beheer/gebruikers").text

    assert "Greet Wouters" in page
    assert "niet bevestigd" in page
    assert "gedeactiveerd" in page


def test_deactivated_user_cannot_log_in_and_their_session_ends(app, client, sign_in_as, make_user):
    member = make_user(email="ines@example.org")
    member_browser = app.test_client()
    member_browser.post_form("/aanmelden", {"email": member.email, "password": PASSWORD})
    assert member_browser.get("/account").status_code == 200
    sign_in_as(make_user(role="admin"))

    response = client.post_form(f"/beheer/gebruikers/{member.id}/deactiveren")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).is_active is False
    assert member_browser.get("/account").status_code == 302  # signed out
    again = member_browser.post_form("/aanmelden", {"email": member.email, "password": PASSWORD})
    assert again.status_code == 403
    assert "Dit account is gedeactiveerd" in again.text


def test_reactivated_user_can_log_in_again(client, login, sign_in_as, make_user):
    member = make_user(is_active=False)
    sign_in_as(make_user(role="admin"))

    client.post_form(f"/beheer/gebruikers/{member.id}/activeren")
    client.post_form("/afmelden")

    assert login(member).status_code == 302


def test_admin_cannot_deactivate_themselves(client, sign_in_as, make_user):
    admin = make_user(role="admin")
    sign_in_as(admin)

    response = client.post_form(f"/beheer/gebruikers/{admin.id}/deactiveren")

    assert (
        "Je kunt je eigen account niet deactiveren."
        in client.get(response.headers["Location"]).text
    )
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active is True


def test_member_cannot_deactivate_anyone(client, sign_in_as, make_user):
    other = make_user()
    sign_in_as(make_user())

    assert client.post_form(f"/beheer/gebruikers/{other.id}/deactiveren").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, other.id).is_active is True


def test_deactivation_without_csrf_token_changes_nothing(client, sign_in_as, make_user):
    other = make_user()
    sign_in_as(make_user(role="admin"))

    assert client.post(f"/beheer/gebruikers/{other.id}/deactiveren").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, other.id).is_active is True


def test_admin_makes_a_member_coordinator_of_regions(client, sign_in_as, make_user, make_region):
    west, limburg = make_region(name="West-Vlaanderen"), make_region(name="Limburg")
    member = make_user(sector="welzijn", job_title="consulent")
    sign_in_as(make_user(role="admin"))
    page = client.get(f"/beheer/gebruikers/{member.id}").text
    assert "Limburg" in page
    assert "welzijn/jeugdhulp" in page

    response = client.post_form(
        f"/beheer/gebruikers/{member.id}", {"regions": [str(west.id), str(limburg.id)]}
    )

    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(User, member.id)
    assert {r.name for r in member.coordinated_regions} == {"West-Vlaanderen", "Limburg"}
    assert member.is_admin is False


def test_admin_role_form_can_make_an_admin_and_back(client, sign_in_as, make_user):
    member = make_user()
    sign_in_as(make_user(role="admin"))

    client.post_form(f"/beheer/gebruikers/{member.id}", {"is_admin": "y"})
    db.session.expire_all()
    assert db.session.get(User, member.id).is_admin is True

    client.post_form(f"/beheer/gebruikers/{member.id}", {})
    db.session.expire_all()
    assert db.session.get(User, member.id).is_admin is False


def test_admin_cannot_drop_their_own_admin_role(client, sign_in_as, make_user):
    admin = make_user(role="admin")
    sign_in_as(admin)

    client.post_form(f"/beheer/gebruikers/{admin.id}", {})

    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin is True


def test_create_admin_command_creates_a_verified_admin(runner, client, login):
    result = runner.invoke(
        args=["create-admin", "joke@example.org", "--password", "beheer-wachtwoord"]
    )

    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "joke@example.org"))
    assert admin.is_admin and admin.is_verified and admin.is_active
    assert login(admin, password="beheer-wachtwoord").status_code == 302
    assert client.get("/beheer/gebruikers").status_code == 200


def test_create_admin_on_existing_email_in_other_case_promotes_it(runner, make_user):
    member = make_user(email="kris@example.org")

    result = runner.invoke(
        args=["create-admin", "Kris@Example.org", "--password", "beheer-wachtwoord"]
    )

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.get(User, member.id).is_admin is True
