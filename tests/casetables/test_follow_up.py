"""The follow-up of a closed case (issue 19, "Follow-up"): the check-in mail once, on or
after the day (clock moved), and the requester's one line back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casetables.follow_up import NotYetClosed, NotYourFollowUp, report_back, send_follow_ups
from casetables.outcome import OutcomeFields, close_case
from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import deliver_outbox
from tests.conftest import links_in

from .meeting_helpers import CASE_TEXTS, planned_case

CHECK_IN = dt.date(2027, 2, 1)


@pytest.fixture
def closed(app, make_user, make_region):
    table = planned_case(make_user, make_region)
    now = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)
    fields = OutcomeFields("no_fit", kind="naft", follow_up_on=CHECK_IN)
    close_case(table.case, table.coordinator, fields, now)
    db.session.query(OutboxMessage).delete()  # the closing mails: not these tests'
    db.session.commit()
    return table


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    """``day`` at ``hour``:00 UTC (9:00 in Brussels in winter)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def test_the_requester_is_mailed_once_on_the_check_in_day(closed, mailbox):
    assert send_follow_ups(at(CHECK_IN - dt.timedelta(days=1))) == 0
    assert send_follow_ups(at(CHECK_IN)) == 1
    db.session.commit()
    assert send_follow_ups(at(CHECK_IN + dt.timedelta(days=1))) == 0  # once
    deliver_outbox()
    (mail,) = mailbox
    assert mail["To"] == closed.requester.email
    assert mail["Subject"] == f"Je hebt een update over casus {closed.case.code}"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert CASE_TEXTS[0][:15] not in body and "NAFT" not in body
    assert links_in(mail)[0].endswith(f"/casustafel/{closed.case.code}/opvolging")


def test_a_missed_day_is_caught_up_after(closed):
    assert send_follow_ups(at(CHECK_IN + dt.timedelta(days=9))) == 1


def test_the_daily_command_sends_what_is_due(closed, runner, mailbox):
    closed.case.follow_up_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["send-case-follow-ups"])
    assert result.exit_code == 0 and "1 opvolgmails klaargezet" in result.output
    assert [m["To"] for m in mailbox] == [closed.requester.email]
    again = runner.invoke(args=["send-case-follow-ups"])
    assert "0 opvolgmails klaargezet" in again.output and len(mailbox) == 1


def test_the_requester_reports_back_in_one_line_and_the_coordinator_sees_it(
    closed, client, sign_in_as
):
    url = f"/casustafel/{closed.case.code}/opvolging"
    sign_in_as(closed.requester)
    assert client.post_form(url, {"line": "Start in de NAFT, loopt goed."}).status_code == 303
    db.session.refresh(closed.case)
    assert closed.case.follow_up_report == "Start in de NAFT, loopt goed."
    assert closed.case.follow_up_reported_at is not None
    sign_in_as(closed.coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Start in de NAFT, loopt goed." in page.text
    assert (
        "<form" not in page.text.split("<main")[-1].split("</main>")[0] or "line" not in page.text
    )
    assert client.post_form(url, {"line": "Namens de aanvrager."}).status_code == 403


@pytest.mark.parametrize(
    "line, said",
    [
        ("Jan Peeters gaat weer naar school.", "naam"),
        ("x" * 301, "Hoogstens 300 tekens"),
        ("", "Vul dit veld in"),
    ],
)
def test_a_bad_line_is_refused_and_kept(closed, client, sign_in_as, line, said):
    sign_in_as(closed.requester)
    response = client.post_form(f"/casustafel/{closed.case.code}/opvolging", {"line": line})
    assert 400 <= response.status_code < 500
    assert said in response.text
    db.session.refresh(closed.case)
    assert closed.case.follow_up_report == ""


def test_only_the_requester_after_closing_reports_back(app, make_user, make_region, closed):
    with pytest.raises(NotYourFollowUp):
        report_back(closed.case, closed.coordinator, "Goed.", utcnow())
    table = planned_case(make_user, make_region)
    with pytest.raises(NotYetClosed):
        report_back(table.case, table.requester, "Goed.", utcnow())
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_nul_byte_never_reaches_the_database(closed, client, sign_in_as):
    sign_in_as(closed.requester)
    url = f"/casustafel/{closed.case.code}/opvolging"
    response = client.post_form(url, {"line": "Gaat \x00beter\x1b."})
    assert response.status_code < 500
    db.session.refresh(closed.case)
    assert "\x00" not in closed.case.follow_up_report
