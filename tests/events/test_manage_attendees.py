"""Attendee list, attendance, mailing participants and moving people from the waiting list."""

from __future__ import annotations

import datetime as dt

import pytest

from community.core.extensions import db
from events.models import (
    Event,
    EventQuestion,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from tests.events.organiser_helpers import register, text_of
from tests.pages_helpers import forget_loaded_objects, sign_in


@pytest.fixture
def region(make_region):
    return make_region()


@pytest.fixture
def coordinator(client, make_user, region):
    user = make_user("coordinator", regions=[region], email="coordinator@netwerk.example")
    sign_in(client, user)
    return user


def test_attendee_list_filters_and_counts_per_sector_and_organisation(
    client, coordinator, region, make_event
):
    event = make_event(region=region)
    workshop = ProgrammeItem(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        title="Workshop spijbelen",
        kind=ProgrammeItemKind.WORKSHOP,
    )
    diet = EventQuestion(event=event, label="Voedingswensen", kind=QuestionKind.TEXT)
    db.session.add_all([workshop, diet])
    db.session.commit()
    an = register(event, name="An", organisation_name="CLB Gent", sector="onderwijs")
    an.answers = {str(diet.id): "veganistisch"}
    an.workshop_choices = [
        WorkshopChoice(programme_item=workshop, state=RegistrationState.CONFIRMED)
    ]
    register(event, name="Bert", organisation_name="CLB Gent", sector="onderwijs")
    register(event, name="Chris", organisation_name="OCMW Aalst", sector="lokaal_bestuur")
    register(event, RegistrationState.WAITLISTED, name="Dina", organisation_name="CAW Oost")
    register(event, RegistrationState.CANCELLED, name="Eva")
    db.session.commit()
    url = f"/beheer/activiteiten/{event.slug}/deelnemers"

    html = text_of(client.get(url))
    assert all(name in html for name in ("An", "Bert", "Chris", "Dina"))
    assert "Eva" not in html
    assert "veganistisch" in html
    assert "4 inschrijvingen" in html

    confirmed = text_of(client.get(url + "?status=confirmed"))
    assert "Dina" not in confirmed and "3 inschrijvingen" in confirmed
    assert '<th scope="row">onderwijs</th><td>2</td>' in confirmed
    assert '<th scope="row">lokaal bestuur</th><td>1</td>' in confirmed
    assert '<th scope="row">CLB Gent</th><td>2</td>' in confirmed

    by_org = text_of(client.get(url + "?organisatie=OCMW+Aalst"))
    assert "Chris" in by_org and "Bert" not in by_org

    by_sector = text_of(client.get(url + "?sector=lokaal_bestuur"))
    assert "Chris" in by_sector and "An</td>" not in by_sector

    by_workshop = text_of(client.get(url + f"?workshop={workshop.id}"))
    assert "1 inschrijving" in by_workshop and "Bert" not in by_workshop


@pytest.mark.parametrize(
    "query", ["status=vip", "sector=bakker", "organisatie=Onbekend", "workshop=999"]
)
def test_an_unknown_filter_value_is_a_bad_request(client, coordinator, region, make_event, query):
    event = make_event(region=region)
    register(event)

    response = client.get(f"/beheer/activiteiten/{event.slug}/deelnemers?{query}")

    assert response.status_code == 400
    assert "Ongeldige filter" in text_of(response)


def test_attendance_is_marked_per_person_after_the_event(client, coordinator, region, make_event):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    event = make_event(region=region, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    person = register(event)
    url = f"/beheer/activiteiten/{event.slug}/deelnemers/{person.id}/aanwezigheid"

    assert client.post_form(url, {"attended": "yes"}).status_code == 302
    assert db.session.get(Registration, person.id).attended is True
    client.post_form(url, {"attended": "no"})
    db.session.expire_all()
    assert db.session.get(Registration, person.id).attended is False


def test_attendance_before_the_event_is_a_conflict(client, coordinator, region, make_event):
    event = make_event(region=region)
    person = register(event)

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/deelnemers/{person.id}/aanwezigheid",
        {"attended": "yes"},
    )

    assert response.status_code == 409
    assert "vanaf het begin van de activiteit" in text_of(response)
    assert db.session.get(Registration, person.id).attended is None


def test_attendance_of_a_registration_of_another_event_is_not_found(
    client, coordinator, region, make_event
):
    event, other = make_event(region=region), make_event(region=region)
    person = register(other)

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/deelnemers/{person.id}/aanwezigheid",
        {"attended": "yes"},
    )

    assert response.status_code == 404


def test_mail_to_confirmed_participants_goes_one_per_person_in_their_language(
    client, coordinator, region, make_event, make_user, mailbox
):
    event = make_event(region=region, title="Netwerkmoment")
    english = make_user(locale="en", email="sam@example.org")
    register(event, user_id=english.id, email="sam@example.org", name="Sam", language="en")
    register(event, email="an@example.org", name="An")
    register(event, RegistrationState.WAITLISTED, email="wacht@example.org")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/mail",
        {"subject": "Praktisch", "body": 'Parkeren kan aan de "achterkant".\nTot dan!'},
    )

    assert response.status_code == 302
    assert sorted(m["To"] for m in mailbox) == ["an@example.org", "sam@example.org"]
    by_recipient = {m["To"]: m for m in mailbox}
    dutch = by_recipient["an@example.org"].get_body(("plain",)).get_content()
    english_text = by_recipient["sam@example.org"].get_body(("plain",)).get_content()
    assert by_recipient["an@example.org"]["Subject"] == "Praktisch"
    assert by_recipient["an@example.org"]["Reply-To"] == "coordinator@netwerk.example"
    assert 'Parkeren kan aan de "achterkant".' in dutch
    assert "Dag An," in dutch
    assert "Dag An," not in english_text and "Sam" in english_text
    assert "/inschrijving/annuleren/" in dutch


def test_a_mail_without_subject_is_refused(client, coordinator, region, make_event, mailbox):
    event = make_event(region=region)
    register(event)

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/mail", {"subject": "", "body": "x"}
    )

    assert response.status_code == 422
    assert "Vul een onderwerp in." in text_of(response)
    assert mailbox == []


def test_moving_someone_from_the_waiting_list_when_a_seat_is_free(
    client, coordinator, region, make_event, mailbox
):
    event = make_event(region=region, capacity=2)
    register(event)
    waiting = register(event, RegistrationState.WAITLISTED, email="wacht@example.org")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/deelnemers/{waiting.id}/plaats-geven"
    )

    assert response.status_code == 302
    assert db.session.get(Registration, waiting.id).state == RegistrationState.CONFIRMED
    assert [m["To"] for m in mailbox] == ["wacht@example.org"]


def test_moving_someone_onto_a_full_event_warns_and_needs_force(
    client, coordinator, region, make_event, mailbox
):
    event = make_event(region=region, capacity=1)
    register(event)
    waiting = register(event, RegistrationState.WAITLISTED, name="Wachtende Wim")
    url = f"/beheer/activiteiten/{event.slug}/deelnemers/{waiting.id}/plaats-geven"

    warned = client.post_form(url)

    assert warned.status_code == 409
    assert "Alle 1 plaatsen zijn ingenomen (1)" in text_of(warned)
    assert db.session.get(Registration, waiting.id).state == RegistrationState.WAITLISTED
    assert mailbox == []

    forced = client.post_form(url, {"force": "y"}, follow_redirects=True)

    assert "Let op: er zijn nu 2 deelnemers voor 1 plaatsen." in text_of(forced)
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).state == RegistrationState.CONFIRMED


def test_overview_shows_confirmed_waitlisted_and_capacity(client, coordinator, region, make_event):
    event = make_event(region=region, capacity=2, title="Vol moment")
    register(event)
    register(event)
    register(event, RegistrationState.WAITLISTED)

    html = text_of(client.get("/beheer/activiteiten"))

    assert "Vol moment" in html
    assert '<td class="confirmed">2</td>' in html
    assert '<td class="waitlisted">1</td>' in html
    assert '<td class="capacity">2</td>' in html


def test_attendee_list_query_count_does_not_grow_with_registrations(
    client, coordinator, region, make_event, count_queries
):
    event = make_event(region=region)
    slug, event_id = event.slug, event.id
    item = ProgrammeItem(
        event=event, starts_at=event.starts_at, ends_at=event.ends_at, title="W", kind="workshop"
    )
    db.session.add(item)
    db.session.commit()
    item_id = item.id

    def queries_for(n):
        current = db.session.get(Event, event_id)
        for _ in range(n):
            r = register(current)
            r.workshop_choices = [
                WorkshopChoice(programme_item_id=item_id, state=RegistrationState.CONFIRMED)
            ]
        db.session.commit()
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get(f"/beheer/activiteiten/{slug}/deelnemers").status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(10)
