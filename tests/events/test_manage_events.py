"""Creating, editing, publishing, copying, cancelling and deleting activities in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from events.models import (
    Event,
    EventQuestion,
    EventStatus,
    Invitation,
    ProgrammeItem,
    RegistrationState,
)
from events.signals import event_published
from tests.events.organiser_helpers import event_form, register, text_of
from tests.pages_helpers import sign_in

UTC = dt.UTC
NEW = "/beheer/activiteiten/nieuw"


@pytest.fixture
def region(make_region):
    return make_region(name="Oost-Vlaanderen")


@pytest.fixture
def themes(make_theme):
    return [make_theme(1), make_theme(2)]


@pytest.fixture
def coordinator(client, make_user, region):
    user = make_user("coordinator", regions=[region])
    sign_in(client, user)
    return user


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


# --- create ---------------------------------------------------------------------------


def test_coordinator_creates_a_draft_with_brussels_times_stored_in_utc(
    client, coordinator, region, themes
):
    response = client.post_form(NEW, event_form(region, themes, capacity="30"))

    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/beheer/activiteiten/{event.slug}")
    assert event.slug == "netwerkmoment-schoolverzuim"
    assert event.status == EventStatus.DRAFT
    assert event.starts_at == dt.datetime(2027, 5, 20, 11, 30, tzinfo=UTC)
    assert event.ends_at == dt.datetime(2027, 5, 20, 14, 0, tzinfo=UTC)
    assert event.capacity == 30
    assert event.network.region_id == region.id
    assert "<h3>Programma</h3>" in event.description_html
    assert [t.number for t in event.themes] == [1, 2]


def test_an_all_day_event_of_several_days_runs_from_midnight_to_midnight(
    client, coordinator, region, themes
):
    data = event_form(
        region,
        themes,
        is_all_day="y",
        start_time="",
        end_time="",
        start_date="2027-05-20",
        end_date="2027-05-21",
    )

    assert client.post_form(NEW, data).status_code == 302

    event = db.session.scalar(select(Event))
    assert event.is_all_day
    assert event.starts_at == dt.datetime(2027, 5, 19, 22, 0, tzinfo=UTC)
    assert event.ends_at == dt.datetime(2027, 5, 21, 22, 0, tzinfo=UTC)


def test_invite_only_event_stores_its_invitations(client, coordinator, region, themes):
    data = event_form(
        region,
        themes,
        type="case_consultation",
        visibility="invite_only",
        invited_emails="an@clb.example\nbert@jeugdhulp.example, an@CLB.example",
    )

    assert client.post_form(NEW, data).status_code == 302

    emails = db.session.scalars(select(Invitation.email).order_by(Invitation.email)).all()
    assert [e.lower() for e in emails] == ["an@clb.example", "bert@jeugdhulp.example"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "12:00"}, "Het einde moet na het begin liggen."),
        ({"end_date": "2027-05-19"}, "Het einde moet na het begin liggen."),
        ({"region": "999999"}, "Kies een van de mogelijkheden uit de lijst."),
        ({"type": "party"}, "Kies een van de mogelijkheden uit de lijst."),
        ({"themes": None}, "Kies thema 1, thema 2 of beide."),
        ({"start_date": "31-02-2027"}, "Geef een geldige datum (jjjj-mm-dd of dd-mm-jjjj)."),
        ({"start_time": ""}, "Vul een beginuur in, of kies „hele dag”."),
        ({"capacity": "0"}, "Het aantal plaatsen is minstens 1."),
        ({"capacity": "veel"}, "Geef een geheel getal."),
        ({"slug": "Mijn Adres!"}, "Een webadres bestaat uit kleine letters"),
        ({"venue_name": ""}, "Vul de locatie in, of duid aan dat de activiteit online is."),
        (
            {"visibility": "invite_only", "invited_emails": ""},
            "Een activiteit op uitnodiging heeft minstens één genodigde.",
        ),
        ({"invited_emails": "geen-adres"}, "Geen geldig e-mailadres: geen-adres"),
        (
            {"start_date": "2027-03-28", "end_date": "2027-03-28", "start_time": "02:30"},
            "28-03-2027 om 02:30 bestaat niet in Brussel",
        ),
        (
            {"registration_opens_date": "2027-05-10", "registration_closes_date": "2027-05-01"},
            "De inschrijvingen kunnen niet sluiten voor ze openen.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_dutch_message_and_nothing_is_stored(
    client, coordinator, region, themes, overrides, message
):
    response = client.post_form(NEW, event_form(region, themes, **overrides))

    assert response.status_code == 422
    assert message in text_of(response)
    assert event_count() == 0


def test_a_region_the_coordinator_does_not_coordinate_is_refused(
    client, coordinator, make_region, themes
):
    elsewhere = make_region(name="Limburg")

    response = client.post_form(NEW, event_form(elsewhere, themes))

    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in text_of(response)
    assert event_count() == 0


def test_a_chosen_slug_already_in_use_is_refused(client, coordinator, region, themes, make_event):
    make_event(slug="netwerkmoment-gent")

    response = client.post_form(NEW, event_form(region, themes, slug="netwerkmoment-gent"))

    assert response.status_code == 422
    assert "Het webadres „netwerkmoment-gent” is al in gebruik" in text_of(response)
    assert event_count() == 1


# --- edit -------------------------------------------------------------------------------


def test_edit_form_shows_brussels_local_times(client, coordinator, region, make_event):
    event = make_event(region=region, starts_at=dt.datetime(2027, 1, 14, 8, 0, tzinfo=UTC))

    html = text_of(client.get(f"/beheer/activiteiten/{event.slug}/bewerken"))

    assert 'value="2027-01-14"' in html
    assert 'value="09:00"' in html


def test_moving_a_published_event_mails_participants_and_bumps_the_revision(
    client, coordinator, region, themes, make_event, mailbox
):
    event = make_event(region=region, themes=themes, capacity=20)
    person = register(event, email="an@example.org")
    revision, slug = event.revision, event.slug
    data = event_form(region, themes, slug=slug, start_time="14:30", end_time="17:00")

    response = client.post_form(f"/beheer/activiteiten/{slug}/bewerken", data)

    assert response.status_code == 302
    event = db.session.get(Event, event.id)
    assert event.revision == revision + 1
    assert event.starts_at == dt.datetime(2027, 5, 20, 12, 30, tzinfo=UTC)
    assert person.email in [m["To"] for m in mailbox]


def test_capacity_below_the_confirmed_number_is_refused_on_edit(
    client, coordinator, region, themes, make_event
):
    event = make_event(region=region, themes=themes, capacity=10)
    for _ in range(4):
        register(event)

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/bewerken",
        event_form(region, themes, slug=event.slug, capacity="3"),
    )

    assert response.status_code == 422
    assert "Er zijn al 4 plaatsen ingenomen" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 10


def test_raising_the_capacity_promotes_the_waiting_list(
    client, coordinator, region, themes, make_event, mailbox
):
    event = make_event(region=region, themes=themes, capacity=1)
    register(event)
    waiting = register(event, RegistrationState.WAITLISTED, email="wacht@example.org")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/bewerken",
        event_form(region, themes, slug=event.slug, capacity="2"),
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert waiting.state == RegistrationState.CONFIRMED
    assert "wacht@example.org" in [m["To"] for m in mailbox]


def test_editing_an_event_of_another_region_is_forbidden(
    client, coordinator, make_region, themes, make_event
):
    other = make_region()
    event = make_event(region=other, title="Van elders")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/bewerken", event_form(other, themes, title="Gekaapt")
    )

    assert response.status_code == 403
    assert db.session.get(Event, event.id).title == "Van elders"


# --- life cycle ---------------------------------------------------------------------------


def test_publishing_a_draft_sends_the_signal_and_shows_it_in_the_agenda(
    client, coordinator, region, make_event
):
    draft = make_event(region=region, status=EventStatus.DRAFT, title="Nieuw moment")
    received = []

    with event_published.connected_to(lambda sender: received.append(sender.id)):
        response = client.post_form(f"/beheer/activiteiten/{draft.slug}/publiceren")

    assert response.status_code == 302
    assert received == [draft.id]
    assert db.session.get(Event, draft.id).status == EventStatus.PUBLISHED
    assert "Nieuw moment" in text_of(client.get("/agenda"))


def test_cancelling_mails_registrants_and_keeps_the_event_visible_as_cancelled(
    client, coordinator, region, make_event, mailbox
):
    event = make_event(region=region)
    register(event, email="an@example.org")
    register(event, RegistrationState.WAITLISTED, email="wacht@example.org")

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/annuleren", {"message": "De spreker is ziek."}
    )

    assert response.status_code == 302
    event = db.session.get(Event, event.id)
    assert event.status == EventStatus.CANCELLED and event.is_registration_closed
    assert {"an@example.org", "wacht@example.org"} <= {m["To"] for m in mailbox}
    assert "Deze activiteit is geannuleerd." in text_of(client.get(f"/activiteiten/{event.slug}"))


def test_cancelling_needs_a_message(client, coordinator, region, make_event):
    event = make_event(region=region)

    response = client.post_form(f"/beheer/activiteiten/{event.slug}/annuleren", {"message": ""})

    assert response.status_code == 422
    assert "Schrijf een bericht aan de ingeschrevenen." in text_of(response)
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED


def test_cancelling_twice_is_a_conflict(client, coordinator, region, make_event):
    event = make_event(region=region, status=EventStatus.CANCELLED)

    response = client.post_form(f"/beheer/activiteiten/{event.slug}/annuleren", {"message": "x"})

    assert response.status_code == 409
    assert "Deze activiteit is al geannuleerd." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_deleting_a_draft_removes_it(client, coordinator, region, make_event):
    draft = make_event(region=region, status=EventStatus.DRAFT)

    response = client.post_form(f"/beheer/activiteiten/{draft.slug}/verwijderen")

    assert response.status_code == 302
    assert event_count() == 0


def test_deleting_a_published_event_is_a_conflict_and_keeps_it(
    client, coordinator, region, make_event
):
    event = make_event(region=region)

    response = client.post_form(f"/beheer/activiteiten/{event.slug}/verwijderen")

    assert response.status_code == 409
    assert "Alleen een ontwerp kan verwijderd worden" in text_of(response)
    assert event_count() == 1


def test_copy_for_the_next_network_moment_is_a_new_draft_weeks_later(
    client, coordinator, region, themes, make_event
):
    start = dt.datetime(2027, 2, 4, 12, 30, tzinfo=UTC)  # 13:30 in Brussels
    event = make_event(region=region, themes=themes, title="Netwerkmoment", starts_at=start)
    db.session.add_all(
        [
            ProgrammeItem(event=event, starts_at=start, ends_at=start, title="Onthaal"),
            EventQuestion(event=event, label="Voedingswensen?"),
        ]
    )
    db.session.commit()

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/kopieren",
        {"amount": "8", "unit": "weeks", "title": "Netwerkmoment april"},
    )

    assert response.status_code == 302
    copy = db.session.scalar(select(Event).where(Event.slug == "netwerkmoment-april"))
    assert copy.status == EventStatus.DRAFT
    assert copy.starts_at == dt.datetime(2027, 4, 1, 11, 30, tzinfo=UTC)  # still 13:30
    assert [i.title for i in copy.programme] == ["Onthaal"]
    assert [q.label for q in copy.questions] == ["Voedingswensen?"]


def test_copy_refuses_a_shift_of_zero(client, coordinator, region, make_event):
    event = make_event(region=region)

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/kopieren", {"amount": "0", "unit": "days"}
    )

    assert response.status_code == 422
    assert "Een getal van 1 tot 520." in text_of(response)
    assert event_count() == 1


def test_closing_registration_early_and_reopening(client, coordinator, region, make_event):
    event = make_event(region=region)

    client.post_form(f"/beheer/activiteiten/{event.slug}/inschrijvingen-sluiten")
    assert db.session.get(Event, event.id).is_registration_closed

    client.post_form(f"/beheer/activiteiten/{event.slug}/inschrijvingen-heropenen")
    db.session.expire_all()
    assert not db.session.get(Event, event.id).is_registration_closed


def test_a_cancelled_event_cannot_reopen_registration(client, coordinator, region, make_event):
    event = make_event(region=region, status=EventStatus.CANCELLED, is_registration_closed=True)

    response = client.post_form(f"/beheer/activiteiten/{event.slug}/inschrijvingen-heropenen")

    assert response.status_code == 409
    assert db.session.get(Event, event.id).is_registration_closed


# --- programme and questions ------------------------------------------------------------


def test_adding_a_workshop_to_the_programme(client, coordinator, region, make_event):
    start = dt.datetime(2027, 5, 20, 11, 30, tzinfo=UTC)
    event = make_event(region=region, starts_at=start, ends_at=start + dt.timedelta(hours=3))

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/programma",
        {
            "day": "2027-05-20",
            "start_time": "14:00",
            "end_time": "15:00",
            "title": "Workshop NAFT",
            "kind": "workshop",
            "speakers": "An Peeters",
            "capacity": "12",
        },
    )

    assert response.status_code == 302
    item = db.session.scalar(select(ProgrammeItem))
    assert (item.title, item.capacity) == ("Workshop NAFT", 12)
    assert item.starts_at == dt.datetime(2027, 5, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "13:00"}, "Het einde moet na het begin liggen."),
        ({"start_time": "09:00"}, "binnen het begin en einde van de activiteit"),
        ({"kind": "talk"}, "Alleen een workshop heeft een eigen capaciteit."),
        ({"title": ""}, "Vul een titel in."),
    ],
)
def test_a_bad_programme_item_is_refused(
    client, coordinator, region, make_event, overrides, message
):
    start = dt.datetime(2027, 5, 20, 11, 30, tzinfo=UTC)
    event = make_event(region=region, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    data = {
        "day": "2027-05-20",
        "start_time": "14:00",
        "end_time": "15:00",
        "title": "Workshop",
        "kind": "workshop",
        "capacity": "12",
    }
    data.update(overrides)

    response = client.post_form(f"/beheer/activiteiten/{event.slug}/programma", data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)) == 0


def test_adding_and_refusing_registration_questions(client, coordinator, region, make_event):
    event = make_event(region=region)
    url = f"/beheer/activiteiten/{event.slug}/vragen"

    refused = client.post_form(url, {"label": "Welke workshop?", "kind": "choice", "choices": "A"})
    assert refused.status_code == 422
    assert "Geef minstens twee verschillende keuzes" in text_of(refused)

    response = client.post_form(
        url,
        {"label": "Welke workshop?", "kind": "choice", "choices": "A\nB\n", "is_required": "y"},
    )
    assert response.status_code == 302
    question = db.session.scalar(select(EventQuestion))
    assert (question.choices, question.is_required) == (["A", "B"], True)
