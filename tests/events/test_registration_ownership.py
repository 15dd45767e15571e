"""Registrations belong to a verified person (issue 13, "Access control" 2).

An account sees, cancels, exports and erases the registrations made with its e-mail
address as a guest, and the invitations to that address, only once it has verified
the address; until then only what it made itself (by its id). Anyone can type a
guest's address at sign-up; only the guest can read the mail that verifies it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from community.accounts import auth
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from events import registration as seats
from events.models import Invitation, Registration, RegistrationState, Visibility
from tests.conftest import PASSWORD
from tests.pages_helpers import add, sign_in

GUEST = "Guest.Person@example.org"


@pytest.fixture
def guest_registration(make_event):
    """A confirmed guest registration of ``GUEST`` for an upcoming activity."""
    event = make_event(title="Studiedag leerrecht", capacity=10)
    registration = seats.register(event, guest=seats.GuestDetails(name="Echte Gast", email=GUEST))
    db.session.commit()
    seats.confirm_guest(seats.confirmation_token(registration))
    db.session.commit()
    return registration


def _impostor(make_user):
    """An unverified account made with the guest's address (in another letter case)."""
    return make_user(email=GUEST.lower(), display_name="Iemand Anders", is_verified=False)


def _state(registration_id: int) -> tuple:
    db.session.expire_all()
    row = db.session.get(Registration, registration_id)
    return (row.state, row.name, row.email, row.user_id)


def _exported_events(client) -> list[str]:
    response = client.get("/account/gegevens.json")
    assert response.status_code == 200
    return [r["event"] for r in json.loads(response.get_data(as_text=True))["registrations"]]


def _verify(client, user) -> None:
    token = auth.verification_token(user)
    assert client.post_form(f"/bevestigen/{token}").status_code == 302


def test_an_unverified_account_with_a_guests_address_gets_none_of_the_guests_registrations(
    client, make_user, guest_registration
):
    before = _state(guest_registration.id)
    impostor = _impostor(make_user)
    sign_in(client, impostor)

    mine = client.get("/account/activiteiten").get_data(as_text=True)
    detail = client.get(f"/activiteiten/{guest_registration.event.slug}").get_data(as_text=True)
    feed = client.get(f"/agenda/persoonlijk/{impostor.feed_token}.ics").get_data(as_text=True)

    assert "Studiedag leerrecht" not in mine
    assert "Je bent voor geen komende activiteiten ingeschreven." in mine
    assert "/inschrijving/annuleren/" not in mine  # no cancel button, so no cancel link
    assert "Je bent ingeschreven voor deze activiteit." not in detail
    assert "/inschrijving/annuleren/" not in detail
    assert "Studiedag leerrecht" not in feed
    assert _exported_events(client) == []
    assert _state(guest_registration.id) == before


def test_after_verifying_the_address_the_account_sees_cancels_and_exports_them(
    client, make_user, guest_registration
):
    impostor = _impostor(make_user)  # ... who turns out to own the mailbox after all
    sign_in(client, impostor)
    _verify(client, impostor)

    mine = client.get("/account/activiteiten").get_data(as_text=True)
    feed = client.get(f"/agenda/persoonlijk/{impostor.feed_token}.ics").get_data(as_text=True)

    assert "Studiedag leerrecht" in mine and "/inschrijving/annuleren/" in mine
    assert "Studiedag leerrecht" in feed
    assert _exported_events(client) == ["Studiedag leerrecht"]
    cancel = client.post_form(
        f"/inschrijving/annuleren/{seats.cancel_token(guest_registration)}", {"next": "mine"}
    )
    assert cancel.status_code == 302
    assert _state(guest_registration.id)[0] == RegistrationState.CANCELLED


def test_a_guest_registration_is_linked_only_to_a_verified_account(make_user, make_event):
    unverified = make_user(email="nog.niet@example.org", is_verified=False)
    verified = make_user(email="wel@example.org")
    event = make_event(capacity=10)

    typed = seats.register(event, guest=seats.GuestDetails(name="X", email="NOG.NIET@example.org"))
    proven = seats.register(event, guest=seats.GuestDetails(name="Y", email="Wel@example.org"))
    db.session.commit()

    assert typed.user_id is None
    assert proven.user_id == verified.id
    assert unverified.id != verified.id


def test_a_colleagues_registration_is_not_linked_to_an_unverified_account(
    client, make_user, make_event
):
    from community.accounts.models import Organisation, Sector

    school = add(Organisation(name="Basisschool De Brug", sector=Sector.EDUCATION))
    colleague = make_user(organisation=school)
    event = make_event(title="Vorming spijbelen", capacity=10)
    seats.register_group(
        event,
        registered_by=colleague,
        guests=[seats.GuestDetails(name="Collega", email="collega@example.org")],
    )
    db.session.commit()
    impostor = make_user(email="collega@example.org", is_verified=False)
    sign_in(client, impostor)

    assert "Vorming spijbelen" not in client.get("/account/activiteiten").get_data(as_text=True)
    assert _exported_events(client) == []


def test_an_invitation_counts_only_for_a_verified_address(client, make_user, make_event):
    event = make_event(title="Casusoverleg ROTS", visibility=Visibility.INVITE_ONLY, capacity=5)
    add(Invitation(event_id=event.id, email="genodigde@example.org"))
    impostor = make_user(email="Genodigde@example.org", is_verified=False)
    sign_in(client, impostor)

    page = client.get(f"/activiteiten/{event.slug}")
    registered = client.post_form(f"/activiteiten/{event.slug}/inschrijven", {})
    feed = client.get(f"/agenda/persoonlijk/{impostor.feed_token}.ics").get_data(as_text=True)

    assert page.status_code == registered.status_code == 404
    assert "Casusoverleg ROTS" not in feed
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    with pytest.raises(seats.NotInvited):
        seats.register(event, user=impostor)
    db.session.rollback()

    _verify(client, impostor)
    assert client.get(f"/activiteiten/{event.slug}").status_code == 200


def test_deleting_an_unverified_account_leaves_the_guests_data_alone(
    client, make_user, make_event, guest_registration
):
    event = make_event(visibility=Visibility.INVITE_ONLY, capacity=5)
    add(Invitation(event_id=event.id, email=GUEST))
    # The guest's mail, waiting to be sent (the mail server was away).
    waiting = add(
        OutboxMessage(recipient=GUEST, subject="Bevestig je inschrijving", body_text="...")
    ).id
    before = _state(guest_registration.id)
    impostor = _impostor(make_user)
    sign_in(client, impostor)

    response = client.post_form("/account/verwijderen", {"password": PASSWORD})

    assert response.status_code == 302
    assert _state(guest_registration.id) == before
    assert db.session.scalar(select(Invitation.email)) == GUEST
    assert db.session.get(OutboxMessage, waiting) is not None  # the guest's mail still goes


def test_the_personal_feed_and_ics_give_the_online_link_to_the_verified_owner_only(
    client, make_user, make_event
):
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=3)
    event = make_event(
        title="Online dialoogmoment",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        is_online=True,
        online_url="https://meet.example.org/geheim",
        capacity=10,
    )
    registration = seats.register(event, guest=seats.GuestDetails(name="Gast", email=GUEST))
    db.session.commit()
    seats.confirm_guest(seats.confirmation_token(registration))
    db.session.commit()
    impostor = _impostor(make_user)
    sign_in(client, impostor)

    assert "meet.example.org" not in client.get(f"/activiteiten/{event.slug}.ics").get_data(
        as_text=True
    )
    _verify(client, impostor)
    assert "meet.example.org" in client.get(f"/activiteiten/{event.slug}.ics").get_data(
        as_text=True
    )
