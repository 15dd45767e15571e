"""Meeting notes per partner and agreements with their confirmation (issue 19, "Meeting
notes"): who may read and write, the strict guard, the mail that says nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casetables.meeting import (
    NotPlanned,
    NotYourAgreement,
    NotYourNote,
    add_agreement,
    confirm_agreement,
    save_note,
)
from casetables.models import CaseAgreement, CaseNote, CaseRead
from casetables.requests import CaseRefused
from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from tests.conftest import links_in

from .meeting_helpers import CASE_TEXTS, planned_case

SOON = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def table(app, make_user, make_region):
    return planned_case(make_user, make_region)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def notes_url(table) -> str:
    return f"/casustafel/{table.case.code}/verslag"


def test_a_partner_writes_and_edits_their_own_note(table, client, sign_in_as):
    partner = table.partners[0]
    sign_in_as(partner)
    first = client.post_form(
        notes_url(table), {"partner_id": partner.id, "body": "Wij bieden een traject."}
    )
    assert first.status_code == 303
    again = client.post_form(
        notes_url(table), {"partner_id": partner.id, "body": "Wij starten volgende week."}
    )
    assert again.status_code == 303
    notes = db.session.scalars(select(CaseNote)).all()
    assert [(n.partner_id, n.body) for n in notes] == [(partner.id, "Wij starten volgende week.")]
    assert notes[0].updated_at is not None
    page = client.get(notes_url(table))
    assert page.status_code == 200 and "Wij starten volgende week." in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_a_partner_cannot_write_another_partners_note_and_a_coordinator_can(
    table, client, sign_in_as
):
    sign_in_as(table.partners[0])
    other = table.partners[1].id
    refused = client.post_form(notes_url(table), {"partner_id": other, "body": "Namens jou."})
    assert refused.status_code == 422  # not among the choices of this partner's form
    with pytest.raises(NotYourNote):
        save_note(table.case, table.partners[0], other, "Namens jou.", utcnow())
    assert count(CaseNote) == 0
    sign_in_as(table.coordinator)
    done = client.post_form(notes_url(table), {"partner_id": other, "body": "Ingebracht: NAFT."})
    assert done.status_code == 303
    note = db.session.scalar(select(CaseNote))
    assert (note.partner_id, note.author_id) == (other, table.coordinator.id)


def test_an_identifying_note_is_refused_at_the_field_kept_in_the_form_and_not_saved(
    table, client, sign_in_as
):
    partner = table.partners[0]
    sign_in_as(partner)
    text = "Jan Peeters komt niet meer naar school."
    response = client.post_form(notes_url(table), {"partner_id": partner.id, "body": text})
    assert response.status_code == 422
    assert 'id="body-error"' in response.text and "naam" in response.text
    assert "Jan Peeters komt niet meer naar school.</textarea>" in response.text
    assert count(CaseNote) == 0
    # The refused form shows the case again: that read is logged, as a GET's would be.
    assert db.session.scalars(select(CaseRead.reader_id)).all() == [partner.id]


def test_notes_need_a_planned_table(app, make_user, make_region, client, sign_in_as):
    table = planned_case(make_user, make_region)
    table.case.state = "accepted"
    db.session.commit()
    with pytest.raises(NotPlanned):
        save_note(table.case, table.coordinator, table.coordinator.id, "Iets.", utcnow())
    sign_in_as(table.coordinator)
    response = client.post_form(
        notes_url(table), {"partner_id": table.coordinator.id, "body": "Iets."}
    )
    assert response.status_code == 409
    assert count(CaseNote) == 0


@pytest.mark.parametrize("who", ["requester", "coordinator", "partner"])
def test_the_table_the_requester_and_the_coordinators_read_the_notes_and_each_read_is_logged(
    table, client, sign_in_as, who
):
    reader = {"requester": table.requester, "coordinator": table.coordinator}.get(
        who, table.partners[2]
    )
    sign_in_as(reader)
    assert client.get(notes_url(table)).status_code == 200
    reads = db.session.scalars(select(CaseRead.reader_id)).all()
    assert reads == [reader.id]


def test_nobody_else_reads_the_notes_not_even_an_admin(
    table, client, sign_in_as, make_user, make_region
):
    other_region = make_region()
    for outsider in (
        make_user(),
        make_user("admin"),
        make_user("coordinator", regions=[other_region]),
    ):
        sign_in_as(outsider)
        for url in (
            notes_url(table),
            f"/casustafel/{table.case.code}/afsluiten",
            f"/casustafel/{table.case.code}/opvolging",
        ):
            assert client.get(url).status_code == 404, (outsider, url)
    assert count(CaseRead) == 0


def test_the_coordinator_records_an_agreement_and_the_partner_gets_a_mail_without_content(
    table, client, sign_in_as, mailbox
):
    partner = table.partners[1]
    sign_in_as(table.coordinator)
    response = client.post_form(
        f"{notes_url(table)}/afspraken",
        {
            "partner_id": partner.id,
            "what": "Belt de NAFT-aanbieder voor een intake.",
            "due_on": SOON,
        },
    )
    assert response.status_code == 303
    agreement = db.session.scalar(select(CaseAgreement))
    assert (agreement.partner_id, agreement.what) == (
        partner.id,
        "Belt de NAFT-aanbieder voor een intake.",
    )
    deliver_outbox()
    mails = [m for m in mailbox if partner.email in m["To"]]
    assert len(mails) == 1
    assert mails[0]["Subject"] == f"Je hebt een update over casus {table.case.code}"
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert "NAFT" not in body and all(text[:20] not in body for text in CASE_TEXTS)
    assert any(
        link.endswith(f"/casustafel/{table.case.code}/verslag") for link in links_in(mails[0])
    )


@pytest.mark.parametrize(
    "values, field_name",
    [
        ({"what": "Bellen met Jan Peeters.", "due_on": SOON}, "what"),
        ({"what": "Intake plannen.", "due_on": "2001-01-10"}, "due_on"),
        ({"what": "Intake plannen.", "due_on": "geen datum"}, "due_on"),
        ({"what": "", "due_on": ""}, "what"),
    ],
)
def test_a_bad_agreement_is_refused_at_its_field(table, client, sign_in_as, values, field_name):
    sign_in_as(table.coordinator)
    data = {"partner_id": table.partners[0].id, **values}
    response = client.post_form(f"{notes_url(table)}/afspraken", data)
    assert response.status_code == 422
    assert f'id="{field_name}-error"' in response.text
    assert count(CaseAgreement) == 0


def test_only_a_table_participant_can_be_given_an_agreement(table, make_user):
    with pytest.raises(CaseRefused) as refused:
        add_agreement(table.case, table.coordinator, make_user().id, "Iets doen.", None, utcnow())
    assert refused.value.field == "partner_id"


def test_each_partner_confirms_their_own_agreement_once(table, client, sign_in_as):
    first, second = table.partners[0], table.partners[1]
    agreement = add_agreement(
        table.case, table.coordinator, first.id, "Intake plannen.", None, utcnow()
    )
    db.session.commit()
    url = f"/casustafel/{table.case.code}/afspraken/{agreement.id}/bevestigen"
    sign_in_as(second)
    assert client.post_form(url, {}).status_code == 403
    with pytest.raises(NotYourAgreement):
        confirm_agreement(agreement, table.coordinator, utcnow())
    sign_in_as(first)
    assert client.post_form(url, {}).status_code == 303
    db.session.refresh(agreement)
    confirmed_at = agreement.confirmed_at
    assert confirmed_at is not None
    assert client.post_form(url, {}).status_code == 303  # idempotent
    db.session.refresh(agreement)
    assert agreement.confirmed_at == confirmed_at
    page = client.get(notes_url(table))
    assert "bevestigd op" in page.text and "Ik bevestig deze afspraak" not in page.text


def _panel(app, user, case) -> str:
    """The meeting panel as the case page includes it (context: case, current_user)."""
    from flask import render_template
    from flask_login import login_user

    with app.test_request_context(f"/casustafel/{case.code}"):
        login_user(user)
        return render_template("casetables/_meeting_panel.html", case=case, current_user=user)


def test_the_panel_sums_up_and_offers_the_partner_their_own_confirmation(app, table):
    from casetables.outcome import OutcomeFields, close_case

    first, second = table.partners[0], table.partners[1]
    save_note(table.case, first, first.id, "Wij kunnen helpen.", utcnow())
    mine = add_agreement(table.case, table.coordinator, first.id, "Belt de dienst.", None, utcnow())
    add_agreement(table.case, table.coordinator, second.id, "Zoekt een plaats.", None, utcnow())
    db.session.commit()

    html = _panel(app, first, table.case)
    assert "Notities: 1 · afspraken: 2, waarvan 0 bevestigd" in html
    assert f"/afspraken/{mine.id}/bevestigen" in html and "Belt de dienst." in html
    assert "Zoekt een plaats." not in html  # another partner's: not theirs to confirm
    assert "Casus afsluiten" not in html
    assert "Casus afsluiten" in _panel(app, table.coordinator, table.case)
    assert _panel(app, table.partners[2], table.case).count("bevestigen") == 0

    close_case(table.case, table.coordinator, OutcomeFields("no_fit", kind="naft"), utcnow())
    db.session.commit()
    closed = _panel(app, table.coordinator, table.case)
    assert "Uitkomst: geen passend aanbod (NAFT)" in closed
    assert f"/signalen/{table.case.signal_id}" in closed and "/opvolging" in closed
    assert "/signalen/" not in _panel(app, table.requester, table.case)


def test_the_panel_shows_nothing_to_someone_without_access(app, table, make_user):
    assert _panel(app, make_user("admin"), table.case).strip() == ""
