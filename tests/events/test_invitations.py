"""Invitations with an RSVP (issue 17): invite, the mail and its .ics, answer by link, follow-up."""

from __future__ import annotations

import datetime as dt
import re
import threading

import icalendar
import pytest
from sqlalchemy import func, select

from community.accounts.models import Organisation, Sector
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from events import invitations
from events import registration as seats
from events.calendar.ical import event_uid
from events.models import (
    Invitation,
    InvitationStatus,
    ProgrammeItem,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
    Visibility,
)
from events.organising import EventDetails, cancel_event, update_event
from tests.conftest import links_in
from tests.pages_helpers import sign_in


@pytest.fixture
def region(make_region):
    return make_region()


@pytest.fixture
def coordinator(make_user, region):
    return make_user("coordinator", regions=[region], display_name="Coördinator Noord")


@pytest.fixture
def rots(make_event, region):
    """An invite-only case consultation in 10 days, 2 places."""
    return make_event(
        region=region,
        title="Casusoverleg ROTS",
        type="case_consultation",
        visibility=Visibility.INVITE_ONLY,
        capacity=2,
    )


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_of(message) -> tuple[str, icalendar.Calendar]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    content_type = " ".join(dict(part.raw_items())["Content-Type"].split())
    return content_type, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def answer_link(message, answer: str = "ja") -> str:
    (link,) = [link for link in links_in(message) if f"antwoord={answer}" in link]
    return link.removeprefix("http://localhost")


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link).split("?")[0]


def send() -> None:
    db.session.commit()
    assert deliver_outbox()[1] == 0


# --- inviting and the mail ----------------------------------------------------------


def test_invite_by_member_organisation_and_address_mails_each_once_with_a_request_ics(
    rots, coordinator, make_user, region, mailbox
):
    clb = Organisation(name="CLB Noord", sector=Sector.EDUCATION, region=region)
    db.session.add(clb)
    db.session.commit()
    an = make_user(display_name="An Peeters", email="an@clb.example", organisation=clb)
    make_user(display_name="Bert", email="bert@clb.example", organisation=clb)  # by organisation
    chris = make_user(display_name="Chris", email="chris@school.example")

    result = invitations.invite(
        rots,
        invited_by=coordinator,
        members=[chris, an],
        organisations=[clb],
        emails=["Dina@Extern.example", "dina@extern.example"],
    )
    send()

    assert sorted(i.email for i in result.mailed) == [
        "Dina@Extern.example",
        "an@clb.example",
        "bert@clb.example",
        "chris@school.example",
    ]
    assert sorted(m["To"] for m in mailbox) == sorted(i.email for i in result.mailed)
    dina = next(m for m in mailbox if m["To"] == "Dina@Extern.example")
    assert "Casusoverleg ROTS" in dina["Subject"]
    body = text_of(dina)
    assert "Coördinator Noord nodigt je uit" in body
    assert answer_link(dina, "ja") and answer_link(dina, "nee")
    content_type, calendar = calendar_of(dina)
    assert content_type == "text/calendar; charset=utf-8; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(rots)
    assert int(vevent["SEQUENCE"]) == rots.revision
    assert str(vevent["ATTENDEE"]).lower() == "mailto:dina@extern.example"
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert str(vevent["ORGANIZER"]).startswith("mailto:netwerk-")  # the network's address
    an_invitation = db.session.scalar(select(Invitation).where(Invitation.email == an.email))
    assert an_invitation.user_id == an.id and an_invitation.organisation_id == clb.id

    mailbox.clear()
    again = invitations.invite(rots, invited_by=coordinator, emails=["DINA@extern.example"])
    send()
    assert again.mailed == [] and again.already == ["Dina@Extern.example"]
    assert mailbox == []


def test_inviting_to_a_draft_or_started_activity_is_refused(make_event, region, coordinator):
    draft = make_event(region=region, status="draft")
    with pytest.raises(invitations.InvitingClosed):
        invitations.invite(draft, invited_by=coordinator, emails=["a@example.org"])
    started = make_event(region=region, starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with pytest.raises(invitations.InvitingClosed):
        invitations.invite(started, invited_by=coordinator, emails=["a@example.org"])
    with pytest.raises(invitations.NothingToInvite):
        invitations.invite(make_event(region=region), invited_by=coordinator)


# --- answering by the link -----------------------------------------------------------


def test_guest_accepts_by_link_without_account_and_is_registered_at_once(
    rots, coordinator, client, mailbox
):
    invitations.invite(rots, invited_by=coordinator, emails=["gast@extern.example"])
    send()
    link = answer_link(mailbox[0])
    mailbox.clear()

    page = client.get(link)  # the invite-only activity, shown to the holder of the link
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Casusoverleg ROTS" in html and "Ja, ik kom" in html
    assert db.session.scalar(select(func.count(Registration.id))) == 0  # GET changes nothing
    assert client.get(f"/activiteiten/{rots.slug}").status_code == 404  # the page stays closed

    response = client.post_form(
        path_of(link), {"answer": "ja", "guest_name": "Gina Gast", "guest_organisation": "NAFT"}
    )
    assert response.status_code == 302

    registration = db.session.scalar(select(Registration))
    assert (registration.name, registration.email) == ("Gina Gast", "gast@extern.example")
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.pending_until is None  # the link proved the address
    invitation = db.session.scalar(select(Invitation))
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.registration_id == registration.id
    (confirmation,) = mailbox
    assert "Inschrijving bevestigd" in confirmation["Subject"]
    shown = client.get(path_of(link)).get_data(as_text=True)
    assert "Je hebt aanvaard: je bent ingeschreven" in shown


def test_member_accepts_as_their_account_and_a_full_activity_puts_them_on_the_waiting_list(
    rots, coordinator, make_user, client, mailbox
):
    rots.capacity = 1
    db.session.commit()
    first, second = make_user(), make_user()
    invitations.invite(rots, invited_by=coordinator, members=[first, second])
    send()
    links = {m["To"]: answer_link(m) for m in mailbox}

    for user in (first, second):
        assert client.post_form(path_of(links[user.email]), {"answer": "ja"}).status_code == 302

    states = dict(db.session.execute(select(Registration.user_id, Registration.state)).all())
    assert states == {
        first.id: RegistrationState.CONFIRMED,
        second.id: RegistrationState.WAITLISTED,
    }


def test_decline_is_recorded_and_a_later_decline_frees_the_place_for_the_waiting_list(
    rots, coordinator, make_user, mailbox
):
    rots.capacity = 1
    db.session.commit()
    an, bert = make_user(), make_user()
    invitations.invite(rots, invited_by=coordinator, members=[an, bert])
    send()
    an_inv, bert_inv = (
        invitations.live_invitation_of(rots, an.email),
        invitations.live_invitation_of(rots, bert.email),
    )
    invitations.accept(an_inv)
    invitations.accept(bert_inv)
    db.session.commit()

    promoted = invitations.decline(an_inv)
    db.session.commit()

    assert an_inv.status == InvitationStatus.DECLINED and an_inv.responded_at is not None
    assert [r.email for r in promoted] == [bert.email]
    assert promoted[0].state == RegistrationState.CONFIRMED
    assert invitations.decline(an_inv) == []  # twice: nothing more


def test_accepting_twice_keeps_one_registration(rots, coordinator, client, mailbox):
    invitations.invite(rots, invited_by=coordinator, emails=["twee@extern.example"])
    send()
    path = path_of(answer_link(mailbox[0]))
    data = {"answer": "ja", "guest_name": "Twee Keer"}
    assert client.post_form(path, data).status_code == 302
    assert client.post_form(path, data).status_code == 302
    assert db.session.scalar(select(func.count(Registration.id))) == 1


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        ("kapot", 404, "Deze link is ongeldig"),
        ("eyJpIjoxLCJ0IjoxfQ.bad.sig", 404, "Deze link is ongeldig"),
    ],
)
def test_a_damaged_link_says_so(client, token, status, message):
    response = client.get(f"/uitnodiging/{token}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_bad_answers_are_refused_with_a_message_and_nothing_is_stored(
    rots, coordinator, client, mailbox
):
    invitations.invite(rots, invited_by=coordinator, emails=["leeg@extern.example"])
    send()
    path = path_of(answer_link(mailbox[0]))

    assert client.post_form(path, {"answer": "misschien"}).status_code == 400
    response = client.post_form(path, {"answer": "ja", "guest_name": "   "})
    assert response.status_code == 422
    assert "Vul je naam in." in response.get_data(as_text=True)
    long = client.post_form(path, {"answer": "ja", "guest_name": "x" * 121})
    assert long.status_code == 422
    assert "hoogstens 120 tekens" in long.get_data(as_text=True)
    assert client.post(path, data={"answer": "ja", "guest_name": "Geen Token"}).status_code == 400
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    assert db.session.scalar(select(Invitation.status)) == InvitationStatus.INVITED


def test_answering_after_the_start_or_a_cancellation_is_refused(rots, coordinator, client, mailbox):
    invitations.invite(rots, invited_by=coordinator, emails=["laat@extern.example"])
    send()
    path = path_of(answer_link(mailbox[0]))
    cancel_event(rots, "Ziekte")
    db.session.commit()
    response = client.post_form(path, {"answer": "ja", "guest_name": "Te Laat"})
    assert response.status_code == 410
    assert "antwoorden kan niet meer" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 0


# --- the organiser's follow-up ---------------------------------------------------------


def test_organiser_reminds_the_silent_ones_once(rots, coordinator, make_user, mailbox):
    silent, answered = make_user(), make_user()
    invitations.invite(rots, invited_by=coordinator, members=[silent, answered])
    invitations.accept(invitations.live_invitation_of(rots, answered.email))
    send()
    mailbox.clear()

    assert invitations.remind_silent(rots) == 1
    send()
    (reminder,) = mailbox
    assert reminder["To"] == silent.email and "Herinnering" in reminder["Subject"]
    assert calendar_of(reminder)[1]["METHOD"] == "REQUEST"
    with pytest.raises(invitations.AlreadyReminded):
        invitations.remind(invitations.live_invitation_of(rots, silent.email))
    with pytest.raises(invitations.NotSilent):
        invitations.remind(invitations.live_invitation_of(rots, answered.email))
    assert invitations.remind_silent(rots) == 0


def test_withdrawing_cancels_the_place_tells_the_invitee_and_kills_the_link(
    rots, coordinator, client, mailbox
):
    invitations.invite(rots, invited_by=coordinator, emails=["weg@extern.example"])
    send()
    path = path_of(answer_link(mailbox[0]))
    client.post_form(path, {"answer": "ja", "guest_name": "Wim Weg"})
    mailbox.clear()
    invitation = db.session.scalar(select(Invitation))

    invitations.withdraw(invitation)
    send()

    assert invitation.status == InvitationStatus.WITHDRAWN
    assert db.session.scalar(select(Registration.state)) == RegistrationState.CANCELLED
    (message,) = mailbox
    content_type, calendar = calendar_of(message)
    assert content_type.endswith("method=CANCEL")
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and int(vevent["SEQUENCE"]) == rots.revision + 1
    refused = client.get(path)
    assert refused.status_code == 410
    assert "ingetrokken" in refused.get_data(as_text=True)
    with pytest.raises(seats.NotInvited):  # the invite-only activity is closed to the address
        seats.register(rots, guest=seats.GuestDetails(name="W", email="weg@extern.example"))


def test_changes_and_cancellation_reach_invitees_who_accepted(
    rots, coordinator, make_user, mailbox
):
    accepted, silent = make_user(), make_user()
    invitations.invite(rots, invited_by=coordinator, members=[accepted, silent])
    invitations.accept(invitations.live_invitation_of(rots, accepted.email))
    send()
    mailbox.clear()

    details = EventDetails.of(rots)
    details.venue_name = "Andere zaal"
    update_event(rots, details)
    send()
    assert [m["To"] for m in mailbox] == [accepted.email]
    assert "Gewijzigd" in mailbox[0]["Subject"]
    mailbox.clear()

    cancel_event(rots, "De casus is opgelost.")
    send()
    by_recipient = {m["To"]: m for m in mailbox}
    assert sorted(by_recipient) == sorted([accepted.email, silent.email])
    assert all("Geannuleerd" in m["Subject"] for m in mailbox)
    # The silent invitee holds the REQUEST in a calendar: it is cancelled there too.
    content_type, calendar = calendar_of(by_recipient[silent.email])
    assert content_type.endswith("method=CANCEL")
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and int(vevent["SEQUENCE"]) == rots.revision
    assert "De casus is opgelost." in text_of(by_recipient[silent.email])


# --- pages of the organiser --------------------------------------------------------------


def test_invitations_page_invites_and_shows_who_answered(
    rots, coordinator, make_user, client, mailbox
):
    member = make_user(region=rots.region, display_name="Mona Lid")
    sign_in(client, coordinator)
    url = f"/beheer/activiteiten/{rots.slug}/uitnodigingen"
    page = client.get(url)
    assert page.status_code == 200
    assert "Mona Lid" in page.get_data(as_text=True)

    response = client.post_form(
        url, {"members": [str(member.id)], "emails": "x@extern.example\ny@extern.example"}
    )
    assert response.status_code == 302
    assert sorted(m["To"] for m in mailbox) == sorted(
        [member.email, "x@extern.example", "y@extern.example"]
    )
    invitations.decline(invitations.live_invitation_of(rots, "y@extern.example"))
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Afgeslagen: 1" in html and "Nog geen antwoord: 2" in html


def test_invite_form_refuses_bad_addresses_and_stores_nothing(rots, coordinator, client):
    sign_in(client, coordinator)
    url = f"/beheer/activiteiten/{rots.slug}/uitnodigingen"
    response = client.post_form(url, {"emails": "goed@example.org\nniet-goed"})
    assert response.status_code == 422
    assert "Geen geldig e-mailadres: niet-goed" in response.get_data(as_text=True)
    empty = client.post_form(url, {"emails": ""})
    assert empty.status_code == 422
    assert "Kies minstens één lid of organisatie" in empty.get_data(as_text=True)
    unknown = client.post_form(url, {"members": ["999999"]})
    assert unknown.status_code == 422
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_addresses_pasted_from_a_mail_program_with_names_are_invited(
    rots, coordinator, client, mailbox
):
    """Outlook and Thunderbird copy "Name <address>; ..." (a name may hold a comma): each
    address is invited once, no name is read as an address (found by trying the product)."""
    sign_in(client, coordinator)
    url = f"/beheer/activiteiten/{rots.slug}/uitnodigingen"
    pasted = (
        'Peeters, Jan <jan@school.example>; "Smet, An" <an@clb.example>\n'
        "Lise Claes <lise@jeugdhulp.example>, los@extern.example"
    )
    response = client.post_form(url, {"emails": pasted})
    assert response.status_code == 302
    assert sorted(m["To"] for m in mailbox) == [
        "an@clb.example",
        "jan@school.example",
        "lise@jeugdhulp.example",
        "los@extern.example",
    ]


def test_invitation_pages_are_for_the_activitys_organisers_only(
    rots, make_user, make_region, client
):
    url = f"/beheer/activiteiten/{rots.slug}/uitnodigingen"
    assert client.get(url).status_code == 302  # to the login page
    sign_in(client, make_user())
    assert client.get(url).status_code == 404  # an invite-only activity: not even seen
    sign_in(client, make_user("coordinator", regions=[make_region()]))
    assert client.get(url).status_code == 404
    assert client.post_form(url, {"emails": "a@example.org"}).status_code == 404
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_invited_member_opens_the_invite_only_page_but_others_do_not(
    rots, coordinator, make_user, client
):
    invited, other = make_user(), make_user()
    invitations.invite(rots, invited_by=coordinator, members=[invited])
    db.session.commit()
    sign_in(client, other)
    assert client.get(f"/activiteiten/{rots.slug}").status_code == 404
    sign_in(client, invited)
    assert client.get(f"/activiteiten/{rots.slug}").status_code == 200
    invitations.withdraw(invitations.live_invitation_of(rots, invited.email))
    db.session.commit()
    assert client.get(f"/activiteiten/{rots.slug}").status_code == 404


# --- workshops: the waiting list moves, and a full one is explained -----------------------


@pytest.fixture
def day_with_workshop(make_event, region):
    event = make_event(region=region, title="Inspiratiedag")
    workshop = ProgrammeItem(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.starts_at + dt.timedelta(hours=1),
        title="Workshop spijbelen",
        kind=ProgrammeItemKind.WORKSHOP,
        capacity=1,
    )
    db.session.add(workshop)
    db.session.commit()
    return event, workshop


def test_the_person_who_gets_a_freed_workshop_place_is_mailed(
    day_with_workshop, make_user, mailbox
):
    event, workshop = day_with_workshop
    first, second = make_user(), make_user()
    held = seats.register(event, user=first, workshop_ids=[workshop.id])
    waiting = seats.register(event, user=second, workshop_ids=[workshop.id])
    send()
    assert mailbox == []  # registering mails nothing by itself; no workshop mail either
    assert waiting.workshop_choices[0].state == RegistrationState.WAITLISTED

    seats.cancel(held)
    send()

    (message,) = mailbox
    assert message["To"] == second.email
    assert "Workshop spijbelen" in message["Subject"]
    assert "Je stond op de wachtlijst en hebt die plaats nu" in text_of(message)


def test_a_rolled_back_workshop_move_mails_nobody(day_with_workshop, make_user, mailbox):
    event, workshop = day_with_workshop
    held = seats.register(event, user=make_user(), workshop_ids=[workshop.id])
    seats.register(event, user=make_user(), workshop_ids=[workshop.id])
    send()
    seats.cancel(held)
    db.session.rollback()
    send()
    assert mailbox == []


def test_a_full_workshop_is_explained_on_the_form_before_submitting(
    day_with_workshop, make_user, client
):
    event, workshop = day_with_workshop
    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)
    assert "Volzet:" not in html
    seats.register(event, user=make_user(), workshop_ids=[workshop.id])
    db.session.commit()
    html = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)
    assert "(volzet: wachtlijst)" in html
    assert "Volzet: Workshop spijbelen. Kies je die workshop toch" in html


# --- two accepts at the same moment ---------------------------------------------------


@pytest.mark.real_commits
def test_two_simultaneous_accepts_give_one_registration_and_no_error(app, make_event, make_user):
    region_event = make_event(visibility=Visibility.INVITE_ONLY, capacity=5)
    organiser = make_user("admin")
    invitations.invite(region_event, invited_by=organiser, emails=["race@extern.example"])
    db.session.commit()
    invitation = db.session.scalar(select(Invitation))
    path = f"/uitnodiging/{invitations.invitation_token(invitation)}"
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def answer():
        client = app.test_client()
        token = client_csrf(client, app)
        barrier.wait(timeout=30)
        response = client.post(
            path, data={"answer": "ja", "guest_name": "Race", "csrf_token": token}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302, 302]
    db.session.expire_all()
    rows = db.session.scalars(select(Registration)).all()
    assert [(r.email, r.state) for r in rows] == [
        ("race@extern.example", RegistrationState.CONFIRMED)
    ]


def client_csrf(client, app) -> str:
    """A CSRF token for a plain test client's session (as ``BruggenClient.csrf_token``)."""
    import os

    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", os.urandom(20).hex())
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_my_activities_lists_open_invitations_with_their_answer_link(
    rots, coordinator, make_user, client
):
    member = make_user()
    invitations.invite(rots, invited_by=coordinator, members=[member])
    db.session.commit()
    sign_in(client, member)
    html = client.get("/account/activiteiten").get_data(as_text=True)
    assert "Uitnodigingen zonder antwoord" in html and "Casusoverleg ROTS" in html
    token = invitations.invitation_token(invitations.live_invitation_of(rots, member.email))
    assert f"/uitnodiging/{token}" in html
    invitations.decline(invitations.live_invitation_of(rots, member.email))
    db.session.commit()
    assert "Uitnodigingen zonder antwoord" not in client.get("/account/activiteiten").get_data(
        as_text=True
    )


def test_an_address_listed_on_the_activity_form_gets_its_first_mail_then_one_reminder(
    rots, coordinator, mailbox
):
    listed = Invitation(event=rots, email="lijst@extern.example")  # from the activity form
    db.session.add(listed)
    db.session.commit()
    assert invitations.remind_silent(rots) == 0  # never mailed: not "silent" yet

    invitations.remind(listed)
    send()
    (first,) = mailbox
    assert "Uitnodiging:" in first["Subject"] and "Herinnering" not in first["Subject"]
    assert listed.reminded_at is None
    mailbox.clear()
    invitations.remind(listed)
    send()
    assert "Herinnering" in mailbox[0]["Subject"]


def test_registering_on_the_activity_page_counts_as_accepting_the_invitation(
    rots, coordinator, make_user, client
):
    member = make_user()
    invitations.invite(rots, invited_by=coordinator, members=[member])
    db.session.commit()
    sign_in(client, member)
    assert client.post_form(f"/activiteiten/{rots.slug}/inschrijven", {}).status_code == 302
    invitation = invitations.live_invitation_of(rots, member.email)
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitations.remind_silent(rots) == 0
