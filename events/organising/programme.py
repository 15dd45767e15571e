"""Programme items (talks; workshops with their own capacity) and registration questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete

from community.core.db import utcnow
from community.core.extensions import db
from events.models import (
    Event,
    EventQuestion,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    WorkshopChoice,
)
from events.organising.errors import ProgrammeItemError, QuestionError


@dataclass
class ProgrammeItemDetails:
    """A programme item as entered: times aware UTC, ``capacity`` only for workshops."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    kind: ProgrammeItemKind = ProgrammeItemKind.TALK
    speakers: str = ""
    room: str = ""
    description: str = ""
    capacity: int | None = None


def save_programme_item(
    event: Event, details: ProgrammeItemDetails, item: ProgrammeItem | None = None
) -> ProgrammeItem:
    """Add a programme item to ``event`` (``item`` None) or change ``item``; return it.

    Raises :class:`ProgrammeItemError` when the end is not after the start,
    the item falls outside the activity, or a capacity is given for another
    kind than a workshop.
    """
    if details.ends_at <= details.starts_at:
        raise ProgrammeItemError(_("Het einde moet na het begin liggen."), "end_time")
    if details.starts_at < event.starts_at or details.ends_at > event.ends_at:
        raise ProgrammeItemError(
            _("Een programmaonderdeel moet binnen het begin en einde van de activiteit vallen."),
            "start_time",
        )
    if details.capacity is not None and details.kind != ProgrammeItemKind.WORKSHOP:
        raise ProgrammeItemError(_("Alleen een workshop heeft een eigen capaciteit."), "capacity")
    if item is None:
        item = ProgrammeItem(position=len(event.programme), **vars(details))
        event.programme.append(item)
    else:
        for name, value in vars(details).items():
            setattr(item, name, value)
    event.updated_at = utcnow()
    db.session.flush()
    return item


def delete_programme_item(item: ProgrammeItem) -> None:
    """Remove ``item`` and the workshop choices made for it."""
    db.session.execute(delete(WorkshopChoice).where(WorkshopChoice.programme_item_id == item.id))
    event = item.event
    event.programme.remove(item)
    event.updated_at = utcnow()
    db.session.flush()


@dataclass
class QuestionDetails:
    """A registration question as entered; ``choices`` only for (multiple) choice questions."""

    label: str
    kind: QuestionKind = QuestionKind.TEXT
    choices: list[str] = field(default_factory=list)
    is_required: bool = False
    position: int | None = None


def save_question(
    event: Event, details: QuestionDetails, question: EventQuestion | None = None
) -> EventQuestion:
    """Add a question to ``event`` (``question`` None) or change ``question``; return it.

    A choice question needs at least two different choices; text and yes/no
    questions keep none. Raises :class:`QuestionError` otherwise.
    """
    choices = list(dict.fromkeys(c.strip() for c in details.choices if c.strip()))
    if details.kind in (QuestionKind.CHOICE, QuestionKind.CHOICES):
        if len(choices) < 2:
            raise QuestionError(
                _("Geef minstens twee verschillende keuzes, één per regel."), "choices"
            )
    else:
        choices = []
    position = details.position
    if question is None:
        if position is None:
            position = max((q.position for q in event.questions), default=0) + 1
        question = EventQuestion(position=position)
        event.questions.append(question)
    elif position is not None:
        question.position = position
    question.label = details.label
    question.kind = details.kind
    question.choices = choices
    question.is_required = details.is_required
    db.session.flush()
    return question


def delete_question(question: EventQuestion) -> None:
    """Remove ``question`` from its activity (answers already given stay in the registrations)."""
    question.event.questions.remove(question)
    db.session.flush()
