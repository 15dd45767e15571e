"""Filing a case request and its intake in the pages (issue 19, "Request" and "Intake"):
the form and its strict guard, the mails (code and link only), clarification, accepting,
redirecting to an offer, planning the table with invitations, the overview and counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from casetables.models import CaseMessage, CaseRequest
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import deliver_outbox
from events import invitations
from events.models import Event, EventType, Invitation, InvitationStatus, Visibility
from regionmap.models import Offer
from tests.casetables.conftest import QUESTION, STUCK, TRIED
from tests.conftest import links_in
from tests.pages_helpers import sign_in

CASE_TEXTS = (STUCK, TRIED, QUESTION, "Spijbelt", "herfstvakantie", "schooltraject")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def form_data(table, **overrides) -> dict:
    data = {
        "region_id": str(table.region.id),
        "age_group": "12-15",
        "school_level": "secundair_1",
        "stuck": STUCK,
        "tried": TRIED,
        "tried_services": ["clb", "caw"],
        "question": QUESTION,
        "urgency": "dringend",
    }
    data.update(overrides)
    return data


def delivered(mailbox) -> list:
    db.session.commit()
    assert deliver_outbox()[1] == 0
    return list(mailbox)


def assert_no_case_text(text: str) -> None:
    for piece in CASE_TEXTS:
        assert piece not in text, piece


# --- the form -------------------------------------------------------------------------


def test_the_form_explains_why_no_names_next_to_the_fields_and_defaults_to_my_region(client, table):
    sign_in(client, table.requester)

    response = client.get("/casustafel/aanvragen")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.text
    assert "Waarom geen namen?" in page
    assert page.count("Geen naam, initialen, geboortedatum, school, adres of nummers") == 3
    assert re.search(rf'<option[^>]*selected[^>]*value="{table.region.id}"', page) or re.search(
        rf'<option[^>]*value="{table.region.id}"[^>]*selected', page
    )
    assert 'name="tried_services" type="checkbox" value="clb"' in page  # kinds, not names


def test_filing_shows_the_case_with_its_code_and_mails_code_and_link_only(client, table, mailbox):
    sign_in(client, table.requester)

    response = client.post_form("/casustafel/aanvragen", form_data(table))

    assert response.status_code == 302
    case = db.session.scalar(select(CaseRequest))
    assert response.headers["Location"] == f"/casustafel/{case.code}"
    assert case.tried_services == "caw,clb" and case.urgency == "dringend"
    page = client.get(response.headers["Location"]).text
    assert case.code in page and STUCK in page
    mails = {m["To"]: m for m in delivered(mailbox)}
    assert mails[table.requester.email]["Subject"] == f"Je aanvraag {case.code} is ontvangen"
    assert mails[table.coordinator.email]["Subject"] == f"Nieuwe casusaanvraag {case.code}"
    assert table.other_coordinator.email not in mails
    for message in mails.values():
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert_no_case_text(body)
        assert f"http://bruggen.test/casustafel/{case.code}" in links_in(message)


@pytest.mark.parametrize(
    "field_name, text, said",
    [
        ("stuck", "Geboren op 12/03/2013, spijbelt veel.", "geboortedatum"),
        ("tried", "Gesprek met Jan Peeters en de mama.", "naam"),
        ("question", "Kan iemand bellen naar 0470 12 34 56?", "telefoonnummer"),
    ],
)
def test_personal_data_is_refused_at_the_field_with_the_text_kept_and_nothing_saved(
    client, table, field_name, text, said
):
    sign_in(client, table.requester)

    response = client.post_form("/casustafel/aanvragen", form_data(table, **{field_name: text}))

    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field_name}-error">(.*?)</p>', response.text, re.S)
    assert error and said in error.group(1)
    assert text in response.text  # the typed text stays in its field
    assert 'aria-invalid="true"' in response.text
    assert count(CaseRequest) == 0 and count(OutboxMessage) == 0


def test_an_unknown_choice_is_refused_with_a_dutch_message(client, table):
    sign_in(client, table.requester)

    response = client.post_form("/casustafel/aanvragen", form_data(table, age_group="99"))

    assert response.status_code == 422
    assert "Kies een van de mogelijkheden" in response.text
    assert count(CaseRequest) == 0


def test_a_double_submit_files_one_case(client, table):
    sign_in(client, table.requester)

    first = client.post_form("/casustafel/aanvragen", form_data(table))
    second = client.post_form("/casustafel/aanvragen", form_data(table))

    assert first.headers["Location"] == second.headers["Location"]
    assert count(CaseRequest) == 1
    assert count(OutboxMessage) == 2  # the requester and the one coordinator, once


def test_unverified_accounts_cannot_file(client, table, make_user):
    sign_in(client, make_user(region=table.region, is_verified=False))

    assert client.get("/casustafel/aanvragen").status_code == 403
    assert client.post_form("/casustafel/aanvragen", form_data(table)).status_code == 403
    assert count(CaseRequest) == 0


# --- clarification --------------------------------------------------------------------


def test_clarification_asked_mailed_as_an_update_and_answered_on_the_page(
    client, table, make_case, mailbox
):
    case = make_case()
    delivered(mailbox)
    mailbox.clear()
    sign_in(client, table.coordinator)

    asked = client.post_form(
        f"/casustafel/{case.code}/verduidelijking", {"body": "Welke school-externe hulp liep al?"}
    )

    assert asked.status_code == 302
    db.session.refresh(case)
    assert case.state == "clarification"
    (mail,) = delivered(mailbox)
    assert mail["To"] == table.requester.email
    assert mail["Subject"] == f"Je hebt een update over casus {case.code}"
    assert "school-externe" not in mail.get_body(preferencelist=("plain",)).get_content()
    mailbox.clear()

    sign_in(client, table.requester)
    page = client.get(f"/casustafel/{case.code}").text
    assert "Welke school-externe hulp liep al?" in page and "Antwoord versturen" in page
    refused = client.post_form(
        f"/casustafel/{case.code}/antwoord", {"body": "Zijn zus Lotte Peeters weet meer."}
    )
    assert refused.status_code == 422
    assert "naam" in refused.text and "Zijn zus Lotte Peeters weet meer." in refused.text
    assert count(CaseMessage) == 1
    answered = client.post_form(
        f"/casustafel/{case.code}/antwoord", {"body": "Enkel een CAW-traject, afgebroken."}
    )
    assert answered.status_code == 302
    db.session.refresh(case)
    assert case.state == "requested" and count(CaseMessage) == 2
    (mail,) = delivered(mailbox)
    assert mail["To"] == table.coordinator.email
    assert mail["Subject"] == f"Je hebt een update over casus {case.code}"


def test_only_the_requester_answers_and_only_in_clarification(client, table, make_case):
    case = make_case()
    sign_in(client, table.requester)
    late = client.post_form(f"/casustafel/{case.code}/antwoord", {"body": "Ja."})
    assert late.status_code == 409
    assert "Dit kan niet meer: de casus staat op „aangevraagd”." in late.text
    sign_in(client, table.coordinator)
    assert client.post_form(f"/casustafel/{case.code}/antwoord", {"body": "Ja."}).status_code == 403


# --- accept, redirect -----------------------------------------------------------------


def test_accepting_twice_answers_409(client, table, make_case):
    case = make_case()
    sign_in(client, table.coordinator)

    assert client.post_form(f"/casustafel/{case.code}/aanvaarden").status_code == 302
    again = client.post_form(f"/casustafel/{case.code}/aanvaarden")

    assert again.status_code == 409 and "aanvaard" in again.text
    db.session.refresh(case)
    assert case.state == "accepted" and case.accepted_at is not None


def test_redirect_to_an_offer_of_the_map_shows_its_link_to_the_requester(
    client, table, make_case, mailbox
):
    offer = Offer(slug="naft-west", title="NAFT West", region=table.region, kind="naft")
    db.session.add(offer)
    case = make_case()
    delivered(mailbox)
    mailbox.clear()
    sign_in(client, table.coordinator)

    wrong = client.post_form(f"/casustafel/{case.code}/doorverwijzen", {"offer": ""})
    done = client.post_form(f"/casustafel/{case.code}/doorverwijzen", {"offer": str(offer.id)})

    assert wrong.status_code == 422 and "Kies een aanbod uit de lijst." in wrong.text
    assert done.status_code == 302
    db.session.refresh(case)
    assert (case.state, case.redirect_offer_id) == ("redirected", offer.id)
    (mail,) = delivered(mailbox)
    assert mail["Subject"] == f"Je hebt een update over casus {case.code}"
    sign_in(client, table.requester)
    assert 'href="/aanbod/naft-west"' in client.get(f"/casustafel/{case.code}").text
    sign_in(client, table.coordinator)
    assert client.post_form(f"/casustafel/{case.code}/aanvaarden").status_code == 409


# --- planning the table ---------------------------------------------------------------


def plan_data(table, days: int = 7, **overrides) -> dict:
    day = dt.date.today() + dt.timedelta(days=days)
    data = {
        "day": day.isoformat(),
        "starts": "14:00",
        "ends": "16:00",
        "venue_name": "CLB West, vergaderzaal 2",
        "venue_address": "Markt 1, 8000 Brugge",
        "members": [str(p.id) for p in table.partners[:2]],
        "emails": "partner.zonder.account@example.org",
    }
    data.update(overrides)
    return data


def plan(client, table, case, **overrides):
    sign_in(client, table.coordinator)
    return client.post_form(f"/casustafel/{case.code}/tafel", plan_data(table, **overrides))


def test_planning_makes_an_invite_only_activity_with_nothing_of_the_case_and_invites(
    client, table, make_case, mailbox
):
    case = make_case()
    delivered(mailbox)
    mailbox.clear()

    response = plan(client, table, case)

    assert response.status_code == 302
    db.session.refresh(case)
    event = db.session.get(Event, case.event_id)
    assert case.state == "planned" and case.table_at == event.starts_at
    assert event.type == EventType.CASE_CONSULTATION
    assert event.visibility == Visibility.INVITE_ONLY and event.status == "published"
    assert event.title == f"Casustafel {case.code}" and event.region_id == table.region.id
    assert event.description == event.summary == ""
    invited = sorted(i.email for i in db.session.scalars(select(Invitation)))
    assert invited == sorted(
        [table.partners[0].email, table.partners[1].email, "partner.zonder.account@example.org"]
    )
    mails = delivered(mailbox)
    invitations_sent = [m for m in mails if m["Subject"].startswith("Uitnodiging")]
    assert len(invitations_sent) == 3
    for message in mails:
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert_no_case_text(part.get_content())
    update = next(m for m in mails if m["To"] == table.requester.email)
    assert update["Subject"] == f"Je hebt een update over casus {case.code}"


def test_a_plan_in_the_past_or_without_anyone_is_refused_and_leaves_nothing(
    client, table, make_case
):
    case = make_case()

    past = plan(client, table, case, days=-1)
    nobody = plan(client, table, case, members=[], emails="")
    no_place = plan(client, table, case, venue_name="")

    assert past.status_code == 422 and "Kies een moment in de toekomst." in past.text
    assert nobody.status_code == 422
    assert "Kies minstens één lid of organisatie, of geef een e-mailadres." in nobody.text
    assert no_place.status_code == 422
    assert count(Event) == 0 and count(Invitation) == 0
    db.session.refresh(case)
    assert case.state == "requested" and case.event_id is None


def test_planning_twice_answers_409(client, table, make_case):
    case = make_case()
    assert plan(client, table, case).status_code == 302

    again = plan(client, table, case)

    assert again.status_code == 409
    assert count(Event) == 1


def test_partners_see_the_case_once_they_accept(client, table, make_case):
    case = make_case()
    plan(client, table, case)
    first, second = (
        db.session.scalar(select(Invitation).where(Invitation.email == p.email))
        for p in table.partners[:2]
    )
    invitations.accept(first)
    invitations.decline(second)
    db.session.commit()

    sign_in(client, table.partners[0])
    seen = client.get(f"/casustafel/{case.code}")
    sign_in(client, table.partners[1])
    declined = client.get(f"/casustafel/{case.code}")

    assert seen.status_code == 200 and STUCK in seen.text
    assert declined.status_code == 404 and STUCK not in declined.text
    sign_in(client, table.coordinator)
    page = client.get(f"/casustafel/{case.code}").text
    assert table.partners[0].display_name in page  # who accepted
    assert first.status == InvitationStatus.ACCEPTED


# --- overview and counts ------------------------------------------------------------


def test_the_overview_lists_my_requests_and_the_queue_of_my_regions_only(client, table, make_case):
    normal = make_case(urgency="normaal")
    urgent = make_case(urgency="dringend", question="Een andere vraag aan de tafel.")

    sign_in(client, table.coordinator)
    mine = client.get("/casustafel")
    filtered = client.get("/casustafel?status=accepted")
    sign_in(client, table.other_coordinator)
    theirs = client.get("/casustafel")
    sign_in(client, table.requester)
    requester = client.get("/casustafel")

    assert mine.text.index(urgent.code) < mine.text.index(normal.code)  # urgent first
    assert normal.code not in filtered.text
    assert normal.code not in theirs.text and urgent.code not in theirs.text
    assert normal.code in requester.text and "Aanvragen in mijn regio" not in requester.text
    assert client.get("/casustafel?status=onzin").status_code == 400
    assert client.get("/casustafel?pagina=0").status_code == 400


def test_counts_show_numbers_by_region_and_state_without_codes(client, table, make_case):
    case = make_case()
    sign_in(client, table.admin)

    response = client.get("/casustafel/cijfers")

    assert response.status_code == 200
    assert case.code not in response.text and STUCK not in response.text
    row = re.search(r"West-Vlaanderen</th>(.*?)</tr>", response.text, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row)[0] == "1"
    sign_in(client, table.member)
    assert client.get("/casustafel/cijfers").status_code == 403
