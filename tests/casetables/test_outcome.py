"""Closing a case with an outcome (issue 19, "Outcome"): an offer of the regional map, a
custom arrangement, or no fitting offer, which raises or strengthens a signal that carries
nothing of the case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casetables.meeting import add_agreement, brussels_today, save_note
from casetables.models import CaseMessage
from casetables.outcome import FOLLOW_UP_AFTER, NotClosable, OutcomeFields, close_case
from casetables.requests import CaseRefused
from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from regionmap.models import Offer
from signals.models import LogEntry, Recognition, Signal

from .meeting_helpers import CASE_TEXTS, planned_case


@pytest.fixture
def table(app, make_user, make_region):
    return planned_case(make_user, make_region)


def close_url(table) -> str:
    return f"/casustafel/{table.case.code}/afsluiten"


def signals() -> list[Signal]:
    return list(db.session.scalars(select(Signal).order_by(Signal.id)))


def test_an_offer_found_is_linked_with_its_kind(table, client, sign_in_as):
    offer = Offer(slug="naft-x", title="NAFT X", region=table.region, kind="naft")
    db.session.add(offer)
    db.session.commit()
    sign_in_as(table.coordinator)
    assert "NAFT X" in client.get(close_url(table)).text
    response = client.post_form(close_url(table), {"outcome": "offer_found", "offer_id": offer.id})
    assert response.status_code == 303
    db.session.refresh(table.case)
    case = table.case
    assert (case.state, case.outcome, case.outcome_offer_id, case.outcome_offer_kind) == (
        "closed",
        "offer_found",
        offer.id,
        "naft",
    )
    assert case.closed_at is not None and case.signal_id is None and signals() == []


def test_closing_sets_the_check_in_six_weeks_ahead_and_tells_everyone_only_the_code(table, mailbox):
    now = utcnow()
    close_case(table.case, table.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), now)
    db.session.commit()
    assert table.case.follow_up_on == brussels_today(now) + FOLLOW_UP_AFTER
    assert table.case.closed_at == now
    deliver_outbox()
    received = sorted(m["To"] for m in mailbox)
    expected = sorted(p.email for p in [table.requester, *table.partners])
    assert received == expected
    for mail in mailbox:
        assert mail["Subject"] == f"Je hebt een update over casus {table.case.code}"
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert "dagbesteding" not in body and CASE_TEXTS[0][:15] not in body


def test_a_custom_arrangement_needs_a_guarded_description_and_a_kind(table, client, sign_in_as):
    sign_in_as(table.coordinator)
    data = {"outcome": "custom", "kind": "time_out", "note": "Jan Peeters gaat naar oma."}
    refused = client.post_form(close_url(table), data)
    assert refused.status_code == 422 and 'id="note-error"' in refused.text
    assert "Jan Peeters gaat naar oma.</textarea>" in refused.text
    no_kind = client.post_form(
        close_url(table), {"outcome": "custom", "note": "Een traject op maat."}
    )
    assert no_kind.status_code == 422 and 'id="kind-error"' in no_kind.text
    db.session.refresh(table.case)
    assert table.case.state == "planned"
    data["note"] = "Twee dagen school, drie dagen dagbesteding op maat."
    assert client.post_form(close_url(table), data).status_code == 303
    db.session.refresh(table.case)
    assert (table.case.outcome, table.case.outcome_offer_kind) == ("custom", "time_out")
    assert table.case.outcome_note.startswith("Twee dagen school")


def test_no_fitting_offer_raises_a_signal_of_anonymous_fields_only(table, make_theme):
    make_theme(1), make_theme(2)
    case = table.case
    save_note(
        case,
        table.partners[0],
        table.partners[0].id,
        "Wachtlijst van zes maanden bij ons.",
        utcnow(),
    )
    add_agreement(
        case,
        table.coordinator,
        table.partners[1].id,
        "Vraagt een plaats in Kortrijk.",
        None,
        utcnow(),
    )
    db.session.add(CaseMessage(case_id=case.id, body="Is er al een diagnose gesteld?"))
    close_case(case, table.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), utcnow())
    db.session.commit()
    (signal,) = signals()
    assert case.signal_id == signal.id
    assert (signal.region_id, signal.reporter_id, signal.age_group) == (
        table.region.id,
        table.coordinator.id,
        "12-15",
    )
    assert [t.number for t in signal.themes] == [2]  # secondary school: theme 2
    assert "alternatieve dagbesteding" in signal.title and table.region.name in signal.title
    written = " ".join(
        [signal.title, signal.description, signal.services, signal.tried, signal.would_help]
    )
    for text in (*CASE_TEXTS, "Wachtlijst", "zes maanden", "Kortrijk", "diagnose", case.code):
        assert text not in written


def test_another_case_without_the_same_offer_strengthens_the_open_signal(
    app, make_user, make_region, table
):
    close_case(
        table.case, table.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), utcnow()
    )
    db.session.commit()
    second = planned_case(make_user, make_region, region=table.region, partners=1)
    close_case(
        second.case, second.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), utcnow()
    )
    db.session.commit()
    (signal,) = signals()
    assert second.case.signal_id == signal.id
    steps = db.session.scalars(select(LogEntry.action).where(LogEntry.signal_id == signal.id)).all()
    assert steps == ["reported", "case_table"]
    recognitions = db.session.scalars(select(Recognition.user_id)).all()
    assert recognitions == [second.coordinator.id] and signal.recognition_count == 1
    # Another kind, another age group, or a closed signal: a new signal.
    third = planned_case(make_user, make_region, region=table.region, partners=1, age_group="15-18")
    close_case(
        third.case, third.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), utcnow()
    )
    db.session.commit()
    assert len(signals()) == 2 and third.case.signal_id != signal.id


def test_the_same_coordinator_strengthening_their_own_signal_is_logged_not_recognised(
    app, make_user, make_region, table
):
    close_case(table.case, table.coordinator, OutcomeFields("no_fit", kind="naft"), utcnow())
    second = planned_case(make_user, make_region, region=table.region, partners=1)
    close_case(second.case, table.coordinator, OutcomeFields("no_fit", kind="naft"), utcnow())
    db.session.commit()
    (signal,) = signals()
    assert signal.recognition_count == 0
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 2


@pytest.mark.parametrize(
    "fields, field_name",
    [
        (OutcomeFields(None), "outcome"),
        (OutcomeFields("iets"), "outcome"),
        (OutcomeFields("offer_found", offer_id=987654), "offer_id"),
        (OutcomeFields("offer_found", offer_id=99999999999999999999), "offer_id"),
        (OutcomeFields("no_fit", kind="tovenarij"), "kind"),
        (OutcomeFields("no_fit", kind="naft", follow_up_on=dt.date(2020, 1, 1)), "follow_up_on"),
        (OutcomeFields("no_fit", kind="naft", follow_up_on=dt.date(2999, 1, 1)), "follow_up_on"),
    ],
)
def test_bad_outcomes_are_refused_and_nothing_changes(table, fields, field_name):
    with pytest.raises(CaseRefused) as refused:
        close_case(table.case, table.coordinator, fields, utcnow())
    assert refused.value.field == field_name
    db.session.rollback()
    db.session.refresh(table.case)
    assert table.case.state == "planned" and signals() == []


def test_a_closed_case_is_not_closed_again(table, client, sign_in_as):
    close_case(table.case, table.coordinator, OutcomeFields("no_fit", kind="naft"), utcnow())
    db.session.commit()
    with pytest.raises(NotClosable):
        close_case(table.case, table.coordinator, OutcomeFields("no_fit", kind="naft"), utcnow())
    sign_in_as(table.coordinator)
    response = client.post_form(close_url(table), {"outcome": "no_fit", "kind": "naft"})
    assert response.status_code == 409
    assert len(signals()) == 1


def test_only_the_regions_coordinators_close(table, client, sign_in_as):
    sign_in_as(table.partners[0])
    assert client.get(close_url(table)).status_code == 403
    assert (
        client.post_form(close_url(table), {"outcome": "no_fit", "kind": "naft"}).status_code == 403
    )
    db.session.refresh(table.case)
    assert table.case.state == "planned"


def test_a_case_in_the_wrong_state_answers_409(app, make_user, make_region, client, sign_in_as):
    table = planned_case(make_user, make_region)
    table.case.state = "requested"
    db.session.commit()
    sign_in_as(table.coordinator)
    response = client.post_form(close_url(table), {"outcome": "no_fit", "kind": "naft"})
    assert response.status_code == 409
    db.session.refresh(table.case)
    assert (table.case.state, table.case.outcome) == ("requested", None)
