"""Mijn activiteiten: the signed-in user's registrations with their state, and cancelling there."""

from __future__ import annotations

import datetime as dt

from community.core.extensions import db
from events import registration as reg
from events.models import RegistrationState
from events.registration import GuestDetails
from tests.pages_helpers import sign_in


def test_my_activities_needs_a_login(client):
    response = client.get("/account/activiteiten")

    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]


def test_my_activities_lists_upcoming_and_past_with_their_state(client, make_event, make_user):
    user = make_user(email="ann@example.org")
    now = dt.datetime.now(dt.UTC)
    full = make_event(title="Volzet netwerkmoment", capacity=1)
    reg.register(full, user=make_user())
    reg.register(full, user=user)
    soon = make_event(title="Vorming NAFT", capacity=5)
    reg.register(soon, user=user)
    as_guest = make_event(title="Studiedag als gast", capacity=5)
    reg.register(as_guest, guest=GuestDetails(name="Ann", email="ANN@example.org"))
    past = make_event(title="Voorbij moment", capacity=5, starts_at=now - dt.timedelta(days=30))
    reg.register(past, user=user, now=now - dt.timedelta(days=40))
    other = make_event(title="Andermans activiteit", capacity=5)
    reg.register(other, user=make_user())
    db.session.commit()
    sign_in(client, user)

    html = client.get("/account/activiteiten").get_data(as_text=True)

    upcoming, earlier = html.split("Voorbije activiteiten")
    assert "Volzet netwerkmoment" in upcoming and "op de wachtlijst" in upcoming
    assert "Vorming NAFT" in upcoming and "ingeschreven" in upcoming
    assert "Studiedag als gast" in upcoming and "wacht op bevestiging" in upcoming
    assert "Voorbij moment" in earlier
    assert "Andermans activiteit" not in html
    assert "Van de wachtlijst gaan" in upcoming
    assert 'href="/account/activiteiten"' in html, "linked from the user menu"


def test_cancel_button_on_my_activities_cancels_and_comes_back(client, make_event, make_user):
    user = make_user()
    event = make_event(title="Netwerkmoment Gent", capacity=1)
    mine = reg.register(event, user=user)
    next_one = reg.register(event, user=make_user())
    db.session.commit()
    sign_in(client, user)

    response = client.post_form(
        f"/inschrijving/annuleren/{reg.cancel_token(mine)}", {"next": "mine"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/activiteiten")
    html = client.get("/account/activiteiten").get_data(as_text=True)
    assert "Je inschrijving voor „Netwerkmoment Gent” is geannuleerd." in html
    assert "geannuleerd" in html
    db.session.expire_all()
    assert mine.state == RegistrationState.CANCELLED
    assert next_one.state == RegistrationState.CONFIRMED


def test_cancel_page_asks_first_and_get_changes_nothing(client, make_event, make_user):
    event = make_event(capacity=3)
    registration = reg.register(event, user=make_user())
    db.session.commit()
    path = f"/inschrijving/annuleren/{reg.cancel_token(registration)}"

    page = client.get(path)

    assert page.status_code == 200
    assert "Ja, annuleer mijn inschrijving" in page.get_data(as_text=True)
    assert client.post(path).status_code == 400, "a POST without CSRF token is refused"
    db.session.expire_all()
    assert registration.state == RegistrationState.CONFIRMED
