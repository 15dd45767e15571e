"""Check-in at the door (issue 17): the list, one tap present/undo, walk-ins, counts, the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from community.core.extensions import db
from events.models import Registration, RegistrationState
from events.organising import checkin
from tests.events.organiser_helpers import register
from tests.pages_helpers import sign_in


@pytest.fixture
def region(make_region):
    return make_region()


@pytest.fixture
def coordinator(make_user, region):
    return make_user("coordinator", regions=[region])


@pytest.fixture
def today(make_event, region):
    """An activity that started half an hour ago and lasts three hours."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=30)
    return make_event(
        region=region, starts_at=start, ends_at=start + dt.timedelta(hours=3), capacity=3
    )


def _people(event):
    an = register(event, name="An Aerts", organisation_name="CLB Gent", email="an@clb.example")
    bert = register(event, name="Bert Bosmans", organisation_name="OCMW Aalst")
    register(event, RegistrationState.WAITLISTED, name="Carla Claes")
    register(event, RegistrationState.CANCELLED, name="Dirk Dewulf")
    return an, bert


def test_door_is_open_on_the_day_only(make_event, today):
    assert checkin.door_open(today)
    next_week = make_event(region=today.region)
    assert not checkin.door_open(next_week)
    last_month = make_event(
        region=today.region, starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )
    assert not checkin.door_open(last_month)
    an = register(next_week, name="Vroeg")
    with pytest.raises(checkin.CheckInClosed):
        checkin.check_in(an)


def test_check_in_page_lists_confirmed_participants_and_searches(client, coordinator, today):
    _people(today)
    sign_in(client, coordinator)
    html = client.get(f"/beheer/activiteiten/{today.slug}/onthaal").get_data(as_text=True)
    assert "An Aerts" in html and "Bert Bosmans" in html
    assert "Carla Claes" not in html and "Dirk Dewulf" not in html
    assert 'data-count="present">0<' in html and 'data-count="expected">2<' in html
    found = client.get(f"/beheer/activiteiten/{today.slug}/onthaal?zoek=ocmw")
    assert "Bert Bosmans" in found.get_data(as_text=True)
    assert "An Aerts" not in found.get_data(as_text=True)
    odd = client.get(f"/beheer/activiteiten/{today.slug}/onthaal?zoek=100%25_")
    assert odd.status_code == 200 and "Niemand gevonden" in odd.get_data(as_text=True)


def test_one_tap_marks_present_and_undo_takes_it_back_as_json(client, coordinator, today):
    an, _ = _people(today)
    sign_in(client, coordinator)
    url = f"/beheer/activiteiten/{today.slug}/onthaal/{an.id}"
    json = {"Accept": "application/json"}

    response = client.post_form(url, {"present": "1"}, headers=json)
    assert response.status_code == 200
    assert response.get_json() == {"present": 1, "expected": 2, "id": an.id, "attended": True}
    db.session.refresh(an)
    assert an.attended is True and an.checked_in_at is not None

    undo = client.post_form(url, {"present": "0"}, headers=json)
    assert undo.get_json()["present"] == 0
    db.session.refresh(an)
    assert an.attended is None and an.checked_in_at is None


def test_without_javascript_the_tap_is_a_form_that_redirects_back(client, coordinator, today):
    an, _ = _people(today)
    sign_in(client, coordinator)
    response = client.post_form(
        f"/beheer/activiteiten/{today.slug}/onthaal/{an.id}", {"present": "1"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "An Aerts is aanwezig." in page and 'data-count="present">1<' in page


def test_check_in_refuses_bad_input_without_changing_anything(
    client, coordinator, today, make_event
):
    an, _ = _people(today)
    waiting = db.session.scalar(select(Registration).where(Registration.name == "Carla Claes"))
    sign_in(client, coordinator)
    base = f"/beheer/activiteiten/{today.slug}/onthaal"
    assert client.post_form(f"{base}/{an.id}", {"present": "2"}).status_code == 400
    refused = client.post_form(f"{base}/{waiting.id}", {"present": "1"})
    assert refused.status_code == 409
    assert "Alleen bevestigde deelnemers" in refused.get_data(as_text=True)
    other = register(make_event(region=today.region), name="Elders")
    assert client.post_form(f"{base}/{other.id}", {"present": "1"}).status_code == 404
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.attended.is_not(None))
        )
        == 0
    )


def test_walk_in_is_added_present_without_taking_a_place_from_anyone(client, coordinator, today):
    _people(today)
    sign_in(client, coordinator)
    url = f"/beheer/activiteiten/{today.slug}/onthaal/inloper"
    response = client.post_form(url, {"name": "Walter Inloper", "organisation": "CAW Oost"})
    assert response.status_code == 302
    walk_in = db.session.scalar(select(Registration).where(Registration.is_walk_in.is_(True)))
    assert walk_in.state == RegistrationState.CONFIRMED and walk_in.attended is True
    assert walk_in.registered_by_id == coordinator.id
    assert "@" not in walk_in.email  # a stand-in: never mailed
    assert checkin.door_counts(today) == checkin.DoorCounts(present=1, expected=3)

    missing = client.post_form(url, {"name": "", "email": "geen-adres"})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert "Vul de naam in." in html and "Dit is geen geldig e-mailadres." in html
    twice = client.post_form(url, {"name": "An opnieuw", "email": "AN@clb.example"})
    assert twice.status_code == 409
    assert "staat al op de lijst" in twice.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 5


def test_check_in_pages_are_for_the_activitys_organisers(client, today, make_user, make_region):
    an, _ = _people(today)
    base = f"/beheer/activiteiten/{today.slug}/onthaal"
    assert client.get(base).status_code == 302
    sign_in(client, make_user())
    assert client.get(base).status_code == 403
    assert client.post_form(f"{base}/{an.id}", {"present": "1"}).status_code == 403
    sign_in(client, make_user("coordinator", regions=[make_region()]))
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/stand").status_code == 403
    assert client.post_form(f"{base}/inloper", {"name": "X"}).status_code == 403
    db.session.refresh(an)
    assert an.attended is None


def test_counts_endpoint_keeps_several_tablets_in_step(client, coordinator, today):
    an, _ = _people(today)
    checkin.check_in(an)
    db.session.commit()
    sign_in(client, coordinator)
    response = client.get(f"/beheer/activiteiten/{today.slug}/onthaal/stand")
    assert response.get_json() == {"present": 1, "expected": 2, "present_ids": [an.id]}
    assert response.headers["Cache-Control"] == "no-store"


def test_attendance_and_no_shows_per_organisation_in_the_page_and_the_export(
    client, coordinator, today
):
    an, bert = _people(today)
    register(today, name="Cas", organisation_name="CLB Gent")
    checkin.check_in(an)
    bert.attended = False
    checkin.add_walk_in(today, name="Wendy", organisation_name="OCMW Aalst", by=coordinator)
    db.session.commit()

    total, groups = checkin.attendance_by_organisation(today)
    assert (total.confirmed, total.present, total.no_shows, total.walk_ins) == (4, 2, 2, 1)
    by_name = {g.label: (g.confirmed, g.present, g.no_shows) for g in groups}
    assert by_name == {"CLB Gent": (2, 1, 1), "OCMW Aalst": (2, 1, 1)}

    sign_in(client, coordinator)
    html = client.get(f"/beheer/activiteiten/{today.slug}/deelnemers").get_data(as_text=True)
    assert "Aanwezigheid per organisatie" in html and "Niet gekomen (no-show)" in html
    workbook = load_workbook(
        io.BytesIO(client.get(f"/beheer/activiteiten/{today.slug}/deelnemers.xlsx").data)
    )
    assert workbook.sheetnames[1] == "Aanwezigheid"
    rows = list(workbook["Aanwezigheid"].values)
    assert rows[0][:4] == ("Organisatie", "Bevestigd", "Aanwezig", "Niet gekomen (no-show)")
    assert rows[-1][:4] == ("Totaal", "4", "2", "2")
    people = list(workbook.worksheets[0].values)
    header = people[0]
    wendy = next(r for r in people if r[0] == "Wendy")
    assert wendy[header.index("Inloper")] == "ja" and wendy[header.index("E-mailadres")] in (
        "",
        None,
    )
    csv = client.get(f"/beheer/activiteiten/{today.slug}/deelnemers.csv").data.decode("utf-8-sig")
    assert "Aangemeld aan de deur om" in csv.splitlines()[0]


def test_organiser_mail_skips_walk_ins_without_address(app, today, coordinator):
    from events.organising import mail_participants

    _people(today)
    checkin.add_walk_in(today, name="Zonder Adres", by=coordinator)
    with app.test_request_context():
        assert mail_participants(today, "Dank", "Bedankt!", sender=coordinator) == 2


def test_member_export_and_erasure_cover_invitations_and_attendance(
    app, today, make_user, coordinator
):
    from community.gdpr.rights import delete_account
    from events import gdpr, invitations
    from events.models import Invitation
    from tests.conftest import PASSWORD

    member = make_user()
    future = _future_event(today)
    invitations.invite(future, invited_by=coordinator, members=[member])
    registration = register(today, name=member.display_name, email=member.email, user_id=member.id)
    checkin.check_in(registration)
    db.session.commit()

    exported = gdpr.export_invitations(member)
    assert [(i["event"], i["status"]) for i in exported] == [(future.title, "invited")]
    (row,) = [r for r in gdpr.export_registrations(member) if r["event_slug"] == today.slug]
    assert row["attended"] is True and row["checked_in_at"]

    delete_account(member, PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    db.session.refresh(registration)
    assert registration.email.startswith("verwijderd-") and registration.attended is True


def _future_event(event):
    from events.models import Event

    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    other = Event(
        slug=event.slug + "-later",
        title="Later",
        type=event.type,
        region=event.region,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status="published",
        venue_name="Zaal",
    )
    db.session.add(other)
    db.session.commit()
    return other


def test_guest_invitations_are_purged_after_the_retention(today, coordinator):
    from events import gdpr, invitations

    future = _future_event(today)
    invitations.invite(future, invited_by=coordinator, emails=["gast@extern.example"])
    db.session.commit()
    retention = dt.timedelta(days=365)
    assert gdpr.purge_guest_invitations(dt.datetime.now(dt.UTC), retention) == 0
    moved = future.ends_at + retention + dt.timedelta(days=1)
    assert gdpr.purge_guest_invitations(moved, retention) == 1


def test_walk_in_without_an_address_gets_no_mail_when_the_activity_changes_or_is_cancelled(
    coordinator, today
):
    """A walk-in's stand-in address is never mailed: not by a change of room on the day, not
    by a cancellation (of the second day of a multi-day activity, say). Before, the outbox got
    a message to "zonder-adres-…" that could never be sent and showed as failed to the admin."""
    from community.core.mail.models import OutboxMessage
    from events.organising import events as organising
    from events.organising.events import EventDetails

    an = register(today, name="An Aerts", email="an@clb.example")
    checkin.add_walk_in(today, name="Walter Inloper", by=coordinator)
    db.session.commit()
    details = EventDetails.of(today)
    details.venue_name = "Zaal 2"
    assert organising.update_event(today, details).participants_notified
    organising.cancel_event(today, "Dag twee gaat niet door.")
    db.session.commit()
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients and all("@" in r for r in recipients), recipients
    assert an.email in recipients
