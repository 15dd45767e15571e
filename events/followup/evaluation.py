"""The evaluation (evaluatie) of an activity: its form, anonymous answers, the summary.

Issue 17, "Evaluation": a form per activity from a template per activity type (scores
1-5 on content, usefulness for practice and organisation; open questions on what the
participant takes into practice and what was missing), editable by the organiser.
Present participants answer once. The answers are stored without any link to a person
or a time (``Evaluation``); that someone answered is recorded apart, per registration
(``EvaluationRequest.has_answered``), so nobody answers twice and the organiser never
learns who answered what. With fewer than :data:`MIN_ANSWERS_SHOWN` answers the
summary shows only the count: a breakdown of one or two answers would identify people.

Open answers are checked for personal data (a guard a feature registered with the base,
``community.core.features.personal_data_guard``): the participant is warned and may send
anyway (``confirmed``), because the text is about the activity, not about a case, and a
refused evaluation is lost feedback; the organiser sees the answers only in the summary.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from community.core.extensions import db
from events.followup.certificates import is_present
from events.followup.errors import (
    AlreadyAnswered,
    EvaluationClosed,
    InvalidAnswer,
    InvalidQuestions,
    NotPresent,
    QuestionsLocked,
    TooFewAnswers,
)
from events.models import (
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    Event,
    EventType,
    Registration,
    RegistrationState,
)
from events.organising.export import neutralise as spreadsheet_safe

log = logging.getLogger(__name__)

SCORE = "score"
TEXT = "text"
KINDS = (SCORE, TEXT)
SCORES = (1, 2, 3, 4, 5)
#: Fewer answers than this show no breakdown (issue 17: "fewer than 3").
MIN_ANSWERS_SHOWN = 3
#: An evaluation takes answers this long after the activity ended.
OPEN_FOR = dt.timedelta(days=30)
MAX_TEXT = 2000
MAX_LABEL = 300
MAX_QUESTIONS = 20

#: The labels of the template questions, shown in the reader's language while the
#: organiser leaves a question's label empty.
DEFAULT_LABELS = {
    "content": _l("De inhoud van de activiteit"),
    "practice": _l("De bruikbaarheid voor mijn praktijk"),
    "organisation": _l("De organisatie (uitnodiging, locatie, timing)"),
    "speakers": _l("De sprekers en begeleiders"),
    "network": _l("De kansen om partners uit de regio te leren kennen"),
    "online": _l("Het online verloop (techniek, tijd voor vragen)"),
    "take_away": _l("Wat neem je mee naar je praktijk?"),
    "missing": _l("Wat heb je gemist, of wat kan beter?"),
}

_BASE = [("content", SCORE), ("practice", SCORE), ("organisation", SCORE)]
_OPEN = [("take_away", TEXT), ("missing", TEXT)]
#: The template per activity type (issue 17: "from a template per activity type").
TEMPLATES: dict[EventType, list[tuple[str, str]]] = {
    EventType.NETWORK_MEETING: [*_BASE, ("network", SCORE), *_OPEN],
    EventType.INSPIRATION_DAY: [*_BASE, ("speakers", SCORE), *_OPEN],
    EventType.TRAINING: [*_BASE, ("speakers", SCORE), *_OPEN],
    EventType.STUDY_DAY: [*_BASE, ("speakers", SCORE), *_OPEN],
    EventType.DIALOGUE: [("content", SCORE), ("practice", SCORE), ("online", SCORE), *_OPEN],
    EventType.INFO_SESSION: [*_BASE, *_OPEN],
    EventType.CASE_CONSULTATION: [*_BASE, *_OPEN],
}


def template_questions(event_type: EventType | str) -> list[dict]:
    """Return the template questions of ``event_type`` (labels empty: the default, translated)."""
    try:
        pairs = TEMPLATES[EventType(event_type)]
    except (KeyError, ValueError):
        pairs = [*_BASE, *_OPEN]
    return [{"key": key, "kind": kind, "label": ""} for key, kind in pairs]


def label_of(question: Mapping[str, Any]) -> str:
    """Return what a question reads: the organiser's label, else the template's (translated)."""
    label = question.get("label") or ""
    if label:
        return str(label)
    default = DEFAULT_LABELS.get(str(question.get("key")))
    return str(default) if default is not None else str(question.get("key"))


def form_of(event: Event) -> EvaluationForm | None:
    """Return the stored form of ``event``, or None while it follows its type's template."""
    return db.session.scalar(select(EvaluationForm).where(EvaluationForm.event_id == event.id))


def questions_of(event: Event) -> list[dict]:
    """Return the questions of ``event``'s evaluation: the stored form's, else the template."""
    form = form_of(event)
    return list(form.questions) if form is not None else template_questions(event.type)


def is_enabled(event: Event) -> bool:
    """True unless the organiser switched the evaluation of ``event`` off."""
    form = form_of(event)
    return form is None or form.is_enabled


def answer_count(event: Event) -> int:
    """Return how many evaluations of ``event`` were answered."""
    return (
        db.session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.event_id == event.id)
        )
        or 0
    )


def is_open(event: Event, now: dt.datetime) -> bool:
    """True when ``event`` takes answers at ``now`` (aware UTC): it has started, it is not
    cancelled, the evaluation is on, and it ended less than :data:`OPEN_FOR` ago."""
    return (
        event.status == "published"
        and event.starts_at <= now
        and now <= event.ends_at + OPEN_FOR
        and is_enabled(event)
    )


def _ensure_form(event: Event) -> EvaluationForm:
    """Return ``event``'s stored form, writing the template first when there is none (flushes;
    a concurrent writer's row wins)."""
    form = form_of(event)
    if form is not None:
        return form
    form = EvaluationForm(event_id=event.id, questions=template_questions(event.type))
    try:
        with db.session.begin_nested():
            db.session.add(form)
    except IntegrityError:
        found = form_of(event)
        assert found is not None
        return found
    return form


def save_questions(event: Event, labels: list[tuple[str, str, str]], *, is_enabled: bool) -> None:
    """Store ``event``'s form: ``labels`` are ``(key, kind, label)`` in order (flushes).

    A row with an empty key is a new question (it gets a key); a row with an empty label
    is left out (removed). A template question whose label is still its template text
    keeps an empty label, so every reader sees it in their own language. While answers
    exist the questions cannot change (:class:`QuestionsLocked`); switching the
    evaluation on or off always can. Raises
    :class:`InvalidQuestions` for no question, more than :data:`MAX_QUESTIONS`, a label
    longer than :data:`MAX_LABEL` or an unknown kind.
    """
    form = _ensure_form(event)
    questions: list[dict] = []
    known = {q["key"]: q for q in form.questions}
    used: set[str] = set()
    for key, kind, label in labels:
        key, label = (key or "").strip(), " ".join((label or "").split())
        if not label:
            continue  # an empty row, or a question the organiser emptied: removed
        if kind not in KINDS or len(label) > MAX_LABEL:
            raise InvalidQuestions()
        if key not in known or key in used:
            key = f"q{secrets.token_hex(4)}"
        if key in DEFAULT_LABELS and label == str(DEFAULT_LABELS[key]):
            label = ""  # the template's text as shown: it stays translated for every reader
        used.add(key)
        questions.append({"key": key, "kind": kind, "label": label})
    if not questions or len(questions) > MAX_QUESTIONS:
        raise InvalidQuestions()
    if questions != form.questions and answer_count(event):
        raise QuestionsLocked()
    form.questions = questions
    form.is_enabled = is_enabled
    db.session.flush()
    log.info("evaluation form of %s saved (%d questions)", event.slug, len(questions))


def request_for(registration: Registration) -> EvaluationRequest | None:
    """Return the evaluation bookkeeping of ``registration`` (mailed, reminded, answered)."""
    return db.session.get(EvaluationRequest, registration.id)


def has_answered(registration: Registration) -> bool:
    """True when ``registration``'s participant answered the evaluation."""
    found = request_for(registration)
    return found is not None and found.has_answered


def parse_answers(questions: list[dict], raw: Mapping[str, str]) -> dict[str, int | str]:
    """Return the answers in ``raw`` (form values by question key) for ``questions``.

    Every score question needs a whole number 1-5; texts are optional, spaces at the
    ends removed, at most :data:`MAX_TEXT` characters. Raises :class:`InvalidAnswer`
    with ``field`` the question's key at the first answer that is wrong.
    """
    answers: dict[str, int | str] = {}
    for question in questions:
        key = question["key"]
        value = (raw.get(key) or "").strip()
        if question["kind"] == SCORE:
            if value not in {str(score) for score in SCORES}:
                raise InvalidAnswer(field=key)
            answers[key] = int(value)
        elif value:
            if len(value) > MAX_TEXT:
                raise InvalidAnswer(
                    _l("Je antwoord is te lang (hoogstens %(max)s tekens).", max=MAX_TEXT),
                    field=key,
                )
            answers[key] = value
    return answers


def personal_data_in(
    questions: list[dict], answers: Mapping[str, int | str], guard: Callable | None
) -> dict[str, list]:
    """Return, per open question's key, what ``guard`` (``find_personal_data``-like: text ->
    findings) finds in its answer; empty when nothing or when no guard is registered."""
    if guard is None:
        return {}
    found = {}
    for question in questions:
        value = answers.get(question["key"])
        if question["kind"] == TEXT and isinstance(value, str):
            findings = guard(value)
            if findings:
                found[question["key"]] = findings
    return found


def submit_evaluation(
    registration: Registration, answers: dict[str, int | str], now: dt.datetime
) -> Evaluation:
    """Store ``answers`` (from :func:`parse_answers`) as an anonymous evaluation (flushes).

    One atomic step: the registration's "has answered" mark goes from false to true in
    one UPDATE (or is inserted, when no mail went yet), so two submits at once store one
    evaluation. The questions are fixed from then on (the form is stored). Raises
    :class:`NotPresent` unless the participant is marked present, :class:`EvaluationClosed`
    when the evaluation is off or over, :class:`AlreadyAnswered` for a second answer.
    ``now``: aware UTC.
    """
    event = registration.event
    if not is_present(registration):
        raise NotPresent()
    if not is_open(event, now):
        raise EvaluationClosed()
    marked = db.session.execute(
        update(EvaluationRequest)
        .where(
            EvaluationRequest.registration_id == registration.id,
            EvaluationRequest.has_answered.is_(False),
        )
        .values(has_answered=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not marked:
        if request_for(registration) is not None:
            raise AlreadyAnswered()
        try:
            with db.session.begin_nested():
                db.session.add(
                    EvaluationRequest(
                        registration_id=registration.id, event_id=event.id, has_answered=True
                    )
                )
        except IntegrityError as error:
            raise AlreadyAnswered() from error
    _ensure_form(event)
    evaluation = Evaluation(id=secrets.token_hex(16), event_id=event.id, answers=answers)
    db.session.add(evaluation)
    db.session.flush()
    db.session.expire_all()  # the UPDATE above bypassed the identity map
    log.info("an evaluation of %s was answered", event.slug)
    return evaluation


# --- the summary -------------------------------------------------------------------


@dataclass
class ScoreSummary:
    """One score question: how many chose each score 1-5, and the average."""

    key: str
    label: str
    counts: list[int]
    answered: int
    average: float | None


@dataclass
class TextSummary:
    """One open question: its answers, sorted alphabetically (not in the order given)."""

    key: str
    label: str
    answers: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """An activity's evaluation results; ``is_shown`` False below :data:`MIN_ANSWERS_SHOWN`."""

    answers: int
    present: int
    mailed: int
    is_shown: bool
    scores: list[ScoreSummary]
    texts: list[TextSummary]


def present_count(event: Event) -> int:
    """Return how many confirmed participants of ``event`` are marked present."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == RegistrationState.CONFIRMED,
                Registration.attended.is_(True),
            )
        )
        or 0
    )


def summarise(event: Event) -> Summary:
    """Return the summary of ``event``'s evaluation (three queries).

    Below :data:`MIN_ANSWERS_SHOWN` answers only the counts are filled in (no scores,
    no texts): issue 17, "Too few answers show no breakdown that could identify someone".
    """
    questions = questions_of(event)
    rows = list(
        db.session.scalars(select(Evaluation.answers).where(Evaluation.event_id == event.id))
    )
    mailed = (
        db.session.scalar(
            select(func.count())
            .select_from(EvaluationRequest)
            .where(EvaluationRequest.event_id == event.id, EvaluationRequest.mailed_at.is_not(None))
        )
        or 0
    )
    shown = len(rows) >= MIN_ANSWERS_SHOWN
    scores, texts = [], []
    if shown:
        for question in questions:
            key, label = question["key"], label_of(question)
            values = [row.get(key) for row in rows if row.get(key) is not None]
            if question["kind"] == SCORE:
                numbers = [v for v in values if isinstance(v, int) and v in SCORES]
                counts = [numbers.count(score) for score in SCORES]
                average = round(sum(numbers) / len(numbers), 1) if numbers else None
                scores.append(ScoreSummary(key, label, counts, len(numbers), average))
            else:
                texts.append(
                    TextSummary(key, label, sorted((str(v) for v in values), key=str.lower))
                )
    return Summary(len(rows), present_count(event), mailed, shown, scores, texts)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_xlsx(event: Event, summary: Summary) -> bytes:
    """Return the summary as an XLSX workbook: sheet "Scores" (per question the number of
    each score, the count and the average) and sheet "Open antwoorden" (per question its
    answers, alphabetically: no row links one person's answers).

    Raises :class:`TooFewAnswers` below :data:`MIN_ANSWERS_SHOWN` answers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    if not summary.is_shown:
        raise TooFewAnswers()
    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Scores"))[:31]
    sheet.append([spreadsheet_safe(event.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([str(_l("Antwoorden")), summary.answers, str(_l("Aanwezigen")), summary.present])
    sheet.append([])
    header = [str(_l("Vraag")), *(str(score) for score in SCORES)]
    header += [str(_l("Aantal")), str(_l("Gemiddelde"))]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for score in summary.scores:
        sheet.append([spreadsheet_safe(score.label), *score.counts, score.answered, score.average])
    sheet.column_dimensions["A"].width = 55
    texts = book.create_sheet(str(_l("Open antwoorden"))[:31])
    texts.column_dimensions["A"].width = 45
    texts.column_dimensions["B"].width = 90
    texts.append([str(_l("Vraag")), str(_l("Antwoord"))])
    for cell in texts[1]:
        cell.font = Font(bold=True)
    for text in summary.texts:
        for answer in text.answers:
            texts.append([spreadsheet_safe(text.label), spreadsheet_safe(answer)])
            texts.cell(row=texts.max_row, column=2).alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
