"""The evaluation after an activity (issue 17): anonymous answers, once per person, a summary
from three answers on, the mail the day after and one reminder."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select

from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from events.followup import evaluation, mailing
from events.followup.errors import (
    AlreadyAnswered,
    EvaluationClosed,
    InvalidAnswer,
    NotPresent,
    QuestionsLocked,
)
from events.models import Evaluation, EvaluationForm, EvaluationRequest, EventType
from tests.conftest import links_in
from tests.events.followup_helpers import participant, took_place
from tests.pages_helpers import sign_in

GOOD = {"content": "5", "practice": "4", "organisation": "3", "speakers": "5"}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def answer(registration, **extra):
    questions = evaluation.questions_of(registration.event)
    answers = evaluation.parse_answers(questions, {**GOOD, **extra})
    result = evaluation.submit_evaluation(registration, answers, now())
    db.session.commit()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_activity_type_has_a_template_with_the_three_scores_and_two_open_questions():
    for kind in EventType:
        keys = [q["key"] for q in evaluation.template_questions(kind)]
        assert "content" in keys and "practice" in keys
        assert "take_away" in keys and "missing" in keys
    training = evaluation.template_questions(EventType.TRAINING)
    assert [q["key"] for q in training if q["kind"] == "score"] == [
        "content",
        "practice",
        "organisation",
        "speakers",
    ]


def test_answers_are_stored_without_a_person_and_marked_answered_apart(make_event):
    registration = participant(took_place(make_event))

    stored = answer(registration, take_away="Het stappenplan voor het MDO.")

    columns = {c.key for c in inspect(Evaluation).columns}
    assert columns == {"id", "event_id", "answers"}, "no person, no registration, no time"
    assert re.fullmatch(r"[0-9a-f]{32}", stored.id), "a random key, not a sequence"
    assert stored.answers["take_away"] == "Het stappenplan voor het MDO."
    assert evaluation.has_answered(registration)
    assert db.session.get(EvaluationForm, 1) is not None or count(EvaluationForm) == 1


def test_a_participant_answers_once(make_event):
    registration = participant(took_place(make_event))
    answer(registration)

    with pytest.raises(AlreadyAnswered):
        answer(registration)
    assert count(Evaluation) == 1


def test_only_present_participants_answer(make_event):
    registration = participant(took_place(make_event), attended=None)

    with pytest.raises(NotPresent):
        answer(registration)
    assert count(Evaluation) == 0 and count(EvaluationRequest) == 0


def test_the_evaluation_closes_thirty_days_after_the_activity(make_event):
    registration = participant(took_place(make_event, days_ago=31))

    with pytest.raises(EvaluationClosed):
        answer(registration)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "", "Kies een score van 1 tot 5."),
        ("content", "6", "Kies een score van 1 tot 5."),
        ("practice", "٣", "Kies een score van 1 tot 5."),
        ("missing", "x" * 2001, "Je antwoord is te lang (hoogstens 2000 tekens)."),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_is_stored(
    client, make_event, field, value, message
):
    registration = participant(took_place(make_event))
    url = f"/evaluatie/{mailing.evaluation_token(registration)}"
    client.get(url)

    response = client.post_form(url, {**GOOD, field: value})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Evaluation) == 0
    assert not evaluation.has_answered(registration)


def test_answering_through_the_mail_link_without_signing_in(client, make_event):
    registration = participant(took_place(make_event))
    url = f"/evaluatie/{mailing.evaluation_token(registration)}"

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "De inhoud van de activiteit" in html and "Wat neem je mee naar je praktijk?" in html
    response = client.post_form(url, {**GOOD, "take_away": "Meer overleg met het CLB."})

    assert response.status_code == 200
    assert "Bedankt! Je evaluatie is anoniem bewaard." in response.get_data(as_text=True)
    assert count(Evaluation) == 1
    again = client.get(url).get_data(as_text=True)
    assert "Je evaluatie van deze activiteit is bewaard" in again


def test_personal_data_in_an_open_answer_warns_and_may_be_sent_after_checking(client, make_event):
    registration = participant(took_place(make_event))
    url = f"/evaluatie/{mailing.evaluation_token(registration)}"
    client.get(url)
    text = "Bel gerust de leerkracht op 0475 12 34 56."

    warned = client.post_form(url, {**GOOD, "missing": text})
    assert warned.status_code == 422
    assert "Nakijken: 0475 12 34 56" in warned.get_data(as_text=True)
    assert count(Evaluation) == 0

    sent = client.post_form(url, {**GOOD, "missing": text, "checked": "y"})
    assert sent.status_code == 200 and count(Evaluation) == 1


def test_a_link_of_someone_not_present_or_forged_does_not_open_the_form(client, make_event):
    absent = participant(took_place(make_event), attended=False)

    assert client.get(f"/evaluatie/{mailing.evaluation_token(absent)}").status_code == 403
    assert client.get("/evaluatie/vals").status_code == 404
    certificate_token = mailing.certificate_token(absent)
    assert client.get(f"/evaluatie/{certificate_token}").status_code == 404, "other purpose"


def add_answers(event, scores: list[int], texts: list[str]):
    for n, (score, text) in enumerate(zip(scores, texts, strict=True)):
        registration = participant(event, name=f"Deelnemer {n}", email=f"d{n}@example.org")
        answer(registration, content=str(score), missing=text, practice="4", organisation="4")


def test_fewer_than_three_answers_show_only_the_count(client, make_event, make_user):
    event = took_place(make_event)
    add_answers(event, [5, 2], ["Koffie.", "Meer tijd."])
    sign_in(client, make_user("coordinator", regions=[event.region]))

    html = client.get(f"/beheer/activiteiten/{event.slug}/evaluatie").get_data(as_text=True)

    assert "Er zijn 2 antwoorden." in html
    assert "pas vanaf 3 antwoorden" in html
    assert "Koffie." not in html and "<img" not in html
    export = client.get(f"/beheer/activiteiten/{event.slug}/evaluatie.xlsx")
    assert export.status_code == 303
    assert evaluation.summarise(event).scores == []


def test_summary_with_charts_and_the_open_answers_alphabetically(client, make_event, make_user):
    event = took_place(make_event)
    add_answers(event, [5, 4, 3], ["Zaal te klein.", "Meer voorbeelden.", "Koffie."])
    sign_in(client, make_user("coordinator", regions=[event.region]))

    html = client.get(f"/beheer/activiteiten/{event.slug}/evaluatie").get_data(as_text=True)

    assert 'class="chart"' in html and "data:image/svg+xml;base64," in html
    assert "<svg" not in html and "<script" not in html.split("</header>")[-1]
    assert html.index("Koffie.") < html.index("Meer voorbeelden.") < html.index("Zaal te klein.")
    summary = evaluation.summarise(event)
    content = next(s for s in summary.scores if s.key == "content")
    assert content.counts == [0, 0, 1, 1, 1] and content.average == 4.0


def test_xlsx_export_of_the_summary(client, make_event, make_user):
    event = took_place(make_event)
    add_answers(event, [5, 4, 4], ["=HYPERLINK(1)", "Meer voorbeelden.", "Koffie."])
    sign_in(client, make_user("coordinator", regions=[event.region]))

    response = client.get(f"/beheer/activiteiten/{event.slug}/evaluatie.xlsx")

    assert response.status_code == 200
    assert response.content_type == evaluation.XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.data))
    scores = [row for row in book["Scores"].iter_rows(values_only=True)]
    assert ("De inhoud van de activiteit", 0, 0, 0, 2, 1, 3, 4.3) in scores
    texts = [row[1] for row in book["Open antwoorden"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in texts, "formulas neutralised"


def test_organiser_edits_the_questions_until_answers_come_in(client, make_event, make_user):
    event = took_place(make_event)
    sign_in(client, make_user("coordinator", regions=[event.region]))
    url = f"/beheer/activiteiten/{event.slug}/evaluatie/vragen"
    assert "De inhoud van de activiteit" in client.get(url).get_data(as_text=True)
    rows = {
        "key": ["content", "practice", ""],
        "kind": ["score", "score", "text"],
        "label": [
            "De inhoud van de activiteit",
            "Bruikbaar op school?",
            "Tips voor volgende keer?",
        ],
        "enabled": "y",
    }

    response = client.post_form(url, rows)

    assert response.status_code == 302
    questions = evaluation.questions_of(event)
    assert [q["label"] for q in questions] == [
        "",
        "Bruikbaar op school?",
        "Tips voor volgende keer?",
    ]
    assert questions[2]["kind"] == "text" and questions[2]["key"].startswith("q")

    answer(participant(event), content="4", practice="5")
    refused = client.post_form(url, {**rows, "label": ["Iets anders", "", ""]})
    assert refused.status_code == 409
    assert "de vragen liggen vast" in refused.get_data(as_text=True)
    assert [q["label"] for q in evaluation.questions_of(event)][1] == "Bruikbaar op school?"


def test_questions_cannot_all_be_removed(client, make_event, make_user):
    event = took_place(make_event)
    sign_in(client, make_user("coordinator", regions=[event.region]))

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/evaluatie/vragen",
        {"key": ["content"], "kind": ["score"], "label": [""]},
    )

    assert response.status_code == 422
    assert "minstens één vraag" in response.get_data(as_text=True)
    assert count(EvaluationForm) == 0


def test_changed_questions_after_answers_raise_locked(make_event):
    event = took_place(make_event)
    answer(participant(event))

    with force_locale("nl"), pytest.raises(QuestionsLocked):
        evaluation.save_questions(event, [("content", "score", "Anders")], is_enabled=True)


def test_scores_must_be_whole_numbers_one_to_five():
    questions = [{"key": "content", "kind": "score", "label": ""}]
    with pytest.raises(InvalidAnswer) as caught:
        evaluation.parse_answers(questions, {"content": "4.5"})
    assert caught.value.field == "content"


# --- the mail the day after ------------------------------------------------------


def test_present_participants_get_the_evaluation_and_certificate_the_day_after(
    make_event, mailbox, client
):
    # Yesterday 09:00-16:00 Brussels time: it ended whatever the hour this test runs at (an
    # activity of today had not yet ended before 16:00, and its evaluation link answered 410).
    event = took_place(make_event, days_ago=1)
    present = participant(event, name="Annelies Verhaeghe", email="annelies@example.org")
    participant(event, name="Niet Gekomen", email="weg@example.org", attended=False)
    today = event.ends_at + dt.timedelta(hours=2)

    assert mailing.send_follow_up(today) == (0, 0)
    next_morning = mailing.start_of_local_day(event.ends_at) + dt.timedelta(days=1, hours=9)
    assert mailing.send_follow_up(next_morning) == (1, 0)
    db.session.commit()
    assert mailing.send_follow_up(next_morning + dt.timedelta(hours=1)) == (0, 0), "idempotent"
    deliver_outbox()

    (message,) = mailbox
    assert message["To"] == "annelies@example.org"
    assert "Bedankt voor je komst" in message["Subject"]
    links = links_in(message)
    evaluation_link = next(link for link in links if "/evaluatie/" in link)
    certificate_link = next(link for link in links if "/attest/downloaden/" in link)
    page = client.get(evaluation_link[evaluation_link.index("/evaluatie/") :])
    assert page.status_code == 200
    pdf = client.get(certificate_link[certificate_link.index("/attest/") :])
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    assert evaluation.request_for(present).mailed_at is not None


def test_one_reminder_four_days_later_to_who_has_not_answered(make_event, mailbox):
    event = took_place(make_event, days_ago=1)
    silent = participant(event, name="Jan Peeters", email="jan@example.org")
    answered = participant(event, name="An Smet", email="an@example.org")
    first = now()
    mailing.send_follow_up(first)
    db.session.commit()
    answer(answered)
    deliver_outbox()
    mailbox.clear()

    assert mailing.send_follow_up(first + dt.timedelta(days=3)) == (0, 0)
    assert mailing.send_follow_up(first + dt.timedelta(days=4, minutes=1)) == (0, 1)
    db.session.commit()
    assert mailing.send_follow_up(first + dt.timedelta(days=9)) == (0, 0), "only one reminder"
    deliver_outbox()

    (message,) = mailbox
    assert message["To"] == silent.email
    assert message["Subject"].startswith("Herinnering")


def test_no_mail_for_activities_long_past(make_event):
    event = took_place(make_event, days_ago=20)
    participant(event)

    assert mailing.send_follow_up(now()) == (0, 0)


def test_the_scheduled_command_sends_the_follow_up(make_event, runner, mailbox):
    event = took_place(make_event, days_ago=1)
    participant(event, email="annelies@example.org")

    result = runner.invoke(args=["send-follow-up"])

    assert result.exit_code == 0, result.output
    assert "1 mails na de activiteit" in result.output
    assert [m["To"] for m in mailbox] == ["annelies@example.org"]
    again = runner.invoke(args=["send-follow-up"])
    assert "0 mails na de activiteit" in again.output


def test_a_walk_in_without_an_address_gets_no_follow_up_mail(make_event, make_user, mailbox):
    from events.organising.checkin import add_walk_in

    event = took_place(make_event)
    organiser = make_user("admin")
    participant(event, name="Annelies Verhaeghe", email="annelies@example.org")
    during = event.starts_at + dt.timedelta(hours=1)
    walk_in = add_walk_in(event, name="Zonder Adres", by=organiser, now=during)
    db.session.commit()
    assert "@" not in walk_in.email and walk_in.attended is True

    next_morning = mailing.start_of_local_day(event.ends_at) + dt.timedelta(days=1, hours=9)
    assert mailing.send_follow_up(next_morning) == (1, 0)
    db.session.commit()
    deliver_outbox()
    assert [message["To"] for message in mailbox] == ["annelies@example.org"]
