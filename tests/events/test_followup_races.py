"""Issue 17 at the same moment from several connections: one answer per participant, one
certificate per participant (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from events.followup import certificates, evaluation
from events.followup.errors import AlreadyAnswered
from events.models import Certificate, Evaluation, Registration
from tests.events.followup_helpers import participant, took_place
from tests.events.test_concurrency import _in_parallel

pytestmark = pytest.mark.real_commits


def _answer(registration_id: int):
    def job():
        registration = db.session.get(Registration, registration_id)
        questions = evaluation.questions_of(registration.event)
        values = {"content": "4", "practice": "4", "organisation": "4", "speakers": "4"}
        answers = evaluation.parse_answers(questions, values)
        evaluation.submit_evaluation(registration, answers, dt.datetime.now(dt.UTC))

    return job


def _issue(registration_id: int):
    def job():
        certificates.issue_certificate(db.session.get(Registration, registration_id))

    return job


def test_a_double_submit_stores_one_evaluation(app, make_event):
    registration_id = participant(took_place(make_event)).id

    errors = _in_parallel(app, [_answer(registration_id) for _ in range(4)])

    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 1
    assert len(errors) == 3 and all(isinstance(e, AlreadyAnswered) for e in errors), errors


def test_simultaneous_downloads_issue_one_certificate(app, make_event):
    registration_id = participant(took_place(make_event)).id

    errors = _in_parallel(app, [_issue(registration_id) for _ in range(4)])

    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
