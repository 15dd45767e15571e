"""The registration on the activity page: forms, messages, bad input, links, calendar links."""

from __future__ import annotations

import datetime as dt
from html import unescape
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from sqlalchemy import func, select

from community.accounts.models import Organisation, Sector
from community.core.extensions import db
from events import registration as reg
from events.models import (
    EventQuestion,
    EventStatus,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
)
from events.registration import GuestDetails
from tests.conftest import links_in
from tests.pages_helpers import add, sign_in

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED
PENDING, CANCELLED = RegistrationState.PENDING, RegistrationState.CANCELLED


def guest_data(**overrides) -> dict:
    data = {
        "guest_name": "Lies Janssens",
        "guest_email": "lies@example.org",
        "guest_organisation": "CLB Leuven",
        "guest_sector": "onderwijs",
        "guest_job_title": "psycholoog",
    }
    data.update(overrides)
    return data


def stored() -> list[Registration]:
    db.session.expire_all()
    return db.session.scalars(select(Registration).order_by(Registration.id)).all()


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_visitor_sees_free_places_and_the_guest_form(client, make_event):
    event = make_event(capacity=20)
    reg.register(event, guest=GuestDetails(name="A", email="a@example.org"))
    db.session.commit()

    html = html_of(client.get(f"/activiteiten/{event.slug}"))

    assert "Nog 19 plaatsen vrij" in html
    assert 'name="guest_email"' in html and 'name="guest_sector"' in html
    assert 'name="colleagues-0-name"' not in html


def test_guest_registers_gets_a_mail_and_the_place_is_held(client, make_event, mailbox):
    event = make_event(capacity=5)

    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", guest_data())

    assert response.status_code == 302
    follow = html_of(client.get(response.headers["Location"]))
    assert "bevestig je inschrijving binnen 48 uur" in follow
    (registration,) = stored()
    assert registration.state == PENDING and registration.email == "lies@example.org"
    assert registration.organisation_name == "CLB Leuven" and registration.sector == "onderwijs"
    (message,) = mailbox
    assert any("/inschrijving/bevestigen/" in link for link in links_in(message))


def test_a_space_around_the_guest_address_is_dropped_not_refused(client, make_event):
    """A phone's autofill adds a space after the address (found by trying the product)."""
    event = make_event(capacity=5)

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven", guest_data(guest_email=" lies@example.org ")
    )

    assert response.status_code == 302
    assert [r.email for r in stored()] == ["lies@example.org"]


def test_guest_form_with_missing_fields_is_refused_with_dutch_messages(client, make_event):
    event = make_event(capacity=5)

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven",
        guest_data(guest_name="", guest_email="geen-adres", guest_sector=""),
    )

    assert response.status_code == 422
    html = html_of(response)
    assert "Vul je naam in." in html
    assert "Dit is geen geldig e-mailadres." in html
    assert "Kies je sector." in html
    assert stored() == []


def test_member_registers_in_one_step_with_the_profile(client, make_event, make_user, mailbox):
    event = make_event(capacity=5, is_online=True, online_url="https://meet.example.org/x")
    user = make_user(display_name="Ann Peeters")
    sign_in(client, user)
    page = html_of(client.get(f"/activiteiten/{event.slug}"))
    assert "Je schrijft je in als Ann Peeters" in page
    assert "meet.example.org" not in page

    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", {"is_listed": "y"})

    assert response.status_code == 302
    (registration,) = stored()
    assert registration.state == CONFIRMED and registration.user_id == user.id
    assert registration.is_listed is True
    html = html_of(client.get(f"/activiteiten/{event.slug}"))
    assert "Je bent ingeschreven voor deze activiteit." in html
    assert "https://meet.example.org/x" in html, "the confirmed participant sees the link"
    assert "Inschrijving annuleren" in html
    assert len(mailbox) == 1


def test_member_registers_colleagues_who_each_get_their_own_mail(
    client, make_event, make_user, mailbox
):
    organisation = add(Organisation(name="Atheneum Brugge", sector=Sector.EDUCATION))
    user = make_user(organisation_id=organisation.id)
    event = make_event(capacity=2)
    sign_in(client, user)

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven",
        {
            "colleagues-0-name": "Bert",
            "colleagues-0-email": "bert@example.org",
            "colleagues-1-name": "Carla",
            "colleagues-1-email": "carla@example.org",
        },
    )

    assert response.status_code == 302
    assert [r.state for r in stored()] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert {m["To"] for m in mailbox} == {user.email, "bert@example.org", "carla@example.org"}
    cancel_links = {
        m["To"]: [link for link in links_in(m) if "/annuleren/" in link][0] for m in mailbox
    }
    assert len(set(cancel_links.values())) == 3
    flashed = unescape(html_of(client.get(response.headers["Location"])))
    assert "Je schreef 2 collega's in; ieder krijgt een eigen mail." in flashed


def test_registration_on_a_full_activity_goes_to_the_waiting_list(client, make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, user=make_user())
    db.session.commit()
    sign_in(client, make_user())

    page = html_of(client.get(f"/activiteiten/{event.slug}"))
    assert "Volzet – inschrijven op de wachtlijst" in page
    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", {})

    assert response.status_code == 302
    assert "je staat op de wachtlijst" in html_of(client.get(response.headers["Location"]))
    assert [r.state for r in stored()] == [CONFIRMED, WAITLISTED]


# --- bad input ---------------------------------------------------------------------


def _now():
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"registration_closes_at": _now() - dt.timedelta(hours=1)},
            "De uiterste inschrijvingsdatum voor deze activiteit is voorbij.",
        ),
        (
            {"status": EventStatus.CANCELLED},
            "Deze activiteit is geannuleerd: inschrijven kan niet meer.",
        ),
        (
            {
                "starts_at": _now() - dt.timedelta(days=3),
                "ends_at": _now() - dt.timedelta(days=3) + dt.timedelta(hours=2),
            },
            "Deze activiteit is al begonnen of voorbij: inschrijven kan niet meer.",
        ),
    ],
)
def test_registration_on_a_closed_activity_is_refused_with_a_message(
    client, make_event, overrides, message
):
    event = make_event(capacity=5, **overrides)
    page = html_of(client.get(f"/activiteiten/{event.slug}"))
    assert 'name="guest_email"' not in page, "no form when closed"

    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", guest_data())

    assert response.status_code == 409
    assert message in html_of(response)
    assert stored() == []


def test_same_email_in_another_case_is_refused_with_409(client, make_event, mailbox):
    event = make_event(capacity=5)
    client.post_form(f"/activiteiten/{event.slug}/inschrijven", guest_data())
    mailbox.clear()

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven", guest_data(guest_email="LIES@Example.ORG")
    )

    assert response.status_code == 409
    assert "Met dit e-mailadres is al iemand ingeschreven" in html_of(response)
    assert len(stored()) == 1
    assert mailbox == []


def test_invite_only_activity_refuses_uninvited_colleagues_and_keeps_nothing(
    client, make_event, make_user
):
    organisation = add(Organisation(name="CAW Oost", sector=Sector.WELFARE))
    invited = make_user(email="invited@example.org", organisation_id=organisation.id)
    event = make_event(visibility=Visibility.INVITE_ONLY, capacity=5)
    add(Invitation(event_id=event.id, email="INVITED@example.org"))
    sign_in(client, invited)
    assert client.get(f"/activiteiten/{event.slug}").status_code == 200

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven",
        {"colleagues-0-name": "X", "colleagues-0-email": "x@example.org"},
    )

    assert response.status_code == 403
    assert "enkel op uitnodiging" in html_of(response)
    assert stored() == []


def test_invite_only_activity_is_hidden_from_the_uninvited(client, make_event, make_user):
    event = make_event(visibility=Visibility.INVITE_ONLY, capacity=5)
    sign_in(client, make_user())

    assert client.get(f"/activiteiten/{event.slug}").status_code == 404
    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", {})
    assert response.status_code == 404
    assert stored() == []


def test_missing_required_answer_is_refused_with_422_and_the_question_named(
    client, make_event, make_user
):
    event = make_event(capacity=5)
    event.questions = [
        EventQuestion(label="Dieetwensen", kind=QuestionKind.TEXT, is_required=True),
        EventQuestion(label="Lunch mee?", kind=QuestionKind.YES_NO, is_required=False),
    ]
    add(event)
    sign_in(client, make_user())
    (diet, lunch) = event.questions

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven", {f"q_{diet.id}": "  ", f"q_{lunch.id}": "ja"}
    )

    assert response.status_code == 422
    assert "Beantwoord de vraag „Dieetwensen”." in html_of(response)
    assert stored() == []

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven",
        {f"q_{diet.id}": "veganistisch", f"q_{lunch.id}": "ja"},
    )
    assert response.status_code == 302
    assert stored()[0].answers == {str(diet.id): "veganistisch", str(lunch.id): True}


def test_full_workshop_is_marked_and_the_choice_waits(client, make_event, make_user):
    event = make_event(capacity=10)
    workshop = ProgrammeItem(
        title="Workshop schoolverzuim",
        kind=ProgrammeItemKind.WORKSHOP,
        starts_at=event.starts_at,
        ends_at=event.starts_at + dt.timedelta(hours=1),
        capacity=1,
    )
    event.programme = [workshop]
    add(event)
    reg.register(event, user=make_user(), workshop_ids=[workshop.id])
    db.session.commit()
    sign_in(client, make_user())

    page = html_of(client.get(f"/activiteiten/{event.slug}"))
    assert "Workshop schoolverzuim (volzet: wachtlijst)" in page
    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven", {"workshops": str(workshop.id)}
    )

    assert response.status_code == 302
    message = html_of(client.get(response.headers["Location"]))
    assert (
        "Deze workshop is volzet, je staat er op de wachtlijst: Workshop schoolverzuim" in message
    )
    assert reg.workshop_seats_taken(event) == {workshop.id: 1}


# --- links ------------------------------------------------------------------------


def test_forged_cancel_link_is_404_and_changes_nothing(client, make_event, make_user):
    event = make_event(capacity=5)
    registration = reg.register(event, user=make_user())
    db.session.commit()
    token = reg.cancel_token(registration)

    for path in (f"/inschrijving/annuleren/{token}x", "/inschrijving/annuleren/abc"):
        assert client.get(path).status_code == 404
        response = client.post_form(path)
        assert response.status_code == 404
        assert "Deze link is ongeldig" in html_of(response)
    assert stored()[0].state == CONFIRMED


def test_cancel_link_after_the_start_is_410(client, make_event, make_user):
    event = make_event(capacity=5)
    registration = reg.register(event, user=make_user())
    db.session.commit()
    event.starts_at = _now() - dt.timedelta(minutes=10)
    db.session.commit()

    response = client.post_form(f"/inschrijving/annuleren/{reg.cancel_token(registration)}")

    assert response.status_code == 410
    assert "annuleren kan niet meer" in html_of(response)
    assert stored()[0].state == CONFIRMED


def test_cancel_link_of_an_earlier_registration_is_410(client, make_event, make_user):
    event = make_event(capacity=5)
    user = make_user()
    registration = reg.register(event, user=user)
    db.session.commit()
    old_token = reg.cancel_token(registration)
    reg.cancel(registration)
    db.session.commit()
    reg.register(event, user=user)
    db.session.commit()

    response = client.post_form(f"/inschrijving/annuleren/{old_token}")

    assert response.status_code == 410
    assert "Deze link is verlopen" in html_of(response)
    assert stored()[0].state == CONFIRMED


def test_guest_confirmation_after_48_hours_is_410_and_frees_the_place(
    client, make_event, make_user, mailbox
):
    event = make_event(capacity=1)
    late = reg.register(event, guest=GuestDetails(name="Laat", email="laat@example.org"))
    db.session.commit()
    waiting = reg.register(event, user=make_user())
    db.session.commit()
    late.pending_until = _now() - dt.timedelta(minutes=1)  # 48 hours have passed
    db.session.commit()

    path = f"/inschrijving/bevestigen/{reg.confirmation_token(late)}"

    page = client.get(path)
    assert page.status_code == 410
    assert "je plaats werd na 48 uur vrijgegeven" in html_of(page)
    assert [r.state for r in stored()] == [PENDING, WAITLISTED], "no state change on GET"
    response = client.post_form(path)

    assert response.status_code == 410
    assert "je plaats werd na 48 uur vrijgegeven" in html_of(response)
    assert [r.state for r in stored()] == [CANCELLED, CONFIRMED]
    assert [m["To"] for m in mailbox] == [waiting.email]


# --- calendar -----------------------------------------------------------------------


def test_ics_download_is_an_attachment_with_the_right_type(client, make_event):
    event = make_event(title="Netwerkmoment coöperatie & zo")

    response = client.get(f"/activiteiten/{event.slug}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    calendar = icalendar.Calendar.from_ical(response.data)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Netwerkmoment coöperatie & zo"
    assert client.get("/activiteiten/bestaat-niet.ics").status_code == 404


def test_google_and_outlook_links_carry_the_events_data(client, make_event):
    start = dt.datetime(2031, 3, 26, 8, 30, tzinfo=dt.UTC)
    event = make_event(title="Vorming", starts_at=start, ends_at=start + dt.timedelta(hours=3))

    html = html_of(client.get(f"/activiteiten/{event.slug}"))

    google = next(
        h.replace("&amp;", "&") for h in _hrefs(html) if "calendar.google.com/calendar/render" in h
    )
    query = parse_qs(urlsplit(google).query)
    assert query["text"] == ["Vorming"] and query["dates"] == ["20310326T083000Z/20310326T113000Z"]
    outlook = next(h.replace("&amp;", "&") for h in _hrefs(html) if "outlook.live.com" in h)
    query = parse_qs(urlsplit(outlook).query)
    assert query["subject"] == ["Vorming"] and query["startdt"] == ["2031-03-26T08:30:00Z"]
    assert "<script" not in html.split("<main", 1)[1]


def _hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', html)


# --- participants -------------------------------------------------------------------


def test_page_shows_a_count_and_only_the_names_of_who_agreed(client, make_event, make_user):
    event = make_event(capacity=10)
    reg.register(event, user=make_user(display_name="Zichtbare Zita"), is_listed=True)
    reg.register(event, user=make_user(display_name="Verborgen Victor"))
    db.session.commit()

    html = html_of(client.get(f"/activiteiten/{event.slug}"))

    assert "2 personen ingeschreven" in html
    assert "Zichtbare Zita" in html
    assert "Verborgen Victor" not in html


def test_no_registrations_are_kept_when_a_colleague_row_is_half_filled(
    client, make_event, make_user
):
    organisation = add(Organisation(name="Basisschool Zon", sector=Sector.EDUCATION))
    sign_in(client, make_user(organisation_id=organisation.id))
    event = make_event(capacity=5)

    response = client.post_form(
        f"/activiteiten/{event.slug}/inschrijven", {"colleagues-0-name": "Dirk"}
    )

    assert response.status_code == 422
    assert "Vul ook het e-mailadres van je collega in." in html_of(response)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_confirming_a_guest_place_twice_sends_one_confirmation_mail(client, make_event, mailbox):
    event = make_event(capacity=5)
    client.post_form(f"/activiteiten/{event.slug}/inschrijven", guest_data())
    (link,) = [u for u in links_in(mailbox[0]) if "/inschrijving/bevestigen/" in u]
    path = link.replace("http://bruggen.test", "")
    mailbox.clear()

    first = client.post_form(path)
    second = client.post_form(path)

    assert first.status_code == 200 and second.status_code == 200
    (registration,) = stored()
    assert registration.state == CONFIRMED
    assert len(mailbox) == 1, "a second click must not mail the guest again"
