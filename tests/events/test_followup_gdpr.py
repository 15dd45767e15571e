"""Issue 17 in a member's data export and erasure: certificates, evaluation markers and the
agenda-mail subscription go; the anonymous evaluation answers stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from community.core.extensions import db
from community.gdpr.rights import delete_account, export_member_data
from events import agenda_mail
from events.followup import certificates, evaluation
from events.models import AgendaSubscription, Certificate, Evaluation, EvaluationRequest
from tests.conftest import PASSWORD
from tests.events.followup_helpers import participant, took_place


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _member_with_follow_up(make_event, make_user):
    member = make_user(display_name="Sofie Claeys", email="sofie@example.org")
    event = took_place(make_event)
    registration = participant(event, user=member)
    certificate = certificates.issue_certificate(registration)
    answers = evaluation.parse_answers(
        evaluation.questions_of(event),
        {"content": "4", "practice": "5", "organisation": "3", "speakers": "4"},
    )
    evaluation.submit_evaluation(registration, answers, dt.datetime.now(dt.UTC))
    agenda_mail.subscribe(member.email, agenda_mail.AgendaChoice(), dt.datetime.now(dt.UTC))
    db.session.commit()
    return member, certificate


def test_export_holds_certificates_evaluation_markers_and_the_agenda_mail(make_event, make_user):
    member, certificate = _member_with_follow_up(make_event, make_user)

    data = export_member_data(member)["follow_up"]

    assert [c["code"] for c in data["certificates"]] == [certificate.code]
    assert data["evaluations"][0]["has_answered"] is True
    assert "answers" not in data["evaluations"][0], "the answers are nobody's"
    assert data["agenda_mail"][0]["email"] == "sofie@example.org"


def test_erasure_removes_them_and_keeps_the_anonymous_answers(make_event, make_user):
    member, certificate = _member_with_follow_up(make_event, make_user)
    code = certificate.code
    other = make_user(email="ander@example.org")
    agenda_mail.subscribe(other.email, agenda_mail.AgendaChoice(), dt.datetime.now(dt.UTC))
    db.session.commit()

    delete_account(member, PASSWORD)
    db.session.commit()

    assert count(Certificate) == 0 and count(EvaluationRequest) == 0
    assert count(Evaluation) == 1
    assert [s.email for s in db.session.scalars(select(AgendaSubscription))] == [other.email]
    assert db.session.scalar(select(Certificate).where(Certificate.code == code)) is None


def test_purge_removes_certificates_after_three_years_and_markers_after_a_year(
    app, make_event, make_user
):
    from community.gdpr.rights import purge

    _member, certificate = _member_with_follow_up(make_event, make_user)
    code = certificate.code
    ended = certificate.event_ends_at

    after_a_year = purge(ended + dt.timedelta(days=366), app.config)
    db.session.commit()
    assert after_a_year["evaluation_markers"] == 1 and after_a_year["certificates"] == 0
    assert count(EvaluationRequest) == 0 and count(Certificate) == 1
    assert certificates.verify(code).code == code

    after_three_years = purge(ended + dt.timedelta(days=3 * 365 + 1), app.config)
    db.session.commit()
    assert after_three_years["certificates"] == 1
    assert count(Certificate) == 0 and count(Evaluation) == 1, "the anonymous answers stay"
